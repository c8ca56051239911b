"""Shift swaps between operators (issue 16, item 4): what a swap does to a roster, and whether it keeps the rules.

An operator asks to swap their shift of one day with a colleague's shift of another day (each then works the
other's times), or to give their shift away (the colleague works it, they are off). The colleague accepts, a
planner or supervisor approves. At each step the swap is checked on the published roster as it is then, with the
independent validator, last month's shifts included: a swap that would break a hard rule the roster did not break
before is refused with those rules, and never reaches the approver.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date
from typing import Literal

from planner.config import Rules
from planner.domain import Operator, Roster, Shift
from planner.errors import PlannerError
from planner.grid import CellEdit, shift_code
from planner.validate import Violation, validate_roster

__all__ = ["Swap", "SwapKind", "SWAP_KINDS", "SwapNotPossible", "swapped", "swap_edits", "swap_violations"]

SwapKind = Literal["swap", "give"]
SWAP_KINDS: tuple[SwapKind, ...] = ("swap", "give")


class SwapNotPossible(PlannerError, ValueError):
    """The swap names a shift the roster does not have (or the colleague already works the day given to them)."""


@dataclass(frozen=True)
class Swap:
    """`from_operator` gives their shift of `from_day`; for a "swap" they take `to_operator`'s shift of `to_day`
    in return, for a "give" nothing (`to_day` is None)."""

    kind: SwapKind
    from_operator: str
    from_day: date
    to_operator: str
    to_day: date | None = None


def swapped(roster: Roster, swap: Swap) -> Roster:
    """The roster after the swap: each shift changes hands with its times and breaks. SwapNotPossible when a shift
    it names is not in the roster, or when the colleague would get two shifts starting on one day."""
    if swap.from_operator == swap.to_operator:
        raise SwapNotPossible("a swap needs two different operators")
    given = _shift_of(roster, swap.from_operator, swap.from_day)
    taken = None
    if swap.kind == "swap":
        if swap.to_day is None:
            raise SwapNotPossible("a swap needs the day of the colleague's shift")
        taken = _shift_of(roster, swap.to_operator, swap.to_day)
    elif swap.to_day is not None:
        raise SwapNotPossible("a shift given away takes no shift in return")
    kept = [s for s in roster.shifts if s is not given and s is not taken]
    moved = [replace(given, operator_id=swap.to_operator)]
    if taken is not None:
        moved.append(replace(taken, operator_id=swap.from_operator))
    for shift in moved:
        if any(s.operator_id == shift.operator_id and s.day == shift.day for s in kept):
            raise SwapNotPossible(f"{shift.operator_id} already has a shift on {shift.day}")
    return replace(roster, shifts=(*kept, *moved))


def swap_edits(before: Roster, after: Roster, swap: Swap) -> tuple[CellEdit, ...]:
    """The grid cells the swap changes, as the edit history records them."""
    tz = before.month.tz
    cells = {(swap.from_operator, swap.from_day), (swap.to_operator, swap.from_day)}
    if swap.to_day is not None:
        cells |= {(swap.from_operator, swap.to_day), (swap.to_operator, swap.to_day)}

    def code(roster: Roster, operator_id: str, day: date) -> str:
        shift = next((s for s in roster.shifts if s.operator_id == operator_id and s.day == day), None)
        return "" if shift is None else shift_code(shift, tz)

    edits = (CellEdit(operator_id, day, code(before, operator_id, day), code(after, operator_id, day))
             for operator_id, day in sorted(cells))
    return tuple(edit for edit in edits if edit.before != edit.after)


def swap_violations(roster: Roster, swap: Swap, operators: Sequence[Operator], rules: Rules,
                    previous: Roster | None = None) -> list[Violation]:
    """The hard-rule violations the swap adds to `roster` (empty: it may be made). Raises SwapNotPossible."""
    after = swapped(roster, swap)
    before = Counter(validate_roster(roster, operators, rules, previous))
    added = Counter(validate_roster(after, operators, rules, previous)) - before
    return sorted(added.elements(), key=str)


def _shift_of(roster: Roster, operator_id: str, day: date) -> Shift:
    shift = next((s for s in roster.shifts if s.operator_id == operator_id and s.day == day), None)
    if shift is None:
        raise SwapNotPossible(f"{operator_id} has no shift starting on {day}")
    return shift
