"""The forecast CSV: calls offered (and optionally AHT) per interval of one month, summed to real hours.

A row's time is `interval_start` if the file has that column (then `date` and `hour` are ignored), else
`date` + `hour`. Dates may also be `DD.MM.YYYY`, as Excel rewrites them in a Russian locale.

Times are the centre's local wall-clock time. Where the clocks go back, the repeated wall-clock hour may
appear twice: the first row of a wall-clock time is the earlier real hour, the second the later one (an
explicit UTC offset such as `02:00+01:00` says which one it is). A wall-clock time skipped when the clocks
go forward is an error.

The interval length of a file is its finest step: a file with any `:15`/`:45` start has 15-minute intervals,
else one with any `:30` start has 30-minute intervals, else hourly ones. Every hour must then be covered by
all of its intervals, so a deleted quarter-hour row is reported instead of silently shrinking that hour.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

from planner.config import Rules, Staffing
from planner.csvfile import ProblemLog, Row, Table, parse_date, parse_number, parse_wall_clock, read_bytes, read_table
from planner.domain import Forecast
from planner.month import Month

# The wall-clock helpers are shared with the call-history import (planner.history_csv), which reads times the same way.
__all__ = ["parse_forecast", "load_forecast", "parse_offset", "find_time_column", "wall_clock", "real_start",
           "calls_cell", "aht_cell"]

_HOUR = re.compile(r"[0-9]{1,2}")
_MINUTES_OF_STEP = {15: (0, 15, 30, 45), 30: (0, 30), 60: (0,)}
_LISTED_RUNS = 5


@dataclass(frozen=True)
class _Interval:
    """A row's interval placed in real time: `hour_start` is the UTC start of the local hour it lies in."""

    line: int
    hour_start: datetime
    minute: int
    calls: float  # NaN where the cell was bad: reported, and the file is rejected before any sum
    aht_sec: float


def load_forecast(path: str | Path, rules: Rules) -> Forecast:
    return parse_forecast(read_bytes(path, rules.input.max_file_mb), str(path), rules)


def parse_forecast(data: bytes, source: str, rules: Rules) -> Forecast:
    """Read a forecast file of one month; raise InputError listing every problem, or return all of it."""
    table = read_table(data, source)
    problems = ProblemLog(source)
    time_column = find_time_column(table, problems)
    if not table.has("calls"):
        problems.add(1, "calls", "missing column 'calls' (calls offered per interval)")
    problems.raise_if_any()

    tz = rules.timezone
    default_aht = rules.staffing.default_aht_sec
    calls_of, aht_of = calls_cell(rules.staffing), aht_cell(rules.staffing)
    taken: dict[datetime, int] = {}
    intervals: list[_Interval] = []
    for row in table.rows(problems):
        calls = problems.check(row, "calls", calls_of)
        aht = problems.check(row, "aht_sec", aht_of) if table.has("aht_sec") else default_aht
        start = real_start(row, time_column, wall_clock(row, time_column, problems), tz, taken, problems)
        if start is None:
            continue
        minute = start.astimezone(tz).minute
        hour_start = start - timedelta(minutes=minute)
        intervals.append(_Interval(row.line, hour_start, minute, _or_nan(calls), _or_nan(aht)))

    if not intervals:  # every row had a problem
        problems.raise_if_any()
    month = _month_of(intervals, rules, time_column, problems)
    by_hour = _by_hour(intervals, month, time_column, problems)
    problems.raise_if_any()
    calls_per_hour, aht_per_hour = zip(*(_sum_hour(by_hour[index]) for index in range(len(month.hours))), strict=True)
    return Forecast(month=month, calls=calls_per_hour, aht_sec=aht_per_hour, source=source)


