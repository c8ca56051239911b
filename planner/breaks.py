"""Breaks inside every shift, placed with CP-SAT so that the operators on the phones stay at `required`.

A break only moves load inside its own shift, so the month splits cleanly into days: the shifts starting on one
day are placed together, in date order, with the breaks already placed on the previous day (the night shifts
running past midnight) held fixed. One day is a few hundred 5-minute slots and about a hundred shifts, which CP-SAT
solves to optimality or close to it in a second or two; the whole month then takes well under a minute instead of
one model with every break of the month in it.

Every slot is measured in elapsed (UTC) time from the month's first local midnight, so a 23- or 25-hour day
needs no special case; shifts start on the hour, so the elapsed grid is also the wall-clock grid.

Rules (keys of `breaks` in constraints.yaml), one function each: `add_per_shift`, `add_break_window`,
`add_break_gap`, `add_team_on_break` (hard) and `add_on_phones_shortfall`, `add_worst_dip` (soft, weighted).
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta

from ortools.sat.python import cp_model

from planner.config import Breaks, Rules
from planner.domain import Operator, Roster, StaffingPlan
from planner.errors import NoRoster

__all__ = [
    "BreakDay",
    "BreakResult",
    "BreaksInfeasible",
    "SlotLoad",
    "place_breaks",
    "build_day_model",
    "BreakModel",
    "naive_breaks",
    "slot_loads",
    "worst_dip",
    "BreaksReport",
    "breaks_report",
    "team_break_cap",
    "BREAK_RULES",
]


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


def team_break_cap(share: float, on_shift: int) -> int:
    """Operators of one team who may be on break at once: the share of those on shift, rounded down, but never
    less than one, so a small team on a quiet night can still take its breaks."""
    return max(1, int(share * on_shift + 1e-9))


@dataclass(frozen=True)
class _Clock:
    """The month's grid of slots: slot 0 starts at the first local midnight; indices past the month's end are
    the mornings of night shifts that run into the next month."""

    start_utc: datetime
    grid: int
    month_slots: int

    @classmethod
    def of(cls, plan: StaffingPlan, grid: int) -> _Clock:
        return cls(plan.month.hours[0].astimezone(UTC), grid, len(plan.month.hours) * 60 // grid)

    def slot(self, moment: datetime) -> int:
        return int((moment.astimezone(UTC) - self.start_utc).total_seconds() // 60) // self.grid

    def moment(self, slot: int, tz) -> datetime:
        return (self.start_utc + timedelta(minutes=slot * self.grid)).astimezone(tz)

    def required(self, plan: StaffingPlan) -> list[int]:
        per_hour = 60 // self.grid
        return [plan.required[slot // per_hour] for slot in range(self.month_slots)]


@dataclass
class _Job:
    """The breaks of one shift, in slots counted from the shift's start."""

    index: int  # position in roster.shifts
    team: str
    first_slot: int
    slots: int
    count: int
    length: int
    after_start: int
    before_end: int
    gap: int

    @property
    def window(self) -> range:
        """Break starts allowed by break_window."""
        return range(self.after_start, self.slots - self.before_end - self.length + 1)

    def cover(self, offset: int) -> range:
        start = self.first_slot + offset
        return range(start, start + self.length)


def _jobs(roster: Roster, operators: Sequence[Operator], settings: Breaks, clock: _Clock) -> list[_Job]:
    teams = {op.id: op.team for op in operators}
    grid = settings.grid_minutes
    window, gap = settings.rules.break_window, settings.rules.break_gap
    jobs = []
    for index, shift in enumerate(roster.shifts):
        allowance = settings.allowance(shift.hours)
        if allowance is None or allowance.count == 0:
            continue
        jobs.append(
            _Job(
                index=index,
                team=teams.get(shift.operator_id, ""),
                first_slot=clock.slot(shift.start),
                slots=int(round(shift.hours * 60)) // grid,
                count=allowance.count,
                length=allowance.minutes // grid,
                after_start=window.after_start_minutes // grid,
                before_end=window.before_end_minutes // grid,
                gap=gap.min_minutes // grid,
            )
        )
    return jobs


