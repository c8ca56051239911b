"""Reading the CSV files people actually produce: hand-written, exported by tools, or saved by Excel.

Excel in a Russian (or German) locale writes `;` as the separator, `,` as the decimal mark, Windows-1251 or
UTF-8 with a BOM, and dates as `DD.MM.YYYY`; all of that is accepted here once, for every importer. What cannot
be read is reported as `Problem`s naming the line as an editor shows it (the header is line 1), so a file is
either read completely or rejected with every reason at once.
"""

from __future__ import annotations

import codecs
import csv
import io
import math
import os
import re
from collections.abc import Callable, Generator, Iterator, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from pathlib import Path
from typing import TypeVar

from planner.errors import InputError, Problem

__all__ = [
    "MAX_LISTED_PROBLEMS",
    "ProblemLog",
    "Row",
    "Table",
    "detect_separator",
    "parse_date",
    "parse_number",
    "parse_wall_clock",
    "read_bytes",
    "read_rows",
    "read_table",
    "safe_csv_cell",
    "starts_like_formula",
]

MAX_LISTED_PROBLEMS = 50

_WALL_CLOCK = re.compile(
    r"(?P<date>[0-9.\-]+)[ T](?P<hour>[0-9]{1,2}):(?P<minute>[0-9]{2})(?::(?P<second>[0-9]{2}))?"
    r"\s*(?P<offset>Z|[+-][0-9]{2}:?[0-9]{2})?"
)

_T = TypeVar("_T")

_SEPARATORS = ("\t", ";", ",")  # on a tie the rarer character wins: a header rarely contains it by accident
_BINARY_SIGNATURES = {
    b"PK\x03\x04": "an Excel workbook (.xlsx) or another zip archive",
    b"\xd0\xcf\x11\xe0": "an old Excel workbook (.xls)",
    b"%PDF": "a PDF document",
}
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:[.,][0-9]*)?|[.,][0-9]+)(?:[eE][+-]?[0-9]+)?")
# Excel's "Number" format in a Russian locale groups thousands with a (no-break) space: "1 234,5".
_GROUPED = re.compile(r"[+-]?[0-9]{1,3}(?:[ \u00a0\u202f][0-9]{3})+(?:[.,][0-9]*)?")
_NOT_FINITE = re.compile(r"[+-]?(?:nan|inf|infinity)", re.IGNORECASE)
_ISO_DATE = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})")
_DOTTED_DATE = re.compile(r"([0-9]{1,2})\.([0-9]{1,2})\.([0-9]{4})")
_FIRST_YEAR, _LAST_YEAR = 1900, 2999
# A spreadsheet runs a cell starting with one of these as a formula (CSV or formula injection).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_TEXT_MARK = "'"


class ProblemLog:
    """Problems of one file, collected while reading it and raised together at the end."""

    def __init__(self, source: str):
        self.source = source
        self._problems: list[Problem] = []
        self._dropped = 0  # problems later in the file than every kept one: a file of bad rows costs no memory

    def __bool__(self) -> bool:
        return bool(self._problems)

    def add(self, line: int | None, field: str | None, message: str) -> None:
        self._problems.append(Problem(self.source, line, field, message))
        if len(self._problems) >= 2 * MAX_LISTED_PROBLEMS:
            kept = self._in_file_order()[:MAX_LISTED_PROBLEMS]
            self._dropped += len(self._problems) - len(kept)
            self._problems = kept

    def raise_if_any(self) -> None:
        """Raise every problem so far as one InputError, listing at most `MAX_LISTED_PROBLEMS` of them so
        that a thoroughly broken file still gives a readable message."""
        if not self._problems:
            return
        in_file_order = self._in_file_order()
        listed = in_file_order[:MAX_LISTED_PROBLEMS]
        unlisted = len(in_file_order) - len(listed) + self._dropped
        if unlisted:
            listed.append(Problem(self.source, None, None, f"... and {unlisted} more problems not listed"))
        raise InputError(listed)

    def _in_file_order(self) -> list[Problem]:
        # A stable sort: problems of one line stay in the order they were found.
        return sorted(self._problems, key=lambda problem: (problem.line is None, problem.line or 0))

    def check(self, row: Row, column: str, parse: Callable[[str], _T]) -> _T | None:
        """`parse` the row's cell; a ValueError becomes a problem of that line and column, returning None."""
        try:
            return parse(row.get(column))
        except ValueError as exc:
            self.add(row.line, column, str(exc))
            return None


