from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bench.curtois_format import (
    Cover,
    Employee,
    Evaluation,
    Request,
    ShiftType,
    evaluate,
    parse_instance,
    parse_instance_file,
)
from helpers.fuzzing import fuzz_settings
from planner.errors import InputError

DAY_COVER = [2, 2, 2, 2, 2, 1, 1]
NIGHT_COVER = [1, 1, 1, 1, 1, 0, 0]
# One week, day 0 a Monday. N may not be followed by D. A must work 1440..2000 minutes in runs of 2..4 shifts with
# 2+ days off between runs; B runs of 1..5, C runs of 2..3 and no weekend.
WEEK = "\n".join([
    "# A one-week instance written for these tests",
    "SECTION_HORIZON",
    "# The horizon length in days:",
    "7",
    "",
    "SECTION_SHIFTS",
    "# ShiftID, Length in mins, Shifts which cannot follow this shift | separated",
    "D,480,",
    "N,600,D",
    "",
    "SECTION_STAFF",
    "# ID, MaxShifts, MaxTotalMinutes, MinTotalMinutes, MaxConsecutiveShifts, MinConsecutiveShifts, "
    "MinConsecutiveDaysOff, MaxWeekends",
    "A,D=5|N=2,2000,1440,4,2,2,1",
    "B,D=5|N=1,3000,960,5,1,1,1",
    "C,D=3|N=3,2880,0,3,2,1,0",
    "",
    "SECTION_DAYS_OFF",
    "A,6",
    "B,0",
    "",
    "SECTION_SHIFT_ON_REQUESTS",
    "A,4,D,3",
    "B,1,D,2",
    "C,3,N,1",
    "",
    "SECTION_SHIFT_OFF_REQUESTS",
    "A,0,D,2",
    "B,3,N,5",
    "C,6,D,1",
    "",
    "SECTION_COVER",
    "# Day, ShiftID, Requirement, Weight for under, Weight for over",
    *(f"{day},D,{need},100,1" for day, need in enumerate(DAY_COVER)),
    *(f"{day},N,{need},50,2" for day, need in enumerate(NIGHT_COVER)),
    "",
])
INSTANCE = parse_instance(WEEK, "week.txt")


def roster(**rows: str) -> dict[tuple[str, int], str]:
    """`A="DDDD..."`: one letter per day, `.` a day off."""
    return {(employee, day): shift for employee, row in rows.items() for day, shift in enumerate(row) if shift != "."}


COMPLIANT = dict(A="DDDD...", B=".DDN.DD", C="NN.DD..")


def violations(**changes: str) -> list[tuple[str, str, tuple[int, ...]]]:
    evaluation = evaluate(INSTANCE, roster(**{**COMPLIANT, **changes}))
    return [(v.rule, v.employee, v.days) for v in evaluation.violations]


# ---------------------------------------------------------------- reading


def test_reads_every_section():
    assert INSTANCE.name == "week"
    assert INSTANCE.horizon == 7
    assert INSTANCE.shifts == (ShiftType("D", 480, frozenset()), ShiftType("N", 600, frozenset({"D"})))
    assert INSTANCE.employees[0] == Employee("A", {"D": 5, "N": 2}, 2000, 1440, 4, 2, 2, 1)
    assert [e.id for e in INSTANCE.employees] == ["A", "B", "C"]
    assert dict(INSTANCE.days_off) == {"A": {6}, "B": {0}, "C": frozenset()}
    assert INSTANCE.shift_on_requests[0] == Request("A", 4, "D", 3)
    assert INSTANCE.shift_off_requests[-1] == Request("C", 6, "D", 1)
    assert len(INSTANCE.cover) == 14
    assert INSTANCE.cover[7] == Cover(0, "N", 1, 50, 2)


def test_instance_cannot_be_changed():
    with pytest.raises(AttributeError):
        INSTANCE.horizon = 14  # type: ignore[misc]
    with pytest.raises(TypeError):
        INSTANCE.days_off["A"] = frozenset()  # type: ignore[index]
    with pytest.raises(TypeError):
        INSTANCE.employees[0].max_shifts["D"] = 7  # type: ignore[index]


def test_reads_crlf_bom_and_stray_spaces_the_same():
    as_saved = "\ufeff" + WEEK.replace("\n", "\r\n").replace("D,480,", " D , 480 , ")
    assert parse_instance(as_saved.encode("utf-8"), "week.txt") == INSTANCE


