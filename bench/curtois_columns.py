"""Column generation around the planner's roster model, for the Curtois & Qu instances.

Why: every hard rule of these instances is a rule of one employee, and the employees meet only in the cover. The
compact model's LP relaxation is close to zero there (a fractional roster covers everything), so CP-SAT alone has
no bound to steer by and stalls 5-60 % above the best known values on the larger instances. With one column per
employee's whole schedule the LP is nearly exact (the published lower bounds come from it), and it tells the search
which schedules fit together.

- A column is one employee's schedule for the horizon and the cost of its unmet requests.
- Pricing: the planner's own model of that employee alone (`build_model` on `CurtoisSpace.alone`, every hard rule
  applied by its `add_<rule>` function), with the cover's dual prices on its shift variables. Every schedule CP-SAT
  meets on the way becomes a column too: a richer pool is what makes the dive and the final pick good.
- Master: an LP (GLOP) choosing a mix of columns per employee against the cover, under- and over-cover at their
  weights. While every pricing is solved to optimality, its Lagrangian bound is a proven lower bound.
- Dive: fix the most used column of the employees whose choice is clearest, price the others again, until every
  employee has one schedule; then CP-SAT picks the best combination of all columns met (price and branch).
- Descent: each employee in turn, in random order, takes the best schedule given everyone else's: the same pricing
  at what one more person is worth in each cell now (the under-cover weight where the others leave the cell short,
  minus the over-cover weight where they already fill it). That is exactly the whole model with the others fixed,
  so every step keeps the roster's value or lowers it; ties are taken, which lets the roster drift along a plateau.
  The pick's roster is a combination of schedules priced against the LP's averages; the descent fits each one to the
  others as they are.
- Where generation takes more than a third of the time or does not converge, a dive has too little time to re-price
  after its steps (with none left it ends by rounding everyone at once: on instance 12, 11,209 against an LP of
  4,040; with a little, 4,572-4,860 after the windows). Unless
  the instance is too large for it (`MOST_SHIFT_VARIABLES_ROUNDED`), the roster is then each employee's most used
  column, and `bench.curtois_windows` starts by re-solving every employee-day where it and the LP differ, with the
  days the LP has decided fixed (12: 4,140-4,542 in the time left against 4,761; 15: 4,732-4,869 against 4,873).
- Where pricing is too slow for generation to converge in the time (long horizons, many shift types), each
  employee gets the first schedule CP-SAT finds for it and the descent starts from there.

`bench.curtois.solve_instance` hands the result to `bench.curtois_windows` for the time left.
"""

from __future__ import annotations

import math
import random
import time
from collections import Counter
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from ortools.linear_solver import pywraplp
from ortools.sat.python import cp_model

from planner.roster.model import build_model
from planner.roster.space import CoverNeed

__all__ = ["Column", "ColumnSearch", "Outcome", "search"]

