"""`solve_roster` end to end on tiny months: a valid roster, an honest report, progress, stopping, clock changes
and impossible months explained in plain words."""

from __future__ import annotations

import dataclasses
import itertools
import time
from datetime import date, datetime

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from helpers.roster_fixtures import (
    FEBRUARY,
    WEEK,
    WINDOWS,
    assert_valid,
    broken_rules,
    need,
    operator,
    overstaffing,
    rules,
    shortfall,
    solve_optimum,
    staffing,
)
from planner.domain import Operator, Roster, Shift, ShiftRequest
from planner.month import Month, after_elapsed
from planner.roster import Progress, RosterInfeasible, solve_roster
from planner.roster import solve as solve_module
from planner.roster.greedy import greedy_roster
from planner.roster.model import starts_allowed
from planner.roster.solve import _repair, roster_from_starts
from planner.roster.space import ShiftSpace
from planner.validate import validate_roster

DAY_JOB = ("09:00", "17:00")
EVENINGS = ("17:00", "24:00")
NIGHTS = ("22:00", "06:00")
WEEK_ONE, WEEK_TWO = range(2, 7), range(9, 14)  # Monday-Friday 2-6 and 9-13 February 2026


def _small_team_month() -> ShiftSpace:
    """Two weeks of one operator on the line round the clock, two in the daytime on weekdays, for a team of a
    full-timer on days, one on nights, a student on evenings and an all-rounder, with wishes and a day of leave."""
    team = [
        operator("day", free=[*WEEK_ONE, *WEEK_TWO], window=DAY_JOB, wished=[4]),
        operator("night", free=range(1, 15), window=NIGHTS),
        operator("student", free=range(1, 15), window=EVENINGS, rate=0.5, wished=[7, 8]),
        operator("any", free=[day for day in range(1, 15) if day != 10]),
    ]
    line = [need(day, 0, 24) for day in range(1, 15)]
    daytime = [need(day, 9, 8) for day in (*WEEK_ONE, *WEEK_TWO)]
    return ShiftSpace(staffing(*line, *daytime), team, rules(loose_norm=False))


def _solve(space: ShiftSpace, **options):
    options.setdefault("time_limit", 5)
    options.setdefault("workers", 1)
    return solve_roster(space.plan, space.operators, space.rules, **options)


def test_solve_returns_a_valid_roster_and_an_honest_report():
    space = _small_team_month()
    result = _solve(space)
    roster, report = result.roster, result.report

    assert_valid(roster, space)
    assert report.status in ("OPTIMAL", "FEASIBLE")
    assert report.best_bound <= report.objective
    assert report.gap == pytest.approx((report.objective - report.best_bound) / report.objective)
    assert 0 < report.wall_seconds <= 5 + 2
    assert set(report.stage_seconds) == {"aggregate", "greedy", "repair", "descent", "build", "solve"}
    assert (report.operators, report.shifts, report.workers) == (4, len(roster.shifts), 1)

    short, over = shortfall(space, roster), overstaffing(space, roster)
    assert report.under_coverage_lower_bound <= short
    weights = space.rules.rules
    # The costs are the model's; the shortfall and overstaffing are measured from the shifts alone.
    assert report.soft_rule_costs["shortfall"] == weights.shortfall.weight * short
    assert report.soft_rule_costs.get("overstaffing", 0) == weights.overstaffing.weight * over
    assert report.objective == pytest.approx(sum(report.soft_rule_costs.values()))
    worked = {(shift.operator_id, shift.day) for shift in roster.shifts}
    unmet = {f"{op.id} {day}" for op in space.operators for day in op.days_off_wished if (op.id, day) in worked}
    assert set(report.unmet_wishes) == unmet


def test_a_shift_request_the_month_cannot_afford_is_reported_unmet():
    # Nobody is needed: the night asked for would cost 8 operator-hours of overstaffing against a weight of 1.
    night = ShiftRequest(FEBRUARY.days[2], "night")
    asker = dataclasses.replace(operator("a", free=[3]), shift_requests=frozenset({night}))
    report = _solve(ShiftSpace(staffing(), [asker], rules())).report
    assert report.unmet_wishes == ("a 2026-02-03 night",)


