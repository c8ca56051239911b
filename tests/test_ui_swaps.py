"""Swaps on the page (issue 16, item 4): an operator asks on their page, the colleague accepts on theirs, a planner
approves on the Swaps page; a swap that would break a rule is refused in words before anyone approves it."""

from __future__ import annotations

import pytest

from helpers.ui_pages import FEBRUARY, RULES_TEXT, SEEDER, greedy_draft, make_account, open_page
from planner.auth import Role, User
from planner.config import parse_rules_text
from planner.swaps import Swap, swap_violations
from ui.swaps import ASK, SWAP_COLLEAGUE, SWAP_DAY, SWAP_KIND, answer_key, decide_key

LOOSE = RULES_TEXT.replace("tolerance_shifts: 1 ", "tolerance_shifts: 31 ")


@pytest.fixture
def month(small_month_store):
    """The tiny February published, with rules loose enough on the norm that a shift can change hands; a gift
    the rules allow and one they do not."""
    store = small_month_store
    store.save_rules(FEBRUARY.label, LOOSE, SEEDER, based_on=store.latest_rules(FEBRUARY.label).id)
    version_id = greedy_draft(store)
    store.publish(version_id, "anna")
    roster = store.load_roster(version_id).roster
    operators = store.load_operators(FEBRUARY.label).operators
    rules = parse_rules_text(LOOSE)
    gifts = [Swap("give", s.operator_id, s.day, op.id) for s in roster.shifts for op in operators
             if op.id != s.operator_id]
    allowed = next(g for g in gifts if not _any_shift(roster, g.to_operator, g.from_day)
                   and not swap_violations(roster, g, operators, rules))
    broken = next(g for g in gifts if not _any_shift(roster, g.to_operator, g.from_day)
                  and swap_violations(roster, g, operators, rules))
    return store, version_id, allowed, broken


def _any_shift(roster, operator_id, day) -> bool:
    return any(s.operator_id == operator_id and s.day == day for s in roster.shifts)


def _operator(operator_id: str) -> User:
    return User(f"user-{operator_id}", Role.OPERATOR, operator_id=operator_id)


def _ask(swap: Swap):
    at = open_page("schedule", user=_operator(swap.from_operator))
    at.selectbox(key=SWAP_DAY).select(swap.from_day)
    at.radio(key=SWAP_KIND).set_value("give")
    at.selectbox(key=SWAP_COLLEAGUE).select(swap.to_operator)
    return at.button(key=f"FormSubmitter:{ASK}-Ask").click().run()


def test_asked_accepted_and_approved_the_swap_is_a_new_revision(month):
    store, version_id, allowed, _ = month
    at = _ask(allowed)
    assert not at.exception and not at.error
    (asked,) = store.swaps(FEBRUARY.label)
    assert (asked.swap, asked.status) == (allowed, "asked")

    colleague = open_page("schedule", user=_operator(allowed.to_operator))
    colleague.button(key=answer_key(asked.id, True)).click().run()
    assert not colleague.exception and store.swaps(FEBRUARY.label)[0].status == "accepted"

    planner = open_page("swaps")
    revision = store.load_roster(version_id).info.revision
    planner.button(key=decide_key(asked.id, True)).click().run()
    assert not planner.exception
    assert store.swaps(FEBRUARY.label)[0].status == "approved"
    assert store.load_roster(version_id).info.revision == revision + 1
    assert _any_shift(store.load_roster(version_id).roster, allowed.to_operator, allowed.from_day)


def test_a_swap_that_breaks_a_rule_is_refused_in_words_and_stored_nowhere(month):
    store, _, _, broken = month
    at = _ask(broken)
    assert not at.exception
    (error,) = at.error
    assert error.value.startswith("The swap would break the rules: ")
    assert store.swaps(FEBRUARY.label) == ()


def test_a_supervisor_of_another_team_sees_no_swap_to_approve(month):
    store, version_id, allowed, _ = month
    store.ask_swap(version_id, allowed, by=_account_of(allowed.from_operator))
    at = open_page("swaps", user=User("oleg", Role.SUPERVISOR, ("Группа 2",)))
    assert not at.exception and not at.button


def _account_of(operator_id: str) -> str:
    """The operator's account, made in the database; its name."""
    make_account(_operator(operator_id))
    return f"user-{operator_id}"
