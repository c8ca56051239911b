from __future__ import annotations

from helpers.roster_fixtures import need, operator, rules, staffing
from planner.capacity import capacity_warnings

WEEK = range(2, 7)


def test_a_month_the_operators_can_cover_gets_no_warning():
    team = [operator("op1", free=WEEK), operator("op2", free=WEEK)]
    assert capacity_warnings(staffing(*(need(day, 9, 8) for day in WEEK)), team, rules(loose_norm=False)) == []


def test_too_few_hours_are_told_with_the_shortfall_that_no_roster_avoids():
    # One full-timer, five working days: at most 6 shifts (norm 5 + 1) = 48 h against 2 x 40 required.
    plan = staffing(*(need(day, 9, 8, operators=2) for day in WEEK))
    [warning] = capacity_warnings(plan, [operator("op1", free=WEEK)], rules(loose_norm=False))
    assert warning.kind == "hours"
    assert "at most 48 hours" in warning.message and "80 agent-hours" in warning.message
    assert "at least 32 will be short" in warning.message


def test_hours_no_window_covers_are_named_as_a_run_of_the_day():
    day_people = [operator(f"op{i}", free=WEEK, window=("08:00", "20:00")) for i in range(3)]
    plan = staffing(*(need(day, 0, 24) for day in WEEK))
    messages = [str(w) for w in capacity_warnings(plan, day_people, rules()) if w.kind == "uncovered"]
    assert messages == [
        "00:00–08:00 on 5 day(s) (02.02, 03.02, 04.02, 05.02, 06.02): operators are required but no operator's "
        "window and free days allow a shift then.",
        "20:00–24:00 on 5 day(s) (02.02, 03.02, 04.02, 05.02, 06.02): operators are required but no operator's "
        "window and free days allow a shift then.",
    ]
