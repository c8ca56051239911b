"""The background solve the page polls: progress while it runs, a stop that keeps the best roster, errors kept."""

from __future__ import annotations

import time
from dataclasses import replace

import pytest

from helpers.roster_fixtures import need, operator, rules, staffing
from planner import jobs, pipeline
from planner.jobs import SolveJob, SolvesBusy
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
    assert snapshot.break_days_done == len({s.day for s in job.result.roster.shifts})
    roster = job.result.roster
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
    assert validate_roster(job.result.roster, job.operators, job.rules) == []


def test_an_impossible_month_ends_the_job_with_the_explanation():
    stuck = [operator("op1", free=WEEK, window=("17:00", "24:00"))]  # 7 hours for an 8-hour shift
    job = SolveJob(staffing(), stuck, rules(loose_norm=False), time_limit=5, workers=1).start()
    assert job.wait(60)
    snapshot = job.snapshot()
    assert snapshot.stage == "failed" and "op1" in snapshot.error
    assert job.result is None


def test_one_solve_more_than_the_server_runs_at_once_is_refused_and_a_slot_frees_when_one_ends():
    # Issue 15, item 9: each solve takes its cores for up to its whole time limit.
    limited = rules({"solver": {"max_running_solves": 1}})
    first = replace(_job(time_limit=60), rules=limited).start()
    try:
        with pytest.raises(SolvesBusy, match="1 solves are running"):
            replace(_job(), rules=limited).start()
    finally:
        first.stop()
        assert first.wait(60)
    second = replace(_job(), rules=limited).start()
    assert second.wait(60) and second.snapshot().error is None
    assert jobs.running_solves() == 0


def test_a_job_nobody_looks_at_stops_itself(monkeypatch):
    # A tab that is gone no longer asks for snapshots: its solve stops instead of holding a slot for its limit.
    real_solve = pipeline.solve_roster

    def slow(*args, should_stop, **options):
        asked = time.monotonic()
        while not should_stop() and time.monotonic() - asked < 30:
            time.sleep(0.05)
        return real_solve(*args, should_stop=should_stop, **options)

    monkeypatch.setattr(pipeline, "solve_roster", slow)
    job = _job(time_limit=60, abandon_after=0.5).start()
    assert job.wait(60)
    assert job._stop.is_set() and job.snapshot().wall_seconds < 20
    assert validate_roster(job.result.roster, job.operators, job.rules) == []


def test_any_exception_in_a_solve_is_kept_with_its_message(monkeypatch):
    def broken(*_args, **_options):
        raise MemoryError("no room for the model")

    monkeypatch.setattr(pipeline, "solve_roster", broken)
    job = _job().start()
    assert job.wait(60)
    assert job.snapshot().error == "MemoryError: no room for the model"
    assert jobs.running_solves() == 0
