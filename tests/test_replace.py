"""planner.replace: a sick call's candidates, ranked, each keeping every hard rule; applying one."""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from helpers.roster_fixtures import FEBRUARY, need, operator, rules, staffing
from helpers.ui_pages import RULES_TEXT, forecast_csv
from planner.config import parse_rules_text
from planner.coverage import coverage_rows, coverage_totals
from planner.domain import Roster, Shift
from planner.forecast_csv import parse_forecast
from planner.replace import (
    NoShiftThatDay,
    apply_candidate,
    changed_operators,
    changes,
    free_operators,
    resolve_rest_of_month,
    rest_of_month_locks,
    sick_call,
)
from planner.roster.greedy import greedy_roster
from planner.roster.model import starts_allowed
from planner.roster.solve import roster_from_starts
from planner.roster.space import ShiftSpace
from planner.samples import sample_operators
from planner.staffing import staffing_plan
from planner.validate import validate_roster

SICK_DAY = date(2026, 2, 4)
RULES = rules()


def at(day: int, hour: int) -> datetime:
    return datetime(2026, 2, day, hour, tzinfo=FEBRUARY.tz)


def shift(operator_id: str, day: int, start: int, hours: int = 8) -> Shift:
    begin = at(day, start)
    return Shift(operator_id, begin, begin + timedelta(hours=hours))


OPERATORS = (
    operator("sick", range(1, 29)),
    operator("free", range(1, 29)),
    operator("wishes", range(1, 29), wished=[4]),
    operator("late", range(1, 29)),  # worked until midnight the day before: 12 hours of rest end at 12:00
    operator("away", [1, 2, 3, 5, 6]),  # unavailable on the 4th
    operator("works", range(1, 29)),  # already works the 4th
)
ROSTER = Roster(FEBRUARY, (shift("sick", 4, 8), shift("late", 3, 16), shift("works", 4, 16)))
PLAN = staffing(need(4, 8, 8))


def test_the_candidates_are_ranked_by_what_they_cover_then_wishes_and_nobody_breaks_a_rule():
    call = sick_call(PLAN, ROSTER, OPERATORS, RULES, "sick", SICK_DAY)
    assert call.removed == ROSTER.shifts[0]
    assert [(c.operator_id, c.shift.start.hour, c.short_hours_covered) for c in call.candidates] == [
        ("free", 8, 8), ("wishes", 8, 8), ("late", 12, 4)]
    assert [c.wished_off for c in call.candidates] == [False, True, False]
    assert call.shortfall_without == 8


def test_applying_the_best_candidate_covers_the_shift_and_the_validator_accepts_it():
    call = sick_call(PLAN, ROSTER, OPERATORS, RULES, "sick", SICK_DAY)
    roster, new_violations = apply_candidate(call, call.candidates[0], PLAN, RULES)
    assert new_violations == []
    assert validate_roster(roster, call.operators, RULES) == []
    assert coverage_totals(coverage_rows(PLAN, roster)).under_coverage_agent_hours == 0
    assert [(c.operator_id, c.before, c.after) for c in changes(ROSTER, roster, {})] == [
        ("free", "", "08–16"), ("sick", "08–16", "")]


def test_the_sick_day_counts_as_unavailable_for_the_absent_operator():
    # Free on the 4th alone, so that one shift is the whole norm: with the norm kept to the hour, dropping the
    # shift would leave them 8 hours short if the day still counted.
    operators = (operator("sick", [4]), *OPERATORS[1:])
    strict = rules({"rules": {"monthly_norm": {"tolerance_shifts": 0}}}, loose_norm=False)
    call = sick_call(PLAN, ROSTER, operators, strict, "sick", SICK_DAY)
    (sick,) = [op for op in call.operators if op.id == "sick"]
    assert SICK_DAY in sick.unavailable
    assert [v.rule for v in validate_roster(call.without, operators, strict) if v.operator_id == "sick"] == [
        "monthly_norm"]
    assert not [v for v in validate_roster(call.without, call.operators, strict) if v.operator_id == "sick"]


def test_a_day_without_a_shift_of_the_absent_operator_is_refused():
    with pytest.raises(NoShiftThatDay, match="sick has no shift starting on 2026-02-05"):
        sick_call(PLAN, ROSTER, OPERATORS, RULES, "sick", date(2026, 2, 5))


