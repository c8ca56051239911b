"""One tiny month per rule of the model: the rule binds, the optimum keeps it, and the same month solved
`without` the rule breaks it (or measures strictly worse) — so each test fails if its `add_<rule>` is emptied.

Hard rules are judged by the independent validator, soft rules by what they are about, measured on the shifts.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace
from datetime import UTC, datetime, timedelta

from helpers.roster_fixtures import (
    FEBRUARY,
    assert_valid,
    broken_rules,
    need,
    operator,
    overstaffing,
    rules,
    shift_counts,
    shortfall,
    solve_model,
    solve_optimum,
    staffing,
)
from planner.config import HARD_RULES
from planner.domain import Roster, Shift, ShiftRequest, WeeklyHours
from planner.month import Month
from planner.roster.model import RULES, build_model
from planner.roster.space import DayRequest, ShiftSpace

# February 2026: the 3rd-5th are Tuesday-Thursday; the 7th/8th and 14th are a Saturday, Sunday and Saturday.
TUESDAY, WEDNESDAY, THURSDAY = 3, 4, 5
SATURDAY, SUNDAY, NEXT_SATURDAY = 7, 8, 14
DAY_JOB = ("09:00", "17:00")  # an 8-hour shift fits only from 09:00
NIGHTS = ("22:00", "06:00")  # an 8-hour shift fits only from 22:00


def test_every_rule_of_the_model_has_a_test_here():
    tests = [name for name in globals() if name.startswith("test_")]
    untested = [rule for rule in (*RULES, "availability") if not any(t.startswith(f"test_{rule}_") for t in tests)]
    assert untested == []


def test_hard_rules_are_never_priced_and_the_soft_ones_are():
    """HARD_RULES is read off the rules file's fields (a rule without a weight is hard); the model must agree."""
    wishing = operator("a", free=[TUESDAY, WEDNESDAY], window=DAY_JOB, wished=[TUESDAY])
    space = ShiftSpace(staffing(need(TUESDAY, 9, 8)), [wishing, operator("b", free=[TUESDAY, WEDNESDAY])], rules())
    priced = {penalty.rule for penalty in build_model(space).penalties}
    assert priced.isdisjoint(HARD_RULES)
    assert {"shortfall", "overstaffing", "days_off_wished", "start_time_stability"} <= priced
    assert {"weekly_rest", "rest_between_shifts", "monthly_norm"} <= set(HARD_RULES)


def test_hard_rules_are_added_in_hard_and_soft_rules_in_soft():
    """The registry takes each rule from the module of its kind, so neither module keeps a rule of the other."""
    modules = {rule: add.__module__ for rule, add in RULES.items()}
    assert modules == {rule: "planner.roster.hard" if rule in HARD_RULES else "planner.roster.soft" for rule in RULES}


# --- hard rules ------------------------------------------------------------------------------------------------


def test_availability_keeps_shifts_inside_the_window():
    day_worker = operator("a", free=[TUESDAY], window=DAY_JOB)
    space = ShiftSpace(staffing(need(TUESDAY, 22, 8)), [day_worker], rules())

    kept = solve_model(space)
    assert_valid(kept, space)
    assert shortfall(space, kept) == 8  # the night stays uncovered: nobody may work it

    broken = solve_model(space, without=frozenset({"availability"}))
    assert shortfall(space, broken) == 0
    assert broken_rules(broken, space) == {"availability"}


def test_availability_keeps_weekly_hours_on_their_weekdays():
    # Issue 16, item 3: free Tuesday and Saturday, but on Tuesdays only from 17:00 (a student's term).
    student = replace(operator("a", free=[TUESDAY, 7]), weekly_hours=(WeeklyHours(1, 17 * 60, 24 * 60),))
    space = ShiftSpace(staffing(need(TUESDAY, 9, 8), need(7, 9, 8)), [student], rules())

    kept = solve_model(space)
    assert_valid(kept, space)
    assert [shift.day.day for shift in kept.shifts] == [7]  # the Saturday morning; Tuesday's is outside his hours

    broken = solve_model(space, without=frozenset({"availability"}))
    assert shortfall(space, broken) == 0
    assert broken_rules(broken, space) == {"availability"}