def test_optional_sections_may_be_absent():
    instance = parse_instance(WEEK[: WEEK.index("SECTION_DAYS_OFF")] + WEEK[WEEK.index("SECTION_COVER") :], "w.txt")
    assert instance.shift_on_requests == instance.shift_off_requests == ()
    assert dict(instance.days_off) == {"A": frozenset(), "B": frozenset(), "C": frozenset()}


def test_reads_a_file(tmp_path):
    path = tmp_path / "Instance0.txt"
    path.write_bytes(WEEK.encode())
    assert parse_instance_file(path).name == "Instance0"


def test_a_missing_file_is_an_input_error(tmp_path):
    with pytest.raises(InputError) as caught:
        parse_instance_file(tmp_path / "nowhere.txt")
    assert "no such file" in str(caught.value)


# ---------------------------------------------------------------- rejecting broken files


def problems_of(text: str | bytes) -> list[tuple[int | None, str | None, str]]:
    with pytest.raises(InputError) as caught:
        parse_instance(text, "week.txt")
    assert all(problem.file == "week.txt" for problem in caught.value.problems)
    return [(p.line, p.field, p.message) for p in caught.value.problems]


def replaced(old: str, new: str) -> tuple[str, int]:
    """WEEK with the line `old` replaced by `new` (which may span lines), and the line number of `new`."""
    lines = WEEK.split("\n")
    number = lines.index(old)
    lines[number] = new
    return "\n".join(lines), number + 1


@pytest.mark.parametrize(
    ("old", "new", "field", "message"),
    [
        ("SECTION_DAYS_OFF", "SECTION_SKILLS", None, "unknown section 'SECTION_SKILLS'"),
        ("A,4,D,3", "A,4,D", "Weight", "Weight missing: expected 4 fields"),
        ("0,D,2,100,1", "0,D,2,100,1,7", None, "6 fields, expected 5"),
        ("D,480,", "D,8h,", "LengthInMinutes", "'8h' is not a whole number"),
        ("A,D=5|N=2,2000,1440,4,2,2,1", "A,D=5|N=2,2000,1440,4.5,2,2,1", "MaxConsecutiveShifts", "'4.5' is not"),
        ("B,1,D,2", "B,1,D,", "Weight", "is empty"),
        ("0,D,2,100,1", "0,D,2,100,-1", "WeightOver", "must not be negative, got -1"),
        ("7", "10", "Horizon", "positive multiple of 7"),
        ("7", "0", "Horizon", "positive multiple of 7"),
        ("7", "-7", "Horizon", "must not be negative"),
        ("N,600,D", "N,600,D\nD,300,", "ShiftID", "shift 'D' is defined twice (first at line 8)"),
        ("C,D=3|N=3,2880,0,3,2,1,0", "C,D=3|N=3,2880,0,3,2,1,0\nA,D=1,0,0,1,1,1,1", "ID",
         "employee 'A' is defined twice (first at line 13)"),
        ("N,600,D", "N,600,D|X", "ForbiddenNext", "unknown shift 'X'; the shifts are D, N"),
        ("N,600,D", "N,600,D||N", "ForbiddenNext", "is empty"),
        ("A,D=5|N=2,2000,1440,4,2,2,1", "A,D=5|X=2,2000,1440,4,2,2,1", "MaxShifts", "unknown shift 'X'"),
        ("A,D=5|N=2,2000,1440,4,2,2,1", "A,D=5|N2,2000,1440,4,2,2,1", "MaxShifts", "'N2' is not ShiftID=max"),
        ("A,D=5|N=2,2000,1440,4,2,2,1", "A,D=5|D=2,2000,1440,4,2,2,1", "MaxShifts", "shift 'D' is limited twice"),
        ("A,4,D,3", "A,4,X,3", "ShiftID", "unknown shift 'X'"),
        ("0,D,2,100,1", "0,X,2,100,1", "ShiftID", "unknown shift 'X'"),
        ("A,6", "Z,6", "EmployeeID", "unknown employee 'Z'; the employees are A, B, C"),
        ("B,3,N,5", "Z,3,N,5", "EmployeeID", "unknown employee 'Z'"),
        ("A,6", "A,6,9", "day", "day 9 is outside the horizon (days 0..6)"),
        ("A,4,D,3", "A,7,D,3", "Day", "day 7 is outside the horizon"),
        ("0,D,2,100,1", "7,D,2,100,1", "Day", "day 7 is outside the horizon"),
        ("0,N,1,50,2", "0,D,1,50,2", "Day", "day 0, shift 'D' is covered twice (first at line"),
        ("A,D=5|N=2,2000,1440,4,2,2,1", "A,D=5|N=2,1000,1440,4,2,2,1", "MinTotalMinutes",
         "MinTotalMinutes 1440 is above MaxTotalMinutes 1000"),
        ("A,D=5|N=2,2000,1440,4,2,2,1", "A,D=5|N=2,2000,1440,1,2,2,1", "MinConsecutiveShifts",
         "MinConsecutiveShifts 2 is above MaxConsecutiveShifts 1"),
    ],
)
def test_rejects_a_broken_line_naming_line_and_field(old, new, field, message):
    text, line = replaced(old, new)
    if "\n" in new:  # the broken line is the second one
        line += 1
    found = problems_of(text)
    assert len(found) == 1, found
    assert found[0][:2] == (line, field)
    assert message in found[0][2]


