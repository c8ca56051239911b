from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from helpers.fuzzing import fuzz_settings
from planner.domain import Operator, Roster, Shift
from planner.errors import InputError, Problem
from planner.month import Month
from planner.rostercsv import load_earlier_roster_csv, load_roster_csv, read_roster_csv, write_roster_csv

MOSCOW = Month(2026, 12, "Europe/Moscow", "RU")
BERLIN_SPRING = Month(2026, 3, "Europe/Berlin", "DE")  # 2026-03-29 02:00 -> 03:00
BERLIN_AUTUMN = Month(2026, 10, "Europe/Berlin", "DE")  # 2026-10-25 03:00 -> 02:00
OPERATORS = [Operator("op1", "Анна Иванова", 1.0), Operator("op2", "Boris, Jr.", 0.5)]


def at(month: Month, text: str, fold: int = 0) -> datetime:
    return datetime.strptime(text, "%Y-%m-%d %H:%M").replace(tzinfo=month.tz, fold=fold)


def plus(moment: datetime, hours: float) -> datetime:
    return (moment.astimezone(UTC) + timedelta(hours=hours)).astimezone(moment.tzinfo)


def shift(op: str, start: str, hours: float, month: Month = MOSCOW, fold: int = 0, breaks: tuple[float, ...] = ()):
    begin = at(month, start, fold)
    return Shift(op, begin, plus(begin, hours), tuple(plus(begin, b) for b in breaks))


def written(roster: Roster, operators=OPERATORS) -> str:
    out = io.StringIO()
    write_roster_csv(roster, operators, out)
    return out.getvalue()


def read(text: str, month: Month = MOSCOW, encoding: str = "utf-8") -> Roster:
    return read_roster_csv(text.encode(encoding), "roster.csv", month)


def instants(roster: Roster) -> list[tuple]:
    """Shifts as UTC instants: equal aware datetimes of one zone compare by wall time and ignore `fold`."""
    return sorted(
        (s.operator_id, s.start.astimezone(UTC), s.end.astimezone(UTC), tuple(b.astimezone(UTC) for b in s.breaks))
        for s in roster.shifts
    )


def canonical(roster: Roster) -> Roster:
    """The roster in the order reading gives: by start instant, then operator."""
    return Roster(roster.month, tuple(sorted(roster.shifts, key=lambda s: (s.start.astimezone(UTC), s.operator_id))))


def problems(text: str, month: Month = MOSCOW) -> list[tuple[int | None, str | None, str]]:
    with pytest.raises(InputError) as caught:
        read(text, month)
    return [(p.line, p.field, p.message) for p in caught.value.problems]


ROSTER = Roster(
    MOSCOW,
    (
        shift("op2", "2026-12-05 08:00", 4, breaks=(2,)),
        shift("op1", "2026-12-05 08:00", 8, breaks=(1.5, 5.25)),
        shift("op1", "2026-12-06 22:00", 8, breaks=(2, 4.5)),
        shift("ghost", "2026-12-06 09:00", 8),
    ),
)
ROSTER_CSV = """\
operator_id,date,start,end,breaks,name,rate,hours
op1,2026-12-05,2026-12-05 08:00,2026-12-05 16:00,09:30 13:15,Анна Иванова,1.0,8
op2,2026-12-05,2026-12-05 08:00,2026-12-05 12:00,10:00,"Boris, Jr.",0.5,4
ghost,2026-12-06,2026-12-06 09:00,2026-12-06 17:00,,,,8
op1,2026-12-06,2026-12-06 22:00,2026-12-07 06:00,00:00 02:30,Анна Иванова,1.0,8
"""


def test_write_follows_the_contract():
    assert written(ROSTER) == ROSTER_CSV


def test_write_to_a_path_and_load_it(tmp_path):
    path = tmp_path / "roster.csv"
    write_roster_csv(ROSTER, OPERATORS, path)
    assert path.read_text(encoding="utf-8") == ROSTER_CSV
    assert load_roster_csv(path, MOSCOW) == canonical(ROSTER)


def test_load_a_missing_file_is_an_input_error(tmp_path):
    with pytest.raises(InputError, match="file not found"):
        load_roster_csv(tmp_path / "nope.csv", MOSCOW)


def test_read_gives_aware_times_of_the_month_zone():
    roster = read(ROSTER_CSV)
    assert instants(roster) == instants(ROSTER)
    night = [s for s in roster.shifts if s.start.hour == 22][0]
    assert night.start.tzinfo == MOSCOW.tz and night.breaks[0] == at(MOSCOW, "2026-12-07 00:00")


def test_read_an_excel_file_semicolons_bom_crlf_dotted_dates_seconds():
    text = (
        "\ufeffOperator_ID;Date;Start;End;Breaks;Name;Comment\r\n"
        "op1;05.12.2026;05.12.2026 8:00:00;05.12.2026 16:00:00;9:30 13:15:00;Анна Иванова;утро\r\n"
    )
    assert instants(read(text)) == instants(Roster(MOSCOW, (ROSTER.shifts[1],)))


