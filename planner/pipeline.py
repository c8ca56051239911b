"""The month, assembled in one place: the staffing plan in; the roster, its breaks, the coverage, the taxi cars and
the roster in a planner's words out. The command line, the page's background solve and the benchmarks all call
`plan_month`, within one time limit for the whole run (`TimeBudget`), and read the typed `MonthPlan` it returns;
summary.json is written from it at the edge (`planner.outputs.summary`).

What happens as it runs reaches a `Listener` (the command line prints it, the page's job keeps it for the next
rerun); its `should_stop` ends the roster search early, keeping the best roster found so far, which still gets its
breaks, placed quickly."""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass

from planner.breaks import BreakDay, BreaksReport, breaks_report, place_breaks
from planner.budget import ROSTER_SHARE, TimeBudget
from planner.config import Rules
from planner.coverage import CoverageRow, CoverageTotals, coverage_rows, coverage_totals
from planner.domain import Operator, Roster, StaffingPlan
from planner.grid import operator_loads
from planner.quality import RosterQuality, StartTimes, roster_quality, start_times
from planner.roster import Locks, Progress, SolveReport, solve_roster
from planner.taxi import Ride, ride_groups, taxi_rides

__all__ = ["Listener", "MonthPlan", "plan_month", "BREAKS_SECONDS_AFTER_STOP"]

# Per-day break search after a stop: the planner asked for the result now.
BREAKS_SECONDS_AFTER_STOP = 0.1


class Listener:
    """What a run tells while it works; each method does nothing unless overridden."""

    def roster_progress(self, progress: Progress) -> None:
        """A stage of the roster search ended (`objective` None) or it found a better roster."""

    def breaks_started(self, seconds_per_day: float) -> None:
        """The roster is done; the breaks are placed day by day, each day's search up to this long."""

    def break_day(self, day: BreakDay) -> None:
        """One day's breaks are placed."""

    def taxi_started(self) -> None:
        """The breaks are placed; the cars home are planned."""

    def should_stop(self) -> bool:
        """True to end the roster search now, with the best roster found so far."""
        return False


@dataclass(frozen=True)
class MonthPlan:
    staffing: StaffingPlan
    roster: Roster  # with breaks, unless the run was asked for the roster alone
    solve: SolveReport
    breaks: BreaksReport | None  # None: breaks were not placed
    coverage: tuple[CoverageRow, ...]
    start_times: StartTimes
    quality: RosterQuality
    rides: tuple[Ride, ...] | None  # None: no taxi list was asked for
    stopped: bool  # the listener stopped the roster search before its time limit

    @property
    def totals(self) -> CoverageTotals:
        return coverage_totals(self.coverage)


def plan_month(
    staffing: StaffingPlan,
    operators: Sequence[Operator],
    rules: Rules,
    *,
    time_limit: float | None = None,  # of the whole run; None: the rules' solver.time_limit_sec
    workers: int | None = None,
    previous: Roster | None = None,  # last month's roster, kept across the first day
    earlier: Sequence[Roster] = (),  # the months before it, counted by the fairness rules
    locks: Locks | None = None,
    breaks: bool = True,
    taxi: bool = False,
    listener: Listener | None = None,
    started: float | None = None,  # time.monotonic() when the run began (reading the files counts); None: now
) -> MonthPlan:
    listener = listener or Listener()
    seconds = rules.solver.time_limit_sec if time_limit is None else time_limit
    budget = TimeBudget(seconds, time.monotonic() if started is None else started,
                        ROSTER_SHARE if breaks or taxi else 1.0)
    solved = solve_roster(staffing, operators, rules, time_limit=budget.roster_seconds(), workers=workers,
                          on_progress=listener.roster_progress, should_stop=listener.should_stop, locks=locks,
                          previous=previous, earlier=earlier)
    stopped = listener.should_stop()
    roster, report = solved.roster, None
    left = budget.after_roster()
    if breaks:
        per_day = BREAKS_SECONDS_AFTER_STOP if stopped else left.per_break_day(
            len(staffing.month.days), rules.breaks.time_limit_sec_per_day)
        listener.breaks_started(per_day)
        placed = place_breaks(staffing, roster, operators, rules, workers=workers, time_limit_per_day=per_day,
                              on_day=listener.break_day)
        roster, report = placed.roster, breaks_report(staffing, placed, rules)
    rides = None
    if taxi:
        listener.taxi_started()
        routing = left.per_ride_group(ride_groups(roster, rules), rules.taxi.routing_time_limit_sec)
        quick = rules.model_copy(update={"taxi": rules.taxi.model_copy(update={"routing_time_limit_sec": routing})})
        rides = tuple(taxi_rides(roster, operators, quick))
    loads = operator_loads(roster, operators, rules)
    return MonthPlan(
        staffing=staffing,
        roster=roster,
        solve=solved.report,
        breaks=report,
        coverage=coverage_rows(staffing, roster, rules.breaks, previous),
        start_times=start_times(loads, rules.rules.start_time_stability.tolerance_hours),
        quality=roster_quality(staffing, roster, operators, rules, solved.report.under_coverage_lower_bound, previous,
                               loads),
        rides=rides,
        stopped=stopped,
    )