@dataclass(frozen=True)
class Row:
    """One data row: stripped cells by lower-case column name, and the editor line where the row starts."""

    line: int
    cells: dict[str, str]

    def get(self, column: str) -> str:
        """The cell of `column`, '' when the row is shorter than the header."""
        return self.cells.get(column, "")


@dataclass(frozen=True)
class Table:
    """A CSV file whose encoding and header were checked; its rows are parsed from the bytes at each `rows` call."""

    source: str
    separator: str
    columns: tuple[str, ...]
    header: tuple[str, ...] = field(repr=False)  # by position; "" for a column without a name or not read
    data: bytes = field(repr=False)
    encoding: str = field(repr=False)

    def missing(self, columns: tuple[str, ...]) -> list[str]:
        return [column for column in columns if not self.has(column)]

    def has(self, column: str) -> bool:
        return column in self.columns

    def renamed(self, renaming: Mapping[str, str]) -> Table:
        """The table read with the file's column `theirs` as `ours` for each `theirs: ours` of `renaming`; a file
        column already named like one of `ours` is left out, so each name means one column."""
        ours = set(renaming.values())
        header = tuple(renaming.get(name, "" if name in ours else name) for name in self.header)
        return replace(self, columns=tuple(name for name in header if name), header=header)

    def rows(self, problems: ProblemLog) -> Iterator[Row]:
        """The data rows in file order; what cannot be read goes to `problems`, which the caller raises with its own."""
        records = self._records(problems)
        next(records, None)  # the header, checked by read_table
        for line, record in records:
            yield _row(record, self.header, line, problems)

    def _records(self, problems: ProblemLog) -> Generator[tuple[int, list[str]], None, None]:
        """(editor line where it starts, values) of every record that is not blank."""
        with _text_stream(self.data, self.encoding) as stream:
            reader = csv.reader(stream, delimiter=self.separator, strict=True, skipinitialspace=True)
            line = 1  # where the next record starts: a quoted field may span several lines
            try:
                for record in reader:
                    if any(value.strip() for value in record):
                        yield line, record
                    line = reader.line_num + 1
            except csv.Error as exc:
                if str(exc).startswith("field larger than field limit"):
                    # Also what a quote left open in a long file leads to: the rest of the file becomes one value.
                    message = (f"a value starting here is longer than {csv.field_size_limit():,} characters: a quote "
                               "left open, or not a CSV file")
                else:
                    message = f"broken quoting, the file cannot be read from here on ({exc})"
                problems.add(line, None, message)


# The largest input file read, unless the rules say otherwise (`input.max_file_mb`): a year of 5-minute call
# history is a few MB, so anything near this is not one of the planner's files, and is refused before it is read.
DEFAULT_MAX_FILE_MB = 50
MB = 1024 * 1024


def read_bytes(path: str | Path, max_file_mb: float = DEFAULT_MAX_FILE_MB) -> bytes:
    """The file's content; a missing, unreadable or too large file is an InputError like any other bad input."""
    try:
        with Path(path).open("rb") as opened:
            check_size(os.fstat(opened.fileno()).st_size, str(path), max_file_mb)
            return opened.read()
    except FileNotFoundError:
        message = "file not found"
    except IsADirectoryError:
        message = "is a folder, not a file"
    except OSError as exc:
        message = f"cannot be read: {exc.strerror or exc}"
    raise InputError([Problem(str(path), None, None, message)])


def check_size(size: int, source: str, max_file_mb: float) -> None:
    """InputError when a file of `size` bytes is larger than `max_file_mb` allows: said before it is read."""
    if size > max_file_mb * MB:
        raise InputError([Problem(source, None, None,
                                  f"is {size / MB:,.1f} MB, more than the {max_file_mb:g} MB the planner reads "
                                  "(input.max_file_mb in the rules); is this the right file?")])


def detect_separator(header: str) -> str:
    """`,`, `;` or tab: whichever occurs most often in the header line (column names never contain them)."""
    counts = {separator: _count_outside_quotes(header, separator) for separator in _SEPARATORS}
    best = max(_SEPARATORS, key=lambda separator: counts[separator])
    return best if counts[best] else ","


