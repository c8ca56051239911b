"""Operators' wishes in the store (issue 16, item 3): a window opened, wishes entered by the operators while it is
open (checked as the operators file is), refused after it closes, and taken into the operator list as a new
version."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from argon2 import profiles

from helpers.roster_fixtures import FEBRUARY, operator
from planner.auth import Role, User, password_hasher
from planner.errors import InputError
from planner.store import AccountStore, WishesRefused, open_store
from planner.wishes import Wishes

PASSWORD = "correct horse battery"
MONTH = FEBRUARY.label
OPERATORS = (operator("ann", range(1, 29)), operator("bob", range(1, 29)))


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 1, 10, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def store(database_url):
    with open_store(database_url, hasher=password_hasher(profiles.CHEAPEST)) as opened:
        opened._clock = clock = Clock()
        opened.save_rules(MONTH, "{}", "pat", based_on=None)
        opened.save_operators(MONTH, OPERATORS, "pat", based_on=None)
        opened.add_user("pat", Role.PLANNER, PASSWORD, by="setup")
        opened.add_user("ann", Role.OPERATOR, PASSWORD, by="setup", operator="ann")
        opened.clock = clock
        yield opened


def test_wishes_entered_in_the_window_are_taken_into_a_new_operator_list(store):
    store.open_wishes(MONTH, date(2026, 1, 5), date(2026, 1, 15), by="pat")
    store.save_wishes(MONTH, Wishes("ann", earliest_start="14:00", days_off_wished="2026-02-14"), by="ann")
    store.save_wishes(MONTH, Wishes("ann", earliest_start="16:00", days_off_wished="2026-02-14"), by="ann")
    assert [entry.wishes.earliest_start for entry in store.wishes(MONTH)] == ["14:00", "16:00"]  # every change
    before = store.load_operators(MONTH)
    after = store.apply_wishes(MONTH, by="pat")
    assert after.id != before.id
    ann, bob = after.operators
    assert (ann.earliest_start, ann.days_off_wished) == (16 * 60, frozenset({date(2026, 2, 14)}))
    assert bob == OPERATORS[1]
    assert [event.what for event in store.audit_log(actions={"wishes"})][0] == \
        "wishes of 1 operator(s) taken into the operator list of 2026-02"


def test_a_wish_the_operators_file_would_refuse_is_refused_with_its_field(store):
    store.open_wishes(MONTH, date(2026, 1, 5), date(2026, 1, 15), by="pat")
    with pytest.raises(InputError) as refused:
        store.save_wishes(MONTH, Wishes("ann", latest_end="25:00"), by="ann")
    (problem,) = refused.value.problems
    assert (problem.field, problem.file) == ("latest_end", "wishes of ann")
    assert store.wishes(MONTH) == ()


def test_after_the_window_closes_only_the_planner_changes_the_wishes(store):
    store.open_wishes(MONTH, date(2026, 1, 5), date(2026, 1, 15), by="pat")
    store.clock.now = datetime(2026, 1, 15, 20, 59, tzinfo=UTC)  # 23:59 in Moscow, the last day
    store.save_wishes(MONTH, Wishes("ann", earliest_start="14:00"), by="ann")
    store.clock.now = datetime(2026, 1, 15, 21, 0, tzinfo=UTC)  # midnight in Moscow: closed
    with pytest.raises(WishesRefused, match="were collected from 2026-01-05 until 2026-01-15"):
        store.save_wishes(MONTH, Wishes("ann", earliest_start="15:00"), by="ann")
    store.save_wishes(MONTH, Wishes("ann", earliest_start="15:00"), by="pat")
    assert [entry.entered_by for entry in store.wishes(MONTH)] == ["ann", "pat"]


def test_without_a_window_and_for_someone_else_wishes_are_refused(store):
    with pytest.raises(WishesRefused, match="are not being collected"):
        store.save_wishes(MONTH, Wishes("ann"), by="ann")
    store.open_wishes(MONTH, date(2026, 1, 5), date(2026, 1, 15), by="pat")
    with pytest.raises(WishesRefused, match="their own wishes only"):
        store.save_wishes(MONTH, Wishes("bob"), by="ann")
    with pytest.raises(WishesRefused, match="cannot close"):
        store.open_wishes(MONTH, date(2026, 1, 15), date(2026, 1, 5), by="pat")


def test_an_operator_sees_their_own_wishes_only(store):
    store.open_wishes(MONTH, date(2026, 1, 5), date(2026, 1, 15), by="pat")
    store.save_wishes(MONTH, Wishes("ann", earliest_start="14:00"), by="ann")
    store.save_wishes(MONTH, Wishes("bob", earliest_start="09:00"), by="pat")
    anns = AccountStore(store, User("ann", Role.OPERATOR, operator_id="ann"))
    assert [entry.wishes.operator_id for entry in anns.wishes(MONTH)] == ["ann"]


def test_a_students_term_timetable_is_kept_with_the_operator_list(store):
    store.open_wishes(MONTH, date(2026, 1, 5), date(2026, 1, 15), by="pat")
    store.save_wishes(MONTH, Wishes("ann", weekly_hours="mon-fri 16:00-24:00"), by="ann")
    store.apply_wishes(MONTH, by="pat")
    ann = store.load_operators(MONTH).operators[0]  # read back from the database
    assert [(hours.weekday, hours.earliest_start, hours.latest_end) for hours in ann.weekly_hours] == [
        (day, 16 * 60, 24 * 60) for day in range(5)]
    assert ann.window_on(date(2026, 2, 7)) == (0, 24 * 60)  # a Saturday
