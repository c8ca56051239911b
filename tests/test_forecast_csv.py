import random
from datetime import datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from helpers.fuzzing import fuzz_settings
from planner.config import parse_rules
from planner.errors import InputError
from planner.forecast_csv import load_forecast, parse_forecast
from planner.month import Month

MOSCOW = parse_rules({})
BERLIN = parse_rules({"centre": {"timezone": "Europe/Berlin", "country": "DE"}})
MARCH = Month(2026, 3, "Europe/Moscow", "RU")
SPRING_FORWARD = Month(2026, 3, "Europe/Berlin", "DE")  # 2026-03-29 02:00 does not exist: 743 hours
FALL_BACK = Month(2026, 10, "Europe/Berlin", "DE")  # 2026-10-25 02:00 happens twice: 745 hours
FUZZ = fuzz_settings(80)


def hourly_calls(month: Month) -> list[float]:
    return [float(index % 50) + 0.5 for index in range(len(month.hours))]


def interval_lines(month: Month, calls: list[float], aht: float = 240.0) -> list[str]:
    """Rows `interval_start,calls,aht_sec` in local wall-clock time: a repeated hour simply appears twice."""
    return [f"{hour:%Y-%m-%d %H:%M},{value},{aht}" for hour, value in zip(month.hours, calls, strict=True)]


def csv_bytes(lines: list[str], header: str = "interval_start,calls,aht_sec") -> bytes:
    return ("\n".join([header, *lines]) + "\n").encode()


def problems_of(data: bytes, rules=MOSCOW) -> list[str]:
    with pytest.raises(InputError) as excinfo:
        parse_forecast(data, "f.csv", rules)
    return [str(problem) for problem in excinfo.value.problems]


def march_with(replacements: dict[int, str], extra: tuple[str, ...] = ()) -> bytes:
    """The valid March file with some data rows replaced (key = editor line) or dropped (value '')."""
    lines = interval_lines(MARCH, hourly_calls(MARCH))
    for line, text in replacements.items():
        lines[line - 2] = text
    return csv_bytes([line for line in lines if line] + list(extra))


# --- happy paths ------------------------------------------------------------------------------------------


def test_comma_csv_with_interval_start():
    forecast = parse_forecast(march_with({}), "f.csv", MOSCOW)
    assert forecast.month == MARCH
    assert forecast.calls == tuple(hourly_calls(MARCH))
    assert forecast.aht_sec == (240.0,) * 744
    assert forecast.source == "f.csv"


def test_excel_file_with_semicolons_decimal_commas_and_bom():
    lines = [f"{hour:%d.%m.%Y %H:%M};{str(calls).replace('.', ',')};240,5" for hour, calls in
             zip(MARCH.hours, hourly_calls(MARCH), strict=True)]
    data = ("Interval_Start;CALLS;AHT_sec\r\n" + "\r\n".join(lines) + "\r\n").encode("utf-8-sig")
    forecast = parse_forecast(data, "f.csv", MOSCOW)
    assert forecast.calls == tuple(hourly_calls(MARCH))
    assert forecast.aht_sec == (240.5,) * 744


def test_windows_1251_file_with_a_cyrillic_comment_column():
    lines = [f"{hour:%Y-%m-%d %H:%M};{int(calls)};Прогноз отдела" for hour, calls in
             zip(MARCH.hours, hourly_calls(MARCH), strict=True)]
    data = "\n".join(["interval_start;calls;комментарий", *lines]).encode("cp1251")
    assert parse_forecast(data, "f.csv", MOSCOW).calls == tuple(float(int(c)) for c in hourly_calls(MARCH))


def test_date_and_hour_columns_with_t_separator_ignored_extra_columns():
    lines = [f"{hour:%Y-%m-%d},{hour.hour},{calls},x" for hour, calls in
             zip(MARCH.hours, hourly_calls(MARCH), strict=True)]
    forecast = parse_forecast(csv_bytes(lines, "date,hour,calls,note"), "f.csv", MOSCOW)
    assert forecast.calls == tuple(hourly_calls(MARCH))


def test_interval_start_with_t_and_seconds():
    lines = [f"{hour:%Y-%m-%dT%H:%M:00},1" for hour in MARCH.hours]
    assert parse_forecast(csv_bytes(lines, "interval_start,calls"), "f.csv", MOSCOW).calls == (1.0,) * 744


