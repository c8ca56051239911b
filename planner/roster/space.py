"""The space of shifts a roster chooses from, computed once from the month, the operators and the rules.

A shift is identified by its operator and its start: the index of a real hour in `month.hours`. Everything the
model, the aggregate relaxation and the greedy construction need about a start — its day, the hours it covers,
whether it counts as a night shift — is precomputed here so the three agree on the data (not on the rules: each
applies the rules in its own way, and `planner.validate` checks them independently).

The CP-SAT model (`planner.roster.model`) sees a month through the narrower `RosterSpace` view: days, shift
options per operator (`ShiftOption`: day, type, minutes and, where shifts have a clock, the hours they cover) and
each operator's limits (`OperatorLimits`). `ShiftSpace` is that view of a calendar month; a published benchmark
whose shifts are types without clock times (bench/curtois.py) is another, solved by the same rule functions.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from functools import cached_property
from typing import Protocol

from planner.clock import DAY_MINUTES, in_daily_window
from planner.config import Rules
from planner.coverage import coverage_rows
from planner.domain import Operator, Roster, StaffingPlan
from planner.ledger import PastLoad, past_loads
from planner.month import Month, after_elapsed

__all__ = [
    "CoverNeed", "Locks", "OperatorLimits", "OperatorTerms", "PastShift", "RosterSpace", "ShiftOption", "DayRequest",
    "ShiftSpace", "fits_window",
]

# Cells of the roster grid the planner has locked: (operator id, day) -> the start of the shift kept that day, or
# None for a day off kept. A re-solve changes everything else.
Locks = Mapping[tuple[str, date], datetime | None]


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
class ShiftOption:
    """A shift an operator may work on a day, as much as the model's rules need to know of it."""

    day: int  # index of the day it belongs to (the day it starts)
    shift_type: str  # its shift type
    minutes: int
    start: int | None = None  # hour index of the month; None where shifts have no clock time
    hours: range = range(0)  # hour indices it covers, for cover per hour
    wall: tuple[int, int] | None = None  # start and end in minutes after the local midnight of its day
    night: bool = False

    @property
    def clock_hour(self) -> int | None:
        """The hour of the clock it starts at; None where shifts have no clock time."""
        return None if self.wall is None else self.wall[0] // 60


@dataclass(frozen=True)
class DayRequest:
    """An operator's request (`planner.domain.ShiftRequest`) as the model sees it: to work (`work`) or not a shift
    of `shift_type` on day index `day`, worth `weight`."""

    day: int
    shift_type: str
    work: bool
    weight: int


@dataclass(frozen=True)
class PastShift:
    """A shift of the operator's before the horizon (last month's roster), as the rules at its edge need it."""

    day: int  # -1 is the day before the horizon's first
    shift_type: str
    start: int  # hour index relative to the horizon's first hour (negative before it)
    end: int
    night: bool = False
    clock_hour: int = 0  # the local hour it starts at


@dataclass(frozen=True)
class CoverNeed:
    """Operators wanted on shifts of one type on one day, and the cost of each one missing or too many."""

    requirement: int
    weight_under: int
    weight_over: int


@dataclass(frozen=True)
class OperatorLimits:
    """One operator's hard limits and wishes for the horizon, as the model applies them."""

    operator_id: str
    min_minutes: int
    max_minutes: int
    max_consecutive_days: int
    min_consecutive_days: int = 1
    min_consecutive_days_off: int = 1
    max_working_weekends: int | None = None
    max_shifts_per_type: Mapping[str, int] = field(default_factory=dict)
    unavailable_days: frozenset[int] = frozenset()
    earliest_start: int = 0  # the daily window, minutes after local midnight
    latest_end: int = DAY_MINUTES
    day_windows: Mapping[int, tuple[int, int]] = field(default_factory=dict)  # weekly hours, by day index
    template_starts: frozenset[int] | None = None  # shift_templates: the start times allowed (minutes); None: any
    wished_days_off: frozenset[int] = frozenset()
    requests: tuple[DayRequest, ...] = ()
    # Last month's shifts, and how many days before the horizon they tell about (0: nothing is known, so runs
    # touching the first day may go on before it and the time before it counts as rest).
    history: tuple[PastShift, ...] = ()
    history_days: int = 0
    # Night and weekend shifts of the months before (planner.ledger): fair_nights and fair_weekends share the load
    # with them, so the same people do not get the nights month after month.
    past_nights: int = 0
    past_weekends: int = 0


