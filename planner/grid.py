"""The roster as the planner edits it: a grid of operators × days, each cell a shift code such as `09–17`,
`18–24` or `22–06`, blank for a day off.

The grid is only a view: `roster_grid` renders a roster into codes and `apply_grid` reads edited codes back into a
roster, keeping every untouched shift (breaks included) exactly as it was. A cell that cannot be read is reported
and keeps its previous value, so a typo never loses a shift. Whether the result keeps the rules is for
`planner.validate`; this module only reads and writes codes.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from planner.clock import in_daily_window
from planner.config import Rules
from planner.domain import Operator, Roster, Shift

__all__ = ["CellEdit", "CellProblem", "GridResult", "shift_code", "roster_grid", "parse_code", "apply_grid",
           "OperatorLoad", "operator_loads"]

DASH = "–"
_CODE = re.compile(r"^\s*(\d{1,2})(?::(\d{2}))?\s*[-–—]\s*(\d{1,2})(?::(\d{2}))?\s*$")


@dataclass(frozen=True)
class CellEdit:
    """One changed cell: who, which day, the code before and after (empty for a day off)."""

    operator_id: str
    day: date
    before: str
    after: str


@dataclass(frozen=True)
class CellProblem:
    operator_id: str
    day: date
    text: str
    message: str

    def __str__(self) -> str:
        return f"{self.operator_id}, {self.day}: {self.text!r} {self.message}"


@dataclass(frozen=True)
class GridResult:
    roster: Roster
    edits: tuple[CellEdit, ...]
    problems: tuple[CellProblem, ...]


def _clock(moment: datetime, day: date) -> str:
    """HH or HH:MM; midnight ending a shift of the day before is 24."""
    hour = 24 if moment.date() > day and moment.hour == 0 and moment.minute == 0 else moment.hour
    return f"{hour:02d}" if moment.minute == 0 else f"{hour:02d}:{moment.minute:02d}"


def shift_code(shift: Shift, tz: ZoneInfo) -> str:
    start, end = shift.start.astimezone(tz), shift.end.astimezone(tz)
    return f"{_clock(start, start.date())}{DASH}{_clock(end, start.date())}"


def roster_grid(roster: Roster, operators: Sequence[Operator]) -> dict[str, dict[date, str]]:
    """Every operator (in the given order) × every day of the month: the code of the shift starting that day, or
    an empty string. A second shift on one day (only a hand-made roster has one) is joined with `+`."""
    tz = roster.month.tz
    grid = {op.id: {day: "" for day in roster.month.days} for op in operators}
    for shift in sorted(roster.shifts, key=lambda s: s.start.astimezone(UTC)):
        row = grid.setdefault(shift.operator_id, {day: "" for day in roster.month.days})
        code = shift_code(shift, tz)
        row[shift.day] = f"{row[shift.day]}+{code}" if row.get(shift.day) else code
    return grid


def _instants(day: date, minutes: int, tz: ZoneInfo) -> list[datetime]:
    """The real instants at which the wall clock of `day` shows `minutes` after midnight (may pass 24:00): none
    where the clocks skip that time, two where they repeat it."""
    local = datetime(day.year, day.month, day.day, tzinfo=None) + timedelta(minutes=minutes)
    readings = [local.replace(tzinfo=tz, fold=fold) for fold in (0, 1)]
    real = [moment for moment in readings if moment.astimezone(UTC).astimezone(tz).replace(tzinfo=None) == local]
    return sorted(set(real), key=lambda moment: moment.astimezone(UTC))


def parse_code(text: str, day: date, tz: ZoneInfo, hours: float | None = None) -> tuple[datetime, datetime] | None:
    """`18–24` on `day` -> (start, end) as aware datetimes; empty text -> None (a day off). The end is on the next
    day when it is not after the start. Where the clocks repeat a time, the reading that gives the shift `hours`
    (the contract's length) is taken, else the earlier. Raises ValueError in plain words."""
    if not text.strip():
        return None
    match = _CODE.match(text)
    if not match:
        raise ValueError("is not a shift code such as 09–17, 18–24 or 22–06 (blank for a day off)")
    start_h, start_m, end_h, end_m = int(match[1]), int(match[2] or 0), int(match[3]), int(match[4] or 0)
    if start_h > 23 or end_h > 24 or start_m > 59 or end_m > 59 or (end_h == 24 and end_m):
        raise ValueError("has a time that is not on the clock (hours 0–24, minutes 0–59)")
    start_minutes, end_minutes = start_h * 60 + start_m, end_h * 60 + end_m
    if end_minutes <= start_minutes:
        end_minutes += 24 * 60
    starts, ends = _instants(day, start_minutes, tz), _instants(day, end_minutes, tz)
    if not starts or not ends:
        raise ValueError(f"names a time the clocks skip that night in {tz.key}")
    pairs = [(s, e) for s in starts for e in ends if e.astimezone(UTC) > s.astimezone(UTC)]
    if hours is not None:
        exact = [(s, e) for s, e in pairs if (e.astimezone(UTC) - s.astimezone(UTC)) == timedelta(hours=hours)]
        pairs = exact or pairs
    return pairs[0]


def apply_grid(grid: Mapping[str, Mapping[date, str]], roster: Roster, operators: Sequence[Operator],
               rules: Rules) -> GridResult:
    """The roster the edited grid describes. Unchanged cells keep their shift as it was (breaks included); a
    changed cell gets a new shift with no breaks yet; a cell that cannot be read keeps its old shift and is
    reported."""
    tz = roster.month.tz
    before = roster_grid(roster, operators)
    hours = {op.id: _contract_hours(op, rules) for op in operators}
    in_cell: dict[tuple[str, date], list[Shift]] = {}
    for shift in roster.shifts:
        in_cell.setdefault((shift.operator_id, shift.day), []).append(shift)
    shifts: list[Shift] = []
    edits: list[CellEdit] = []
    problems: list[CellProblem] = []
    for op_id, row in before.items():
        for day, old_code in row.items():
            new_code = str(grid.get(op_id, {}).get(day, old_code) or "").strip()
            if new_code == old_code:
                shifts += in_cell.get((op_id, day), [])
                continue
            try:
                times = parse_code(new_code, day, tz, hours.get(op_id))
            except ValueError as error:
                problems.append(CellProblem(op_id, day, new_code, str(error)))
                shifts += in_cell.get((op_id, day), [])
                continue
            edits.append(CellEdit(op_id, day, old_code, new_code))
            if times is not None:
                shifts.append(Shift(op_id, *times))
    ordered = tuple(sorted(shifts, key=lambda s: (s.start.astimezone(UTC), s.operator_id)))
    return GridResult(replace(roster, shifts=ordered), tuple(edits), tuple(problems))


def _contract_hours(op: Operator, rules: Rules) -> int | None:
    try:
        return rules.shift_hours(op.rate)
    except (KeyError, ValueError):
        return None


@dataclass(frozen=True)
class OperatorLoad:
    """What the planner watches per operator: hours against the norm, nights and weekend shifts, and how steady
    the start times are (distinct local start hours; moves beyond start_time_stability's tolerance from one working
    day to the next, on the 24-hour clock)."""

    operator_id: str
    name: str
    shifts: int
    hours: float
    norm_hours: float
    nights: int
    weekends: int
    start_hours: int = 0
    start_moves: int = 0
    consecutive_days: int = 0  # pairs of consecutive working days, what start_moves is out of

    @property
    def hours_off_norm(self) -> float:
        return self.hours - self.norm_hours


def operator_loads(roster: Roster, operators: Sequence[Operator], rules: Rules) -> list[OperatorLoad]:
    """Per operator, in the given order. Norm and night definitions are those of the rules (monthly_norm,
    fair_nights); weekend = Saturday, Sunday or a public holiday of the centre's country."""
    month, tz = roster.month, roster.month.tz
    norm_rule, night_rule = rules.rules.monthly_norm, rules.rules.fair_nights
    night_from, night_to = night_rule.window_minutes
    by_operator = roster.by_operator()
    loads = []
    for op in operators:
        shifts = [s for s in by_operator.get(op.id, []) if s.day in month.days]
        nights = sum(_night_hours(s, tz, night_from, night_to) >= night_rule.min_hours for s in shifts)
        starts = {s.day: s.start.astimezone(tz).hour for s in shifts}
        pairs = [(hour, starts[day + timedelta(days=1)]) for day, hour in starts.items()
                 if day + timedelta(days=1) in starts]
        tolerance = rules.rules.start_time_stability.tolerance_hours
        loads.append(OperatorLoad(
            operator_id=op.id,
            name=op.name,
            shifts=len(shifts),
            hours=sum(s.hours for s in shifts),
            norm_hours=op.norm_hours(month, norm_rule.hours_per_day),
            nights=nights,
            weekends=sum(month.is_weekend(s.day) for s in shifts),
            start_hours=len(set(starts.values())),
            start_moves=sum(_clock_hours_apart(before, after) > tolerance for before, after in pairs),
            consecutive_days=len(pairs),
        ))
    return loads


def _clock_hours_apart(before: int, after: int) -> int:
    apart = abs(after - before) % 24
    return min(apart, 24 - apart)


def _night_hours(shift: Shift, tz: ZoneInfo, night_from: int, night_to: int) -> float:
    """Real hours of the shift whose local clock lies in the night window (which may wrap midnight)."""
    moment, end, inside = shift.start.astimezone(UTC), shift.end.astimezone(UTC), 0
    while moment < end:
        local = moment.astimezone(tz)
        minute = local.hour * 60 + local.minute
        inside += in_daily_window(minute, night_from, night_to)
        moment += timedelta(minutes=30)
    return inside / 2
