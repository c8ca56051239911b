"""Bad operators files: whatever the bytes, `parse_operators` returns every operator of the file, each valid, or
raises InputError naming the file, the line and the field — never another exception, never part of a list."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from helpers.fuzzing import assert_names_file_line_and_field, cells_from, csv_files, fuzz_settings, single_cells
from planner.config import parse_rules
from planner.domain import Operator
from planner.errors import InputError
from planner.operators import parse_operators

pytestmark = pytest.mark.fuzz

SOURCE = "operators.csv"
COLUMNS = (
    "id", "name", "rate", "earliest_start", "latest_end", "unavailable", "days_off_wished", "team", "address",
    "district", "lat", "lon", "phone",
)
RULES = parse_rules({})
CELLS = cells_from(
    "op1", "op2", "Анна Иванова", "1.0", "0,75", "0.5", "0.8", "17:00", "24:00", "00:00", "20:00", "08:00", "7:05",
    "2026-12-05", "2026-12-05 2026-12-07", "05.12.2026,06.12.2026", "2026-02-30", "55.75", "37,62", "-91",
)
SIGNATURES = (b"", b"\xef\xbb\xbf", b"\xff\xfe", b"\x89PNG\r\n\x1a\n", b"PK\x03\x04", b"\xd0\xcf\x11\xe0")
VALID = [
    ",".join(COLUMNS),
    "op1,Анна Иванова,1.0,,,2026-12-05,2026-12-07,A,Main St 1,North,55.75,37.62,+7 900 000-00-01",
    "op2,=cmd|'/C calc'!A0,0.5,17:00,24:00,,,B,,,,,",
    "op3,Carl Jones,0.75,20:00,08:00,,,,,,,,",
]


def parse_or_rejection(data: bytes) -> tuple[Operator, ...] | InputError:
    try:
        operators = parse_operators(data, SOURCE, RULES)
    except InputError as error:
        assert_names_file_line_and_field(error, SOURCE, data, COLUMNS)
        return error
    assert len({op.id for op in operators}) == len(operators)
    for op in operators:
        assert_valid(op)
    return operators


def assert_valid(op: Operator) -> None:
    assert op.id and op.name
    shift_minutes = RULES.shift_hours(op.rate) * 60
    assert 0 <= op.earliest_start < 24 * 60 and 0 < op.latest_end <= 24 * 60
    window_end = op.latest_end if op.latest_end > op.earliest_start else op.latest_end + 24 * 60
    assert any(op.earliest_start <= hour * 60 and hour * 60 + shift_minutes <= window_end for hour in range(48))
    assert (op.lat is None) == (op.lon is None)
    assert op.lat is None or (-90 <= op.lat <= 90 and -180 <= op.lon <= 180)


def test_the_valid_file_the_properties_start_from_is_read():
    operators = parse_operators("\n".join(VALID).encode(), SOURCE, RULES)
    assert [op.name for op in operators] == ["Анна Иванова", "=cmd|'/C calc'!A0", "Carl Jones"]


@fuzz_settings(300)
@given(st.sampled_from(SIGNATURES), st.binary(max_size=2000))
def test_any_bytes_after_any_signature_give_operators_or_a_named_rejection(signature, data):
    parse_or_rejection(signature + data)


@fuzz_settings(200)
@given(csv_files(COLUMNS, CELLS))
def test_any_csv_shaped_file_gives_operators_or_a_named_rejection(data):
    parse_or_rejection(data)


# A cell also decides whether its neighbour is right: the window must hold a shift of the rate, and coordinates
# come in pairs.
CHECKED_TOGETHER = {
    "rate": ("rate", "latest_end"),
    "earliest_start": ("earliest_start", "latest_end"),
    "lat": ("lat", "lon"),
    "lon": ("lat", "lon"),
}


@fuzz_settings(200)
@given(st.integers(1, len(VALID) - 1), st.sampled_from(COLUMNS), single_cells(","))
def test_one_bad_cell_in_a_valid_file_is_named_by_its_line_or_every_operator_is_read(row, column, cell):
    lines = list(VALID)
    cells = lines[row].split(",")
    cells[COLUMNS.index(column)] = cell
    lines[row] = ",".join(cells)
    outcome = parse_or_rejection("\n".join(lines).encode())
    if isinstance(outcome, InputError):
        line = row + 1  # the header is line 1
        # A duplicate id is reported on the later of the two lines.
        named = [p for p in outcome.problems if p.line == line or (column == "id" and p.field == "id")]
        assert named, outcome.problems
        assert all(problem.field in (*CHECKED_TOGETHER.get(column, (column,)), None) for problem in named)
    else:
        assert len(outcome) == len(VALID) - 1
