"""The month's grid of break slots: the clock that numbers them, the breaks each shift must take (a `Job`) and
the per-slot loads (on shift, on break, overall and by team) that the day's model and the placements read."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from planner.config import Breaks
from planner.domain import Operator, Roster, StaffingPlan

__all__ = ["Clock", "Job", "Loads", "break_jobs"]


@dataclass(frozen=True)
class Clock:
    """The month's grid of slots: slot 0 starts at the first local midnight; indices past the month's end are
    the mornings of night shifts that run into the next month."""

    start_utc: datetime
    grid: int
    month_slots: int

    @classmethod
    def of(cls, plan: StaffingPlan, grid: int) -> Clock:
        return cls(plan.month.hours[0].astimezone(UTC), grid, len(plan.month.hours) * 60 // grid)

    def slot(self, moment: datetime) -> int:
        return int((moment.astimezone(UTC) - self.start_utc).total_seconds() // 60) // self.grid

    def moment(self, slot: int, tz) -> datetime:
        return (self.start_utc + timedelta(minutes=slot * self.grid)).astimezone(tz)

    def required(self, plan: StaffingPlan) -> list[int]:
        per_hour = 60 // self.grid
        return [plan.required[slot // per_hour] for slot in range(self.month_slots)]


@dataclass
class Job:
    """The breaks of one shift, in slots counted from the shift's start."""

    index: int  # position in roster.shifts
    team: str
    first_slot: int
    slots: int
    count: int
    length: int
    after_start: int
    before_end: int
    gap: int

    @property
    def window(self) -> range:
        """Break starts allowed by break_window."""
        return range(self.after_start, self.slots - self.before_end - self.length + 1)

    def cover(self, offset: int) -> range:
        start = self.first_slot + offset
        return range(start, start + self.length)


def break_jobs(roster: Roster, operators: Sequence[Operator], settings: Breaks, clock: Clock) -> list[Job]:
    """A job for every shift of the roster that gets any break."""
    teams = {op.id: op.team for op in operators}
    grid = settings.grid_minutes
    window, gap = settings.rules.break_window, settings.rules.break_gap
    jobs = []
    for index, shift in enumerate(roster.shifts):
        allowance = settings.allowance(shift.hours)
        if allowance is None or allowance.count == 0:
            continue
        jobs.append(
            Job(
                index=index,
                team=teams.get(shift.operator_id, ""),
                first_slot=clock.slot(shift.start),
                slots=int(round(shift.hours * 60)) // grid,
                count=allowance.count,
                length=allowance.minutes // grid,
                after_start=window.after_start_minutes // grid,
                before_end=window.before_end_minutes // grid,
                gap=gap.min_minutes // grid,
            )
        )
    return jobs


class Loads:
    """Per-slot counts over the month plus the nights running past it: on shift and on break, overall and by team."""

    def __init__(self, size: int):
        self.size = size
        self.on_shift = [0] * size
        self.on_break = [0] * size
        self.team_on_shift: dict[str, list[int]] = defaultdict(lambda: [0] * size)
        self.team_on_break: dict[str, list[int]] = defaultdict(lambda: [0] * size)

    @classmethod
    def of_shifts(cls, roster: Roster, operators: Sequence[Operator], clock: Clock) -> Loads:
        teams = {op.id: op.team for op in operators}
        last = max((clock.slot(shift.end) for shift in roster.shifts), default=0)
        loads = cls(max(clock.month_slots, last) + 1)
        for shift in roster.shifts:
            team = teams.get(shift.operator_id, "")
            for slot in range(max(0, clock.slot(shift.start)), clock.slot(shift.end)):
                loads.on_shift[slot] += 1
                if team:
                    loads.team_on_shift[team][slot] += 1
        return loads

    def take(self, job: Job, offset: int) -> None:
        for slot in job.cover(offset):
            if 0 <= slot < self.size:
                self.on_break[slot] += 1
                if job.team:
                    self.team_on_break[job.team][slot] += 1
