"""The descent by operator: no step raises the whole model's cost or breaks a hard rule, and steps are taken."""

from __future__ import annotations

import time
from datetime import datetime, timedelta

from hypothesis import HealthCheck, given, settings
from ortools.sat.python import cp_model

from helpers.roster_fixtures import (
    FEBRUARY,
    WEEK,
    assert_valid,
    need,
    operator,
    rules,
    shortfall,
    solver,
    staffing,
    tiny_months,
)
from planner.domain import Roster, Shift
from planner.roster import descent as descent_module
from planner.roster.descent import descend
from planner.roster.greedy import greedy_roster
from planner.roster.model import build_model, starts_allowed
from planner.roster.solve import roster_from_starts
from planner.roster.space import ShiftSpace
from planner.validate import validate_roster

SECONDS = 10


def _deadline() -> float:
    # Tiny months end in a round without a gain long before this; it only stops a broken descent.
    return time.monotonic() + SECONDS


def _cost(space: ShiftSpace, starts: list[list[int]], free: int | None = None) -> float | None:
    """The whole model's least objective with these starts (those of operator `free` left to the solver), or
    None when they break a hard rule."""
    roster_model = build_model(space)
    for op, chosen in enumerate(starts):
        if op == free:
            continue
        for start, var in roster_model.operator_starts(op):
            roster_model.model.add(var == (start in chosen))
    cp = solver()
    status = cp.solve(roster_model.model)
    return cp.objective_value if status == cp_model.OPTIMAL else None


def _at_hour(space: ShiftSpace, clock_hour: int) -> list[int]:
    """Each day's start at this hour of the clock."""
    return [next(hour for hour in day if space.start_time(hour).hour == clock_hour) for day in space.starts_by_day]


def _broken_operators(space: ShiftSpace, starts: list[list[int]]) -> set[str]:
    roster = roster_from_starts(space, starts)
    return {violation.operator_id for violation in validate_roster(roster, space.operators, space.rules,
                                                                   space.previous)}


