"""A roster in a planner's words: how short it is against what any roster could do, the wishes it grants, how
evenly nights and weekends are shared and how steady the start times are. Measured on the roster itself, so an
edited roster is judged the same way as a solved one."""

from __future__ import annotations

import statistics
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from datetime import date

from planner.config import Rules
from planner.coverage import coverage_rows, coverage_totals
from planner.domain import Operator, Roster, StaffingPlan
from planner.grid import OperatorLoad, operator_loads
from planner.roster.model import availability_allows, can_take
from planner.roster.space import ShiftOption, ShiftSpace

__all__ = ["Spread", "StartTimes", "start_times", "RosterQuality", "roster_quality"]


@dataclass(frozen=True)
class Spread:
    """The fewest and the most shifts of a kind among the operators who can work one."""

    fewest: int
    most: int


@dataclass(frozen=True)
class StartTimes:
    """How steady a roster's start times are (summary.json's `start_times`)."""

    tolerance_hours: int
    consecutive_working_days: int  # pairs of working days in a row, over all operators
    start_moves_beyond_tolerance: int  # of those pairs, how many move the start by more than the tolerance
    share_moved: float
    median_distinct_start_hours: float  # distinct start hours per working operator


def start_times(loads: Sequence[OperatorLoad], tolerance_hours: int) -> StartTimes:
    pairs = sum(load.consecutive_days for load in loads)
    moved = sum(load.start_moves for load in loads)
    working = [load.start_hours for load in loads if load.shifts]
    return StartTimes(
        tolerance_hours=tolerance_hours,
        consecutive_working_days=pairs,
        start_moves_beyond_tolerance=moved,
        share_moved=round(moved / pairs, 4) if pairs else 0.0,
        median_distinct_start_hours=statistics.median(working) if working else 0,
    )


@dataclass(frozen=True)
class RosterQuality:
    required_hours: int
    shortfall_hours: int
    shortfall_bound: int  # no roster keeping the hard rules is short by less (0 when nothing is proven)
    wishes: int  # wished days off and shift requests of the month
    wishes_granted: int
    nights: Spread | None  # None: fewer than two operators can work nights
    weekends: Spread | None
    start_moves_share: float  # of consecutive working days, the share moving the start beyond the tolerance
    tolerance_hours: int
    median_start_hours: float  # distinct start hours per working operator

    @property
    def shortfall_share(self) -> float:
        return self.shortfall_hours / self.required_hours if self.required_hours else 0.0

    @property
    def above_bound_hours(self) -> int:
        return max(0, self.shortfall_hours - self.shortfall_bound)

    def as_dict(self) -> dict:
        return {**asdict(self), "shortfall_share": round(self.shortfall_share, 4),
                "above_bound_hours": self.above_bound_hours}

    def sentence(self) -> str:
        """The command line's one-paragraph account."""
        parts = [f"short {self.shortfall_hours:,} of {self.required_hours:,} operator-hours "
                 f"({self.shortfall_share:.1%}), {self.above_bound_hours:,} above what any roster could do "
                 f"({self.shortfall_bound:,})",
                 f"wishes granted {self.wishes_granted} of {self.wishes}"]
        for label, spread in (("nights", self.nights), ("weekend shifts", self.weekends)):
            if spread is not None:
                parts.append(f"{label} {spread.fewest}–{spread.most} per operator")
        parts.append(f"{self.start_moves_share:.0%} of consecutive working days move the start by more than "
                     f"{self.tolerance_hours} h, {self.median_start_hours:g} distinct start hours per operator "
                     f"(median)")
        return "; ".join(parts)


def roster_quality(plan: StaffingPlan, roster: Roster, operators: Sequence[Operator], rules: Rules,
                   shortfall_bound: int = 0, previous: Roster | None = None,
                   loads: Sequence[OperatorLoad] | None = None) -> RosterQuality:
    """`loads` are the roster's `operator_loads` when the caller has them already. The shortfall is counted by
    the hour without breaks, as the roster's model and its bound count it."""
    totals = coverage_totals(coverage_rows(plan, roster, previous=previous))
    loads = operator_loads(roster, operators, rules) if loads is None else loads
    starts = start_times(loads, rules.rules.start_time_stability.tolerance_hours)
    wishes, granted = _wishes(roster, operators, rules)
    space = ShiftSpace(plan, operators, rules)
    weekend_days = space.weekend_days
    return RosterQuality(
        required_hours=totals.required_agent_hours,
        shortfall_hours=totals.under_coverage_agent_hours,
        shortfall_bound=shortfall_bound,
        wishes=wishes,
        wishes_granted=granted,
        nights=_spread(space, loads, lambda option: option.night, lambda load: load.nights),
        weekends=_spread(space, loads, lambda option: option.day in weekend_days, lambda load: load.weekends),
        start_moves_share=starts.share_moved,
        tolerance_hours=starts.tolerance_hours,
        median_start_hours=starts.median_distinct_start_hours,
    )


def _wishes(roster: Roster, operators: Sequence[Operator], rules: Rules) -> tuple[int, int]:
    """(wishes of the month, how many the roster grants): a wished day off without a shift starting that day, a
    request for a shift type met as asked (worked that day, or not)."""
    month_days = set(roster.month.days)
    by_operator = roster.by_operator()
    tz = roster.month.tz
    total = granted = 0
    for op in operators:
        kinds: dict[date, set[str]] = {}
        for shift in by_operator.get(op.id, []):
            local = shift.start.astimezone(tz)
            kinds.setdefault(shift.day, set()).add(rules.shift_type(local.hour * 60 + local.minute))
        for day in op.days_off_wished & month_days:
            total += 1
            granted += day not in kinds
        for wish in op.shift_requests:
            if wish.day in month_days:
                total += 1
                granted += (wish.shift_type in kinds.get(wish.day, set())) == wish.work
    return total, granted


def _spread(space: ShiftSpace, loads: Sequence[OperatorLoad], counts: Callable[[ShiftOption], bool],
            load_of: Callable[[OperatorLoad], int]) -> Spread | None:
    """Fewest and most among the operators whose window and free days allow such a shift (those the fairness
    rule shares the load among)."""
    allowed = availability_allows(space)
    sharing = [load_of(load) for op, load in enumerate(loads) if can_take(space, allowed, op, counts)]
    return Spread(min(sharing), max(sharing)) if len(sharing) > 1 else None
