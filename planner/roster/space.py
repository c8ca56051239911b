"""The space of shifts a roster chooses from, computed once from the month, the operators and the rules.

A shift is identified by its operator and its start: the index of a real hour in `month.hours`. Everything the
model, the aggregate relaxation and the greedy construction need about a start — its day, the hours it covers,
whether it counts as a night shift — is precomputed here so the three agree on the data (not on the rules: each
applies the rules in its own way, and `planner.validate` checks them independently).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from functools import cached_property

from planner.config import Rules, in_daily_window
from planner.domain import Operator, StaffingPlan
from planner.month import Month, after_elapsed

__all__ = ["OperatorTerms", "ShiftSpace", "Locks", "fits_window"]

# Cells of the roster grid the planner has locked: (operator id, day) -> the start of the shift kept that day, or
# None for a day off kept. A re-solve changes everything else.
Locks = Mapping[tuple[str, date], datetime | None]

DAY_MINUTES = 24 * 60


def fits_window(start_minute: int, end_minute: int, earliest_start: int, latest_end: int) -> bool:
    """Whether a shift from `start_minute` to `end_minute` (minutes after the local midnight of its day; the end
    may pass 1440) lies inside a daily window that may wrap midnight. A window of 24 h allows every shift."""
    if (latest_end - earliest_start) % DAY_MINUTES == 0:
        return True
    window_end = latest_end if latest_end > earliest_start else latest_end + DAY_MINUTES
    return any(
        earliest_start + shift <= start_minute and end_minute <= window_end + shift
        for shift in (-DAY_MINUTES, 0, DAY_MINUTES)
    )


@dataclass(frozen=True)
class OperatorTerms:
    """What an operator's contract and the calendar make of them this month."""

    operator: Operator
    shift_hours: int
    norm_hours: float
    min_shifts: int
    max_shifts: int


class ShiftSpace:
    """Candidate starts per operator and day, before any rule except the contract's shift length."""

    def __init__(self, plan: StaffingPlan, operators: tuple[Operator, ...] | list[Operator], rules: Rules,
                 locks: Locks | None = None):
        self.plan = plan
        self.month: Month = plan.month
        self.rules = rules
        self.operators = tuple(operators)
        self.hour_count = len(self.month.hours)
        self.terms = tuple(self._terms(op) for op in self.operators)
        self.locks: Locks = dict(locks or {})
        self.locked = self._locked(self.locks)

    def _locked(self, locks: Locks) -> dict[tuple[int, int], int | None]:
        """Locks by (operator index, day index) -> start hour index or None. Raises ValueError naming a lock
        that does not fit this month (unknown operator, day outside the month, start not on the hour of that
        day)."""
        index = {op.id: i for i, op in enumerate(self.operators)}
        days = {day: d for d, day in enumerate(self.month.days)}
        locked: dict[tuple[int, int], int | None] = {}
        for (op_id, day), start in locks.items():
            if op_id not in index or day not in days:
                raise ValueError(f"locked cell {op_id} {day}: no such operator or day in {self.month.label}")
            d = days[day]
            hour = None if start is None else self.month.hour_index(start)
            if start is not None and hour not in self.starts_by_day[d]:
                raise ValueError(f"locked shift of {op_id} on {day} must start on the hour of that day, got {start}")
            locked[index[op_id], d] = hour
        return locked

    def lock_allows(self, op: int, start: int) -> bool:
        """Whether the planner's locks leave this start open: any start on an unlocked day, only the kept one on a
        locked day."""
        key = (op, self.month.day_of_hour[start])
        return key not in self.locked or self.locked[key] == start

    def for_operator(self, op: int) -> ShiftSpace:
        """The same month for one operator alone, with their locks: how an impossible month is pinned down."""
        operator = self.operators[op]
        own = {cell: start for cell, start in self.locks.items() if cell[0] == operator.id}
        return ShiftSpace(self.plan, [operator], self.rules, own)

    def _terms(self, op: Operator) -> OperatorTerms:
        norm_rule = self.rules.rules.monthly_norm
        length = self.rules.shift_hours(op.rate)
        days = [day for day in self.month.working_days if day not in op.unavailable]
        norm = op.rate * norm_rule.hours_per_day * len(days)
        slack = norm_rule.tolerance_shifts * length
        return OperatorTerms(
            operator=op,
            shift_hours=length,
            norm_hours=norm,
            min_shifts=max(0, math.ceil((norm - slack) / length - 1e-9)),
            max_shifts=max(0, math.floor((norm + slack) / length + 1e-9)),
        )

    @cached_property
    def starts_by_day(self) -> tuple[tuple[int, ...], ...]:
        """Hour indices on which a shift may start, per day of the month: every whole local hour."""
        per_day: list[list[int]] = [[] for _ in self.month.days]
        for index, moment in enumerate(self.month.hours):
            if moment.minute == 0:
                per_day[self.month.day_of_hour[index]].append(index)
        return tuple(tuple(day) for day in per_day)

    def start_time(self, start: int):
        return self.month.hours[start]

    def end_time(self, start: int, length: int):
        return after_elapsed(self.month.hours[start], length)

    def wall_minutes(self, start: int, length: int) -> tuple[int, int]:
        """Start and end of a shift in wall-clock minutes after the local midnight of its start day."""
        begin = self.start_time(start)
        end = self.end_time(start, length)
        end_minute = (end.date() - begin.date()).days * DAY_MINUTES + end.hour * 60 + end.minute
        return begin.hour * 60 + begin.minute, end_minute

    def covered_hours(self, start: int, length: int) -> range:
        """Hour indices of the month the shift covers (a shift late on the last day runs past the month)."""
        return range(start, min(start + length, self.hour_count))

    @cached_property
    def _night_hour(self) -> tuple[bool, ...]:
        """Whether each real hour from the month start (plus a day after it) lies in the night window."""
        first, last = self.rules.rules.fair_nights.window_minutes
        midnight = self.month.local_midnight(self.month.days[0])
        flags = []
        for offset in range(self.hour_count + 24):
            moment = self.month.hours[offset] if offset < self.hour_count else after_elapsed(midnight, offset)
            minute = moment.hour * 60 + moment.minute
            flags.append(in_daily_window(minute, first, last))
        return tuple(flags)

    def is_night_shift(self, start: int, length: int) -> bool:
        rule = self.rules.rules.fair_nights
        return sum(self._night_hour[start : start + length]) >= rule.min_hours

    def day_of(self, start: int) -> date:
        return self.month.days[self.month.day_of_hour[start]]

    def is_weekend_start(self, start: int) -> bool:
        return self.month.is_weekend(self.day_of(start))
