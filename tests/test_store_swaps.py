"""Swaps in the store (issue 16, item 4): asked by an operator, accepted by the colleague, approved by a planner
as a new revision of the published roster; refused at any step where the rules would break."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from argon2 import profiles

from helpers.roster_fixtures import FEBRUARY, operator
from planner.auth import Role, User, password_hasher
from planner.domain import Roster, Shift
from planner.store import AccountStore, NotPermitted, SwapRefused, open_store
from planner.swaps import Swap

PASSWORD = "correct horse battery"
LOOSE_NORM = "rules:\n  monthly_norm:\n    tolerance_shifts: 31\n"
EVERY_DAY = range(1, 29)
OPERATORS = (operator("ann", EVERY_DAY), operator("bob", EVERY_DAY), operator("cat", EVERY_DAY, rate=0.75),
             operator("dan", EVERY_DAY))


def shift(operator_id: str, day: int, start: int, hours: int = 8) -> Shift:
    begin = datetime(2026, 2, day, start, tzinfo=FEBRUARY.tz)
    return Shift(operator_id, begin, begin + timedelta(hours=hours))


@pytest.fixture
def store(database_url):
    with open_store(database_url, hasher=password_hasher(profiles.CHEAPEST)) as opened:
        opened.save_rules(FEBRUARY.label, LOOSE_NORM, "pat", based_on=None)
        opened.save_operators(FEBRUARY.label, OPERATORS, "pat", based_on=None)
        opened.add_user("pat", Role.PLANNER, PASSWORD, by="setup")
        for name in ("ann", "bob", "cat", "dan"):
            opened.add_user(name, Role.OPERATOR, PASSWORD, by="setup", operator=name)
        yield opened


def published(store, *shifts: Shift) -> int:
    version = store.create_draft(Roster(FEBRUARY, shifts), {}, LOOSE_NORM, "pat")
    store.publish(version.id, "pat")
    return version.id


def feb(day: int) -> date:
    return date(2026, 2, day)


def test_an_agreed_and_approved_swap_is_a_new_revision_of_the_published_roster(store):
    version_id = published(store, shift("ann", 3, 8), shift("bob", 5, 16))
    revision = store.load_roster(version_id).info.revision
    asked = store.ask_swap(version_id, Swap("swap", "ann", feb(3), "bob", feb(5)), by="ann")
    assert asked.status == "asked"
    assert store.answer_swap(asked.id, True, by="bob").status == "accepted"
    approved = store.decide_swap(asked.id, True, by="pat")
    assert approved.status == "approved" and approved.decided_by == "pat"
    stored = store.load_roster(version_id)
    assert (stored.info.status, stored.info.revision) == ("published", revision + 1)
    assert sorted((s.operator_id, s.day.day) for s in stored.roster.shifts) == [("ann", 5), ("bob", 3)]
    history = store.edit_history(version_id)
    assert {(r.edit.operator_id, r.edit.day.day, r.edit.before, r.edit.after, r.edited_by, r.revision)
            for r in history} == {("ann", 3, "08–16", "", "pat", revision + 1),
                                  ("ann", 5, "", "16–24", "pat", revision + 1),
                                  ("bob", 3, "", "08–16", "pat", revision + 1),
                                  ("bob", 5, "16–24", "", "pat", revision + 1)}
    assert [event.action for event in store.audit_log(actions={"swap"})] == ["swap"]


def test_a_swap_that_would_break_a_rule_is_refused_before_anyone_approves_it(store):
    version_id = published(store, shift("ann", 3, 8))
    with pytest.raises(SwapRefused) as refused:
        store.ask_swap(version_id, Swap("give", "ann", feb(3), "cat"), by="ann")
    assert [violation.rule for violation in refused.value.violations] == ["contracts"]
    assert "rate 0.75 needs 6 h" in str(refused.value)
    assert store.swaps(FEBRUARY.label) == ()


def test_an_operator_asks_for_their_own_shifts_only_and_only_the_colleague_answers(store):
    version_id = published(store, shift("ann", 3, 8), shift("bob", 5, 16))
    with pytest.raises(SwapRefused, match="their own shifts only"):
        store.ask_swap(version_id, Swap("give", "bob", feb(5), "ann"), by="ann")
    asked = store.ask_swap(version_id, Swap("give", "ann", feb(3), "bob"), by="ann")
    with pytest.raises(SwapRefused, match="was asked of bob, not of cat"):
        store.answer_swap(asked.id, True, by="cat")
    with pytest.raises(SwapRefused, match="is asked, not accepted"):
        store.decide_swap(asked.id, True, by="pat")
    assert store.answer_swap(asked.id, False, by="bob").status == "declined"


def test_a_swap_the_roster_no_longer_allows_is_refused_and_says_why(store):
    # Each gift is fine alone; once bob has ann's evening, dan's early shift the next morning leaves him 4 hours of
    # rest, so bob's acceptance of it is refused and the swap marked so.
    version_id = published(store, shift("ann", 3, 16), shift("dan", 4, 4))
    first = store.ask_swap(version_id, Swap("give", "ann", feb(3), "bob"), by="ann")
    second = store.ask_swap(version_id, Swap("give", "dan", feb(4), "bob"), by="dan")
    store.answer_swap(first.id, True, by="bob")
    store.decide_swap(first.id, True, by="pat")
    with pytest.raises(SwapRefused) as refused:
        store.answer_swap(second.id, True, by="bob")
    assert [violation.rule for violation in refused.value.violations] == ["rest_between_shifts"]
    (stored,) = [info for info in store.swaps(FEBRUARY.label) if info.id == second.id]
    assert stored.status == "refused" and "rest 4 h before shift 2026-02-04 04:00" in stored.reason


def test_only_published_shifts_are_swapped(store):
    draft = store.create_draft(Roster(FEBRUARY, (shift("ann", 3, 8),)), {}, LOOSE_NORM, "pat")
    with pytest.raises(SwapRefused, match="is a draft"):
        store.ask_swap(draft.id, Swap("give", "ann", feb(3), "bob"), by="ann")


def test_an_operator_sees_only_the_swaps_they_are_part_of_and_cannot_approve(store):
    version_id = published(store, shift("ann", 3, 8), shift("bob", 5, 16), shift("cat", 7, 8, hours=6))
    store.ask_swap(version_id, Swap("give", "ann", feb(3), "bob"), by="ann")
    cats = AccountStore(store, User("cat", Role.OPERATOR, operator_id="cat"))
    assert cats.swaps(FEBRUARY.label) == ()
    anns = AccountStore(store, User("ann", Role.OPERATOR, operator_id="ann"))
    assert len(anns.swaps(FEBRUARY.label)) == 1
    with pytest.raises(NotPermitted):
        anns.decide_swap(1, True, by="ann")
    with pytest.raises(NotPermitted, match="in the name of 'ann'"):
        cats.ask_swap(version_id, Swap("give", "ann", feb(3), "cat"), by="ann")
