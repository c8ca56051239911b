"""What a planner works on while editing a roster version, without any page: the opened version, the roster the
grid starts from, the edits folded into it since the last save, the locked cells and the version's report.

The roster page keeps one `Work` per session and draws it. The grid editor's own changes (`pending`) come on top
of `Work.roster` until something replaces that roster ("Place breaks", a re-solve, a sick call); then they are
folded in (`folded`) and the editor starts afresh under a new key (`generation`), so a change is never applied
twice. What is unsaved is also written to the database as the user's working copy; `copy_signature` says when
that copy must be written again.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from planner.config import Rules
from planner.domain import Operator, Roster
from planner.grid import CellEdit, apply_grid, roster_grid
from planner.roster import Locks
from planner.store import StaleVersion, StoredRoster, VersionInfo
from planner.store.records import WorkingCopy

__all__ = ["Cell", "Work", "Shown", "as_saved", "with_working_copy", "locks_of", "reapplied"]

Cell = tuple[str, date]


@dataclass(frozen=True)
class Work:
    version: VersionInfo
    roster: Roster
    edits: tuple[CellEdit, ...] = ()
    locks: frozenset[Cell] = frozenset()
    saved_locks: frozenset[Cell] = frozenset()
    report: dict[str, Any] | None = None
    resolved_with: str | None = None  # the rules text of a re-solve not saved yet
    generation: int = 0  # raised whenever `roster` is replaced: the grid editor's key

    @property
    def grid_key(self) -> str:
        return f"roster_grid_{self.generation}"

    def unsaved(self, pending: tuple[CellEdit, ...]) -> bool:
        return bool(self.edits or pending or self.resolved_with is not None or self.locks != self.saved_locks)

    def after(self, previous: Work | None) -> Work:
        """This work opened in place of `previous`: a new grid editor, since its roster is not the one shown."""
        return replace(self, generation=previous.generation + 1 if previous is not None else 0)

    def folded(self, roster: Roster, pending: tuple[CellEdit, ...]) -> Work:
        """`roster` under the grid, with the editor's `pending` changes that made it counted as this work's."""
        return replace(self, roster=roster, edits=self.edits + pending)

    def resolved(self, roster: Roster, report: dict[str, Any], rules_text: str) -> Work:
        """A re-solve's roster, report and rules, kept until saved."""
        return replace(self, roster=roster, report=report, resolved_with=rules_text)

    def copy_signature(self, roster: Roster, pending: tuple[CellEdit, ...]) -> tuple | None:
        """What the working copy of this work with the grid's `pending` edits holds; None when nothing is unsaved."""
        if not self.unsaved(pending):
            return None
        return self.version.id, self.version.revision, roster, self.locks, self.edits + pending, self.resolved_with

    @property
    def unsaved_report(self) -> dict[str, Any] | None:
        """The report a save or a working copy stores: a re-solve's; None keeps the stored one."""
        return self.report if self.resolved_with is not None else None


@dataclass(frozen=True)
class Shown:
    """The roster as the grid last showed it: the editor's changes (`edits`) on top of `Work.roster`. A page that
    forgets its widgets when another page is shown folds these in when the planner comes back."""

    version_id: int
    grid_key: str
    roster: Roster
    edits: tuple[CellEdit, ...]


def as_saved(stored: StoredRoster) -> Work:
    return Work(stored.info, stored.roster, locks=stored.locks, saved_locks=stored.locks, report=stored.report)


def with_working_copy(stored: StoredRoster, copy: WorkingCopy) -> Work:
    """The version as saved with a user's unsaved changes on top. They stay based on the revision they were made
    on, so if someone saved the version since, saving them is refused and offers to re-apply them."""
    return replace(as_saved(stored), version=replace(stored.info, revision=copy.base_revision), roster=copy.roster,
                   edits=copy.edits, locks=copy.locks, resolved_with=copy.rules_text,
                   report=stored.report if copy.report is None else copy.report)


def locks_of(roster: Roster, cells: frozenset[Cell]) -> Locks:
    """What a re-solve keeps: the start of the shift in each locked cell, None for a locked day off."""
    # Latest first, so that the earliest shift of a cell typed with two (`09–13+18–22`) is the one kept.
    latest_first = sorted(roster.shifts, key=lambda shift: shift.start, reverse=True)
    starts = {(shift.operator_id, shift.day): shift.start for shift in latest_first}
    return {cell: starts.get(cell) for cell in cells}


def reapplied(refused: StaleVersion, newer: StoredRoster, work: Work, operators: tuple[Operator, ...],
              rules: Rules) -> Work:
    """A refused save's edits and locks typed again on the revision that was saved meanwhile; the planner's own
    cells win, and a re-solve not saved yet keeps its report."""
    grid = roster_grid(newer.roster, operators)
    for edit in refused.edits:
        grid.setdefault(edit.operator_id, {})[edit.day] = edit.after
    applied = apply_grid(grid, newer.roster, operators, rules)
    return Work(newer.info, applied.roster, applied.edits, newer.locks | refused.locks, newer.locks,
                work.report if work.resolved_with else newer.report, work.resolved_with)
