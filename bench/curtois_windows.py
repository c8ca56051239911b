"""Large neighbourhoods for the Curtois & Qu instances: the planner's whole model re-solved over part of a roster.

Why: the descent of `bench.curtois_columns` ends where no employee alone can do better, and on the larger
instances that is far from the best known (12: 5,300-5,700 against 4,040), because what they need is shifts
trading places between employees on the same days. A neighbourhood frees some employee-days and re-solves them at
once, with every other shift fixed, on the planner's whole model (every hard rule by its `add_<rule>` function, the
cover and the requests as the benchmark scores them): whatever CP-SAT returns keeps every rule, and a roster is only
replaced by one its objective values no worse (ties are taken, so the roster can drift along a plateau).

When the roster is the column generation's LP rounding (no time for a dive, `bench.curtois_columns`), the first
neighbourhood frees every employee-day where it and the LP differ and has all the time left: measured on instance
12, 4,140-4,542 against 4,761 for a rough dive's roster with the windows, on 15 4,732-4,869 against 4,873.

Then two kinds take turns:
- a window: a few consecutive days of every employee (or of a random part of them when they are many);
- where the LP disagrees (as relaxation-induced neighbourhoods in MIP solvers do): a random part of the employee-days
  on which the column generation's LP solution and the roster differ by more than `DISAGREEMENT` on some shift
  type. The LP knows which schedules fit together; the roster keeps what the two agree on.

A neighbourhood's size is counted in free shift variables (employee-days × shift types). It adapts to the instance:
it grows while CP-SAT proves its neighbourhoods optimal within their limit and shrinks when it does not, since one
solved to the end is what finds the trades. A window holds every employee while that leaves at least `FEWEST_DAYS`
days.
"""

from __future__ import annotations

import math
import random
import time
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from ortools.sat.python import cp_model

from planner.roster.model import RosterModel

__all__ = ["Improved", "improve_by_windows"]

Cell = tuple[int, str]  # (day, shift type) worked
EmployeeDay = tuple[int, int]
# 5 days of instance 12's 60 employees and 10 shift types, which CP-SAT solved to optimality in about 0.7 s; the
# size then follows what CP-SAT proves on each instance (bench/README.md has the fixed sizes tried).
FIRST_WINDOW_VARIABLES = 3000
GROWTH, SHRINKAGE = 1.25, 0.7
# Fewer days leave the runs and weekend rules, which span days, almost no room to move.
FEWEST_DAYS = 3
# GLOP's solution carries rounding noise; a share this far from the roster's 0 or 1 is a real difference.
DISAGREEMENT = 0.1
# Long enough for a few thousand free variables to be proven, short enough for tens of neighbourhoods a minute.
WINDOW_SECONDS = 2.0
# Below this, a window is not started: it would be cut before CP-SAT's presolve of the whole model is done.
SHORTEST_WINDOW_SECONDS = 0.3


@dataclass(frozen=True)
class Improved:
    roster: dict[int, frozenset[Cell]]  # employee index -> schedule
    value: int  # the whole model's objective of that roster
    windows: int  # neighbourhoods solved
    gains: int  # neighbourhoods that lowered the objective
    optimal: bool  # proven: the roster meets the bound, or a neighbourhood was the whole instance