Cell = tuple[int, str]  # (day, shift type) worked
# Dual prices are fractions; the pricing objective is integral, so they are scaled. What the rounding can cost
# (0.5 / PRICE_SCALE per shift, in the schedule found and in any other) is taken off the bound.
PRICE_SCALE = 1000
# A column improves the LP when its reduced cost is below this (GLOP's duals carry rounding noise).
REDUCED_COST_EPSILON = 1e-6
# Pricing rounds after each dive step: the employees left adapt to the schedules just fixed.
PRICING_ROUNDS_PER_DIVE_STEP = 5
# Share of the time limit by which column generation gives way to the dive, the dive to the pick and the pick to
# the descent, even when they have not finished; the windows of `bench.curtois_windows` have the rest (the descent
# often stops early: a round that gains nothing ends it). The pick and the descent rarely need long: over five
# runs the pick gained 0-5 % on the dive's roster, and the descents ended on their own within 1-6 s, where the
# windows kept gaining until the limit (bench/README.md).
GENERATION_SHARE = 0.6
DIVE_SHARE = 0.7
PICK_SHARE = 0.72
DESCENT_SHARE = 0.8
# A dive re-prices after each step and needs about as many rounds as generation took to converge: it runs when the
# time left is at least this many times generation's (else the roster is the LP's rounding, module docstring). At 1,
# instance 12 (generation 27-35 s of 60) dived whenever generation was quick, and ended at 4,572-4,860 where the LP
# rounding's neighbourhood reached 4,140-4,342 with less time; the instances that dive to their target converge in
# 9-14 s.
DIVE_NEEDS = 2.0
# Above this, re-solving most of the instance at once from the LP's rounding gets nowhere in the time: on instance
# 13 (60,480 shift variables) it ended at 12,593 where a rough dive and the descent gave 6,703; 12 (16,800) and 15
# (11,340) gain from it (module docstring).
MOST_SHIFT_VARIABLES_ROUNDED = 20_000
# Without a dive (the first schedules, or an instance too large for re-solving the LP's rounding at once), every
# employee takes its most used column and the pick runs to this share.
NO_DIVE_PICK_SHARE = 0.65
LP_ROUNDING = "columns, LP rounding"
# Generation needs some tens of rounds of pricing to converge. When building and pricing the first few employees
# (within SAMPLE_SHARE) shows that fewer rounds than this fit in its share, it is skipped: each employee gets the
# first schedule CP-SAT finds (by DESCENT_SHARE at the latest: without one for everyone there is no roster), and
# the descent has the time left.
FEWEST_ROUNDS = 10
SAMPLE_SHARE = 0.05
# Weight of the best bound's prices in the smoothed ones (Wentges). Employee pricings to convergence at 0.5 / 0.3 / 0
# (unsmoothed), `generate` alone: instance 8 870 / 720 / 870, 11 750 / 650 / 500, 12 1,500 / 1,320 / 1,260, 14 960 /
# 832 / 768 (2026-12-08).
SMOOTHING = 0.3


@dataclass(frozen=True)
class Column:
    cells: frozenset[Cell]
    cost: int  # weights of the employee's requests this schedule does not grant

    def priced(self, prices: Mapping[Cell, float]) -> float:
        """The cost less the prices of the cells worked: what pricing minimises."""
        return self.cost - sum(prices.get(cell, 0.0) for cell in self.cells)


@dataclass(frozen=True)
class Outcome:
    roster: dict[int, frozenset[Cell]]  # employee index -> schedule; empty when some employee has none
    lower_bound: int | None  # proven: None when some pricing was not solved to optimality
    lp_value: float | None
    # (employee, cell) -> the share of the employee's schedules working that cell in the LP's solution at the end of
    # generation (cells at 0 left out); empty when generation did not run
    lp_shares: dict[tuple[int, Cell], float]
    columns: int
    # "columns, descent", LP_ROUNDING (no time left for a dive) or "first schedules, descent" (pricing too slow to
    # converge); "" without a roster
    how: str

    @property
    def from_lp(self) -> bool:
        """The roster is the LP's rounding, not a dive's: the windows should start by re-solving every
        employee-day where it and the LP differ."""
        return self.how == LP_ROUNDING


