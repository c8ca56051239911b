import math
import tracemalloc
from datetime import date, datetime, timedelta

import pytest

from planner.config import parse_rules
from planner.errors import InputError
from planner.history_csv import HourStatus, load_history, parse_history

MOSCOW = parse_rules({})
BERLIN = parse_rules({"centre": {"timezone": "Europe/Berlin", "country": "DE"}})
NEW_YORK = parse_rules({"centre": {"timezone": "America/New_York", "country": "US"}})
DAY = date(2026, 3, 2)


def csv_bytes(lines: list[str], header: str = "interval_start,calls") -> bytes:
    return ("\n".join([header, *lines]) + "\n").encode()


def rows(step: int, hours: range, calls=lambda moment: 1, day: date = DAY) -> list[str]:
    """One row per interval of `step` minutes over `hours` of `day`."""
    start = datetime(day.year, day.month, day.day)
    moments = [start + timedelta(hours=hour, minutes=minute) for hour in hours for minute in range(0, 60, step)]
    return [f"{moment:%Y-%m-%d %H:%M},{calls(moment)}" for moment in moments]


def problems_of(data: bytes, rules=MOSCOW, **options) -> list[str]:
    with pytest.raises(InputError) as excinfo:
        parse_history(data, "h.csv", rules, **options)
    return [str(problem) for problem in excinfo.value.problems]


def calls_at(history, hour: int, day: date = DAY) -> float:
    (value,) = [calls for moment, calls in zip(history.hours, history.calls, strict=True)
                if moment.date() == day and moment.hour == hour]
    return value


# --- reading -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("step", [5, 15, 30, 60])
def test_every_interval_length_is_detected_and_summed_to_hours(step):
    history = parse_history(csv_bytes(rows(step, range(24))), "h.csv", MOSCOW)
    assert history.interval_minutes == step
    assert history.hours[0] == datetime(2026, 3, 2, tzinfo=MOSCOW.timezone)
    assert history.calls == (60 / step,) * 24
    assert set(history.status) == {HourStatus.OPEN}


def test_aht_is_weighted_by_calls_and_unknown_where_no_calls():
    lines = ["2026-03-02 00:00,1,100", "2026-03-02 00:30,3,200", "2026-03-02 01:00,0,", "2026-03-02 01:30,0,"]
    history = parse_history(csv_bytes(lines, "interval_start,calls,aht_sec"), "h.csv", MOSCOW)
    assert history.calls[:2] == (4.0, 0.0)
    assert history.aht_sec[0] == (1 * 100 + 3 * 200) / 4
    assert math.isnan(history.aht_sec[1])


def test_excel_saved_file_with_semicolons_decimal_commas_dotted_dates_and_bom():
    lines = [f"02.03.2026 {hour:02d}:00;{hour},5;240,5" for hour in range(24)]
    data = ("Interval_Start;CALLS;AHT_sec\r\n" + "\r\n".join(lines) + "\r\n").encode("utf-8-sig")
    history = parse_history(data, "h.csv", MOSCOW)
    assert history.calls == tuple(hour + 0.5 for hour in range(24))
    assert history.aht_sec == (240.5,) * 24


def test_windows_1251_file_with_a_cyrillic_comment_column():
    lines = [f"{line};Выгрузка АТС" for line in rows(60, range(24))]
    data = "\n".join(["interval_start;calls;комментарий", *(line.replace(",", ";") for line in lines)])
    assert parse_history(data.encode("cp1251"), "h.csv", MOSCOW).calls == (1.0,) * 24


def test_the_fall_back_day_has_25_hours_and_reads_the_repeated_hour_in_order():
    day = date(2026, 10, 25)
    lines = [f"2026-10-25 {hour:02d}:00,{hour}" for hour in range(24)]
    lines.insert(3, "2026-10-25 02:00,99")  # the second, later 02:00
    history = parse_history(csv_bytes(lines), "h.csv", BERLIN)
    assert len(history.hours) == 25
    assert [moment.hour for moment in history.hours[:5]] == [0, 1, 2, 2, 3]
    assert history.calls[2:4] == (2.0, 99.0)
    assert history.days == (day,)


def test_history_covers_whole_local_days_from_the_first_row_to_the_last():
    history = parse_history(csv_bytes(rows(60, range(7, 21)) + rows(60, range(7, 9), day=date(2026, 3, 4))),
                            "h.csv", MOSCOW, gaps="closed")
    assert history.days == (date(2026, 3, 2), date(2026, 3, 3), date(2026, 3, 4))
    assert len(history.hours) == 72
    assert history.end == datetime(2026, 3, 5, tzinfo=MOSCOW.timezone)


# --- gaps --------------------------------------------------------------------------------------------------


