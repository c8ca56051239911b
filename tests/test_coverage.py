from datetime import datetime, timedelta

from planner.config import parse_rules
from planner.coverage import coverage_rows, coverage_totals
from planner.domain import Forecast, Roster, Shift, StaffingPlan
from planner.month import Month, after_elapsed


def _plan(month: Month, required: int) -> StaffingPlan:
    n = len(month.hours)
    forecast = Forecast(month, calls=(10.0,) * n, aht_sec=(300.0,) * n)
    return StaffingPlan(forecast, required=(required,) * n, erlang_agents=(required,) * n)


def test_scheduled_on_phones_and_shortfall_per_hour():
    month = Month(2026, 2, "Europe/Moscow")
    start = datetime(2026, 2, 1, 9, tzinfo=month.tz)
    shift = Shift("a", start, after_elapsed(start, 8), breaks=(start + timedelta(hours=2, minutes=55),))
    rows = coverage_rows(_plan(month, 2), Roster(month, (shift,)), parse_rules({}).breaks)
    by_hour = {row.interval_start.hour: row for row in rows[:24]}
    assert by_hour[8].scheduled == 0 and by_hour[9].scheduled == 1 and by_hour[16].scheduled == 1
    assert by_hour[17].scheduled == 0
    # The break 11:55-12:05 takes 5 minutes from each of two hours.
    assert by_hour[11].on_phones == round(1 - 5 / 60, 4) and by_hour[12].on_phones == round(1 - 5 / 60, 4)
    assert by_hour[10].on_phones == 1
    totals = coverage_totals(rows)
    assert totals.required_agent_hours == 2 * 672
    assert totals.under_coverage_agent_hours == 2 * 672 - 8
    assert totals.over_coverage_agent_hours == 0


def test_a_shift_on_the_long_dst_night_covers_eight_real_hours():
    month = Month(2026, 10, "Europe/Berlin", "DE")
    start = datetime(2026, 10, 24, 22, tzinfo=month.tz)
    rows = coverage_rows(_plan(month, 1), Roster(month, (Shift("a", start, after_elapsed(start, 8)),)))
    assert sum(row.scheduled for row in rows) == 8
    assert coverage_totals(rows).over_coverage_agent_hours == 0


def test_a_shift_running_past_the_month_counts_only_inside_it():
    month = Month(2026, 2, "Europe/Moscow")
    start = datetime(2026, 2, 28, 20, tzinfo=month.tz)
    rows = coverage_rows(_plan(month, 0), Roster(month, (Shift("a", start, after_elapsed(start, 8)),)))
    assert sum(row.scheduled for row in rows) == 4
    assert coverage_totals(rows).over_coverage_agent_hours == 4


def test_last_months_night_shift_counts_in_the_first_hours_of_the_month():
    month = Month(2026, 2, "Europe/Moscow")
    night = datetime(2026, 1, 31, 22, tzinfo=month.tz)
    evening = datetime(2026, 1, 31, 14, tzinfo=month.tz)
    previous = Roster(month.before, (Shift("a", night, after_elapsed(night, 8)),
                                     Shift("b", evening, after_elapsed(evening, 8))))
    rows = coverage_rows(_plan(month, 1), Roster(month, ()), previous=previous)
    assert [row.scheduled for row in rows[:8]] == [1] * 6 + [0] * 2
    assert coverage_totals(rows).under_coverage_agent_hours == 672 - 6