def test_a_shift_request_outside_the_aggregate_plan_is_still_granted():
    # Only morning hours of the 3rd need anyone, so the aggregate plan of the operators' class has no evening
    # start; the starts of the evening one of them asked for are candidates all the same.
    evening = ShiftRequest(FEBRUARY.days[2], "evening")
    team = [operator(f"o{n}", free=[3]) for n in range(3)]
    team[0] = dataclasses.replace(team[0], shift_requests=frozenset({evening}))
    space = ShiftSpace(staffing(need(3, 9, 2)), team, rules({"rules": {"shift_requests": {"weight": 10_000}}}))
    report = _solve(space).report
    assert report.unmet_wishes == ()


def test_solve_reports_each_stage_and_every_improved_roster_in_order():
    seen: list[Progress] = []
    _solve(_small_team_month(), on_progress=seen.append)

    stages = [progress.stage for progress in seen]
    assert [stage for stage in stages if stage != "roster"] == \
        ["aggregate", "greedy", "repair", "descent", "build", "solve"]
    assert stages.index("build") < stages.index("roster") < stages.index("solve")
    assert [p.wall_seconds for p in seen] == sorted(p.wall_seconds for p in seen)
    improvements = [p for p in seen if p.stage == "roster"]
    assert all(p.best_bound <= p.objective for p in improvements)
    assert [p.objective for p in improvements] == sorted((p.objective for p in improvements), reverse=True)


def test_stop_after_the_first_roster_still_returns_a_valid_one():
    space = _small_team_month()
    improvements: list[Progress] = []
    result = _solve(space, time_limit=30, should_stop=lambda: True,
                    on_progress=lambda p: improvements.append(p) if p.stage == "roster" else None)

    assert_valid(result.roster, space)
    assert len(improvements) == 1  # the greedy hint, then the stop
    assert result.report.objective == improvements[0].objective
    assert result.report.wall_seconds < 15



@pytest.mark.parametrize("limit", [4, 60])
def test_the_descent_leaves_the_whole_model_what_it_needs_and_no_more(monkeypatch, limit):
    # The whole model barely improves on the descent under rich rules, so the descent has the limit but for the
    # model's build, a second of search and the read-out; never less than its share of a short limit.
    deadlines: list[float] = []

    def descend(space, starts, deadline, **options):
        deadlines.append(deadline)
        return starts

    monkeypatch.setattr(solve_module, "descend", descend)
    started = time.monotonic()
    space = _small_team_month()
    _solve(space, time_limit=limit)
    read_out = max(solve_module.READ_OUT_SECONDS, solve_module.READ_OUT_SHARE * limit)
    whole_model = solve_module.BUILD_SECONDS_PER_OPERATOR * len(space.operators) + solve_module.FINAL_SEARCH_SECONDS
    expected = max(limit * solve_module.DESCENT_SHARE, limit - whole_model - read_out)
    assert deadlines[0] - started == pytest.approx(expected, abs=0.5)


def test_a_build_that_overruns_its_share_does_not_take_the_solve_past_its_limit(monkeypatch):
    # On a busy machine the whole model's build and the hint's evaluation may take longer than the descent left
    # them; with the hint evaluated there is a roster to return, so the search keeps to what is left.
    limit = 4
    read_out = max(solve_module.READ_OUT_SECONDS, solve_module.READ_OUT_SHARE * limit)
    started = time.monotonic()
    real_hint, real_search = solve_module._add_complete_hint, solve_module._search
    search_ends: list[float] = []

    def slow_hint(*args):
        hinted = real_hint(*args)
        time.sleep(max(0.0, started + limit - read_out - time.monotonic()))
        return hinted

    def search(*args):
        called = time.monotonic()
        solver, status = real_search(*args)
        search_ends.append(called + solver.parameters.max_time_in_seconds - started)
        return solver, status

    monkeypatch.setattr(solve_module, "_add_complete_hint", slow_hint)
    monkeypatch.setattr(solve_module, "_search", search)
    space = _small_team_month()
    result = _solve(space, time_limit=limit)

    assert_valid(result.roster, space)
    assert search_ends[0] <= limit - read_out + 0.1