@pytest.mark.parametrize(("rules", "aht"),
                         [(MOSCOW, 300.0), (parse_rules({"staffing": {"default_aht_sec": 185}}), 185.0)])
def test_default_aht_comes_from_the_rules_when_the_column_is_absent(rules, aht):
    lines = [f"{hour:%Y-%m-%d %H:%M},3" for hour in MARCH.hours]
    forecast = parse_forecast(csv_bytes(lines, "interval_start,calls"), "f.csv", rules)
    assert forecast.aht_sec == (aht,) * 744


def test_quarter_hours_are_summed_with_aht_weighted_by_calls():
    lines = []
    for hour in MARCH.hours:
        if hour.day == 1 and hour.hour == 0:
            quarters = [(1, 100), (2, 200), (3, 300), (4, 400)]
        elif hour.day == 1 and hour.hour == 1:
            quarters = [(0, 100), (0, 200), (0, 300), (0, 600)]  # no calls: plain mean of the AHT
        else:
            quarters = [(1, 300)] * 4
        lines += [f"{hour:%Y-%m-%d %H}:{15 * q:02d},{c},{a}" for q, (c, a) in enumerate(quarters)]
    forecast = parse_forecast(csv_bytes(lines), "f.csv", MOSCOW)
    assert forecast.calls[:3] == (10.0, 0.0, 4.0)
    assert forecast.aht_sec[:3] == (300.0, 300.0, 300.0)
    assert forecast.aht_sec[0] == (1 * 100 + 2 * 200 + 3 * 300 + 4 * 400) / 10


def test_half_hours_are_summed():
    lines = [f"{hour:%Y-%m-%d %H}:{minute:02d},2,300" for hour in MARCH.hours for minute in (0, 30)]
    assert parse_forecast(csv_bytes(lines), "f.csv", MOSCOW).calls == (4.0,) * 744


def test_spring_forward_month_has_743_hours():
    forecast = parse_forecast(csv_bytes(interval_lines(SPRING_FORWARD, hourly_calls(SPRING_FORWARD))), "f", BERLIN)
    assert len(forecast.calls) == 743
    assert forecast.month == SPRING_FORWARD


def test_fall_back_month_has_745_hours_and_the_repeated_hour_in_order():
    calls = hourly_calls(FALL_BACK)
    forecast = parse_forecast(csv_bytes(interval_lines(FALL_BACK, calls)), "f", BERLIN)
    assert len(forecast.calls) == 745
    first, second = (i for i, hour in enumerate(FALL_BACK.hours) if hour.day == 25 and hour.hour == 2)
    assert FALL_BACK.hours[first].fold == 0 and FALL_BACK.hours[second].fold == 1
    assert (forecast.calls[first], forecast.calls[second]) == (calls[first], calls[second])
    assert forecast.calls == tuple(calls)


def test_fall_back_quarter_hours_fill_the_repeated_hour_in_order():
    lines = [f"{hour:%Y-%m-%d %H}:{minute:02d},{index}" for index, hour in enumerate(FALL_BACK.hours)
             for minute in (0, 15, 30, 45)]
    forecast = parse_forecast(csv_bytes(lines, "interval_start,calls"), "f", BERLIN)
    assert forecast.calls == tuple(4.0 * index for index in range(745))


def test_fall_back_hours_by_date_and_hour():
    lines = [f"{hour:%Y-%m-%d},{hour.hour},{index}" for index, hour in enumerate(FALL_BACK.hours)]
    forecast = parse_forecast(csv_bytes(lines, "date,hour,calls"), "f", BERLIN)
    assert forecast.calls == tuple(float(index) for index in range(745))


def test_explicit_utc_offsets_say_which_repeated_hour_is_meant():
    calls = hourly_calls(FALL_BACK)
    lines = [f"{hour:%Y-%m-%d %H:%M%z},{value}" for hour, value in zip(FALL_BACK.hours, calls, strict=True)]
    first = next(i for i, hour in enumerate(FALL_BACK.hours) if hour.day == 25 and hour.hour == 2)
    assert lines[first].startswith("2026-10-25 02:00+0200")
    lines[first], lines[first + 1] = lines[first + 1], lines[first]  # the later hour is listed first
    lines[first] = lines[first].replace("+0100", "+01:00")
    forecast = parse_forecast(csv_bytes(lines, "interval_start,calls"), "f", BERLIN)
    assert forecast.calls == tuple(calls)