class _Loads:
    """Per-slot counts over the month plus the nights running past it: on shift and on break, overall and by team."""

    def __init__(self, size: int):
        self.size = size
        self.on_shift = [0] * size
        self.on_break = [0] * size
        self.team_on_shift: dict[str, list[int]] = defaultdict(lambda: [0] * size)
        self.team_on_break: dict[str, list[int]] = defaultdict(lambda: [0] * size)

    @classmethod
    def of_shifts(cls, roster: Roster, operators: Sequence[Operator], clock: _Clock) -> _Loads:
        teams = {op.id: op.team for op in operators}
        last = max((clock.slot(shift.end) for shift in roster.shifts), default=0)
        loads = cls(max(clock.month_slots, last) + 1)
        for shift in roster.shifts:
            team = teams.get(shift.operator_id, "")
            for slot in range(max(0, clock.slot(shift.start)), clock.slot(shift.end)):
                loads.on_shift[slot] += 1
                if team:
                    loads.team_on_shift[team][slot] += 1
        return loads

    def take(self, job: _Job, offset: int) -> None:
        for slot in job.cover(offset):
            if 0 <= slot < self.size:
                self.on_break[slot] += 1
                if job.team:
                    self.team_on_break[job.team][slot] += 1


@dataclass
class BreakModel:
    """One day's CP-SAT model: `starts[k][j][offset]` is true when break j of job k starts `offset` slots into the
    shift. The rule functions below add to it; `objective_terms` collects the weighted soft terms."""

    jobs: list[_Job]
    loads: _Loads
    required: list[int]
    settings: Breaks
    model: cp_model.CpModel = field(default_factory=cp_model.CpModel)
    starts: list[list[dict[int, cp_model.IntVar]]] = field(default_factory=list)
    covering: dict[int, list[cp_model.IntVar]] = field(default_factory=lambda: defaultdict(list))
    team_covering: dict[tuple[str, int], list[cp_model.IntVar]] = field(default_factory=lambda: defaultdict(list))
    objective_terms: list = field(default_factory=list)
    shortfall_vars: dict[int, cp_model.IntVar] = field(default_factory=dict)
    dip: cp_model.IntVar | None = None
    shortfall_bound: int = 0

    def add_break_starts(self, offsets: Callable[[_Job], range]) -> None:
        """One literal per job, break and allowed start offset."""
        for k, job in enumerate(self.jobs):
            breaks = []
            for j in range(job.count):
                literals = {offset: self.model.new_bool_var(f"b{k}_{j}_{offset}") for offset in offsets(job)}
                for offset, literal in literals.items():
                    for slot in job.cover(offset):
                        self.covering[slot].append(literal)
                        if job.team:
                            self.team_covering[(job.team, slot)].append(literal)
                breaks.append(literals)
            self.starts.append(breaks)

    def start_expr(self, k: int, j: int):
        return sum(offset * literal for offset, literal in self.starts[k][j].items())

    def short_slots(self) -> list[int]:
        """Slots where this day's breaks could take on-phones below `required`; elsewhere the hall has more
        operators to spare than could possibly be on break, and the slot needs no variable at all."""
        return [slot for slot in self.covering if self.fixed_shortfall(slot) + len(self.covering[slot]) > 0]

    def fixed_shortfall(self, slot: int) -> int:
        required = self.required[slot] if slot < len(self.required) else 0
        return required - self.loads.on_shift[slot] + self.loads.on_break[slot]

    def shortfall(self, slot: int) -> cp_model.IntVar:
        """Operators below `required` in a slot, once this day's breaks are taken (0 when above)."""
        if slot not in self.shortfall_vars:
            fixed = self.fixed_shortfall(slot)
            bound = max(0, fixed + len(self.covering[slot]))
            variable = self.model.new_int_var(0, bound, f"short{slot}")
            self.model.add(variable >= fixed + sum(self.covering[slot]))
            self.shortfall_vars[slot] = variable
            self.shortfall_bound = max(self.shortfall_bound, bound)
        return self.shortfall_vars[slot]


def add_per_shift(m: BreakModel) -> None:
    """Each shift takes exactly the number of breaks its length gets (per_shift), each starting once."""
    for breaks in m.starts:
        for literals in breaks:
            m.model.add_exactly_one(literals.values())


def add_break_window(m: BreakModel) -> None:
    """No break in the first `after_start_minutes` or the last `before_end_minutes` of a shift: only starts
    inside the window get a literal at all, which keeps the day's model small."""
    m.add_break_starts(lambda job: job.window)