def find_time_column(table: Table, problems: ProblemLog) -> str:
    """The column whose problems name a row's time: `interval_start`, or `hour` in the date + hour form."""
    if table.has("interval_start"):
        return "interval_start"
    if table.has("date") and table.has("hour"):
        return "hour"
    if table.has("date"):
        problems.add(1, "hour", "missing column 'hour' (0-23), needed with 'date'; or give 'interval_start' instead")
    elif table.has("hour"):
        problems.add(1, "date", "missing column 'date' (YYYY-MM-DD), needed with 'hour'; or give 'interval_start'")
    else:
        problems.add(1, "interval_start", "missing column 'interval_start' (or the two columns 'date' and 'hour')")
    return "interval_start"


def calls_cell(staffing: Staffing) -> Callable[[str], float]:
    """The parser of a `calls` cell: a number from 0 up to the rules' ceiling, which says where it is set."""
    def calls(text: str) -> float:
        value = parse_number(text)
        if value < 0:
            raise ValueError(f"must not be negative, got {text}")
        if value > staffing.max_calls_per_hour:
            raise ValueError(f"{text} calls is more than staffing.max_calls_per_hour "
                             f"({staffing.max_calls_per_hour:g}) allows: a typo or another unit? (raise the "
                             "ceiling in the rules if the centre really takes that many)")
        return value
    return calls


def aht_cell(staffing: Staffing) -> Callable[[str], float]:
    """The parser of an `aht_sec` cell: seconds above 0 and up to the rules' ceiling."""
    def aht(text: str) -> float:
        value = parse_number(text)
        if value <= 0:
            raise ValueError(f"must be a positive number of seconds, got {text}")
        if value > staffing.max_aht_sec:
            raise ValueError(f"{text} s is longer than staffing.max_aht_sec ({staffing.max_aht_sec:g} s) allows: "
                             "minutes instead of seconds? (raise the ceiling in the rules if it is real)")
        return value
    return aht


def _or_nan(value: float | None) -> float:
    return float("nan") if value is None else value


WallClock = tuple[datetime, timedelta | None]  # a row's naive local time and the UTC offset it states, if any


def wall_clock(row: Row, time_column: str, problems: ProblemLog,
               interval_start: Callable[[str], WallClock] | None = None) -> WallClock | None:
    """The row's time as `find_time_column` found it; None if reported. `interval_start` parses that column
    (default: the forecast's quarter-hour grid)."""
    if time_column == "interval_start":
        return problems.check(row, "interval_start", interval_start or _interval_start)
    day = problems.check(row, "date", parse_date)
    hour = problems.check(row, "hour", _hour)
    if day is None or hour is None:
        return None
    return datetime(day.year, day.month, day.day, hour), None


def real_start(row: Row, time_column: str, stamp: WallClock | None, tz: ZoneInfo, taken: dict[datetime, int],
               problems: ProblemLog) -> datetime | None:
    """The UTC instant the row's `stamp` means and no earlier row took (recorded in `taken` with the row's line);
    None, and the problem logged, for a time that does not exist or repeats."""
    if stamp is None:
        return None
    try:
        candidates = _real_starts(*stamp, tz)
    except ValueError as exc:
        problems.add(row.line, time_column, str(exc))
        return None
    free = [moment for moment in candidates if moment not in taken]
    if not free:
        problems.add(row.line, time_column, _duplicate_message(stamp[0], [taken[moment] for moment in candidates]))
        return None
    taken[free[0]] = row.line
    return free[0]


def _hour(text: str) -> int:
    if not _HOUR.fullmatch(text) or int(text) > 23:
        raise ValueError(f"must be a whole hour 0..23, got {text!r}")
    return int(text)


def _interval_start(text: str) -> tuple[datetime, timedelta | None]:
    wall, offset = parse_wall_clock(text)
    if wall.minute % 15 or wall.second:
        raise ValueError(f"must start on a 15-, 30- or 60-minute boundary (:00, :15, :30, :45), got {text!r}")
    return wall, parse_offset(offset)