class _Pricer:
    """One employee's pricing problem: the planner's model of that employee alone, re-solved under new prices."""

    def __init__(self, space, op: int):
        self.model = build_model(space.alone(op))
        self.shifts = self.model.shifts[0]
        self.requests = PRICE_SCALE * self.model.penalty_total()
        self.last: frozenset[Cell] | None = None

    def price(self, prices: Mapping[Cell, float], time_limit: float, workers: int = 1, *,
              start: frozenset[Cell] | None = None, first: bool = False) -> tuple[list[Column], bool]:
        """Columns met while minimising cost minus the prices of the cells worked (the best last), and whether
        the last is proven the best. The search starts from `start` (else the last schedule found); `first` stops
        at the first schedule."""
        roster_model = self.model
        prices_of_cells = sum(-round(prices.get((option.day, option.shift_type), 0.0) * PRICE_SCALE) * var
                              for option, var in self.shifts)
        roster_model.model.minimize(self.requests + prices_of_cells)
        roster_model.model.clear_hints()
        start = self.last if start is None else start
        if start is not None:
            for option, var in self.shifts:
                roster_model.model.add_hint(var, (option.day, option.shift_type) in start)
        met: list[Column] = []
        shifts, penalties = self.shifts, roster_model.penalties

        class Collect(cp_model.CpSolverSolutionCallback):
            def on_solution_callback(self) -> None:
                met.append(Column(frozenset((option.day, option.shift_type) for option, var in shifts
                                            if self.boolean_value(var)),
                                  sum(penalty.weight * self.value(penalty.var) for penalty in penalties)))

        solver = cp_model.CpSolver()
        solver.parameters.max_time_in_seconds = max(0.01, time_limit)
        solver.parameters.num_workers = workers
        solver.parameters.stop_after_first_solution = first
        status = solver.solve(roster_model.model, Collect())
        if met:
            self.last = met[-1].cells
        return met, status == cp_model.OPTIMAL


class _Master:
    """The LP over the columns: one unit of schedule per employee, cover met up to under- and over-cover."""

    def __init__(self, employees: int, needs: Mapping[Cell, CoverNeed]):
        self.lp = pywraplp.Solver.CreateSolver("GLOP")
        self.objective = self.lp.Objective()
        self.one_schedule = [self.lp.Constraint(1, 1) for _ in range(employees)]
        self.cover = {}
        for cell, need in needs.items():
            row = self.lp.Constraint(need.requirement, need.requirement)
            under, over = self.lp.NumVar(0, self.lp.infinity(), ""), self.lp.NumVar(0, self.lp.infinity(), "")
            row.SetCoefficient(under, 1)
            row.SetCoefficient(over, -1)
            self.objective.SetCoefficient(under, need.weight_under)
            self.objective.SetCoefficient(over, need.weight_over)
            self.cover[cell] = row
        self.objective.SetMinimization()
        self.columns: list[list[tuple[Column, pywraplp.Variable]]] = [[] for _ in range(employees)]
        self._known: list[set[frozenset[Cell]]] = [set() for _ in range(employees)]

    def add(self, op: int, column: Column) -> bool:
        if column.cells in self._known[op]:
            return False
        self._known[op].add(column.cells)
        var = self.lp.NumVar(0, self.lp.infinity(), "")
        self.one_schedule[op].SetCoefficient(var, 1)
        for cell in column.cells:
            if cell in self.cover:
                self.cover[cell].SetCoefficient(var, 1)
        self.objective.SetCoefficient(var, column.cost)
        self.columns[op].append((column, var))
        return True

    def solve(self) -> tuple[float, dict[Cell, float], list[float]]:
        """The LP's value, the cover rows' duals and each employee's dual."""
        if self.lp.Solve() != pywraplp.Solver.OPTIMAL:
            raise RuntimeError("the master LP has no optimum although every employee has a column")
        return (self.objective.Value(), {cell: row.dual_value() for cell, row in self.cover.items()},
                [row.dual_value() for row in self.one_schedule])

    def cell_shares(self) -> dict[tuple[int, Cell], float]:
        """The LP's solution as (employee, cell) -> share of that employee's schedules working the cell."""
        self.solve()
        shares: dict[tuple[int, Cell], float] = {}
        for op, columns in enumerate(self.columns):
            for column, var in columns:
                if (value := var.solution_value()) > REDUCED_COST_EPSILON:
                    for cell in column.cells:
                        shares[op, cell] = shares.get((op, cell), 0.0) + value
        return shares

    def most_used(self, op: int) -> tuple[float, Column, pywraplp.Variable]:
        column, var = max(self.columns[op], key=lambda pair: pair[1].solution_value())
        return var.solution_value(), column, var

    def size(self) -> int:
        return sum(map(len, self.columns))


