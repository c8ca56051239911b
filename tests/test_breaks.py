"""Break placement: each rule of `breaks` in constraints.yaml shown at work on a day small enough to solve exactly,
checked by the independent validator, plus the month-level behaviour (DST, earlier days held fixed, baseline)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from ortools.sat.python import cp_model

from planner.breaks import (
    BREAK_RULES,
    BreaksInfeasible,
    build_day_model,
    naive_breaks,
    place_breaks,
    slot_loads,
    team_break_cap,
    worst_dip,
)
from planner.breaks import solve as break_solve
from planner.config import Rules, parse_rules
from planner.domain import Forecast, Operator, Roster, Shift, StaffingPlan
from planner.month import Month, after_elapsed
from planner.validate import validate_roster

FEB = Month(2026, 2, "Europe/Moscow")
DAY = date(2026, 2, 2)


def rules_with(**breaks) -> Rules:
    # A month's norm that any handful of shifts meets, so only the break rules speak.
    data = {"rules": {"monthly_norm": {"tolerance_shifts": 31}}, "solver": {"workers": 1}}
    if breaks:
        data["breaks"] = breaks
    return parse_rules(data)


RULES = rules_with()


def plan(month: Month, required_at: dict[int, int] | None = None, default: int = 0) -> StaffingPlan:
    """Required operators per hour: `required_at` by local hour of DAY, `default` elsewhere."""
    required_at = required_at or {}
    required = tuple(required_at.get(moment.hour, default) if moment.date() == DAY else default
                     for moment in month.hours)
    n = len(month.hours)
    return StaffingPlan(Forecast(month, (1.0,) * n, (300.0,) * n), required, required)


def day_shifts(ops: list[str], start_hour: int = 9, hours: int = 8, day: date = DAY, month: Month = FEB) -> Roster:
    start = datetime(day.year, day.month, day.day, start_hour, tzinfo=month.tz)
    return Roster(month, tuple(Shift(op, start, after_elapsed(start, hours)) for op in ops))


def operators(ops: list[str], team: str = "", rate: float = 1.0) -> list[Operator]:
    return [Operator(op, op.upper(), rate, team=team) for op in ops]


def violated(roster: Roster, ops: list[Operator], rules: Rules = RULES) -> set[str]:
    return {v.rule for v in validate_roster(roster, ops, rules)}


def clock(roster: Roster) -> dict[str, list[str]]:
    return {s.operator_id: [f"{b:%H:%M}" for b in s.breaks] for s in roster.shifts}


def test_every_rule_has_its_function():
    # break_window shapes the start literals' domain instead of adding constraints (see add_break_starts)
    assert set(BREAK_RULES) | {"break_window"} == {"per_shift", *type(RULES.breaks.rules).model_fields}
    assert "break_window" not in BREAK_RULES
    for name, add_rule in BREAK_RULES.items():
        assert add_rule.__name__ == f"add_{name}"


def test_break_window_is_the_domain_of_the_break_starts():
    names = ["a"]
    windowed = build_day_model(plan(FEB), day_shifts(names), operators(names), RULES, DAY)
    anywhere = build_day_model(plan(FEB), day_shifts(names), operators(names), RULES, DAY,
                               without=frozenset({"break_window"}))
    # An 8-hour shift of 5-minute slots, 10-minute breaks, no break in its first or last hour.
    assert [(min(literals), max(literals)) for literals in windowed.starts[0]] == [(12, 82)] * 2
    assert [(min(literals), max(literals)) for literals in anywhere.starts[0]] == [(0, 94)] * 2


def test_per_shift_two_breaks_for_eight_hours_one_for_four():
    roster = Roster(FEB, day_shifts(["a"]).shifts + day_shifts(["b"], start_hour=19, hours=4).shifts)
    ops = operators(["a"]) + operators(["b"], rate=0.5)
    placed = place_breaks(plan(FEB), roster, ops, RULES).roster
    assert [len(s.breaks) for s in placed.shifts] == [2, 1]
    assert violated(placed, ops) == set()
    # Without the rule nothing makes a shift take a break at all.
    bare = place_breaks(plan(FEB, {h: 2 for h in range(24)}), roster, ops, RULES, without=frozenset({"per_shift"}))
    assert "per_shift" in violated(bare.roster, ops)


def test_break_window_keeps_the_first_and_last_hour_free():
    # The hall needs everyone from 10:00 to 16:00, nobody in the first and last hour of the 09-17 shift.
    ops = operators(["a", "b", "c"])
    needs = plan(FEB, {h: 3 for h in range(10, 16)})
    placed = place_breaks(needs, day_shifts(["a", "b", "c"]), ops, RULES).roster
    assert violated(placed, ops) == set()
    assert all("10:00" <= b <= "15:50" for times in clock(placed).values() for b in times)
    loose = place_breaks(needs, day_shifts(["a", "b", "c"]), ops, RULES, without=frozenset({"break_window"})).roster
    assert "break_window" in violated(loose, ops)


def test_break_gap_an_hour_between_two_breaks():
    # Only 12:00-12:30 can spare anyone: without the gap both breaks would go there.
    ops = operators(["a"])
    needs = plan(FEB, {h: 1 for h in range(24) if h != 12})
    placed = place_breaks(needs, day_shifts(["a"]), ops, RULES).roster
    assert violated(placed, ops) == set()
    assert clock(placed)["a"][0].startswith("12:")
    squeezed = place_breaks(needs, day_shifts(["a"]), ops, RULES, without=frozenset({"break_gap"})).roster
    assert "break_gap" in violated(squeezed, ops)
    assert all(b.startswith("12:") for b in clock(squeezed)["a"])


def test_team_on_break_at_most_a_quarter_of_the_team_at_once():
    # Four of one team on shift: one at a time. Only 12:00-13:00 is free of calls, room for two 30-minute
    # breaks one after the other; all four want one there, so without the rule they would overlap.
    names = ["a", "b", "c", "d"]
    ops = operators(names, team="T1")
    rules = rules_with(per_shift=[{"min_shift_hours": 0, "count": 2, "minutes": 30}])
    needs = plan(FEB, {h: 4 for h in range(9, 17) if h != 12})
    placed = place_breaks(needs, day_shifts(names), ops, rules).roster
    assert violated(placed, ops, rules) == set()
    crowded = place_breaks(needs, day_shifts(names), ops, rules, without=frozenset({"team_on_break"})).roster
    assert "team_on_break" in violated(crowded, ops, rules)


def test_a_day_out_of_time_without_a_usable_placement_gets_one_more_search(monkeypatch):
    # Seen running `planner solve --time-limit 40` on a busy machine: a day's share of the run ended before
    # CP-SAT's first placement and the staggered one broke the team rule, so the whole run failed.
    names = ["a", "b", "c", "d"]
    ops = operators(names, team="T1")
    rules = rules_with(per_shift=[{"min_shift_hours": 0, "count": 2, "minutes": 30}])
    needs = plan(FEB, {h: 4 for h in range(9, 17) if h != 12})
    searches, real_search = [], break_solve._search

    def out_of_time_first(model, seconds, workers, rules):
        searches.append(seconds)
        solver, status = real_search(model, seconds, workers, rules)
        return solver, cp_model.UNKNOWN if len(searches) == 1 else status

    monkeypatch.setattr(break_solve, "_search", out_of_time_first)
    monkeypatch.setattr(break_solve, "_over_team_cap", lambda *_args: True)
    placed = place_breaks(needs, day_shifts(names), ops, rules, time_limit_per_day=0.01)
    assert searches == [0.01, rules.breaks.time_limit_sec_per_day]
    assert placed.days[0].status in ("OPTIMAL", "FEASIBLE")
    assert violated(placed.roster, ops, rules) == set()


def test_team_break_cap_rounds_down_but_always_lets_one_go():
    assert [team_break_cap(0.25, n) for n in (0, 1, 3, 4, 7, 8, 10)] == [1, 1, 1, 1, 1, 2, 2]


def _objective_of(model, fixed: dict[int, list[int]]) -> float:
    """The model's objective with the breaks of job k fixed at the given offsets."""
    for k, offsets in fixed.items():
        for literals, offset in zip(model.starts[k], offsets):
            model.model.add(literals[offset] == 1)
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    assert solver.solve(model.model) == cp_model.OPTIMAL
    return solver.objective_value


