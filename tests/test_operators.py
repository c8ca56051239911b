from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from helpers.fuzzing import fuzz_settings
from planner.config import parse_rules
from planner.domain import Operator, ShiftRequest, WeeklyHours
from planner.errors import InputError
from planner.operators import load_operators, parse_operators
from planner.samples import weekly_hours_text

RULES = parse_rules({})
FUZZ = fuzz_settings(100)

FULL = """id,name,rate,earliest_start,latest_end,unavailable,days_off_wished,team,address,district,lat,lon,phone
op001,Anna Smith,1.0,,,2026-03-02 2026-03-03,2026-03-08,A,"Main St 1, flat 2",North,55.75,37.62,+7 900 000-00-01
op002,Boris Brown,0.5,17:00,24:00,,,B,,,,,
op003,Carl Jones,0.75,20:00,08:00,,,,,,,,
"""


def problems_of(text: str, rules=RULES) -> list[str]:
    with pytest.raises(InputError) as excinfo:
        parse_operators(text.encode(), "ops.csv", rules)
    return [str(problem) for problem in excinfo.value.problems]


def one_row(**cells: str) -> str:
    """A file with one operator, `cells` overriding a valid row."""
    row = {"id": "op1", "name": "Anna", "rate": "1.0", **cells}
    return ",".join(row) + "\n" + ",".join(row.values()) + "\n"


# --- happy paths ------------------------------------------------------------------------------------------


def test_comma_file_with_every_column():
    anna, boris, carl = parse_operators(FULL.encode(), "ops.csv", RULES)
    assert anna == Operator(
        id="op001",
        name="Anna Smith",
        rate=1.0,
        earliest_start=0,
        latest_end=1440,
        unavailable=frozenset({date(2026, 3, 2), date(2026, 3, 3)}),
        days_off_wished=frozenset({date(2026, 3, 8)}),
        team="A",
        address="Main St 1, flat 2",
        district="North",
        lat=55.75,
        lon=37.62,
        phone="+7 900 000-00-01",
    )
    assert (boris.rate, boris.earliest_start, boris.latest_end, boris.lat, boris.lon) == (0.5, 1020, 1440, None, None)
    assert (carl.rate, carl.earliest_start, carl.latest_end) == (0.75, 1200, 480)  # wraps midnight


def test_excel_file_with_semicolons_decimal_commas_and_bom():
    text = (
        "ID;Name;Rate;Unavailable;Lat;Lon\r\n"
        "op1;Anna;0,75;2026-03-02, 2026-03-03;55,75;37,62\r\n"
        "op2;Boris;1;05.03.2026;;\r\n"
    )
    anna, boris = parse_operators(text.encode("utf-8-sig"), "ops.csv", RULES)
    assert (anna.rate, anna.lat, anna.lon) == (0.75, 55.75, 37.62)
    assert anna.unavailable == {date(2026, 3, 2), date(2026, 3, 3)}
    assert (boris.rate, boris.unavailable) == (1.0, {date(2026, 3, 5)})


def test_windows_1251_file_with_cyrillic_names():
    text = "id;name;rate;team;address\nop1;Иванова Мария;0,5;Смена А;ул. Ленина, 5\n"
    (maria,) = parse_operators(text.encode("cp1251"), "ops.csv", RULES)
    assert (maria.name, maria.team, maria.address) == ("Иванова Мария", "Смена А", "ул. Ленина, 5")


def test_midnight_as_the_end_of_a_window_is_stored_as_24_00():
    (operator,) = parse_operators(one_row(earliest_start="16:00", latest_end="00:00").encode(), "ops.csv", RULES)
    assert (operator.earliest_start, operator.latest_end) == (960, 1440)


def test_the_rates_of_the_rules_are_the_contract_rates():
    rules = parse_rules({"contracts": {"1.0": 8, "0.6": 5}})
    (operator,) = parse_operators(one_row(rate="0.6").encode(), "ops.csv", rules)
    assert operator.rate == 0.6


def test_load_operators_reads_a_file(tmp_path):
    path = tmp_path / "operators.csv"
    path.write_text(FULL, encoding="utf-8")
    assert [operator.id for operator in load_operators(path, RULES)] == ["op001", "op002", "op003"]


# --- problems ---------------------------------------------------------------------------------------------


def test_missing_columns_are_named():
    assert problems_of("ID,full name\nop1,Anna\n") == [
        "ops.csv, line 1, field 'name': missing column 'name'",
        "ops.csv, line 1, field 'rate': missing column 'rate'",
    ]