def parse_offset(text: str | None) -> timedelta | None:
    """`Z`, `+03:00` or `-0500` as written after a time -> the offset; None when the time had none."""
    if text is None:
        return None
    if text == "Z":
        return timedelta(0)
    digits = text[1:].replace(":", "")
    hours, minutes = int(digits[:2]), int(digits[2:])
    if hours > 23 or minutes > 59:
        raise ValueError(f"has an impossible UTC offset {text}")
    size = timedelta(hours=hours, minutes=minutes)
    return -size if text[0] == "-" else size


def _real_starts(wall: datetime, offset: timedelta | None, tz: ZoneInfo) -> list[datetime]:
    """The UTC instants a row's time may mean, earlier first: two for a wall-clock time that repeats when the
    clocks go back (unless an offset says which), none for one skipped when they go forward (an error)."""
    earlier, later = (wall.replace(tzinfo=tz, fold=fold) for fold in (0, 1))
    exists = sorted({moment.astimezone(UTC) for moment in (earlier, later) if _round_trips(moment, wall, tz)})
    if not exists:
        raise ValueError(
            f"{wall:%Y-%m-%d %H:%M} does not exist in {tz.key}: the clocks go forward then; leave it out"
        )
    if offset is None:
        return exists
    start = wall.replace(tzinfo=timezone(offset)).astimezone(UTC)
    if start not in exists:
        allowed = " or ".join(sorted({_offset_text(moment) for moment in (earlier, later)}))
        raise ValueError(
            f"{wall:%Y-%m-%d %H:%M}{_offset_text(start.astimezone(timezone(offset)))} is not a time of "
            f"{tz.key}, whose UTC offset then is {allowed}"
        )
    return [start]


def _duplicate_message(wall: datetime, lines: list[int]) -> str:
    """What a row whose time is already taken (by the rows on `lines`) is told."""
    if len(lines) == 1:
        return f"duplicate: {wall:%Y-%m-%d %H:%M} is already on line {lines[0]}"
    return (
        f"{wall:%Y-%m-%d %H:%M} is already on lines {lines[0]} and {lines[1]}: a wall-clock time repeated when "
        "the clocks go back may appear twice, not more"
    )


def _round_trips(moment: datetime, wall: datetime, tz: ZoneInfo) -> bool:
    return moment.astimezone(UTC).astimezone(tz).replace(tzinfo=None) == wall


def _offset_text(moment: datetime) -> str:
    offset = moment.utcoffset() or timedelta(0)
    sign = "-" if offset < timedelta(0) else "+"
    minutes = abs(offset) // timedelta(minutes=1)
    return f"{sign}{minutes // 60:02d}:{minutes % 60:02d}"


def _label(moment: datetime, tz: ZoneInfo) -> str:
    """Local time as the planner reads it; the UTC offset is added where the wall-clock time repeats."""
    local = moment.astimezone(tz)
    other = local.replace(fold=1 - local.fold)
    repeated = other.utcoffset() != local.utcoffset() and _round_trips(other, local.replace(tzinfo=None), tz)
    return f"{local:%Y-%m-%d %H:%M}" + (_offset_text(local) if repeated else "")


def _month_of(intervals: list[_Interval], rules: Rules, time_column: str, problems: ProblemLog) -> Month:
    """The month most rows belong to; rows of any other month are reported, one problem per month."""
    tz = rules.timezone
    # One pass: a file of many years must be refused as fast as it is read.
    lines_of_month: dict[tuple[int, int], list[int]] = {}
    for interval in intervals:
        lines_of_month.setdefault(_local_month(interval.hour_start, tz), []).append(interval.line)
    planned = min(lines_of_month, key=lambda key: (-len(lines_of_month[key]), key))
    for other in sorted(lines_of_month.keys() - {planned}):
        lines = lines_of_month[other]
        problems.add(
            lines[0],
            time_column,
            f"{_plural(len(lines), 'row')} of {_month_text(other)} ({'line' if len(lines) == 1 else 'lines'} "
            f"{_line_ranges(lines)}): the file is a forecast of {_month_text(planned)} "
            f"({_plural(len(lines_of_month[planned]), 'row')}), one month per file",
        )
    return Month(planned[0], planned[1], rules.centre.timezone, rules.centre.country)


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def _month_text(year_month: tuple[int, int]) -> str:
    return f"{year_month[0]:04d}-{year_month[1]:02d}"


