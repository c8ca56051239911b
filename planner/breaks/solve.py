"""The month's breaks, day by day: each day's model (`planner.breaks.model`) hinted with the staggered placement
and solved with the breaks already placed held fixed, then the placed breaks written back into the roster."""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date

from ortools.sat.python import cp_model

from planner.breaks.model import BreakModel, build_break_model, hint_placement, team_break_cap
from planner.breaks.placements import staggered_offsets
from planner.breaks.slots import Clock, Job, Loads, break_jobs
from planner.config import Breaks, Rules
from planner.domain import Operator, Roster, StaffingPlan
from planner.errors import NoRoster

__all__ = ["BreakDay", "BreakResult", "BreaksInfeasible", "place_breaks"]


@dataclass(frozen=True)
class BreakDay:
    """How one day's breaks were placed."""

    day: date
    shifts: int
    status: str
    objective: float | None
    best_bound: float | None
    wall_seconds: float


@dataclass(frozen=True)
class BreakResult:
    roster: Roster
    days: tuple[BreakDay, ...]
    wall_seconds: float


class BreaksInfeasible(NoRoster):
    """The break rules cannot all hold on a day; the message says which day, rule and team."""


def place_breaks(
    plan: StaffingPlan,
    roster: Roster,
    operators: Sequence[Operator],
    rules: Rules,
    *,
    time_limit_per_day: float | None = None,
    workers: int | None = None,
    without: frozenset[str] = frozenset(),
    only_days: Iterable[date] | None = None,
    on_day: Callable[[BreakDay], None] | None = None,
) -> BreakResult:
    """The roster with every shift's breaks placed by the rules; existing breaks are replaced — or, with
    `only_days`, only those of shifts starting on these days and of shifts that have none (after a hand edit),
    the other breaks held where they are. `on_day` hears of each day as it is done.

    Raises BreaksInfeasible when a day's hard break rules cannot all hold (in practice only when a team's share
    on break is set so low that its members cannot all fit their breaks in). `without` drops rules by name, for
    tests that show each rule at work."""
    started = time.monotonic()
    settings = rules.breaks
    clock = Clock.of(plan, settings.grid_minutes)
    required = clock.required(plan)
    loads = Loads.of_shifts(roster, operators, clock)
    offsets: dict[int, list[int]] = {}
    days = []
    by_day: dict[date, list[Job]] = defaultdict(list)
    replanned = None if only_days is None else set(only_days)
    for job in break_jobs(roster, operators, settings, clock):
        shift = roster.shifts[job.index]
        if replanned is None or shift.day in replanned or not shift.breaks:
            by_day[shift.day].append(job)
        else:
            offsets[job.index] = [clock.slot(moment) - job.first_slot for moment in shift.breaks]
            for offset in offsets[job.index]:
                loads.take(job, offset)
    for day in sorted(by_day):
        jobs = by_day[day]
        placed, report = _solve_day(day, jobs, loads, required, rules, time_limit_per_day, workers, without)
        for job, job_offsets in zip(jobs, placed):
            offsets[job.index] = job_offsets
            for offset in job_offsets:
                loads.take(job, offset)
        days.append(report)
        if on_day:
            on_day(report)
    return BreakResult(_with_breaks(roster, offsets, clock), tuple(days), time.monotonic() - started)


def _solve_day(day: date, jobs: list[Job], loads: Loads, required: list[int], rules: Rules,
               time_limit: float | None, workers: int | None,
               without: frozenset[str]) -> tuple[list[list[int]], BreakDay]:
    started = time.monotonic()
    m = build_break_model(jobs, loads, required, rules.breaks, without)
    greedy = staggered_offsets(jobs, loads, required, rules.breaks)
    hint_placement(m, greedy)
    limit = time_limit or rules.breaks.time_limit_sec_per_day
    solver, status = _search(m, limit, workers, rules)
    # Out of time before CP-SAT's first solution (a busy machine): the staggered placement is the best so far,
    # provided it keeps the team rule, which it does unless teams are very short of room. When it does not, the
    # day gets one more search of the rules' own limit: a run out of time still gets its breaks.
    fallback = status == cp_model.UNKNOWN and _over_team_cap(jobs, greedy, loads, rules.breaks)
    if fallback and limit < rules.breaks.time_limit_sec_per_day:
        limit = rules.breaks.time_limit_sec_per_day
        solver, status = _search(m, limit, workers, rules)
    if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        placed = [sorted(offset for literals in breaks for offset, literal in literals.items()
                         if solver.boolean_value(literal)) for breaks in m.starts]
        report = BreakDay(day, len(jobs), solver.status_name(status), solver.objective_value,
                          solver.best_objective_bound, round(time.monotonic() - started, 3))
        return placed, report
    if status != cp_model.INFEASIBLE and not _over_team_cap(jobs, greedy, loads, rules.breaks):
        return greedy, BreakDay(day, len(jobs), "GREEDY", None, solver.best_objective_bound,
                                round(time.monotonic() - started, 3))
    raise BreaksInfeasible(_explain(day, jobs, rules, solver.status_name(status), limit))


def _search(m: BreakModel, seconds: float, workers: int | None,
            rules: Rules) -> tuple[cp_model.CpSolver, cp_model.CpSolverStatus]:
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = seconds
    solver.parameters.num_workers = workers or rules.solver.workers
    solver.parameters.random_seed = rules.solver.seed
    # Presolve takes a second or more on a busy day's model and gains little here; without it the complete hint
    # is the first solution at once and the whole limit goes to improving it (measured in bench/README.md).
    solver.parameters.cp_model_presolve = False
    return solver, solver.solve(m.model)


def _over_team_cap(jobs: list[Job], offsets: list[list[int]], loads: Loads, settings: Breaks) -> bool:
    share = settings.rules.team_on_break.max_share
    on_break: dict[tuple[str, int], int] = defaultdict(int)
    for job, job_offsets in zip(jobs, offsets):
        for offset in job_offsets:
            for slot in job.cover(offset):
                on_break[(job.team, slot)] += bool(job.team)
    return any(count + loads.team_on_break[team][slot] > team_break_cap(share, loads.team_on_shift[team][slot])
               for (team, slot), count in on_break.items() if team)


def _explain(day: date, jobs: list[Job], rules: Rules, status: str, seconds: float) -> str:
    share = rules.breaks.rules.team_on_break.max_share
    teams = sorted({job.team for job in jobs if job.team})
    if status == "INFEASIBLE" and teams:
        return (f"Breaks of {day}: the break rules cannot all hold. With team_on_break.max_share {share:g}, the "
                f"members of these teams on shift that day cannot all fit their breaks: {', '.join(teams)}. Raise "
                f"max_share, shorten break_window or break_gap, or stagger the team's shift starts.")
    return (f"Breaks of {day}: no placement found ({status}) within {seconds:g} s; raise "
            "breaks.time_limit_sec_per_day or give the run more time.")


def _with_breaks(roster: Roster, offsets: dict[int, list[int]], clock: Clock) -> Roster:
    tz = roster.month.tz
    shifts = []
    for index, shift in enumerate(roster.shifts):
        first = clock.slot(shift.start)
        breaks = tuple(clock.moment(first + offset, tz) for offset in offsets.get(index, ()))
        shifts.append(replace(shift, breaks=breaks))
    return replace(roster, shifts=tuple(shifts))