@pytest.mark.parametrize("section", ["SECTION_HORIZON", "SECTION_SHIFTS", "SECTION_STAFF", "SECTION_COVER"])
def test_rejects_a_missing_required_section(section):
    text, _ = replaced(section, "")
    found = problems_of(text)
    assert (None, None, f"section {section} is missing") in found


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("SECTION_COVER", "SECTION_DAYS_OFF", "SECTION_DAYS_OFF appears twice (first at line 17)"),
        ("# A one-week instance written for these tests", "7", "data before the first SECTION_ line"),
        ("7", "7\n14", "SECTION_HORIZON holds a single value"),
    ],
)
def test_rejects_a_misplaced_line(old, new, message):
    text, line = replaced(old, new)
    if "\n" in new:
        line += 1
    assert any(found[0] == line and message in found[2] for found in problems_of(text))


def test_rejects_text_that_is_not_utf8():
    text, line = replaced("B,1,D,2", "B,1,D,2 \xe9")
    assert problems_of(text.encode("latin-1")) == [(line, None, "not UTF-8 text: byte 0xe9 cannot be read")]


def test_reports_every_problem_of_a_file_at_once():
    text = WEEK
    for old, new in [("7", "10"), ("D,480,", "D,480,X"), ("B,1,D,2", "Q,1,D,two"), ("0,D,2,100,1", "0,D,2,100")]:
        text = text.replace(f"\n{old}\n", f"\n{new}\n", 1)
    found = problems_of(text)
    assert [(line, field) for line, field, _ in found] == [
        (4, "Horizon"), (8, "ForbiddenNext"), (23, "EmployeeID"), (23, "Weight"), (33, "WeightOver"),
    ]


# ---------------------------------------------------------------- the objective


def test_objective_of_the_compliant_roster():
    # shift-on: A not on D day 4 (3) + C on D not N day 3 (1) = 4; B's D on day 1 is granted.
    # shift-off: A on D day 0 (2) + B on N day 3 (5) = 7; C is off day 6.
    # on duty D per day: 1 2 2 2 1 1 1 against 2 2 2 2 2 1 1 -> days 0 and 4 one short: 2 x 100 = 200.
    # on duty N per day: 1 1 0 1 0 0 0 against 1 1 1 1 1 0 0 -> days 2 and 4 one short: 2 x 50 = 100.
    # 4 + 7 + 300 + 0 = 311
    assert evaluate(INSTANCE, roster(**COMPLIANT)) == Evaluation(311, 4, 7, 300, 0, ())


def test_objective_of_the_empty_roster():
    # shift-on: 3 + 2 + 1 = 6; shift-off: 0.
    # under: D 5 days x 2 x 100 + 2 days x 1 x 100 = 1200; N 5 days x 1 x 50 = 250 -> 1450.  6 + 1450 = 1456
    evaluation = evaluate(INSTANCE, {})
    assert (evaluation.objective, evaluation.shift_on_penalty, evaluation.shift_off_penalty,
            evaluation.under_cover_penalty, evaluation.over_cover_penalty) == (1456, 6, 0, 1450, 0)
    assert not evaluation.feasible  # A and B work fewer minutes than they must


def test_objective_with_too_many_and_too_few():
    everyone = roster(A="..N..D.", B="..N..D.", C="..N..D.")
    # shift-on: 3 + 2 + 1 = 6; shift-off: none of A D 0, B N 3, C D 6 is worked -> 0.
    # D: day 2 0/2 -> 200, days 0 1 3 4 0/2 -> 800, day 6 0/1 -> 100: under 1100; day 5 3/1 -> over 2 x 1 = 2.
    # N: day 2 3/1 -> over 2 x 2 = 4; days 0 1 3 4 0/1 -> under 4 x 50 = 200.
    # 6 + 0 + 1300 + 6 = 1312
    evaluation = evaluate(INSTANCE, everyone)
    assert (evaluation.objective, evaluation.shift_on_penalty, evaluation.shift_off_penalty,
            evaluation.under_cover_penalty, evaluation.over_cover_penalty) == (1312, 6, 0, 1300, 6)


