"""Solving a month: aggregate bound -> named greedy roster -> CP-SAT polishes it, reporting as it goes.

The plain model alone is slow to find good rosters on a month (MODELLING.md: 12 % shortfall after 60 s), so
the solve runs in three stages and the CP-SAT model starts from a complete, rule-abiding hint:
1. `solve_aggregate` — shift counts per operator class and hour; its optimum is a proven lower bound;
2. `greedy_roster` — names on those counts, every hard rule kept;
3. the full model (`build_model`) with that roster as hint, for the remaining time, with wishes and fairness.
A time-out or a stop returns the best roster found so far.
"""

from __future__ import annotations

import time
from datetime import UTC
from collections.abc import Callable
from dataclasses import asdict, dataclass, field

from ortools.sat.python import cp_model

from planner.config import Rules
from planner.domain import Operator, Roster, Shift, StaffingPlan
from planner.roster.aggregate import AggregatePlan, solve_aggregate
from planner.roster.greedy import greedy_roster
from planner.roster.model import RULES, RosterModel, availability_allows, build_model
from planner.roster.space import ShiftSpace

__all__ = ["Progress", "SolveReport", "SolveResult", "RosterInfeasible", "solve_roster", "roster_from_starts"]

HARD_RULES = ("availability", "rest_between_shifts", "max_consecutive_days", "monthly_norm")
# Share of the time limit the aggregate stage may use; it usually proves optimality in a fraction of that.
AGGREGATE_SHARE = 0.2


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
    shortfall_lower_bound: int
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


class RosterInfeasible(Exception):
    """No roster can satisfy the hard rules; `reasons` says, in plain words, who and which rules."""

    def __init__(self, reasons: list[str]):
        self.reasons = reasons
        super().__init__("No roster satisfies the hard rules:\n" + "\n".join(f"- {r}" for r in reasons))


class _ProgressPrinter(cp_model.CpSolverSolutionCallback):
    def __init__(self, started: float, on_progress: Callable[[Progress], None] | None,
                 should_stop: Callable[[], bool] | None, floor: float):
        super().__init__()
        self.started = started
        self.on_progress = on_progress
        self.should_stop = should_stop
        self.floor = floor

    def on_solution_callback(self) -> None:
        if self.on_progress:
            self.on_progress(
                Progress("roster", time.monotonic() - self.started, self.objective_value,
                         max(self.best_objective_bound, self.floor))
            )
        if self.should_stop and self.should_stop():
            self.stop_search()


