"""`roster.csv`: one row per shift worked, written by the solver and read back after a planner edited it.

Columns `operator_id, date, start, end, breaks` (then `name, rate, hours` for people reading the file; on
reading they and any other columns are ignored). Times are the centre's local wall-clock time. Reading checks
the format only — that times exist and `date` is the start's day; whether the shifts keep the rules is for
`planner.validate`, so a hand-edited roster that breaks a rule still loads and gets its violations listed.

Where the clocks go back, a wall-clock time such as 02:30 happens twice. The file cannot say which is meant,
so the reading that gives the shift the length in its `hours` column is taken (that is what this module
writes); without such a column, or when neither reading matches, the earlier one. A break is placed on the
reading that lies inside its shift, the earlier one if both do.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, nullcontext
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from itertools import product
from os import PathLike
from pathlib import Path
from typing import TextIO
from zoneinfo import ZoneInfo

from planner.config import rate_key
from planner.csvfile import (
    ProblemLog,
    Row,
    parse_date,
    parse_number,
    parse_wall_clock,
    read_bytes,
    read_table,
    safe_csv_cell,
)
from planner.domain import Operator, Roster, Shift
from planner.errors import InputError, Problem
from planner.month import Month

__all__ = ["ROSTER_COLUMNS", "write_roster_csv", "read_roster_csv", "load_roster_csv", "load_earlier_roster_csv"]

ROSTER_COLUMNS = ("operator_id", "date", "start", "end", "breaks", "name", "rate", "hours")
_REQUIRED = ("operator_id", "date", "start", "end")  # a hand-written roster may leave breaks to be planned

# Excel turns a lone "11:00" into a time of day and saves it back with seconds.
_CLOCK = re.compile(r"(?P<hour>[0-9]{1,2}):(?P<minute>[0-9]{2})(?::00)?")
_BREAK_SEPARATORS = re.compile(r"[\s,;]+")

Target = str | PathLike[str] | TextIO


def write_roster_csv(roster: Roster, operators: Sequence[Operator], path_or_buffer: Target) -> None:
    """Write the contract's roster.csv (UTF-8), rows by date, start and operator. `name` and `rate` are left
    empty for an operator missing from `operators`, so that a roster the validator rejects can still be saved."""
    tz = roster.month.tz
    by_id = {op.id: op for op in operators}
    shifts = sorted(
        roster.shifts, key=lambda s: (s.start.astimezone(tz).date(), s.start.astimezone(UTC), s.operator_id)
    )
    with _text_output(path_or_buffer) as out:
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(ROSTER_COLUMNS)
        for shift in shifts:
            start, end = shift.start.astimezone(tz), shift.end.astimezone(tz)
            op = by_id.get(shift.operator_id)
            writer.writerow(
                (
                    safe_csv_cell(shift.operator_id),
                    start.date().isoformat(),
                    f"{start:%Y-%m-%d %H:%M}",
                    f"{end:%Y-%m-%d %H:%M}",
                    " ".join(f"{moment.astimezone(tz):%H:%M}" for moment in shift.breaks),
                    safe_csv_cell(op.name) if op else "",
                    rate_key(op.rate) if op else "",
                    f"{round(_elapsed_hours(shift.start, shift.end), 4):g}",
                )
            )


def load_roster_csv(path: str | Path, month: Month) -> Roster:
    return read_roster_csv(read_bytes(path), str(path), month)


def load_earlier_roster_csv(path: str | Path, planned: Month) -> Roster:
    """The roster.csv of a month before `planned` (for the fairness ledger), in the month its shifts start in
    (the reader refuses a file without any). Shifts of more than one month, or of a month not before `planned`,
    are refused."""
    source = str(path)
    roster = read_roster_csv(read_bytes(path), source, planned)
    labels = sorted({f"{shift.day:%Y-%m}" for shift in roster.shifts})
    if len(labels) != 1 or labels[0] >= planned.label:
        raise InputError([Problem(source, None, "date", f"an earlier month's roster must hold the shifts of one month "
                                                        f"before {planned.label}; its shifts start in: "
                                                        f"{', '.join(labels)}")])
    year, month = map(int, labels[0].split("-"))
    return replace(roster, month=Month(year, month, planned.timezone, planned.country))


def read_roster_csv(data: bytes, source: str, month: Month) -> Roster:
    """Parse a roster.csv (also as saved by Excel: `;`, BOM, Windows-1251, `DD.MM.YYYY`) into aware datetimes
    of `month`'s time zone. Any problem rejects the whole file with every line and field named (InputError)."""
    table = read_table(data, source)
    problems = ProblemLog(source)
    for column in table.missing(_REQUIRED):
        problems.add(1, column, f"required column is missing (a roster needs {', '.join(_REQUIRED)}, breaks)")
    problems.raise_if_any()
    shifts = [shift for row in table.rows(problems) if (shift := _shift(row, month.tz, problems)) is not None]
    problems.raise_if_any()
    return Roster(month, tuple(sorted(shifts, key=lambda s: (s.start.astimezone(UTC), s.operator_id))))