def test_availability_no_shift_starts_on_an_unavailable_date():
    anyone = operator("a", free=[TUESDAY])
    space = ShiftSpace(staffing(need(WEDNESDAY, 9, 8)), [anyone], rules())

    kept = solve_model(space)
    assert_valid(kept, space)
    assert shortfall(space, kept) == 8

    broken = solve_model(space, without=frozenset({"availability"}))
    assert [shift.day.day for shift in broken.shifts] == [WEDNESDAY]
    assert broken_rules(broken, space) == {"availability"}


def test_rest_between_shifts_after_a_late_shift():
    anyone = operator("a", free=[TUESDAY, WEDNESDAY])
    # 16:00-24:00 then 06:00-14:00: six hours of rest if one operator covers both.
    space = ShiftSpace(staffing(need(TUESDAY, 16, 8), need(WEDNESDAY, 6, 8)), [anyone], rules())

    kept = solve_model(space)
    assert_valid(kept, space)
    assert shortfall(space, kept) > 0

    broken = solve_model(space, without=frozenset({"rest_between_shifts"}))
    assert shortfall(space, broken) == 0
    assert broken_rules(broken, space) == {"rest_between_shifts"}


def test_max_consecutive_days_leaves_a_day_free():
    day_worker = operator("a", free=[TUESDAY, WEDNESDAY, THURSDAY], window=DAY_JOB)
    plan = staffing(*(need(day, 9, 8) for day in (TUESDAY, WEDNESDAY, THURSDAY)))
    space = ShiftSpace(plan, [day_worker], rules({"rules": {"max_consecutive_days": {"max_days": 2}}}))

    kept = solve_model(space)
    assert_valid(kept, space)
    assert shift_counts(kept, space) == {"a": 2}

    broken = solve_model(space, without=frozenset({"max_consecutive_days"}))
    assert shift_counts(broken, space) == {"a": 3}
    assert broken_rules(broken, space) == {"max_consecutive_days"}


def test_max_consecutive_nights_breaks_a_run_of_nights():
    night_worker = operator("a", free=[TUESDAY, WEDNESDAY, THURSDAY], window=NIGHTS)
    plan = staffing(*(need(day, 22, 8) for day in (TUESDAY, WEDNESDAY, THURSDAY)))
    space = ShiftSpace(plan, [night_worker], rules({"rules": {"max_consecutive_nights": {"max_nights": 2}}}))

    kept = solve_model(space)
    assert_valid(kept, space)
    assert shift_counts(kept, space) == {"a": 2}

    broken = solve_model(space, without=frozenset({"max_consecutive_nights"}))
    assert shift_counts(broken, space) == {"a": 3}
    assert broken_rules(broken, space) == {"max_consecutive_nights"}


def test_monthly_norm_makes_an_idle_operator_work():
    # Three free working days: a norm of 24 h, so 16-32 h; nothing is required, overstaffing pulls to zero.
    day_worker = operator("a", free=[TUESDAY, WEDNESDAY, THURSDAY], window=DAY_JOB)
    space = ShiftSpace(staffing(), [day_worker], rules(loose_norm=False))

    kept = solve_model(space)
    assert_valid(kept, space)
    assert shift_counts(kept, space) == {"a": 2}

    broken = solve_model(space, without=frozenset({"monthly_norm"}))
    assert shift_counts(broken, space) == {"a": 0}
    assert broken_rules(broken, space) == {"monthly_norm"}


def _tuesday_and_thursday(rule: str, values: dict) -> ShiftSpace:
    """A day worker free Tuesday to Thursday; days are required on Tuesday and Thursday only."""
    day_worker = operator("a", free=[TUESDAY, WEDNESDAY, THURSDAY], window=DAY_JOB)
    plan = staffing(need(TUESDAY, 9, 8), need(THURSDAY, 9, 8))
    return ShiftSpace(plan, [day_worker], rules({"rules": {rule: values}}))


def _worked_days(roster: Roster) -> list[int]:
    return sorted(shift.day.day for shift in roster.shifts)


def test_min_consecutive_days_keeps_a_run_from_being_a_single_day():
    # Tuesday and Thursday alone are two runs of one day; working Wednesday too (8 idle hours) is the cheapest fix.
    space = _tuesday_and_thursday("min_consecutive_days", {"min_days": 2})

    kept = solve_model(space)
    assert_valid(kept, space)
    assert _worked_days(kept) == [TUESDAY, WEDNESDAY, THURSDAY]

    broken = solve_model(space, without=frozenset({"min_consecutive_days"}))
    assert _worked_days(broken) == [TUESDAY, THURSDAY]
    assert broken_rules(broken, space) == {"min_consecutive_days"}