def solve_roster(
    plan: StaffingPlan,
    operators: tuple[Operator, ...] | list[Operator],
    rules: Rules,
    *,
    time_limit: float | None = None,
    workers: int | None = None,
    on_progress: Callable[[Progress], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
) -> SolveResult:
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

    space = ShiftSpace(plan, operators, rules)
    allowed = availability_allows(space)
    aggregate = solve_aggregate(space, limit * AGGREGATE_SHARE, workers, seed)
    mark = lap("aggregate", started)

    hint = greedy_roster(space, allowed, aggregate)
    short_of_norm = [op for op, starts in enumerate(hint) if len(starts) < space.terms[op].min_shifts]
    reasons = [reason for op in short_of_norm if (reason := explain_operator(space, op))]
    if reasons:
        raise RosterInfeasible(reasons)
    mark = lap("greedy", mark)

    # Without an aggregate plan (none found in its share of a very short limit) the model keeps every start.
    candidates = _planned_starts(aggregate, hint) if aggregate else None
    floor = aggregate.objective_lower_bound if aggregate else 0.0
    roster_model = build_model(space, candidates=candidates)
    _add_complete_hint(roster_model, hint, workers)
    mark = lap("build", mark)

    solver = cp_model.CpSolver()
    solver.parameters.num_workers = workers
    solver.parameters.random_seed = seed
    solver.parameters.max_time_in_seconds = max(1.0, limit - (mark - started))
    callback = _ProgressPrinter(started, on_progress, should_stop, floor)
    status = solver.solve(roster_model.model, callback)
    lap("solve", mark)

    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        # Each operator's hard rules are independent of the others', so an impossible month is impossible for
        # someone in particular: find who.
        reasons = [r for op in range(len(space.terms)) if (r := explain_operator(space, op))]
        if reasons:
            raise RosterInfeasible(reasons)
        raise RuntimeError(f"the solver found no roster in {limit:.0f} s ({solver.status_name(status)}); "
                           "give it more time (--time-limit)")

    starts = [[start for start, var in roster_model.operator_starts(op) if solver.boolean_value(var)]
              for op in range(len(space.terms))]
    objective = solver.objective_value
    bound = max(solver.best_objective_bound, floor)
    roster = roster_from_starts(space, starts)
    return SolveResult(
        roster=roster,
        report=SolveReport(
            status="OPTIMAL" if status == cp_model.OPTIMAL or objective <= bound + 1e-9 else "FEASIBLE",
            objective=objective,
            best_bound=bound,
            gap=(objective - bound) / objective if objective > 0 else 0.0,
            wall_seconds=round(time.monotonic() - started, 3),
            shortfall_lower_bound=aggregate.shortfall_lower_bound if aggregate else 0,
            operators=len(space.terms),
            shifts=len(roster.shifts),
            workers=workers,
            time_limit_sec=limit,
            stage_seconds=stages,
            soft_rule_costs=_costs_by_rule(roster_model, solver),
            unmet_wishes=tuple(
                p.subject for p in roster_model.penalties if p.rule == "days_off_wished" and solver.value(p.var)
            ),
        ),
    )


def _planned_starts(aggregate: AggregatePlan, hint: list[list[int]]) -> Callable[[int, int], bool]:
    """Starts worth a variable: those the aggregate plan uses for the operator's class, and the operator's own
    hinted ones. The aggregate optimum lies inside this space, and the model shrinks several-fold (a full-time
    operator has 24 possible starts a day, the plan uses a handful), which is what makes a month solvable
    within a minute."""
    class_of = {op: c for c, members in enumerate(aggregate.classes) for op in members}
    used = {(c, start) for (c, start) in aggregate.starts}
    own = {(op, start) for op, starts in enumerate(hint) for start in starts}
    return lambda op, start: (class_of[op], start) in used or (op, start) in own


def _add_complete_hint(roster_model: RosterModel, hint: list[list[int]], workers: int) -> None:
    """Hint every variable, not just the starts: CP-SAT takes a complete feasible hint as its first solution, a
    partial one it may abandon. The auxiliary values (shortfall per hour, fairness spreads…) come from solving a
    copy of the model with the starts fixed, which presolve does almost entirely."""
    fixed = roster_model.model.clone()
    starts: list[tuple[cp_model.IntVar, bool]] = []
    for op, op_starts in enumerate(hint):
        chosen = set(op_starts)
        for start, var in roster_model.operator_starts(op):
            starts.append((var, start in chosen))
            fixed.add(fixed.get_bool_var_from_proto_index(var.index) == (start in chosen))
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = workers
    solver.parameters.max_time_in_seconds = 10
    if solver.solve(fixed) in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        for index in range(len(roster_model.model.proto.variables)):
            var = roster_model.model.get_int_var_from_proto_index(index)
            roster_model.model.add_hint(var, solver.value(fixed.get_int_var_from_proto_index(index)))
    else:
        for var, value in starts:
            roster_model.model.add_hint(var, value)


def _costs_by_rule(roster_model: RosterModel, solver: cp_model.CpSolver) -> dict[str, float]:
    costs: dict[str, float] = {}
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
    alone = ShiftSpace(space.plan, [space.terms[op].operator], space.rules)
    soft = frozenset(RULES) - set(HARD_RULES)
    if _feasible(alone, soft):
        return None
    culprits = [rule for rule in HARD_RULES if _feasible(alone, soft | {rule})]
    terms = alone.terms[0]
    operator = terms.operator
    free_days = sum(1 for day in space.month.days if day not in operator.unavailable)
    facts = (
        f"needs {terms.min_shifts}–{terms.max_shifts} shifts of {terms.shift_hours} h "
        f"(norm {terms.norm_hours:g} h), {free_days} days without an unavailable date, "
        f"window {operator.earliest_start // 60:02d}:{operator.earliest_start % 60:02d}–"
        f"{operator.latest_end // 60:02d}:{operator.latest_end % 60:02d}"
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
