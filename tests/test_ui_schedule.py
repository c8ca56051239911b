"""The operator's page (issue 16, items 1 and 2): their own published shifts with breaks, hours against the norm,
nights and weekends, and their calendar; every other page refused, nothing of anyone else shown."""

from __future__ import annotations

import pytest
from icalendar import Calendar

from helpers.ui_pages import FEBRUARY, greedy_draft, open_page
from planner.auth import Role, User
from ui.schedule import CALENDAR


@pytest.fixture
def published(small_month_store):
    """The tiny February's greedy roster, published; the store and the roster."""
    version_id = greedy_draft(small_month_store)
    small_month_store.publish(version_id, "anna")
    return small_month_store, small_month_store.load_roster(version_id).roster


def _operator_of(store, roster) -> tuple[User, list]:
    """An operator account of someone who works this month, and that operator's shifts."""
    operator_id = roster.shifts[0].operator_id
    return (User("olga", Role.OPERATOR, operator_id=operator_id),
            [shift for shift in roster.shifts if shift.operator_id == operator_id])


def test_an_operator_sees_their_own_shifts_and_totals_and_no_one_elses(published):
    store, roster = published
    account, own = _operator_of(store, roster)
    at = open_page("schedule", user=account)
    assert not at.exception
    assert at.header[0].value == "My shifts"
    (table,) = [frame.value for frame in at.dataframe]
    assert len(table) == len(own)
    assert list(table["Hours"]) == [round(shift.hours, 2) for shift in sorted(own, key=lambda s: s.start)]
    assert float(at.metric[0].value) == sum(shift.hours for shift in own)
    others = {op.name for op in store.load_operators(FEBRUARY.label).operators if op.id != account.operator_id}
    shown = " ".join(str(element.value) for element in [*at.markdown, *at.metric, *at.caption]) + table.to_string()
    assert not any(name in shown for name in others)


def test_the_operators_calendar_holds_their_shifts_and_is_made_on_the_click(published, downloads):
    store, roster = published
    account, own = _operator_of(store, roster)
    at = open_page("schedule", user=account)
    (button,) = at.download_button
    assert button.key == CALENDAR and button.proto.deferred_file_id and not button.proto.url
    events = list(Calendar.from_ical(downloads.fetch(CALENDAR)).walk("VEVENT"))
    assert sorted(event.decoded("dtstart") for event in events) == sorted(shift.start for shift in own)


def test_before_the_month_is_published_an_operator_sees_no_draft(small_month_store):
    roster = small_month_store.load_roster(greedy_draft(small_month_store)).roster
    at = open_page("schedule", user=User("olga", Role.OPERATOR, operator_id=roster.shifts[0].operator_id))
    assert not at.exception
    assert at.info[0].value.startswith("The roster of 2026-02 is not published yet")
    assert not at.dataframe and not at.download_button


@pytest.mark.parametrize("name", ["forecast", "history", "operators", "rules", "roster", "breaks", "taxi", "export",
                                  "swaps"])
def test_an_operator_calling_any_other_page_directly_is_refused_and_shown_nothing(published, name):
    store, roster = published
    account, _ = _operator_of(store, roster)
    at = open_page(name, user=account)
    assert not at.exception
    assert [error.value for error in at.error] == ["Your account may not open this page."]
    assert not at.dataframe and not at.download_button and not at.button


def test_a_planner_has_no_own_shifts_page(published):
    at = open_page("schedule")
    assert [error.value for error in at.error] == ["Your account may not open this page."]