def _local_month(moment: datetime, tz: ZoneInfo) -> tuple[int, int]:
    local = moment.astimezone(tz)
    return local.year, local.month


def _by_hour(
    intervals: list[_Interval], month: Month, time_column: str, problems: ProblemLog
) -> dict[int, list[_Interval]]:
    """Intervals of the planned month grouped by hour index; incomplete and missing hours are reported."""
    by_hour: dict[int, list[_Interval]] = {}
    for interval in intervals:
        index = month.hour_index(interval.hour_start)
        if index is not None:
            by_hour.setdefault(index, []).append(interval)
    step = _step(intervals)
    expected = _MINUTES_OF_STEP[step]
    tz = month.tz
    for index in sorted(by_hour):
        found = sorted(by_hour[index], key=lambda interval: interval.minute)
        if tuple(interval.minute for interval in found) != expected:
            present = ", ".join(f":{interval.minute:02d} (line {interval.line})" for interval in found)
            absent = ", ".join(f":{minute:02d}" for minute in expected if minute not in {i.minute for i in found})
            problems.add(
                found[0].line,
                time_column,
                f"hour {_label(month.hours[index], tz)} is not covered by the file's {step}-minute intervals: "
                f"rows start at {present}; missing {absent}",
            )
    missing = [index for index in range(len(month.hours)) if index not in by_hour]
    if missing:
        problems.add(
            None, time_column, f"{_plural(len(missing), 'hour')} of {month.label} missing: {_hour_runs(missing, month)}"
        )
    return by_hour


def _step(intervals: list[_Interval]) -> int:
    minutes = {interval.minute for interval in intervals}
    if minutes & {15, 45}:
        return 15
    return 30 if 30 in minutes else 60


def _sum_hour(intervals: list[_Interval]) -> tuple[float, float]:
    """Calls of an hour summed; AHT weighted by calls, or the plain mean when the hour has no calls."""
    total = sum(interval.calls for interval in intervals)
    if total > 0:
        return total, sum(interval.calls * interval.aht_sec for interval in intervals) / total
    return total, sum(interval.aht_sec for interval in intervals) / len(intervals)


def _hour_runs(indices: list[int], month: Month) -> str:
    """Consecutive hours as ranges: '2026-03-05 10:00 to 2026-03-05 12:00, 2026-03-09 00:00'."""
    tz = month.tz
    return _first_few(
        _label(month.hours[first], tz) + ("" if last == first else f" to {_label(month.hours[last], tz)}")
        for first, last in _runs(indices)
    )


def _line_ranges(lines: list[int]) -> str:
    """[2, 3, 4, 9] -> '2-4, 9'."""
    return _first_few(f"{first}" if last == first else f"{first}-{last}" for first, last in _runs(lines))


def _first_few(texts: Iterable[str]) -> str:
    listed = list(texts)
    if len(listed) <= _LISTED_RUNS:
        return ", ".join(listed)
    return ", ".join(listed[:_LISTED_RUNS]) + f" and {len(listed) - _LISTED_RUNS} more ranges"


def _runs(numbers: list[int]) -> list[tuple[int, int]]:
    """Ascending numbers as (first, last) runs of consecutive ones."""
    runs: list[tuple[int, int]] = []
    for number in numbers:
        if runs and runs[-1][1] == number - 1:
            runs[-1] = (runs[-1][0], number)
        else:
            runs.append((number, number))
    return runs
