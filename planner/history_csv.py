"""Call history: calls offered (and optionally AHT) per interval of 5, 15, 30 or 60 minutes, summed to real hours.

The file has the forecast file's standards (`planner.csvfile`: Excel-saved files, `;` and decimal commas, BOM or
Windows-1251, every problem listed by line and field, nothing half-imported) and the columns
`interval_start, calls[, aht_sec][, status]` — or, for hourly rows, `date, hour` instead of `interval_start`, as the
forecast file allows. Times are the centre's local wall-clock time; where the clocks go back
the repeated wall-clock times appear twice, the earlier first, or carry their UTC offset (as in the forecast file).

**Interval length.** One per file: the most common distance between consecutive rows (5, 15, 30 or 60 minutes).
A row off that grid is reported, so a typo such as `10:07` is never read as a file of finer intervals.

**Gaps.** The history covers whole local days, from the first row's day to the last row's. An interval absent
from the file is one of two things, and the difference matters:
- *closed*: the line was closed (nights of a day-time centre, a holiday): 0 calls, and a forecast for such hours
  is 0; the hours are left out when the profile is fitted, so a closed day does not drag the profile down;
- *missing*: the data were lost: the hour's calls are unknown, left out of fitting and of accuracy figures, never
  read as 0.
`gaps` (`--gaps closed|missing`) says which absent intervals are; the default is *missing*, the one that cannot
invent zeros. A `status` column (`open`, `closed`, `missing`; empty means open) states it per row instead, and
then `gaps` applies only to intervals absent from the file. An hour with any missing interval is missing (its
total is unknown); an hour whose intervals are all closed is closed; any other hour is open, its closed intervals
counting 0 (a bank open until 21:05 has an open 21:00 hour with five minutes of calls). `History.describe()`
says what was assumed and for how many hours.

**Other layouts.** `columns` maps the planner's names to a file's own (`{"interval_start": "DateTime"}`), and
`ignore_offsets` reads times as local clock times even where they carry a UTC offset or `Z`: some exports (R's
tsibble among them) stamp local clock times with a `Z` that means nothing.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum
from functools import cached_property
from pathlib import Path
from typing import Literal, get_args
from zoneinfo import ZoneInfo

from planner.config import Rules, Staffing
from planner.csvfile import ProblemLog, Row, Table, parse_number, parse_wall_clock, read_bytes, read_table
from planner.errors import InputError, Problem
from planner.forecast_csv import aht_cell, calls_cell, find_time_column, parse_offset, real_start, wall_clock
from planner.month import Month

__all__ = [
    "GAP_POLICIES",
    "COLUMNS",
    "GapPolicy",
    "History",
    "HourCounts",
    "HourStatus",
    "history_problem",
    "load_history",
    "parse_history",
]

GapPolicy = Literal["closed", "missing"]
GAP_POLICIES: tuple[str, ...] = get_args(GapPolicy)
COLUMNS = ("interval_start", "date", "hour", "calls", "aht_sec", "status")
_INTERVAL_MINUTES = (5, 15, 30, 60)
# A history is months to a couple of years; a span beyond this is a mistyped year, not data.
_MAX_SPAN_DAYS = 3 * 366


class HourStatus(StrEnum):
    OPEN = "open"
    CLOSED = "closed"
    MISSING = "missing"


@dataclass(frozen=True)
class HourCounts:
    """Hours of the history by status, and how many of them the gap policy decided (some interval absent)."""

    open: int
    open_partly_closed: int
    closed: int
    closed_assumed: int
    missing: int
    missing_assumed: int


@dataclass(frozen=True)
class History:
    """Every real hour of whole local days, with calls (NaN where missing) and AHT (NaN where unknown).
    `assumed` marks the hours some of whose intervals were absent from the file and took the gap policy,
    `partly_closed` the open hours some of whose intervals were closed."""

    timezone: str
    hours: tuple[datetime, ...]
    calls: tuple[float, ...]
    aht_sec: tuple[float, ...]
    status: tuple[HourStatus, ...]
    assumed: tuple[bool, ...]
    partly_closed: tuple[bool, ...]
    interval_minutes: int
    gaps: GapPolicy
    source: str = ""

    def __post_init__(self) -> None:
        lengths = {len(values) for values in (self.hours, self.calls, self.aht_sec, self.status, self.assumed,
                                              self.partly_closed)}
        if len(lengths) != 1:
            raise ValueError("history needs one calls, AHT, status and gap flag per hour")

    @cached_property
    def counts(self) -> HourCounts:
        tally = Counter(self.status)
        return HourCounts(
            open=tally[HourStatus.OPEN],
            open_partly_closed=sum(self.partly_closed),
            closed=tally[HourStatus.CLOSED],
            closed_assumed=self._assumed(HourStatus.CLOSED),
            missing=tally[HourStatus.MISSING],
            missing_assumed=self._assumed(HourStatus.MISSING),
        )

    def _assumed(self, status: HourStatus) -> int:
        return sum(1 for hour_status, assumed in zip(self.status, self.assumed, strict=True)
                   if assumed and hour_status is status)

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @cached_property
    def days(self) -> tuple[date, ...]:
        return tuple(sorted({moment.date() for moment in self.hours}))

    @property
    def end(self) -> datetime:
        """Local midnight after the last day: the first moment the history does not cover."""
        last = self.days[-1] + timedelta(days=1)
        return datetime(last.year, last.month, last.day, tzinfo=self.tz)

    def describe(self) -> list[str]:
        """What was read and what was assumed about gaps, in plain words, one line each."""
        counts = self.counts
        lines = [
            f"{self.source}: {len(self.days)} day{'s' if len(self.days) > 1 else ''} "
            f"from {self.days[0]} to {self.days[-1]}, "
            f"{self.interval_minutes}-minute intervals summed to {len(self.hours)} hours",
            f"open: {counts.open} hours"
            + (f" ({counts.open_partly_closed} of them closed part of the hour, counted as 0 calls)"
               if counts.open_partly_closed else ""),
            f"closed (0 calls, left out of fitting): {counts.closed} hours"
            + _assumed_note(counts.closed_assumed, "closed"),
            f"missing data (unknown, left out, not zero): {counts.missing} hours"
            + _assumed_note(counts.missing_assumed, "missing"),
        ]
        return lines

    def mark_missing(self, days: Iterable[date]) -> History:
        """The history with every hour of these days stated missing: days known to have lost their data."""
        marked_days = set(days)
        chosen = [moment.date() in marked_days for moment in self.hours]

        def unless_chosen(values: tuple, instead: object) -> tuple:
            return tuple(instead if marked else value for value, marked in zip(values, chosen, strict=True))

        return replace(self, calls=unless_chosen(self.calls, math.nan), aht_sec=unless_chosen(self.aht_sec, math.nan),
                       status=unless_chosen(self.status, HourStatus.MISSING),
                       assumed=unless_chosen(self.assumed, False),
                       partly_closed=unless_chosen(self.partly_closed, False))


def _assumed_note(count: int, policy: GapPolicy) -> str:
    if not count:
        return ""
    other: GapPolicy = "missing" if policy == "closed" else "closed"
    return (f"; {count} of them absent from the file (in part or whole), taken as {policy} by the gap option "
            f"(choose {other!r} if they were {'lost data' if other == 'missing' else 'hours the line was closed'})")


@dataclass(frozen=True, slots=True)  # one per row of a file of up to years of 5-minute intervals
class _Interval:
    line: int
    start: datetime  # UTC
    minute: int  # local minute within the local hour the interval lies in
    status: HourStatus
    calls: float
    aht_sec: float  # NaN when not given

    @property
    def hour_start(self) -> datetime:
        """UTC start of the local hour the interval lies in."""
        return self.start - timedelta(minutes=self.minute)


def parse_column_names(text: str) -> dict[str, str]:
    """`interval_start=DateTime,calls=Calls` -> {"interval_start": "DateTime", "calls": "Calls"}: the history's
    columns under other names. Raises ValueError in plain words."""
    names = {}
    for pair in text.split(","):
        ours, equals, theirs = pair.partition("=")
        if not equals or ours.strip() not in COLUMNS or not theirs.strip():
            raise ValueError(f"expected OURS=THEIRS pairs separated by commas, OURS one of {', '.join(COLUMNS)}; "
                             f"got {pair!r}")
        names[ours.strip()] = theirs.strip()
    return names


def load_history(path: str | Path, rules: Rules, *, gaps: GapPolicy | None = None,
                 columns: Mapping[str, str] | None = None, ignore_offsets: bool = False) -> History:
    return parse_history(read_bytes(path, rules.input.max_file_mb), str(path), rules, gaps=gaps, columns=columns,
                         ignore_offsets=ignore_offsets)


def parse_history(data: bytes, source: str, rules: Rules, *, gaps: GapPolicy | None = None,
                  columns: Mapping[str, str] | None = None, ignore_offsets: bool = False) -> History:
    """Read a call history; raise InputError listing every problem, or return all of it."""
    policy: GapPolicy = gaps or "missing"
    if policy not in GAP_POLICIES:
        raise ValueError(f"gaps must be one of {', '.join(GAP_POLICIES)}, got {gaps!r}")
    problems = ProblemLog(source)
    table = _renamed(read_table(data, source), columns or {}, problems)
    time_column = find_time_column(table, problems)
    if not table.has("calls"):
        problems.add(1, "calls", "missing column 'calls' (calls offered in the interval)")
    problems.raise_if_any()

    tz = rules.timezone
    taken: dict[datetime, int] = {}
    intervals: list[_Interval] = []
    for row in table.rows(problems):
        interval = _interval(row, table, time_column, tz, rules.staffing, ignore_offsets, taken, problems)
        if interval is not None:
            intervals.append(interval)
    if not intervals:
        problems.raise_if_any()
    step = _step(sorted(taken), time_column, problems)
    for interval in intervals:
        if interval.minute % step:
            problems.add(interval.line, time_column,
                         f"starts at :{interval.minute:02d}, off the file's {step}-minute grid "
                         f"(most rows are {step} minutes apart); one interval length per file")
    first, last = _span(intervals, tz, time_column, problems)
    problems.raise_if_any()
    return _history(intervals, first, last, step, policy, rules, source)


def _renamed(table: Table, columns: Mapping[str, str], problems: ProblemLog) -> Table:
    """The table with the file's own column names replaced by the planner's, as `columns` maps them."""
    if not columns:
        return table
    renaming: dict[str, str] = {}
    for ours, theirs in columns.items():
        if ours not in COLUMNS:
            raise ValueError(f"cannot map column {ours!r}: the history's columns are {', '.join(COLUMNS)}")
        theirs = theirs.strip().lower()
        if not table.has(theirs):
            problems.add(1, theirs, f"column {theirs!r}, to be read as {ours!r}, is not in the file "
                                    f"(its columns: {', '.join(table.columns)})")
        renaming[theirs] = ours
    return table.renamed(renaming)


def _interval(row: Row, table: Table, time_column: str, tz: ZoneInfo, staffing: Staffing, ignore_offsets: bool,
              taken: dict[datetime, int], problems: ProblemLog) -> _Interval | None:
    """The row as an interval placed in real time; None (and problems logged) if any cell is bad."""
    status = problems.check(row, "status", _status) if table.has("status") else HourStatus.OPEN
    open_row = status in (HourStatus.OPEN, None)
    calls = problems.check(row, "calls", calls_cell(staffing) if open_row else _calls_of_gap)
    aht: float | None = math.nan
    if table.has("aht_sec") and (row.get("aht_sec") or (open_row and calls)):
        aht = problems.check(row, "aht_sec", aht_cell(staffing))
    stamp = wall_clock(row, time_column, problems, _interval_start)
    if stamp is not None and ignore_offsets:
        stamp = stamp[0], None
    start = real_start(row, time_column, stamp, tz, taken, problems)
    if start is None:
        return None
    if status is None or calls is None or aht is None:
        return None
    minute = start.astimezone(tz).minute
    return _Interval(row.line, start, minute, status, calls, aht)


def _status(text: str) -> HourStatus:
    if not text:
        return HourStatus.OPEN
    try:
        return HourStatus(text.lower())
    except ValueError:
        raise ValueError(f"must be open, closed or missing (empty means open), got {text!r}") from None


def _calls_of_gap(text: str) -> float:
    if text and parse_number(text) != 0:
        raise ValueError(f"must be empty or 0 where the status is closed or missing, got {text}")
    return 0.0


def _interval_start(text: str) -> tuple[datetime, timedelta | None]:
    wall, offset = parse_wall_clock(text)
    if wall.second:
        raise ValueError(f"must start on a whole minute, got {text!r}")
    return wall, parse_offset(offset)


def _step(starts: list[datetime], time_column: str, problems: ProblemLog) -> int:
    """The file's interval length: the commonest distance between consecutive rows among the lengths read."""
    gaps = Counter(int((later - earlier) / timedelta(minutes=1)) for earlier, later in zip(starts, starts[1:]))
    usable = {minutes: count for minutes, count in gaps.items() if minutes in _INTERVAL_MINUTES}
    if not usable:
        problems.add(None, time_column,
                     "cannot tell the interval length: no two rows are 5, 15, 30 or 60 minutes apart")
        return 60
    return max(usable, key=lambda minutes: (usable[minutes], -minutes))