def test_load_forecast_reads_a_file(tmp_path):
    path = tmp_path / "march.csv"
    path.write_bytes(march_with({}))
    assert load_forecast(path, MOSCOW).source == str(path)


# --- problems ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "message"),
    [
        ("interval_start,aht_sec", "f.csv, line 1, field 'calls': missing column 'calls' (calls offered per interval)"),
        (
            "start,calls",
            "f.csv, line 1, field 'interval_start': missing column 'interval_start' "
            "(or the two columns 'date' and 'hour')",
        ),
        (
            "date,calls",
            "f.csv, line 1, field 'hour': missing column 'hour' (0-23), needed with 'date'; "
            "or give 'interval_start' instead",
        ),
        (
            "hour,calls",
            "f.csv, line 1, field 'date': missing column 'date' (YYYY-MM-DD), needed with 'hour'; "
            "or give 'interval_start'",
        ),
    ],
)
def test_missing_columns_are_named(header, message):
    assert problems_of(f"{header}\n2026-03-01 00:00,1\n".encode()) == [message]


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ("2026-03-01 00:00,many,240", "field 'calls': must be a number, got 'many'"),
        ("2026-03-01 00:00,-3,240", "field 'calls': must not be negative, got -3"),
        ("2026-03-01 00:00,nan,240", "field 'calls': must be a finite number, got 'nan'"),
        ("2026-03-01 00:00,,240", "field 'calls': is empty; a number is required"),
        ("2026-03-01 00:00,1,0", "field 'aht_sec': must be a positive number of seconds, got 0"),
        ("2026-03-01 00:00,1,", "field 'aht_sec': is empty; a number is required"),
        ("2026-03-01 00:00,1e12,240", "field 'calls': 1e12 calls is more than staffing.max_calls_per_hour (100000) "
         "allows: a typo or another unit? (raise the ceiling in the rules if the centre really takes that many)"),
        ("2026-03-01 00:00,1,9000", "field 'aht_sec': 9000 s is longer than staffing.max_aht_sec (7200 s) allows: "
         "minutes instead of seconds? (raise the ceiling in the rules if it is real)"),
        ("2026-03-01 00:10,1,240", "field 'interval_start': must start on a 15-, 30- or 60-minute boundary "
         "(:00, :15, :30, :45), got '2026-03-01 00:10'"),
        ("2026-03-01 00:00:30,1,240", "field 'interval_start': must start on a 15-, 30- or 60-minute boundary "
         "(:00, :15, :30, :45), got '2026-03-01 00:00:30'"),
        ("2026-03-01 24:00,1,240", "field 'interval_start': is not a real time of day, got '2026-03-01 24:00'"),
        ("March 1st,1,240", "field 'interval_start': must be a time YYYY-MM-DD HH:MM, got 'March 1st'"),
        ("2026-02-30 00:00,1,240", "field 'interval_start': is not a real date, got '2026-02-30' "
         "(in '2026-02-30 00:00')"),
        ("2026-03-01 00:00+25:00,1,240", "field 'interval_start': has an impossible UTC offset +25:00"),
    ],
)
def test_bad_values_are_named_by_line_and_field(row, message):
    # The bad row replaces line 2, the hour 2026-03-01 00:00; a time that cannot be read leaves that hour missing.
    found = problems_of(march_with({2: row}))
    assert found[0] == f"f.csv, line 2, {message}"
    assert found[1:] in ([], ["f.csv, field 'interval_start': 1 hour of 2026-03 missing: 2026-03-01 00:00"])


def test_bad_date_and_hour_cells_are_named_by_their_own_column():
    lines = [f"{hour:%Y-%m-%d},{hour.hour},1" for hour in MARCH.hours]
    lines[0], lines[1] = "2026-13-01,0,1", "2026-03-01,1.5,1"
    assert problems_of(csv_bytes(lines, "date,hour,calls")) == [
        "f.csv, line 2, field 'date': is not a real date, got '2026-13-01'",
        "f.csv, line 3, field 'hour': must be a whole hour 0..23, got '1.5'",
        "f.csv, field 'hour': 2 hours of 2026-03 missing: 2026-03-01 00:00 to 2026-03-01 01:00",
    ]


def test_the_calls_ceiling_is_the_rules_own():
    generous = parse_rules({"staffing": {"max_calls_per_hour": 1e13}})
    assert parse_forecast(march_with({2: "2026-03-01 00:00,1e12,240"}), "f.csv", generous).calls[0] == 1e12


