"""Times of day: 'HH:MM' read and written the same way everywhere, windows that wrap midnight."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from planner.clock import DAY_MINUTES, hhmm, in_daily_window, parse_hhmm


@given(st.integers(0, DAY_MINUTES))
def test_a_time_written_reads_back_as_the_same_minute(minute):
    assert parse_hhmm(hhmm(minute)) == minute


@pytest.mark.parametrize(("text", "minutes"), [("0:00", 0), ("07:05", 425), (" 18:00 ", 1080), ("24:00", 1440)])
def test_times_of_day_are_read_as_minutes_after_midnight(text, minutes):
    assert parse_hhmm(text) == minutes


@pytest.mark.parametrize("text", ["24:01", "25:00", "7", "07:60", "7h", ""])
def test_anything_but_a_time_of_day_is_refused_with_what_was_written(text):
    with pytest.raises(ValueError, match="HH:MM|at most 24:00"):
        parse_hhmm(text)


@pytest.mark.parametrize(("minute", "inside"), [(22 * 60, True), (23 * 60 + 59, True), (0, True), (5 * 60 + 59, True),
                                                (6 * 60, False), (12 * 60, False), (DAY_MINUTES + 60, True)])
def test_a_night_window_wraps_midnight(minute, inside):
    assert in_daily_window(minute, 22 * 60, 6 * 60) is inside


def test_a_day_window_holds_its_start_and_not_its_end():
    assert in_daily_window(8 * 60, 8 * 60, 20 * 60) and not in_daily_window(20 * 60, 8 * 60, 20 * 60)
