"""The Curtois & Qu employee shift-scheduling instances (schedulingbenchmarks.org, nurse rostering 1..24): a reader
and an independent checker of any roster against them.

The checker shares no code with `planner.roster` and imports no solver, so a roster our model produces can be
scored by something that did not produce it. The hard rules follow the benchmark site's own wording where it could
be found (quoted in `evaluate`); the objective is the one the published bounds are stated in.

The format: `#` starts a comment, blank lines are ignored, every section opens with a `SECTION_…` line, fields are
separated by `,` and lists inside a field by `|`. Day 0 is a Monday.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path, PurePath
from types import MappingProxyType

from planner.errors import InputError, Problem

__all__ = [
    "ShiftType", "Employee", "Request", "Cover", "Instance", "Violation", "Evaluation", "HARD_RULES",
    "parse_instance", "parse_instance_file", "evaluate",
]

HORIZON, SHIFTS, STAFF, DAYS_OFF = "SECTION_HORIZON", "SECTION_SHIFTS", "SECTION_STAFF", "SECTION_DAYS_OFF"
SHIFT_ON, SHIFT_OFF, COVER = "SECTION_SHIFT_ON_REQUESTS", "SECTION_SHIFT_OFF_REQUESTS", "SECTION_COVER"
# The field names of the format's own description, which is what a rejection names.
FIELDS: Mapping[str, tuple[str, ...]] = MappingProxyType({
    HORIZON: ("Horizon",),
    SHIFTS: ("ShiftID", "LengthInMinutes", "ForbiddenNext"),
    STAFF: ("ID", "MaxShifts", "MaxTotalMinutes", "MinTotalMinutes", "MaxConsecutiveShifts",
            "MinConsecutiveShifts", "MinConsecutiveDaysOff", "MaxWeekends"),
    DAYS_OFF: ("EmployeeID", "day"),  # then as many more days as the employee has
    SHIFT_ON: ("EmployeeID", "Day", "ShiftID", "Weight"),
    SHIFT_OFF: ("EmployeeID", "Day", "ShiftID", "Weight"),
    COVER: ("Day", "ShiftID", "Requirement", "WeightUnder", "WeightOver"),
})
REQUIRED_SECTIONS = (HORIZON, SHIFTS, STAFF, COVER)
DAYS_PER_WEEK = 7
SATURDAY, SUNDAY = 5, 6

HARD_RULES = (
    "unknown_employee", "unknown_shift", "day_outside_horizon", "forbidden_next", "max_shifts",
    "max_total_minutes", "min_total_minutes", "max_consecutive_shifts", "min_consecutive_shifts",
    "min_consecutive_days_off", "max_weekends", "days_off",
)


@dataclass(frozen=True)
class ShiftType:
    id: str
    minutes: int
    forbidden_next: frozenset[str]  # shift types that may not be worked the day after this one


@dataclass(frozen=True)
class Employee:
    id: str
    max_shifts: Mapping[str, int]  # per shift type over the horizon; a type not listed is not limited
    max_total_minutes: int
    min_total_minutes: int
    max_consecutive_shifts: int
    min_consecutive_shifts: int
    min_consecutive_days_off: int
    max_weekends: int


@dataclass(frozen=True)
class Request:
    """A wish for (shift-on) or against (shift-off) `shift` on `day`; `weight` is paid when it is not honoured."""

    employee: str
    day: int
    shift: str
    weight: int


@dataclass(frozen=True)
class Cover:
    day: int
    shift: str
    requirement: int
    weight_under: int  # per employee missing
    weight_over: int  # per employee too many


@dataclass(frozen=True)
class Instance:
    name: str
    horizon: int
    shifts: tuple[ShiftType, ...]
    employees: tuple[Employee, ...]
    days_off: Mapping[str, frozenset[int]]  # every employee, with the days they must not work
    shift_on_requests: tuple[Request, ...]
    shift_off_requests: tuple[Request, ...]
    cover: tuple[Cover, ...]


@dataclass(frozen=True)
class _Line:
    number: int  # 1-based, as an editor shows it
    fields: tuple[str, ...]


_INTEGER = re.compile(r"[+-]?[0-9]+")
_LINE_BREAK = re.compile(r"\r\n|\r|\n")


class _Reader:
    """Reads one file, collecting every problem instead of stopping at the first."""

    def __init__(self, source: str):
        self.source = source
        self.problems: list[Problem] = []
        self.horizon: int | None = None
        self.shift_ids: dict[str, int] = {}  # id -> line defining it
        self.employee_ids: dict[str, int] = {}

    def problem(self, line: int | None, field: str | None, message: str) -> None:
        self.problems.append(Problem(self.source, line, field, message))

    # ---- text and sections

    def decode(self, data: bytes | str) -> str | None:
        if isinstance(data, str):
            return data.removeprefix("\ufeff")
        try:
            return data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            line = data[: exc.start].count(b"\n") + 1
            self.problem(line, None, f"not UTF-8 text: byte 0x{data[exc.start]:02x} cannot be read")
            return None

    def sections(self, text: str) -> dict[str, tuple[int, list[_Line]]]:
        """Each section's header line and data lines; an unknown or repeated section is reported and its lines
        skipped, so they are not reported once more as lines of the wrong shape."""
        found: dict[str, tuple[int, list[_Line]]] = {}
        current: list[_Line] | None = None
        skipping = False
        for number, raw in enumerate(_LINE_BREAK.split(text), start=1):
            line = raw.strip()
            if not line or line.startswith("#"):
                continue
            if line.startswith("SECTION_"):
                current, skipping = None, True
                if line not in FIELDS:
                    self.problem(number, None, f"unknown section {line!r}; the sections are {', '.join(FIELDS)}")
                elif line in found:
                    self.problem(number, None, f"{line} appears twice (first at line {found[line][0]})")
                else:
                    current, skipping = [], False
                    found[line] = (number, current)
            elif current is not None:
                current.append(_Line(number, tuple(field.strip() for field in line.split(","))))
            elif not skipping:
                self.problem(number, None, "data before the first SECTION_ line")
        for section in REQUIRED_SECTIONS:
            if section not in found:
                self.problem(None, None, f"section {section} is missing")
        return found

    # ---- fields

    def has_fields(self, line: _Line, names: tuple[str, ...]) -> bool:
        found = len(line.fields)
        if found < len(names):
            missing = names[found:]
            self.problem(line.number, missing[0], f"{', '.join(missing)} missing: expected {len(names)} fields "
                                                  f"({', '.join(names)}), found {found}")
        elif found > len(names):
            self.problem(line.number, None, f"{found} fields, expected {len(names)} ({', '.join(names)})")
        return found == len(names)

    def count(self, text: str, line: int, field: str) -> int | None:
        """A whole number of at least 0, or None once reported."""
        if not _INTEGER.fullmatch(text):
            self.problem(line, field, f"{text!r} is not a whole number" if text else "is empty")
            return None
        value = int(text)
        if value < 0:
            self.problem(line, field, f"must not be negative, got {value}")
            return None
        return value

    def day(self, text: str, line: int, field: str) -> int | None:
        value = self.count(text, line, field)
        if value is not None and self.horizon is not None and value >= self.horizon:
            self.problem(line, field, f"day {value} is outside the horizon (days 0..{self.horizon - 1})")
            return None
        return value

    def known(self, identifier: str, defined: Mapping[str, int], kind: str, line: int, field: str) -> str | None:
        if identifier in defined:
            return identifier
        if not identifier:
            self.problem(line, field, "is empty")
        else:
            self.problem(line, field, f"unknown {kind} {identifier!r}; the {kind}s are {', '.join(defined)}")
        return None

    def shift(self, identifier: str, line: int, field: str) -> str | None:
        return self.known(identifier, self.shift_ids, "shift", line, field)

    def employee(self, identifier: str, line: int, field: str) -> str | None:
        return self.known(identifier, self.employee_ids, "employee", line, field)

    def identifiers(self, lines: list[_Line], section: str, defined: dict[str, int], kind: str) -> list[_Line]:
        """Records each line's ID (the first field) in `defined`; returns the lines of the right shape with a new
        ID, so a duplicate is reported once and later references to the ID still resolve."""
        kept = []
        for line in lines:
            if not self.has_fields(line, FIELDS[section]):
                continue
            identifier, field = line.fields[0], FIELDS[section][0]
            if not identifier:
                self.problem(line.number, field, "is empty")
            elif identifier in defined:
                self.problem(line.number, field, f"{kind} {identifier!r} is defined twice "
                                                 f"(first at line {defined[identifier]})")
            else:
                defined[identifier] = line.number
                kept.append(line)
        return kept

    # ---- sections

    def read_horizon(self, header: int, lines: list[_Line]) -> None:
        if not lines:
            self.problem(header, "Horizon", f"{HORIZON} holds no value")
            return
        first, *extra = lines
        for line in extra:
            self.problem(line.number, None, f"{HORIZON} holds a single value; this line is one too many")
        if not self.has_fields(first, FIELDS[HORIZON]):
            return
        value = self.count(first.fields[0], first.number, "Horizon")
        if value is not None and (value == 0 or value % DAYS_PER_WEEK):
            self.problem(first.number, "Horizon", f"must be a positive multiple of {DAYS_PER_WEEK} "
                                                  f"(whole weeks from a Monday), got {value}")
        elif value is not None:
            self.horizon = value

    def read_shifts(self, lines: list[_Line]) -> list[ShiftType]:
        kept = self.identifiers(lines, SHIFTS, self.shift_ids, "shift")
        shifts = []
        for line in kept:  # after all IDs are known, since ForbiddenNext may name a later shift
            identifier, minutes_text, forbidden_text = line.fields
            minutes = self.count(minutes_text, line.number, "LengthInMinutes")
            forbidden = self.shift_list(forbidden_text, line.number)
            if minutes is not None and forbidden is not None:
                shifts.append(ShiftType(identifier, minutes, forbidden))
        return shifts

    def shift_list(self, text: str, line: int) -> frozenset[str] | None:
        items = [item.strip() for item in text.split("|")] if text else []
        known = [self.shift(item, line, "ForbiddenNext") for item in items]
        return None if None in known else frozenset(known)

    def read_staff(self, lines: list[_Line]) -> list[Employee]:
        kept = self.identifiers(lines, STAFF, self.employee_ids, "employee")
        employees = []
        for line in kept:
            identifier, max_shifts_text, *number_texts = line.fields
            max_shifts = self.max_shifts(max_shifts_text, line.number)
            numbers = [self.count(text, line.number, name) for text, name in zip(number_texts, FIELDS[STAFF][2:])]
            if max_shifts is None or None in numbers:
                continue
            employee = Employee(identifier, max_shifts, *numbers)
            self.check_min_below_max(employee, line.number)
            employees.append(employee)
        return employees

    def max_shifts(self, text: str, line: int) -> Mapping[str, int] | None:
        limits: dict[str, int] = {}
        valid = True
        for item in text.split("|") if text else []:
            shift_text, equals, limit_text = (part.strip() for part in item.partition("="))
            if not equals:
                self.problem(line, "MaxShifts", f"{item!r} is not ShiftID=max")
                valid = False
                continue
            shift = self.shift(shift_text, line, "MaxShifts")
            limit = self.count(limit_text, line, "MaxShifts")
            if shift in limits:
                self.problem(line, "MaxShifts", f"shift {shift!r} is limited twice")
            if shift is None or limit is None or shift in limits:
                valid = False
            else:
                limits[shift] = limit
        return MappingProxyType(limits) if valid else None

    def check_min_below_max(self, employee: Employee, line: int) -> None:
        pairs = (
            ("MinTotalMinutes", employee.min_total_minutes, "MaxTotalMinutes", employee.max_total_minutes),
            ("MinConsecutiveShifts", employee.min_consecutive_shifts,
             "MaxConsecutiveShifts", employee.max_consecutive_shifts),
        )
        for min_name, minimum, max_name, maximum in pairs:
            if minimum > maximum:
                self.problem(line, min_name, f"{min_name} {minimum} is above {max_name} {maximum}")

    def read_days_off(self, lines: list[_Line]) -> dict[str, set[int]]:
        days_off: dict[str, set[int]] = {identifier: set() for identifier in self.employee_ids}
        for line in lines:
            identifier, *day_texts = line.fields
            employee = self.employee(identifier, line.number, "EmployeeID")
            days = [self.day(text, line.number, "day") for text in day_texts]
            if employee is not None:
                days_off[employee].update(day for day in days if day is not None)
        return days_off

    def read_requests(self, section: str, lines: list[_Line]) -> list[Request]:
        requests = []
        for line in lines:
            if not self.has_fields(line, FIELDS[section]):
                continue
            employee_text, day_text, shift_text, weight_text = line.fields
            values = (
                self.employee(employee_text, line.number, "EmployeeID"),
                self.day(day_text, line.number, "Day"),
                self.shift(shift_text, line.number, "ShiftID"),
                self.count(weight_text, line.number, "Weight"),
            )
            if None not in values:
                requests.append(Request(*values))
        return requests

    def read_cover(self, lines: list[_Line]) -> list[Cover]:
        rows = []
        first_line: dict[tuple[int, str], int] = {}
        for line in lines:
            if not self.has_fields(line, FIELDS[COVER]):
                continue
            day_text, shift_text, *number_texts = line.fields
            day = self.day(day_text, line.number, "Day")
            shift = self.shift(shift_text, line.number, "ShiftID")
            numbers = [self.count(text, line.number, name) for text, name in zip(number_texts, FIELDS[COVER][2:])]
            if day is None or shift is None or None in numbers:
                continue
            if (day, shift) in first_line:
                self.problem(line.number, "Day", f"day {day}, shift {shift!r} is covered twice "
                                                 f"(first at line {first_line[day, shift]})")
                continue
            first_line[day, shift] = line.number
            rows.append(Cover(day, shift, *numbers))
        return rows


def parse_instance(data: bytes | str, source: str) -> Instance:
    """The instance in `data` (UTF-8, BOM or not, any line ending); `source` names it in problems, and its stem
    (`Instance1` for `…/Instance1.txt`) is the instance's name. All or nothing: every problem found is raised at
    once as an `InputError`."""
    reader = _Reader(source)
    text = reader.decode(data)
    if text is None:
        raise InputError(reader.problems)
    sections = reader.sections(text)

    def lines_of(section: str) -> list[_Line]:
        return sections[section][1] if section in sections else []

    if HORIZON in sections:
        reader.read_horizon(*sections[HORIZON])
    shifts = reader.read_shifts(lines_of(SHIFTS))
    employees = reader.read_staff(lines_of(STAFF))
    for section, kind in ((SHIFTS, "shift types"), (STAFF, "employees")):
        if section in sections and not lines_of(section):
            reader.problem(sections[section][0], None, f"{section} lists no {kind}")
    days_off = reader.read_days_off(lines_of(DAYS_OFF))
    shift_on = reader.read_requests(SHIFT_ON, lines_of(SHIFT_ON))
    shift_off = reader.read_requests(SHIFT_OFF, lines_of(SHIFT_OFF))
    cover = reader.read_cover(lines_of(COVER))
    if reader.problems:
        raise InputError(sorted(reader.problems, key=lambda problem: problem.line or 0))
    assert reader.horizon is not None, "a missing or bad horizon is a problem above"
    return Instance(
        name=PurePath(source).stem,
        horizon=reader.horizon,
        shifts=tuple(shifts),
        employees=tuple(employees),
        days_off=MappingProxyType({employee: frozenset(days) for employee, days in days_off.items()}),
        shift_on_requests=tuple(shift_on),
        shift_off_requests=tuple(shift_off),
        cover=tuple(cover),
    )


def parse_instance_file(path: str | Path) -> Instance:
    """`parse_instance` of the file at `path`; a file that cannot be read is an `InputError` too."""
    try:
        data = Path(path).read_bytes()
    except FileNotFoundError:
        raise InputError([Problem(str(path), None, None, "no such file")]) from None
    except IsADirectoryError:
        raise InputError([Problem(str(path), None, None, "is a folder, not a file")]) from None
    except OSError as exc:
        raise InputError([Problem(str(path), None, None, f"cannot be read: {exc.strerror or exc}")]) from None
    return parse_instance(data, str(path))


# ---------------------------------------------------------------- the checker


@dataclass(frozen=True)
class Violation:
    """One hard rule broken: `rule` is one of HARD_RULES; `days` are the days that break it."""

    rule: str
    employee: str
    days: tuple[int, ...]
    detail: str


@dataclass(frozen=True)
class Evaluation:
    """The penalty of a roster, in parts, and the hard rules it breaks (penalties count valid entries only)."""

    objective: int
    shift_on_penalty: int  # weights of shift-on requests not granted
    shift_off_penalty: int  # weights of shift-off requests not granted (the shift was assigned)
    under_cover_penalty: int
    over_cover_penalty: int
    violations: tuple[Violation, ...]

    @property
    def feasible(self) -> bool:
        return not self.violations


def evaluate(instance: Instance, roster: Mapping[tuple[str, int], str]) -> Evaluation:
    """Scores `roster`, which maps (employee ID, day) to the shift worked that day; a day not in it is a day off.

    An entry naming an unknown employee or shift, or a day outside the horizon, is a violation and is otherwise
    ignored. Where the rules meet the edges of the horizon, the benchmark site says:
    - shift rotation (ForbiddenNext) and MaxConsecutiveShifts "always assume that the last day of the previous
      planning period was a day off and the first day of the next planning period is a day off": a run of shifts
      cut by an edge counts with the days it has inside the horizon;
    - MinConsecutiveShifts "always assumes that there are an infinite number of consecutive shifts assigned at the
      end of the previous planning period and at the start of the next planning period", and MinConsecutiveDaysOff
      the same of days off: a run of shifts, or of days off, that touches an edge is never too short.
    (That wording is quoted in several independent models of these instances; the summary in the data set's
    SOURCE.md says days off are assumed outside the horizon for the minimum of consecutive shifts as well, which
    would reject rosters the published solutions rely on.)
    """
    shifts = {shift.id: shift for shift in instance.shifts}
    worked: dict[str, dict[int, str]] = {employee.id: {} for employee in instance.employees}
    violations = [
        violation
        for (employee, day), shift in sorted(roster.items(), key=lambda item: (str(item[0]), str(item[1])))
        for violation in _entry_violations(instance, shifts, worked, employee, day, shift)
    ]
    for employee in instance.employees:
        violations += _employee_violations(instance, shifts, employee, worked[employee.id])

    def assigned(employee: str, day: int) -> str | None:
        return worked.get(employee, {}).get(day)

    shift_on = sum(r.weight for r in instance.shift_on_requests if assigned(r.employee, r.day) != r.shift)
    shift_off = sum(r.weight for r in instance.shift_off_requests if assigned(r.employee, r.day) == r.shift)
    on_duty = Counter((day, shift) for days in worked.values() for day, shift in days.items())
    under = sum(c.weight_under * max(0, c.requirement - on_duty[c.day, c.shift]) for c in instance.cover)
    over = sum(c.weight_over * max(0, on_duty[c.day, c.shift] - c.requirement) for c in instance.cover)
    return Evaluation(shift_on + shift_off + under + over, shift_on, shift_off, under, over, tuple(violations))


def _entry_violations(instance: Instance, shifts: Mapping[str, ShiftType], worked: dict[str, dict[int, str]],
                      employee: str, day: int, shift: str) -> list[Violation]:
    """What is wrong with one roster entry; a valid one is recorded in `worked`."""
    found = []
    if employee not in worked:
        found.append(Violation("unknown_employee", str(employee), (), f"no employee {employee!r} in the instance"))
    if shift not in shifts:
        found.append(Violation("unknown_shift", str(employee), (), f"no shift {shift!r} in the instance"))
    if not (isinstance(day, int) and not isinstance(day, bool) and 0 <= day < instance.horizon):
        found.append(Violation("day_outside_horizon", str(employee), (),
                               f"day {day!r} is not one of the horizon's days 0..{instance.horizon - 1}"))
    if not found:
        worked[employee][day] = shift
    return found


def _employee_violations(instance: Instance, shifts: Mapping[str, ShiftType], employee: Employee,
                         days: Mapping[int, str]) -> list[Violation]:
    found: list[Violation] = []

    def broken(rule: str, broken_days: Iterable[int], detail: str) -> None:
        found.append(Violation(rule, employee.id, tuple(sorted(broken_days)), detail))

    for day, shift in sorted(days.items()):
        following = days.get(day + 1)
        if following in shifts[shift].forbidden_next:
            broken("forbidden_next", (day, day + 1), f"{following} may not follow {shift}")

    for shift, limit in employee.max_shifts.items():
        on_shift = [day for day, worked_shift in days.items() if worked_shift == shift]
        if len(on_shift) > limit:
            broken("max_shifts", on_shift, f"{len(on_shift)} {shift} shifts, at most {limit}")

    minutes = sum(shifts[shift].minutes for shift in days.values())
    if minutes > employee.max_total_minutes:
        broken("max_total_minutes", days, f"{minutes} minutes, at most {employee.max_total_minutes}")
    if minutes < employee.min_total_minutes:
        broken("min_total_minutes", days, f"{minutes} minutes, at least {employee.min_total_minutes}")

    last_day = instance.horizon - 1
    for run in _runs(days.keys(), instance.horizon, working=True):
        if len(run) > employee.max_consecutive_shifts:
            broken("max_consecutive_shifts", run,
                   f"{len(run)} shifts in a row, at most {employee.max_consecutive_shifts}")
        if len(run) < employee.min_consecutive_shifts and run[0] != 0 and run[-1] != last_day:
            broken("min_consecutive_shifts", run,
                   f"{len(run)} shifts in a row, at least {employee.min_consecutive_shifts}")
    for run in _runs(days.keys(), instance.horizon, working=False):
        if len(run) < employee.min_consecutive_days_off and run[0] != 0 and run[-1] != last_day:
            broken("min_consecutive_days_off", run,
                   f"{len(run)} days off in a row, at least {employee.min_consecutive_days_off}")

    weekend_days = [
        day for week in range(instance.horizon // DAYS_PER_WEEK)
        for day in (week * DAYS_PER_WEEK + SATURDAY, week * DAYS_PER_WEEK + SUNDAY) if day in days
    ]
    weekends = len({day // DAYS_PER_WEEK for day in weekend_days})
    if weekends > employee.max_weekends:
        broken("max_weekends", weekend_days, f"{weekends} weekends worked, at most {employee.max_weekends}")

    for day in sorted(instance.days_off.get(employee.id, frozenset()) & days.keys()):
        broken("days_off", (day,), f"works {days[day]} on a day off")
    return found


def _runs(worked_days: Iterable[int], horizon: int, working: bool) -> list[range]:
    """The maximal runs of days inside the horizon that are worked (`working`) or off (not `working`)."""
    worked = set(worked_days)
    runs = []
    start = None
    for day in range(horizon + 1):
        inside = day < horizon and (day in worked) == working
        if inside and start is None:
            start = day
        elif not inside and start is not None:
            runs.append(range(start, day))
            start = None
    return runs
