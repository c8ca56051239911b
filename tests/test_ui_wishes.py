"""Wishes on the page (issue 16, item 3): the planner opens the window on the Operators page, an operator enters
theirs on their page with the operators file's checks, the planner sees who answered and takes them in; after the
window closes the operator's save is refused."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from helpers.ui_pages import FEBRUARY, open_page
from planner.auth import Role, User
from ui.wishes import APPLY, CLOSES, OPEN_FORM, OPENS, WISHES_FORM, wish_key

TODAY = date.today()


@pytest.fixture
def operator_id(small_month_store):
    return small_month_store.load_operators(FEBRUARY.label).operators[0].id


def _operator(operator_id: str) -> User:
    return User("olga", Role.OPERATOR, operator_id=operator_id)


def _open_window(opens: date, closes: date):
    at = open_page("operators")
    at.date_input(key=OPENS).set_value(opens)
    at.date_input(key=CLOSES).set_value(closes)
    at.button(key=f"FormSubmitter:{OPEN_FORM}-Open the window").click().run()
    assert not at.exception and [s.value for s in at.success] == ["The window is set."]
    return at


def _enter(operator_id: str, **cells: str):
    at = open_page("schedule", user=_operator(operator_id))
    for name, value in cells.items():
        at.text_input(key=wish_key(name)).input(value)
    return at.button(key=f"FormSubmitter:{WISHES_FORM}-Save my wishes").click().run()


def test_an_operators_wishes_reach_the_operator_list_through_the_planner(small_month_store, operator_id):
    _open_window(TODAY - timedelta(days=1), TODAY + timedelta(days=1))
    at = _enter(operator_id, earliest_start="08:00", days_off_wished="2026-02-14")
    assert not at.exception and [s.value for s in at.success] == ["Your wishes are saved."]

    planner = open_page("operators")
    assert any("1 of 12 operators answered." in caption.value for caption in planner.caption)
    history = next(frame.value for frame in planner.dataframe if "Operator" in frame.value.columns)
    assert list(history["Operator"]) == [operator_id] and list(history["Who"]) == ["olga"]
    before = small_month_store.load_operators(FEBRUARY.label)
    planner.button(key=APPLY).click().run()
    assert not planner.exception
    after = small_month_store.load_operators(FEBRUARY.label)
    assert after.id != before.id
    (wished,) = [op for op in after.operators if op.id == operator_id]
    assert (wished.earliest_start, wished.days_off_wished) == (8 * 60, frozenset({date(2026, 2, 14)}))


def test_a_wish_the_operators_file_would_refuse_is_shown_with_its_field(small_month_store, operator_id):
    _open_window(TODAY - timedelta(days=1), TODAY + timedelta(days=1))
    at = _enter(operator_id, latest_end="25:00")
    assert not at.exception
    (error,) = at.error
    assert error.value.startswith("The wishes were not saved:") and "latest_end" in error.value
    assert small_month_store.wishes(FEBRUARY.label) == ()


def test_after_the_window_closes_an_operators_save_is_refused(small_month_store, operator_id):
    _open_window(TODAY - timedelta(days=10), TODAY - timedelta(days=2))
    at = _enter(operator_id, earliest_start="08:00")
    (error,) = at.error
    assert "ask the planner to change them" in error.value
    assert small_month_store.wishes(FEBRUARY.label) == ()
