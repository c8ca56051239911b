"""Descent by operator: each operator in turn takes the best month given everyone else's (a best response).

Why: with the rules centres switch on (two days off together, working weekends, no day after a night, weekly
rest) the whole model's search barely moves from its start — on the sample month it took 996 agent-hours short
to 975 in 40 s — while one operator's month alone is small enough for CP-SAT to solve in a fraction of a second.

The operator's own model applies every hard rule and every per-operator soft rule (wishes, requests, stable
start times) through the same `add_<rule>` functions as the whole model. What the others do enters as a price on
each of the operator's shifts: for every hour it covers, the shortfall weight is earned where the others leave
the hour short and the overstaffing weight paid where they already fill it; `shift_type_cover` the same per day
and type. A fairness spread widens by as much as the operator's night (or weekend) load goes above the others'
most or below their least, and that is what the operator pays for it. That is the whole objective with the
others fixed, so a step is taken only when it lowers the roster's cost, and the roster keeps every hard rule
throughout. (Holding the loads between the others' least and most instead stalls a month whose operators all
start on nights: none may leave them alone.)

A turn is narrow: on each day only a few starts are open, the cheapest at the turn's prices, the operator's own
and those near them (`_OperatorMonth._closed`), which CP-SAT searches far better in the same time. When a narrow
round gains nothing a round with every start open follows, so the descent ends only where no operator alone can
do better.

Two operators are solved at a time (one CP-SAT worker each) against the same others; the second's new month is
priced again after the first's is in, and taken only if it still gains.
"""

from __future__ import annotations

import random
import time
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from functools import partial

from ortools.sat.python import cp_model

from planner.roster.model import RosterModel, availability_allows, build_model, can_take, moved_beyond
from planner.roster.space import ShiftOption, ShiftSpace

__all__ = ["descend"]

# Rules between operators: priced by the descent (cover, fairness) instead of modelled per operator.
SHARED_RULES = frozenset({"shortfall", "overstaffing", "shift_type_cover", "fair_nights", "fair_weekends"})
# Time for one best response: on the sample month with the centres' rules 13 of 30 operators' months are proven
# optimal within 0.5 s (28 within 2 s), yet more steps beat longer ones (see `_OperatorMonth._solver`). On the
# 150-operator months of the centres' rules the first round is what 45 s of descent mostly spends, and it ended
# 59 and 86 agent-hours short with 7.9 % and 8.3 % of starts moved at 0.25 s (seeds 2026, 2027), against 80 and
# 101 short with 12.5 % and 11.3 % at 0.5 s, and 304 and 223 short at 0.15 s.
SECONDS_PER_OPERATOR = 0.25
FLOOR_SECONDS = 0.02
# Operators' models kept between their turns (about 1.5 MiB each on a month of the centres' rules); the rest are
# built again when their turn comes (some 40 ms, a sixth of a turn). Keeping all 400 of a large centre's pushed
# its solve past 2 GiB, since the memory they held is not given back before the whole model is built.
KEPT_MONTHS = 150
# Starts a best response may choose from on each day besides the operator's current ones and those within the
# stability tolerance of them: the cheapest at the turn's prices. CP-SAT finds far better months in 0.25 s among
# these than among all 24: on 24 operators of a 150-operator month of the centres' rules, mid-descent, the month
# found was on median 19,316 above the best one found in 5 s with all starts open, and 3,802 with 4 open (2,252
# with 6, 4,629 with 8, 7,806 with 12); given 2 s, 6 open reached that best month for 14 of the 24.
OPEN_STARTS_PER_DAY = 4


@dataclass
class _Loads:
    """Each operator's count of shifts a fairness rule shares out, the months before (`past`, the ledger)
    included; None for those who cannot take any."""

    weight: int
    counts: Callable[[ShiftOption], bool]
    past: list[int]
    of: list[int | None]

    def others(self, op: int) -> tuple[int, int] | None:
        """The least and the most loaded of the other operators sharing the load; None when none does (or
        this operator does not)."""
        rest = [load for other, load in enumerate(self.of) if other != op and load is not None]
        return (min(rest), max(rest)) if rest and self.of[op] is not None else None

    def widening(self, load: int, others: tuple[int, int] | None) -> int:
        """What an operator with this load adds to the rule's cost beyond the others' spread."""
        if others is None:
            return 0
        least, most = others
        return self.weight * (max(0, load - most) + max(0, least - load))