def test_an_absent_hour_is_closed_with_gaps_closed():
    history = parse_history(csv_bytes(rows(60, range(7, 21))), "h.csv", MOSCOW, gaps="closed")
    assert calls_at(history, 3) == 0.0
    assert history.status[3] is HourStatus.CLOSED
    assert (history.counts.open, history.counts.closed, history.counts.closed_assumed) == (14, 10, 10)
    assert history.counts.missing == 0
    assert "10 of them absent from the file (in part or whole), taken as closed" in "\n".join(history.describe())


def test_an_absent_hour_is_missing_with_gaps_missing_and_by_default():
    for options in ({"gaps": "missing"}, {}):
        history = parse_history(csv_bytes(rows(60, range(7, 21))), "h.csv", MOSCOW, **options)
        assert math.isnan(calls_at(history, 3))
        assert history.status[3] is HourStatus.MISSING
        assert (history.counts.missing, history.counts.missing_assumed, history.counts.closed) == (10, 10, 0)
        assert history.gaps == "missing"
        assert "taken as missing" in "\n".join(history.describe())


def test_an_hour_with_absent_intervals_is_open_when_they_are_closed_and_missing_when_unknown():
    """The bank's line closes at 21:05: its 21:00 hour has one 5-minute row."""
    lines = rows(5, range(7, 21)) + ["2026-03-02 21:00,7"]
    closed = parse_history(csv_bytes(lines), "h.csv", MOSCOW, gaps="closed")
    assert calls_at(closed, 21) == 7.0
    assert closed.status[21] is HourStatus.OPEN
    assert closed.counts.open_partly_closed == 1
    assert "1 of them closed part of the hour" in "\n".join(closed.describe())
    missing = parse_history(csv_bytes(lines), "h.csv", MOSCOW, gaps="missing")
    assert missing.status[21] is HourStatus.MISSING
    assert math.isnan(calls_at(missing, 21))


def test_a_status_column_says_per_row_and_the_gap_option_covers_the_absent_rows():
    lines = [f"2026-03-02 {hour:02d}:00,{calls},{status}" for hour, calls, status in
             [(0, "", "closed"), (1, "0", "Closed"), (2, "", "missing"), (3, "5", ""), (4, "6", "OPEN")]]
    history = parse_history(csv_bytes(lines, "interval_start,calls,status"), "h.csv", MOSCOW, gaps="closed")
    assert history.status[:6] == (HourStatus.CLOSED, HourStatus.CLOSED, HourStatus.MISSING, HourStatus.OPEN,
                                  HourStatus.OPEN, HourStatus.CLOSED)
    assert history.counts.closed == 2 + 19 and history.counts.closed_assumed == 19
    assert (history.counts.missing, history.counts.missing_assumed) == (1, 0)
    assert history.calls[3:5] == (5.0, 6.0)


def test_mark_missing_turns_whole_days_into_missing_data_no_longer_assumed_closed():
    lost = date(2026, 3, 3)
    read = parse_history(csv_bytes(rows(60, range(24)) + rows(60, range(12), day=date(2026, 3, 4))),
                         "h.csv", MOSCOW, gaps="closed")
    assert (read.counts.closed, read.counts.closed_assumed) == (36, 36)
    history = read.mark_missing(day for day in [lost])
    assert history.status[24:48] == (HourStatus.MISSING,) * 24
    assert all(math.isnan(calls) for calls in history.calls[24:48])
    counts = history.counts
    assert (counts.open, counts.closed, counts.closed_assumed, counts.missing, counts.missing_assumed) == \
        (36, 12, 12, 24, 0)


# --- a file laid out like the bank's of the benchmark (synthetic: tests never read ../shared) ----------------------


def bank_head(days: int) -> bytes:
    """`rownames,DateTime,Calls`, 5-minute rows from 07:00 to 21:00 (the last one 21:00-21:05), the time written
    with a `Z` although it is the bank's local time — the layout of bank_calls.csv."""
    lines = ['"rownames","DateTime","Calls"']
    for offset in range(days):
        day = date(2003, 3, 3) + timedelta(days=offset)
        for minute in range(7 * 60, 21 * 60 + 5, 5):
            lines.append(f'"{len(lines)}",{day}T{minute // 60:02d}:{minute % 60:02d}:00Z,{bank_calls(minute)}')
    return ("\n".join(lines) + "\n").encode()


def bank_calls(minute: int) -> int:
    return 70 + minute % 13


def test_the_bank_file_reads_through_a_column_mapping_with_its_z_ignored():
    history = parse_history(bank_head(2), "bank_calls.csv", NEW_YORK, gaps="closed",
                            columns={"interval_start": "DateTime"}, ignore_offsets=True)
    assert history.interval_minutes == 5
    assert history.days == (date(2003, 3, 3), date(2003, 3, 4))
    assert calls_at(history, 7, date(2003, 3, 3)) == sum(bank_calls(m) for m in range(7 * 60, 8 * 60, 5))
    assert history.counts.open == 2 * 15 and history.counts.open_partly_closed == 2


