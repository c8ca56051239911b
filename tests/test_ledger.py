"""The ledger of nights and weekend shifts the fairness rules count from the months before."""

from datetime import datetime, timedelta

from planner.config import parse_rules
from planner.domain import Operator, Roster, Shift
from planner.ledger import PastLoad, past_loads
from planner.month import Month

ZONE, COUNTRY = "Europe/Moscow", "RU"
MARCH = Month(2026, 3, ZONE, COUNTRY)
FEBRUARY, JANUARY, DECEMBER = MARCH.before, MARCH.before.before, Month(2025, 12, ZONE, COUNTRY)
OPERATORS = [Operator("a", "Anna", 1.0), Operator("b", "Boris", 1.0), Operator("new", "Nadia", 1.0)]
RULES = parse_rules({})  # months_back 3: February, January and December count for March


def _shift(op_id: str, month: Month, day: int, hour: int) -> Shift:
    start = datetime(month.year, month.month, day, hour, tzinfo=month.tz)
    return Shift(op_id, start, start + timedelta(hours=8))


def _roster(month: Month, *shifts: tuple[str, int, int]) -> Roster:
    return Roster(month, tuple(_shift(op_id, month, day, hour) for op_id, day, hour in shifts))


# Weekdays of each month: nights at 22:00, days at 09:00; 7 February 2026 is a Saturday.
FEBRUARY_ROSTER = _roster(FEBRUARY, ("a", 3, 22), ("a", 4, 22), ("b", 5, 9), ("b", 7, 9))
JANUARY_ROSTER = _roster(JANUARY, ("a", 13, 22), ("b", 14, 22), ("b", 15, 9))
NOVEMBER_ROSTER = _roster(Month(2025, 11, ZONE, COUNTRY), ("b", 3, 22), ("b", 4, 22))


def test_nights_and_weekends_add_up_over_the_months_looked_back_on():
    ledger = past_loads(MARCH, [FEBRUARY_ROSTER, JANUARY_ROSTER, NOVEMBER_ROSTER], OPERATORS[:2], RULES)

    # November is four months before March: beyond months_back.
    assert ledger["a"] == PastLoad(nights=3, weekends=0, nights_months=2, weekends_months=2)
    assert ledger["b"] == PastLoad(nights=1, weekends=1, nights_months=2, weekends_months=2)


def test_a_month_without_any_shift_counts_as_the_average_of_those_who_worked_it():
    ledger = past_loads(MARCH, [FEBRUARY_ROSTER, JANUARY_ROSTER], OPERATORS, RULES)

    # February: a 2 nights, b none -> 1; January: a 1, b 1 -> 1; weekends 0 and 1 -> half up, 1 in February.
    assert (ledger["new"].nights, ledger["new"].weekends) == (2, 1)


def test_each_rule_looks_back_as_far_as_its_own_months_back():
    rules = parse_rules({"rules": {"fair_nights": {"months_back": 1}, "fair_weekends": {"months_back": 0}}})
    ledger = past_loads(MARCH, [JANUARY_ROSTER, FEBRUARY_ROSTER], OPERATORS[:2], rules)

    assert ledger["a"] == PastLoad(nights=2, weekends=0, nights_months=1, weekends_months=0)
    assert ledger["b"].weekends == 0


def test_months_not_before_the_planned_one_and_second_copies_are_left_out():
    march_roster = _roster(MARCH, ("a", 2, 22))
    second_february = _roster(FEBRUARY, ("b", 3, 22), ("b", 4, 22), ("b", 5, 22))
    ledger = past_loads(MARCH, [None, march_roster, FEBRUARY_ROSTER, second_february], OPERATORS[:2], RULES)

    assert (ledger["a"].nights, ledger["b"].nights, ledger["a"].nights_months) == (2, 0, 1)
    assert past_loads(MARCH, [], OPERATORS, RULES)["a"] == PastLoad()