def test_duplicate_hour_names_both_lines():
    assert problems_of(march_with({3: "2026-03-01 00:00,1,240"})) == [
        "f.csv, line 3, field 'interval_start': duplicate: 2026-03-01 00:00 is already on line 2",
        "f.csv, field 'interval_start': 1 hour of 2026-03 missing: 2026-03-01 01:00",
    ]


def test_missing_hours_are_listed_compactly():
    dropped = {line: "" for line in [*range(10, 20), 30, 40, 50, 60, 70, 80]}
    assert problems_of(march_with(dropped)) == [
        "f.csv, field 'interval_start': 16 hours of 2026-03 missing: 2026-03-01 08:00 to 2026-03-01 17:00, "
        "2026-03-02 04:00, 2026-03-02 14:00, 2026-03-03 00:00, 2026-03-03 10:00 and 2 more ranges"
    ]


def test_hours_of_two_months_are_refused():
    april = [f"2026-04-01 {hour:02d}:00,1,240" for hour in range(3)]
    assert problems_of(march_with({}, extra=tuple(april))) == [
        "f.csv, line 746, field 'interval_start': 3 rows of 2026-04 (lines 746-748): "
        "the file is a forecast of 2026-03 (744 rows), one month per file"
    ]


def test_an_hour_not_covered_by_the_file_s_interval_length():
    lines = [f"{hour:%Y-%m-%d %H}:{minute:02d},1" for hour in MARCH.hours for minute in (0, 15, 30, 45)]
    del lines[2]  # 00:30: the hour 00:00 keeps a 15+15+30 look but the file counts in quarters
    assert problems_of(csv_bytes(lines, "interval_start,calls")) == [
        "f.csv, line 2, field 'interval_start': hour 2026-03-01 00:00 is not covered by the file's 15-minute "
        "intervals: rows start at :00 (line 2), :15 (line 3), :45 (line 4); missing :30"
    ]


def test_a_lone_hourly_row_in_a_half_hour_file_is_not_mistaken_for_a_full_hour():
    lines = [f"{hour:%Y-%m-%d %H}:{minute:02d},1" for hour in MARCH.hours for minute in (0, 30)]
    del lines[1]
    assert problems_of(csv_bytes(lines, "interval_start,calls")) == [
        "f.csv, line 2, field 'interval_start': hour 2026-03-01 00:00 is not covered by the file's 30-minute "
        "intervals: rows start at :00 (line 2); missing :30"
    ]


def test_a_wall_clock_hour_skipped_by_the_clocks_is_refused():
    lines = interval_lines(SPRING_FORWARD, hourly_calls(SPRING_FORWARD))
    lines.append("2026-03-29 02:00,1,240")
    assert problems_of(csv_bytes(lines), BERLIN) == [
        "f.csv, line 745, field 'interval_start': 2026-03-29 02:00 does not exist in Europe/Berlin: "
        "the clocks go forward then; leave it out"
    ]


def test_a_repeated_wall_clock_hour_may_not_appear_three_times():
    lines = interval_lines(FALL_BACK, hourly_calls(FALL_BACK))
    first = next(i for i, line in enumerate(lines) if line.startswith("2026-10-25 02:00"))
    lines.insert(first + 2, "2026-10-25 02:00,1,240")
    assert problems_of(csv_bytes(lines), BERLIN) == [
        f"f.csv, line {first + 4}, field 'interval_start': 2026-10-25 02:00 is already on lines {first + 2} and "
        f"{first + 3}: a wall-clock time repeated when the clocks go back may appear twice, not more"
    ]


def test_an_offset_the_zone_does_not_have_is_refused():
    lines = interval_lines(FALL_BACK, hourly_calls(FALL_BACK))
    lines[0] = "2026-10-01 00:00+01:00,1,240"
    assert problems_of(csv_bytes(lines), BERLIN) == [
        "f.csv, line 2, field 'interval_start': 2026-10-01 00:00+01:00 is not a time of Europe/Berlin, "
        "whose UTC offset then is +02:00",
        "f.csv, field 'interval_start': 1 hour of 2026-10 missing: 2026-10-01 00:00",
    ]


def test_a_missing_repeated_hour_is_labelled_with_its_offset():
    lines = interval_lines(FALL_BACK, hourly_calls(FALL_BACK))
    second = [i for i, line in enumerate(lines) if line.startswith("2026-10-25 02:00")][1]
    del lines[second]
    assert problems_of(csv_bytes(lines), BERLIN) == [
        "f.csv, field 'interval_start': 1 hour of 2026-10 missing: 2026-10-25 02:00+01:00"
    ]


