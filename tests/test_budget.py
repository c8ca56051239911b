"""One time limit for the whole run: the roster's share from the start, the breaks' and cars' of what is left."""

import subprocess
import sys
import time

import pytest

from planner.budget import BREAKS_SHARE, MIN_ROSTER_SECONDS, ROSTER_SHARE, TAXI_SHARE, AfterRoster, TimeBudget


def test_the_roster_gets_its_share_less_what_reading_the_files_took():
    assert TimeBudget(100).roster_seconds() == pytest.approx(100 * ROSTER_SHARE, abs=0.1)
    ten_seconds_in = TimeBudget(100, started=time.monotonic() - 10)
    assert ten_seconds_in.roster_seconds() == pytest.approx(100 * ROSTER_SHARE - 10, abs=0.1)
    assert ten_seconds_in.after_roster().seconds == pytest.approx(90, abs=0.1)


def test_a_run_already_out_of_time_still_gets_the_least_useful_searches():
    late = TimeBudget(10, started=time.monotonic() - 60)
    assert late.roster_seconds() == MIN_ROSTER_SECONDS
    left = late.after_roster()
    assert left.seconds == 0
    assert left.per_break_day(31, 1.0) > 0 and left.per_ride_group(5, 2.0) > 0


def test_breaks_and_cars_share_what_is_left_within_the_rules_ceilings():
    left = AfterRoster(62)
    assert left.per_break_day(31, ceiling=10.0) * 31 <= 62 * BREAKS_SHARE
    assert left.per_break_day(31, ceiling=0.5) == 0.5
    assert left.per_ride_group(4, ceiling=10.0) == pytest.approx(62 * TAXI_SHARE / 4)
    assert left.per_ride_group(0, ceiling=10.0) == pytest.approx(62 * TAXI_SHARE)


def test_a_process_is_as_old_as_the_time_since_it_began():
    # A fresh interpreter that waits a second before asking: its age counts the wait and its own start.
    code = "import time; time.sleep(1); from planner.budget import process_age; print(process_age())"
    age = float(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout)
    assert 1.0 <= age < 5.0
