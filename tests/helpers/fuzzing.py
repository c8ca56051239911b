"""What the property tests of bad input (`@pytest.mark.fuzz`) share: their settings, CSV-shaped files and the
check that a rejection names the file, the line and the field.

`make test` runs each property with its small default and the same examples every run (a CI result must not
depend on luck); `make fuzz` sets PLANNER_FUZZ_EXAMPLES (10,000) to run every one of them far longer, on random
examples, which is where new failures are found: each one found becomes a fix and, where useful, an example test.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from planner.errors import InputError

__all__ = [
    "NASTY_CELLS", "assert_names_file_line_and_field", "cells_from", "csv_files", "fuzz_settings", "fuzzing",
    "single_cells",
]

EXAMPLES_VARIABLE = "PLANNER_FUZZ_EXAMPLES"

# What people and spreadsheets put into cells: numbers as Excel writes them, values that are not finite or do not
# fit a float, formulas, control characters, quotes and a line longer than the csv module's field limit.
NASTY_CELLS = (
    "", " ", "0", "-1", "0,5", "1 234,5", "1.5e3", "NaN", "inf", "-Infinity", "1e400", "9" * 400,
    "=cmd|'/C calc'!A0", "+7 900 000-00-00", "@SUM(A1)", "'=1+2", "\x00", "\x1a", "\ufeff", "\u00a0",
    '"', '"a,b"', "'", "Иванов Иван", "x" * 200_000,
)
SEPARATORS = (",", ";", "\t", "|", " ")
LINE_ENDINGS = ("\n", "\r\n", "\r")
ENCODINGS = ("utf-8", "utf-8-sig", "cp1251", "utf-16", "latin-1")


def fuzzing() -> bool:
    """Whether this run is `make fuzz`; tests/conftest.py makes every other run's examples repeatable."""
    return bool(os.environ.get(EXAMPLES_VARIABLE))


def fuzz_settings(default: int) -> settings:
    """`default` examples, or PLANNER_FUZZ_EXAMPLES when set; no deadline, since a loaded
    2-core machine makes timings meaningless."""
    examples = int(os.environ.get(EXAMPLES_VARIABLE) or default)
    return settings(max_examples=examples, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def cells_from(*typical: str) -> st.SearchStrategy[str]:
    """A cell: mostly one of `typical` (valid values of the column, so that files get past the first check),
    else a nasty one or any text."""
    return st.one_of(st.sampled_from(typical), st.sampled_from(NASTY_CELLS), st.text(max_size=12))


def single_cells(separator: str) -> st.SearchStrategy[str]:
    """What may replace one cell of a `separator`-separated line and stay one cell of that line."""
    return st.sampled_from(NASTY_CELLS).filter(lambda cell: not any(c in cell for c in (separator, '"'))) | st.text(
        st.characters(exclude_categories=["Cs"], exclude_characters=[separator, '"', "\r", "\n"])
    )


@st.composite
def csv_files(draw: st.DrawFn, columns: tuple[str, ...], cell: st.SearchStrategy[str]) -> bytes:
    """A CSV-shaped file: some of `columns` (in any order, any case, maybe a stray one), any separator and line
    ending, rows of uneven length, an optional BOM, in one of the encodings spreadsheets save."""
    header = draw(st.lists(st.sampled_from(columns) | st.text(max_size=8), min_size=0, max_size=len(columns) + 2))
    header = [draw(st.sampled_from([name, name.upper(), f" {name} "])) for name in header]
    width = len(header)
    rows = draw(st.lists(st.lists(cell, min_size=max(0, width - 1), max_size=width + 1), max_size=6))
    separator = draw(st.sampled_from(SEPARATORS))
    line_ending = draw(st.sampled_from(LINE_ENDINGS))
    text = line_ending.join(separator.join(row) for row in [header, *rows])
    if draw(st.booleans()):
        text += line_ending
    encoding = draw(st.sampled_from(ENCODINGS))
    return text.encode(encoding, errors="replace")


def assert_names_file_line_and_field(error: InputError, source: str, data: bytes, columns: tuple[str, ...]) -> None:
    """Every problem names the file; a line, where given, is one of the file's lines; a field, where given, is a
    column of the format (or the header's own duplicate column, which the message quotes)."""
    most_lines = data.count(b"\n") + data.count(b"\r") + 1
    assert error.problems
    for problem in error.problems:
        assert problem.file == source, problem
        assert problem.message.strip() and "\n" not in problem.message, problem
        assert str(problem).startswith(source), problem
        assert problem.line is None or 1 <= problem.line <= most_lines, (problem, most_lines)
        assert (
            problem.field is None
            or problem.field in columns
            or problem.message.startswith(f"column {problem.field!r} appears twice")
        ), problem
