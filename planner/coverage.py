"""Coverage of a roster against the requirement, hour by hour — computed from the shifts alone, so it describes
any roster, solved or edited by hand."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from planner.clock import HOUR
from planner.config import Breaks
from planner.domain import Roster, Shift, StaffingPlan
from planner.month import Month

__all__ = ["CoverageRow", "coverage_rows", "carried_in", "CoverageTotals", "coverage_totals"]


@dataclass(frozen=True)
class CoverageRow:
    interval_start: datetime
    calls: float
    aht_sec: float
    required: int
    scheduled: int
    on_phones: float

    @property
    def shortfall(self) -> int:
        return max(0, self.required - self.scheduled)

    @property
    def overstaffing(self) -> int:
        return max(0, self.scheduled - self.required)


@dataclass(frozen=True)
class CoverageTotals:
    required_agent_hours: int
    under_coverage_agent_hours: int
    over_coverage_agent_hours: int


def coverage_rows(plan: StaffingPlan, roster: Roster, breaks: Breaks | None = None,
                  previous: Roster | None = None) -> tuple[CoverageRow, ...]:
    """`scheduled`: operators whose shift covers the whole hour, last month's night shifts (`previous`) that
    run on into the month included; `on_phones`: minus the break minutes that fall inside the hour, as a share of
    the hour (each break lasting what `breaks` gives a shift of its length)."""
    hours = plan.month.hours
    index = {moment.astimezone(UTC): i for i, moment in enumerate(hours)}
    scheduled = [0] * len(hours)
    away = [0.0] * len(hours)
    for shift in (*roster.shifts, *carried_in(plan.month, previous)):
        moment = shift.start.astimezone(UTC)
        end = shift.end.astimezone(UTC)
        while moment + HOUR <= end:
            if moment in index:
                scheduled[index[moment]] += 1
            moment += HOUR
        allowance = breaks.allowance(shift.hours) if breaks else None
        for begin in shift.breaks:
            _spread_minutes(begin.astimezone(UTC), allowance.minutes if allowance else 0, index, away)
    forecast = plan.forecast
    return tuple(
        CoverageRow(
            interval_start=hours[i],
            calls=forecast.calls[i],
            aht_sec=forecast.aht_sec[i],
            required=plan.required[i],
            scheduled=scheduled[i],
            on_phones=round(scheduled[i] - away[i] / 60, 4),
        )
        for i in range(len(hours))
    )


def carried_in(month: Month, previous: Roster | None) -> tuple[Shift, ...]:
    """Last month's shifts still running when the month begins: their operators answer its first hours' calls,
    so the month's own shifts need not."""
    if previous is None or not month.hours:
        return ()
    begin = month.hours[0]
    return tuple(shift for shift in previous.shifts if shift.start < begin < shift.end)


def _spread_minutes(begin: datetime, minutes: int, index: dict[datetime, int], away: list[float]) -> None:
    end = begin + timedelta(minutes=minutes)
    while begin < end:
        hour_start = begin.replace(minute=0, second=0, microsecond=0)
        chunk_end = min(end, hour_start + HOUR)
        if hour_start in index:
            away[index[hour_start]] += (chunk_end - begin).total_seconds() / 60
        begin = chunk_end


def coverage_totals(rows: tuple[CoverageRow, ...]) -> CoverageTotals:
    return CoverageTotals(
        required_agent_hours=sum(r.required for r in rows),
        under_coverage_agent_hours=sum(r.shortfall for r in rows),
        over_coverage_agent_hours=sum(r.overstaffing for r in rows),
    )
