"""A sick call at 7 a.m.: the absent operator's shift is taken out and the people who could take it, or a part of
it, keeping every hard rule, are ranked for the supervisor (issue 16, item 5).

A candidate is one more shift for an operator who does not work that day: a shift of their contract's length
that overlaps the removed one, starting on any hour of the day their window, the rules and last month allow. It
is checked by the independent validator on that operator's own shifts (every rule but the break rules looks at one
operator only; breaks are placed again for the day when a candidate is applied, and the roster is then checked
whole). Candidates are ranked by

1. the short hours they cover — hours of the removed shift where, without it, fewer operators are on the line
   than required;
2. how much of the removed shift they take (the same shift first);
3. whether the day is one they wished off (those last);
4. their hours against the month's norm (the furthest below it first: the cheapest hours to add);
5. how far their start is from the removed one.

Each operator appears once, with their best shift. Applying a candidate changes one other operator's month by
one shift; the sick day counts as unavailable for the absent operator, so their norm drops with it.
"""

from __future__ import annotations

import contextlib
import csv
import io
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta

from planner.breaks import BreaksInfeasible, place_breaks
from planner.clock import HOUR
from planner.config import Rules
from planner.coverage import coverage_rows, coverage_totals
from planner.csvfile import safe_csv_cell
from planner.domain import Operator, Roster, Shift, StaffingPlan
from planner.errors import PlannerError
from planner.grid import operator_loads, shift_code
from planner.roster import Locks, solve_roster
from planner.validate import Violation, validate_roster

__all__ = ["Candidate", "Change", "SickCall", "NoShiftThatDay", "sick_call", "apply_candidate", "changes",
           "proposed", "free_operators", "rest_of_month_locks", "resolve_rest_of_month", "changed_operators",
           "candidates_csv", "changes_csv", "CANDIDATE_COLUMNS", "CHANGE_COLUMNS"]

CANDIDATE_COLUMNS = ("rank", "operator_id", "name", "phone", "date", "shift", "short_hours_covered", "hours_taken",
                     "wished_off", "hours_before", "norm_hours")
CHANGE_COLUMNS = ("operator_id", "name", "phone", "date", "before", "after")


class NoShiftThatDay(PlannerError, ValueError):
    """The absent operator has no shift starting on the day of the sick call."""


@dataclass(frozen=True)
class Candidate:
    operator_id: str
    name: str
    shift: Shift
    short_hours_covered: int  # hours of the removed shift left short without it, that this shift covers
    hours_taken: float  # hours of the removed shift this shift overlaps
    wished_off: bool
    hours_before: float  # the operator's month before taking the shift
    norm_hours: float


@dataclass(frozen=True)
class SickCall:
    """The roster without the absent operator's shift, the operators with the day unavailable to them, and the
    candidates to take it, best first."""

    removed: Shift
    without: Roster
    operators: tuple[Operator, ...]
    candidates: tuple[Candidate, ...]
    shortfall_without: int  # agent-hours short over the month once the shift is dropped


@dataclass(frozen=True)
class Change:
    """What one operator must be told: their shift of `day` was `before` and is now `after` (shift codes; "" is
    no shift)."""

    operator_id: str
    name: str
    day: date
    before: str
    after: str


def sick_call(plan: StaffingPlan, roster: Roster, operators: Sequence[Operator], rules: Rules, absent: str,
              day: date, previous: Roster | None = None, *, until: date | None = None) -> SickCall:
    """Take `absent`'s shift of `day` out of `roster` and rank who could take it (module docstring). With
    `until`, the absent operator is off sick up to that day too: those days become unavailable to them and their
    shifts on them are taken out as well (for `resolve_rest_of_month` to cover)."""
    removed = next((s for s in roster.shifts if s.operator_id == absent and s.day == day), None)
    if removed is None:
        raise NoShiftThatDay(f"{absent} has no shift starting on {day} in the roster")
    sick_days = {d for d in roster.month.days if day <= d <= (until or day)}
    without = replace(roster, shifts=tuple(s for s in roster.shifts
                                           if not (s.operator_id == absent and s.day in sick_days)))
    sick = tuple(replace(op, unavailable=op.unavailable | sick_days) if op.id == absent else op for op in operators)
    short = _short_hours(plan, without)
    loads = {load.operator_id: load for load in operator_loads(without, sick, rules)}
    by_operator = without.by_operator()
    candidates = []
    for op in sick:
        if op.id == absent or day in op.unavailable or any(s.day == day for s in by_operator.get(op.id, [])):
            continue
        best = _best_shift(op, removed, short, by_operator.get(op.id, []), without, rules, previous)
        if best is not None:
            shift, covered, taken = best
            load = loads[op.id]
            candidates.append(Candidate(op.id, op.name, shift, covered, taken, day in op.days_off_wished,
                                        load.hours, load.norm_hours))
    candidates.sort(key=lambda c: (-c.short_hours_covered, -c.hours_taken, c.wished_off,
                                   c.hours_before - c.norm_hours, abs(c.shift.start - removed.start), c.operator_id))
    shortfall = coverage_totals(coverage_rows(plan, without, rules.breaks, previous)).under_coverage_agent_hours
    return SickCall(removed, without, sick, tuple(candidates), shortfall)


