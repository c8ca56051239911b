"""Before solving: can these operators cover this month at all? Plain-words warnings, computed in a blink.

Two checks a planner can act on before spending a minute of solver time:
- the month's hours: what the operators may work at most (their norm plus the tolerance) against the required
  agent-hours — if the first is smaller, the difference is short whatever the roster;
- the hours of the day nobody can cover: hours for which no operator has a window and a free day allowing a
  shift over them, grouped into runs such as "02:00–06:00 on 9 days".
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from planner.config import Rules
from planner.domain import Operator, StaffingPlan
from planner.roster.model import starts_allowed
from planner.roster.space import ShiftSpace

__all__ = ["CapacityWarning", "capacity_warnings"]


@dataclass(frozen=True)
class CapacityWarning:
    kind: str  # "hours" or "uncovered"
    message: str

    def __str__(self) -> str:
        return self.message


def capacity_warnings(plan: StaffingPlan, operators: Sequence[Operator], rules: Rules) -> list[CapacityWarning]:
    space = ShiftSpace(plan, operators, rules)
    warnings = []
    most = sum(terms.max_shifts * terms.shift_hours for terms in space.terms)
    required = plan.required_agent_hours
    if most < required:
        warnings.append(CapacityWarning(
            "hours",
            f"The operators may work at most {most:,} hours this month (norm plus tolerance) but "
            f"{required:,} agent-hours are required: at least {required - most:,} will be short whatever the "
            f"roster. Add operators or raise the tolerance of monthly_norm."))
    allowed = starts_allowed(space)
    coverable = [False] * space.hour_count
    for op, terms in enumerate(space.terms):
        if terms.max_shifts == 0:
            continue
        for day_starts in space.starts_by_day:
            for start in day_starts:
                if allowed(op, start):
                    for hour in space.covered_hours(start, terms.shift_hours):
                        coverable[hour] = True
    uncovered: dict[int, set[date]] = {}
    for index, can in enumerate(coverable):
        if not can and plan.required[index] > 0:
            moment = plan.month.hours[index]
            uncovered.setdefault(moment.hour, set()).add(moment.date())
    for (first, last), days in _runs(uncovered):
        warnings.append(CapacityWarning(
            "uncovered",
            f"{first:02d}:00–{last:02d}:00 on {len(days)} day(s) ({_dates(days)}): operators are required but no "
            f"operator's window and free days allow a shift then."))
    return warnings


def _runs(uncovered: dict[int, set[date]]) -> list[tuple[tuple[int, int], set[date]]]:
    """Consecutive hours of the day with uncovered hours merged into one run; the days are their union."""
    runs: list[tuple[tuple[int, int], set[date]]] = []
    for hour in sorted(uncovered):
        days = uncovered[hour]
        if runs and runs[-1][0][1] == hour:
            (first, _), union = runs[-1]
            runs[-1] = ((first, hour + 1), union | days)
        else:
            runs.append(((hour, hour + 1), set(days)))
    return runs


def _dates(days: set[date]) -> str:
    shown = sorted(days)
    text = ", ".join(f"{day:%d.%m}" for day in shown[:5])
    return text + (f" and {len(shown) - 5} more" if len(shown) > 5 else "")