def add_break_gap(m: BreakModel) -> None:
    """Breaks of one shift in order, at least `min_minutes` from the end of one to the start of the next."""
    for k, job in enumerate(m.jobs):
        for j in range(job.count - 1):
            m.model.add(m.start_expr(k, j + 1) >= m.start_expr(k, j) + job.length + job.gap)


def add_team_on_break(m: BreakModel) -> None:
    """At most `max_share` of a team's operators on shift are on break at once (at least one may be)."""
    share = m.settings.rules.team_on_break.max_share
    for (team, slot), literals in m.team_covering.items():
        cap = team_break_cap(share, m.loads.team_on_shift[team][slot]) - m.loads.team_on_break[team][slot]
        m.model.add(sum(literals) <= cap)


def add_on_phones_shortfall(m: BreakModel) -> None:
    """Soft: every operator x slot that on-phones (on shift minus on break) falls below `required`."""
    weight = m.settings.rules.on_phones_shortfall.weight
    m.objective_terms += [weight * m.shortfall(slot) for slot in m.short_slots()]


def add_worst_dip(m: BreakModel) -> None:
    """Soft: the deepest dip of on-phones below `required` in any slot of the day, so that no single moment
    takes the whole shortfall."""
    shortfalls = [m.shortfall(slot) for slot in m.short_slots()]
    if not shortfalls:
        return
    m.dip = m.model.new_int_var(0, m.shortfall_bound, "worst_dip")
    for shortfall in shortfalls:
        m.model.add(m.dip >= shortfall)
    m.objective_terms.append(m.settings.rules.worst_dip.weight * m.dip)


# In this order: break_window creates the start literals the other rules constrain.
BREAK_RULES: dict[str, Callable[[BreakModel], None]] = {
    "break_window": add_break_window,
    "per_shift": add_per_shift,
    "break_gap": add_break_gap,
    "team_on_break": add_team_on_break,
    "on_phones_shortfall": add_on_phones_shortfall,
    "worst_dip": add_worst_dip,
}


def build_break_model(jobs: list[_Job], loads: _Loads, required: list[int], settings: Breaks,
                      without: frozenset[str] = frozenset()) -> BreakModel:
    """The day's model with every break rule except those named in `without` (tests drop one to see it bite)."""
    m = BreakModel(jobs, loads, required, settings)
    if "break_window" in without:
        m.add_break_starts(lambda job: range(0, job.slots - job.length + 1))
    for name, add_rule in BREAK_RULES.items():
        if name not in without:
            add_rule(m)
    m.model.minimize(sum(m.objective_terms))
    return m


def build_day_model(plan: StaffingPlan, roster: Roster, operators: Sequence[Operator], rules: Rules, day: date,
                    without: frozenset[str] = frozenset()) -> BreakModel:
    """The model of one day's breaks with no other day's breaks placed: for tests and for looking at a day."""
    clock = _Clock.of(plan, rules.breaks.grid_minutes)
    jobs = [job for job in _jobs(roster, operators, rules.breaks, clock) if roster.shifts[job.index].day == day]
    return build_break_model(jobs, _Loads.of_shifts(roster, operators, clock), clock.required(plan), rules.breaks,
                             without)


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
    clock = _Clock.of(plan, settings.grid_minutes)
    required = clock.required(plan)
    loads = _Loads.of_shifts(roster, operators, clock)
    offsets: dict[int, list[int]] = {}
    days = []
    by_day: dict[date, list[_Job]] = defaultdict(list)
    replanned = None if only_days is None else set(only_days)
    for job in _jobs(roster, operators, settings, clock):
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


def _solve_day(day: date, jobs: list[_Job], loads: _Loads, required: list[int], rules: Rules,
               time_limit: float | None, workers: int | None,
               without: frozenset[str]) -> tuple[list[list[int]], BreakDay]:
    started = time.monotonic()
    m = build_break_model(jobs, loads, required, rules.breaks, without)
    greedy = _staggered_offsets(jobs, loads, required, rules.breaks)
    _hint(m, greedy)
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