def test_min_consecutive_days_off_keeps_a_day_off_from_standing_alone():
    space = _tuesday_and_thursday("min_consecutive_days_off", {"min_days": 2})

    kept = solve_model(space)
    assert_valid(kept, space)
    assert _worked_days(kept) == [TUESDAY, WEDNESDAY, THURSDAY]

    broken = solve_model(space, without=frozenset({"min_consecutive_days_off"}))
    assert _worked_days(broken) == [TUESDAY, THURSDAY]
    assert broken_rules(broken, space) == {"min_consecutive_days_off"}


def test_max_consecutive_days_of_an_operator_tighter_than_the_centres():
    careful = replace(operator("a", free=[TUESDAY, WEDNESDAY, THURSDAY], window=DAY_JOB), max_consecutive_days=2)
    plan = staffing(*(need(day, 9, 8) for day in (TUESDAY, WEDNESDAY, THURSDAY)))
    space = ShiftSpace(plan, [careful], rules())  # the centre allows 6 in a row

    kept = solve_model(space)
    assert_valid(kept, space)
    assert shift_counts(kept, space) == {"a": 2}


def test_max_working_weekends_of_an_operator_where_the_centre_has_no_limit():
    parent = replace(operator("a", free=[SATURDAY, SUNDAY, NEXT_SATURDAY], window=DAY_JOB), max_working_weekends=1)
    plan = staffing(*(need(day, 9, 8) for day in (SATURDAY, SUNDAY, NEXT_SATURDAY)))
    space = ShiftSpace(plan, [parent], rules())

    kept = solve_model(space)
    assert_valid(kept, space)
    assert _worked_days(kept) == [SATURDAY, SUNDAY]


def test_max_working_weekends_leaves_a_weekend_free():
    weekend_worker = operator("a", free=[SATURDAY, SUNDAY, NEXT_SATURDAY], window=DAY_JOB)
    plan = staffing(*(need(day, 9, 8) for day in (SATURDAY, SUNDAY, NEXT_SATURDAY)))
    space = ShiftSpace(plan, [weekend_worker], rules({"rules": {"max_working_weekends": {"max_weekends": 1}}}))

    kept = solve_model(space)
    assert_valid(kept, space)
    assert _worked_days(kept) == [SATURDAY, SUNDAY]  # one weekend, both of its days

    broken = solve_model(space, without=frozenset({"max_working_weekends"}))
    assert _worked_days(broken) == [SATURDAY, SUNDAY, NEXT_SATURDAY]
    assert broken_rules(broken, space) == {"max_working_weekends"}


def test_max_shifts_per_type_caps_the_nights():
    night_worker = operator("a", free=[TUESDAY, WEDNESDAY], window=NIGHTS)
    plan = staffing(need(TUESDAY, 22, 8), need(WEDNESDAY, 22, 8))
    space = ShiftSpace(plan, [night_worker], rules({"rules": {"max_shifts_per_type": {"max_shifts": {"night": 1}}}}))

    kept = solve_model(space)
    assert_valid(kept, space)
    assert shift_counts(kept, space) == {"a": 1}

    broken = solve_model(space, without=frozenset({"max_shifts_per_type"}))
    assert shift_counts(broken, space) == {"a": 2}
    assert broken_rules(broken, space) == {"max_shifts_per_type"}


def test_forbidden_successions_no_day_shift_after_a_night():
    # With 4 hours of rest, only the succession rule stands between a night from 21:00 and a day from 09:00; the
    # window leaves no evening start (an evening is no night) to cover most of the night with.
    anyone = operator("a", free=[TUESDAY, WEDNESDAY], window=("21:00", "17:00"))
    plan = staffing(need(TUESDAY, 22, 8), need(WEDNESDAY, 9, 8))
    space = ShiftSpace(plan, [anyone], rules({"rules": {"forbidden_successions": {"pairs": [["night", "day"]]},
                                                         "rest_between_shifts": {"min_hours": 4}}}))

    kept = solve_model(space)
    assert_valid(kept, space)
    assert shift_counts(kept, space) == {"a": 1}

    broken = solve_model(space, without=frozenset({"forbidden_successions"}))
    assert shift_counts(broken, space) == {"a": 2}
    assert broken_rules(broken, space) == {"forbidden_successions"}


