"""The month assembled once: roster, breaks, coverage, taxi and the roster in words, typed, within one time limit."""

from __future__ import annotations

from helpers.roster_fixtures import need, operator, rules, staffing
from planner import pipeline
from planner.breaks import BreakDay
from planner.budget import BREAKS_SHARE, ROSTER_SHARE
from planner.coverage import coverage_totals
from planner.outputs import summary
from planner.pipeline import BREAKS_SECONDS_AFTER_STOP, Listener, plan_month
from planner.roster import Progress
from planner.validate import validate_roster

WEEK = range(2, 7)
TEAM = [operator(f"op{i}", free=WEEK, window=("08:00", "24:00")) for i in range(3)]
PLAN = staffing(*(need(day, 8, 12, 2) for day in WEEK), need(3, 16, 8, 1))


class _Heard(Listener):
    def __init__(self, stop: bool = False):
        self.stop, self.heard = stop, []

    def roster_progress(self, progress: Progress) -> None:
        self.heard.append(("roster", progress.stage))

    def breaks_started(self, seconds_per_day: float) -> None:
        self.heard.append(("breaks", seconds_per_day))

    def break_day(self, day: BreakDay) -> None:
        self.heard.append(("day", day.day))

    def taxi_started(self) -> None:
        self.heard.append(("taxi", None))

    def should_stop(self) -> bool:
        return self.stop


def test_the_month_comes_back_typed_with_every_part_measured_on_the_roster_it_returns():
    heard = _Heard()
    month = plan_month(PLAN, TEAM, rules(), time_limit=5, workers=1, taxi=True, listener=heard)
    assert month.roster.shifts and all(shift.breaks for shift in month.roster.shifts)
    assert validate_roster(month.roster, TEAM, rules()) == []
    assert month.totals == coverage_totals(month.coverage)
    assert month.quality.shortfall_hours == month.totals.under_coverage_agent_hours
    assert month.breaks is not None and month.breaks.days == len({shift.day for shift in month.roster.shifts})
    assert month.breaks.worst_dip <= month.breaks.naive_worst_dip
    assert month.start_times.consecutive_working_days > 0
    # The late shift ending at 24:00 goes home by taxi.
    assert month.rides and {ride.operator.id for ride in month.rides} <= {op.id for op in TEAM}
    assert [kind for kind, _ in heard.heard if kind != "roster"][:1] == ["breaks"]
    assert heard.heard[-1] == ("taxi", None) and not month.stopped


def test_summary_json_is_written_from_the_typed_month():
    month = plan_month(PLAN, TEAM, rules(), time_limit=5, workers=1)
    data = summary(month)
    assert data["month"] == PLAN.month.label and data["shifts"] == len(month.roster.shifts)
    assert data["under_coverage_agent_hours"] == month.totals.under_coverage_agent_hours
    assert data["breaks"]["worst_dip"] == month.breaks.worst_dip
    assert data["start_times"]["share_moved"] == month.start_times.share_moved
    assert data["in_words"]["above_bound_hours"] == month.quality.above_bound_hours


def test_the_time_limit_bounds_the_roster_and_the_breaks_together(monkeypatch):
    asked = {}
    real_solve, real_breaks = pipeline.solve_roster, pipeline.place_breaks

    def solve(*args, time_limit, **options):
        asked["roster"] = time_limit
        return real_solve(*args, time_limit=time_limit, **options)

    def breaks(*args, time_limit_per_day, **options):
        asked["per_day"] = time_limit_per_day
        return real_breaks(*args, time_limit_per_day=time_limit_per_day, **options)

    monkeypatch.setattr(pipeline, "solve_roster", solve)
    monkeypatch.setattr(pipeline, "place_breaks", breaks)
    plan_month(PLAN, TEAM, rules(), time_limit=5, workers=1)
    # The roster has its share of the 5 s; each of the month's days then gets a slice of what is left, not the
    # rules' full second a day (28 s for the month).
    assert asked["roster"] <= 5 * ROSTER_SHARE
    assert asked["per_day"] * len(PLAN.month.days) <= 5 * BREAKS_SHARE

    # Asked for the roster alone, the search has the whole limit and no breaks are placed.
    asked.clear()
    alone = plan_month(PLAN, TEAM, rules(), time_limit=5, workers=1, breaks=False)
    assert 5 * ROSTER_SHARE < asked["roster"] <= 5 and "per_day" not in asked
    assert alone.breaks is None and not any(shift.breaks for shift in alone.roster.shifts)


def test_a_stopped_run_keeps_its_roster_and_places_the_breaks_quickly():
    heard = _Heard(stop=True)
    month = plan_month(PLAN, TEAM, rules(), time_limit=60, workers=1, listener=heard)
    assert month.stopped and ("breaks", BREAKS_SECONDS_AFTER_STOP) in heard.heard
    assert validate_roster(month.roster, TEAM, rules()) == []