@pytest.mark.parametrize(
    ("cells", "message"),
    [
        ({"id": ""}, "field 'id': is empty"),
        ({"name": " "}, "field 'name': is empty"),
        ({"rate": ""}, "field 'rate': is empty; a number is required"),
        ({"rate": "full"}, "field 'rate': must be a number, got 'full'"),
        ({"rate": "0.6"}, "field 'rate': must be one of the contract rates 1.0, 0.75, 0.5, got '0.6'"),
        ({"rate": "1.5"}, "field 'rate': contract rate must be above 0 and at most 1, got 1.5"),
        ({"earliest_start": "8am"}, "field 'earliest_start': must be a time HH:MM, got '8am'"),
        ({"earliest_start": "24:00"}, "field 'earliest_start': must be before 24:00 "
         "(a window starting at midnight starts at 00:00)"),
        ({"latest_end": "24:30"}, "field 'latest_end': must be at most 24:00, got '24:30'"),
        ({"earliest_start": "17:00", "latest_end": "23:00"}, "field 'latest_end': no 8-hour shift starting on the "
         "hour fits between earliest_start 17:00 and latest_end 23:00"),
        ({"rate": "0.5", "earliest_start": "17:30", "latest_end": "21:30"}, "field 'latest_end': no 4-hour shift "
         "starting on the hour fits between earliest_start 17:30 and latest_end 21:30"),
        ({"earliest_start": "08:00", "latest_end": "08:00"}, "field 'latest_end': equals earliest_start 08:00; "
         "for round-the-clock availability leave both empty"),
        ({"unavailable": "2026-03-02 2026-02-30 soon"}, "field 'unavailable': is not a real date, got '2026-02-30'; "
         "must be a date YYYY-MM-DD, got 'soon'"),
        ({"days_off_wished": "03/08/2026"}, "field 'days_off_wished': must be a date YYYY-MM-DD, got '03/08/2026'"),
        ({"lat": "91", "lon": "37"}, "field 'lat': must be between -90 and 90 degrees, got 91"),
        ({"lat": "55", "lon": "-180.5"}, "field 'lon': must be between -180 and 180 degrees, got -180.5"),
        ({"lat": "nan", "lon": "37"}, "field 'lat': must be a finite number, got 'nan'"),
        ({"lat": "55.7", "lon": ""}, "field 'lon': is empty while 'lat' is given; give both coordinates or neither"),
        ({"lat": "", "lon": "37.6"}, "field 'lat': is empty while 'lon' is given; give both coordinates or neither"),
        ({"max_consecutive_days": "7"}, "field 'max_consecutive_days': must not exceed the centre's limit of 6 "
         "(max_consecutive_days.max_days in constraints.yaml); leave it empty for the centre's, got 7"),
        ({"max_consecutive_days": "0"}, "field 'max_consecutive_days': must be from 1 to 31, got 0"),
        ({"max_consecutive_days": "4.5"}, "field 'max_consecutive_days': must be a whole number, got 4.5"),
        ({"max_working_weekends": "7"}, "field 'max_working_weekends': must be from 0 to 6, got 7"),
        ({"max_working_weekends": "two"}, "field 'max_working_weekends': must be a number, got 'two'"),
        ({"shift_requests": "2026-12-05:lunch"}, "field 'shift_requests': '2026-12-05:lunch' names no shift type "
         "of the rules (day, evening, night)"),
        ({"shift_requests": "2026-12-05"}, "field 'shift_requests': must be a date and a shift type, e.g. "
         "2026-12-05:evening or -2026-12-05:night, got '2026-12-05'"),
        ({"shift_requests": "05.12.2026:day"}, "field 'shift_requests': must start with a date YYYY-MM-DD, got "
         "'05.12.2026:day'"),
        ({"shift_requests": "2026-12-05:night -2026-12-05:night"}, "field 'shift_requests': asks both for and "
         "against a night shift on 2026-12-05"),
    ],
)
def test_bad_cells_are_named_by_line_and_field(cells, message):
    assert problems_of(one_row(**cells)) == [f"ops.csv, line 2, {message}"]


def test_shift_requests_for_and_against_a_shift_type():
    [anna] = parse_operators(one_row(shift_requests="2026-12-05:evening -2026-12-06:night").encode(), "ops.csv",
                             RULES)
    assert anna.shift_requests == {ShiftRequest(date(2026, 12, 5), "evening"),
                                   ShiftRequest(date(2026, 12, 6), "night", work=False)}
    assert sorted(map(str, anna.shift_requests)) == ["-2026-12-06:night", "2026-12-05:evening"]