ROTATION = {"forward_rotation": {"order": ["day", "evening", "night"]}, "rest_between_shifts": {"min_hours": 4}}


def test_forward_rotation_no_day_shift_after_a_night_but_a_night_after_a_day():
    # As with forbidden_successions above: 4 hours of rest, and a window that leaves no evening start.
    anyone = operator("a", free=[TUESDAY, WEDNESDAY], window=("21:00", "17:00"))
    backwards = ShiftSpace(staffing(need(TUESDAY, 22, 8), need(WEDNESDAY, 9, 8)), [anyone], rules({"rules": ROTATION}))

    kept = solve_model(backwards)
    assert_valid(kept, backwards)
    assert shift_counts(kept, backwards) == {"a": 1}
    broken = solve_model(backwards, without=frozenset({"forward_rotation"}))
    assert shift_counts(broken, backwards) == {"a": 2}
    assert broken_rules(broken, backwards) == {"forward_rotation"}

    forwards = ShiftSpace(staffing(need(TUESDAY, 9, 8), need(WEDNESDAY, 22, 8)), [anyone], rules({"rules": ROTATION}))
    assert shift_counts(solve_model(forwards), forwards) == {"a": 2}


def test_shift_templates_start_shifts_only_at_the_contracts_times():
    # The line needs 09:00-17:00; full-time shifts may start only at 08:00 or 16:00, half-time at any hour.
    full, half = operator("a", free=[TUESDAY]), operator("b", free=[WEDNESDAY], rate=0.5)
    space = ShiftSpace(staffing(need(TUESDAY, 9, 8), need(WEDNESDAY, 9, 4)), [full, half],
                       rules({"rules": {"shift_templates": {"starts": {"1.0": ["08:00", "16:00"]}}}}))

    kept = solve_model(space)
    assert_valid(kept, space)
    assert {(shift.operator_id, f"{shift.start:%H:%M}") for shift in kept.shifts} == {("a", "08:00"), ("b", "09:00")}

    broken = solve_model(space, without=frozenset({"shift_templates"}))
    assert shortfall(space, broken) == 0
    assert broken_rules(broken, space) == {"shift_templates"}


MONDAY_TO_SATURDAY = range(2, 8)  # 2-7 February 2026


def _six_days_of_one_week(values: dict) -> ShiftSpace:
    """A day worker free Monday to Saturday with a day's work needed on each: six shifts leave 32 h of rest
    from Saturday 17:00 to the week's end, less than the 42 h of a week's rest."""
    day_worker = operator("a", free=MONDAY_TO_SATURDAY, window=DAY_JOB)
    plan = staffing(*(need(day, 9, 8) for day in MONDAY_TO_SATURDAY))
    return ShiftSpace(plan, [day_worker], rules({"rules": {"weekly_rest": values}}))


def test_weekly_rest_in_every_calendar_week():
    space = _six_days_of_one_week({"min_hours": 42, "week": "calendar"})

    kept = solve_model(space)
    assert_valid(kept, space)
    assert shift_counts(kept, space) == {"a": 5}

    broken = solve_model(space, without=frozenset({"weekly_rest"}))
    assert shift_counts(broken, space) == {"a": 6}
    assert broken_rules(broken, space) == {"weekly_rest"}


def test_weekly_rest_in_any_seven_days_when_rolling():
    # Rolling, one day off in the middle is not enough: Tuesday 17:00 to Thursday 09:00 is 40 h, so the
    # stretches around it join and every week holds less than 42 h at its ends; two days off are.
    space = _six_days_of_one_week({"min_hours": 42, "week": "rolling"})

    kept = solve_model(space)
    assert_valid(kept, space)
    assert shift_counts(kept, space) == {"a": 4}

    broken = solve_model(space, without=frozenset({"weekly_rest"}))
    assert shift_counts(broken, space) == {"a": 6}
    assert broken_rules(broken, space) == {"weekly_rest"}


