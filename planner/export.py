"""The roster and its coverage as Excel workbooks, for planners who go on working in a spreadsheet.

`roster_workbook`: the first sheet is the grid the page shows — one row per operator, one column per day with the
shift code (`09–17`, blank for a day off), then shifts, hours against the norm, nights and weekend shifts. The
header row and the operator columns stay in view while scrolling; weekends and public holidays are shaded. The
second sheet lists every shift with its breaks. `coverage_workbook`: the columns of coverage.csv, hour by hour.

Headings are in the language asked for (`planner.i18n`). Names, teams and ids come from files anyone can edit,
so a text that starts like a formula (`=`, `+`, `-`, `@`) is stored as a string with Excel's quote-prefix
style: neither Excel nor LibreOffice runs it, not even after someone edits the cell.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import date, datetime

from babel.dates import format_date
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from planner.config import Rules
from planner.coverage import CoverageRow
from planner.csvfile import starts_like_formula
from planner.domain import Operator, Roster
from planner.grid import OperatorLoad, operator_loads, roster_grid
from planner.i18n import MESSAGES, column_label, translator
from planner.outputs import COVERAGE_COLUMNS

__all__ = ["roster_workbook", "coverage_workbook", "ROSTER_FIXED_COLUMNS", "ROSTER_TOTAL_COLUMNS", "SHIFT_COLUMNS"]

ROSTER_FIXED_COLUMNS = ("operator_id", "name", "team")
ROSTER_TOTAL_COLUMNS = ("shifts", "hours", "norm_hours", "hours_off_norm", "nights", "weekends")
SHIFT_COLUMNS = ("operator_id", "name", "date", "start", "end", "breaks", "hours")

_HEADING = Font(bold=True)
_WEEKEND = PatternFill(fill_type="solid", fgColor="E4E4E4")
_CENTRED = Alignment(horizontal="center")
_DATE, _MINUTE = "yyyy-mm-dd", "yyyy-mm-dd hh:mm"
_SIGNED = "+0.##;-0.##;0"
_WIDTHS = {"operator_id": 10, "name": 34, "team": 12, "day": 7, "date": 12, "start": 17, "end": 17, "breaks": 14,
           "interval_start": 17}
_OTHER_WIDTH = 11


def roster_workbook(roster: Roster, operators: Sequence[Operator], rules: Rules, language: str) -> bytes:
    """The .xlsx of the roster: the operators × days grid with each operator's load, and the list of shifts."""
    book = Workbook()
    _grid_sheet(_first_sheet(book), roster, operators, rules, language)
    _shifts_sheet(book.create_sheet(), roster, operators, language)
    return _saved(book)


def _first_sheet(book: Workbook) -> Worksheet:
    """The sheet a new workbook opens with (openpyxl types it as possibly a chart sheet, or none)."""
    sheet = book.active
    if not isinstance(sheet, Worksheet):
        raise TypeError(f"a new workbook opens on {type(sheet).__name__}, not a worksheet")
    return sheet


def coverage_workbook(rows: Sequence[CoverageRow], language: str) -> bytes:
    """The .xlsx of the coverage report, one row per real hour of the month."""
    book = Workbook()
    sheet = _first_sheet(book)
    sheet.title = translator(language).gettext(MESSAGES["coverage_sheet"])
    _headings(sheet, [column_label(column, language) for column in COVERAGE_COLUMNS])
    for line, row in enumerate(rows, start=2):
        values: tuple[Value, ...] = (_wall(row.interval_start), row.calls, row.aht_sec, row.required, row.scheduled,
                                     row.on_phones, row.shortfall)
        for column, value in enumerate(values, start=1):
            _put(sheet, line, column, value)
        sheet.cell(line, 1).number_format = _MINUTE
    _widths(sheet, COVERAGE_COLUMNS)
    sheet.freeze_panes = "B2"
    return _saved(book)