def _over_team_cap(jobs: list[_Job], offsets: list[list[int]], loads: _Loads, settings: Breaks) -> bool:
    share = settings.rules.team_on_break.max_share
    on_break: dict[tuple[str, int], int] = defaultdict(int)
    for job, job_offsets in zip(jobs, offsets):
        for offset in job_offsets:
            for slot in job.cover(offset):
                on_break[(job.team, slot)] += bool(job.team)
    return any(count + loads.team_on_break[team][slot] > team_break_cap(share, loads.team_on_shift[team][slot])
               for (team, slot), count in on_break.items() if team)


# Re-placing every shift's breaks against all the others a few times after the first pass settles most days
# close to CP-SAT's optimum, which then starts from there instead of from scratch.
STAGGER_PASSES = 3


def _staggered_offsets(jobs: list[_Job], loads: _Loads, required: list[int], settings: Breaks) -> list[list[int]]:
    """A quick placement used as the solver's complete hint: each break goes where the hall has the most
    operators to spare, within the window and the gap, leaving room for the breaks still to come; then each
    shift's breaks are taken out and put back at the best place given all the others. Team caps are respected
    where possible; CP-SAT repairs the rest."""
    share = settings.rules.team_on_break.max_share
    size = loads.size
    on_break = list(loads.on_break)
    team_on_break: dict[str, list[int]] = defaultdict(lambda: [0] * size)
    for team, counts in loads.team_on_break.items():
        team_on_break[team] = list(counts)

    def take(job: _Job, offsets: list[int], sign: int) -> None:
        for offset in offsets:
            for slot in job.cover(offset):
                if slot < size:
                    on_break[slot] += sign
                    team_on_break[job.team][slot] += sign

    def badness(job: _Job, offset: int) -> tuple[int, int, int]:
        slots = [slot for slot in job.cover(offset) if slot < size]
        team_breaks, team_shift = team_on_break[job.team], loads.team_on_shift[job.team]
        over_cap = sum(team_breaks[slot] + 1 > team_break_cap(share, team_shift[slot]) for slot in slots) \
            if job.team else 0
        spare = [loads.on_shift[slot] - on_break[slot] - (required[slot] if slot < len(required) else 0)
                 for slot in slots]
        return over_cap, -min(spare), -sum(spare)

    def best_offsets(job: _Job) -> list[int]:
        offsets: list[int] = []
        earliest = job.window.start
        for j in range(job.count):
            latest = job.window.stop - 1 - (job.count - 1 - j) * (job.length + job.gap)
            offsets.append(min(range(earliest, latest + 1), key=lambda offset: badness(job, offset)))
            take(job, offsets[-1:], +1)
            earliest = offsets[-1] + job.length + job.gap
        take(job, offsets, -1)
        return offsets

    order = sorted(range(len(jobs)), key=lambda k: jobs[k].first_slot)
    placed: dict[int, list[int]] = {}
    for _ in range(STAGGER_PASSES):
        for k in order:
            if k in placed:
                take(jobs[k], placed[k], -1)
            placed[k] = best_offsets(jobs[k])
            take(jobs[k], placed[k], +1)
    return [placed[k] for k in range(len(jobs))]


def _hint(m: BreakModel, offsets: list[list[int]]) -> None:
    """Hint every variable, so CP-SAT takes the placement as its first solution rather than searching for one."""
    breaks_in: dict[int, int] = defaultdict(int)
    for k, job_offsets in enumerate(offsets):
        for literals, offset in zip(m.starts[k], job_offsets):
            for candidate, literal in literals.items():
                m.model.add_hint(literal, candidate == offset)
            for slot in m.jobs[k].cover(offset):
                breaks_in[slot] += 1
    shortfalls = {slot: max(0, m.fixed_shortfall(slot) + breaks_in[slot]) for slot in m.shortfall_vars}
    for slot, variable in m.shortfall_vars.items():
        m.model.add_hint(variable, shortfalls[slot])
    if m.dip is not None:
        m.model.add_hint(m.dip, max(shortfalls.values(), default=0))


def _explain(day: date, jobs: list[_Job], rules: Rules, status: str, seconds: float) -> str:
    share = rules.breaks.rules.team_on_break.max_share
    teams = sorted({job.team for job in jobs if job.team})
    if status == "INFEASIBLE" and teams:
        return (f"Breaks of {day}: the break rules cannot all hold. With team_on_break.max_share {share:g}, the "
                f"members of these teams on shift that day cannot all fit their breaks: {', '.join(teams)}. Raise "
                f"max_share, shorten break_window or break_gap, or stagger the team's shift starts.")
    return (f"Breaks of {day}: no placement found ({status}) within {seconds:g} s; raise "
            "breaks.time_limit_sec_per_day or give the run more time.")


