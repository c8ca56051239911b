"""The domain's own arithmetic: the hours an operator owes in a month."""

from datetime import date

from planner.domain import Operator
from planner.month import parse_month

# February 2026 in Russia: 19 working days (the 23rd, Defender of the Fatherland Day, is a holiday).
FEBRUARY = parse_month("2026-02", "Europe/Moscow", "RU")


def test_the_norm_is_the_rates_share_of_every_working_day():
    assert len(FEBRUARY.working_days) == 19
    assert Operator("a", "A", 1.0).norm_hours(FEBRUARY, 8) == 152
    assert Operator("s", "S", 0.5).norm_hours(FEBRUARY, 8) == 76


def test_working_days_on_leave_come_off_the_norm_and_days_off_do_not():
    leave = frozenset({date(2026, 2, 2), date(2026, 2, 3), date(2026, 2, 7)})  # Mon, Tue and a Saturday
    assert Operator("a", "A", 0.75, unavailable=leave).norm_hours(FEBRUARY, 8) == 0.75 * 8 * 17