def _shift(row: Row, tz: ZoneInfo, problems: ProblemLog) -> Shift | None:
    """The row's shift, or None after logging what is wrong with it."""
    operator_id = row.get("operator_id")
    if not operator_id:
        problems.add(row.line, "operator_id", "is empty; every shift needs the id of its operator")
    day = problems.check(row, "date", parse_date)
    start_wall = problems.check(row, "start", _wall_time)
    end_wall = problems.check(row, "end", _wall_time)
    clocks = problems.check(row, "breaks", _clock_times)
    starts = _instants_or_log(start_wall, tz, row, "start", problems)
    ends = _instants_or_log(end_wall, tz, row, "end", problems)
    if day is not None and start_wall is not None and day != start_wall.date():
        problems.add(
            row.line, "date", f"must be the day the shift starts ({start_wall:%Y-%m-%d}), got {row.get('date')!r}"
        )
    if not (operator_id and starts and ends and clocks is not None):
        return None
    start, end = _pick_readings(starts, ends, _hours_hint(row))
    if _elapsed_hours(start, end) <= 0:
        problems.add(
            row.line,
            "end",
            f"must be after the start {row.get('start')}, got {row.get('end')!r} "
            "(a shift that crosses midnight ends on the next day)",
        )
        return None
    breaks = []
    for hour, minute in clocks:
        moment = _place_break(start, end, hour, minute, tz)
        if moment is None:
            problems.add(row.line, "breaks", f"{hour:02d}:{minute:02d} does not exist that night in {tz.key}")
            return None
        breaks.append(moment)
    return Shift(operator_id, start, end, tuple(breaks))


def _wall_time(text: str) -> datetime:
    wall, offset = parse_wall_clock(text, "a local time")
    if offset is not None:
        raise ValueError(f"must be a local time YYYY-MM-DD HH:MM, got {text!r}")
    if wall.second:
        raise ValueError(f"must be whole minutes, got {text!r}")
    return wall


def _clock_times(text: str) -> tuple[tuple[int, int], ...]:
    """'11:00 14:30' -> ((11, 0), (14, 30)); empty text means no breaks."""
    result = []
    for part in _BREAK_SEPARATORS.split(text.strip()) if text.strip() else ():
        match = _CLOCK.fullmatch(part)
        if not match or int(match["hour"]) > 23 or int(match["minute"]) > 59:
            raise ValueError(f"must be break start times HH:MM separated by spaces, got {part!r} in {text!r}")
        result.append((int(match["hour"]), int(match["minute"])))
    return tuple(result)


def _instants(wall: datetime, tz: ZoneInfo) -> list[datetime]:
    """The real moments a local wall time means, earlier first: two where the clocks go back, none where they
    go forward. Each is returned as `astimezone` gives it, with `fold` set on the repeated hour."""
    moments = {wall.replace(tzinfo=tz, fold=fold).astimezone(UTC) for fold in (0, 1)}
    local = (moment.astimezone(tz) for moment in sorted(moments))
    return [moment for moment in local if moment.replace(tzinfo=None) == wall]


def _instants_or_log(
    wall: datetime | None, tz: ZoneInfo, row: Row, column: str, problems: ProblemLog
) -> list[datetime]:
    if wall is None:
        return []
    found = _instants(wall, tz)
    if not found:
        problems.add(row.line, column, f"{wall:%Y-%m-%d %H:%M} does not exist in {tz.key}: the clocks go forward then")
    return found


def _pick_readings(starts: list[datetime], ends: list[datetime], hours: float | None) -> tuple[datetime, datetime]:
    """The (start, end) readings whose elapsed length is `hours`, else the earliest of each."""
    if hours is not None:
        for start, end in product(starts, ends):
            if abs(_elapsed_hours(start, end) - hours) < 1e-6:
                return start, end
    return starts[0], ends[0]


def _hours_hint(row: Row) -> float | None:
    # Only a hint for the repeated hour: a stale or garbled value in this informational column is not an error.
    try:
        return parse_number(row.get("hours"))
    except ValueError:
        return None


def _place_break(start: datetime, end: datetime, hour: int, minute: int, tz: ZoneInfo) -> datetime | None:
    """A break's clock time on the first day, at or after the shift's start, when it occurs; of two readings
    the one inside the shift. None if the clocks skip that time."""
    day = start.date() + timedelta(days=1 if (hour, minute) < (start.hour, start.minute) else 0)
    candidates = _instants(datetime(day.year, day.month, day.day, hour, minute), tz)
    inside = [moment for moment in candidates if 0 <= _elapsed_hours(start, moment) < _elapsed_hours(start, end)]
    if not candidates:
        return None
    return inside[0] if inside else candidates[0]


def _elapsed_hours(start: datetime, end: datetime) -> float:
    # Not `end - start`: aware datetimes of one zone subtract (and compare) by wall-clock time.
    return (end.astimezone(UTC) - start.astimezone(UTC)).total_seconds() / 3600


@contextmanager
def _text_output(target: Target) -> Iterator[TextIO]:
    if not isinstance(target, str | PathLike):
        with nullcontext(target) as out:
            yield out
    else:
        with open(target, "w", encoding="utf-8", newline="") as out:
            yield out
