from __future__ import annotations

import csv
import io
from datetime import date, datetime

import openpyxl
import pytest

from planner.config import parse_rules
from planner.coverage import CoverageRow
from planner.csvfile import read_rows, safe_csv_cell
from planner.domain import Operator, Roster, Shift
from planner.export import (
    ROSTER_FIXED_COLUMNS,
    ROSTER_TOTAL_COLUMNS,
    SHIFT_COLUMNS,
    coverage_workbook,
    roster_workbook,
)
from planner.month import Month, after_elapsed
from planner.operators import parse_operators
from planner.rostercsv import read_roster_csv, write_roster_csv
from planner.samples import write_operators_csv
from planner.taxi import taxi_csv, taxi_rides

MONTH = Month(2026, 12, "Europe/Moscow", "RU")
RULES = parse_rules({})
FORMULAS = ("=cmd|' /C calc'!A0", "+1+1", "@SUM(1)", "-2+3", "=HYPERLINK(\"http://x\",\"y\")")
FIXED, DAYS = len(ROSTER_FIXED_COLUMNS), len(MONTH.days)


def _shift(op_id: str, day: int, hour: int, hours: int, breaks: tuple[int, ...] = ()) -> Shift:
    start = datetime(2026, 12, day, hour, tzinfo=MONTH.tz)
    return Shift(op_id, start, after_elapsed(start, hours), tuple(after_elapsed(start, h) for h in breaks))


OPERATORS = [
    Operator("op1", "Петрова Анна", 1.0, team="Группа 1", phone="+7 900 000-00-01", address="ул. Тестовая, д. 1"),
    Operator("op2", "Сидоров Борис", 0.75),
]
ROSTER = Roster(MONTH, (_shift("op1", 5, 9, 8, (2, 5)), _shift("op1", 7, 22, 8), _shift("op2", 7, 18, 6)))


def _book(data: bytes) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(data))


def test_the_grid_has_one_row_per_operator_and_one_column_per_day_with_shift_codes():
    sheet = _book(roster_workbook(ROSTER, OPERATORS, RULES, "en")).worksheets[0]
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert len(rows) == 1 + len(OPERATORS) and len(rows[0]) == FIXED + DAYS + len(ROSTER_TOTAL_COLUMNS)
    assert rows[0][:FIXED] == ["ID", "Name", "Team"] and rows[0][FIXED + 4] == "5 Sat"
    assert rows[1][:FIXED] == ["op1", "Петрова Анна", "Группа 1"]
    assert rows[1][FIXED + 4] == "09–17" and rows[1][FIXED + 6] == "22–06" and rows[2][FIXED + 6] == "18–24"
    assert rows[2][FIXED + 4] is None  # a day off is blank


def test_the_grid_ends_with_hours_against_the_norm_nights_and_weekends():
    sheet = _book(roster_workbook(ROSTER, OPERATORS, RULES, "en")).worksheets[0]
    header = [cell.value for cell in sheet[1]][FIXED + DAYS:]
    totals = dict(zip(header, [cell.value for cell in sheet[2]][FIXED + DAYS:]))
    # December 2026 in Russia: 22 working days, so a full-time norm of 176 h.
    assert totals == {"Shifts": 2, "Hours": 16, "Norm, h": 176, "Off norm, h": -160, "Nights": 1, "Weekends": 1}


def test_the_header_row_and_operator_columns_are_frozen_and_weekends_shaded():
    sheet = _book(roster_workbook(ROSTER, OPERATORS, RULES, "en")).worksheets[0]
    assert sheet.freeze_panes == "D2"
    saturday, monday = sheet.cell(2, FIXED + 5), sheet.cell(2, FIXED + 7)
    assert saturday.fill.fill_type == "solid" and monday.fill.fill_type is None


def test_the_second_sheet_lists_every_shift_with_its_breaks():
    sheet = _book(roster_workbook(ROSTER, OPERATORS, RULES, "en")).worksheets[1]
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert len(SHIFT_COLUMNS) == len(rows[0]) and rows[0][:3] == ["ID", "Name", "Date"]
    assert rows[1] == ["op1", "Петрова Анна", datetime(2026, 12, 5), datetime(2026, 12, 5, 9),
                       datetime(2026, 12, 5, 17), "11:00 14:00", 8]
    assert [row[0] for row in rows[1:]] == ["op1", "op2", "op1"]  # by start time


def test_headings_and_sheet_names_follow_the_language():
    book = _book(roster_workbook(ROSTER, OPERATORS, RULES, "ru"))
    assert book.sheetnames == ["График", "Смены"]
    header = [cell.value for cell in book.worksheets[0][1]]
    assert header[:FIXED] == ["Таб. №", "ФИО", "Группа"] and header[FIXED + 4] == "5 сб"
    assert "Норма, ч" in header