def test_reported_bound_holds_for_every_roster_not_only_the_planned_starts():
    # The best roster gives b a night nobody requires, to even out the nights (see test_fair_nights_shares_the_nights
    # in test_roster_model): a start no aggregate plan holds, as it only adds overstaffing. The polish, searching
    # the planned starts, cannot find it (the descent, searching every start of one operator, may), so it must not
    # claim a bound above that roster's objective, nor optimality it did not prove.
    night_worker = operator("a", free=[3, 4], window=NIGHTS)
    other = operator("b", free=[5], window=NIGHTS)
    space = ShiftSpace(staffing(need(3, 22, 8), need(4, 22, 8)), [night_worker, other], rules())

    report = _solve(space).report
    _, optimum = solve_optimum(space)

    assert report.best_bound <= optimum <= report.objective
    assert report.status == ("OPTIMAL" if report.best_bound == report.objective else "FEASIBLE")

# --- clock changes: Europe/Berlin, 29 March 2026 (a 23-hour day) and 25 October 2026 (a 25-hour day) --------------

BERLIN_CENTRE = {"centre": {"timezone": "Europe/Berlin", "country": "DE"}}
BERLIN = rules(BERLIN_CENTRE, loose_norm=False)
SPRING = Month(2026, 3, "Europe/Berlin", "DE")
AUTUMN = Month(2026, 10, "Europe/Berlin", "DE")


@pytest.mark.parametrize(("month", "ends"), [(SPRING, "07:00"), (AUTUMN, "05:00")], ids=["march", "october"])
def test_dst_night_across_the_switch_lasts_eight_real_hours(month, ends):
    saturday = 28 if month is SPRING else 24
    night = operator("n", free=[saturday], window=("20:00", "08:00"), month=month)
    day_worker = operator("d", free=[saturday + 2], window=DAY_JOB, month=month)
    plan = staffing(need(saturday, 22, 8, month=month), need(saturday + 2, 9, 8, month=month), month=month)
    space = ShiftSpace(plan, [night, day_worker], BERLIN)

    result = _solve(space)

    assert_valid(result.roster, space)
    by_operator = result.roster.by_operator()
    [shift] = by_operator["n"]
    assert (shift.day, f"{shift.start:%H:%M}", f"{shift.end:%H:%M}") == \
        (date(2026, month.month, saturday), "22:00", ends)
    assert shift.hours == 8
    assert (shortfall(space, result.roster), overstaffing(space, result.roster)) == (0, 0)
    assert result.report.soft_rule_costs["shortfall"] == 0


@pytest.mark.parametrize(("month", "short"), [(SPRING, 1), (AUTUMN, 0)], ids=["march", "october"])
def test_dst_rest_between_shifts_is_counted_in_real_hours(month, short):
    # 18:00 on Saturday to 06:00 on Sunday is 11 real hours in March and 13 in October.
    saturday = 28 if month is SPRING else 24
    anyone = operator("a", free=[saturday, saturday + 1], month=month)
    plan = staffing(need(saturday, 10, 8, month=month), need(saturday + 1, 6, 8, month=month), month=month)
    space = ShiftSpace(plan, [anyone], rules(BERLIN_CENTRE))

    result = _solve(space)

    assert_valid(result.roster, space)
    assert shortfall(space, result.roster) == short
    assert result.report.under_coverage_lower_bound <= short


# --- impossible months ---------------------------------------------------------------------------------------------


def test_an_operator_who_cannot_meet_the_norm_is_named_with_the_rules():
    # Free only Monday to Friday of one week, an exact norm of those five shifts, but at most three days in a row.
    exact = rules({"rules": {"max_consecutive_days": {"max_days": 3}, "monthly_norm": {"tolerance_shifts": 0}}},
                  loose_norm=False)
    stuck = operator("op7", free=WEEK_ONE, window=DAY_JOB)
    fine = operator("op8", free=WEEK_TWO[:3], window=DAY_JOB)
    space = ShiftSpace(staffing(need(3, 9, 8)), [stuck, fine], exact)

    with pytest.raises(RosterInfeasible) as error:
        _solve(space)

    [reason] = error.value.reasons
    assert reason.startswith("op7 (Operator op7): needs 5–5 shifts of 8 h (norm 40 h), 5 days without")
    # Free on other days, the operator could also do it: availability is named too.
    assert reason.endswith("relaxing availability or max_consecutive_days or monthly_norm would make a roster possible")
    assert "op7" in str(error.value) and "op8" not in str(error.value)