def test_on_phones_shortfall_costs_each_operator_slot_below_required():
    # Two on shift, two required all day: every break slot is one operator short. Both breaks of both at the
    # same moments: 2 breaks x 2 slots, two deep each time -> 8 operator-slots, worst dip 2.
    names = ["a", "b"]
    needs = plan(FEB, {h: 2 for h in range(24)})
    together = {0: [12, 36], 1: [12, 36]}
    weights = RULES.breaks.rules
    full = build_day_model(needs, day_shifts(names), operators(names), RULES, DAY)
    assert _objective_of(full, together) == 8 * weights.on_phones_shortfall.weight + 2 * weights.worst_dip.weight
    alone = build_day_model(needs, day_shifts(names), operators(names), RULES, DAY,
                            without=frozenset({"worst_dip"}))
    assert _objective_of(alone, together) == 8 * weights.on_phones_shortfall.weight


def test_worst_dip_costs_the_deepest_moment_of_the_day():
    names = ["a", "b"]
    needs = plan(FEB, {h: 2 for h in range(24)})
    apart = {0: [12, 36], 1: [24, 48]}
    weights = RULES.breaks.rules
    alone = build_day_model(needs, day_shifts(names), operators(names), RULES, DAY,
                            without=frozenset({"on_phones_shortfall"}))
    assert _objective_of(alone, apart) == 1 * weights.worst_dip.weight