@settings(max_examples=25, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(tiny_months())
def test_property_descent_never_raises_the_cost_nor_breaks_a_rule(space):
    start = greedy_roster(space, starts_allowed(space))
    descended = descend(space, start, _deadline(), workers=2)

    # An operator the greedy start kept within the rules stays within them; one it did not may be mended.
    assert _broken_operators(space, descended) <= _broken_operators(space, start)
    before, after = _cost(space, start), _cost(space, descended)
    if before is not None:
        assert after is not None and after <= before
    if after is not None:
        # It stopped where no operator alone can do better in the whole model: the operators' prices (cover,
        # fairness) are the whole model's.
        for op in range(len(space.terms)):
            assert _cost(space, descended, free=op) == after


def test_descent_moves_shifts_to_the_hours_that_are_short():
    # Two operators who start their shifts at midnight, when nobody is needed; the line needs one from 09:00.
    space = ShiftSpace(staffing(*(need(day, 9, 8) for day in WEEK)),
                       [operator("a", free=WEEK), operator("b", free=WEEK)], rules())
    midnight = _at_hour(space, 0)
    start = [[midnight[day] for day in range(1, 6)], [midnight[day] for day in range(3, 8)]]
    assert shortfall(space, roster_from_starts(space, start)) == 7 * 8

    descended = descend(space, start, _deadline())

    assert shortfall(space, roster_from_starts(space, descended)) == 0
    assert _cost(space, descended) < _cost(space, start)


def test_a_narrow_turn_opens_the_cheapest_starts_and_those_near_the_current_ones(monkeypatch):
    monkeypatch.setattr(descent_module, "OPEN_STARTS_PER_DAY", 3)
    # Shifts at midnight Monday to Friday; the line needs one on Wednesday from 14:00, which 14:00 covers best,
    # 13:00 and 15:00 next.
    space = ShiftSpace(staffing(need(4, 14, 8)), [operator("a", free=WEEK)], rules())
    midnight = _at_hour(space, 0)
    current = frozenset(midnight[day] for day in range(1, 6))
    descent = descent_module._Descent(space, [sorted(current)], seed=1, workers=1)
    month = descent._month(0)

    closed = {var.index for var in month._closed(descent._prices(0, month.shifts), current)}

    wednesday = 3
    open_hours = {space.start_time(option.start).hour for option, var in month.shifts
                  if option.day == wednesday and var.index not in closed}
    # The three cheapest, and within the 2 hours' tolerance of the midnight starts around it.
    assert open_hours == {13, 14, 15, 22, 23, 0, 1, 2}


def test_descent_opens_every_start_before_it_stops(monkeypatch):
    # No start is opened for its price: a narrow turn may only keep the midnight shifts or move them by 2 hours,
    # which covers nothing the line needs from 14:00; a round with every start open finds the way there.
    monkeypatch.setattr(descent_module, "OPEN_STARTS_PER_DAY", 0)
    space = ShiftSpace(staffing(*(need(day, 14, 8) for day in WEEK)), [operator("a", free=WEEK)], rules())
    midnight = _at_hour(space, 0)
    start = [[midnight[day] for day in range(1, 6)]]

    descended = descend(space, start, _deadline())

    assert shortfall(space, roster_from_starts(space, descended)) < 7 * 8


def test_descent_keeps_few_operators_models_and_still_moves_shifts(monkeypatch):
    # A large centre's 400 models would not fit beside the whole model; the dropped ones are built again.
    monkeypatch.setattr(descent_module, "KEPT_MONTHS", 1)
    space = ShiftSpace(staffing(*(need(day, 9, 8) for day in WEEK)),
                       [operator(name, free=WEEK) for name in "abc"], rules())
    midnight = _at_hour(space, 0)
    start = [[midnight[day] for day in range(1, 6)]] * 3

    descent = descent_module._Descent(space, start, seed=1, workers=2)
    descent.run(_deadline(), lambda: False)

    assert len(descent.months) == 1
    assert shortfall(space, roster_from_starts(space, [sorted(s) for s in descent.starts])) == 0


def test_descent_mends_an_operator_whose_start_breaks_a_hard_rule():
    two_off = rules({"rules": {"min_consecutive_days_off": {"min_days": 2}}})
    space = ShiftSpace(staffing(*(need(day, 9, 8) for day in WEEK)), [operator("a", free=WEEK)], two_off)
    nine = _at_hour(space, 9)
    # Monday, Wednesday, Friday: single days off between shifts.
    start = [[nine[1], nine[3], nine[5]]]
    assert _broken_operators(space, start) == {"a"}

    descended = descend(space, start, _deadline())

    assert_valid(roster_from_starts(space, descended), space)


def test_descent_stops_when_asked():
    space = ShiftSpace(staffing(*(need(day, 9, 8) for day in WEEK)), [operator("a", free=WEEK)], rules())
    start = [[]]

    assert descend(space, start, _deadline(), should_stop=lambda: True) == start


def test_descent_shares_the_nights_with_last_months():
    # As test_fair_nights_counts_last_months_nights: a worked three nights in January, b three days and wished
    # the night off; starting from a on the night, the descent hands it to b.
    january = FEBRUARY.before
    past = tuple(Shift(op_id, start, start + timedelta(hours=8))
                 for op_id, hour in (("a", 22), ("b", 9))
                 for start in (datetime(2026, 1, day, hour, tzinfo=january.tz) for day in (27, 28, 29)))
    nights = ("22:00", "06:00")
    operators = [operator("a", free=[3], window=nights), operator("b", free=[3], window=nights, wished=[3])]
    space = ShiftSpace(staffing(need(3, 22, 8)), operators, rules({"rules": {"fair_nights": {"weight": 100}}}),
                       previous=Roster(january, past))
    night = _at_hour(space, 22)[2]

    descended = descend(space, [[night], []], _deadline())

    assert descended == [[], [night]]
    assert _cost(space, descended) < _cost(space, [[night], []])