def apply_candidate(call: SickCall, candidate: Candidate | None, plan: StaffingPlan, rules: Rules,
                    previous: Roster | None = None) -> tuple[Roster, list[Violation]]:
    """The roster with `candidate`'s shift added (None: the shift only dropped) and, when the roster has breaks,
    the new shift's breaks placed around everyone else's, which stay where they are; and the hard-rule violations
    it has that the roster without the shift had not (empty when it may be published; a new shift whose breaks
    cannot be placed shows as one without breaks)."""
    roster = proposed(call, candidate)
    if candidate is not None:
        if any(s.breaks for s in call.without.shifts):
            with contextlib.suppress(BreaksInfeasible):
                roster = place_breaks(plan, roster, call.operators, rules, only_days=()).roster
    before = Counter(validate_roster(call.without, call.operators, rules, previous))
    after = Counter(validate_roster(roster, call.operators, rules, previous))
    return roster, sorted((after - before).elements(), key=str)


def free_operators(call: SickCall, rules: Rules, budget: int) -> list[str]:
    """Whose shifts a re-solve of the rest of the month may change, `budget` of them: the sick call's candidates
    first (they have the hours and the rules allow them the day), then those furthest below their norm."""
    loads = operator_loads(call.without, call.operators, rules)
    ranked = [c.operator_id for c in call.candidates]
    below = [load.operator_id for load in sorted(loads, key=lambda load: load.hours - load.norm_hours)]
    absent = call.removed.operator_id
    return [op_id for op_id in dict.fromkeys([*ranked, *below]) if op_id != absent][:budget]


def rest_of_month_locks(roster: Roster, operators: Sequence[Operator], today: date, free: Sequence[str]) -> Locks:
    """Locks that keep `roster` as it is on every day up to `today` and, after it, for every operator but those
    in `free`: a re-solve with them changes at most `len(free)` operators' shifts, and none of the past."""
    starts = {(shift.operator_id, shift.day): shift.start for shift in roster.shifts}
    kept = set(free)
    return {(op.id, day): starts.get((op.id, day)) for op in operators for day in roster.month.days
            if day <= today or op.id not in kept}


def resolve_rest_of_month(plan: StaffingPlan, roster: Roster, operators: Sequence[Operator], rules: Rules, *,
                          today: date, free: Sequence[str], time_limit: float, workers: int | None = None,
                          previous: Roster | None = None) -> Roster:
    """The month solved again from the day after `today`, only the `free` operators' shifts open to change
    (a change budget of `len(free)` operators). A shift that stays as it was keeps its breaks; a new one gets
    breaks placed around them, when the roster has breaks."""
    locks = rest_of_month_locks(roster, operators, today, free)
    solved = solve_roster(plan, tuple(operators), rules, time_limit=time_limit, workers=workers, locks=locks,
                          previous=previous).roster
    kept_breaks = {_when(shift): shift.breaks for shift in roster.shifts}
    restored = replace(solved, shifts=tuple(replace(shift, breaks=kept_breaks.get(_when(shift), ()))
                                            for shift in solved.shifts))
    if not any(shift.breaks for shift in roster.shifts):
        return restored
    with contextlib.suppress(BreaksInfeasible):  # the new shifts then show as shifts without breaks
        return place_breaks(plan, restored, operators, rules, workers=workers, only_days=()).roster
    return restored


def _when(shift: Shift) -> tuple[str, datetime, datetime]:
    return shift.operator_id, shift.start.astimezone(UTC), shift.end.astimezone(UTC)


def changed_operators(before: Roster, after: Roster) -> list[str]:
    """The operators whose shifts differ between the two rosters, in id order."""
    def shifts_of(roster: Roster) -> dict[str, set[tuple[datetime, datetime]]]:
        by: dict[str, set[tuple[datetime, datetime]]] = {}
        for shift in roster.shifts:
            by.setdefault(shift.operator_id, set()).add((shift.start.astimezone(UTC), shift.end.astimezone(UTC)))
        return by

    old, new = shifts_of(before), shifts_of(after)
    return sorted(op_id for op_id in old.keys() | new.keys() if old.get(op_id) != new.get(op_id))


