from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from planner.config import parse_rules
from planner.domain import Operator, Roster, Shift
from planner.grid import apply_grid, operator_loads, parse_code, roster_grid, shift_code
from planner.month import Month, after_elapsed
from planner.quality import StartTimes, start_times

MOSCOW = Month(2026, 12, "Europe/Moscow", "RU")
BERLIN = Month(2026, 10, "Europe/Berlin", "DE")
RULES = parse_rules({})
OPS = [Operator("a", "Anna", 1.0), Operator("b", "Boris", 0.75)]


def shift(op: str, day: int, hour: int, hours: int, month: Month = MOSCOW, breaks=()) -> Shift:
    start = datetime(month.year, month.month, day, hour, tzinfo=month.tz)
    return Shift(op, start, after_elapsed(start, hours), breaks)


def test_codes_show_start_and_end_with_24_for_midnight():
    tz = MOSCOW.tz
    assert shift_code(shift("a", 5, 9, 8), tz) == "09–17"
    assert shift_code(shift("b", 5, 18, 6), tz) == "18–24"
    assert shift_code(shift("a", 5, 22, 8), tz) == "22–06"


def test_grid_has_every_operator_and_day_blank_for_days_off():
    grid = roster_grid(Roster(MOSCOW, (shift("a", 5, 9, 8),)), OPS)
    assert list(grid) == ["a", "b"] and len(grid["a"]) == 31
    assert grid["a"][date(2026, 12, 5)] == "09–17" and grid["a"][date(2026, 12, 6)] == ""
    assert set(grid["b"].values()) == {""}


@pytest.mark.parametrize("text", ["18-24", "18–24", " 18 — 24 ", "18:00-24:00", "18:00–00"])
def test_codes_are_read_in_the_spellings_planners_type(text):
    start, end = parse_code(text, date(2026, 12, 5), MOSCOW.tz)
    assert (start.hour, end - start) == (18, timedelta(hours=6))
    assert end.date() == date(2026, 12, 6)


@pytest.mark.parametrize("text, message", [
    ("nine to five", "is not a shift code"),
    ("25-03", "not on the clock"),
    ("09:75-17", "not on the clock"),
])
def test_unreadable_codes_say_why(text, message):
    with pytest.raises(ValueError, match=message):
        parse_code(text, date(2026, 12, 5), MOSCOW.tz)


def test_dst_night_codes_take_real_hours():
    # 25 October 2026, Berlin: 03:00 summer time becomes 02:00 winter time; 22–06 lasts nine real hours.
    start, end = parse_code("22-06", date(2026, 10, 24), BERLIN.tz)
    assert after_elapsed(start, 9) == end
    # Ending at the repeated 02:00: the reading that gives the contract's 8 hours wins.
    start, end = parse_code("19-02", date(2026, 10, 24), BERLIN.tz, hours=8)
    assert after_elapsed(start, 8) == end
    with pytest.raises(ValueError, match="clocks skip"):
        parse_code("02:30-10", date(2026, 3, 29), BERLIN.tz)


def test_apply_grid_keeps_untouched_shifts_with_breaks_and_lists_edits():
    kept = shift("a", 5, 9, 8, breaks=(datetime(2026, 12, 5, 11, tzinfo=MOSCOW.tz),))
    roster = Roster(MOSCOW, (kept, shift("a", 6, 9, 8)))
    grid = roster_grid(roster, OPS)
    grid["a"][date(2026, 12, 6)] = ""  # day off now
    grid["b"][date(2026, 12, 7)] = "18-24"  # a new evening shift
    result = apply_grid(grid, roster, OPS, RULES)
    assert kept in result.roster.shifts
    assert {(e.operator_id, e.day, e.before, e.after) for e in result.edits} == {
        ("a", date(2026, 12, 6), "09–17", ""), ("b", date(2026, 12, 7), "", "18-24")}
    assert [shift_code(s, MOSCOW.tz) for s in result.roster.shifts] == ["09–17", "18–24"]
    assert result.problems == ()


def test_apply_grid_reports_a_typo_and_keeps_the_old_shift():
    roster = Roster(MOSCOW, (shift("a", 5, 9, 8),))
    grid = roster_grid(roster, OPS)
    grid["a"][date(2026, 12, 5)] = "9 to 5"
    result = apply_grid(grid, roster, OPS, RULES)
    assert result.roster.shifts == roster.shifts and result.edits == ()
    [problem] = result.problems
    assert str(problem).startswith("a, 2026-12-05: '9 to 5' is not a shift code")


@given(st.lists(st.tuples(st.sampled_from(["a", "b"]), st.integers(1, 31), st.integers(0, 23)), max_size=12))
def test_property_a_grid_read_back_unchanged_is_the_same_roster(cells):
    shifts = {(op, day): shift(op, day, hour, 8 if op == "a" else 6) for op, day, hour in cells}
    roster = Roster(MOSCOW, tuple(sorted(shifts.values(), key=lambda s: (s.start, s.operator_id))))
    result = apply_grid(roster_grid(roster, OPS), roster, OPS, RULES)
    assert set(result.roster.shifts) == set(roster.shifts) and result.edits == () and result.problems == ()


def test_operator_loads_count_hours_norm_nights_and_weekends():
    roster = Roster(MOSCOW, (shift("a", 5, 22, 8), shift("a", 7, 9, 8), shift("b", 8, 18, 6)))
    loads = {load.operator_id: load for load in operator_loads(roster, OPS, RULES)}
    working_days = len(MOSCOW.working_days)
    assert (loads["a"].shifts, loads["a"].hours, loads["a"].nights, loads["a"].weekends) == (2, 16, 1, 1)
    assert loads["a"].norm_hours == 8 * working_days
    assert loads["b"].norm_hours == 0.75 * 8 * working_days and loads["b"].nights == 0
    assert loads["a"].hours_off_norm == 16 - 8 * working_days


def test_operator_loads_count_start_hours_and_moves_beyond_the_tolerance():
    # 09:00, 13:00 (4 h later: beyond 2), 14:00 (1 h), a day off, then 22:00 (no day before it worked);
    # A 21:00 the day after a 01:00 is 4 h apart on the clock, not 20.
    roster = Roster(MOSCOW, (shift("a", 1, 9, 8), shift("a", 2, 13, 8), shift("a", 3, 14, 8), shift("a", 5, 22, 8),
                             shift("b", 8, 1, 6), shift("b", 9, 21, 6)))
    loads = {load.operator_id: load for load in operator_loads(roster, OPS, RULES)}
    assert (loads["a"].start_hours, loads["a"].consecutive_days, loads["a"].start_moves) == (4, 2, 1)
    assert (loads["b"].start_hours, loads["b"].consecutive_days, loads["b"].start_moves) == (2, 1, 1)
    steadiness = start_times(list(loads.values()), RULES.rules.start_time_stability.tolerance_hours)
    assert steadiness == StartTimes(tolerance_hours=2, consecutive_working_days=3, start_moves_beyond_tolerance=2,
                                    share_moved=0.6667, median_distinct_start_hours=3)