class RosterSpace(Protocol):
    """What the roster model needs of a horizon (see the module's docstring); read-only, so a class may keep each as
    an attribute or compute it."""

    @property
    def rules(self) -> Rules: ...

    @property
    def day_count(self) -> int: ...

    @property
    def limits(self) -> tuple[OperatorLimits, ...]: ...

    @property
    def weekends(self) -> tuple[tuple[int, ...], ...]:
        """The days of each Saturday-Sunday weekend."""

    @property
    def weekend_days(self) -> frozenset[int]:
        """The days counting for fair_weekends."""

    @property
    def required(self) -> tuple[int, ...]:
        """Operators wanted per hour; empty where cover is per shift type."""

    @property
    def cover_needs(self) -> Mapping[tuple[int, str], CoverNeed]: ...

    @property
    def forbidden_successions(self) -> frozenset[tuple[str, str]]: ...

    @property
    def locked(self) -> Mapping[tuple[int, int], int | None]: ...

    @property
    def weeks(self) -> tuple[tuple[int, int], ...]:
        """[start, end) hour indices of every calendar week meeting the horizon (the first may start before it, the
        last end after it); empty where shifts have no clock time."""

    def options(self, op: int) -> Sequence[ShiftOption]: ...

    def lock_allows(self, op: int, option: ShiftOption) -> bool: ...

    def hour_label(self, hour: int) -> str: ...

    def day_label(self, day: int) -> str: ...


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

    def __init__(self, plan: StaffingPlan, operators: Sequence[Operator], rules: Rules,
                 locks: Locks | None = None, previous: Roster | None = None, earlier: Sequence[Roster] = (),
                 ledger: Mapping[str, PastLoad] | None = None):
        self.plan = plan
        self.month: Month = plan.month
        self.rules = rules
        self.operators = tuple(operators)
        # Last month's roster: the rules at the month's first day are kept with its shifts.
        self.previous = previous
        # Nights and weekend shifts of the months before (last month's and `earlier` ones), which the fairness
        # rules share this month's with; given (`ledger`) when this is one operator of a whole month's space.
        self.ledger = dict(ledger) if ledger is not None else past_loads(
            self.month, (previous, *earlier), self.operators, rules)
        self.hour_count = len(self.month.hours)
        self.terms = tuple(self._terms(op) for op in self.operators)
        self.locks: Locks = dict(locks or {})
        self.locked = self._locked(self.locks)
        self._options_cache: dict[int, tuple[ShiftOption, ...]] = {}
        self._by_start_cache: dict[int, dict[int, ShiftOption]] = {}

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

    def lock_allows(self, op: int, option: ShiftOption) -> bool:
        """Whether the planner's locks leave this shift open: any on an unlocked day, only the kept one on a
        locked day."""
        key = (op, option.day)
        return key not in self.locked or self.locked[key] == option.start

    # --- the model's view (RosterSpace) ----------------------------------------------------------------------

    @property
    def day_count(self) -> int:
        return len(self.month.days)

    @cached_property
    def limits(self) -> tuple[OperatorLimits, ...]:
        rules = self.rules.rules
        days = {day: d for d, day in enumerate(self.month.days)}
        return tuple(
            OperatorLimits(
                operator_id=terms.operator.id,
                min_minutes=terms.min_shifts * terms.shift_hours * 60,
                max_minutes=terms.max_shifts * terms.shift_hours * 60,
                max_consecutive_days=self.rules.max_consecutive_days_of(terms.operator.max_consecutive_days),
                min_consecutive_days=rules.min_consecutive_days.min_days,
                min_consecutive_days_off=rules.min_consecutive_days_off.min_days,
                max_working_weekends=self.rules.max_working_weekends_of(terms.operator.max_working_weekends),
                max_shifts_per_type=rules.max_shifts_per_type.max_shifts,
                unavailable_days=frozenset(days[day] for day in terms.operator.unavailable if day in days),
                earliest_start=terms.operator.earliest_start,
                latest_end=terms.operator.latest_end,
                day_windows={days[day]: terms.operator.window_on(day) for day in self.month.days
                             if any(hours.weekday == day.weekday() for hours in terms.operator.weekly_hours)},
                template_starts=rules.shift_templates.of(terms.operator.rate),
                wished_days_off=frozenset(days[day] for day in terms.operator.days_off_wished if day in days),
                requests=tuple(DayRequest(days[wish.day], wish.shift_type, wish.work, 1)
                               for wish in sorted(terms.operator.shift_requests) if wish.day in days),
                history=self._history.get(terms.operator.id, ()),
                history_days=len(self.previous.month.days) if self.previous else 0,
                past_nights=self.ledger.get(terms.operator.id, PastLoad()).nights,
                past_weekends=self.ledger.get(terms.operator.id, PastLoad()).weekends,
            )
            for terms in self.terms
        )

    @cached_property
    def _history(self) -> dict[str, tuple[PastShift, ...]]:
        """Last month's shifts per operator id, on the hour indices of this month (negative before it)."""
        if self.previous is None:
            return {}
        origin = self.month.hours[0].astimezone(UTC)
        first_day = self.month.days[0]
        found: dict[str, list[PastShift]] = defaultdict(list)
        for shift in self.previous.shifts:
            start = shift.start.astimezone(self.month.tz)
            day = (start.date() - first_day).days
            if day >= 0:
                continue  # a shift of this month in last month's file is this month's to plan
            begin = (shift.start.astimezone(UTC) - origin).total_seconds() / 3600
            end = (shift.end.astimezone(UTC) - origin).total_seconds() / 3600
            found[shift.operator_id].append(PastShift(
                day=day, shift_type=self.rules.shift_type(start.hour * 60 + start.minute), start=math.floor(begin),
                end=math.ceil(end), night=self._is_night(start, math.ceil(end - begin)), clock_hour=start.hour))
        return {op_id: tuple(sorted(shifts, key=lambda past: past.start)) for op_id, shifts in found.items()}

    def _is_night(self, start: datetime, hours: int) -> bool:
        first, last = self.rules.rules.fair_nights.window_minutes
        moments = (after_elapsed(start, offset) for offset in range(hours))
        inside = sum(in_daily_window(moment.hour * 60 + moment.minute, first, last) for moment in moments)
        return inside >= self.rules.rules.fair_nights.min_hours

    @cached_property
    def weeks(self) -> tuple[tuple[int, int], ...]:
        origin = self.month.hours[0].astimezone(UTC)
        monday = self.month.days[0] - timedelta(days=self.month.days[0].weekday())

        def hour_of(day: date) -> int:
            return round((self.month.local_midnight(day).astimezone(UTC) - origin).total_seconds() / 3600)

        found = []
        while monday <= self.month.days[-1]:
            found.append((hour_of(monday), hour_of(monday + timedelta(days=7))))
            monday += timedelta(days=7)
        return tuple(found)

    @cached_property
    def weekends(self) -> tuple[tuple[int, ...], ...]:
        by_week: dict[tuple[int, int], list[int]] = defaultdict(list)
        for d, day in enumerate(self.month.days):
            if day.weekday() >= 5:
                by_week[day.isocalendar()[:2]].append(d)
        return tuple(tuple(days) for days in by_week.values())

    @cached_property
    def weekend_days(self) -> frozenset[int]:
        return frozenset(d for d, day in enumerate(self.month.days) if self.month.is_weekend(day))

    @cached_property
    def required(self) -> tuple[int, ...]:
        """Operators the month's own shifts must add per hour: last month's night shifts running on into the
        first morning are already there."""
        already = coverage_rows(self.plan, Roster(self.month, ()), previous=self.previous)
        return tuple(max(0, row.required - row.scheduled) for row in already)

    @cached_property
    def cover_needs(self) -> dict[tuple[int, str], CoverNeed]:
        rule = self.rules.rules.shift_type_cover
        return {
            (d, kind): CoverNeed(count, rule.weight_under, rule.weight_over)
            for d in range(self.day_count)
            for kind, count in rule.min_per_day.items()
        }

    @cached_property
    def forbidden_successions(self) -> frozenset[tuple[str, str]]:
        return frozenset(self.rules.rules.forbidden_successions.pairs)

    def options(self, op: int) -> tuple[ShiftOption, ...]:
        return self._options_of_length(self.terms[op].shift_hours)

    def option(self, op: int, start: int) -> ShiftOption:
        """The option of the operator's shift starting at this hour."""
        return self._options_by_start(self.terms[op].shift_hours)[start]

    def hour_label(self, hour: int) -> str:
        return self.month.hours[hour].strftime("%Y-%m-%d %H:00")

    def day_label(self, day: int) -> str:
        return self.month.days[day].isoformat()

    def _options_of_length(self, length: int) -> tuple[ShiftOption, ...]:
        # Every operator of a contract has the same options: computed once per shift length.
        if length not in self._options_cache:
            self._options_cache[length] = tuple(
                ShiftOption(
                    day=d,
                    shift_type=self.rules.shift_type(self.wall_minutes(start, length)[0]),
                    minutes=length * 60,
                    start=start,
                    hours=self.covered_hours(start, length),
                    wall=self.wall_minutes(start, length),
                    night=self.is_night_shift(start, length),
                )
                for d, day_starts in enumerate(self.starts_by_day)
                for start in day_starts
            )
        return self._options_cache[length]

    def _options_by_start(self, length: int) -> dict[int, ShiftOption]:
        if length not in self._by_start_cache:
            self._by_start_cache[length] = {option.start: option for option in self._options_of_length(length)
                                              if option.start is not None}
        return self._by_start_cache[length]

    def for_operator(self, op: int, plan: StaffingPlan | None = None) -> ShiftSpace:
        """The same month for one operator alone, with their locks: how an impossible month is pinned down, and
        (with the `plan` the others leave uncovered) how one operator is planned again."""
        operator = self.operators[op]
        own = {cell: start for cell, start in self.locks.items() if cell[0] == operator.id}
        # Only the operator's own past shifts: reading the whole of last month again for each operator took
        # half of an operator's model build.
        previous = self.previous and replace(
            self.previous, shifts=tuple(shift for shift in self.previous.shifts if shift.operator_id == operator.id))
        alone = ShiftSpace(plan or self.plan, [operator], self.rules, own, previous,
                           ledger={operator.id: self.ledger.get(operator.id, PastLoad())})
        # The options depend on the month and the rules alone: shared, not made again for each operator.
        alone._options_cache, alone._by_start_cache = self._options_cache, self._by_start_cache
        # What is required stays the caller's: the month's is already net of last month's night shifts, and a
        # `plan` the others leave uncovered is made from it. Subtracting the operator's own night shift again
        # (the cached property would) counts it twice.
        alone.__dict__["required"] = self.required if plan is None else tuple(plan.required)
        return alone

    def _terms(self, op: Operator) -> OperatorTerms:
        norm_rule = self.rules.rules.monthly_norm
        length = self.rules.shift_hours(op.rate)
        norm = op.norm_hours(self.month, norm_rule.hours_per_day)
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