def read_table(data: bytes, source: str) -> Table:
    """Check the encoding, detect the separator and read the header; raise InputError if the file has no usable
    table. The rows are read when `Table.rows` is iterated, so a large file is never held as text or as a list."""
    encoding = _checked_encoding(data, source)
    with _text_stream(data, encoding) as stream:
        first_line = next((line for line in stream if line.strip()), None)
    if first_line is None:
        raise _file_problem(source, "is empty; expected a header row and data rows")
    table = Table(source, detect_separator(first_line), (), (), data, encoding)
    problems = ProblemLog(source)
    records = table._records(problems)
    first = next(records, None)
    header = () if first is None else tuple(name.strip().lower() for name in first[1])
    if first is not None:
        _check_header(header, first[0], problems)
        if next(records, None) is None and not problems:
            problems.add(None, None, "has a header but no data rows")
    elif not problems:
        problems.add(None, None, "has no header row, only empty values")
    records.close()
    problems.raise_if_any()
    return replace(table, columns=tuple(name for name in header if name), header=header)


_CHUNK = 1 << 20  # bytes decoded at a time when checking a file: its text is never held whole


def _checked_encoding(data: bytes, source: str) -> str:
    """The encoding the file is read in, after checking that all of it decodes into text without control
    characters; an InputError naming the line otherwise."""
    for signature, kind in _BINARY_SIGNATURES.items():
        if data.startswith(signature):
            raise _file_problem(source, f"looks like {kind}, not a CSV file; save it as CSV (UTF-8 or ';'-separated)")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        candidates = ["utf-16"]
    elif data.startswith(codecs.BOM_UTF8):
        candidates = ["utf-8-sig"]  # a UTF-8 BOM says what the rest must be
    else:
        candidates = ["utf-8", "cp1251"]
    for encoding in candidates:
        try:
            # The BOM decodes as UTF-8 too, and without it dropped the positions of bad bytes stay those of the file.
            for _ in _text_chunks(data, encoding.removesuffix("-sig")):
                pass
        except UnicodeDecodeError as exc:
            if encoding != candidates[-1]:
                continue
            line = data.count(b"\n", 0, exc.start) + 1
            message = f"is neither UTF-8 nor Windows-1251 text (byte {data[exc.start]:#04x} cannot be decoded)"
            raise InputError([Problem(source, line, None, message)]) from None
        _check_control_characters(data, encoding, source)
        return encoding
    raise AssertionError("the last candidate either decodes or raises")


def _text_chunks(data: bytes, encoding: str) -> Iterator[str]:
    """The file's text in pieces; a UnicodeDecodeError's `start` is the position in `data`."""
    decoder = codecs.getincrementaldecoder(encoding)()
    for offset in range(0, len(data), _CHUNK):
        try:
            yield decoder.decode(data[offset : offset + _CHUNK], final=offset + _CHUNK >= len(data))
        except UnicodeDecodeError as exc:
            raise UnicodeDecodeError(exc.encoding, data, offset + exc.start, offset + exc.end, exc.reason) from None


def _check_control_characters(data: bytes, encoding: str, source: str) -> None:
    line = 1
    with _text_stream(data, encoding) as stream:
        for text in stream:
            control = _CONTROL.search(text)
            if control:
                message = f"contains the control character {ord(control[0]):#04x}; is this a text CSV file?"
                raise InputError([Problem(source, line, None, message)])
            line += 1


def _text_stream(data: bytes, encoding: str) -> io.TextIOWrapper:
    """The text read line by line, line ends kept as they are (what `csv` needs); a UTF-8 BOM is dropped."""
    return io.TextIOWrapper(io.BytesIO(data), encoding=encoding, newline="")


def read_rows(data: bytes, source: str) -> tuple[Row, ...]:
    """Every row of the file, or InputError naming every row that cannot be read."""
    problems = ProblemLog(source)
    rows = tuple(read_table(data, source).rows(problems))
    problems.raise_if_any()
    return rows


def parse_number(text: str) -> float:
    """A finite number, with `.` or `,` as the decimal mark; ValueError with a message for the user."""
    text = text.strip()
    if not text:
        raise ValueError("is empty; a number is required")
    if _GROUPED.fullmatch(text):
        text = re.sub(r"[ \u00a0\u202f]", "", text)
    if _NOT_FINITE.fullmatch(text):
        raise ValueError(f"must be a finite number, got {text!r}")
    if not _NUMBER.fullmatch(text):
        raise ValueError(f"must be a number, got {text!r}")
    value = float(text.replace(",", "."))
    if not math.isfinite(value):
        raise ValueError(f"must be a finite number, got {text!r}")
    return value + 0.0  # turns -0.0 into 0.0