def _span(intervals: list[_Interval], tz: ZoneInfo, time_column: str, problems: ProblemLog) -> tuple[date, date]:
    earliest = min(intervals, key=lambda interval: interval.start)
    latest = max(intervals, key=lambda interval: interval.start)
    first, last = earliest.start.astimezone(tz).date(), latest.start.astimezone(tz).date()
    if (last - first).days > _MAX_SPAN_DAYS:
        problems.add(latest.line, time_column,
                     f"the rows run from {first} (line {earliest.line}) to {last} (line {latest.line}), "
                     f"{(last - first).days} days; at most {_MAX_SPAN_DAYS} days are read: is a year mistyped?")
    return first, last


def _real_hours(first: date, last: date, timezone: str) -> list[datetime]:
    """Every real hour of the local days `first`..`last`, with the calendar's DST handling."""
    months = [(year, month) for year in range(first.year, last.year + 1) for month in range(1, 13)
              if (first.year, first.month) <= (year, month) <= (last.year, last.month)]
    return [moment for year, month in months for moment in Month(year, month, timezone).hours
            if first <= moment.date() <= last]


def _history(intervals: list[_Interval], first: date, last: date, step: int, policy: GapPolicy, rules: Rules,
             source: str) -> History:
    hours = _real_hours(first, last, rules.centre.timezone)
    by_hour: dict[datetime, dict[int, _Interval]] = {}
    for interval in intervals:
        by_hour.setdefault(interval.hour_start, {})[interval.minute] = interval
    absent_status = HourStatus(policy)
    calls, aht, status, assumed, partly_closed = [], [], [], [], []
    for moment in hours:
        present = by_hour.get(moment.astimezone(UTC), {})
        states = [present[minute].status if minute in present else absent_status for minute in range(0, 60, step)]
        if HourStatus.MISSING in states:
            hour_status, hour_calls, hour_aht = HourStatus.MISSING, math.nan, math.nan
        elif all(state is HourStatus.CLOSED for state in states):
            hour_status, hour_calls, hour_aht = HourStatus.CLOSED, 0.0, math.nan
        else:
            hour_status = HourStatus.OPEN
            hour_calls, hour_aht = _sum_open([i for i in present.values() if i.status is HourStatus.OPEN])
        calls.append(hour_calls)
        aht.append(hour_aht)
        status.append(hour_status)
        assumed.append(len(present) < len(states))
        partly_closed.append(hour_status is HourStatus.OPEN and HourStatus.CLOSED in states)
    return History(rules.centre.timezone, tuple(hours), tuple(calls), tuple(aht), tuple(status), tuple(assumed),
                   tuple(partly_closed), step, policy, source)


def _sum_open(intervals: list[_Interval]) -> tuple[float, float]:
    """Calls summed; AHT weighted by calls over the intervals that give one (NaN when none does)."""
    total = sum(interval.calls for interval in intervals)
    timed = [interval for interval in intervals if not math.isnan(interval.aht_sec) and interval.calls > 0]
    timed_calls = sum(interval.calls for interval in timed)
    aht = sum(i.calls * i.aht_sec for i in timed) / timed_calls if timed_calls else math.nan
    return total, aht


def history_problem(history: History, message: str) -> InputError:
    """An InputError about the history as a whole (too short for what was asked, say)."""
    return InputError([Problem(history.source, None, None, message)])