def test_a_window_no_shift_fits_is_named_as_availability():
    evening_full_timer = operator("op3", free=WEEK_ONE, window=EVENINGS)  # 7 hours for an 8-hour shift
    space = ShiftSpace(staffing(), [evening_full_timer], rules(loose_norm=False))

    with pytest.raises(RosterInfeasible, match="op3 .*window 17:00–24:00; relaxing availability or monthly_norm"):
        _solve(space)



# --- locked cells: keep what the planner fixed, re-solve the rest ---------------------------------------------------


def _cells(roster) -> dict[tuple[str, date], object]:
    return {(shift.operator_id, shift.day): shift.start for shift in roster.shifts}


def test_locked_cells_are_kept_and_the_rest_is_re_solved():
    space = _small_team_month()
    first = _cells(_solve(space).roster)
    # Keep a day off for "night" on a day it worked, and move one of "any"'s shifts to a start it did not have.
    night_day = min(day for (op, day) in first if op == "night")
    any_day = min(day for (op, day) in first if op == "any")
    old_start = first["any", any_day]
    new_start = old_start.replace(hour=12 if old_start.hour != 12 else 13)
    locks = {("night", night_day): None, ("any", any_day): new_start}

    result = _solve(space, locks=locks)
    cells = _cells(result.roster)
    assert ("night", night_day) not in cells
    assert cells["any", any_day] == new_start
    assert_valid(result.roster, space)


def test_a_locked_shift_the_rules_forbid_is_explained_as_the_locks():
    space = _small_team_month()
    month = space.month
    # A shift at 02:00 for the daytime operator: outside the window, so no roster can keep it.
    night_start = month.hours[month.hour_index(month.local_midnight(month.days[2])) + 2]
    with pytest.raises(RosterInfeasible, match=r"day \(Operator day\).*the locked cells \(03\.02\) — unlock some"):
        _solve(space, locks={("day", month.days[2]): night_start})


def test_a_lock_outside_the_month_is_refused():
    space = _small_team_month()
    with pytest.raises(ValueError, match="locked cell ghost 2026-02-03: no such operator"):
        _solve(space, locks={("ghost", date(2026, 2, 3)): None})


def test_operators_the_greedy_start_leaves_breaking_a_run_rule_are_planned_again_alone():
    # The greedy start does not keep a minimum run of working days: with three days in a row at least it leaves
    # shorter runs, and the repair plans those operators again, each alone against what the others leave uncovered.
    space = _small_team_month()
    three_on = ShiftSpace(space.plan, space.operators, rules({"rules": {"min_consecutive_days": {"min_days": 3}}},
                                                             loose_norm=False))
    greedy = greedy_roster(three_on, starts_allowed(three_on))
    assert "min_consecutive_days" in broken_rules(roster_from_starts(three_on, greedy), three_on)
    repaired, unrepaired = _repair(three_on, greedy, None, time.monotonic() + 10)
    assert_valid(roster_from_starts(three_on, repaired), three_on)
    assert unrepaired == frozenset()


# --- rich rules against a brute force ------------------------------------------------------------------------

JANUARY = FEBRUARY.before
# Templates keep a day's starts to at most three, so every month of an operator can be tried.
TEMPLATES = ({"1.0": ["00:00", "08:00", "16:00"], "0.5": ["09:00", "18:00", "20:00"]},
             {"1.0": ["06:00", "14:00", "22:00"], "0.5": ["06:00", "13:00", "22:00"]})
LAST_DAYS_STARTS = (None, 8, 16, 22)  # hours of the clock
# What a single shift must keep whatever the rest of the month: the brute force's candidates for a day.
ONE_SHIFT_RULES = frozenset({"availability", "shift_templates", "contracts"})


