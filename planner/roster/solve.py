"""Solving a month: aggregate bound -> named greedy roster -> repair -> descent -> CP-SAT polishes it.

The plain model alone is slow to find good rosters on a month (MODELLING.md: 12 % shortfall after 60 s), so
the solve runs in stages and the CP-SAT model starts from a complete, rule-abiding hint:
1. `solve_aggregate` — shift counts per operator class and hour; its optimum is a proven lower bound;
2. `greedy_roster` — names on those counts;
3. `_repair` — each operator whose greedy month breaks a hard rule (runs of days off, working weekends) is
   planned again alone, so the start keeps every hard rule;
4. `descend` — each operator in turn takes their best month given the others', until the descent's share of
   the time is spent or a round gains nothing;
5. the full model (`build_model`) with that roster as hint, for the remaining time, with wishes and fairness.
A time-out or a stop returns the best roster found so far.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC

from ortools.sat.python import cp_model

from planner.clock import hhmm
from planner.config import HARD_RULES, Rules
from planner.coverage import coverage_rows, coverage_totals
from planner.domain import Operator, Roster, Shift, StaffingPlan
from planner.errors import NoRoster
from planner.roster.aggregate import AggregatePlan, solve_aggregate
from planner.roster.descent import descend
from planner.roster.greedy import greedy_roster
from planner.roster.model import RULES, RosterModel, build_model, starts_allowed
from planner.roster.space import Locks, ShiftSpace
from planner.validate import validate_roster

__all__ = [
    "Progress", "SolveReport", "SolveResult", "RosterInfeasible", "NoRosterInTime", "solve_roster",
    "roster_from_starts",
]

# Share of the time limit the aggregate stage may use; it usually proves optimality in a fraction of that.
AGGREGATE_SHARE = 0.2
# The time limit's share, from the start, by which the greedy roster's operators who break a hard rule (the greedy
# does not keep the runs' minimums) must have been re-planned one by one.
REPAIR_SHARE = 0.5
REPAIR_FLOOR_SECONDS = 0.05
# The descent runs until what is left of the limit is what the whole model needs: its build and the roster's
# evaluation on it (about 17-20 ms an operator on 2 cores, measured on months of 150 and 400 operators), a second
# of search and the read-out; but at least until this share of the limit. The whole model barely improves a month
# with the centres' rules (two days off together, working weekends, no day after a night: 1,141 agent-hours short
# of 18,695 after 10 s, 1,133 after 30 s; after the descent, 103 and 146 short before its search and after it, on
# two 150-operator months) where the descent takes it to 61 in 90 s; a descent that ends early, a round without a
# gain, leaves the rest of the limit to the whole model.
DESCENT_SHARE = 0.85
BUILD_SECONDS_PER_OPERATOR = 0.025
FINAL_SEARCH_SECONDS = 1.0
# Kept at the end for reading the solution out and the report, so the whole solve ends within its limit: CP-SAT
# overshoots its own limit by more on a large model (400 operators ended at 300.0 s of 300 with half a second).
READ_OUT_SECONDS, READ_OUT_SHARE = 0.5, 0.01
LAST_SEARCH_FLOOR_SECONDS = 0.05


@dataclass(frozen=True)
class Progress:
    stage: str
    wall_seconds: float
    objective: float | None = None
    best_bound: float | None = None


@dataclass(frozen=True)
class SolveReport:
    status: str
    objective: float | None
    best_bound: float | None
    gap: float | None
    wall_seconds: float
    under_coverage_lower_bound: int
    operators: int
    shifts: int
    workers: int
    time_limit_sec: float
    stage_seconds: dict[str, float] = field(default_factory=dict)
    soft_rule_costs: dict[str, float] = field(default_factory=dict)
    unmet_wishes: tuple[str, ...] = ()

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class SolveResult:
    roster: Roster
    report: SolveReport


class RosterInfeasible(NoRoster):
    """No roster can satisfy the hard rules; `reasons` says, in plain words, who and which rules."""

    def __init__(self, reasons: list[str]):
        self.reasons = reasons
        super().__init__("No roster satisfies the hard rules:\n" + "\n".join(f"- {r}" for r in reasons))


class NoRosterInTime(RosterInfeasible):
    """The time ran out before any roster keeping the hard rules was found (the greedy start does not keep the
    minimum runs of days, so with those rules CP-SAT must find the first roster itself)."""

    def __init__(self, limit: float, broken: list[str]):
        self.reasons = [f"no roster keeping {', '.join(broken)} was found within {limit:g} s; give the solver more "
                        f"time (solver.time_limit_sec) or relax those rules"]
        Exception.__init__(self, self.reasons[0])


class _SolutionWatcher(cp_model.CpSolverSolutionCallback):
    """Tells each better roster CP-SAT finds, with the bound so far, and stops the search when asked to."""

    def __init__(self, started: float, on_progress: Callable[[Progress], None] | None,
                 should_stop: Callable[[], bool] | None, floor: float, searches_all: bool):
        super().__init__()
        self.started = started
        self.on_progress = on_progress
        self.should_stop = should_stop
        self.floor = floor
        self.searches_all = searches_all

    def on_solution_callback(self) -> None:
        if self.on_progress:
            self.on_progress(
                Progress("roster", time.monotonic() - self.started, self.objective_value,
                         max(self.best_objective_bound, self.floor) if self.searches_all else self.floor)
            )
        if self.should_stop and self.should_stop():
            self.stop_search()


def solve_roster(
    plan: StaffingPlan,
    operators: Sequence[Operator],
    rules: Rules,
    *,
    time_limit: float | None = None,
    workers: int | None = None,
    on_progress: Callable[[Progress], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
    locks: Locks | None = None,
    previous: Roster | None = None,
    earlier: Sequence[Roster] = (),
) -> SolveResult:
    """The month's roster. `locks` keeps the planner's locked cells (a shift or a day off per operator and day)
    and re-solves the rest; `previous` is last month's roster, whose shifts the rules at the first day keep;
    `earlier` are the rosters of months before it, whose nights and weekends the fairness rules count (with last
    month's, as far back as their `months_back`).
    Raises RosterInfeasible, in plain words, when the hard rules (with the locks) leave no roster, and ValueError
    when a lock does not fit the month."""
    started = time.monotonic()
    limit = time_limit if time_limit is not None else rules.solver.time_limit_sec
    workers = workers or rules.solver.workers
    seed = rules.solver.seed
    stages: dict[str, float] = {}

    def lap(stage: str, since: float) -> float:
        now = time.monotonic()
        stages[stage] = round(now - since, 3)
        if on_progress:
            on_progress(Progress(stage, now - started))
        return now

    space = ShiftSpace(plan, operators, rules, locks, previous, earlier)
    allowed = starts_allowed(space)
    aggregate = solve_aggregate(space, limit * AGGREGATE_SHARE, workers, seed)
    mark = lap("aggregate", started)

    # On a busy machine the aggregate may stop far from its optimum, and names laid on a poor plan can come out
    # worse than the plain greedy roster; start from whichever of the two is short of fewer agent-hours.
    plans = (aggregate, None) if aggregate else (None,)
    hint = min((greedy_roster(space, allowed, plan) for plan in plans), key=lambda starts: _shortfall(space, starts))
    short_of_norm = [op for op, starts in enumerate(hint) if len(starts) < space.terms[op].min_shifts]
    reasons = [reason for op in short_of_norm if (reason := explain_operator(space, op))]
    if reasons:
        raise RosterInfeasible(reasons)
    mark = lap("greedy", mark)
    hint, unrepaired = _repair(space, hint, previous, started + limit * REPAIR_SHARE)
    mark = lap("repair", mark)
    read_out = max(READ_OUT_SECONDS, limit * READ_OUT_SHARE)
    whole_model = BUILD_SECONDS_PER_OPERATOR * len(space.terms) + FINAL_SEARCH_SECONDS + read_out
    hint = descend(space, hint, started + max(limit * DESCENT_SHARE, limit - whole_model), seed=seed,
                   workers=workers, should_stop=should_stop)
    mark = lap("descent", mark)

    # Without an aggregate plan (none found in its share of a very short limit) the model keeps every start; nor
    # does it narrow those of an operator whose start still breaks a hard rule (the planned starts may leave them
    # none that keeps it).
    candidates = None
    if aggregate:
        planned = _planned_starts(aggregate, hint, space)
        candidates = (lambda op, start: op in unrepaired or planned(op, start)) if unrepaired else planned
    floor = aggregate.objective_lower_bound if aggregate else 0.0
    # CP-SAT's bound holds for the model it searches. Narrowed to the planned starts, that model leaves rosters
    # out (one that overstaffs to even out nights, say), so only the aggregate's bound is proven for the month.
    searches_all = candidates is None
    roster_model = build_model(space, candidates=candidates)
    hinted = _add_complete_hint(roster_model, hint, workers, max(1.0, limit - (mark - started)) / 2)
    mark = lap("build", mark)

    # With the hint evaluated there is a roster to return whatever the search finds, so it keeps to what is left
    # of the limit even when the build took longer than its share (4.2 s of 3.75 on a busy machine took a
    # 150-operator solve to 60.2 s of 60); without one, the search must find the first roster itself.
    seconds = limit - (mark - started) - read_out
    solver, status = _search(roster_model, workers, seed,
                             max(LAST_SEARCH_FLOOR_SECONDS, seconds) if hinted is not None else max(1.0, seconds),
                             _SolutionWatcher(started, on_progress, should_stop, floor, searches_all))
    lap("solve", mark)
    found = solver if status in (cp_model.OPTIMAL, cp_model.FEASIBLE) else hinted
    if status == cp_model.INFEASIBLE:
        # Each operator's hard rules are independent of the others', so an impossible month is impossible for
        # someone in particular: find who.
        raise RosterInfeasible([r for op in range(len(space.terms)) if (r := explain_operator(space, op))]
                               or ["the hard rules conflict, though no single operator's rules do"])
    if found is None:
        # Out of time before even the greedy roster was evaluated on the model (a very busy machine or a tiny
        # limit): that roster is still the best one so far, if the independent validator finds it keeps the rules.
        roster = roster_from_starts(space, hint)
        broken = sorted({violation.rule for violation in validate_roster(roster, space.operators, rules, previous)})
        if broken:
            raise NoRosterInTime(limit, broken)
        return SolveResult(roster, _report("FEASIBLE", None, floor, aggregate, space, roster, workers, limit,
                                           started, stages, {}, ()))
    # When the search ran out of time before its first solution, the greedy roster evaluated on the same model
    # (`hinted`) is the best roster so far.
    starts = [[start for start, var in roster_model.operator_starts(op) if found.boolean_value(var)]
              for op in range(len(space.terms))]
    objective = found.objective_value
    solver_bound = solver.best_objective_bound if found is solver and searches_all else floor
    bound = min(objective, max(solver_bound, floor))
    roster = roster_from_starts(space, starts)
    proven = status == cp_model.OPTIMAL and searches_all
    status_name = "OPTIMAL" if proven or objective <= bound + 1e-9 else "FEASIBLE"
    unmet = tuple(p.subject for p in roster_model.penalties
                  if p.rule in ("days_off_wished", "shift_requests") and found.value(p.var))
    return SolveResult(roster, _report(status_name, objective, bound, aggregate, space, roster, workers, limit,
                                       started, stages, _costs_by_rule(roster_model, found), unmet))


def _repair(space: ShiftSpace, hint: list[list[int]], previous: Roster | None,
            deadline: float) -> tuple[list[list[int]], frozenset[int]]:
    """The greedy roster with each operator whose shifts break a hard rule planned again alone: that operator's
    whole model (every rule) against what the others leave uncovered, the first roster CP-SAT finds and what it
    improves in a moment. A start that keeps every hard rule gives CP-SAT a complete solution to begin from,
    which it rarely finds on its own once runs of days off bind. Operators left when the deadline comes, or whose
    model gave no roster in its moment, keep their greedy shifts and are returned as the second value."""
    roster = roster_from_starts(space, hint)
    broken = sorted({violation.operator_id for violation in validate_roster(roster, space.operators, space.rules,
                                                                            previous)})
    index = {terms.operator.id: op for op, terms in enumerate(space.terms)}
    repaired = [list(starts) for starts in hint]
    cover = [0] * space.hour_count
    for op, starts in enumerate(repaired):
        for start in starts:
            for hour in space.covered_hours(start, space.terms[op].shift_hours):
                cover[hour] += 1
    unrepaired = set()
    for position, op_id in enumerate(broken):
        if op_id not in index:
            continue
        op = index[op_id]
        seconds = (deadline - time.monotonic()) / (len(broken) - position)
        if seconds <= REPAIR_FLOOR_SECONDS:
            unrepaired.add(op)
            continue
        length = space.terms[op].shift_hours
        for start in repaired[op]:
            for hour in space.covered_hours(start, length):
                cover[hour] -= 1
        residual = tuple(max(0, need - have) for need, have in zip(space.required, cover, strict=True))
        alone = space.for_operator(op, replace(space.plan, required=residual))
        roster_model = build_model(alone)
        solver = cp_model.CpSolver()
        solver.parameters.num_workers = 1
        solver.parameters.max_time_in_seconds = min(1.0, seconds)
        if seconds < 0.5:
            # Short of time, the first roster that keeps the rules is what counts; without presolve CP-SAT finds
            # one of a month's operator in 0.02-0.17 s, with it in 0.2 to over 0.5 s (measured on the sample month
            # with two days off together and last month's shifts).
            solver.parameters.stop_after_first_solution = True
            solver.parameters.cp_model_presolve = False
        if solver.solve(roster_model.model) in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            repaired[op] = [start for start, var in roster_model.operator_starts(0) if solver.boolean_value(var)]
        else:
            unrepaired.add(op)
        for start in repaired[op]:
            for hour in space.covered_hours(start, length):
                cover[hour] += 1
    return repaired, frozenset(unrepaired)


def _search(roster_model: RosterModel, workers: int, seed: int, seconds: float,
            callback: _SolutionWatcher) -> tuple[cp_model.CpSolver, cp_model.CpSolverStatus]:
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = workers
    solver.parameters.random_seed = seed
    solver.parameters.max_time_in_seconds = seconds
    return solver, solver.solve(roster_model.model, callback)


def _shortfall(space: ShiftSpace, starts: list[list[int]]) -> int:
    rows = coverage_rows(space.plan, roster_from_starts(space, starts), previous=space.previous)
    return coverage_totals(rows).under_coverage_agent_hours


def _report(status: str, objective: float | None, bound: float, aggregate: AggregatePlan | None, space: ShiftSpace,
            roster: Roster, workers: int, limit: float, started: float, stages: dict[str, float],
            costs: dict[str, float], unmet: tuple[str, ...]) -> SolveReport:
    return SolveReport(
        status=status,
        objective=objective,
        best_bound=bound,
        gap=None if objective is None else (objective - bound) / objective if objective > 0 else 0.0,
        wall_seconds=round(time.monotonic() - started, 3),
        under_coverage_lower_bound=aggregate.under_coverage_lower_bound if aggregate else 0,
        operators=len(space.terms),
        shifts=len(roster.shifts),
        workers=workers,
        time_limit_sec=limit,
        stage_seconds=stages,
        soft_rule_costs=costs,
        unmet_wishes=unmet,
    )


def _planned_starts(aggregate: AggregatePlan, hint: list[list[int]], space: ShiftSpace) -> Callable[[int, int], bool]:
    """Starts worth a variable: those the aggregate plan uses for the operator's class, the operator's own hinted
    ones, and those of a shift type the operator asked to work that day (which the class's plan may not use). The
    aggregate optimum lies inside this space, and the model shrinks several-fold (a full-time operator has 24
    possible starts a day, the plan uses a handful), which is what makes a month solvable within a minute."""
    class_of = {op: c for c, members in enumerate(aggregate.classes) for op in members}
    used = {(c, start) for (c, start) in aggregate.starts}
    own = {(op, start) for op, starts in enumerate(hint) for start in starts}
    asked = {(op, request.day, request.shift_type) for op, limits in enumerate(space.limits)
             for request in limits.requests if request.work}

    def candidate(op: int, start: int) -> bool:
        if (class_of[op], start) in used or (op, start) in own:
            return True
        if not asked:
            return False
        option = space.option(op, start)
        return (op, option.day, option.shift_type) in asked

    return candidate


def _add_complete_hint(roster_model: RosterModel, hint: list[list[int]], workers: int,
                       time_limit: float) -> cp_model.CpSolver | None:
    """Hint every variable, not just the starts: CP-SAT takes a complete feasible hint as its first solution, a
    partial one it may abandon. The auxiliary values (shortfall per hour, fairness spreads…) come from solving a
    copy of the model with the starts fixed, which presolve does almost entirely. Returns that copy's solver —
    the hint as a full solution of the model — or None when it found none in time."""
    fixed = roster_model.model.clone()
    starts: list[tuple[cp_model.IntVar, bool]] = []
    for op, op_starts in enumerate(hint):
        chosen = set(op_starts)
        for start, var in roster_model.operator_starts(op):
            starts.append((var, start in chosen))
            fixed.add(fixed.get_bool_var_from_proto_index(var.index) == (start in chosen))
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = workers
    solver.parameters.max_time_in_seconds = time_limit
    if solver.solve(fixed) in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        for index in range(len(roster_model.model.proto.variables)):
            var = roster_model.model.get_int_var_from_proto_index(index)
            roster_model.model.add_hint(var, solver.value(fixed.get_int_var_from_proto_index(index)))
        return solver
    for var, value in starts:
        roster_model.model.add_hint(var, value)
    return None


def _costs_by_rule(roster_model: RosterModel, solver: cp_model.CpSolver) -> dict[str, float]:
    # Every soft rule is listed, at 0 when it cost nothing, so a reader never wonders whether one was applied.
    costs: dict[str, float] = {rule: 0 for rule in RULES if rule not in HARD_RULES}
    for penalty in roster_model.penalties:
        costs[penalty.rule] = costs.get(penalty.rule, 0) + penalty.weight * solver.value(penalty.var)
    return costs


def roster_from_starts(space: ShiftSpace, starts: list[list[int]]) -> Roster:
    shifts = [
        Shift(
            operator_id=space.terms[op].operator.id,
            start=space.start_time(start),
            end=space.end_time(start, space.terms[op].shift_hours),
        )
        for op, op_starts in enumerate(starts)
        for start in op_starts
    ]
    return Roster(space.month, tuple(sorted(shifts, key=lambda s: (s.start.astimezone(UTC), s.operator_id))))


def explain_operator(space: ShiftSpace, op: int) -> str | None:
    """Plain words on why one operator's hard rules cannot all hold, or None if they can."""
    alone = space.for_operator(op)
    soft = frozenset(RULES) - set(HARD_RULES)
    if _feasible(alone, soft):
        return None
    culprits = [rule for rule in HARD_RULES if _feasible(alone, soft | {rule})]
    terms = alone.terms[0]
    if alone.locks and _feasible(ShiftSpace(space.plan, [terms.operator], space.rules, previous=space.previous), soft):
        days = ", ".join(sorted(f"{day:%d.%m}" for _, day in alone.locks))
        culprits = [f"the locked cells ({days}) — unlock some", *culprits]
    operator = terms.operator
    free_days = sum(1 for day in space.month.days if day not in operator.unavailable)
    facts = (
        f"needs {terms.min_shifts}–{terms.max_shifts} shifts of {terms.shift_hours} h "
        f"(norm {terms.norm_hours:g} h), {free_days} days without an unavailable date, "
        f"window {hhmm(operator.earliest_start)}–{hhmm(operator.latest_end)}"
    )
    if culprits:
        rules = " or ".join(culprits)
        return f"{operator.id} ({operator.name}): {facts}; relaxing {rules} would make a roster possible"
    return f"{operator.id} ({operator.name}): {facts}; the rules {', '.join(HARD_RULES)} conflict together"


def _feasible(space: ShiftSpace, without: frozenset[str]) -> bool:
    roster_model = build_model(space, without=without)
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    solver.parameters.max_time_in_seconds = 5
    return solver.solve(roster_model.model) in (cp_model.OPTIMAL, cp_model.FEASIBLE)