def test_the_bank_file_with_its_z_read_as_utc_is_refused_naming_the_offset():
    problems = problems_of(bank_head(1), NEW_YORK, columns={"interval_start": "DateTime"})
    assert "h.csv, line 2, field 'interval_start': 2003-03-03 07:00+00:00 is not a time of America/New_York, " \
           "whose UTC offset then is -05:00" in problems


def test_load_history_reads_a_file(tmp_path):
    path = tmp_path / "history.csv"
    path.write_bytes(csv_bytes(rows(30, range(24))))
    assert load_history(path, MOSCOW).source == str(path)


# --- date and hour columns (issue 16, item 6) --------------------------------------------------------------


def test_a_history_saved_as_date_hour_calls_reads_as_its_interval_start_form():
    hourly = rows(60, range(24), calls=lambda moment: moment.hour)
    as_date_hour = [f"{line[8:10]}.{line[5:7]}.{line[:4]};{int(line[11:13])};{line[17:]}" for line in hourly]
    expected = parse_history(csv_bytes(hourly), "h.csv", MOSCOW)
    read = parse_history(csv_bytes(as_date_hour, "date;hour;calls"), "h.csv", MOSCOW)
    assert (read.hours, read.calls, read.interval_minutes) == (expected.hours, expected.calls, 60)


def test_date_and_hour_place_the_repeated_hour_of_a_25_hour_day_in_file_order():
    # 2026-10-25 in Berlin: 02:00 happens twice; the first row is the earlier one, as in the forecast file.
    day = date(2026, 10, 25)
    lines = [f"{day};{hour};{calls}" for hour, calls in [*((hour, 1) for hour in range(3)), (2, 5),
                                                        *((hour, 1) for hour in range(3, 24))]]
    history = parse_history(csv_bytes(lines, "date;hour;calls"), "h.csv", BERLIN)
    assert len(history.hours) == 25
    assert history.calls[2:4] == (1.0, 5.0)


@pytest.mark.parametrize(
    ("header", "lines", "expected"),
    [
        ("date;calls", ["2026-03-02;1"],
         "h.csv, line 1, field 'hour': missing column 'hour' (0-23), needed with 'date'; or give 'interval_start' "
         "instead"),
        ("date;hour;calls", ["2026-03-02;0;1", "2026-03-02;24;1"], "h.csv, line 3, field 'hour': must be a whole "
         "hour 0..23, got '24'"),
        ("date;hour;calls", ["2026-03-02;0;1", "2026-03-02;0;1"], "h.csv, line 3, field 'hour': duplicate: "
         "2026-03-02 00:00 is already on line 2"),
    ],
)
def test_date_and_hour_refusals_name_the_line_and_the_field(header, lines, expected):
    assert problems_of(csv_bytes(lines, header))[0].startswith(expected)


def test_the_date_and_hour_columns_can_be_named_as_the_file_names_them():
    lines = ["2026-03-02;0;4", "2026-03-02;1;6"]
    history = parse_history(csv_bytes(lines, "Day;Hour of day;Calls"), "h.csv", MOSCOW,
                            columns={"date": "Day", "hour": "Hour of day"})
    assert history.calls[:2] == (4.0, 6.0)


# --- bad input: each its message, nothing imported -----------------------------------------------------------


