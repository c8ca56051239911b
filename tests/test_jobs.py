"""The background solve the page polls: progress while it runs, a stop that keeps the best roster, errors kept."""

from __future__ import annotations

from roster_fixtures import need, operator, rules, staffing

from planner import jobs
from planner.budget import BREAKS_SHARE, ROSTER_SHARE
from planner.jobs import SolveJob
from planner.validate import validate_roster

WEEK = range(2, 7)


def _job(**options) -> SolveJob:
    team = [operator(f"op{i}", free=WEEK, window=("08:00", "20:00")) for i in range(3)]
    plan = staffing(*(need(day, 8, 12, 2) for day in WEEK))
    options.setdefault("time_limit", 5)
    return SolveJob(plan, team, rules(), workers=1, **options)


def test_job_runs_in_the_background_and_ends_with_a_roster_and_breaks():
    job = _job().start()
    assert job.wait(60)
    snapshot = job.snapshot()
    assert snapshot.done and snapshot.error is None and snapshot.stage == "done"
    assert snapshot.break_days_done == len({s.day for s in job.roster_result.roster.shifts})
    roster = job.breaks_result.roster
    assert roster.shifts and all(len(shift.breaks) == 2 for shift in roster.shifts)
    assert validate_roster(roster, job.operators, job.rules) == []


def test_a_stopped_job_keeps_the_best_roster_so_far():
    job = _job(time_limit=60)
    job.stop()  # before it starts: the first roster found is the one kept
    job.start()
    assert job.wait(60)
    snapshot = job.snapshot()
    assert snapshot.stopped and snapshot.error is None
    assert snapshot.wall_seconds < 30
    assert validate_roster(job.breaks_result.roster, job.operators, job.rules) == []


def test_an_impossible_month_ends_the_job_with_the_explanation():
    stuck = [operator("op1", free=WEEK, window=("17:00", "24:00"))]  # 7 hours for an 8-hour shift
    job = SolveJob(staffing(), stuck, rules(loose_norm=False), time_limit=5, workers=1).start()
    assert job.wait(60)
    snapshot = job.snapshot()
    assert snapshot.stage == "failed" and "op1" in snapshot.error
    assert job.breaks_result is None


def test_the_jobs_time_limit_bounds_the_roster_and_the_breaks_together(monkeypatch):
    asked = {}
    real_solve, real_breaks = jobs.solve_roster, jobs.place_breaks

    def solve(*args, time_limit, **options):
        asked["roster"] = time_limit
        return real_solve(*args, time_limit=time_limit, **options)

    def breaks(*args, time_limit_per_day, **options):
        asked["per_day"] = time_limit_per_day
        return real_breaks(*args, time_limit_per_day=time_limit_per_day, **options)

    monkeypatch.setattr(jobs, "solve_roster", solve)
    monkeypatch.setattr(jobs, "place_breaks", breaks)
    job = _job(time_limit=5).start()
    assert job.wait(60) and job.snapshot().error is None

    # The roster has its share of the 5 s; each of the month's days then gets a slice of what is left, not the
    # rules' full second a day (31 s for the month).
    assert asked["roster"] <= 5 * ROSTER_SHARE
    assert asked["per_day"] * len(job.plan.month.days) <= 5 * BREAKS_SHARE
