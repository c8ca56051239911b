"""The operators CSV: who can be rostered, on which contract, when, and where the taxi takes them home.

The daily window `earliest_start`-`latest_end` defaults to 00:00-24:00. An end before the start wraps
midnight (20:00-08:00); an end of 00:00 means midnight at the end of the day and is stored as 24:00 (1440),
so `latest_end < earliest_start` holds exactly for windows that wrap. A window equal at both ends is refused
as ambiguous, and so is one too short for a single shift of the operator's contract starting on the hour.

`max_consecutive_days` and `max_working_weekends`, when given, are the operator's own limits under the rules of
those names: whole numbers no looser than the centre's (constraints.yaml), since a personal agreement can only
ask for less than the centre allows. `shift_requests` are the operator's wishes for a shift type on a day
(`2026-12-05:evening`) or against one (`-2026-12-06:night`), separated like dates; the types are those of
`shift_types` in the rules.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

from planner.clock import DAY_MINUTES, hhmm, parse_hhmm
from planner.config import Rules, rate_key
from planner.csvfile import ProblemLog, Row, parse_date, parse_number, read_bytes, read_table
from planner.domain import WEEKDAYS, Operator, ShiftRequest, WeeklyHours

__all__ = ["parse_operators", "load_operators"]

_REQUIRED = ("id", "name", "rate")
_WEEKLY = re.compile(r"(?P<first>[a-z]+)(?:\s*-\s*(?P<last>[a-z]+))?\s+(?P<start>[0-9]{1,2}:[0-9]{2})\s*-\s*"
                     r"(?P<end>[0-9]{1,2}:[0-9]{2})")
_DATE_SEPARATORS = re.compile(r"[\s,;]+")  # spaces as the contract says; ',' or ';' where it is not the separator


def load_operators(path: str | Path, rules: Rules) -> tuple[Operator, ...]:
    return parse_operators(read_bytes(path, rules.input.max_file_mb), str(path), rules)


def parse_operators(data: bytes, source: str, rules: Rules) -> tuple[Operator, ...]:
    """Every operator of the file in file order; raise InputError listing every problem instead."""
    table = read_table(data, source)
    problems = ProblemLog(source)
    for column in table.missing(_REQUIRED):
        problems.add(1, column, f"missing column {column!r}")
    problems.raise_if_any()

    first_line_of_id: dict[str, int] = {}
    operators: list[Operator] = []
    for row in table.rows(problems):
        operator_id = problems.check(row, "id", _non_empty)
        if operator_id is not None and operator_id in first_line_of_id:
            first_line = first_line_of_id[operator_id]
            problems.add(row.line, "id", f"duplicate id {operator_id!r}, already on line {first_line}")
        elif operator_id is not None:
            first_line_of_id[operator_id] = row.line
        name = problems.check(row, "name", _non_empty)
        rate = problems.check(row, "rate", lambda text: _rate(text, rules))
        earliest_start = problems.check(row, "earliest_start", _start)
        latest_end = problems.check(row, "latest_end", _end)
        if rate is not None and earliest_start is not None and latest_end is not None:
            _check_window(row, earliest_start, latest_end, rules.shift_hours(rate), problems)
        max_consecutive_days = problems.check(row, "max_consecutive_days", lambda text: _own_limit(
            text, 1, 31, rules.rules.max_consecutive_days.max_days, "max_consecutive_days.max_days"))
        max_working_weekends = problems.check(row, "max_working_weekends", lambda text: _own_limit(
            text, 0, 6, rules.rules.max_working_weekends.max_weekends, "max_working_weekends.max_weekends"))
        unavailable = problems.check(row, "unavailable", _dates)
        days_off_wished = problems.check(row, "days_off_wished", _dates)
        shift_requests = problems.check(row, "shift_requests", lambda text: _shift_requests(text, rules))
        weekly_hours = problems.check(row, "weekly_hours", _weekly_hours)
        if rate is not None and weekly_hours:
            for hours in weekly_hours:
                _check_window(row, hours.earliest_start, hours.latest_end, rules.shift_hours(rate), problems,
                              "weekly_hours", WEEKDAYS[hours.weekday])
        lat = problems.check(row, "lat", lambda text: _coordinate(text, 90))
        lon = problems.check(row, "lon", lambda text: _coordinate(text, 180))
        if bool(row.get("lat")) != bool(row.get("lon")):
            given, missing = ("lat", "lon") if row.get("lat") else ("lon", "lat")
            problems.add(row.line, missing, f"is empty while {given!r} is given; give both coordinates or neither")
        if problems:
            continue  # the file is rejected: only the problems of the remaining rows matter now
        assert operator_id is not None and name is not None and rate is not None  # no problem means all parsed
        assert earliest_start is not None and latest_end is not None
        assert unavailable is not None and days_off_wished is not None and shift_requests is not None
        operators.append(
            Operator(
                id=operator_id,
                name=name,
                rate=rate,
                earliest_start=earliest_start,
                latest_end=latest_end,
                unavailable=unavailable,
                days_off_wished=days_off_wished,
                team=row.get("team"),
                address=row.get("address"),
                district=row.get("district"),
                lat=lat,
                lon=lon,
                phone=row.get("phone"),
                max_consecutive_days=max_consecutive_days,
                max_working_weekends=max_working_weekends,
                shift_requests=shift_requests,
                weekly_hours=weekly_hours or (),
            )
        )
    problems.raise_if_any()
    return tuple(operators)


def _non_empty(text: str) -> str:
    if not text:
        raise ValueError("is empty")
    return text


def _rate(text: str, rules: Rules) -> float:
    key = rate_key(parse_number(text))
    if key not in rules.contracts:
        raise ValueError(f"must be one of the contract rates {', '.join(rules.contracts)}, got {text!r}")
    return float(key)


def _start(text: str) -> int:
    if not text:
        return 0
    minutes = parse_hhmm(text)
    if minutes == DAY_MINUTES:
        raise ValueError("must be before 24:00 (a window starting at midnight starts at 00:00)")
    return minutes


def _end(text: str) -> int:
    """Minutes after midnight; 00:00 as an end is midnight at the end of the day, stored as 24:00."""
    if not text:
        return DAY_MINUTES
    return parse_hhmm(text) or DAY_MINUTES


def _check_window(row: Row, start: int, end: int, shift_hours: int, problems: ProblemLog,
                  field: str = "latest_end", weekday: str = "") -> None:
    """Shifts start on the hour, so the window must hold a whole shift from its first full hour on."""
    if start == end:
        problems.add(row.line, field, f"ends when it starts on {weekday} ({hhmm(start)})" if weekday else
                     f"equals earliest_start {hhmm(start)}; for round-the-clock availability leave both empty")
        return
    first_shift_start = -(-start // 60) * 60
    window_end = end if end > start else end + DAY_MINUTES
    if first_shift_start + shift_hours * 60 > window_end:
        between = f"{hhmm(start)} and {hhmm(end)} on {weekday}" if weekday else \
            f"earliest_start {hhmm(start)} and latest_end {hhmm(end)}"
        problems.add(row.line, field, f"no {shift_hours}-hour shift starting on the hour fits between {between}")


def _weekly_hours(text: str) -> tuple[WeeklyHours, ...]:
    """`mon-fri 17:00-24:00, sat 10:00-22:00` (also with `;`): hours by weekday, a range of days wrapping round
    the week allowed (`fri-mon`); each weekday at most once."""
    found: dict[int, WeeklyHours] = {}
    for part in filter(None, (piece.strip() for piece in re.split(r"[,;]", text))):
        match = _WEEKLY.fullmatch(part.lower())
        if not match:
            raise ValueError(f"{part!r} must be days and hours such as 'mon-fri 17:00-24:00'")
        first, last = match["first"], match["last"] or match["first"]
        unknown = [name for name in (first, last) if name not in WEEKDAYS]
        if unknown:
            raise ValueError(f"{unknown[0]!r} is not a day of the week ({', '.join(WEEKDAYS)})")
        start, end = _start(match["start"]), _end(match["end"])
        day, stop = WEEKDAYS.index(first), WEEKDAYS.index(last)
        while True:
            if day in found:
                raise ValueError(f"{WEEKDAYS[day]} is given twice")
            found[day] = WeeklyHours(day, start, end)
            if day == stop:
                break
            day = (day + 1) % 7
    return tuple(sorted(found.values()))


def _dates(text: str) -> frozenset[date]:
    """Dates separated by spaces (or ',' / ';'); every bad one is named in a single message."""
    parsed, bad = set(), []
    for word in filter(None, _DATE_SEPARATORS.split(text)):
        try:
            parsed.add(parse_date(word))
        except ValueError as exc:
            bad.append(str(exc))
    if bad:
        raise ValueError("; ".join(bad))
    return frozenset(parsed)


def _shift_requests(text: str, rules: Rules) -> frozenset[ShiftRequest]:
    """Wishes separated like dates; every bad one is named in a single message."""
    wishes, bad = set(), []
    for word in filter(None, _DATE_SEPARATORS.split(text)):
        try:
            wish = ShiftRequest.parse(word)
        except ValueError as exc:
            bad.append(str(exc))
            continue
        if wish.shift_type not in rules.shift_types:
            bad.append(f"{word!r} names no shift type of the rules ({', '.join(rules.shift_types)})")
        elif ShiftRequest(wish.day, wish.shift_type, not wish.work) in wishes:
            bad.append(f"asks both for and against a {wish.shift_type} shift on {wish.day.isoformat()}")
        else:
            wishes.add(wish)
    if bad:
        raise ValueError("; ".join(bad))
    return frozenset(wishes)


def _own_limit(text: str, lowest: int, highest: int, centre: int | None, rule: str) -> int | None:
    """An operator's own limit: empty for the centre's, else a whole number from `lowest` to the centre's limit
    (to `highest` when the centre has none)."""
    if not text:
        return None
    value = parse_number(text)
    if value != int(value):
        raise ValueError(f"must be a whole number, got {text}")
    if centre is not None and value > centre:
        raise ValueError(f"must not exceed the centre's limit of {centre} ({rule} in constraints.yaml); leave it "
                         f"empty for the centre's, got {text}")
    if not lowest <= value <= highest:
        raise ValueError(f"must be from {lowest} to {highest}, got {text}")
    return int(value)


def _coordinate(text: str, limit: int) -> float | None:
    if not text:
        return None
    value = parse_number(text)
    if not -limit <= value <= limit:
        raise ValueError(f"must be between -{limit} and {limit} degrees, got {text}")
    return value