def proposed(call: SickCall, candidate: Candidate | None) -> Roster:
    """The roster once `candidate` takes the shift (None: once it is only dropped), before its breaks."""
    return call.without if candidate is None else replace(call.without, shifts=(*call.without.shifts,
                                                                                candidate.shift))


def changes(before: Roster, after: Roster, names: dict[str, str]) -> list[Change]:
    """Who must be told what: every operator and day whose shift differs, by operator and day."""
    tz = before.month.tz

    def codes(roster: Roster) -> dict[tuple[str, date], str]:
        return {(shift.operator_id, shift.day): shift_code(shift, tz) for shift in roster.shifts}

    old, new = codes(before), codes(after)
    return [Change(op_id, names.get(op_id, ""), day, old.get((op_id, day), ""), new.get((op_id, day), ""))
            for op_id, day in sorted(old.keys() | new.keys()) if old.get((op_id, day)) != new.get((op_id, day))]


def candidates_csv(call: SickCall, operators: Sequence[Operator]) -> str:
    """The ranked candidates with the phone to call them on, for the supervisor (CANDIDATE_COLUMNS)."""
    phones = {op.id: op.phone for op in operators}
    tz = call.without.month.tz
    rows = [(rank, c.operator_id, c.name, phones.get(c.operator_id, ""), c.shift.day.isoformat(),
             shift_code(c.shift, tz), c.short_hours_covered, _number(c.hours_taken), "yes" if c.wished_off else "",
             _number(c.hours_before), _number(c.norm_hours)) for rank, c in enumerate(call.candidates, start=1)]
    return _csv(CANDIDATE_COLUMNS, rows)


def changes_csv(told: Sequence[Change], operators: Sequence[Operator]) -> str:
    """Who must be told what (CHANGE_COLUMNS), with their phones."""
    phones = {op.id: op.phone for op in operators}
    return _csv(CHANGE_COLUMNS, [(change.operator_id, change.name, phones.get(change.operator_id, ""),
                                  change.day.isoformat(), change.before, change.after) for change in told])


def _csv(columns: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    writer.writerows([[safe_csv_cell(value) if isinstance(value, str) else value for value in row] for row in rows])
    return out.getvalue()


def _number(value: float) -> str:
    return f"{value:g}"


def _short_hours(plan: StaffingPlan, roster: Roster) -> set[datetime]:
    """The UTC starts of the month's hours with fewer operators on shift than required."""
    month = plan.month
    on_shift = [0] * len(month.hours)
    for shift in roster.shifts:
        for moment in _hours_of(shift):
            index = month.hour_index(moment)
            if index is not None:
                on_shift[index] += 1
    return {moment.astimezone(UTC) for moment, scheduled, required in zip(month.hours, on_shift, plan.required)
            if scheduled < required}


def _hours_of(shift: Shift) -> list[datetime]:
    start, end = shift.start.astimezone(UTC), shift.end.astimezone(UTC)
    return [start + k * HOUR for k in range(int((end - start) / HOUR))]


def _best_shift(op: Operator, removed: Shift, short: set[datetime], own: list[Shift], roster: Roster, rules: Rules,
                previous: Roster | None) -> tuple[Shift, int, float] | None:
    """The operator's best shift overlapping `removed` that keeps their hard rules, with the short hours it covers
    and the hours of `removed` it takes; None when no such shift exists."""
    length = timedelta(hours=rules.shift_hours(op.rate))
    removed_hours = set(_hours_of(removed))
    month, tz = roster.month, roster.month.tz
    own_previous = None if previous is None else replace(
        previous, shifts=tuple(s for s in previous.shifts if s.operator_id == op.id))
    baseline = Counter(_own_violations(own, op, roster, rules, own_previous))
    options = []
    for moment in month.hours:
        start = moment.astimezone(UTC)
        if moment.date() != removed.day or not (start < removed.end.astimezone(UTC)
                                                and removed.start.astimezone(UTC) < start + length):
            continue
        shift = Shift(op.id, start.astimezone(tz), (start + length).astimezone(tz))
        hours = set(_hours_of(shift))
        options.append((shift, len(hours & removed_hours & short), len(hours & removed_hours)))
    options.sort(key=lambda option: (-option[1], -option[2], abs(option[0].start - removed.start)))
    for shift, covered, taken in options:
        checked = Counter(_own_violations([*own, shift], op, roster, rules, own_previous))
        if not checked - baseline:
            return shift, covered, float(taken)
    return None


def _own_violations(shifts: list[Shift], op: Operator, roster: Roster, rules: Rules,
                    previous: Roster | None) -> list[Violation]:
    """The operator's hard-rule violations with these shifts, the break rules left out: a new shift's breaks are
    placed when it is applied, and the roster is then checked whole."""
    alone = replace(roster, shifts=tuple(replace(shift, breaks=()) for shift in shifts))
    return validate_roster(alone, [op], rules, previous)
