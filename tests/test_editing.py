"""The roster page's working state as plain values: folding the editor's changes, the working copy's signature,
locks for a re-solve and a refused save typed again on the newer revision."""

from __future__ import annotations

from datetime import UTC, date, datetime

from helpers.roster_fixtures import FEBRUARY, operator, rules
from planner.domain import Roster, Shift
from planner.editing import Work, as_saved, locks_of, reapplied, with_working_copy
from planner.grid import CellEdit, roster_grid
from planner.store import StaleVersion, StoredRoster, VersionInfo
from planner.store.records import WorkingCopy

MOMENT = datetime(2026, 1, 20, 12, tzinfo=UTC)
TEAM = (operator("a", free=range(1, 29)), operator("b", free=range(1, 29)))
DAY = date(2026, 2, 3)


def _shift(op_id: str, day: int, hour: int) -> Shift:
    start = datetime(2026, 2, day, hour, tzinfo=FEBRUARY.tz)
    return Shift(op_id, start, start.replace(hour=hour + 8))


ROSTER = Roster(FEBRUARY, (_shift("a", 3, 9), _shift("b", 3, 12), _shift("a", 4, 9)))


def _version(revision: int = 1) -> VersionInfo:
    return VersionInfo(id=7, month="2026-02", number=1, status="draft", revision=revision, created_by="anna",
                       created_at=MOMENT, updated_by="anna", updated_at=MOMENT, published_by=None, published_at=None)


def _stored(revision: int = 1, roster: Roster = ROSTER, locks=frozenset()) -> StoredRoster:
    return StoredRoster(_version(revision), roster, locks, {"under_coverage_lower_bound": 3}, "rules")


EDIT = CellEdit("a", DAY, "09–17", "")


def test_a_fresh_work_has_nothing_unsaved_and_each_change_makes_it_so():
    work = as_saved(_stored())
    assert not work.unsaved(()) and work.copy_signature(ROSTER, ()) is None
    assert work.unsaved((EDIT,))
    assert work.folded(ROSTER, (EDIT,)).unsaved(())
    assert Work(work.version, ROSTER, locks=frozenset({("a", DAY)})).unsaved(())
    assert work.resolved(ROSTER, {}, "rules").unsaved(())


def test_folding_keeps_every_edit_once_and_a_replaced_roster_gets_a_new_editor():
    work = as_saved(_stored())
    folded = work.folded(ROSTER, (EDIT,)).after(work)
    assert folded.edits == (EDIT,) and folded.grid_key != work.grid_key
    again = folded.folded(ROSTER, (CellEdit("b", DAY, "12–20", "13–21"),)).after(folded)
    assert [edit.operator_id for edit in again.edits] == ["a", "b"]
    assert as_saved(_stored()).after(None).generation == 0


def test_the_working_copy_signature_changes_with_what_the_copy_holds():
    work = as_saved(_stored())
    one = work.copy_signature(ROSTER, (EDIT,))
    assert one is not None and one == work.copy_signature(ROSTER, (EDIT,))
    assert one != work.copy_signature(ROSTER, (CellEdit("a", DAY, "09–17", "10–18"),))
    assert one != Work(_version(2), ROSTER).copy_signature(ROSTER, (EDIT,))


def test_only_a_resolve_not_saved_yet_stores_its_report():
    work = as_saved(_stored())
    assert work.unsaved_report is None
    assert work.resolved(ROSTER, {"objective": 1}, "rules").unsaved_report == {"objective": 1}


def test_a_working_copy_opens_on_the_revision_it_was_made_on():
    copy = WorkingCopy(7, 1, ROSTER, frozenset({("a", DAY)}), (EDIT,), None, None, MOMENT)
    work = with_working_copy(_stored(revision=3), copy)
    assert work.version.revision == 1 and work.edits == (EDIT,) and work.locks == {("a", DAY)}
    assert work.saved_locks == frozenset() and work.report == {"under_coverage_lower_bound": 3}


def test_locks_keep_the_earliest_shift_of_a_cell_and_a_day_off_as_none():
    two = Roster(FEBRUARY, (*ROSTER.shifts, _shift("a", 3, 15)))
    locks = locks_of(two, frozenset({("a", DAY), ("b", date(2026, 2, 4))}))
    assert locks == {("a", DAY): ROSTER.shifts[0].start, ("b", date(2026, 2, 4)): None}


def test_a_refused_save_is_typed_again_on_the_newer_revision_with_both_sides_locks():
    newer_roster = Roster(FEBRUARY, (*ROSTER.shifts, _shift("b", 5, 9)))
    newer = _stored(revision=2, roster=newer_roster, locks=frozenset({("b", date(2026, 2, 5))}))
    refused = StaleVersion(newer.info, 1, ROSTER, frozenset({("a", DAY)}), (EDIT,))
    work = reapplied(refused, newer, as_saved(_stored()), TEAM, rules())
    grid = roster_grid(work.roster, TEAM)
    assert grid["a"][DAY] == "" and grid["b"][date(2026, 2, 5)]  # my edit and their shift
    assert work.version.revision == 2 and work.edits == (EDIT,)
    assert work.locks == {("a", DAY), ("b", date(2026, 2, 5))} and work.saved_locks == newer.locks