def test_start_time_stability_keeps_the_start_from_jumping():
    # Tuesday 09:00 then Wednesday 17:00 moves the start by 8 h, 6 beyond the tolerance: at 2000 an hour that costs
    # more than the 6 hours left uncovered by starting Wednesday at 11:00, two hours later.
    anyone = operator("a", free=[TUESDAY, WEDNESDAY])
    plan = staffing(need(TUESDAY, 9, 8), need(WEDNESDAY, 17, 8))
    space = ShiftSpace(plan, [anyone], rules({"rules": {"start_time_stability": {"weight": 2000}}}))

    kept = solve_model(space)
    assert_valid(kept, space)
    assert (shortfall(space, kept), sorted(shift.start.hour for shift in kept.shifts)) == (6, [9, 11])

    broken = solve_model(space, without=frozenset({"start_time_stability"}))
    assert shortfall(space, broken) == 0
    assert sorted(shift.start.hour for shift in broken.shifts) == [9, 17]


def test_start_time_stability_measures_the_move_on_the_clock():
    # 01:00 on Tuesday, then 23:00 on Wednesday is two hours earlier on the clock, inside the tolerance: no cost,
    # though 22 hours apart as numbers.
    night_worker = operator("a", free=[TUESDAY, WEDNESDAY], window=("22:00", "10:00"))
    plan = staffing(need(TUESDAY, 1, 8), need(WEDNESDAY, 23, 8))
    space = ShiftSpace(plan, [night_worker], rules({"rules": {"start_time_stability": {"weight": 2000}}}))
    kept = solve_model(space)
    assert shortfall(space, kept) == 0 and sorted(shift.start.hour for shift in kept.shifts) == [1, 23]


# --- last month's shifts: the rules hold across the month's first day -----------------------------------------

JANUARY = Month(2026, 1, "Europe/Moscow", "RU")


def _after_january(free: Iterable[int], needs: Sequence[dict[int, int]], january: Sequence[tuple[str, int]],
                   overrides: dict | None = None, window: tuple[str, str] = ("00:00", "24:00")) -> ShiftSpace:
    """Operator a, free on the `free` days of February, after the `january` shifts (start "DD HH:MM", hours)."""
    anyone = operator("a", free=free, window=window)
    shifts = []
    for start, hours in january:
        begin = datetime.strptime(f"2026-01-{start}", "%Y-%m-%d %H:%M").replace(tzinfo=JANUARY.tz)
        shifts.append(Shift("a", begin, (begin.astimezone(UTC) + timedelta(hours=hours)).astimezone(JANUARY.tz)))
    previous = Roster(JANUARY, tuple(shifts))
    return ShiftSpace(staffing(*needs), [anyone], rules(overrides), previous=previous)


def test_rest_between_shifts_after_last_months_last_shift():
    # January ends with a night until 1 February 06:00: a day shift from 09:00 that day would rest 3 h.
    space = _after_january([1], [need(1, 9, 8)], [("31 22:00", 8)])
    assert shortfall(space, solve_model(space)) == 8
    broken = solve_model(space, without=frozenset({"rest_between_shifts"}))
    assert shortfall(space, broken) == 0
    assert broken_rules(broken, space) == {"rest_between_shifts"}


def test_max_consecutive_days_counts_last_months_run():
    # Six days in a row to 31 January: 1 February would be the seventh.
    space = _after_january([1], [need(1, 9, 8)], [(f"{day} 09:00", 8) for day in range(26, 32)],
                           {"rules": {"weekly_rest": {"min_hours": 0}}}, window=DAY_JOB)
    assert shortfall(space, solve_model(space)) == 8
    broken = solve_model(space, without=frozenset({"max_consecutive_days"}))
    assert shortfall(space, broken) == 0
    assert broken_rules(broken, space) == {"max_consecutive_days"}


def test_min_consecutive_days_off_after_last_months_last_shift():
    # Off on 31 January after a shift on the 30th: working 1 February would leave that day off alone.
    space = _after_january([1], [need(1, 9, 8)], [("30 09:00", 8)],
                           {"rules": {"min_consecutive_days_off": {"min_days": 2}}}, window=DAY_JOB)
    assert shortfall(space, solve_model(space)) == 8
    broken = solve_model(space, without=frozenset({"min_consecutive_days_off"}))
    assert shortfall(space, broken) == 0
    assert broken_rules(broken, space) == {"min_consecutive_days_off"}


