"""Tiny hand-built months for the roster tests: a few operators who are free on a few days, a requirement on a
few hours, and a solve of the full model that must prove optimality well inside a second.

Operators are made unavailable on every day but their free ones: unavailable working days leave the monthly
norm, so a handful of free days gives a handful of variables and a small norm that the test controls.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime

from hypothesis import strategies as st
from ortools.sat.python import cp_model

from planner.clock import parse_hhmm
from planner.config import Rules, parse_rules
from planner.coverage import coverage_rows, coverage_totals
from planner.domain import Forecast, Operator, Roster, StaffingPlan
from planner.month import Month
from planner.roster.model import build_model
from planner.roster.solve import roster_from_starts
from planner.roster.space import ShiftSpace
from planner.validate import Violation, format_violations, validate_roster

# February 2026 starts on a Sunday: the 2nd-6th are Monday-Friday, the 7th and 8th a weekend.
FEBRUARY = Month(2026, 2, "Europe/Moscow", "RU")
SEED = 1
SOLVE_SECONDS = 5
WEEK = range(2, 9)  # Monday 2 February to Sunday 8 February 2026


def rules(overrides: dict | None = None, *, loose_norm: bool = True) -> Rules:
    """The default rules with `overrides` merged in. A loose norm (any number of shifts from 0) keeps the
    monthly norm out of a test about another rule."""
    data: dict = {"rules": {"monthly_norm": {"tolerance_shifts": 31}}} if loose_norm else {}
    for section, values in (overrides or {}).items():
        merged = data.setdefault(section, {})
        for key, value in values.items():
            merged[key] = {**merged.get(key, {}), **value} if isinstance(value, dict) else value
    return parse_rules(data)


def operator(
    op_id: str,
    free: Iterable[int],
    *,
    rate: float = 1.0,
    window: tuple[str, str] = ("00:00", "24:00"),
    wished: Iterable[int] = (),
    month: Month = FEBRUARY,
) -> Operator:
    """An operator available only on the `free` days of the month (day numbers), wishing the `wished` ones off."""
    free_days = {month.days[d - 1] for d in free}
    return Operator(
        id=op_id,
        name=f"Operator {op_id}",
        rate=rate,
        earliest_start=parse_hhmm(window[0]),
        latest_end=parse_hhmm(window[1]),
        unavailable=frozenset(day for day in month.days if day not in free_days),
        days_off_wished=frozenset(month.days[d - 1] for d in wished),
    )


def need(day: int, hour: int, hours: int, operators: int = 1, month: Month = FEBRUARY) -> dict[int, int]:
    """`operators` required for `hours` real hours from `hour`:00 local time on `day` of the month."""
    first = month.hour_index(datetime(month.year, month.month, day, hour, tzinfo=month.tz))
    assert first is not None
    return {index: operators for index in range(first, first + hours)}


def staffing(*needs: dict[int, int], month: Month = FEBRUARY) -> StaffingPlan:
    """A plan requiring nobody except where `needs` say (needs of the same hour add up)."""
    required = [0] * len(month.hours)
    for hours in needs:
        for index, count in hours.items():
            required[index] += count
    count = len(month.hours)
    forecast = Forecast(month, calls=(0.0,) * count, aht_sec=(300.0,) * count)
    return StaffingPlan(forecast, tuple(required), tuple(required))


def solver(seconds: float = SOLVE_SECONDS) -> cp_model.CpSolver:
    cp = cp_model.CpSolver()
    cp.parameters.num_workers = 1
    cp.parameters.random_seed = SEED
    cp.parameters.max_time_in_seconds = seconds
    return cp


def solve_optimum(
    space: ShiftSpace, without: frozenset[str] = frozenset(), candidates: Callable[[int, int], bool] | None = None
) -> tuple[Roster, float]:
    """The optimal roster of the full model with the `without` rules switched off, and its objective."""
    roster_model = build_model(space, without=without, candidates=candidates)
    cp = solver()
    status = cp.solve(roster_model.model)
    assert status == cp_model.OPTIMAL, cp.status_name(status)
    starts = [
        [start for start, var in roster_model.operator_starts(op) if cp.boolean_value(var)]
        for op in range(len(space.terms))
    ]
    return roster_from_starts(space, starts), cp.objective_value


def solve_model(space: ShiftSpace, without: frozenset[str] = frozenset()) -> Roster:
    return solve_optimum(space, without)[0]


def violations(roster: Roster, space: ShiftSpace) -> list[Violation]:
    return validate_roster(roster, space.operators, space.rules, space.previous)


def assert_valid(roster: Roster, space: ShiftSpace) -> None:
    found = violations(roster, space)
    assert not found, format_violations(found)


def broken_rules(roster: Roster, space: ShiftSpace) -> set[str]:
    return {violation.rule for violation in violations(roster, space)}


def shortfall(space: ShiftSpace, roster: Roster) -> int:
    """Agent-hours below `required`, measured from the shifts alone."""
    return coverage_totals(coverage_rows(space.plan, roster, previous=space.previous)).under_coverage_agent_hours


def overstaffing(space: ShiftSpace, roster: Roster) -> int:
    return coverage_totals(coverage_rows(space.plan, roster, previous=space.previous)).over_coverage_agent_hours


def shift_counts(roster: Roster, space: ShiftSpace) -> dict[str, int]:
    """Shifts per operator, every operator of the space included (with 0 when they do not work)."""
    worked = roster.by_operator()
    return {op.id: len(worked.get(op.id, [])) for op in space.operators}


WINDOWS = [("00:00", "24:00"), ("09:00", "17:00"), ("22:00", "06:00"), ("13:00", "21:00")]


@st.composite
def tiny_months(draw) -> ShiftSpace:
    """1-3 operators free on some days of one week (default rules: the norm counts, and may be the centres'
    runs, weekends and successions), a few required blocks."""
    operators = [
        operator(
            f"op{i}",
            free=draw(st.sets(st.sampled_from(WEEK), min_size=1, max_size=4)),
            rate=draw(st.sampled_from([1.0, 0.5])),
            window=draw(st.sampled_from(WINDOWS)),
        )
        for i in range(draw(st.integers(1, 3)))
    ]
    blocks = st.tuples(st.sampled_from(WEEK), st.integers(0, 23), st.integers(1, 10), st.integers(1, 2))
    needs = [need(*block) for block in draw(st.lists(blocks, min_size=1, max_size=4))]
    centre = {
        "min_consecutive_days_off": {"min_days": draw(st.sampled_from([1, 2]))},
        "max_consecutive_days": {"max_days": draw(st.sampled_from([2, 6]))},
        "max_working_weekends": {"max_weekends": draw(st.sampled_from([None, 0, 1]))},
        "forbidden_successions": {"pairs": draw(st.sampled_from([[], [["night", "day"]]]))},
    }
    return ShiftSpace(staffing(*needs), operators, rules({"rules": centre}, loose_norm=False))