def test_without_a_candidate_the_shift_is_only_dropped():
    call = sick_call(PLAN, ROSTER, OPERATORS[:1], RULES, "sick", SICK_DAY)
    assert call.candidates == ()
    roster, new_violations = apply_candidate(call, None, PLAN, RULES)
    assert roster == call.without and new_violations == []
    assert [change.operator_id for change in changes(ROSTER, roster, {})] == ["sick"]


# --- on a whole (tiny) month -------------------------------------------------------------------------------------

MONTH_RULES = parse_rules_text(RULES_TEXT)
MONTH_PLAN = staffing_plan(parse_forecast(forecast_csv(), "f.csv", MONTH_RULES), MONTH_RULES)
MONTH_OPERATORS = sample_operators(12, FEBRUARY, MONTH_RULES, seed=3)
_SPACE = ShiftSpace(MONTH_PLAN, MONTH_OPERATORS, MONTH_RULES)
MONTH_ROSTER = roster_from_starts(_SPACE, greedy_roster(_SPACE, starts_allowed(_SPACE)))


@settings(max_examples=12, deadline=None)
@given(st.integers(0, len(MONTH_ROSTER.shifts) - 1))
def test_any_sick_call_applied_keeps_every_rule_covers_no_worse_and_changes_one_other_operator(index):
    removed = MONTH_ROSTER.shifts[index]
    call = sick_call(MONTH_PLAN, MONTH_ROSTER, MONTH_OPERATORS, MONTH_RULES, removed.operator_id, removed.day)
    best = call.candidates[0] if call.candidates else None
    roster, new_violations = apply_candidate(call, best, MONTH_PLAN, MONTH_RULES)
    assert new_violations == []
    assert _rules_broken(validate_roster(roster, call.operators, MONTH_RULES)) <= _rules_broken(
        validate_roster(MONTH_ROSTER, MONTH_OPERATORS, MONTH_RULES))
    shortfall = coverage_totals(coverage_rows(MONTH_PLAN, roster)).under_coverage_agent_hours
    assert shortfall <= call.shortfall_without
    assert len({c.operator_id for c in changes(MONTH_ROSTER, roster, {})} - {removed.operator_id}) <= 1


def _rules_broken(violations) -> Counter:
    return Counter((violation.operator_id, violation.rule) for violation in violations)


# --- the rest of the month, with a change budget ------------------------------------------------------------------


def test_the_locks_keep_the_past_for_everyone_and_the_future_for_all_but_the_free():
    roster = Roster(FEBRUARY, (shift("free", 2, 8), shift("late", 9, 8)))
    locks = rest_of_month_locks(roster, OPERATORS, date(2026, 2, 4), ["free"])
    assert locks[("free", date(2026, 2, 2))] == at(2, 8) and locks[("free", date(2026, 2, 4))] is None
    assert ("free", date(2026, 2, 5)) not in locks
    assert locks[("late", date(2026, 2, 9))] == at(9, 8) and locks[("late", date(2026, 2, 10))] is None


def test_a_sick_week_resolved_from_tomorrow_changes_at_most_the_budget_and_nothing_before():
    removed = next(s for s in MONTH_ROSTER.shifts if 8 <= s.day.day <= 20)
    until = removed.day + timedelta(days=4)
    call = sick_call(MONTH_PLAN, MONTH_ROSTER, MONTH_OPERATORS, MONTH_RULES, removed.operator_id, removed.day,
                     until=until)
    assert not any(s.operator_id == removed.operator_id and removed.day <= s.day <= until for s in call.without.shifts)
    best = call.candidates[0] if call.candidates else None
    today, _ = apply_candidate(call, best, MONTH_PLAN, MONTH_RULES)
    free = free_operators(call, MONTH_RULES, 2)
    assert len(free) == 2 and removed.operator_id not in free
    resolved = resolve_rest_of_month(MONTH_PLAN, today, call.operators, MONTH_RULES, today=removed.day, free=free,
                                     time_limit=3, workers=1)
    assert set(changed_operators(today, resolved)) <= set(free)
    def until_today(roster: Roster) -> set[tuple[str, datetime, datetime]]:
        return {(s.operator_id, s.start, s.end) for s in roster.shifts if s.day <= removed.day}

    assert until_today(resolved) == until_today(today)
    assert _rules_broken(validate_roster(resolved, call.operators, MONTH_RULES)) <= _rules_broken(
        validate_roster(today, call.operators, MONTH_RULES))
