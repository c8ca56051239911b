"""The hard rules of the roster model: each `add_<rule>` adds the constraints of its key under `rules:` in
constraints.yaml (`availability` excepted: it shapes the variables, see `planner.roster.model`).

Runs of days and days off are cut by the horizon's edges; a run touching an edge is never too short, since the
periods around it go on.
"""

from __future__ import annotations

import bisect
from typing import TYPE_CHECKING

from ortools.sat.python import cp_model

from planner.roster.space import OperatorLimits, ShiftOption

if TYPE_CHECKING:  # only as types: planner.roster.model imports this module for its RULES
    from planner.roster.model import RosterModel, Var


def add_rest_between_shifts(m: RosterModel) -> None:
    """Rule `rest_between_shifts`: from the end of a shift to the start of the next at least min_hours.

    Shifts of one operator all have the contract's length, so "at most one start in every window of length +
    rest hours" says it: the tight clique form, added only for windows reaching into a second day (the shifts of
    one day are already at most one). Options without a clock time have no rest to keep.
    """
    rest = m.rules.rules.rest_between_shifts.min_hours
    for op in range(len(m.shifts)):
        timed = sorted(((option.start, option, var) for option, var in m.shifts[op] if option.start is not None),
                       key=lambda shift: shift[0])
        begins = [start for start, _, _ in timed]
        for i, (start, first, _) in enumerate(timed):
            span = -(-first.minutes // 60) + rest
            window = timed[i:bisect.bisect_left(begins, start + span)]
            if len(window) > 1 and window[-1][1].day != first.day:
                m.model.add_at_most_one(var for _, _, var in window)
        # Last month's shifts: nothing starts before the rest after the last of them is over.
        history = m.space.limits[op].history
        if history:
            rested_from = max(past.end for past in history) + rest
            for start, _, var in timed:
                if start < rested_from:
                    m.model.add(var == 0)


def add_max_consecutive_days(m: RosterModel) -> None:
    """Rule `max_consecutive_days`: in every run of max_days + 1 days at least one is free."""
    for op, limits in enumerate(m.space.limits):
        limit = limits.max_consecutive_days
        per_day = m.day_shifts(op)
        # Windows reaching back into last month count its worked days as they were.
        for first in range(-min(limit, limits.history_days), len(per_day) - limit):
            window = [var for day in per_day[max(first, 0) : first + limit + 1] for var in day]
            before = sum(m.worked_last_month(op, day) for day in range(first, min(first + limit + 1, 0)))
            if len(window) + before > limit:
                m.model.add(sum(window) <= limit - before)


def add_max_consecutive_nights(m: RosterModel) -> None:
    """Rule `max_consecutive_nights`: in every run of max_nights + 1 days at most max_nights with a night shift,
    last month's nights counted where they are known."""
    limit = m.rules.rules.max_consecutive_nights.max_nights
    if limit is None:
        return
    for op, limits in enumerate(m.space.limits):
        nights: list[list[Var]] = [[] for _ in range(m.space.day_count)]
        for option, var in m.shifts[op]:
            if option.night:
                nights[option.day].append(var)
        past = {shift.day for shift in limits.history if shift.night}
        for first in range(-min(limit, limits.history_days), m.space.day_count - limit):
            window = [var for day in nights[max(first, 0) : first + limit + 1] for var in day]
            before = sum(day in past for day in range(first, min(first + limit + 1, 0)))
            if len(window) + before > limit:
                m.model.add(sum(window) <= limit - before)


def _forbid_short_runs(m: RosterModel, op: int, shortest: int, of_work: bool) -> None:
    """No run of worked days (`of_work`) or of days off shorter than `shortest` with both its ends inside the
    horizon: every pattern edge-run-edge of a shorter run is cut by one clause."""
    days = m.space.day_count
    # With last month's shifts known, a run may begin before the first day: its days then are constants.
    known_before = m.space.limits[op].history_days
    for length in range(1, shortest):
        for first in range(1 - known_before, days - length):
            if first + length < 0:
                continue  # a run last month began and ended is that month's business
            # (whether the operator works that day, the value it has in the pattern)
            pattern = [(m.known(op, day), of_work) for day in range(first, first + length)]
            pattern += [(m.known(op, first - 1), not of_work), (m.known(op, first + length), not of_work)]
            if any(isinstance(works, int) and bool(works) != value for works, value in pattern):
                # A day the pattern needs is fixed otherwise (no shift open, or last month's): it cannot happen.
                continue
            if all(value == (isinstance(works, int) and bool(works)) for works, value in pattern):
                continue  # last month made this run on its own, with this month free: that month's breach
            m.model.add_bool_or(works.Not() if value else works
                                for works, value in pattern if isinstance(works, cp_model.IntVar))


def add_min_consecutive_days(m: RosterModel) -> None:
    """Rule `min_consecutive_days`: every run of working days inside the horizon lasts at least min_days."""
    for op, limits in enumerate(m.space.limits):
        _forbid_short_runs(m, op, limits.min_consecutive_days, of_work=True)


def add_min_consecutive_days_off(m: RosterModel) -> None:
    """Rule `min_consecutive_days_off`: every run of days off inside the horizon lasts at least min_days."""
    for op, limits in enumerate(m.space.limits):
        _forbid_short_runs(m, op, limits.min_consecutive_days_off, of_work=False)


def add_max_working_weekends(m: RosterModel) -> None:
    """Rule `max_working_weekends`: weekends with a shift on Saturday or Sunday, at most max_weekends."""
    for op, limits in enumerate(m.space.limits):
        if limits.max_working_weekends is None:
            continue
        weekends = []
        for days in m.space.weekends:
            worked = [w for day in days if not isinstance(w := m.worked(op, day), int)]
            if not worked:
                continue
            weekend = m.model.new_bool_var(f"weekend_{limits.operator_id}_d{days[0]}")
            m.model.add_max_equality(weekend, worked)
            weekends.append(weekend)
        if len(weekends) > limits.max_working_weekends:
            m.model.add(sum(weekends) <= limits.max_working_weekends)


def add_max_shifts_per_type(m: RosterModel) -> None:
    """Rule `max_shifts_per_type`: at most so many shifts of a type over the horizon."""
    for op, limits in enumerate(m.space.limits):
        for kind, most in limits.max_shifts_per_type.items():
            of_type = [var for option, var in m.shifts[op] if option.shift_type == kind]
            if len(of_type) > most:
                m.model.add(sum(of_type) <= most)


def template_allows(limits: OperatorLimits, option: ShiftOption) -> bool:
    """Rule `shift_templates`: the shift starts at one of its contract's start times (any, when it has none)."""
    return limits.template_starts is None or option.wall is None or option.wall[0] in limits.template_starts


def add_shift_templates(m: RosterModel) -> None:
    """Rule `shift_templates`: shifts start only at their contract's start times."""
    for op, limits in enumerate(m.space.limits):
        for option, var in m.shifts[op]:
            if not template_allows(limits, option):
                m.model.add(var == 0)


def add_forbidden_successions(m: RosterModel) -> None:
    """Rule `forbidden_successions`: no shift of type `then` on the day after a shift of type `first`."""
    _forbid_successions(m, m.space.forbidden_successions)


def add_forward_rotation(m: RosterModel) -> None:
    """Rule `forward_rotation`: on consecutive working days the shift type never goes back in the rotation's
    order (day -> evening -> night); a day off starts it again."""
    _forbid_successions(m, m.rules.rules.forward_rotation.backward_pairs)


def _forbid_successions(m: RosterModel, pairs: frozenset[tuple[str, str]]) -> None:
    """No shift of type `then` on the day after one of type `first`, for each pair; last month's last day
    included."""
    if not pairs:
        return
    for op in range(len(m.shifts)):
        by_day_type: dict[tuple[int, str], list[Var]] = {}
        for option, var in m.shifts[op]:
            by_day_type.setdefault((option.day, option.shift_type), []).append(var)
        for (day, kind), first in by_day_type.items():
            for before, then in pairs:
                if before == kind and (after := by_day_type.get((day + 1, then))):
                    m.model.add(sum(first) + sum(after) <= 1)
        for past in m.space.limits[op].history:
            for before, then in pairs:
                if past.day == -1 and past.shift_type == before:
                    for var in by_day_type.get((0, then), []):
                        m.model.add(var == 0)


def add_weekly_rest(m: RosterModel) -> None:
    """Rule `weekly_rest`: at least min_hours of uninterrupted rest in every week, calendar or rolling.

    A rest of that length begins where a shift ends or where the week does, so each such moment `u` gets a
    Boolean "nothing is worked in [u, u + min_hours)" and every week needs one of them. Last month's shifts block
    the rest like any other; the time after the horizon is free (the next month keeps the week it cuts).
    """
    rule = m.rules.rules.weekly_rest
    if rule.min_hours == 0 or not m.space.weeks:
        return
    for op in range(len(m.shifts)):
        rests = _Rests(m, op, rule.min_hours)
        if rule.week == "calendar":
            for begin, end in m.space.weeks:
                ends = {finish for _, finish in rests.busy if begin <= finish <= end - rule.min_hours}
                chances = [rests.free_from(u) for u in sorted({begin} | ends)]
                open_chances = [chance for chance in chances if not isinstance(chance, int)]
                # Kept already (a 1), or broken by last month's shifts alone (all 0s): nothing for this month to do.
                if open_chances and 1 not in (chance for chance in chances if isinstance(chance, int)):
                    m.model.add_bool_or(open_chances)
        else:
            rests.every_window(7 * 24)


class _Rests:
    """One operator's "free for `hours` from hour u" literals, made once per u."""

    def __init__(self, m: RosterModel, op: int, hours: int):
        self.m, self.op, self.hours = m, op, hours
        self.vars = m.timed(op)
        self.fixed = [(past.start, past.end) for past in m.space.limits[op].history]
        self.busy = [(start, end) for start, end, _ in self.vars] + self.fixed
        self.made: dict[int, Var | int] = {}
        # The shifts that may reach into [u, u + hours) start within the longest shift before u: looked up by
        # bisection, as a month's operator has some 750 shifts and some 500 moments to ask about.
        self.starts = [start for start, _, _ in self.vars]
        self.longest = max((end - start for start, end, _ in self.vars), default=0)

    def free_from(self, u: int) -> Var | int:
        """1 when [u, u + hours) can never be worked, 0 when last month's shifts work in it, else a Boolean."""
        if u not in self.made:
            until = u + self.hours
            if any(start < until and end > u for start, end in self.fixed):
                self.made[u] = 0
            elif not (blockers := [var for _, end, var in self.vars[bisect.bisect_right(self.starts, u - self.longest):
                                                                    bisect.bisect_left(self.starts, until)]
                                   if end > u]):
                self.made[u] = 1
            else:
                free = self.m.model.new_bool_var(f"weekly_rest_{self.m.space.limits[self.op].operator_id}_h{u}")
                self.m.model.add_bool_and([var.Not() for var in blockers]).only_enforce_if(free)
                self.made[u] = free
        return self.made[u]

    def every_window(self, length: int) -> None:
        """Every `length` elapsed hours meeting the horizon hold a whole rest: on the hour grid of the shifts, a
        window from t holds one iff a rest begins in [t, t + length - hours - 1] (a rest reaching from before t
        into the window by `hours` is one beginning at t; the minus one is for a window between two hours)."""
        span = length - self.hours
        horizon = len(self.m.space.required) or max((end for _, end in self.busy), default=0)
        first, last = -length + 1, horizon - 1
        values = [self.free_from(u) for u in range(first, last + span)]
        certain = [0]  # running count of the rests no shift can take away
        for value in values:
            certain.append(certain[-1] + (isinstance(value, int) and value))
        # Running sums of the rest Booleans: a window needs its difference to be at least one.
        total: list[Var | int] = [0]
        for u, value in enumerate(values):
            running = self.m.model.new_int_var(0, len(values), f"weekly_rests_{self.op}_upto_{first + u}")
            self.m.model.add(running == total[-1] + value)
            total.append(running)
        for t in range(len(values) - span + 1):
            if certain[t + span] == certain[t]:
                self.m.model.add(total[t + span] - total[t] >= 1)


def add_monthly_norm(m: RosterModel) -> None:
    """Rule `monthly_norm`: minutes worked within the operator's bounds (for the centre: the norm +/-
    tolerance_shifts shift lengths; for a benchmark: its minimum and maximum total minutes)."""
    for op, limits in enumerate(m.space.limits):
        lengths = {option.minutes for option, _ in m.shifts[op]}
        if len(lengths) > 1:
            minutes = sum(option.minutes * var for option, var in m.shifts[op])
            m.model.add_linear_constraint(minutes, limits.min_minutes, limits.max_minutes)
            continue
        # One length: the bounds as a count of shifts, which keeps the constraint a plain cardinality.
        length = next(iter(lengths), 60)
        worked = [var for _, var in m.shifts[op]]
        m.model.add_linear_constraint(sum(worked), -(-limits.min_minutes // length), limits.max_minutes // length)