def test_forbidden_successions_after_last_months_night():
    space = _after_january([1], [need(1, 9, 8)], [("31 21:00", 8)],
                           {"rules": {"forbidden_successions": {"pairs": [["night", "day"]]},
                                      "rest_between_shifts": {"min_hours": 4}}}, window=("21:00", "17:00"))
    assert shortfall(space, solve_model(space)) == 8
    broken = solve_model(space, without=frozenset({"forbidden_successions"}))
    assert shortfall(space, broken) == 0
    assert broken_rules(broken, space) == {"forbidden_successions"}


def test_forward_rotation_after_last_months_night():
    space = _after_january([1], [need(1, 9, 8)], [("31 21:00", 8)], {"rules": ROTATION}, window=("21:00", "17:00"))
    assert shortfall(space, solve_model(space)) == 8
    broken = solve_model(space, without=frozenset({"forward_rotation"}))
    assert shortfall(space, broken) == 0
    assert broken_rules(broken, space) == {"forward_rotation"}


def test_max_consecutive_nights_counts_last_months_nights():
    space = _after_january([1], [need(1, 22, 8)], [("31 22:00", 8)],
                           {"rules": {"max_consecutive_nights": {"max_nights": 1}}}, window=NIGHTS)
    assert shortfall(space, solve_model(space)) == 8
    broken = solve_model(space, without=frozenset({"max_consecutive_nights"}))
    assert shortfall(space, broken) == 0
    assert broken_rules(broken, space) == {"max_consecutive_nights"}


def test_weekly_rest_of_the_week_last_month_began():
    # The week of Monday 26 January: worked in January up to Saturday 06:00, so its 42 h of rest are the rest of
    # the week, Sunday 1 February included.
    january = [(f"{day} 09:00", 8) for day in range(26, 30)] + [("30 22:00", 8)]
    space = _after_january([1], [need(1, 9, 8)], january)
    assert shortfall(space, solve_model(space)) == 8
    broken = solve_model(space, without=frozenset({"weekly_rest"}))
    assert shortfall(space, broken) == 0
    assert broken_rules(broken, space) == {"weekly_rest"}


# --- soft rules ------------------------------------------------------------------------------------------------


def test_shortfall_outweighs_a_wished_day_off():
    day_worker = operator("a", free=[TUESDAY], window=DAY_JOB, wished=[TUESDAY])
    space = ShiftSpace(staffing(need(TUESDAY, 9, 8)), [day_worker], rules())

    kept = solve_model(space)
    assert_valid(kept, space)
    assert shortfall(space, kept) == 0

    # Without the shortfall rule nothing asks for the hours, and the wish keeps the operator at home.
    assert shortfall(space, solve_model(space, without=frozenset({"shortfall"}))) == 8


def test_overstaffing_keeps_an_idle_shift_off_the_roster():
    # a covers the required weekend; b could work an unrequired Saturday to even out the weekends (a spread of
    # one weekend shift, 10), which costs 8 idle hours: 24 at weight 3.
    weekend_worker = operator("a", free=[SATURDAY, SUNDAY], window=DAY_JOB)
    idle = operator("b", free=[NEXT_SATURDAY], window=DAY_JOB)
    plan = staffing(need(SATURDAY, 9, 8), need(SUNDAY, 9, 8))
    space = ShiftSpace(plan, [weekend_worker, idle], rules({"rules": {"overstaffing": {"weight": 3}}}))

    kept = solve_model(space)
    assert_valid(kept, space)
    assert (shortfall(space, kept), overstaffing(space, kept)) == (0, 0)

    broken = solve_model(space, without=frozenset({"overstaffing"}))
    assert (shortfall(space, broken), overstaffing(space, broken)) == (0, 8)


def _wishes_granted(roster: Roster, space: ShiftSpace) -> int:
    worked = {(shift.operator_id, shift.day) for shift in roster.shifts}
    return sum((op.id, day) not in worked for op in space.operators for day in op.days_off_wished)


def test_days_off_wished_granted_when_they_weigh_more_than_the_shortfall():
    # A planner who puts wishes first: one wished day (10 000) outweighs 8 hours short (8 000).
    day_worker = operator("a", free=[TUESDAY], window=DAY_JOB, wished=[TUESDAY])
    plan = staffing(need(TUESDAY, 9, 8))
    space = ShiftSpace(plan, [day_worker], rules({"rules": {"days_off_wished": {"weight": 10_000}}}))

    kept = solve_model(space)
    assert_valid(kept, space)
    assert _wishes_granted(kept, space) == 1

    assert _wishes_granted(solve_model(space, without=frozenset({"days_off_wished"})), space) == 0