class _OperatorMonth:
    """One operator's own model, built once and solved again under new prices."""

    def __init__(self, space: ShiftSpace, op: int, loads: list[_Loads]):
        self.tolerance = space.rules.rules.start_time_stability.tolerance_hours
        nobody_needed = replace(space.plan, required=(0,) * len(space.plan.required))
        self.roster_model: RosterModel = build_model(space.for_operator(op, nobody_needed), without=SHARED_RULES)
        self.shifts = self.roster_model.shifts[0]
        model = self.roster_model.model
        self.own_cost = self.roster_model.penalty_total()
        # Per fairness rule the others' least and most load, as variables whose domain each solve sets, and what
        # the operator's load goes beyond them.
        self.cap = space.day_count + max((max(load.past) for load in loads), default=0)
        self.spreads: list[tuple[cp_model.IntVar, cp_model.IntVar]] = []
        widening = []
        cap = self.cap
        for load in loads:
            least, most = model.new_int_var(0, cap, "others_least"), model.new_int_var(0, cap, "others_most")
            own = load.past[op] + sum(var for option, var in self.shifts if load.counts(option))
            above, below = model.new_int_var(0, cap, "above_most"), model.new_int_var(0, cap, "below_least")
            model.add(above >= own - most)
            model.add(below >= least - own)
            self.spreads.append((least, most))
            widening.append(load.weight * (above + below))
        self.widening = sum(widening)
        self.by_day: list[list[int]] = [[] for _ in range(space.day_count)]
        for at, (option, _) in enumerate(self.shifts):
            self.by_day[option.day].append(at)

    def _closed(self, prices: list[int], current: frozenset[int]) -> list[cp_model.IntVar]:
        """The shifts the best response leaves out: on each day all but the OPEN_STARTS_PER_DAY cheapest, the
        current one and those whose start is within the stability tolerance of a current start the day before,
        that day or the day after. The current month stays open, so the best response never ends worse than it."""
        clock = {option.day: option.clock_hour for option, _ in self.shifts
                 if option.start in current and option.clock_hour is not None}
        closed = []
        for day, shifts in enumerate(self.by_day):
            near = [clock[around] for around in (day - 1, day, day + 1) if around in clock]
            cheapest = set(sorted(shifts, key=prices.__getitem__)[:OPEN_STARTS_PER_DAY])
            for at in shifts:
                option, var = self.shifts[at]
                stays_open = (at in cheapest or option.start in current or option.clock_hour is None
                              or any(moved_beyond(hour, option.clock_hour, self.tolerance) == 0 for hour in near))
                if not stays_open:
                    closed.append(var)
        return closed

    def solve(self, prices: list[int], current: frozenset[int], others: list[tuple[int, int] | None],
              seconds: float, narrow: bool) -> tuple[frozenset[int], int, int | None] | None:
        """The best month at these prices (per shift, in the order of `shifts`) against the others' least and
        most loads (None: no fairness to keep), among the open starts when `narrow` (see `_closed`): (its starts,
        its cost, the current month's cost or None when it breaks a hard rule), or None when CP-SAT found neither
        in time."""
        model = self.roster_model.model
        for (least, most), bounds in zip(self.spreads, others, strict=True):
            low, high = bounds or (0, self.cap)  # nothing to widen: below 0 or above the cap is never reached
            least.with_domain(cp_model.Domain(low, low))
            most.with_domain(cp_model.Domain(high, high))
        model.minimize(self.own_cost + self.widening
                       + sum(price * var for price, (_, var) in zip(prices, self.shifts) if price))
        chosen = [(var, option.start in current) for option, var in self.shifts]
        model.clear_hints()
        for var, value in chosen:
            model.add_hint(var, value)
        # The current month's cost under these prices: the same model with its starts assumed, which CP-SAT
        # settles by propagation alone.
        model.add_assumptions([var if value else var.Not() for var, value in chosen])
        now = self._solver(seconds)
        status = now.solve(model)
        model.clear_assumptions()
        if status not in (cp_model.OPTIMAL, cp_model.INFEASIBLE):
            return None
        # A month that breaks a hard rule is mended with every start open: its own starts may not allow a mend.
        closed = self._closed(prices, current) if narrow and status == cp_model.OPTIMAL else []
        for var in closed:
            var.with_domain(cp_model.Domain(0, 0))
        best = self._solver(seconds)
        found = best.solve(model)
        for var in closed:
            var.with_domain(cp_model.Domain(0, 1))
        if found not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            return None
        starts = frozenset(option.start for option, var in self.shifts
                           if option.start is not None and best.boolean_value(var))
        return starts, round(best.objective_value), round(now.objective_value) if status == cp_model.OPTIMAL else None

    @staticmethod
    def _solver(seconds: float) -> cp_model.CpSolver:
        solver = cp_model.CpSolver()
        solver.parameters.num_workers = 1
        solver.parameters.max_time_in_seconds = max(FLOOR_SECONDS, seconds)
        # Many quick steps beat fewer exact ones: with presolve, which proves more operators' months optimal in
        # the same time, the sample month with the centres' rules ended 528-640 agent-hours short after 30 s of
        # descent against 213 without (0.5 s an operator either way; 0.25 s without: 218, 0.1 s: 766).
        solver.parameters.cp_model_presolve = False
        return solver


