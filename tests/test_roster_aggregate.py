"""The aggregate stage: a relaxation whose optimum bounds the shortfall of every named roster from below."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings

from helpers.roster_fixtures import (
    SEED,
    WEEK,
    assert_valid,
    need,
    operator,
    rules,
    shortfall,
    solve_model,
    solve_optimum,
    staffing,
    tiny_months,
)
from planner.config import HARD_RULES
from planner.roster import solve as solve_module
from planner.roster.aggregate import operator_classes, solve_aggregate
from planner.roster.model import RULES
from planner.roster.solve import solve_roster
from planner.roster.space import ShiftSpace

TUESDAY, WEDNESDAY, THURSDAY = 3, 4, 5
# With only the hard rules and the shortfall, the full model's optimum is the least shortfall a roster can have.
ONLY_SHORTFALL = frozenset(RULES) - set(HARD_RULES) - {"shortfall"}


def _aggregate(space: ShiftSpace, seconds: float = 5):
    return solve_aggregate(space, seconds, workers=1, seed=SEED)


def test_operators_of_one_length_and_window_form_a_class():
    day_workers = [operator(f"d{i}", free=[TUESDAY], window=("09:00", "17:00")) for i in range(2)]
    part_timer = operator("p", free=[TUESDAY], window=("09:00", "17:00"), rate=0.5)
    anyone = operator("a", free=[TUESDAY])
    space = ShiftSpace(staffing(), [day_workers[0], part_timer, anyone, day_workers[1]], rules())
    assert sorted(operator_classes(space)) == [(0, 3), (1,), (2,)]


def test_aggregate_bound_is_below_a_roster_that_rest_keeps_short():
    # One operator could cover Tuesday 16-24 and Wednesday 06-14 only with 6 h of rest. The aggregate knows
    # the class has two members, not that only one of them is free on those days: it is a relaxation.
    both_days = operator("a", free=[TUESDAY, WEDNESDAY])
    later = operator("b", free=[THURSDAY])
    space = ShiftSpace(staffing(need(TUESDAY, 16, 8), need(WEDNESDAY, 6, 8)), [both_days, later], rules())

    plan = _aggregate(space)
    assert plan is not None and plan.under_coverage_lower_bound == plan.shortfall == 0

    best = solve_model(space, without=ONLY_SHORTFALL)
    assert_valid(best, space)
    assert shortfall(space, best) == 6


SATURDAY, SUNDAY, NEXT_SATURDAY, NEXT_SUNDAY = 7, 8, 14, 15
# Each rule of the centres that the aggregate relaxes, in a month that rule alone keeps short: the bound must
# see it (and equal the least shortfall a roster can have), and without the rule it must not.
RULE_BOUNDS = {
    "max_working_weekends": (
        {"rules": {"max_working_weekends": {"max_weekends": 1}}},
        [operator("a", free=[SATURDAY, SUNDAY, NEXT_SATURDAY, NEXT_SUNDAY])],
        [need(day, 9, 8) for day in (SATURDAY, SUNDAY, NEXT_SATURDAY, NEXT_SUNDAY)],
        16,
    ),
    "forbidden_successions": (
        {"rules": {"forbidden_successions": {"pairs": [["night", "day"]]}, "rest_between_shifts": {"min_hours": 8}}},
        [operator("a", free=[TUESDAY, WEDNESDAY])],
        [need(TUESDAY, 20, 8), need(WEDNESDAY, 13, 1)],
        1,
    ),
    "forward_rotation": (
        {"rules": {"forward_rotation": {"order": ["day", "evening", "night"]},
                   "rest_between_shifts": {"min_hours": 8}}},
        [operator("a", free=[TUESDAY, WEDNESDAY])],
        [need(TUESDAY, 20, 8), need(WEDNESDAY, 13, 1)],
        1,
    ),
    "shift_templates": (
        {"rules": {"shift_templates": {"starts": {"1.0": ["00:00"]}}}},
        [operator("a", free=[TUESDAY])],
        [need(TUESDAY, 9, 8)],
        8,
    ),
    "min_consecutive_days_off": (
        {"rules": {"max_consecutive_days": {"max_days": 2}, "min_consecutive_days_off": {"min_days": 2}}},
        [operator("a", free=WEEK)],
        [need(day, 9, 8) for day in WEEK],
        24,
    ),
}


@pytest.mark.parametrize("rule", RULE_BOUNDS)
def test_the_bound_knows_the_centres_rules(rule):
    overrides, operators, needs, least_short = RULE_BOUNDS[rule]
    space = ShiftSpace(staffing(*needs), operators, rules(overrides))
    plan = _aggregate(space)
    assert plan is not None and plan.under_coverage_lower_bound == least_short
    assert shortfall(space, solve_model(space, without=ONLY_SHORTFALL)) == least_short

    without = {section: {key: value for key, value in values.items() if key != rule}
               for section, values in overrides.items()}
    loose = _aggregate(ShiftSpace(staffing(*needs), operators, rules(without)))
    assert loose is not None and loose.under_coverage_lower_bound < least_short


@settings(max_examples=25, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(tiny_months())
def test_property_aggregate_bounds_every_roster_from_below(space):
    plan = _aggregate(space)
    assert plan is not None

    least_short = solve_model(space, without=ONLY_SHORTFALL)
    assert plan.under_coverage_lower_bound <= shortfall(space, least_short)

    # The solve reports max(CP-SAT's bound, this) as the month's bound: it must not exceed the true optimum.
    _, optimum = solve_optimum(space)
    assert plan.objective_lower_bound <= optimum


def test_aggregate_gives_none_when_its_time_runs_out():
    space = ShiftSpace(staffing(need(TUESDAY, 9, 8)), [operator("a", free=[TUESDAY])], rules())
    assert _aggregate(space, seconds=1e-9) is None


def test_aggregate_gives_none_when_a_class_cannot_meet_its_norm():
    # Five free working days in a row, each of them needed for an exact norm, but at most two days in a row.
    exact = rules({"rules": {"max_consecutive_days": {"max_days": 2}, "monthly_norm": {"tolerance_shifts": 0}}},
                  loose_norm=False)
    space = ShiftSpace(staffing(), [operator("a", free=range(2, 7), window=("09:00", "17:00"))], exact)
    assert _aggregate(space) is None


def test_solve_without_an_aggregate_plan_keeps_every_start(monkeypatch):
    monkeypatch.setattr(solve_module, "solve_aggregate", lambda *args: None)
    operators = [operator("a", free=[TUESDAY, WEDNESDAY]), operator("b", free=[WEDNESDAY], window=("22:00", "06:00"))]
    plan = staffing(need(TUESDAY, 16, 8), need(WEDNESDAY, 22, 8))
    space = ShiftSpace(plan, operators, rules(loose_norm=False))

    result = solve_roster(plan, operators, space.rules, time_limit=5, workers=1)

    assert_valid(result.roster, space)
    assert shortfall(space, result.roster) == 0
    assert result.report.under_coverage_lower_bound == 0
    assert result.report.status == "OPTIMAL"
    assert result.report.best_bound <= result.report.objective