def _spread(counts: dict[str, int]) -> int:
    return max(counts.values()) - min(counts.values())


def _is_night(shift: Shift) -> bool:
    """At least 3 of its hours between 22:00 and 06:00 local time (the default night window)."""
    hours = round(shift.hours)
    start = shift.start.astimezone(UTC)
    local_hours = [(start + timedelta(hours=h)).astimezone(shift.start.tzinfo).hour for h in range(hours)]
    return sum(hour >= 22 or hour < 6 for hour in local_hours) >= 3


def test_fair_nights_shares_the_nights():
    # a must cover two required nights; b, free on a third night nobody needs, takes it to even the nights out
    # (a spread of 2 costs 40, of 1 costs 20 plus 8 idle hours).
    night_worker = operator("a", free=[TUESDAY, WEDNESDAY], window=NIGHTS)
    other = operator("b", free=[THURSDAY], window=NIGHTS)
    space = ShiftSpace(staffing(need(TUESDAY, 22, 8), need(WEDNESDAY, 22, 8)), [night_worker, other], rules())

    def night_spread(roster: Roster) -> int:
        assert all(_is_night(shift) for shift in roster.shifts)
        return _spread(shift_counts(roster, space))

    kept = solve_model(space)
    assert_valid(kept, space)
    assert (shortfall(space, kept), night_spread(kept)) == (0, 1)

    assert night_spread(solve_model(space, without=frozenset({"fair_nights"}))) == 2


def test_fair_weekends_shares_the_weekends():
    # a must cover a required weekend; b, a part-timer free on the next Saturday, takes a 4-hour shift nobody
    # needs to even the weekends out (a spread of 2 costs 20, of 1 costs 10 plus 4 idle hours).
    weekend_worker = operator("a", free=[SATURDAY, SUNDAY], window=DAY_JOB)
    part_timer = operator("b", free=[NEXT_SATURDAY], window=DAY_JOB, rate=0.5)
    plan = staffing(need(SATURDAY, 9, 8), need(SUNDAY, 9, 8))
    space = ShiftSpace(plan, [weekend_worker, part_timer], rules())

    def weekend_spread(roster: Roster) -> int:
        assert all(FEBRUARY.is_weekend(shift.day) for shift in roster.shifts)
        return _spread(shift_counts(roster, space))

    kept = solve_model(space)
    assert_valid(kept, space)
    assert (shortfall(space, kept), weekend_spread(kept)) == (0, 1)

    assert weekend_spread(solve_model(space, without=frozenset({"fair_weekends"}))) == 2


def _month_of(month: Month, *shifts: tuple[str, int, int]) -> Roster:
    """A roster of `month` with 8-hour shifts (operator, day, start hour)."""
    return Roster(month, tuple(
        Shift(op_id, start, start + timedelta(hours=8))
        for op_id, start in ((op_id, datetime(month.year, month.month, day, hour, tzinfo=month.tz))
                             for op_id, day, hour in shifts)))


# a worked three nights, b three days. One night is needed on Tuesday, which b wished off: the months together
# give it to b alone; a month on its own gives one to each (an idle night and the wish cost less than a spread
# of one night). A night of spread costs more than the wish, so that the months' sum decides.
A_NIGHTS_B_DAYS = tuple(("a", day, 22) for day in (27, 28, 29)) + tuple(("b", day, 9) for day in (27, 28, 29))
WEIGHTY_NIGHTS = {"rules": {"fair_nights": {"weight": 100}}}


def _night_or_wish(**months) -> dict[str, int]:
    a = operator("a", free=[TUESDAY], window=NIGHTS)
    b = operator("b", free=[TUESDAY], window=NIGHTS, wished=[TUESDAY])
    space = ShiftSpace(staffing(need(TUESDAY, 22, 8)), [a, b], months.pop("rules", rules(WEIGHTY_NIGHTS)), **months)
    kept = solve_model(space)
    assert_valid(kept, space)
    return shift_counts(kept, space)


def test_fair_nights_counts_last_months_nights():
    january = _month_of(JANUARY, *A_NIGHTS_B_DAYS)

    assert _night_or_wish(previous=january) == {"a": 0, "b": 1}
    assert _night_or_wish() == {"a": 1, "b": 1}