def test_an_unknown_language_is_refused():
    with pytest.raises(ValueError, match="unknown language 'de'"):
        roster_workbook(ROSTER, OPERATORS, RULES, "de")


def test_an_operator_missing_from_the_operators_file_is_still_exported():
    roster = Roster(MONTH, ROSTER.shifts + (_shift("ghost", 3, 8, 8),))
    sheet = _book(roster_workbook(roster, OPERATORS, RULES, "en")).worksheets[0]
    assert [cell.value for cell in sheet[4]][:FIXED + 3] == ["ghost", None, None, None, None, "08–16"]


@pytest.mark.parametrize("name", FORMULAS)
def test_a_name_that_looks_like_a_formula_stays_text_in_excel(name):
    operators = [Operator("op1", name, 1.0, team=name)]
    book = _book(roster_workbook(ROSTER, operators, RULES, "en"))
    for cell in (book.worksheets[0].cell(2, 2), book.worksheets[0].cell(2, 3), book.worksheets[1].cell(2, 2)):
        assert (cell.value, cell.data_type, cell.quotePrefix) == (name, "s", True)


def test_plain_text_has_no_quote_prefix():
    cell = _book(roster_workbook(ROSTER, OPERATORS, RULES, "en")).worksheets[0].cell(2, 2)
    assert (cell.value, cell.quotePrefix) == ("Петрова Анна", False)


def test_control_characters_are_dropped_instead_of_breaking_the_file():
    operators = [Operator("op1", "Анна\x07 Петрова", 1.0)]
    assert _book(roster_workbook(ROSTER, operators, RULES, "en")).worksheets[0].cell(2, 2).value == "Анна Петрова"


def test_coverage_workbook_has_one_row_per_hour_with_translated_headings():
    rows = [CoverageRow(datetime(2026, 12, 1, hour, tzinfo=MONTH.tz), 100.0, 300.0, 5, 4, 3.5) for hour in (0, 1)]
    sheet = _book(coverage_workbook(rows, "ru")).worksheets[0]
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert values[0] == ["Час", "Звонки", "Время обработки, с", "Нужно", "В смене", "На линии", "Нехватка"]
    assert values[1] == [datetime(2026, 12, 1, 0), 100, 300, 5, 4, 3.5, 1] and len(values) == 3


@pytest.mark.parametrize("text", FORMULAS + ("\tx", "\rx"))
def test_a_csv_cell_that_starts_like_a_formula_gets_a_quote(text):
    assert safe_csv_cell(text) == "'" + text


@pytest.mark.parametrize("text", ["Петрова Анна", "", "a=b", "'quoted"])
def test_other_csv_cells_are_left_alone(text):
    assert safe_csv_cell(text) == text


@pytest.mark.parametrize("text", ["'-", "''=x", "'+7 900"])
def test_a_text_whose_own_quote_precedes_a_formula_start_reads_back_with_it(text):
    cell = safe_csv_cell(text)
    assert cell == "'" + text
    assert read_rows(f"name\n{cell}\n".encode(), "names.csv")[0].get("name") == text


def test_csv_exports_quote_formulas_in_free_text_and_read_them_back_unchanged():
    name = FORMULAS[0]
    hostile = Operator("=op1", name, 1.0, team="+team", address="@home", district="-west", phone="+7 900 000-00-01")
    roster = Roster(MONTH, (_shift("=op1", 5, 18, 8),))

    operators_csv, roster_csv = io.StringIO(), io.StringIO()
    write_operators_csv([hostile], operators_csv)
    write_roster_csv(roster, [hostile], roster_csv)
    seats = taxi_csv(taxi_rides(roster, [hostile], RULES))

    row = next(csv.DictReader(io.StringIO(operators_csv.getvalue())))
    assert {key: row[key] for key in ("id", "name", "team", "address", "district", "phone")} == {
        "id": "'=op1", "name": "'" + name, "team": "'+team", "address": "'@home", "district": "'-west",
        "phone": "'+7 900 000-00-01"}
    assert next(csv.DictReader(io.StringIO(roster_csv.getvalue())))["name"] == "'" + name
    assert next(csv.DictReader(io.StringIO(seats)))["name"] == "'" + name

    assert parse_operators(operators_csv.getvalue().encode(), "operators.csv", RULES) == (hostile,)
    assert read_roster_csv(roster_csv.getvalue().encode(), "roster.csv", MONTH) == roster
    assert read_rows(seats.encode(), "taxi.csv")[0].get("name") == name


def test_dates_and_numbers_are_not_quoted():
    out = io.StringIO()
    leave = frozenset({date(2026, 12, 1)})
    write_operators_csv([Operator("op1", "Анна", 1.0, lat=-33.9, lon=-70.6, unavailable=leave)], out)
    row = next(csv.DictReader(io.StringIO(out.getvalue())))
    assert (row["lat"], row["lon"], row["unavailable"]) == ("-33.9", "-70.6", "2026-12-01")