def test_read_windows_1251_with_columns_in_any_order():
    text = "name;end;start;operator_id;date\nАнна;2026-12-05T16:00;2026-12-05T08:00;op1;2026-12-05\n"
    roster = read(text, encoding="cp1251")
    assert instants(roster) == [("op1", at(MOSCOW, "2026-12-05 08:00"), at(MOSCOW, "2026-12-05 16:00"), ())]


def test_every_problem_is_reported_with_line_and_field():
    text = (
        "operator_id,date,start,end,breaks\n"
        "op1,2026-12-06,2026-12-05 08:00,2026-12-05 16:00,\n"
        ",2026-12-05,2026-12-05 08:00,2026-12-05 16:00,\n"
        "op1,2026-12-07,2026-12-07 22:00,2026-12-07 06:00,\n"
        "op1,2026-12-08,2026-12-08 8h,2026-12-08 16:00,12\n"
        "op1,2026-13-09,2026-12-09 08:00,2026-12-09 16:00,\n"
    )
    assert problems(text) == [
        (2, "date", "must be the day the shift starts (2026-12-05), got '2026-12-06'"),
        (3, "operator_id", "is empty; every shift needs the id of its operator"),
        (4, "end", "must be after the start 2026-12-07 22:00, got '2026-12-07 06:00' "
         "(a shift that crosses midnight ends on the next day)"),
        (5, "start", "must be a local time YYYY-MM-DD HH:MM, got '2026-12-08 8h'"),
        (5, "breaks", "must be break start times HH:MM separated by spaces, got '12' in '12'"),
        (6, "date", "is not a real date, got '2026-13-09'"),
    ]


def test_missing_columns_are_named():
    assert problems("operator_id,start,finish\nop1,2026-12-05 08:00,2026-12-05 16:00\n") == [
        (1, "date", "required column is missing (a roster needs operator_id, date, start, end, breaks)"),
        (1, "end", "required column is missing (a roster needs operator_id, date, start, end, breaks)"),
    ]


def test_breaks_column_may_be_left_out_and_extra_columns_are_ignored():
    roster = read("operator_id,date,start,end,team\nop1,2026-12-05,2026-12-05 08:00,2026-12-05 16:00,A\n")
    assert [s.breaks for s in roster.shifts] == [()]


# --- daylight saving time ------------------------------------------------------------------------------------------


def test_a_time_skipped_by_the_clocks_is_an_error():
    text = "operator_id,date,start,end\nop1,2026-03-29,2026-03-29 02:00,2026-03-29 10:00\n"
    assert problems(text, BERLIN_SPRING) == [
        (2, "start", "2026-03-29 02:00 does not exist in Europe/Berlin: the clocks go forward then")
    ]


def test_long_night_shift_reads_with_its_elapsed_length():
    roster = read("operator_id,date,start,end\nop1,2026-10-24,2026-10-24 22:00,2026-10-25 05:00\n", BERLIN_AUTUMN)
    assert [s.end - s.start for s in roster.shifts] == [timedelta(hours=7)]  # wall time difference
    assert instants(roster)[0][2] - instants(roster)[0][1] == timedelta(hours=8)


@pytest.mark.parametrize(("hours", "fold", "length"), [("8", 1, 8), ("9", 0, 9), ("", 0, 9), ("x", 0, 9)])
def test_a_repeated_start_hour_is_read_to_match_the_hours_column(hours, fold, length):
    text = f"operator_id,date,start,end,hours\nop1,2026-10-25,2026-10-25 02:00,2026-10-25 10:00,{hours}\n"
    (got,) = read(text, BERLIN_AUTUMN).shifts
    assert got.start.fold == fold
    assert got.end.astimezone(UTC) - got.start.astimezone(UTC) == timedelta(hours=length)


@pytest.mark.parametrize(("hours", "fold"), [("8", 0), ("9", 1)])
def test_a_repeated_end_hour_is_read_to_match_the_hours_column(hours, fold):
    text = f"operator_id,date,start,end,hours\nop1,2026-10-24,2026-10-24 18:00,2026-10-25 02:00,{hours}\n"
    assert read(text, BERLIN_AUTUMN).shifts[0].end.fold == fold


def test_a_repeated_break_time_is_placed_inside_its_shift():
    text = "operator_id,date,start,end,breaks,hours\nop1,2026-10-25,2026-10-25 02:00,2026-10-25 10:00,02:30 09:00,8\n"
    (got,) = read(text, BERLIN_AUTUMN).shifts
    assert got.start.fold == 1
    assert [b.astimezone(UTC) for b in got.breaks] == [plus(got.start, h).astimezone(UTC) for h in (0.5, 7)]