@st.composite
def rich_months(draw) -> tuple[ShiftSpace, Roster]:
    """1-2 operators free on some days of one week under a random draw of the centres' rules, after a last
    month whose last two days may hold shifts."""
    operators = [operator(f"op{i}", free=draw(st.sets(st.sampled_from(WEEK), min_size=1, max_size=4)),
                          rate=draw(st.sampled_from([1.0, 0.5])), window=draw(st.sampled_from(WINDOWS)))
                 for i in range(draw(st.integers(1, 2)))]
    blocks = st.tuples(st.sampled_from(WEEK), st.integers(0, 23), st.integers(1, 10), st.integers(1, 2))
    needs = [need(*block) for block in draw(st.lists(blocks, min_size=1, max_size=3))]
    pick = lambda *choices: draw(st.sampled_from(choices))  # noqa: E731 - a draw per rule reads as a table
    centre = {
        "monthly_norm": {"tolerance_shifts": pick(0, 1)},
        "min_consecutive_days": {"min_days": pick(1, 2)},
        "min_consecutive_days_off": {"min_days": pick(1, 2)},
        "max_consecutive_days": {"max_days": pick(2, 6)},
        "max_consecutive_nights": {"max_nights": pick(None, 1)},
        "max_working_weekends": {"max_weekends": pick(None, 0, 1)},
        "forbidden_successions": {"pairs": pick([], [["night", "day"]])},
        "forward_rotation": {"order": pick([], ["day", "evening", "night"])},
        "shift_templates": {"starts": pick(*TEMPLATES)},
        "weekly_rest": {"min_hours": pick(0, 42, 60), "week": pick("calendar", "rolling")},
    }
    month_rules = rules({"rules": centre}, loose_norm=False)
    last_shifts = []
    for op in operators:
        # One start hour for both days keeps last month within its own rest.
        hour = draw(st.sampled_from(LAST_DAYS_STARTS))
        for day in draw(st.sets(st.sampled_from((30, 31)))) if hour is not None else ():
            start = datetime(2026, 1, day, hour, tzinfo=JANUARY.tz)
            last_shifts.append(Shift(op.id, start, after_elapsed(start, month_rules.shift_hours(op.rate))))
    previous = Roster(JANUARY, tuple(last_shifts))
    return ShiftSpace(staffing(*needs), operators, month_rules, previous=previous), previous


def _brute_force_month(space: ShiftSpace, op: Operator) -> Roster | None:
    """Some month of `op` alone that the validator accepts, trying every one (the validator's verdict only)."""
    hours = space.rules.shift_hours(op.rate)
    month = space.plan.month

    def check(shifts: tuple[Shift, ...]) -> set[str]:
        return {v.rule for v in validate_roster(Roster(month, shifts), [op], space.rules, space.previous)}

    choices = []
    for day in month.days:
        starts = (datetime(day.year, day.month, day.day, hour, tzinfo=month.tz) for hour in range(24))
        shifts = (Shift(op.id, start, after_elapsed(start, hours)) for start in starts)
        choices.append([None, *(shift for shift in shifts if not check((shift,)) & ONE_SHIFT_RULES)])
    for month_of_shifts in itertools.product(*choices):
        shifts = tuple(shift for shift in month_of_shifts if shift is not None)
        if not check(shifts):
            return Roster(month, shifts)
    return None


@settings(max_examples=30, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(rich_months())
def test_property_a_solve_with_rich_rules_keeps_them_whenever_a_brute_force_finds_a_roster(month):
    space, previous = month
    # The hard rules bind each operator alone: a roster exists when every operator has a month of their own.
    possible = all(_brute_force_month(space, op) is not None for op in space.operators)
    event("a roster exists" if possible else "no roster exists")

    if possible:
        result = solve_roster(space.plan, space.operators, space.rules, time_limit=5, workers=1, previous=previous)
        assert_valid(result.roster, space)
    else:
        with pytest.raises(RosterInfeasible):
            solve_roster(space.plan, space.operators, space.rules, time_limit=5, workers=1, previous=previous)


def test_last_months_night_shift_covers_the_first_morning_so_the_month_adds_nobody_for_it():
    night = datetime(2026, 1, 31, 22, tzinfo=JANUARY.tz)
    previous = Roster(JANUARY, (Shift("left the centre", night, after_elapsed(night, 8)),))
    plan, operators = staffing(need(1, 0, 6)), [operator("b", free=range(1, 29))]
    space = ShiftSpace(plan, operators, rules(), previous=previous)
    result = solve_roster(plan, operators, rules(), time_limit=5, workers=1, previous=previous)
    assert result.roster.shifts == ()
    assert shortfall(space, result.roster) == 0 and result.report.under_coverage_lower_bound == 0
