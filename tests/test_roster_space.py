"""The shift space the model, the aggregate and the greedy construction share: starts, terms, windows, nights."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

import pytest

from helpers.roster_fixtures import FEBRUARY, need, operator, rules, staffing
from planner.clock import parse_hhmm
from planner.domain import Roster, Shift
from planner.month import Month, after_elapsed
from planner.roster.space import ShiftSpace, fits_window

BERLIN = rules({"centre": {"timezone": "Europe/Berlin", "country": "DE"}})
SPRING = Month(2026, 3, "Europe/Berlin", "DE")  # 29 March: 02:00 -> 03:00
AUTUMN = Month(2026, 10, "Europe/Berlin", "DE")  # 25 October: 03:00 -> 02:00


def _minutes(start: str, end: str) -> tuple[int, int]:
    begin, finish = parse_hhmm(start), parse_hhmm(end)
    return begin, finish if finish > begin else finish + 1440


@pytest.mark.parametrize(
    ("window", "shift", "fits"),
    [
        (("00:00", "24:00"), ("23:00", "07:00"), True),
        (("09:00", "17:00"), ("09:00", "17:00"), True),
        (("09:00", "17:00"), ("10:00", "18:00"), False),
        (("17:00", "24:00"), ("18:00", "22:00"), True),
        (("17:00", "24:00"), ("21:00", "01:00"), False),
        (("20:00", "08:00"), ("22:00", "06:00"), True),
        (("20:00", "08:00"), ("00:00", "04:00"), True),  # after midnight, inside the window opened the evening before
        (("20:00", "08:00"), ("02:00", "10:00"), False),
        (("20:00", "08:00"), ("12:00", "20:00"), False),
    ],
)
def test_fits_window(window, shift, fits):
    assert fits_window(*_minutes(*shift), parse_hhmm(window[0]), parse_hhmm(window[1])) is fits


def test_terms_norm_counts_working_days_without_holidays_or_leave():
    # February 2026 in Russia: 20 weekdays, Defender of the Fatherland Day on Monday the 23rd.
    assert FEBRUARY.public_holidays == {FEBRUARY.days[22]}
    everyone = operator("a", free=range(1, 29), rate=0.75)
    on_leave = operator("b", free=[day for day in range(1, 29) if day not in (3, 4, 7)], rate=0.75)  # 7th: Saturday
    space = ShiftSpace(staffing(), [everyone, on_leave], rules(loose_norm=False))

    full, leave = space.terms
    assert (full.shift_hours, full.norm_hours, full.min_shifts, full.max_shifts) == (6, 114, 18, 20)
    assert (leave.norm_hours, leave.min_shifts, leave.max_shifts) == (102, 16, 18)


def test_starts_by_day_follow_the_clock_changes():
    spring = ShiftSpace(staffing(month=SPRING), [], BERLIN)
    autumn = ShiftSpace(staffing(month=AUTUMN), [], BERLIN)
    assert len(spring.starts_by_day[28 - 1]) == 24 and len(spring.starts_by_day[29 - 1]) == 23
    assert len(autumn.starts_by_day[25 - 1]) == 25
    assert [f"{autumn.start_time(s):%H}" for s in autumn.starts_by_day[25 - 1][:4]] == ["00", "01", "02", "02"]


def test_wall_minutes_and_covered_hours_are_real_time():
    space = ShiftSpace(staffing(month=SPRING), [], BERLIN)
    night = SPRING.hour_index(datetime(2026, 3, 28, 22, tzinfo=SPRING.tz))
    assert space.wall_minutes(night, 8) == (22 * 60, 24 * 60 + 7 * 60)  # 8 real hours end at 07:00
    assert len(space.covered_hours(night, 8)) == 8
    last = space.hour_count - 1
    assert list(space.covered_hours(last, 8)) == [last]  # the rest of the shift falls in April


@pytest.mark.parametrize(
    ("hour", "length", "night"),
    [(22, 8, True), (3, 8, True), (4, 8, False), (20, 4, False), (19, 4, False), (21, 4, True), (14, 8, False)],
)
def test_night_shift_has_three_hours_between_22_and_6(hour, length, night):
    space = ShiftSpace(staffing(), [], rules())
    assert space.is_night_shift(FEBRUARY.hour_index(datetime(2026, 2, 10, hour, tzinfo=FEBRUARY.tz)), length) is night


def test_night_shift_on_the_last_evening_of_the_month():
    space = ShiftSpace(staffing(), [], rules())
    assert space.is_night_shift(FEBRUARY.hour_index(datetime(2026, 2, 28, 22, tzinfo=FEBRUARY.tz)), 8)


@pytest.mark.parametrize(("day", "weekend"), [(7, True), (8, True), (23, True), (24, False)])
def test_weekend_start_includes_public_holidays(day, weekend):
    space = ShiftSpace(staffing(), [], rules())
    assert space.is_weekend_start(FEBRUARY.hour_index(datetime(2026, 2, day, 12, tzinfo=FEBRUARY.tz))) is weekend


def test_one_operators_space_keeps_the_required_it_is_given_net_of_last_months_night_shifts():
    # Last month's night of "a" covers the 1st until 06:00: the month requires nobody then, and the space of "a"
    # alone, planned against what the others leave, must not subtract that night a second time.
    night = datetime(2026, 1, 31, 22, tzinfo=FEBRUARY.tz)
    previous = Roster(FEBRUARY.before, (Shift("a", night, after_elapsed(night, 8)),))
    plan = staffing(need(1, 0, 8, operators=2))
    space = ShiftSpace(plan, [operator("a", free=range(1, 29)), operator("b", free=range(1, 29))], rules(),
                       previous=previous)
    assert space.required[:8] == (1,) * 6 + (2,) * 2
    assert space.for_operator(0).required == space.required
    residual = replace(plan, required=space.required)
    assert space.for_operator(0, residual).required == space.required
