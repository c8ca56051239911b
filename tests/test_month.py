from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from planner.month import Month, after_elapsed, parse_month


def test_december_2026_in_moscow():
    month = Month(2026, 12, "Europe/Moscow", "RU")
    assert len(month.hours) == 744 and len(month.days) == 31
    assert month.public_holidays == {date(2026, 12, 31)}
    assert len(month.working_days) == 22  # 23 weekdays minus New Year's Eve, a day off in 2026
    assert month.is_weekend(date(2026, 12, 5)) and month.is_weekend(date(2026, 12, 31))
    assert not month.is_weekend(date(2026, 12, 7))


def test_dst_days_have_23_and_25_hours():
    march, october = Month(2026, 3, "Europe/Berlin", "DE"), Month(2026, 10, "Europe/Berlin", "DE")
    assert len(march.hours) == 31 * 24 - 1
    assert len(october.hours) == 31 * 24 + 1
    long_day = [h for h in october.hours if h.date() == date(2026, 10, 25)]
    assert len(long_day) == 25
    assert [h.hour for h in long_day[:4]] == [0, 1, 2, 2]
    assert october.hour_index(long_day[3]) == october.hour_index(long_day[2]) + 1


def test_after_elapsed_counts_real_hours_across_dst():
    berlin = ZoneInfo("Europe/Berlin")
    start = datetime(2026, 10, 24, 22, tzinfo=berlin)
    assert after_elapsed(start, 8).hour == 5  # the night has 9 wall-clock hours
    assert after_elapsed(datetime(2026, 3, 28, 22, tzinfo=berlin), 8).hour == 7


def test_parse_month():
    assert parse_month("2027-01", "Europe/Moscow").month == 1
    with pytest.raises(ValueError, match="YYYY-MM"):
        parse_month("01/2027", "Europe/Moscow")