def test_every_problem_is_reported_but_the_list_is_capped():
    lines = [f"{hour:%Y-%m-%d %H:%M},x" for hour in MARCH.hours]
    found = problems_of(csv_bytes(lines, "interval_start,calls"))
    assert len(found) == 51
    assert found[0] == "f.csv, line 2, field 'calls': must be a number, got 'x'"
    assert found[-1] == "f.csv: ... and 694 more problems not listed"


def test_a_file_of_only_bad_rows_reports_them():
    assert problems_of(b"interval_start,calls\nsoon,1\n") == [
        "f.csv, line 2, field 'interval_start': must be a time YYYY-MM-DD HH:MM, got 'soon'"
    ]


# --- properties -------------------------------------------------------------------------------------------

MONTHS = st.sampled_from(
    [(MARCH, MOSCOW), (Month(2026, 2, "Europe/Moscow", "RU"), MOSCOW), (SPRING_FORWARD, BERLIN), (FALL_BACK, BERLIN)]
)
STYLES = st.sampled_from([(",", "."), (";", ","), ("\t", "."), ("\t", ",")])
ENCODINGS = st.sampled_from(["utf-8", "utf-8-sig", "cp1251", "utf-16"])
LAYOUTS = st.sampled_from(["interval_start", "date_hour", "quarters"])


def write_month(month: Month, calls: list[float], ahts: list[float], separator: str, decimal: str, layout: str) -> str:
    def number(value: float) -> str:
        return repr(value).replace(".", decimal)

    def start(moment: datetime) -> str:
        return f"{moment:%Y-%m-%d %H:%M}" if layout != "date_hour" else f"{moment:%Y-%m-%d}{separator}{moment.hour}"

    header = ["interval_start", "calls", "aht_sec", "примечание"]
    if layout == "date_hour":
        header[:1] = ["date", "hour"]
    rows = [separator.join(header)]
    for hour, value, aht in zip(month.hours, calls, ahts, strict=True):
        if layout == "quarters":
            rows += [
                separator.join([f"{hour:%Y-%m-%d %H}:{minute:02d}", number(value / 4), number(aht), "ночь"])
                for minute in (0, 15, 30, 45)
            ]
        else:
            rows.append(separator.join([start(hour), number(value), number(aht), "день"]))
    return "\r\n".join(rows)


@settings(FUZZ)
@given(MONTHS, STYLES, ENCODINGS, LAYOUTS, st.integers(0, 2**32))
def test_any_well_formed_month_round_trips(month_and_rules, style, encoding, layout, seed):
    month, rules = month_and_rules
    rng = random.Random(seed)
    calls = [rng.randrange(0, 4000) / 4 for _ in month.hours]  # quarters of a call: exact as binary fractions
    ahts = [float(rng.randrange(1, 2000)) for _ in month.hours]
    text = write_month(month, calls, ahts, *style, layout)
    forecast = parse_forecast(text.encode(encoding), "f.csv", rules)
    assert forecast.month == month
    assert forecast.calls == tuple(calls)
    assert forecast.aht_sec == pytest.approx(ahts, rel=1e-12)


@settings(FUZZ)
@given(st.binary(max_size=3000))
def test_random_bytes_parse_or_raise_input_error(data):
    try:
        parse_forecast(data, "f.csv", BERLIN)
    except InputError:
        pass


@settings(FUZZ)
@given(st.data())
def test_mutated_files_parse_or_raise_input_error(data):
    original = bytearray(csv_bytes(interval_lines(FALL_BACK, hourly_calls(FALL_BACK))))
    for _ in range(data.draw(st.integers(1, 4))):
        position = data.draw(st.integers(0, len(original)))
        kind = data.draw(st.sampled_from(["replace", "insert", "delete"]))
        chunk = data.draw(st.binary(min_size=1, max_size=8) | st.sampled_from([b",", b";", b"\n", b'"', b"+01:00"]))
        if kind == "replace":
            original[position : position + len(chunk)] = chunk
        elif kind == "insert":
            original[position:position] = chunk
        else:
            del original[position : position + len(chunk) * 10]
    try:
        parse_forecast(bytes(original), "f.csv", BERLIN)
    except InputError:
        pass
