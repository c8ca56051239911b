"""Greedy construction of a whole roster, day by day.

Two uses, one engine:
- with an `AggregatePlan`, it puts names on the aggregate's start counts (stage 2) and the result is handed to
  CP-SAT as a complete solution hint;
- without one, it is the benchmark's simple baseline: each operator, in order of urgency, takes the start that
  covers most still-uncovered required hours.
Either way every hard rule is respected while building; an operator who cannot reach the monthly minimum is
topped up at the end where rest and the consecutive-days limit allow.
"""

from __future__ import annotations

from collections.abc import Callable

from planner.roster.aggregate import AggregatePlan
from planner.roster.model import moved_beyond
from planner.roster.space import ShiftSpace

__all__ = ["greedy_roster"]

# With start_time_stability on, an hour a start moves beyond the tolerance weighs as much as one required hour
# the shift would cover. Measured on the 150-operator month of the centres' rules (seed 2026): the greedy roster
# moved 40 % of its starts and left 1,216 agent-hours short; with this 1.9 % and 1,576, and the whole solve
# (60 s, weight 10) ended 29 short with 15 % moves where it had ended 51 short with 26 %. The descent prices
# moves by the rule's weight; only the start comes out steadier.
MOVE_HOUR_COST = 1


def greedy_roster(
    space: ShiftSpace, allowed: Callable[[int, int], bool], plan: AggregatePlan | None = None
) -> list[list[int]]:
    """Start hour indices of every operator's shifts, in time order."""
    return _Builder(space, allowed).build(plan)