class _Descent:
    def __init__(self, space: ShiftSpace, starts: list[list[int]], seed: int, workers: int):
        self.space = space
        self.random = random.Random(seed)
        self.workers = workers
        self.starts = [frozenset(op_starts) for op_starts in starts]
        self.available = availability_allows(space)
        rules = space.rules.rules
        self.short_weight = rules.shortfall.weight
        self.over_weight = rules.overstaffing.weight
        self.cover = [0] * space.hour_count
        self.on_type: dict[tuple[int, str], int] = {}
        for op in range(len(self.starts)):
            self._count(op, +1)
        weekend_days = space.weekend_days
        self.loads = [
            _Loads(weight, counts, past, [self._load(op, counts, past[op]) for op in range(len(self.starts))])
            for weight, counts, past in (
                (rules.fair_nights.weight, lambda option: option.night,
                 [limits.past_nights for limits in space.limits]),
                (rules.fair_weekends.weight, lambda option: option.day in weekend_days,
                 [limits.past_weekends for limits in space.limits]))
            if weight
        ]
        self.months: OrderedDict[int, _OperatorMonth] = OrderedDict()

    def _option(self, op: int, start: int) -> ShiftOption:
        return self.space.option(op, start)

    def _load(self, op: int, counts: Callable[[ShiftOption], bool], past: int) -> int | None:
        if not can_take(self.space, self.available, op, counts):
            return None
        return past + sum(counts(self._option(op, start)) for start in self.starts[op])

    def _load_of(self, load: _Loads, op: int, starts: frozenset[int]) -> int:
        return load.past[op] + sum(load.counts(self._option(op, start)) for start in starts)

    def _count(self, op: int, sign: int) -> None:
        for start in self.starts[op]:
            option = self._option(op, start)
            for hour in option.hours:
                self.cover[hour] += sign
            key = (option.day, option.shift_type)
            self.on_type[key] = self.on_type.get(key, 0) + sign

    def _month(self, op: int) -> _OperatorMonth:
        """The operator's model, the least recently used one dropped when more than KEPT_MONTHS are kept."""
        if op in self.months:
            self.months.move_to_end(op)
        else:
            self.months[op] = _OperatorMonth(self.space, op, self.loads)
            if len(self.months) > KEPT_MONTHS:
                self.months.popitem(last=False)
        return self.months[op]

    def _prices(self, op: int, shifts: list[tuple[ShiftOption, cp_model.IntVar]]) -> list[int]:
        """What each of the operator's shifts changes in the shared terms, the operator's own shifts taken out."""
        required = self.space.required
        mine: set[int] = set()
        for start in self.starts[op]:
            mine.update(self._option(op, start).hours)
        own_types = {(option.day, option.shift_type) for option in map(partial(self._option, op), self.starts[op])}
        needs = self.space.cover_needs
        prices = []
        for option, _ in shifts:
            price = 0
            for hour in option.hours:
                others = self.cover[hour] - (hour in mine)
                price += -self.short_weight if others < required[hour] else self.over_weight
            need = needs.get((option.day, option.shift_type))
            if need is not None:
                cell = (option.day, option.shift_type)
                others = self.on_type.get(cell, 0) - (cell in own_types)
                price += -need.weight_under if others < need.requirement else need.weight_over
            prices.append(price)
        return prices

    def _others(self, op: int) -> list[tuple[int, int] | None]:
        return [load.others(op) for load in self.loads]

    def _widening(self, op: int, starts: frozenset[int], others: list[tuple[int, int] | None]) -> int:
        return sum(load.widening(self._load_of(load, op, starts), bounds)
                   for load, bounds in zip(self.loads, others, strict=True))

    def _gains(self, op: int, shifts: list[tuple[ShiftOption, cp_model.IntVar]], prices: list[int],
               others: list[tuple[int, int] | None], starts: frozenset[int], cost: int, current: int | None) -> bool:
        """Whether the month solved at `prices` and `others` (cost `cost`, against `current` for the operator's
        month then) still costs less now, after the other operator of its batch moved. Any month that keeps the
        hard rules gains on one that breaks them (`current` None: a start the repair could not mend)."""
        if starts == self.starts[op]:
            return False
        if current is None:
            return True
        then = {option.start: price for (option, _), price in zip(shifts, prices, strict=True)}
        now = {option.start: price for (option, _), price in zip(shifts, self._prices(op, shifts), strict=True)}
        others_now = self._others(op)

        def today(month: frozenset[int], cost_then: int) -> int:
            return (cost_then + sum(now[start] - then[start] for start in month)
                    + self._widening(op, month, others_now) - self._widening(op, month, others))

        return today(starts, cost) < today(self.starts[op], current)

    def _take(self, op: int, starts: frozenset[int]) -> None:
        self._count(op, -1)
        self.starts[op] = starts
        self._count(op, +1)
        for load in self.loads:
            if load.of[op] is not None:
                load.of[op] = self._load_of(load, op, starts)

    def run(self, deadline: float, should_stop: Callable[[], bool]) -> None:
        """Rounds over every operator in random order until the deadline, a stop or a round with every start open
        without a gain. Rounds are narrow (`_OperatorMonth._closed`) until one gains nothing; then every start is
        open until a round gains again, so the descent only ends where no operator alone can do better."""
        narrow = True
        with ThreadPoolExecutor(self.workers) as pool:
            while time.monotonic() < deadline:
                gained = self._round(pool, deadline, should_stop, narrow)
                if gained is None or not (gained or narrow):
                    return
                narrow = gained

    def _round(self, pool: ThreadPoolExecutor, deadline: float, should_stop: Callable[[], bool],
               narrow: bool) -> bool | None:
        """One round over every operator: whether any step was taken, or None when the deadline or a stop cut it."""
        gained = False
        order = list(range(len(self.starts)))
        self.random.shuffle(order)
        for at in range(0, len(order), self.workers):
            if time.monotonic() >= deadline or should_stop():
                return None
            batch = order[at:at + self.workers]
            seconds = min(SECONDS_PER_OPERATOR, (deadline - time.monotonic()) * self.workers / (len(order) - at))
            asked = [(op, month, self._prices(op, month.shifts), self._others(op))
                     for op, month in zip(batch, map(self._month, batch))]
            answers = pool.map(lambda job, seconds=seconds: job[1].solve(
                job[2], self.starts[job[0]], job[3], seconds, narrow), asked)
            # The next batch's models are built while this one solves (CP-SAT lets go of the GIL). In the first
            # round building took a third of the descent's time; on 2 cores it then shares them with the solves,
            # and 30 s took 150 operators' turns instead of 140.
            for op in order[at + self.workers:at + 2 * self.workers]:
                self._month(op)
            for (op, month, prices, others), answer in zip(asked, answers, strict=True):
                if answer is not None and self._gains(op, month.shifts, prices, others, *answer):
                    self._take(op, answer[0])
                    gained = True
        return gained


def descend(space: ShiftSpace, starts: list[list[int]], deadline: float, *, seed: int = 1, workers: int = 2,
            should_stop: Callable[[], bool] | None = None) -> list[list[int]]:
    """The roster `starts` improved by best responses until `deadline` (time.monotonic()), `should_stop` or a
    round over every operator without a gain: the new starts, in time order. An operator whose month in `starts`
    breaks a hard rule takes the first month found that keeps them."""
    descent = _Descent(space, starts, seed, workers)
    descent.run(deadline, should_stop or (lambda: False))
    return [sorted(op_starts) for op_starts in descent.starts]
