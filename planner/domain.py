"""Frozen value types passed along the pipeline: forecast -> staffing -> roster.

They carry data only. Rules are applied elsewhere (the model in `planner.roster`, the independent checks in
`planner.validate`) so that the two never share a bug.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from planner.month import Month

__all__ = ["Forecast", "Operator", "Shift", "ShiftRequest", "Roster", "StaffingPlan"]


@dataclass(frozen=True)
class Forecast:
    """Calls offered and average handle time for every real hour of one month (index = `month.hours`)."""

    month: Month
    calls: tuple[float, ...]
    aht_sec: tuple[float, ...]
    source: str = ""

    def __post_init__(self) -> None:
        if not len(self.calls) == len(self.aht_sec) == len(self.month.hours):
            raise ValueError(
                f"forecast needs one value per hour of {self.month.label} ({len(self.month.hours)}), "
                f"got {len(self.calls)} calls and {len(self.aht_sec)} AHT values"
            )


@dataclass(frozen=True)
class StaffingPlan:
    """Operators required on the line per hour of the month (index = `forecast.month.hours`)."""

    forecast: Forecast
    required: tuple[int, ...]
    erlang_agents: tuple[int, ...]

    @property
    def month(self) -> Month:
        return self.forecast.month

    @property
    def required_agent_hours(self) -> int:
        return sum(self.required)


@dataclass(frozen=True, order=True)
class ShiftRequest:
    """An operator's request to work (`work`) or not to work a shift of `shift_type` on `day` (rule shift_requests).

    Written `2026-12-05:evening` (asks for an evening shift that day) or `-2026-12-06:night` (asks for no night
    shift): the operators file, the page's table and the database keep this text."""

    day: date
    shift_type: str
    work: bool = True

    def __str__(self) -> str:
        return f"{'' if self.work else '-'}{self.day.isoformat()}:{self.shift_type}"

    @classmethod
    def parse(cls, text: str) -> ShiftRequest:
        """The wish of `str(wish)`; ValueError naming the text when it is not one (the shift type is not checked
        against the rules here: `planner.operators` does that)."""
        against = text.startswith("-")
        day, colon, kind = text.removeprefix("-").partition(":")
        if not colon or not kind:
            raise ValueError(f"must be a date and a shift type, e.g. 2026-12-05:evening or -2026-12-05:night, got "
                             f"{text!r}")
        try:
            return cls(date.fromisoformat(day), kind, not against)
        except ValueError:
            raise ValueError(f"must start with a date YYYY-MM-DD, got {text!r}") from None


WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


@dataclass(frozen=True, order=True)
class WeeklyHours:
    """The hours an operator can work on one day of the week, in place of their daily window on that weekday (a
    student's term: Monday to Friday from 17:00). Minutes after local midnight, as the daily window."""

    weekday: int  # 0 is Monday
    earliest_start: int
    latest_end: int


@dataclass(frozen=True)
class Operator:
    """One named operator. Times are minutes after local midnight; `latest_end` may be below
    `earliest_start` when the window wraps midnight (20:00-08:00), and 1440 means 24:00."""

    id: str
    name: str
    rate: float
    earliest_start: int = 0
    latest_end: int = 24 * 60
    unavailable: frozenset[date] = field(default_factory=frozenset)
    days_off_wished: frozenset[date] = field(default_factory=frozenset)
    team: str = ""
    address: str = ""
    district: str = ""
    lat: float | None = None
    lon: float | None = None
    phone: str = ""
    # The operator's own limits (a personal agreement: a parent who works at most two weekends). None: the
    # centre's rule; a limit looser than the centre's is capped at it (`Rules.max_consecutive_days_of`).
    max_consecutive_days: int | None = None
    max_working_weekends: int | None = None
    shift_requests: frozenset[ShiftRequest] = field(default_factory=frozenset)
    weekly_hours: tuple[WeeklyHours, ...] = ()  # at most one per weekday, in weekday order

    def window_on(self, day: date) -> tuple[int, int]:
        """(earliest start, latest end) on `day`: that weekday's hours when given, else the daily window."""
        for hours in self.weekly_hours:
            if hours.weekday == day.weekday():
                return hours.earliest_start, hours.latest_end
        return self.earliest_start, self.latest_end

    def norm_hours(self, month: Month, hours_per_day: float) -> float:
        """Hours owed in `month` (rule monthly_norm): the rate's share of every working day, less the working days
        the operator is unavailable (leave, sickness)."""
        return self.rate * hours_per_day * sum(day not in self.unavailable for day in month.working_days)


@dataclass(frozen=True)
class Shift:
    """A shift worked. `start`/`end` are aware local datetimes; the shift belongs to the day it starts."""

    operator_id: str
    start: datetime
    end: datetime
    breaks: tuple[datetime, ...] = ()

    @property
    def day(self) -> date:
        return self.start.date()

    @property
    def hours(self) -> float:
        # In UTC: subtracting two datetimes of one zone gives wall-clock time, an hour off on a DST night.
        return (self.end.astimezone(UTC) - self.start.astimezone(UTC)).total_seconds() / 3600


@dataclass(frozen=True)
class Roster:
    month: Month
    shifts: tuple[Shift, ...]

    def by_operator(self) -> dict[str, list[Shift]]:
        result: dict[str, list[Shift]] = {}
        for shift in sorted(self.shifts, key=lambda s: (s.operator_id, s.start.astimezone(UTC))):
            result.setdefault(shift.operator_id, []).append(shift)
        return result