@pytest.mark.parametrize(
    ("lines", "header", "expected"),
    [
        (rows(60, range(3)), "interval_start,volume",
         "h.csv, line 1, field 'calls': missing column 'calls' (calls offered in the interval)"),
        (rows(60, range(3)), "start,calls",
         "h.csv, line 1, field 'interval_start': missing column 'interval_start' (or the two columns 'date' and "
         "'hour')"),
        (["2026-03-02 00:00,1", "2026-03-02 01:00,many"], "interval_start,calls",
         "h.csv, line 3, field 'calls': must be a number, got 'many'"),
        (["2026-03-02 00:00,1", "2026-03-02 01:00,-4"], "interval_start,calls",
         "h.csv, line 3, field 'calls': must not be negative, got -4"),
        (["2026-03-02 00:00,1,open", "2026-03-02 01:00,1,shut"], "interval_start,calls,status",
         "h.csv, line 3, field 'status': must be open, closed or missing (empty means open), got 'shut'"),
        (["2026-03-02 00:00,1,open", "2026-03-02 01:00,12,closed"], "interval_start,calls,status",
         "h.csv, line 3, field 'calls': must be empty or 0 where the status is closed or missing, got 12"),
        (["2026-03-02 00:00,1,200", "2026-03-02 01:00,3,"], "interval_start,calls,aht_sec",
         "h.csv, line 3, field 'aht_sec': is empty; a number is required"),
        (["2026-03-02 00:00,1,200", "2026-03-02 01:00,3,0"], "interval_start,calls,aht_sec",
         "h.csv, line 3, field 'aht_sec': must be a positive number of seconds, got 0"),
        (["2026-03-02 00:00,1", "2026-03-02 01:00,250000"], "interval_start,calls",
         "h.csv, line 3, field 'calls': 250000 calls is more than staffing.max_calls_per_hour (100000) allows"),
        (["2026-03-02 00:00,1,200", "2026-03-02 01:00,3,1e9"], "interval_start,calls,aht_sec",
         "h.csv, line 3, field 'aht_sec': 1e9 s is longer than staffing.max_aht_sec (7200 s) allows"),
        (["2026-03-02 00:00,1", "2026-03-02 01:00,2", "2026-03-02 00:00,3"], "interval_start,calls",
         "h.csv, line 4, field 'interval_start': duplicate: 2026-03-02 00:00 is already on line 2"),
        (["2026-03-02 00:00,1", "2026-03-02 00:15,1", "2026-03-02 00:30,1", "2026-03-02 00:37,1",
          "2026-03-02 00:45,1"], "interval_start,calls",
         "h.csv, line 5, field 'interval_start': starts at :37, off the file's 15-minute grid (most rows are 15 "
         "minutes apart); one interval length per file"),
        (["2026-03-02 00:00,1", "2026-03-02 00:10,1", "2026-03-02 00:20,1"], "interval_start,calls",
         "h.csv, field 'interval_start': cannot tell the interval length: no two rows are 5, 15, 30 or 60 minutes "
         "apart"),
        (["2026-03-02 00:00,1", "2026-03-02 01:00:30,1"], "interval_start,calls",
         "h.csv, line 3, field 'interval_start': must start on a whole minute, got '2026-03-02 01:00:30'"),
        (["2026-03-02 00:00,1", "2026-03-02 01:00,1", "2062-03-02 02:00,1"], "interval_start,calls",
         "h.csv, line 4, field 'interval_start': the rows run from 2026-03-02 (line 2) to 2062-03-02 (line 4), "
         "13149 days; at most 1098 days are read: is a year mistyped?"),
    ],
    ids=["no calls column", "no time column", "calls not a number", "negative calls", "unknown status",
         "calls on a closed row", "AHT missing where calls", "AHT zero", "calls above the ceiling",
         "AHT above the ceiling", "duplicate interval", "off the grid",
         "10-minute intervals", "seconds", "mistyped year"],
)
def test_each_bad_input_is_refused_with_its_message(lines, header, expected):
    assert any(problem.startswith(expected) for problem in problems_of(csv_bytes(lines, header)))


def test_a_wall_clock_time_skipped_by_the_clocks_is_refused():
    lines = ["2026-03-29 01:00,1", "2026-03-29 02:00,1", "2026-03-29 03:00,1"]
    assert ("h.csv, line 3, field 'interval_start': 2026-03-29 02:00 does not exist in Europe/Berlin: the clocks "
            "go forward then; leave it out") in problems_of(csv_bytes(lines), BERLIN)


def test_a_mapped_column_absent_from_the_file_is_named():
    problems = problems_of(csv_bytes(rows(60, range(3)), "when,calls"), columns={"interval_start": "DateTime"})
    assert problems[0] == ("h.csv, line 1, field 'datetime': column 'datetime', to be read as 'interval_start', "
                           "is not in the file (its columns: when, calls)")


def test_every_problem_of_a_file_is_listed_at_once():
    lines = ["2026-03-02 00:00,x", "2026-03-02 01:00,-1", "yesterday,1", "2026-03-02 03:00,1"]
    problems = problems_of(csv_bytes(lines))
    assert [problem.split(":")[0] for problem in problems] == [
        "h.csv, line 2, field 'calls'", "h.csv, line 3, field 'calls'", "h.csv, line 4, field 'interval_start'"]


def test_a_long_history_is_read_within_a_memory_budget(tmp_path):
    # Issue 15, item 8: rows are parsed as they are read, and what is kept of each 5-minute row is small.
    start = datetime(2026, 1, 1)
    rows = (f"{start + timedelta(minutes=5 * index):%Y-%m-%d %H:%M},{index % 40}\n" for index in range(12 * 24 * 60))
    path = tmp_path / "history.csv"
    path.write_text("interval_start,calls\n" + "".join(rows))
    tracemalloc.start()
    try:
        history = load_history(path, parse_rules({}))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert len(history.hours) == 24 * 60
    assert peak < 20 * path.stat().st_size
