import tracemalloc

import pytest
from hypothesis import given
from hypothesis import strategies as st

from planner.config import parse_rules
from planner.csvfile import (
    MAX_LISTED_PROBLEMS,
    ProblemLog,
    Row,
    detect_separator,
    parse_date,
    parse_number,
    read_bytes,
    read_rows,
    read_table,
)
from planner.errors import InputError, Problem
from planner.forecast_csv import load_forecast, parse_forecast


def messages(excinfo: pytest.ExceptionInfo[InputError]) -> list[str]:
    return [str(problem) for problem in excinfo.value.problems]


# --- decoding ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "data",
    [
        "name\nИванов\n".encode(),
        "name\nИванов\n".encode("utf-8-sig"),
        "name\nИванов\n".encode("cp1251"),
        "name\nИванов\n".encode("utf-16"),
    ],
    ids=["utf-8", "utf-8 with BOM", "windows-1251", "utf-16 with BOM"],
)
def test_the_encodings_excel_writes_are_read(data):
    assert read_rows(data, "f.csv") == (Row(2, {"name": "Иванов"}),)


def test_read_table_refuses_an_excel_workbook():
    with pytest.raises(InputError) as excinfo:
        read_table(b"PK\x03\x04\x14\x00\x06\x00", "f.csv")
    assert messages(excinfo) == [
        "f.csv: looks like an Excel workbook (.xlsx) or another zip archive, not a CSV file; "
        "save it as CSV (UTF-8 or ';'-separated)"
    ]


def test_read_table_refuses_binary_content_naming_the_line():
    with pytest.raises(InputError) as excinfo:
        read_table(b"a,b\r\n1,2\r\n3,\x00\x01", "f.csv")
    assert messages(excinfo) == ["f.csv, line 3: contains the control character 0x00; is this a text CSV file?"]


def test_read_table_refuses_bytes_undefined_in_windows_1251():
    with pytest.raises(InputError) as excinfo:
        read_table(b"a\n\x98\n", "f.csv")
    assert messages(excinfo) == ["f.csv, line 2: is neither UTF-8 nor Windows-1251 text (byte 0x98 cannot be decoded)"]


def test_read_table_refuses_a_bom_followed_by_invalid_utf8():
    with pytest.raises(InputError) as excinfo:
        read_table(b"\xef\xbb\xbfa\n\xff\n", "f.csv")
    assert messages(excinfo) == ["f.csv, line 2: is neither UTF-8 nor Windows-1251 text (byte 0xff cannot be decoded)"]


# --- separator --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "separator"),
    [
        ("date,hour,calls", ","),
        ("date;hour;calls", ";"),
        ("date\thour\tcalls", "\t"),
        ('"date, local";calls', ";"),
        ("calls", ","),
    ],
)
def test_detect_separator_from_the_header(header, separator):
    assert detect_separator(header) == separator


# --- tables -----------------------------------------------------------------------------------------------


def test_read_table_normalises_column_names_and_strips_cells():
    table = read_table(b" ID ;Name; Extra \n op1 ; Anna ;x\n", "f.csv")
    assert table.separator == ";"
    assert table.columns == ("id", "name", "extra")
    assert tuple(table.rows(ProblemLog("f.csv"))) == (Row(2, {"id": "op1", "name": "Anna", "extra": "x"}),)


def test_read_table_keeps_the_editor_line_of_every_row():
    text = 'id,address\n\nop1,"Main St 1\nflat 2"\nop2,x\r\n\r\nop3,"a ""quoted"" word"\n'
    assert [(row.line, row.get("address")) for row in read_rows(text.encode(), "f.csv")] == [
        (3, "Main St 1\nflat 2"),
        (5, "x"),
        (7, 'a "quoted" word'),
    ]


def test_read_table_skips_separator_only_rows_and_unnamed_columns():
    table = read_table(b"id;name;;\nop1;Anna;;\n;;;\n", "f.csv")
    assert table.columns == ("id", "name")
    assert tuple(table.rows(ProblemLog("f.csv"))) == (Row(2, {"id": "op1", "name": "Anna"}),)


def test_a_short_row_reads_missing_cells_as_empty():
    row = read_rows(b"id,name,team\nop1,Anna\n", "f.csv")[0]
    assert (row.get("name"), row.get("team")) == ("Anna", "")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "f.csv: is empty; expected a header row and data rows"),
        (b" \r\n\n", "f.csv: is empty; expected a header row and data rows"),
        (b"id,name\n", "f.csv: has a header but no data rows"),
        (b'"",""\n', "f.csv: has no header row, only empty values"),
    ],
)
def test_read_table_refuses_files_without_data(data, message):
    with pytest.raises(InputError) as excinfo:
        read_table(data, "f.csv")
    assert messages(excinfo) == [message]


