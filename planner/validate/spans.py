"""What every check reads and returns: a shift as a `Span` of elapsed and wall-clock time, and a `Violation`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from planner.clock import DAY_MINUTES
from planner.domain import Shift


@dataclass(frozen=True)
class Violation:
    """One broken hard rule. `rule` is the rule's key in constraints.yaml; `day` is None for a month-wide rule.

    `operator_id` is the operator whose shifts break the rule; for team_on_break, the team's operators then on break,
    joined by ", " in id order (the team is named in `detail`)."""

    operator_id: str
    day: date | None
    rule: str
    detail: str

    def __str__(self) -> str:
        when = self.day.isoformat() if self.day is not None else "whole month"
        return f"{self.operator_id}, {when}, {self.rule}: {self.detail}"


@dataclass(frozen=True)
class Span:
    """A shift seen two ways: UTC instants for elapsed time, local wall-clock times for days and windows."""

    shift: Shift
    start_utc: datetime
    end_utc: datetime
    start_local: datetime
    end_local: datetime

    @classmethod
    def of(cls, shift: Shift, tz: ZoneInfo) -> Span:
        for moment in (shift.start, shift.end, *shift.breaks):
            if moment.utcoffset() is None:
                raise ValueError(f"shift of {shift.operator_id} has a time without a time zone: {moment}")
        return cls(
            shift,
            shift.start.astimezone(UTC),
            shift.end.astimezone(UTC),
            shift.start.astimezone(tz),
            shift.end.astimezone(tz),
        )

    def local(self, moment: datetime) -> datetime:
        return moment.astimezone(self.start_local.tzinfo)

    @property
    def day(self) -> date:
        return self.start_local.date()

    @property
    def elapsed(self) -> timedelta:
        return self.end_utc - self.start_utc

    @property
    def wall_minutes(self) -> tuple[int, int]:
        """Start and end as local wall-clock minutes after the midnight of the shift's day (end may pass 1440)."""
        end_day_offset = (self.end_local.date() - self.day).days * DAY_MINUTES
        return minute_of_day(self.start_local), end_day_offset + minute_of_day(self.end_local)

    @property
    def label(self) -> str:
        return f"{self.start_local:%Y-%m-%d %H:%M}–{self.end_local:%H:%M}"


def minute_of_day(moment: datetime) -> int:
    return moment.hour * 60 + moment.minute


def duration(span: timedelta) -> str:
    minutes = round(span.total_seconds() / 60)
    sign = "-" if minutes < 0 else ""
    hours, rest = divmod(abs(minutes), 60)
    if rest == 0:
        return f"{sign}{hours} h"
    return f"{sign}{hours} h {rest} min" if hours else f"{sign}{rest} min"
