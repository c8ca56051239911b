"""The month being planned as a timeline of real hours in the centre's time zone.

A day of the month has 23, 24 or 25 hours where the zone shifts its clocks: the timeline steps through real
(UTC) hours and labels each with its local wall-clock time, so coverage, rest and shift lengths are measured
in elapsed time while the planner sees local times.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import cached_property
from zoneinfo import ZoneInfo

import holidays

from planner.clock import HOUR

__all__ = ["Month", "parse_month", "after_elapsed"]


def after_elapsed(moment: datetime, hours: float) -> datetime:
    """`moment` plus real elapsed hours, in moment's zone. Plain `aware + timedelta` adds wall-clock time and is
    wrong across a DST change."""
    return (moment.astimezone(UTC) + timedelta(hours=hours)).astimezone(moment.tzinfo)


@dataclass(frozen=True)
class Month:
    year: int
    month: int
    timezone: str
    country: str = "RU"

    def __post_init__(self) -> None:
        if not 1 <= self.month <= 12:
            raise ValueError(f"month must be 1..12, got {self.month}")

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def label(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

    @cached_property
    def days(self) -> tuple[date, ...]:
        first = date(self.year, self.month, 1)
        following = date(self.year + self.month // 12, self.month % 12 + 1, 1)
        return tuple(first + timedelta(days=i) for i in range((following - first).days))

    def local_midnight(self, day: date) -> datetime:
        return datetime(day.year, day.month, day.day, tzinfo=self.tz)

    @cached_property
    def hours(self) -> tuple[datetime, ...]:
        """Start of every real hour of the month, as aware local datetimes (fold set on repeated hours)."""
        start = self.local_midnight(self.days[0]).astimezone(UTC)
        end = self.local_midnight(self.days[-1] + timedelta(days=1)).astimezone(UTC)
        result = []
        moment = start
        while moment < end:
            result.append(moment.astimezone(self.tz))
            moment += HOUR
        return tuple(result)

    @cached_property
    def _index_by_utc(self) -> dict[datetime, int]:
        return {moment.astimezone(UTC): i for i, moment in enumerate(self.hours)}

    def hour_index(self, moment: datetime) -> int | None:
        """Index of the real hour starting at `moment` (aware), or None if outside the month / not on the hour."""
        return self._index_by_utc.get(moment.astimezone(UTC))

    @cached_property
    def day_of_hour(self) -> tuple[int, ...]:
        first = self.days[0]
        return tuple((moment.date() - first).days for moment in self.hours)

    @cached_property
    def public_holidays(self) -> frozenset[date]:
        calendar = holidays.country_holidays(self.country, years=self.year)
        return frozenset(day for day in self.days if day in calendar)

    def is_working_day(self, day: date) -> bool:
        """A working day of the production calendar: a weekday that is not a public holiday."""
        return day.weekday() < 5 and day not in self.public_holidays

    def is_weekend(self, day: date) -> bool:
        """Saturday, Sunday or a public holiday: the days whose shifts are shared out fairly."""
        return day.weekday() >= 5 or day in self.public_holidays

    @property
    def before(self) -> Month:
        """The month before this one, in the same zone and country."""
        year, month = (self.year, self.month - 1) if self.month > 1 else (self.year - 1, 12)
        return Month(year, month, self.timezone, self.country)

    @cached_property
    def working_days(self) -> tuple[date, ...]:
        return tuple(day for day in self.days if self.is_working_day(day))


def parse_month(text: str, timezone: str, country: str = "RU") -> Month:
    try:
        parsed = datetime.strptime(text.strip(), "%Y-%m")
    except ValueError:
        raise ValueError(f"month must be YYYY-MM, got {text!r}") from None
    return Month(parsed.year, parsed.month, timezone, country)