def test_read_table_refuses_duplicate_column_names():
    with pytest.raises(InputError) as excinfo:
        read_table(b"calls,Date,hour,DATE \n1,2,3,4\n", "f.csv")
    assert messages(excinfo) == ["f.csv, line 1, field 'date': column 'date' appears twice (columns 2 and 4)"]


def test_read_table_refuses_an_unquoted_decimal_comma_in_a_comma_file():
    with pytest.raises(InputError) as excinfo:
        read_rows(b"date,hour,calls\n2026-03-01,0,12,5\n", "f.csv")
    assert messages(excinfo) == [
        "f.csv, line 2: has 4 values but the header has 3 columns "
        "(a decimal comma in a ','-separated file must be quoted, or use ';' as the separator)"
    ]


def test_read_table_refuses_broken_quoting_at_the_line_it_starts():
    with pytest.raises(InputError) as excinfo:
        read_rows(b'id,name\nop1,"Anna\nop2,Boris\n', "f.csv")
    assert messages(excinfo) == [
        "f.csv, line 2: broken quoting, the file cannot be read from here on (unexpected end of data)"
    ]


# --- numbers and dates ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("12", 12.0),
        (" 12.5 ", 12.5),
        ("12,5", 12.5),
        (",5", 0.5),
        ("-3", -3.0),
        ("-0", 0.0),
        ("1e3", 1000.0),
        ("1,5E+02", 150.0),
        ("1 234,5", 1234.5),
        ("1\u00a0234\u00a0567", 1234567.0),
    ],
)
def test_parse_number_accepts_dot_and_comma_decimals(text, value):
    assert parse_number(text) == value


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "is empty; a number is required"),
        ("  ", "is empty; a number is required"),
        ("nan", "must be a finite number, got 'nan'"),
        ("-Inf", "must be a finite number, got '-Inf'"),
        ("1e999", "must be a finite number, got '1e999'"),
        ("abc", "must be a number, got 'abc'"),
        ("1_000", "must be a number, got '1_000'"),
        ("1.234,5", "must be a number, got '1.234,5'"),
        ("12 5", "must be a number, got '12 5'"),
        ("١٢", "must be a number, got '١٢'"),
    ],
)
def test_parse_number_refuses_with_a_clear_message(text, message):
    with pytest.raises(ValueError, match=f"^{message}$"):
        parse_number(text)


def test_parse_date_accepts_iso_and_the_dotted_form_of_russian_excel():
    assert parse_date("2026-03-05") == parse_date("05.03.2026") == parse_date("5.3.2026")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("2026/03/05", "must be a date YYYY-MM-DD, got '2026/03/05'"),
        ("2026-02-30", "is not a real date, got '2026-02-30'"),
        ("0001-01-01", "year must be between 1900 and 2999, got '0001-01-01'"),
    ],
)
def test_parse_date_refuses_with_a_clear_message(text, message):
    with pytest.raises(ValueError, match=f"^{message}$"):
        parse_date(text)


# --- problems and files -----------------------------------------------------------------------------------


def test_problem_log_lists_problems_in_file_order_and_caps_them():
    log = ProblemLog("f.csv")
    log.add(None, "calls", "missing hours")
    for line in range(MAX_LISTED_PROBLEMS + 10, 1, -1):
        log.add(line, "calls", "bad")
    with pytest.raises(InputError) as excinfo:
        log.raise_if_any()
    problems = excinfo.value.problems
    assert [problem.line for problem in problems[:MAX_LISTED_PROBLEMS]] == list(range(2, MAX_LISTED_PROBLEMS + 2))
    assert problems[-1] == Problem("f.csv", None, None, "... and 10 more problems not listed")


def test_problem_log_check_reports_the_line_and_column():
    log = ProblemLog("f.csv")
    row = Row(7, {"calls": "x"})
    assert log.check(row, "calls", parse_number) is None
    assert log.check(Row(8, {"calls": "3"}), "calls", parse_number) == 3.0
    with pytest.raises(InputError) as excinfo:
        log.raise_if_any()
    assert messages(excinfo) == ["f.csv, line 7, field 'calls': must be a number, got 'x'"]