def test_breaks_are_staggered_when_the_hall_has_one_to_spare():
    names = [f"o{i}" for i in range(5)]
    needs = plan(FEB, {h: 4 for h in range(9, 17)})
    result = place_breaks(needs, day_shifts(names), operators(names), RULES)
    assert worst_dip(slot_loads(needs, result.roster, RULES)) == 0
    assert worst_dip(slot_loads(needs, naive_breaks(day_shifts(names), RULES), RULES)) == 4
    assert result.days[0].status == "OPTIMAL"


def test_naive_breaks_sit_at_the_earliest_allowed_moment():
    naive = naive_breaks(day_shifts(["a"]), RULES)
    assert clock(naive) == {"a": ["10:00", "11:10"]}
    assert violated(naive, operators(["a"])) == set()


def test_a_night_shift_holds_the_next_day_fixed_breaks_in_view():
    # Night shift 22:00-06:00 of DAY and morning shifts of the next day share 05:00-06:00 ... the earlier day's
    # breaks are placed first and the later day's team cap counts them.
    month = FEB
    night = day_shifts(["n"], start_hour=22)
    next_day = DAY + timedelta(days=1)
    morning = day_shifts(["m"], start_hour=0, day=next_day)
    roster = Roster(month, night.shifts + morning.shifts)
    ops = operators(["n", "m"], team="T1")
    result = place_breaks(plan(month), roster, ops, RULES)
    assert [d.day for d in result.days] == [DAY, next_day]
    assert violated(result.roster, ops) == set()


def test_dst_day_breaks_on_the_wall_clock_grid():
    berlin = Month(2026, 3, "Europe/Berlin", "DE")
    rules = parse_rules({"centre": {"timezone": "Europe/Berlin", "country": "DE"},
                         "rules": {"monthly_norm": {"tolerance_shifts": 31}}, "solver": {"workers": 1}})
    start = datetime(2026, 3, 28, 22, tzinfo=berlin.tz)  # 22:00 + 8 elapsed hours = 07:00 after the clocks jump
    roster = Roster(berlin, (Shift("a", start, after_elapsed(start, 8)),))
    n = len(berlin.hours)
    flat = StaffingPlan(Forecast(berlin, (1.0,) * n, (300.0,) * n), (0,) * n, (0,) * n)
    placed = place_breaks(flat, roster, operators(["a"]), rules).roster
    assert validate_roster(placed, operators(["a"]), rules) == []
    assert all(b.minute % 5 == 0 for b in placed.shifts[0].breaks)
    elapsed = [(b.astimezone(UTC) - start.astimezone(UTC)) / timedelta(minutes=1) for b in placed.shifts[0].breaks]
    assert elapsed[0] >= 60 and elapsed[1] + 10 <= 8 * 60 - 60


def test_impossible_team_rule_is_explained():
    # Nine of one team on 4-hour shifts with one break each, all wanting the same two hours, one at a time:
    # a 2-hour window has 12 ten-minute places, so with breaks of 20 minutes nine cannot fit.
    names = [f"o{i}" for i in range(9)]
    rules = rules_with(per_shift=[{"min_shift_hours": 0, "count": 1, "minutes": 20}],
                       rules={"team_on_break": {"max_share": 0.1}})
    roster = day_shifts(names, hours=4)
    with pytest.raises(BreaksInfeasible, match=r"2026-02-02.*team_on_break.*T1"):
        place_breaks(plan(FEB), roster, operators(names, team="T1", rate=0.5), rules)


def test_only_the_edited_days_are_replaced_the_rest_held():
    names = ["a", "b"]
    ops = operators(names)
    needs = plan(FEB, {h: 1 for h in range(9, 17)})
    two_days = Roster(FEB, day_shifts(names).shifts + day_shifts(names, day=DAY + timedelta(days=1)).shifts)
    placed = place_breaks(needs, two_days, ops, RULES).roster
    first_day = [s for s in placed.shifts if s.day == DAY]
    # A hand edit drops the breaks of one shift of the second day; only that day is placed again.
    edited = Roster(FEB, tuple(s if s.day == DAY or s.operator_id == "a" else Shift(s.operator_id, s.start, s.end)
                               for s in placed.shifts))
    again = place_breaks(needs, edited, ops, RULES, only_days=[])
    assert [s for s in again.roster.shifts if s.day == DAY] == first_day
    assert [d.day for d in again.days] == [DAY + timedelta(days=1)]
    assert violated(again.roster, ops) == set()
