"""What the placed breaks leave on the phones: every slot of the month measured from the roster's own breaks,
whoever placed them, and the summary against the naive placement."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from planner.breaks.placements import naive_breaks
from planner.breaks.slots import Clock, Loads
from planner.breaks.solve import BreakResult
from planner.config import Rules
from planner.domain import Roster, StaffingPlan

__all__ = ["SlotLoad", "slot_loads", "worst_dip", "BreaksReport", "breaks_report"]


@dataclass(frozen=True)
class SlotLoad:
    """One slot of the month: who is needed, on shift, on break and so on the phones."""

    start: datetime
    required: int
    scheduled: int
    on_break: int

    @property
    def on_phones(self) -> int:
        return self.scheduled - self.on_break

    @property
    def dip(self) -> int:
        """Operators on the phones below `required` (0 when at or above)."""
        return max(0, self.required - self.on_phones)


def slot_loads(plan: StaffingPlan, roster: Roster, rules: Rules) -> tuple[SlotLoad, ...]:
    """Every slot of the month at the breaks grid, measured from the roster's own breaks, whoever placed them."""
    settings = rules.breaks
    clock = Clock.of(plan, settings.grid_minutes)
    loads = Loads.of_shifts(roster, (), clock)
    for shift in roster.shifts:
        allowance = settings.allowance(shift.hours)
        length = (allowance.minutes if allowance else 0) // settings.grid_minutes
        for moment in shift.breaks:
            first = clock.slot(moment)
            for slot in range(max(0, first), min(first + length, loads.size)):
                loads.on_break[slot] += 1
    required = clock.required(plan)
    tz = plan.month.tz
    return tuple(
        SlotLoad(clock.moment(slot, tz), required[slot], loads.on_shift[slot], loads.on_break[slot])
        for slot in range(clock.month_slots)
    )


def worst_dip(loads: Sequence[SlotLoad]) -> int:
    """The deepest shortfall of on-phones below `required` in any slot."""
    return max((load.dip for load in loads), default=0)


@dataclass(frozen=True)
class BreaksReport:
    """What summary.json says about the breaks: the deepest 5-minute dip below `required`, against placing every
    break at its earliest moment, and how each day's solve ended."""

    wall_seconds: float
    worst_dip: int
    naive_worst_dip: int
    dip_operator_minutes: int
    naive_dip_operator_minutes: int
    days: int
    days_optimal: int


def breaks_report(plan: StaffingPlan, result: BreakResult, rules: Rules) -> BreaksReport:
    placed = slot_loads(plan, result.roster, rules)
    naive = slot_loads(plan, naive_breaks(result.roster, rules), rules)
    statuses = [day.status for day in result.days]
    return BreaksReport(
        wall_seconds=round(result.wall_seconds, 3),
        worst_dip=worst_dip(placed),
        naive_worst_dip=worst_dip(naive),
        dip_operator_minutes=sum(load.dip for load in placed) * rules.breaks.grid_minutes,
        naive_dip_operator_minutes=sum(load.dip for load in naive) * rules.breaks.grid_minutes,
        days=len(statuses),
        days_optimal=statuses.count("OPTIMAL"),
    )