def test_read_bytes_turns_a_missing_file_into_an_input_error(tmp_path):
    with pytest.raises(InputError) as excinfo:
        read_bytes(tmp_path / "nope.csv")
    assert messages(excinfo) == [f"{tmp_path / 'nope.csv'}: file not found"]
    with pytest.raises(InputError) as excinfo:
        read_bytes(tmp_path)
    assert messages(excinfo) == [f"{tmp_path}: is a folder, not a file"]


def test_a_file_larger_than_the_limit_is_refused_before_it_is_read(tmp_path):
    # Issue 15, item 8: a 200 MB file is refused without being loaded (a sparse file: nothing is written).
    huge = tmp_path / "forecast.csv"
    with huge.open("wb") as file:
        file.truncate(200 * 1024 * 1024)
    tracemalloc.start()
    try:
        with pytest.raises(InputError) as refused:
            load_forecast(huge, parse_rules({}))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 5 * 1024 * 1024
    assert [str(problem) for problem in refused.value.problems] == [
        f"{huge}: is 200.0 MB, more than the 50 MB the planner reads (input.max_file_mb in the rules); is this the "
        "right file?"]
    small = parse_rules({"input": {"max_file_mb": 0.001}})
    (tmp_path / "small.csv").write_text("interval_start,calls\n" + "2026-12-01 00:00,1\n" * 100)
    with pytest.raises(InputError, match="more than the 0.001 MB"):
        load_forecast(tmp_path / "small.csv", small)


# --- large files (issue 15, item 8) -----------------------------------------------------------------------


def _peak_bytes(read):
    tracemalloc.start()
    try:
        read()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


@given(st.lists(st.one_of(st.none(), st.integers(1, 400)), max_size=3 * MAX_LISTED_PROBLEMS))
def test_problem_log_lists_the_first_problems_of_the_file_however_many_are_found(lines):
    log = ProblemLog("f.csv")
    for order, line in enumerate(lines):
        log.add(line, None, str(order))
    if not lines:
        log.raise_if_any()
        return
    with pytest.raises(InputError) as excinfo:
        log.raise_if_any()
    in_file_order = sorted(enumerate(lines), key=lambda found: (found[1] is None, found[1] or 0))
    expected = [str(Problem("f.csv", line, None, str(order))) for order, line in in_file_order[:MAX_LISTED_PROBLEMS]]
    if len(lines) > MAX_LISTED_PROBLEMS:
        expected.append(f"f.csv: ... and {len(lines) - MAX_LISTED_PROBLEMS} more problems not listed")
    assert messages(excinfo) == expected


def test_a_file_of_bad_rows_is_refused_without_holding_a_problem_per_row(tmp_path):
    bad = tmp_path / "forecast.csv"
    bad.write_bytes(b"interval_start,calls\n" + b"yesterday,many\n" * 100_000)
    with pytest.raises(InputError) as refused:
        load_forecast(bad, parse_rules({}))
    assert refused.value.problems[-1].message == f"... and {2 * 100_000 - MAX_LISTED_PROBLEMS} more problems not listed"
    assert _peak_bytes(lambda: pytest.raises(InputError, load_forecast, bad, parse_rules({}))) < 3 * bad.stat().st_size


def test_rows_are_read_as_they_are_used_so_a_file_is_never_held_as_text_or_a_list(tmp_path):
    cell = "x" * 100
    table = tmp_path / "wide.csv"
    table.write_text("id,note\n" + "".join(f"op{line},{cell}\n" for line in range(20_000)))
    read = read_table(table.read_bytes(), "wide.csv")
    count = sum(1 for _ in read.rows(ProblemLog("wide.csv")))
    assert count == 20_000
    assert _peak_bytes(lambda: sum(1 for _ in read.rows(ProblemLog("wide.csv")))) < table.stat().st_size / 4


def test_what_the_reader_finds_is_reported_with_the_importers_own_problems():
    # A quote left open far down the file and a bad number near the top are both listed, in file order.
    lines = ["interval_start,calls", "2026-03-01 00:00,x"] + [f"2026-03-01 {hour:02d}:00,1" for hour in range(1, 23)]
    data = ("\n".join(lines) + '\n2026-03-01 23:00,"1\n').encode()
    with pytest.raises(InputError) as excinfo:
        parse_forecast(data, "f.csv", parse_rules({}))
    assert messages(excinfo)[:2] == [
        "f.csv, line 2, field 'calls': must be a number, got 'x'",
        "f.csv, line 25: broken quoting, the file cannot be read from here on (unexpected end of data)",
    ]