def _with_breaks(roster: Roster, offsets: dict[int, list[int]], clock: _Clock) -> Roster:
    tz = roster.month.tz
    shifts = []
    for index, shift in enumerate(roster.shifts):
        first = clock.slot(shift.start)
        breaks = tuple(clock.moment(first + offset, tz) for offset in offsets.get(index, ()))
        shifts.append(replace(shift, breaks=breaks))
    return replace(roster, shifts=tuple(shifts))


def naive_breaks(roster: Roster, rules: Rules) -> Roster:
    """The benchmark's baseline: every break at the earliest moment the rules allow, ignoring the hall."""
    settings = rules.breaks
    window, gap = settings.rules.break_window, settings.rules.break_gap
    shifts = []
    for shift in roster.shifts:
        allowance = settings.allowance(shift.hours)
        count = allowance.count if allowance else 0
        step = (allowance.minutes + gap.min_minutes) if allowance else 0
        breaks = tuple(
            (shift.start.astimezone(UTC) + timedelta(minutes=window.after_start_minutes + j * step))
            .astimezone(shift.start.tzinfo)
            for j in range(count)
        )
        shifts.append(replace(shift, breaks=breaks))
    return replace(roster, shifts=tuple(shifts))


@dataclass(frozen=True)
class SlotLoad:
    """One slot of the month: who is needed, on shift, on break and so on the phones."""

    start: datetime
    required: int
    scheduled: int
    on_break: int

    @property
    def on_phones(self) -> int:
        return self.scheduled - self.on_break

    @property
    def dip(self) -> int:
        """Operators on the phones below `required` (0 when at or above)."""
        return max(0, self.required - self.on_phones)


def slot_loads(plan: StaffingPlan, roster: Roster, rules: Rules) -> tuple[SlotLoad, ...]:
    """Every slot of the month at the breaks grid, measured from the roster's own breaks, whoever placed them."""
    settings = rules.breaks
    clock = _Clock.of(plan, settings.grid_minutes)
    loads = _Loads.of_shifts(roster, (), clock)
    for shift in roster.shifts:
        allowance = settings.allowance(shift.hours)
        length = (allowance.minutes if allowance else 0) // settings.grid_minutes
        for moment in shift.breaks:
            first = clock.slot(moment)
            for slot in range(max(0, first), min(first + length, loads.size)):
                loads.on_break[slot] += 1
    required = clock.required(plan)
    tz = plan.month.tz
    return tuple(
        SlotLoad(clock.moment(slot, tz), required[slot], loads.on_shift[slot], loads.on_break[slot])
        for slot in range(clock.month_slots)
    )


def worst_dip(loads: Sequence[SlotLoad]) -> int:
    """The deepest shortfall of on-phones below `required` in any slot."""
    return max((load.dip for load in loads), default=0)


@dataclass(frozen=True)
class BreaksReport:
    """What summary.json says about the breaks: the deepest 5-minute dip below `required`, against placing every
    break at its earliest moment, and how each day's solve ended."""

    wall_seconds: float
    worst_dip: int
    naive_worst_dip: int
    dip_operator_minutes: int
    naive_dip_operator_minutes: int
    days: int
    days_optimal: int


def breaks_report(plan: StaffingPlan, result: BreakResult, rules: Rules) -> BreaksReport:
    placed = slot_loads(plan, result.roster, rules)
    naive = slot_loads(plan, naive_breaks(result.roster, rules), rules)
    statuses = [day.status for day in result.days]
    return BreaksReport(
        wall_seconds=round(result.wall_seconds, 3),
        worst_dip=worst_dip(placed),
        naive_worst_dip=worst_dip(naive),
        dip_operator_minutes=sum(load.dip for load in placed) * rules.breaks.grid_minutes,
        naive_dip_operator_minutes=sum(load.dip for load in naive) * rules.breaks.grid_minutes,
        days=len(statuses),
        days_optimal=statuses.count("OPTIMAL"),
    )