def _grid_sheet(sheet: Worksheet, roster: Roster, operators: Sequence[Operator], rules: Rules,
                language: str) -> None:
    month = roster.month
    sheet.title = translator(language).gettext(MESSAGES["roster_sheet"])
    fixed, days = len(ROSTER_FIXED_COLUMNS), month.days
    _headings(sheet, [column_label(column, language) for column in ROSTER_FIXED_COLUMNS]
              + [f"{day.day} {format_date(day, 'EEE', locale=language)}" for day in days]
              + [column_label(column, language) for column in ROSTER_TOTAL_COLUMNS])
    by_id = {op.id: op for op in operators}
    loads = {load.operator_id: load for load in operator_loads(roster, operators, rules)}
    off_norm_column = fixed + len(days) + ROSTER_TOTAL_COLUMNS.index("hours_off_norm") + 1
    # roster_grid also gives a row to an operator of the roster missing from `operators`: it is exported too.
    grid = roster_grid(roster, operators)
    for line, (op_id, codes) in enumerate(grid.items(), start=2):
        op = by_id.get(op_id)
        for column, text in enumerate((op_id, op.name if op else "", op.team if op else ""), start=1):
            _put(sheet, line, column, text)
        for column, day in enumerate(days, start=fixed + 1):
            _put(sheet, line, column, codes[day]).alignment = _CENTRED
        if op_id in loads:
            for column, value in enumerate(_totals(loads[op_id]), start=fixed + len(days) + 1):
                _put(sheet, line, column, value)
            sheet.cell(line, off_norm_column).number_format = _SIGNED
    for column, day in enumerate(days, start=fixed + 1):
        if month.is_weekend(day):
            for line in range(1, len(grid) + 2):
                sheet.cell(line, column).fill = _WEEKEND
    _widths(sheet, ROSTER_FIXED_COLUMNS + ("day",) * len(days) + ROSTER_TOTAL_COLUMNS)
    sheet.freeze_panes = sheet.cell(2, fixed + 1).coordinate


def _totals(load: OperatorLoad) -> tuple[float, ...]:
    values = {"shifts": load.shifts, "hours": load.hours, "norm_hours": load.norm_hours,
              "hours_off_norm": load.hours_off_norm, "nights": load.nights, "weekends": load.weekends}
    return tuple(round(values[column], 2) for column in ROSTER_TOTAL_COLUMNS)


def _shifts_sheet(sheet: Worksheet, roster: Roster, operators: Sequence[Operator], language: str) -> None:
    tz = roster.month.tz
    names = {op.id: op.name for op in operators}
    sheet.title = translator(language).gettext(MESSAGES["shifts_sheet"])
    _headings(sheet, [column_label(column, language) for column in SHIFT_COLUMNS])
    shifts = sorted(roster.shifts, key=lambda s: (s.start.timestamp(), s.operator_id))
    for line, shift in enumerate(shifts, start=2):
        start, end = shift.start.astimezone(tz), shift.end.astimezone(tz)
        breaks = " ".join(f"{moment.astimezone(tz):%H:%M}" for moment in shift.breaks)
        values: tuple[Value, ...] = (shift.operator_id, names.get(shift.operator_id, ""), start.date(), _wall(start),
                                     _wall(end), breaks, round(shift.hours, 2))
        for column, value in enumerate(values, start=1):
            _put(sheet, line, column, value)
        for column, number_format in ((3, _DATE), (4, _MINUTE), (5, _MINUTE)):
            sheet.cell(line, column).number_format = number_format
    _widths(sheet, SHIFT_COLUMNS)
    sheet.freeze_panes = "C2"


def _wall(moment: datetime) -> datetime:
    """Local wall-clock time: a spreadsheet cell has no time zone."""
    return moment.replace(tzinfo=None)


def _headings(sheet: Worksheet, labels: Sequence[str]) -> None:
    for column, label in enumerate(labels, start=1):
        _put(sheet, 1, column, label).font = _HEADING
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(labels))}1"


Value = str | float | date | datetime


def _put(sheet: Worksheet, line: int, column: int, value: Value) -> Cell:
    """Write one value; text that starts like a formula stays text (see the module's docstring)."""
    if isinstance(value, str):
        value = ILLEGAL_CHARACTERS_RE.sub("", value)  # control characters are not allowed in the file's XML
    cell = sheet.cell(line, column, value)
    if isinstance(value, str) and starts_like_formula(value):
        cell.data_type = "s"  # openpyxl took a leading '=' for a formula
        cell.quotePrefix = True  # and Excel would re-read the text as one when the cell is edited
    return cell


def _widths(sheet: Worksheet, columns: Sequence[str]) -> None:
    for number, column in enumerate(columns, start=1):
        sheet.column_dimensions[get_column_letter(number)].width = _WIDTHS.get(column, _OTHER_WIDTH)


def _saved(book: Workbook) -> bytes:
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