# ---------------------------------------------------------------- the hard rules, one at a time


def test_the_compliant_roster_breaks_no_rule():
    assert violations() == []
    assert evaluate(INSTANCE, roster(**COMPLIANT)).feasible


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        (dict(C="ND.DD.."), [("forbidden_next", "C", (0, 1))]),
        (dict(B=".DNN.DD"), [("max_shifts", "B", (2, 3))]),
        (dict(A="DDDN..."), [("max_total_minutes", "A", (0, 1, 2, 3))]),
        (dict(A="DD....."), [("min_total_minutes", "A", (0, 1))]),
        # a run that starts on day 0 counts with the days it has: the day before the horizon is off
        (dict(C="DDNN..."), [("max_consecutive_shifts", "C", (0, 1, 2, 3))]),
        (dict(C="NN.D..."), [("min_consecutive_shifts", "C", (3,))]),
        (dict(A="D.DD..."), [("min_consecutive_days_off", "A", (1,))]),
        (dict(C="NN.DD.D"), [("max_weekends", "C", (6,))]),
        (dict(B="DDDN.DD"), [("days_off", "B", (0,))]),
    ],
)
def test_a_roster_breaking_one_rule_gets_exactly_that_violation(changes, expected):
    assert violations(**changes) == expected


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        (dict(C="N..DD.."), []),  # one shift on day 0: shifts are assumed before the horizon
        (dict(C="NN.DD.N"), [("max_weekends", "C", (6,))]),  # one shift on the last day: and after it
        (dict(A=".DDDD.."), []),  # one day off on day 0: days off are assumed before the horizon
        (dict(A="..DDDD."), []),  # one day off on the last day: and after it
    ],
)
def test_short_runs_at_the_edges_of_the_horizon_are_not_too_short(changes, expected):
    assert violations(**changes) == expected


def test_a_weekend_counts_once_whether_one_or_both_days_are_worked():
    assert violations() == []  # B works Saturday and Sunday, one weekend of the one allowed
    assert violations(C="NN.DDD.") == [("max_weekends", "C", (5,))]
    assert violations(C="NN.DD.D") == [("max_weekends", "C", (6,))]


@pytest.mark.parametrize(
    ("entry", "rule"),
    [((("Z", 0), "D"), "unknown_employee"), ((("A", 4), "X"), "unknown_shift"),
     ((("A", 7), "D"), "day_outside_horizon"), ((("A", -1), "D"), "day_outside_horizon")],
)
def test_an_entry_outside_the_instance_is_a_violation_and_counts_for_nothing(entry, rule):
    key, shift = entry
    evaluation = evaluate(INSTANCE, {**roster(**COMPLIANT), key: shift})
    assert [v.rule for v in evaluation.violations] == [rule]
    assert evaluation.objective == 311


# ---------------------------------------------------------------- property


def expected_parts(entries: dict[tuple[str, int], str]) -> tuple[int, int, int, int]:
    """The objective's parts counted request by request and cover row by cover row."""
    valid = {(e, d): s for (e, d), s in entries.items() if e in "ABC" and 0 <= d < 7 and s in "DN"}
    on = sum(r.weight for r in INSTANCE.shift_on_requests if valid.get((r.employee, r.day)) != r.shift)
    off = sum(r.weight for r in INSTANCE.shift_off_requests if valid.get((r.employee, r.day)) == r.shift)
    under = over = 0
    for row in INSTANCE.cover:
        on_duty = sum(1 for (_, day), shift in valid.items() if (day, shift) == (row.day, row.shift))
        under += row.weight_under * max(0, row.requirement - on_duty)
        over += row.weight_over * max(0, on_duty - row.requirement)
    return on, off, under, over


ROSTERS = st.dictionaries(
    st.tuples(st.sampled_from("ABCZ"), st.integers(-1, 7)), st.sampled_from("DNDNX"), max_size=25
)


@fuzz_settings(200)
@given(ROSTERS)
def test_objective_is_non_negative_and_the_sum_of_its_parts(entries):
    evaluation = evaluate(INSTANCE, entries)
    parts = (evaluation.shift_on_penalty, evaluation.shift_off_penalty,
             evaluation.under_cover_penalty, evaluation.over_cover_penalty)
    assert evaluation.objective >= 0
    assert evaluation.objective == sum(parts)
    assert parts == expected_parts(entries)
    assert evaluation.feasible == (not evaluation.violations)