class ColumnSearch:
    """The search on one instance's `CurtoisSpace` (`bench.curtois`), within `deadline` (time.monotonic())."""

    def __init__(self, space, deadline: float, workers: int, seed: int = 1):
        self.space = space
        self.random = random.Random(seed)
        self.started = time.monotonic()
        self.deadline = deadline
        self.workers = workers
        self.needs = space.cover_needs
        self.employees = len(space.limits)
        self.master = _Master(self.employees, self.needs)
        self.lower_bound = -math.inf
        self._pricers: dict[int, _Pricer] = {}
        self.converged = False
        self.lp_shares: dict[tuple[int, Cell], float] = {}

    def at(self, share: float) -> float:
        return self.started + share * (self.deadline - self.started)

    def _price(self, ops: list[int], prices: Mapping[Cell, float], until: float,
               pool: ThreadPoolExecutor) -> list[tuple[list[Column], bool]]:
        # Each pricing gets what is left when it starts: the pool runs them a few at a time.
        return list(pool.map(lambda op: self._pricer(op).price(prices, max(0.05, until - time.monotonic())), ops))

    def _pricer(self, op: int) -> _Pricer:
        if op not in self._pricers:
            self._pricers[op] = _Pricer(self.space, op)
        return self._pricers[op]

    def _round(self, ops: list[int], duals: dict[Cell, float], own: list[float], prices: Mapping[Cell, float],
               until: float, pool: ThreadPoolExecutor) -> tuple[int, float | None]:
        """Price `ops` at `prices`; add every column met. Returns how many improve the LP at `duals` and the
        Lagrangian bound at `prices` (None unless every pricing was proven)."""
        improving, proven, bound = 0, True, sum(self.needs[cell].requirement * price for cell, price in prices.items())
        for op, (met, optimal) in zip(ops, self._price(ops, prices, until, pool)):
            proven = proven and optimal and bool(met)
            if met:
                best = met[-1]
                bound += best.priced(prices)
                bound -= (len(best.cells) + self.space.day_count) * 0.5 / PRICE_SCALE
                reduced = best.priced(duals) - own[op]
            for column in met:
                self.master.add(op, column)
            if met and reduced < -REDUCED_COST_EPSILON:
                improving += 1
        return improving, (bound if proven and len(ops) == self.employees else None)

    def generate(self, pool: ThreadPoolExecutor) -> float | None:
        """Column generation until the LP is optimal over all schedules or its share of the time is spent; the
        LP's last value, None when it did not run (some employee without a schedule, or pricing too slow).
        Prices are smoothed towards those of the best bound so far (Wentges), which needs fewer rounds; when the
        smoothed prices find nothing the LP's own are tried before stopping."""
        everyone = list(range(self.employees))
        # Start from two schedules per employee: one working all it may (cover is worth its under weight), one
        # granting every request. The master is then feasible, and the first duals mean something.
        greedy = {cell: float(need.weight_under) for cell, need in self.needs.items()}
        until = self.at(GENERATION_SHARE)
        sample = everyone[: 2 * self.workers]
        building = time.monotonic()
        for op in sample:
            self._pricer(op)
        pricing = time.monotonic()
        first = self._price(sample, greedy, self.at(SAMPLE_SHARE), pool)
        build_each = (pricing - building) / len(sample)
        price_each = (time.monotonic() - pricing) / len(sample)
        rest = everyone[len(sample):]
        slow = (not all(optimal for _, optimal in first)
                or time.monotonic() + len(rest) * build_each + self.employees * price_each * FEWEST_ROUNDS > until)
        for op, (met, _) in zip(sample, first):
            for column in met[-1:]:
                self.master.add(op, column)
        if slow:
            self._first_schedules(greedy)
            return None
        for ops, prices in ((rest, greedy), (everyone, {})):
            for op, (met, _) in zip(ops, self._price(ops, prices, until, pool)):
                for column in met[-1:]:
                    self.master.add(op, column)
        if not self.complete():  # some employee's pricing found nothing in its time
            self._first_schedules(greedy)
            return None
        center: dict[Cell, float] | None = None
        lp_value = None
        while time.monotonic() < until:
            lp_value, duals, own = self.master.solve()
            weight = SMOOTHING if center is not None else 0.0
            while True:
                prices = duals if weight == 0 else {cell: weight * center[cell] + (1 - weight) * dual
                                                    for cell, dual in duals.items()}
                improving, bound = self._round(everyone, duals, own, prices, until, pool)
                if bound is not None and bound > self.lower_bound:
                    self.lower_bound, center = bound, dict(prices)
                if improving or weight == 0:
                    break
                weight = 0.0
            if not improving:
                self.converged = True
                break
        self.lp_shares = self.master.cell_shares()
        return lp_value

    def dive(self, pool: ThreadPoolExecutor, until: float) -> dict[int, Column]:
        """Fix one schedule per employee: each step fixes the clearest choices (a column used at 0.99 or more,
        and at least the most used one; more per step when time runs short), then prices the others again."""
        fixed: dict[int, Column] = {}
        started, steps = time.monotonic(), 0
        while len(fixed) < self.employees:
            free = [op for op in range(self.employees) if op not in fixed]
            for _ in range(PRICING_ROUNDS_PER_DIVE_STEP):
                if time.monotonic() >= until:
                    break
                _, duals, own = self.master.solve()
                improving, _ = self._round(free, duals, own, duals, until, pool)
                if not improving:
                    break
            self.master.solve()  # the column values the choice reads
            choices = sorted(((*self.master.most_used(op), op) for op in free), key=lambda choice: -choice[0])
            step_seconds = (time.monotonic() - started) / steps if steps else 1.0
            steps_left = max(1.0, (until - time.monotonic()) / max(0.05, step_seconds))
            at_least = len(free) if time.monotonic() >= until else max(1, math.ceil(len(free) / steps_left))
            for rank, (value, column, var, op) in enumerate(choices):
                if rank < at_least or value >= 0.99:
                    fixed[op] = column
                    var.SetLb(1)
            steps += 1
        return fixed

    def pick(self, hint: Mapping[int, Column], until: float) -> dict[int, Column]:
        """CP-SAT's best choice of one column per employee among all met, hinted with the dive's."""
        model = cp_model.CpModel()
        chosen = [[model.new_bool_var("") for _ in self.master.columns[op]] for op in range(self.employees)]
        terms = []
        on_duty: dict[Cell, list] = {cell: [] for cell in self.needs}
        for op, choices in enumerate(chosen):
            model.add_exactly_one(choices)
            for (column, _), var in zip(self.master.columns[op], choices):
                model.add_hint(var, op in hint and column.cells == hint[op].cells)
                if column.cost:
                    terms.append(column.cost * var)
                for cell in column.cells:
                    if cell in on_duty:
                        on_duty[cell].append(var)
        for cell, need in self.needs.items():
            under = model.new_int_var(0, need.requirement, "")
            over = model.new_int_var(0, self.employees, "")
            model.add(sum(on_duty[cell]) + under - over == need.requirement)
            terms += [need.weight_under * under, need.weight_over * over]
        model.minimize(sum(terms))
        solver = cp_model.CpSolver()
        solver.parameters.max_time_in_seconds = max(0.1, until - time.monotonic())
        solver.parameters.num_workers = self.workers
        if solver.solve(model) not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            return dict(hint)
        return {op: column for op, choices in enumerate(chosen)
                for (column, _), var in zip(self.master.columns[op], choices) if solver.boolean_value(var)}

    def _first_schedules(self, greedy: Mapping[Cell, float]) -> None:
        """Too slow to converge: the first schedule CP-SAT finds for each employee still makes a roster that keeps
        every rule, for the descent to improve. All the workers on one employee at a time: on a half-year horizon
        one worker's search often finds none where two find one in a fraction of a second."""
        until = self.at(DESCENT_SHARE)
        # Each try gets an equal part of the time left; one that finds nothing is tried again with what the
        # others left over.
        while (missing := [op for op in range(self.employees) if not self.master.columns[op]]) \
                and time.monotonic() < until:
            for left, op in zip(range(len(missing), 0, -1), missing):
                met, _ = self._pricer(op).price(greedy, (until - time.monotonic()) / left, self.workers, first=True)
                for column in met[-1:]:
                    self.master.add(op, column)

    def descend(self, roster: dict[int, Column], until: float) -> dict[int, Column]:
        """Best response, employee by employee in random order, until `until` or a whole round without a gain
        (module docstring). Each pricing gets an equal part of the round's time left."""
        on_duty = Counter(cell for column in roster.values() for cell in column.cells)
        gained = True
        while gained and time.monotonic() < until:
            gained = False
            order = list(roster)
            self.random.shuffle(order)
            for left, op in zip(range(len(order), 0, -1), order):
                if time.monotonic() >= until:
                    break
                mine = roster[op]
                on_duty.subtract(mine.cells)
                prices = {cell: need.weight_under if on_duty[cell] < need.requirement else -need.weight_over
                          for cell, need in self.needs.items()}
                met, _ = self._pricer(op).price(prices, (until - time.monotonic()) / left, self.workers,
                                                start=mine.cells)
                best = min(met, key=lambda column: column.priced(prices), default=mine)
                if best.priced(prices) <= mine.priced(prices):
                    gained = gained or best.priced(prices) < mine.priced(prices)
                    roster[op] = best
                    self.master.add(op, best)
                on_duty.update(roster[op].cells)
        return roster

    def complete(self) -> bool:
        """Whether every employee has a schedule among the columns."""
        return all(self.master.columns)

    def rounding(self) -> dict[int, Column]:
        """Each employee's most used column in the LP's solution."""
        self.master.solve()
        return {op: self.master.most_used(op)[1] for op in range(self.employees)}

    def run(self) -> Outcome:
        with ThreadPoolExecutor(self.workers) as pool:
            lp_value = self.generate(pool)
            if not self.complete():
                return Outcome({}, None, None, {}, self.master.size(), "")
            generation_seconds = time.monotonic() - self.started
            dive_fits = self.converged and self.deadline - time.monotonic() >= DIVE_NEEDS * generation_seconds
            shift_variables = sum(len(self.space.options(op)) for op in range(self.employees))
            from_lp = lp_value is not None and not dive_fits and shift_variables <= MOST_SHIFT_VARIABLES_ROUNDED
            dived = self.dive(pool, self.at(DIVE_SHARE)) if dive_fits else None
        if from_lp:
            roster, how = self.rounding(), LP_ROUNDING
        else:
            start, pick_until = ((dived, self.at(PICK_SHARE)) if dived is not None
                                 else (self.rounding(), self.at(NO_DIVE_PICK_SHARE)))
            roster = self.descend(self.pick(start, pick_until), self.at(DESCENT_SHARE))
            how = "columns, descent" if lp_value is not None else "first schedules, descent"
        # Every term of the objective is a weight times a count: a generation far from converged proves less than 0.
        bound = None if self.lower_bound == -math.inf else max(0, math.ceil(self.lower_bound - 1e-6))
        return Outcome({op: column.cells for op, column in roster.items()}, bound, lp_value, self.lp_shares,
                       self.master.size(), how)


def search(space, deadline: float, workers: int, seed: int = 1) -> Outcome:
    return ColumnSearch(space, deadline, workers, seed).run()
