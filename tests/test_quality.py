"""A roster in a planner's words, measured on hand-made shifts."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

from helpers.roster_fixtures import FEBRUARY, need, operator, rules, staffing
from planner.domain import Roster, Shift, ShiftRequest
from planner.quality import Spread, roster_quality

RULES = rules()


def _shift(op_id: str, day: int, hour: int, hours: int = 8) -> Shift:
    start = datetime(2026, 2, day, hour, tzinfo=FEBRUARY.tz)
    return Shift(op_id, start, start + timedelta(hours=hours))


def test_wishes_granted_count_days_off_and_requests_as_asked():
    wisher = replace(
        operator("a", free=range(2, 9), wished=[2, 3]),
        shift_requests=frozenset({
            ShiftRequest(FEBRUARY.days[3], "evening"),
            ShiftRequest(FEBRUARY.days[4], "night", False),
            ShiftRequest(FEBRUARY.days[5], "day"),
        }),
    )
    # Off on the 2nd (granted), working the 3rd (not), an evening on the 4th (granted), a day on the 5th instead
    # of a night (granted), nothing on the 6th where a day was asked for (not).
    roster = Roster(FEBRUARY, (_shift("a", 3, 9), _shift("a", 4, 15), _shift("a", 5, 9)))

    quality = roster_quality(staffing(), roster, [wisher], RULES)

    assert (quality.wishes, quality.wishes_granted) == (5, 3)


def test_spreads_count_only_those_who_can_work_such_shifts():
    night_worker, other = operator("a", free=range(2, 9)), operator("b", free=range(2, 9))
    day_worker = operator("c", free=range(2, 9), window=("09:00", "17:00"))
    roster = Roster(FEBRUARY, (_shift("a", 2, 22), _shift("a", 4, 22), _shift("b", 7, 9), _shift("c", 8, 9)))

    quality = roster_quality(staffing(), roster, [night_worker, other, day_worker], RULES)

    # c cannot work a night: the nights are shared between a (2) and b (0) only; everyone can work weekends.
    assert quality.nights == Spread(0, 2)
    assert quality.weekends == Spread(0, 1)


def test_shortfall_is_told_against_the_bound():
    plan = staffing(need(2, 9, 8), need(3, 9, 8, 2))
    roster = Roster(FEBRUARY, (_shift("a", 2, 9), _shift("a", 3, 9)))

    quality = roster_quality(plan, roster, [operator("a", free=[2, 3])], RULES, shortfall_bound=4)

    assert (quality.required_hours, quality.shortfall_hours, quality.above_bound_hours) == (24, 8, 4)
    assert quality.shortfall_share == 8 / 24
    assert "short 8 of 24 operator-hours (33.3%), 4 above what any roster could do (4)" in quality.sentence()
    assert "wishes granted 0 of 0" in quality.sentence()
