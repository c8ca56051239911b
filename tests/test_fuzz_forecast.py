"""Bad forecast files: whatever the bytes, `parse_forecast` returns a whole month or raises InputError naming
the file, the line and the field — never another exception, never part of a month."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from helpers.fuzzing import assert_names_file_line_and_field, cells_from, csv_files, fuzz_settings, single_cells
from planner.config import parse_rules
from planner.domain import Forecast
from planner.errors import InputError
from planner.forecast_csv import parse_forecast
from planner.month import Month

pytestmark = pytest.mark.fuzz

SOURCE = "forecast.csv"
COLUMNS = ("interval_start", "date", "hour", "calls", "aht_sec")
BERLIN = parse_rules({"centre": {"timezone": "Europe/Berlin", "country": "DE"}})
FALL_BACK = Month(2026, 10, "Europe/Berlin", "DE")  # 2026-10-25 02:00 happens twice
CELLS = cells_from(
    "2026-10-25 02:00", "2026-10-25 02:00+01:00", "2026-10-25 02:00+02:00", "25.10.2026 03:15", "2026-10-01T00:30",
    "2026-10-31 23:45:00", "2026-03-29 02:00", "2026-11-01 00:00", "2026-10-25", "01.10.2026", "0", "23", "24",
    "12", "0,5", "300", "240.5",
)
SIGNATURES = (b"", b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff", b"\x89PNG\r\n\x1a\n", b"PK\x03\x04", b"%PDF-1.7\n")


def parse_or_rejection(data: bytes) -> Forecast | InputError:
    try:
        forecast = parse_forecast(data, SOURCE, BERLIN)
    except InputError as error:
        assert_names_file_line_and_field(error, SOURCE, data, COLUMNS)
        return error
    assert_whole_month(forecast)
    return forecast


def assert_whole_month(forecast: Forecast) -> None:
    assert len(forecast.calls) == len(forecast.aht_sec) == len(forecast.month.hours)
    assert all(math.isfinite(calls) and calls >= 0 for calls in forecast.calls)
    assert all(math.isfinite(aht) and aht > 0 for aht in forecast.aht_sec)


def valid_lines() -> list[str]:
    """October in Berlin, `;`-separated with decimal commas; every time carries its UTC offset."""
    rows = [
        f"{hour.astimezone(FALL_BACK.tz).isoformat(' ', 'minutes')};{index % 40},5;{200 + index % 90}"
        for index, hour in enumerate(FALL_BACK.hours)
    ]
    return ["interval_start;calls;aht_sec", *rows]


VALID = valid_lines()


def test_the_valid_file_the_properties_start_from_is_read():
    forecast = parse_forecast("\n".join(VALID).encode(), SOURCE, BERLIN)
    assert forecast.month == FALL_BACK and forecast.calls[2] == 2.5


@fuzz_settings(300)
@given(st.sampled_from(SIGNATURES), st.binary(max_size=2000))
def test_any_bytes_after_any_signature_give_a_month_or_a_named_rejection(signature, data):
    parse_or_rejection(signature + data)


@fuzz_settings(200)
@given(csv_files(COLUMNS, CELLS))
def test_any_csv_shaped_file_gives_a_month_or_a_named_rejection(data):
    parse_or_rejection(data)




@fuzz_settings(40)
@given(st.integers(1, len(VALID) - 1), st.sampled_from(("calls", "aht_sec")), single_cells(";"))
def test_one_bad_cell_in_a_valid_month_is_named_by_its_line(row, column, cell):
    lines = list(VALID)
    cells = lines[row].split(";")
    cells[1 if column == "calls" else 2] = cell
    lines[row] = ";".join(cells)
    outcome = parse_or_rejection("\n".join(lines).encode())
    if isinstance(outcome, InputError):
        line = row + 1  # the header is line 1
        assert any(problem.line == line for problem in outcome.problems), outcome.problems
        assert all(problem.field in (column, None) for problem in outcome.problems if problem.line == line)