def test_dst_round_trip_keeps_the_second_of_two_equal_hours():
    roster = Roster(
        BERLIN_AUTUMN,
        (
            shift("op1", "2026-10-24 22:00", 8, BERLIN_AUTUMN, breaks=(2, 6)),
            shift("op2", "2026-10-25 02:00", 4, BERLIN_AUTUMN, fold=1, breaks=(1,)),
        ),
    )
    text = written(roster)
    assert "op2,2026-10-25,2026-10-25 02:00,2026-10-25 06:00,03:00" in text
    assert instants(read(text, BERLIN_AUTUMN)) == instants(roster)


# --- properties ----------------------------------------------------------------------------------------------------

IDS = st.text(st.sampled_from("abcXYZ019 _-,;'\"Жё"), min_size=1, max_size=8).map(str.strip).filter(bool)
NAMES = st.text(st.characters(blacklist_categories=("Cc", "Cs")), max_size=10).map(str.strip)
MONTHS = st.sampled_from([MOSCOW, BERLIN_SPRING, BERLIN_AUTUMN])


@st.composite
def rosters(draw) -> tuple[Roster, list[Operator]]:
    """Any shifts at all, rules or no rules: the file format must carry every roster the validator may judge."""
    month = draw(MONTHS)
    ids = draw(st.lists(IDS, min_size=1, max_size=4, unique=True))
    operators = [Operator(i, draw(NAMES), draw(st.sampled_from([1.0, 0.5]))) for i in ids]
    shifts = []
    for _ in range(draw(st.integers(1, 8))):
        start = draw(st.sampled_from(month.hours))
        length = draw(st.integers(1, 14))
        offsets = draw(st.lists(st.integers(1, length * 12 - 1), max_size=3, unique=True))
        # A break at a repeated wall-clock time inside the shift cannot say which one it is; leave those out.
        breaks = [plus(start, 5 * o / 60) for o in sorted(offsets)]
        breaks = [b for b in breaks if b.utcoffset() == b.replace(fold=1 - b.fold).utcoffset()]
        shifts.append(Shift(draw(st.sampled_from(ids)), start, plus(start, length), tuple(breaks)))
    return Roster(month, tuple(shifts)), operators


CORRUPTIONS = [b",", b";", b'"', b"\n", b"\r", b":", b"-", b".", b"9", b" ", b"\xd0", b"\xef\xbb\xbf"]
PROPERTY = fuzz_settings(80)


@PROPERTY
@given(rosters())
def test_property_write_then_read_round_trips(case):
    roster, operators = case
    back = read(written(roster, operators), roster.month)
    assert instants(back) == instants(roster)
    assert back == canonical(roster)


@PROPERTY
@given(rosters(), st.data())
def test_property_a_corrupted_file_parses_or_is_rejected_cleanly(case, data):
    roster, operators = case
    raw = bytearray(written(roster, operators).encode(data.draw(st.sampled_from(["utf-8", "utf-8-sig"]))))
    for _ in range(data.draw(st.integers(1, 4))):
        position = data.draw(st.integers(0, len(raw)))
        action = data.draw(st.sampled_from(["replace", "delete", "insert"]))
        if action == "replace" and position < len(raw):
            raw[position] = data.draw(st.integers(0, 255))
        elif action == "delete":
            del raw[position : position + data.draw(st.integers(1, 20))]
        else:
            raw[position:position] = data.draw(st.sampled_from(CORRUPTIONS))
    try:
        result = read_roster_csv(bytes(raw), "roster.csv", roster.month)
    except InputError as exc:
        assert exc.problems and all(isinstance(p, Problem) and p.message for p in exc.problems)
    else:
        assert isinstance(result, Roster)


def test_an_earlier_months_roster_takes_the_month_its_shifts_start_in(tmp_path):
    path = tmp_path / "december.csv"
    path.write_text("operator_id,date,start,end,breaks\na,2025-12-31,2025-12-31 22:00,2026-01-01 06:00,\n",
                    encoding="utf-8")
    roster = load_earlier_roster_csv(path, Month(2026, 2, "Europe/Moscow", "RU"))
    assert roster.month == Month(2025, 12, "Europe/Moscow", "RU")
    assert roster.shifts[0].end == datetime(2026, 1, 1, 6, tzinfo=roster.month.tz)


@pytest.mark.parametrize("rows, found", [
    ("a,2025-12-31,2025-12-31 09:00,2025-12-31 17:00,\na,2026-01-02,2026-01-02 09:00,2026-01-02 17:00,\n",
     "2025-12, 2026-01"),
    ("a,2026-02-02,2026-02-02 09:00,2026-02-02 17:00,\n", "2026-02"),
])
def test_an_earlier_months_roster_of_no_single_earlier_month_is_refused(tmp_path, rows, found):
    path = tmp_path / "earlier.csv"
    path.write_text("operator_id,date,start,end,breaks\n" + rows, encoding="utf-8")
    with pytest.raises(InputError) as refused:
        load_earlier_roster_csv(path, Month(2026, 2, "Europe/Moscow", "RU"))
    assert str(refused.value) == (f"{path}, field 'date': an earlier month's roster must hold the shifts of one "
                                  f"month before 2026-02; its shifts start in: {found}")