class _Builder:
    def __init__(self, space: ShiftSpace, allowed: Callable[[int, int], bool]):
        self.space = space
        rules = space.rules.rules
        self.rest = rules.rest_between_shifts.min_hours
        self.tolerance = rules.start_time_stability.tolerance_hours
        self.move_cost = MOVE_HOUR_COST if rules.start_time_stability.weight else 0
        # Per operator: an operator's own limits may be tighter than the centre's (OperatorLimits).
        self.limit = [limits.max_consecutive_days for limits in space.limits]
        self.max_per_type = rules.max_shifts_per_type.max_shifts
        self.successions = frozenset(rules.forbidden_successions.pairs) | rules.forward_rotation.backward_pairs
        self.max_working_weekends = [limits.max_working_weekends for limits in space.limits]
        self.weekend_of = {day: w for w, days in enumerate(space.weekends) for day in days}
        self.lengths = [terms.shift_hours for terms in space.terms]
        self.options = [
            [[start for start in day if allowed(op, start)] for day in space.starts_by_day]
            for op in range(len(space.terms))
        ]
        # The planner's kept shifts: taken on their day before anyone is ranked, and respected by earlier days'
        # choices so that the rest before them holds.
        self.kept_by_day: list[list[tuple[int, int]]] = [[] for _ in space.month.days]
        self.kept: list[list[int]] = [[] for _ in space.terms]
        for (op, d), start in sorted(space.locked.items()):
            if start is not None and allowed(op, start):
                self.kept_by_day[d].append((op, start))
                self.kept[op].append(start)
        self.targets = [
            min(max(round(terms.norm_hours / terms.shift_hours), terms.min_shifts), terms.max_shifts)
            for terms in space.terms
        ]
        self.need = list(space.required)
        self.shifts: list[list[int]] = [[] for _ in space.terms]
        # Last month's shifts: the rest after them, the run of days they end with, their types and weekly rest.
        self.history = [[(past.start, past.end) for past in limits.history] for limits in space.limits]
        self.rested_from = [max((end + self.rest for _, end in past), default=None) for past in self.history]
        self.last_type = [next((past.shift_type for past in limits.history if past.day == -1), None)
                          for limits in space.limits]
        self.last_months_clock = [next((past.clock_hour for past in limits.history if past.day == -1), None)
                                  for limits in space.limits]
        self.run = [self._run_before(limits) for limits in space.limits]
        self.min_off = [limits.min_consecutive_days_off for limits in space.limits]
        # The day each operator last worked (negative: last month's), None when nothing is known of it.
        self.last_worked = [max((past.day for past in limits.history), default=None) for limits in space.limits]
        self.weekly_rest = rules.weekly_rest
        self.max_nights = rules.max_consecutive_nights.max_nights
        self.past_days = [{past.day for past in limits.history} for limits in space.limits]
        self.past_nights = [{past.day for past in limits.history if past.night} for limits in space.limits]
        self._choose_free_weekends()
        days = len(space.month.days)
        # available_from[op][d]: days from d to the month's end on which the operator could start a shift
        self.available_from = []
        for op_options in self.options:
            suffix = [0] * (days + 1)
            for d in range(days - 1, -1, -1):
                suffix[d] = suffix[d + 1] + bool(op_options[d])
            self.available_from.append(suffix)

    def _choose_free_weekends(self) -> None:
        """With at most N of the month's weekends to work, an operator chosen day by day works the first N and
        every operator misses the last ones (measured on the sample month with three of four: 8 shifts on its
        last Saturday against some 110 on the others). So each operator's free weekends are set beforehand, in
        turn, so that every weekend loses about as many operators."""
        losses = [0] * len(self.space.weekends)
        day_of_hour = self.space.month.day_of_hour
        for op, most in enumerate(self.max_working_weekends):
            if most is None:
                continue
            open_weekends = [w for w, days in enumerate(self.space.weekends) if any(self.options[op][d] for d in days)]
            kept = {self.weekend_of.get(day_of_hour[start]) for start in self.kept[op]}
            free = sorted((w for w in open_weekends if w not in kept), key=lambda w: (losses[w], w))
            last = self.last_worked[op]
            off_before = -1 - last if last is not None else self.min_off[op]
            for w in free[:len(open_weekends) - most]:
                days = self.space.weekends[w]
                kept_options = [self.options[op][day] for day in days]
                for day in days:
                    self.options[op][day] = []
                if self.reachable(op, 0, self.run[op], off_before) < self.space.terms[op].min_shifts:
                    # This weekend is one the operator needs to reach the month's minimum: the day-by-day
                    # choice decides which ones they work.
                    for day, options in zip(days, kept_options, strict=True):
                        self.options[op][day] = options
                    break
                losses[w] += 1

    # --- state ---------------------------------------------------------------------------------------------

    @staticmethod
    def _run_before(limits) -> int:
        worked = {past.day for past in limits.history}
        run = 0
        while -(run + 1) in worked:
            run += 1
        return run

    def may_take(self, op: int, start: int) -> bool:
        """Whether `op` may work `start` after the shifts taken and around the kept ones: rest both ways, the
        shift-type rules and weekly rest."""
        shifts = self.shifts[op]
        span = self.lengths[op] + self.rest
        after_last = start >= shifts[-1] + span if shifts else self.after_last_month(op, start)
        before_kept = all(kept >= start + span or kept == start for kept in self.kept[op] if kept >= start)
        return after_last and before_kept and self.keeps_type_rules(op, start) and self.keeps_weekly_rest(op, start)

    def _nights_around(self, op: int, day: int) -> int:
        """The run of days with a night shift that one more on `day` would make."""
        nights = self.past_nights[op] | {option.day for other in self.shifts[op]
                                         if (option := self.space.option(op, other)).night} | {day}
        before = after = 0
        while day - before - 1 in nights:
            before += 1
        while day + after + 1 in nights:
            after += 1
        return before + after + 1

    def after_last_month(self, op: int, start: int) -> bool:
        rested = self.rested_from[op]
        return rested is None or start >= rested

    def keeps_weekly_rest(self, op: int, start: int) -> bool:
        """Whether the operator's shifts so far and one at `start` leave every week its rest (the days not yet
        built count as free, and each later shift is checked again as it is added)."""
        hours = self.weekly_rest.min_hours
        if hours == 0:
            return True
        end = start + self.lengths[op]
        busy = sorted([*self.history[op], *((s, s + self.lengths[op]) for s in self.shifts[op]), (start, end)])
        if self.weekly_rest.week == "rolling":
            return _longest_stretch(busy, hours, around=start) <= 7 * 24 - 2 * hours
        return all(_longest_rest(busy, begin, finish) >= hours
                   for begin, finish in self.space.weeks if begin < end and start < finish)

    def keeps_type_rules(self, op: int, start: int) -> bool:
        """Whether a shift at `start` keeps max_shifts_per_type, forbidden_successions, forward_rotation and
        max_working_weekends with the operator's shifts so far (the runs' minimums are left to CP-SAT)."""
        if not (self.max_per_type or self.successions or self.max_working_weekends[op] is not None
                or self.max_nights is not None):
            return True
        option = self.space.option(op, start)
        taken = [self.space.option(op, other) for other in self.shifts[op]]
        of_type = sum(other.shift_type == option.shift_type for other in taken)
        if of_type >= self.max_per_type.get(option.shift_type, len(taken) + 1):
            return False
        if option.day == 0 and (self.last_type[op], option.shift_type) in self.successions:
            return False
        if option.night and self.max_nights is not None and self._nights_around(op, option.day) > self.max_nights:
            return False
        for other in taken:
            if (other.day == option.day - 1 and (other.shift_type, option.shift_type) in self.successions) or (
                    other.day == option.day + 1 and (option.shift_type, other.shift_type) in self.successions):
                return False
        weekend, most = self.weekend_of.get(option.day), self.max_working_weekends[op]
        if most is None or weekend is None:
            return True
        worked = {self.weekend_of[other.day] for other in taken if other.day in self.weekend_of}
        return weekend in worked or len(worked) < most

    def start_move(self, op: int, d: int, start: int) -> int:
        """Hours beyond start_time_stability's tolerance that this start moves from yesterday's (last month's
        last day on the 1st), 0 after a day off."""
        if d == 0:
            before = self.last_months_clock[op]
        elif self.shifts[op] and self.space.month.day_of_hour[self.shifts[op][-1]] == d - 1:
            before = self.space.start_time(self.shifts[op][-1]).hour
        else:
            return 0
        return 0 if before is None else moved_beyond(before, self.space.start_time(start).hour, self.tolerance)

    def gain(self, op: int, start: int) -> int:
        return sum(self.need[h] > 0 for h in self.space.covered_hours(start, self.lengths[op]))

    def take(self, op: int, start: int) -> None:
        self.shifts[op].append(start)
        day = self.space.month.day_of_hour[start]
        last = self.last_worked[op]
        if last is None or day > last:
            self.last_worked[op] = day
        for hour in self.space.covered_hours(start, self.lengths[op]):
            self.need[hour] -= 1

    def off_too_short(self, op: int, d: int) -> bool:
        """Whether a shift on day `d` would end a run of days off shorter than min_consecutive_days_off."""
        last = self.last_worked[op]
        return last is not None and 0 < d - last - 1 < self.min_off[op]

    def must_work(self, op: int, d: int) -> bool:
        """Whether skipping today would leave too few days to reach the monthly minimum."""
        return self.space.terms[op].min_shifts - len(self.shifts[op]) > self.reachable_after(op, d)

    def reachable_after(self, op: int, d: int) -> int:
        """The most shifts the operator could work after day `d` if `d` is a day off."""
        last = self.last_worked[op]
        return self.reachable(op, d + 1, 0, d - last if last is not None else self.min_off[op])

    def reachable(self, op: int, first: int, run: int, off: int) -> int:
        """The most shifts the operator could work from day `first` on, after `run` working days or `off` days
        off: every available day the runs' and weekends' limits allow (the other rules, which only lower it,
        aside)."""
        day_of_hour, most_weekends = self.space.month.day_of_hour, self.max_working_weekends[op]
        weekends = {self.weekend_of[day] for start in self.shifts[op] if (day := day_of_hour[start]) in self.weekend_of}
        count = 0
        for day in range(first, len(self.options[op])):
            weekend = self.weekend_of.get(day)
            weekend_open = (weekend is None or most_weekends is None or weekend in weekends
                            or len(weekends) < most_weekends)
            if self.options[op][day] and run < self.limit[op] and (run or off >= self.min_off[op]) and weekend_open:
                count += 1
                run, off = run + 1, 0
                if weekend is not None:
                    weekends.add(weekend)
            else:
                run, off = 0, off + 1
        return count

    def urgency(self, op: int, d: int) -> tuple[bool, bool, float]:
        total = self.available_from[op][0] or 1
        elapsed = total - self.available_from[op][d + 1]
        behind = self.targets[op] * elapsed / total - len(self.shifts[op])
        wished_off = self.space.month.days[d] in self.space.terms[op].operator.days_off_wished
        return self.must_work(op, d), not wished_off, behind

    def eligible(self, d: int) -> list[int]:
        return [
            op
            for op in range(len(self.space.terms))
            if self.options[op][d]
            and self.run[op] < self.limit[op]
            and not self.off_too_short(op, d)
            and len(self.shifts[op]) < self.space.terms[op].max_shifts
            and any(self.may_take(op, start) for start in self.options[op][d])
        ]

    def best_start(self, op: int, d: int) -> int | None:
        candidates = [start for start in self.options[op][d] if self.may_take(op, start)]
        return max(candidates, key=lambda start: self.gain(op, start) - self.move_cost * self.start_move(op, d, start),
                   default=None)

    # --- construction --------------------------------------------------------------------------------------

    def build(self, plan: AggregatePlan | None) -> list[list[int]]:
        class_of = {}
        if plan is not None:
            class_of = {op: c for c, members in enumerate(plan.classes) for op in members}
        for d in range(len(self.space.month.days)):
            worked_before = [len(s) for s in self.shifts]
            for op, start in self.kept_by_day[d]:
                self.take(op, start)
            ranked = sorted((op for op in self.eligible(d) if (op, d) not in self.space.locked),
                            key=lambda op: self.urgency(op, d), reverse=True)
            if plan is None:
                self.follow_need(d, ranked)
            else:
                self.follow_plan(d, ranked, plan, class_of)
            for op, before in enumerate(worked_before):
                self.run[op] = self.run[op] + 1 if len(self.shifts[op]) > before else 0
        self.top_up()
        return self.shifts

    def follow_need(self, d: int, ranked: list[int]) -> None:
        for op in ranked:
            must, _, behind = self.urgency(op, d)
            start = self.best_start(op, d)
            if start is not None and (must or (behind > 0 and self.gain(op, start) > 0)):
                self.take(op, start)

    def follow_plan(self, d: int, ranked: list[int], plan: AggregatePlan, class_of: dict[int, int]) -> None:
        day_of_hour = self.space.month.day_of_hour
        for c in range(len(plan.classes)):
            slots = sorted(
                (start for (cc, start), n in plan.starts.items()
                 if cc == c and day_of_hour[start] == d for _ in range(n)),
                reverse=True,
            )
            pool = [op for op in ranked if class_of[op] == c]
            chosen, reserve = pool[: len(slots)], pool[len(slots) :]
            # Latest slots first, each to the chosen operator who finished latest yesterday: they are the ones
            # the rest rule lets take only late starts.
            for start in slots:
                fits = [op for op in chosen if start in self.options[op][d] and self.may_take(op, start)]
                if not fits:
                    fits = [op for op in reserve if start in self.options[op][d] and self.may_take(op, start)][:1]
                    if not fits:
                        continue
                    reserve.remove(fits[0])
                else:
                    fits.sort(key=lambda op: (self.start_move(op, d, start),
                                              -(self.shifts[op][-1] if self.shifts[op] else -1)))
                    chosen.remove(fits[0])
                self.take(fits[0], start)
            for op in chosen + reserve:
                if self.must_work(op, d):
                    best = self.best_start(op, d)
                    if best is not None:
                        self.take(op, best)

    def top_up(self) -> None:
        """Add shifts on free days for operators still below their monthly minimum, if the rules allow."""
        day_of_hour = self.space.month.day_of_hour
        for op, terms in enumerate(self.space.terms):
            while len(self.shifts[op]) < terms.min_shifts:
                worked = {day_of_hour[start] for start in self.shifts[op]} | self.past_days[op]
                options = [
                    start
                    for d, starts in enumerate(self.options[op])
                    if d not in worked and self._run_through(worked, d) <= self.limit[op]
                    and not self._splits_days_off(op, worked, d)
                    for start in starts
                    if self._fits_between(op, start)
                ]
                if not options:
                    break
                self.take(op, max(options, key=lambda start: self.gain(op, start)))
                self.shifts[op].sort()

    @staticmethod
    def _run_through(worked: set[int], d: int) -> int:
        before = after = 0
        while d - before - 1 in worked:
            before += 1
        while d + after + 1 in worked:
            after += 1
        return before + after + 1

    def _splits_days_off(self, op: int, worked: set[int], d: int) -> bool:
        """Whether a shift on day `d` would leave a run of days off shorter than min_consecutive_days_off on
        either side of it."""
        before = max((day for day in worked if day < d), default=None)
        after = min((day for day in worked if day > d), default=None)
        return any(0 < gap < self.min_off[op] for gap in (
            d - before - 1 if before is not None else 0, after - d - 1 if after is not None else 0))

    def _fits_between(self, op: int, start: int) -> bool:
        span = self.lengths[op] + self.rest
        return (all(abs(other - start) >= span for other in self.shifts[op]) and self.after_last_month(op, start)
                and self.keeps_type_rules(op, start) and self.keeps_weekly_rest(op, start))


def _longest_rest(busy: list[tuple[int, int]], begin: int, end: int) -> int:
    """The longest stretch of [begin, end) that no interval of `busy` (sorted) covers."""
    longest, cursor = 0, begin
    for start, finish in busy:
        if finish <= begin or start >= end:
            continue
        longest = max(longest, start - cursor)
        cursor = max(cursor, finish)
    return max(longest, end - cursor)


def _longest_stretch(busy: list[tuple[int, int]], rest: int, around: int) -> int:
    """How long the chain of `busy` intervals (sorted) holding `around` lasts, each following the one before by
    less than `rest`: what a rolling week must not let grow beyond a week less two rests."""
    chains: list[list[int]] = []
    for start, finish in busy:
        if chains and start - chains[-1][1] < rest:
            chains[-1][1] = max(chains[-1][1], finish)
        else:
            chains.append([start, finish])
    return next(finish - start for start, finish in chains if start <= around < finish)
