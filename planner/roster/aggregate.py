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

from planner.roster.model import template_allows
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
    under_coverage_lower_bound: int  # no roster of these operators can be short by less
    objective_lower_bound: float  # shortfall + overstaffing terms, a bound on the full model's objective


def operator_classes(space: ShiftSpace) -> tuple[tuple[int, ...], ...]:
    groups: dict[tuple, list[int]] = defaultdict(list)
    for op, terms in enumerate(space.terms):
        templates = space.limits[op].template_starts
        key = (terms.shift_hours, terms.operator.earliest_start, terms.operator.latest_end,
               () if templates is None else tuple(sorted(templates)), terms.operator.weekly_hours)
        groups[key].append(op)
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
        by_type: dict[tuple[int, str], list[cp_model.IntVar]] = defaultdict(list)
        for d, day_starts in enumerate(space.starts_by_day):
            if not available[d]:
                continue
            for start in day_starts:
                if fits_window(*space.wall_minutes(start, length), *op.window_on(days[d])) and \
                        template_allows(space.limits[members[0]], space.option(members[0], start)):
                    var = model.new_int_var(0, available[d], f"starts_c{c}_h{start}")
                    counts[c, start] = var
                    per_day[d].append(var)
                    by_type[d, space.option(members[0], start).shift_type].append(var)
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

        _add_runs(model, space, members, per_day)
        _add_working_weekends(model, space, members, per_day)
        _add_successions(model, space, members, by_type)

        # monthly_norm: the class works between the sums of its members' bounds.
        total = [var for day in per_day for var in day]
        model.add_linear_constraint(
            sum(total),
            sum(space.terms[i].min_shifts for i in members),
            sum(space.terms[i].max_shifts for i in members),
        )

    shorts, overs = [], []
    for hour, need in enumerate(space.required):
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
        under_coverage_lower_bound=least_short if proven else short_bound,
        objective_lower_bound=objective_bound,
    )


# Each rule below holds for every member, so it holds for the class's counts: the aggregate stays a relaxation
# of the month and its optimum a bound for the rules that are on (without them, two days off together and three
# weekends of four left the bound at 0 against a shortfall of hundreds of agent-hours on the sample month).

def _add_runs(model: cp_model.CpModel, space: ShiftSpace, members: tuple[int, ...],
              per_day: list[list[cp_model.IntVar]]) -> None:
    """max_consecutive_days with min_consecutive_days_off: of any L + K days in a row an operator works at most
    L (L + 1 of them would leave either a run longer than L or a run of days off shorter than K inside). L is
    the loosest member's: an operator's own limit may only be tighter."""
    days = space.month.days
    limit = max(space.limits[i].max_consecutive_days for i in members)
    days_off = min(space.limits[i].min_consecutive_days_off for i in members)
    span = limit + days_off
    for first in range(len(days) - span + 1):
        window_days = range(first, first + span)
        cap = sum(
            min(limit, sum(days[d] not in space.terms[i].operator.unavailable for d in window_days))
            for i in members
        )
        model.add(sum(var for d in window_days for var in per_day[d]) <= cap)


def _add_working_weekends(model: cp_model.CpModel, space: ShiftSpace, members: tuple[int, ...],
                          per_day: list[list[cp_model.IntVar]]) -> None:
    """max_working_weekends: a weekend's busier day takes as many members working that weekend, and the class
    has the sum of its members' weekends to give."""
    limits = [space.limits[i].max_working_weekends for i in members]
    if all(most is None for most in limits):
        return
    weekends = space.weekends
    working = []
    for days in weekends:
        if not any(per_day[d] for d in days):
            continue
        worked = model.new_int_var(0, len(members), f"weekend_d{days[0]}")
        for d in days:
            model.add(sum(per_day[d]) <= worked)
        working.append(worked)
    model.add(sum(working) <= sum(len(weekends) if most is None else most for most in limits))


def _add_successions(model: cp_model.CpModel, space: ShiftSpace, members: tuple[int, ...],
                     by_type: dict[tuple[int, str], list[cp_model.IntVar]]) -> None:
    """forbidden_successions and forward_rotation: no member works `first` one day and `then` the next, so the
    two counts share the members."""
    for first, then in space.forbidden_successions | space.rules.rules.forward_rotation.backward_pairs:
        for d in range(space.day_count - 1):
            pair = by_type.get((d, first), []) + by_type.get((d + 1, then), [])
            if pair:
                model.add(sum(pair) <= len(members))