def test_fair_nights_counts_the_months_before_last_month_as_far_back_as_months_back():
    october = Month(2025, 10, "Europe/Moscow", "RU")
    january = _month_of(JANUARY, ("a", 13, 9), ("b", 13, 9))  # a day shift each: the months before decide
    december = _month_of(JANUARY.before, *A_NIGHTS_B_DAYS)

    assert _night_or_wish(previous=january, earlier=[december]) == {"a": 0, "b": 1}
    one_month = rules({"rules": {"fair_nights": {"weight": 100, "months_back": 1}}})
    assert _night_or_wish(previous=january, earlier=[december], rules=one_month) == {"a": 1, "b": 1}
    # October is four months before February: beyond the default months_back of 3.
    too_early = _month_of(october, *A_NIGHTS_B_DAYS)
    assert _night_or_wish(previous=january, earlier=[too_early]) == {"a": 1, "b": 1}


def test_fair_nights_counts_everyone_who_can_work_nights_whatever_the_candidates():
    # Narrowed to the planned starts (as the solve does), b has no night start left, yet b's window allows nights:
    # the spread is between a's two nights and b's none. Leaving b out would price this roster's fairness at 0.
    a, b = (operator(op_id, free=[TUESDAY, WEDNESDAY]) for op_id in "ab")
    plan = staffing(*(need(day, hour, 8) for day in (TUESDAY, WEDNESDAY) for hour in (9, 22)))
    space = ShiftSpace(plan, [a, b], rules())
    planned = {0: 22, 1: 9}  # operator -> the only start hour kept for them

    roster, objective = solve_optimum(space, candidates=lambda op, start: space.start_time(start).hour == planned[op])

    assert (shortfall(space, roster), overstaffing(space, roster)) == (0, 0)
    assert _spread({op.id: sum(map(_is_night, roster.by_operator().get(op.id, []))) for op in space.operators}) == 2
    assert objective == space.rules.rules.fair_nights.weight * 2


def test_fair_weekends_counts_everyone_who_can_work_weekends_whatever_the_candidates():
    # b is kept to Monday by the candidates but free at the weekend a works alone: a spread of two weekend shifts.
    a = operator("a", free=[SATURDAY, SUNDAY], window=DAY_JOB)
    b = operator("b", free=[SATURDAY, SUNDAY, SUNDAY + 1], window=DAY_JOB)
    space = ShiftSpace(staffing(*(need(day, 9, 8) for day in (SATURDAY, SUNDAY, SUNDAY + 1))), [a, b], rules())

    roster, objective = solve_optimum(space, candidates=lambda op, start: (op == 1) == (space.day_of(start).day == 9))

    assert shift_counts(roster, space) == {"a": 2, "b": 1} and shortfall(space, roster) == 0
    assert objective == space.rules.rules.fair_weekends.weight * 2


def _night_shifts(roster: Roster, space: ShiftSpace) -> int:
    return sum(space.rules.shift_type(shift.start.hour * 60 + shift.start.minute) == "night" for shift in roster.shifts)


def test_shift_type_cover_puts_someone_on_the_night():
    # Nothing is required per hour; one operator on a night shift every day is wanted (100 per one missing), and
    # the only operator, free on Tuesday, takes a night there for 8 idle hours.
    anyone = operator("a", free=[TUESDAY])
    cover = {"min_per_day": {"night": 1}, "weight_under": 100}
    space = ShiftSpace(staffing(), [anyone], rules({"rules": {"shift_type_cover": cover}}))

    kept = solve_model(space)
    assert_valid(kept, space)
    assert _night_shifts(kept, space) == 1

    assert solve_model(space, without=frozenset({"shift_type_cover"})).shifts == ()


def test_shift_requests_grant_a_night_asked_for():
    anyone = operator("a", free=[TUESDAY])
    night = ShiftRequest(FEBRUARY.days[TUESDAY - 1], "night")
    space = ShiftSpace(staffing(), [replace(anyone, shift_requests=frozenset({night}))],
                       rules({"rules": {"shift_requests": {"weight": 500}}}))
    assert space.limits[0].requests == (DayRequest(day=TUESDAY - 1, shift_type="night", work=True, weight=1),)

    kept = solve_model(space)
    assert_valid(kept, space)
    assert _night_shifts(kept, space) == 1 and _worked_days(kept) == [TUESDAY]

    assert solve_model(space, without=frozenset({"shift_requests"})).shifts == ()
