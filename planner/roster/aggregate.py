"""Stage 1: how many shifts of each operator class start at each hour — no individuals yet.

Operators with the same shift length and daily window are interchangeable for coverage, so the month is first
solved as counts per class and start hour. Every constraint here is implied by the individual rules (a relaxation),
hence its optimum is a *proven lower bound* on the shortfall of any roster, and its start counts are the target
the greedy construction fills with names (see MODELLING.md: 0 shortfall in well under a second on a sample month).
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass

from ortools.sat.python import cp_model

from planner.roster.space import ShiftSpace, fits_window

__all__ = ["AggregatePlan", "operator_classes", "solve_aggregate"]

# Where the surplus hours go barely matters to the roster that follows (CP-SAT moves them anyway), so proving
# the least overstaffing is not worth more of the month's time limit than this.
OVERSTAFFING_SECONDS = 2.0


@dataclass(frozen=True)
class AggregatePlan:
    # (class index, start hour index) -> number of shifts starting then
    starts: dict[tuple[int, int], int]
    classes: tuple[tuple[int, ...], ...]  # operator indices per class
    status: str
    shortfall: int  # agent-hours short in the aggregate solution
    shortfall_lower_bound: int  # no roster of these operators can be short by less
    objective_lower_bound: float  # shortfall + overstaffing terms, a bound on the full model's objective


def operator_classes(space: ShiftSpace) -> tuple[tuple[int, ...], ...]:
    groups: dict[tuple[int, int, int], list[int]] = defaultdict(list)
    for op, terms in enumerate(space.terms):
        groups[terms.shift_hours, terms.operator.earliest_start, terms.operator.latest_end].append(op)
    return tuple(tuple(members) for _, members in sorted(groups.items()))


def solve_aggregate(space: ShiftSpace, time_limit: float, workers: int, seed: int) -> AggregatePlan | None:
    """The aggregate plan, or None when no solution was found in `time_limit` (tiny limits, one worker)."""
    rules = space.rules.rules
    classes = operator_classes(space)
    days = space.month.days
    model = cp_model.CpModel()
    counts: dict[tuple[int, int], cp_model.IntVar] = {}
    cover: list[list[cp_model.IntVar]] = [[] for _ in range(space.hour_count)]

    for c, members in enumerate(classes):
        representative = space.terms[members[0]]
        length = representative.shift_hours
        op = representative.operator
        available = [sum(days[d] not in space.terms[i].operator.unavailable for i in members) for d in range(len(days))]
        per_day: list[list[cp_model.IntVar]] = [[] for _ in days]
        for d, day_starts in enumerate(space.starts_by_day):
            if not available[d]:
                continue
            for start in day_starts:
                if fits_window(*space.wall_minutes(start, length), op.earliest_start, op.latest_end):
                    var = model.new_int_var(0, available[d], f"starts_c{c}_h{start}")
                    counts[c, start] = var
                    per_day[d].append(var)
                    for hour in space.covered_hours(start, length):
                        cover[hour].append(var)
            if per_day[d]:
                model.add(sum(per_day[d]) <= available[d])

        # rest_between_shifts: each operator has at most one start in any window of length + rest hours.
        class_starts = sorted((start, var) for (cc, start), var in counts.items() if cc == c)
        span = length + rules.rest_between_shifts.min_hours
        for i, (first, _) in enumerate(class_starts):
            window = [var for start, var in class_starts[i:] if start < first + span]
            if len(window) > 1:
                model.add(sum(window) <= len(members))

        # max_consecutive_days: each operator works at most max_days of any max_days + 1 days.
        limit = rules.max_consecutive_days.max_days
        for first in range(len(days) - limit):
            window_days = range(first, first + limit + 1)
            cap = sum(
                min(limit, sum(days[d] not in space.terms[i].operator.unavailable for d in window_days))
                for i in members
            )
            model.add(sum(var for d in window_days for var in per_day[d]) <= cap)

        # monthly_norm: the class works between the sums of its members' bounds.
        total = [var for day in per_day for var in day]
        model.add_linear_constraint(
            sum(total),
            sum(space.terms[i].min_shifts for i in members),
            sum(space.terms[i].max_shifts for i in members),
        )

    shorts, overs = [], []
    for hour, need in enumerate(space.plan.required):
        short = model.new_int_var(0, need, f"short_h{hour}")
        over = model.new_int_var(0, max(0, len(space.operators) - need), f"over_h{hour}")
        model.add(sum(cover[hour]) + short - over == need)
        shorts.append(short)
        overs.append(over)

    solver = cp_model.CpSolver()
    solver.parameters.num_workers = workers
    solver.parameters.random_seed = seed

    # Lexicographic: first the least shortfall (its bound is what a planner is promised), then overstaffing.
    model.minimize(sum(shorts))
    solver.parameters.max_time_in_seconds = time_limit / 2
    status = solver.solve(model)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None
    least_short = round(solver.objective_value)
    short_bound = math.ceil(solver.best_objective_bound - 1e-6)
    proven = status == cp_model.OPTIMAL

    best = {key: solver.value(var) for key, var in counts.items()}
    for var in list(counts.values()) + shorts + overs:
        model.add_hint(var, solver.value(var))
    model.add(sum(shorts) <= least_short)
    w_short, w_over = rules.shortfall.weight, rules.overstaffing.weight
    model.minimize(sum(overs))
    solver.parameters.max_time_in_seconds = min(time_limit / 2, OVERSTAFFING_SECONDS)
    second = solver.solve(model)
    over_bound = 0.0
    if second in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        best = {key: solver.value(var) for key, var in counts.items()}
        status, over_bound = second, solver.best_objective_bound
    objective_bound = (
        min(w_short * least_short + w_over * over_bound, w_short * (least_short + 1))
        if proven
        else w_short * short_bound
    )
    return AggregatePlan(
        starts={key: value for key, value in best.items() if value},
        classes=classes,
        status=solver.status_name(status),
        shortfall=least_short,
        shortfall_lower_bound=least_short if proven else short_bound,
        objective_lower_bound=objective_bound,
    )
