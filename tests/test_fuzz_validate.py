"""Any roster, however wrong, is judged and never crashes the validator: shifts at odd times, overlapping,
outside the month, of operators nobody knows, with breaks anywhere. Every violation names the operator, the day
(unless the rule is month-wide) and the rule by its key in constraints.yaml. Roster files that cannot be read
are rejected with the file, the line and the field named."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from helpers.fuzzing import assert_names_file_line_and_field, cells_from, csv_files, fuzz_settings
from planner.config import BreakRuleSet, Breaks, Rules, RuleSet, parse_rules
from planner.domain import Operator, Roster, Shift
from planner.errors import InputError
from planner.month import Month
from planner.rostercsv import ROSTER_COLUMNS, read_roster_csv
from planner.validate import Violation, validate_roster

pytestmark = pytest.mark.fuzz

MOSCOW = parse_rules({})
BERLIN = parse_rules({"centre": {"timezone": "Europe/Berlin", "country": "DE"}})
MONTHS = [
    (Month(2026, 12, "Europe/Moscow", "RU"), MOSCOW),
    (Month(2026, 3, "Europe/Berlin", "DE"), BERLIN),  # 2026-03-29 02:00 does not exist
    (Month(2026, 10, "Europe/Berlin", "DE"), BERLIN),  # 2026-10-25 02:00 happens twice
]
IDS = ("op0", "op1", "op2", "op3")
RULE_KEYS = {*RuleSet.model_fields, *BreakRuleSet.model_fields, *Breaks.model_fields, "contracts", "one_shift_per_day"}
MONTH_WIDE = {"monthly_norm", "contracts"}  # the norm, and a rate without a shift length


def assert_named(violations: list[Violation], roster: Roster, operators: list[Operator], rules: Rules) -> None:
    known = {op.id for op in operators} | {shift.operator_id for shift in roster.shifts}
    for violation in violations:
        assert violation.rule in RULE_KEYS, violation
        assert set(violation.operator_id.split(", ")) <= known, violation
        assert violation.day is not None or violation.rule in MONTH_WIDE, violation
        assert violation.detail, violation
        assert str(violation).startswith(f"{violation.operator_id}, "), violation
    assert violations == sorted(violations, key=lambda v: (v.operator_id, v.day or date.min, v.rule, v.detail))
    tz = roster.month.tz
    by_id = {op.id: op for op in operators}
    for shift in roster.shifts:
        day = shift.start.astimezone(tz).date()
        op = by_id.get(shift.operator_id)
        named = {(v.operator_id, v.day, v.rule) for v in violations}
        if op is None:
            assert (shift.operator_id, day, "contracts") in named
        elif day in op.unavailable:
            assert (shift.operator_id, day, "availability") in named


def day_near(month: Month) -> st.SearchStrategy[date]:
    return st.integers(-3, len(month.days) + 3).map(lambda offset: month.days[0] + timedelta(days=offset))


@st.composite
def operators_of(draw: st.DrawFn, month: Month) -> list[Operator]:
    ids = draw(st.lists(st.sampled_from(IDS), unique=True, max_size=len(IDS)))
    return [
        Operator(
            id=op_id,
            name=op_id,
            rate=draw(st.sampled_from([1.0, 0.75, 0.5, 0.8])),  # 0.8: a rate without a contract
            earliest_start=draw(st.integers(0, 24 * 60 - 1)),
            latest_end=draw(st.integers(1, 24 * 60)),
            unavailable=frozenset(draw(st.lists(day_near(month), max_size=5))),
            team=draw(st.sampled_from(["", "A", "B"])),
        )
        for op_id in ids
    ]


ZONES = st.sampled_from(["month", "utc", "india"])
INDIA = timezone(timedelta(hours=5, minutes=30))


def in_zone(moment_utc: datetime, zone: str, month: Month) -> datetime:
    """The same instant as the month's zone, UTC or +05:30 show it: the validator must not care."""
    return moment_utc.astimezone({"month": month.tz, "utc": UTC, "india": INDIA}[zone])


@st.composite
def shifts_of(draw: st.DrawFn, month: Month) -> list[Shift]:
    first = month.local_midnight(month.days[0]).astimezone(UTC)
    shifts = []
    for _ in range(draw(st.integers(0, 12))):
        start = first + timedelta(seconds=draw(st.integers(-3 * 86400, 35 * 86400)))
        start = start.replace(second=0) if draw(st.booleans()) else start  # mostly whole minutes
        length = timedelta(minutes=draw(st.sampled_from([480, 360, 240]) | st.integers(-600, 2000)))
        breaks = [start + timedelta(minutes=draw(st.integers(-200, 2200))) for _ in range(draw(st.integers(0, 4)))]
        zone = draw(ZONES)
        shifts.append(
            Shift(
                draw(st.sampled_from([*IDS, "ghost"])),
                in_zone(start, zone, month),
                in_zone(start + length, zone, month),
                tuple(in_zone(moment, zone, month) for moment in breaks),
            )
        )
    return shifts


@st.composite
def rosters(draw: st.DrawFn) -> tuple[Roster, list[Operator], Rules]:
    month, rules = draw(st.sampled_from(MONTHS))
    return Roster(month, tuple(draw(shifts_of(month)))), draw(operators_of(month)), rules


@fuzz_settings(150)
@given(rosters())
def test_any_roster_is_judged_and_every_violation_names_operator_day_and_rule(case):
    roster, operators, rules = case
    assert_named(validate_roster(roster, operators, rules), roster, operators, rules)


# --- roster files ----------------------------------------------------------------------------------------------

OCTOBER, _ = MONTHS[2]
OPERATORS = [Operator("op1", "Anna", 1.0, unavailable=frozenset({date(2026, 10, 5)}), team="A"),
             Operator("op2", "=cmd|'/C calc'!A0", 0.5, 17 * 60, 24 * 60, team="A")]
ROSTER_CELLS = cells_from(
    "op1", "op2", "op9", "2026-10-05", "05.10.2026", "2026-10-25", "2026-10-05 08:00", "2026-10-05 16:00",
    "05.10.2026 20:00", "2026-10-06 04:00:00", "2026-10-25 02:30", "2026-03-29 02:30", "2026-11-01 03:00",
    "09:00 12:30", "10:00,14:05", "23:55", "8", "7.5", "1.0",
)


@fuzz_settings(150)
@given(csv_files(ROSTER_COLUMNS, ROSTER_CELLS))
def test_any_roster_file_is_read_and_judged_or_rejected_by_line_and_field(data):
    try:
        roster = read_roster_csv(data, "roster.csv", OCTOBER)
    except InputError as error:
        assert_names_file_line_and_field(error, "roster.csv", data, ROSTER_COLUMNS)
        return
    assert_named(validate_roster(roster, OPERATORS, BERLIN), roster, OPERATORS, BERLIN)
