"""planner.swaps: a swap moves shifts with their times, and is refused for every hard rule it would break."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from helpers.roster_fixtures import FEBRUARY, operator, rules
from planner.domain import Roster, Shift
from planner.month import Month
from planner.swaps import Swap, SwapNotPossible, swap_edits, swap_violations, swapped
from planner.validate import validate_roster

RULES = rules()
EVERY_DAY = range(1, 29)


def shift(operator_id: str, day: int, start: int, hours: int = 8, month: Month = FEBRUARY) -> Shift:
    begin = datetime(month.year, month.month, day, start, tzinfo=month.tz)
    return Shift(operator_id, begin, begin + timedelta(hours=hours))


def feb(day: int) -> date:
    return date(2026, 2, day)


def test_a_swap_trades_the_two_shifts_with_their_times_and_a_gift_moves_one():
    roster = Roster(FEBRUARY, (shift("ann", 3, 8), shift("bob", 5, 16)))
    after = swapped(roster, Swap("swap", "ann", feb(3), "bob", feb(5)))
    assert sorted((s.operator_id, s.day.day, s.start.hour) for s in after.shifts) == [("ann", 5, 16), ("bob", 3, 8)]
    assert [(e.operator_id, e.day.day, e.before, e.after) for e in swap_edits(roster, after, Swap(
        "swap", "ann", feb(3), "bob", feb(5)))] == [
        ("ann", 3, "08–16", ""), ("ann", 5, "", "16–24"), ("bob", 3, "", "08–16"), ("bob", 5, "16–24", "")]
    given = swapped(roster, Swap("give", "ann", feb(3), "bob"))
    assert sorted((s.operator_id, s.day.day) for s in given.shifts) == [("bob", 3), ("bob", 5)]


@pytest.mark.parametrize(("swap", "message"), [
    (Swap("swap", "ann", feb(4), "bob", feb(5)), "ann has no shift starting on 2026-02-04"),
    (Swap("swap", "ann", feb(3), "bob", feb(6)), "bob has no shift starting on 2026-02-06"),
    (Swap("give", "ann", feb(3), "cat"), "cat already has a shift on 2026-02-03"),
    (Swap("swap", "ann", feb(3), "ann", feb(3)), "a swap needs two different operators"),
    (Swap("give", "ann", feb(3), "bob", feb(5)), "a shift given away takes no shift in return"),
])
def test_a_swap_naming_a_shift_that_is_not_there_is_not_possible(swap, message):
    roster = Roster(FEBRUARY, (shift("ann", 3, 8), shift("bob", 5, 16), shift("cat", 3, 20)))
    with pytest.raises(SwapNotPossible, match=message):
        swapped(roster, swap)


# Each case: operators, the roster, the swap, and the one rule it breaks; the same roster without the swap
# breaks nothing.
CASES = {
    "rest_between_shifts": (
        [operator("ann", EVERY_DAY), operator("bob", EVERY_DAY)],
        [shift("ann", 3, 16), shift("bob", 4, 4)],
        Swap("give", "bob", feb(4), "ann")),  # ann would start at 04:00, four hours after her shift ended
    "contracts": (
        [operator("ann", EVERY_DAY), operator("bob", EVERY_DAY, rate=0.75)],
        [shift("ann", 3, 8)],
        Swap("give", "ann", feb(3), "bob")),  # bob's contract is 6-hour shifts
    "availability": (
        [operator("ann", EVERY_DAY), operator("bob", EVERY_DAY, window=("16:00", "24:00"))],
        [shift("ann", 3, 8)],
        Swap("give", "ann", feb(3), "bob")),  # bob works evenings only
    "max_consecutive_days": (
        [operator("ann", EVERY_DAY), operator("bob", EVERY_DAY)],
        [*(shift("bob", day, 8) for day in (1, 2, 3, 4, 5)), shift("bob", 7, 16), shift("ann", 6, 8)],
        Swap("give", "ann", feb(6), "bob")),  # bob would work seven days in a row
    "weekly_rest": (
        [operator("ann", EVERY_DAY), operator("bob", EVERY_DAY)],
        [shift("bob", 2, 16), shift("bob", 4, 16), shift("bob", 6, 16), shift("ann", 7, 16)],
        Swap("give", "ann", feb(7), "bob")),  # bob's longest rest that week would be 40 hours, not 42
}


@pytest.mark.parametrize("rule", sorted(CASES))
def test_a_swap_is_refused_for_each_hard_rule_it_would_break(rule):
    operators, shifts, swap = CASES[rule]
    roster = Roster(FEBRUARY, tuple(shifts))
    assert validate_roster(roster, operators, RULES) == []
    assert rule in {violation.rule for violation in swap_violations(roster, swap, operators, RULES)}


def test_a_swap_is_checked_across_the_first_with_last_months_shifts():
    january = Month(2026, 1, "Europe/Moscow", "RU")
    operators = [operator("ann", EVERY_DAY), operator("bob", EVERY_DAY)]
    roster = Roster(FEBRUARY, (shift("ann", 1, 4),))
    last_month = Roster(january, (shift("bob", 31, 16, month=january),))  # bob ends at 24:00 on 31 January
    swap = Swap("give", "ann", feb(1), "bob")
    assert swap_violations(roster, swap, operators, RULES) == []
    assert {v.rule for v in swap_violations(roster, swap, operators, RULES, last_month)} == {"rest_between_shifts"}