def parse_date(text: str) -> date:
    """`YYYY-MM-DD`, or `DD.MM.YYYY` as Excel rewrites dates in a Russian locale."""
    text = text.strip()
    if iso := _ISO_DATE.fullmatch(text):
        year, month, day = int(iso[1]), int(iso[2]), int(iso[3])
    elif dotted := _DOTTED_DATE.fullmatch(text):
        year, month, day = int(dotted[3]), int(dotted[2]), int(dotted[1])
    else:
        raise ValueError(f"must be a date YYYY-MM-DD, got {text!r}")
    if not _FIRST_YEAR <= year <= _LAST_YEAR:
        raise ValueError(f"year must be between {_FIRST_YEAR} and {_LAST_YEAR}, got {text!r}")
    try:
        return date(year, month, day)
    except ValueError:
        raise ValueError(f"is not a real date, got {text!r}") from None


def _check_header(header: tuple[str, ...], line: int, problems: ProblemLog) -> None:
    first_position: dict[str, int] = {}
    for position, name in enumerate(header, start=1):
        if not name:
            continue  # Excel leaves unnamed columns behind a trailing separator
        if name in first_position:
            problems.add(
                line, name, f"column {name!r} appears twice (columns {first_position[name]} and {position})"
            )
        else:
            first_position[name] = position


def _row(record: list[str], header: tuple[str, ...], line: int, problems: ProblemLog) -> Row:
    surplus = [value for value in record[len(header) :] if value.strip()]
    if surplus:
        problems.add(
            line,
            None,
            f"has {len(record)} values but the header has {len(header)} columns "
            "(a decimal comma in a ','-separated file must be quoted, or use ';' as the separator)",
        )
    cells = {name: _unmarked(value.strip()) for name, value in zip(header, record, strict=False) if name}
    return Row(line, cells)


def _count_outside_quotes(line: str, character: str) -> int:
    return sum(part.count(character) for part in line.split('"')[::2])


def _file_problem(source: str, message: str) -> InputError:
    return InputError([Problem(source, None, None, message)])


def parse_wall_clock(text: str, what: str = "a time") -> tuple[datetime, str | None]:
    """'YYYY-MM-DD HH:MM' — also with 'T', 'DD.MM.YYYY' and ':SS' as Excel saves it, and an optional UTC offset —
    as a naive wall-clock datetime and the offset's text (None if absent). Callers decide what they accept."""
    match = _WALL_CLOCK.fullmatch(text)
    if not match:
        raise ValueError(f"must be {what} YYYY-MM-DD HH:MM, got {text!r}")
    try:
        day = parse_date(match["date"])
    except ValueError as exc:
        raise ValueError(f"{exc} (in {text!r})") from None
    hour, minute, second = int(match["hour"]), int(match["minute"]), int(match["second"] or 0)
    if hour > 23 or minute > 59 or second > 59:
        raise ValueError(f"is not a real time of day, got {text!r}")
    return datetime(day.year, day.month, day.day, hour, minute, second), match["offset"]


def starts_like_formula(text: str) -> bool:
    """Whether a spreadsheet would take this text for a formula: it starts with = + - @, a tab or a CR."""
    return text.startswith(_FORMULA_START)


def safe_csv_cell(text: str) -> str:
    """Free text (a name, an address, a phone) for a CSV cell that Excel and LibreOffice show as text instead of
    running it as a formula: a `'` goes in front when it starts like one, as OWASP advises for CSV exports.

    A phone such as `+7 900 000-00-00` gets the mark too: telling it from `+cmd|...` would be a second, weaker
    rule. `read_table` drops the mark again. A text that itself starts with marks before a formula start (`'-`)
    gets one more mark, so every text the planner writes reads back exactly as it was."""
    return _TEXT_MARK + text if _needs_mark(text) else text


def _needs_mark(text: str) -> bool:
    return starts_like_formula(text.lstrip(_TEXT_MARK))


def _unmarked(cell: str) -> str:
    return cell[1:] if cell.startswith(_TEXT_MARK) and _needs_mark(cell[1:]) else cell