class _Windows:
    def __init__(self, roster_model: RosterModel, day_count: int, workers: int, seed: int,
                 parameters: Mapping[str, object]):
        self.roster_model = roster_model
        self.parameters = parameters
        self.shifts = roster_model.shifts
        self.day_count = day_count
        self.workers = workers
        self.random = random.Random(seed)
        self.shift_types = len({option.shift_type for op_shifts in self.shifts for option, _ in op_shifts})

    def window(self, variables: float) -> set[EmployeeDay]:
        """A window of about `variables` free shift variables, placed at random."""
        employees = len(self.shifts)
        days = int(min(self.day_count, max(FEWEST_DAYS, variables // (employees * self.shift_types))))
        chosen = int(max(1, min(employees, variables // (days * self.shift_types))))
        first = self.random.randrange(self.day_count - days + 1)
        return {(op, day) for op in self.random.sample(range(employees), chosen) for day in range(first, first + days)}

    def disagreement(self, roster: Mapping[int, frozenset[Cell]], lp_shares: Mapping[tuple[int, Cell], float],
                     variables: float) -> set[EmployeeDay]:
        """About `variables` free shift variables among the employee-days where the LP and the roster differ."""
        lp_days: dict[EmployeeDay, dict[str, float]] = {}
        for (op, (day, kind)), share in lp_shares.items():
            lp_days.setdefault((op, day), {})[kind] = share
        differing = []
        for op, cells in roster.items():
            worked = dict(cells)
            for day in range(self.day_count):
                lp = lp_days.get((op, day), {})
                if any(abs(lp.get(kind, 0.0) - (worked.get(day) == kind)) > DISAGREEMENT
                       for kind in {*lp, *([worked[day]] if day in worked else [])}):
                    differing.append((op, day))
        chosen = int(min(len(differing), max(1, variables // self.shift_types)))
        return set(self.random.sample(differing, chosen))

    def solve(self, roster: Mapping[int, frozenset[Cell]], free: set[EmployeeDay],
              seconds: float) -> tuple[bool, int, dict[int, frozenset[Cell]]] | None:
        """Whether it is proven the neighbourhood's best, its value and the best roster found that differs from
        `roster` only on the `free` employee-days; None when CP-SAT found none in time."""
        model = self.roster_model.model
        model.clear_hints()
        fixed = []
        for op, op_shifts in enumerate(self.shifts):
            for option, var in op_shifts:
                works = (option.day, option.shift_type) in roster[op]
                if (op, option.day) in free:
                    model.add_hint(var, works)
                else:
                    var.with_domain(cp_model.Domain(int(works), int(works)))
                    fixed.append(var)
        solver = cp_model.CpSolver()
        solver.parameters.max_time_in_seconds = seconds
        solver.parameters.num_workers = self.workers
        for name, value in self.parameters.items():
            setattr(solver.parameters, name, value)
        status = solver.solve(model)
        for var in fixed:
            var.with_domain(cp_model.Domain(0, 1))
        if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            return None
        return status == cp_model.OPTIMAL, round(solver.objective_value), {
            op: frozenset((option.day, option.shift_type) for option, var in op_shifts if solver.boolean_value(var))
            for op, op_shifts in enumerate(self.shifts)}


def improve_by_windows(roster_model: RosterModel, day_count: int, roster: Mapping[int, frozenset[Cell]],
                       deadline: float, workers: int, seed: int = 1, *, bound: int | None = None,
                       lp_shares: Mapping[tuple[int, Cell], float] = MappingProxyType({}), from_lp: bool = False,
                       parameters: Mapping[str, object] = MappingProxyType({})) -> Improved | None:
    """Neighbourhoods re-solved one after another from `roster`, which must keep every hard rule of `roster_model`,
    until `deadline` (time.monotonic()), the proven lower `bound` or a neighbourhood of the whole instance solved to
    optimality; windows of days take turns with the employee-days where the roster and the LP's `lp_shares` differ
    (`bench.curtois_columns.Outcome`; none without them). `from_lp`: the roster is the LP's rounding, so the first
    neighbourhood is every employee-day where the two differ, with the time left (the days the LP has decided are
    then fixed as it decided them). None when there was not time to value even the roster.
    `parameters`: further CP-SAT parameters by name."""
    windows = _Windows(roster_model, day_count, workers, seed, parameters)
    valued = windows.solve(roster, set(), max(SHORTEST_WINDOW_SECONDS, deadline - time.monotonic()))
    if valued is None:
        return None
    _, value, current = valued
    everything = len(roster) * day_count
    variables, solved, gains, optimal = float(FIRST_WINDOW_VARIABLES), 0, 0, bound is not None and value <= bound
    whole_disagreement = from_lp and bool(lp_shares)
    while not optimal and (left := deadline - time.monotonic()) >= SHORTEST_WINDOW_SECONDS:
        if whole_disagreement:
            free = windows.disagreement(current, lp_shares, math.inf)
        elif lp_shares and solved % 2:
            free = windows.disagreement(current, lp_shares, variables)
        else:
            free = set()
        free = free or windows.window(variables)
        found = windows.solve(current, free, left if whole_disagreement else min(WINDOW_SECONDS, left))
        solved += 1
        proven = found is not None and found[0]
        if not whole_disagreement:  # its size says nothing about the windows' own
            variables *= GROWTH if proven else SHRINKAGE
        whole_disagreement = False
        if found is not None and found[1] <= value:
            gains += found[1] < value
            _, value, current = found
            optimal = (bound is not None and value <= bound) or (proven and len(free) == everything)
    return Improved(current, value, solved, gains, optimal)