def test_an_operators_own_limits_are_read_and_empty_means_the_centres():
    [anna] = parse_operators(one_row(max_consecutive_days="4", max_working_weekends="0").encode(), "ops.csv", RULES)
    assert (anna.max_consecutive_days, anna.max_working_weekends) == (4, 0)
    [boris] = parse_operators(one_row(max_consecutive_days="", max_working_weekends="").encode(), "ops.csv", RULES)
    assert (boris.max_consecutive_days, boris.max_working_weekends) == (None, None)
    # Under a centre limit of weekends, an operator's own must not exceed it.
    rules = parse_rules({"rules": {"max_working_weekends": {"max_weekends": 2}}})
    assert problems_of(one_row(max_working_weekends="3"), rules) == [
        "ops.csv, line 2, field 'max_working_weekends': must not exceed the centre's limit of 2 "
        "(max_working_weekends.max_weekends in constraints.yaml); leave it empty for the centre's, got 3"
    ]


def test_a_rate_missing_from_the_rules_is_refused():
    rules = parse_rules({"contracts": {"1.0": 8}})
    assert problems_of(one_row(rate="0.5"), rules) == [
        "ops.csv, line 2, field 'rate': must be one of the contract rates 1.0, got '0.5'"
    ]


def test_duplicate_ids_name_both_lines_and_every_row_is_checked():
    text = FULL + 'op002,Dora,1.0,,,,,,,,,,\n"op005",,0.3,,,,,,,,,,\n'
    assert problems_of(text) == [
        "ops.csv, line 5, field 'id': duplicate id 'op002', already on line 3",
        "ops.csv, line 6, field 'name': is empty",
        "ops.csv, line 6, field 'rate': must be one of the contract rates 1.0, 0.75, 0.5, got '0.3'",
    ]


def test_header_only_file_is_refused():
    assert problems_of("id,name,rate\n") == ["ops.csv: has a header but no data rows"]


# --- properties -------------------------------------------------------------------------------------------


@settings(FUZZ)
@given(st.binary(max_size=2000))
def test_random_bytes_parse_or_raise_input_error(data):
    try:
        parse_operators(data, "ops.csv", RULES)
    except InputError:
        pass


@settings(FUZZ)
@given(st.data())
def test_mutated_files_parse_or_raise_input_error(data):
    original = bytearray(FULL.encode("utf-8"))
    for _ in range(data.draw(st.integers(1, 4))):
        position = data.draw(st.integers(0, len(original)))
        chunk = data.draw(st.binary(min_size=1, max_size=6) | st.sampled_from([b",", b";", b"\n", b'"', b":", b"."]))
        if data.draw(st.booleans()):
            original[position : position + len(chunk)] = chunk
        else:
            del original[position : position + len(chunk) * 5]
    try:
        parse_operators(bytes(original), "ops.csv", RULES)
    except InputError:
        pass


# --- weekly hours (issue 16, item 3) -------------------------------------------------------------------------


def test_weekly_hours_give_a_window_per_weekday_and_are_written_back_the_same():
    (op,) = parse_operators(one_row(weekly_hours="Mon-Fri 16:00-24:00; sat 10:00-22:00").encode(), "ops.csv", RULES)
    assert op.weekly_hours == (*(WeeklyHours(day, 16 * 60, 24 * 60) for day in range(5)), WeeklyHours(5, 600, 1320))
    assert op.window_on(date(2026, 12, 7)) == (16 * 60, 24 * 60)  # a Monday
    assert op.window_on(date(2026, 12, 13)) == (0, 24 * 60)  # a Sunday: the daily window
    assert weekly_hours_text(op.weekly_hours) == "mon-fri 16:00-24:00, sat 10:00-22:00"


@pytest.mark.parametrize(("cell", "message"), [
    ("weekdays 17:00-24:00", "'weekdays' is not a day of the week (mon, tue, wed, thu, fri, sat, sun)"),
    ("mon-fri from 17", "'mon-fri from 17' must be days and hours such as 'mon-fri 17:00-24:00'"),
    ("mon-wed 16:00-24:00; wed 08:00-16:00", "wed is given twice"),
    ("mon 20:00-24:00", "no 8-hour shift starting on the hour fits between 20:00 and 24:00 on mon"),
])
def test_bad_weekly_hours_are_named_by_line_and_field(cell, message):
    assert problems_of(one_row(weekly_hours=cell)) == [f"ops.csv, line 2, field 'weekly_hours': {message}"]
