"""Roster versions: drafts, publication, edits, working copies and swaps."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from planner.auth import Role
from planner.config import parse_rules_text
from planner.domain import Roster
from planner.grid import CellEdit
from planner.month import Month
from planner.store.accounts import _audit, _existing_user_row
from planner.store.base import _DRAFT_ATTEMPTS, PUBLISH, SWAP, Cell, StoreBase, rows_changed
from planner.store.convert import (
    _delete_working_copy,
    _label,
    _month,
    _require_same_month,
    _require_user,
    _shift,
    _shift_values,
    _user,
    _version_info,
    _working_copy,
)
from planner.store.inputs import _rule_set_id
from planner.store.records import EditRecord, OperatorList, StoredRoster, SwapInfo, VersionInfo, WorkingCopy
from planner.store.refusals import NotADraft, StaleVersion, StoreError, SwapRefused, UnknownVersion
from planner.store.schema import (
    DRAFT,
    PUBLISHED,
    LockedCellRow,
    RosterEditRow,
    RosterVersionRow,
    RuleSetRow,
    ShiftRow,
    SwapRow,
    WorkingCopyRow,
)
from planner.swaps import Swap, SwapNotPossible, swap_edits, swap_violations, swapped


class Rosters(StoreBase):
    if TYPE_CHECKING:
        # Swaps check the month's operators: `Inputs` keeps them, beside this part in `Store`.
        def load_operators(self, month: Month | str) -> OperatorList | None: ...

    # --- rosters -----------------------------------------------------------------------------------------------

    def create_draft(
        self,
        roster: Roster,
        report: Mapping[str, Any],
        rules_text: str,
        user: str,
        locks: Iterable[Cell] = (),
    ) -> VersionInfo:
        """A new draft version of the roster's month (numbered after the month's last version), at revision 1,
        with the rules it was planned with."""
        _require_user(user)
        month = roster.month
        parse_rules_text(rules_text, f"rules of {month.label}")
        shift_values = _shift_values(roster)
        locks = frozenset(locks)
        now = self._clock()
        # Two drafts saved at once on PostgreSQL may both read the same last number: the second insert then
        # breaks the (month, number) unique constraint, and the whole save is made again on what the first
        # committed. (SQLite's BEGIN IMMEDIATE lets one writer in at a time.) Each attempt is all-or-nothing.
        for attempt in range(1, _DRAFT_ATTEMPTS + 1):
            try:
                return self._insert_draft(month, shift_values, locks, rules_text, report, user, now)
            except IntegrityError:
                if attempt == _DRAFT_ATTEMPTS:
                    raise
        raise AssertionError("unreachable: the last attempt returns or raises")

    def _insert_draft(self, month: Month, shift_values: list[dict[str, Any]], locks: frozenset[Cell],
                      rules_text: str, report: Mapping[str, Any], user: str, now: datetime) -> VersionInfo:
        with self._writing() as session:
            rule_set_id = _rule_set_id(session, month.label, rules_text, user, now)
            row = RosterVersionRow(
                month=month.label,
                number=_next_number(session, month.label),
                status=DRAFT,
                revision=1,
                timezone=month.timezone,
                country=month.country,
                rule_set_id=rule_set_id,
                report=dict(report),
                created_by=user,
                created_at=now,
                updated_by=user,
                updated_at=now,
            )
            session.add(row)
            session.flush()
            _replace_shifts(session, row.id, shift_values)
            _replace_locks(session, row.id, locks)
            return _version_info(row)

    def load_roster(self, version_id: int) -> StoredRoster:
        with self._reading() as session:
            row = session.get(RosterVersionRow, version_id)
            if row is None:
                raise UnknownVersion(version_id)
            month = _month(row.month, row.timezone, row.country)
            shifts = session.scalars(select(ShiftRow).where(ShiftRow.version_id == version_id).order_by(ShiftRow.id))
            locks = session.execute(
                select(LockedCellRow.operator_id, LockedCellRow.day).where(LockedCellRow.version_id == version_id)
            )
            rules_text = session.scalar(select(RuleSetRow.text).where(RuleSetRow.id == row.rule_set_id))
            assert rules_text is not None  # a foreign key
            return StoredRoster(
                info=_version_info(row),
                roster=Roster(month, tuple(_shift(shift, month.tz) for shift in shifts)),
                locks=frozenset((operator_id, day) for operator_id, day in locks),
                report=row.report,
                rules_text=rules_text,
            )

    def save_draft(
        self,
        version_id: int,
        expected_revision: int,
        roster: Roster,
        locks: Iterable[Cell],
        edits: Sequence[CellEdit],
        user: str,
        *,
        report: Mapping[str, Any] | None = None,
        rules_text: str | None = None,
    ) -> VersionInfo:
        """Replace the draft's shifts and locks and record `edits`, if the draft is still at `expected_revision`;
        else raise StaleVersion (nothing written). `report` and `rules_text` replace the stored ones when given,
        after a re-solve. Returns the version at its new revision."""
        _require_user(user)
        locks = frozenset(locks)
        edits = tuple(edits)
        shift_values = _shift_values(roster)
        if rules_text is not None:
            parse_rules_text(rules_text, f"rules of {roster.month.label}")
        now = self._clock()
        with self._writing() as session:
            changes: dict[str, Any] = {} if report is None else {"report": dict(report)}
            claimed = _claim(session, version_id, expected_revision, user, now, changes)
            if claimed is None:
                raise _refusal(session, version_id, expected_revision, roster, locks, edits)
            _require_same_month(claimed, roster.month)
            if rules_text is not None:
                claimed.rule_set_id = _rule_set_id(session, claimed.month, rules_text, user, now)
            _replace_shifts(session, version_id, shift_values)
            _replace_locks(session, version_id, locks)
            _insert_edits(session, version_id, claimed.revision, edits, user, now)
            _delete_working_copy(session, version_id, user)
            return _version_info(claimed)

    def publish(self, version_id: int, user: str, expected_revision: int | None = None) -> VersionInfo:
        """Make a draft the published roster of its month, and record who did. With `expected_revision`, refuse
        (StaleVersion) if the draft was saved after the caller read it."""
        _require_user(user)
        now = self._clock()
        with self._writing() as session:
            changes = {"status": PUBLISHED, "published_by": user, "published_at": now}
            claimed = _claim(session, version_id, expected_revision, user, now, changes)
            if claimed is None:
                raise _refusal(session, version_id, expected_revision)
            _audit(session, now, user, PUBLISH, f"roster {claimed.month} version {claimed.number}", version_id)
            return _version_info(claimed)

    def list_versions(self, month: Month | str) -> tuple[VersionInfo, ...]:
        with self._reading() as session:
            rows = session.scalars(
                select(RosterVersionRow)
                .where(RosterVersionRow.month == _label(month))
                .order_by(RosterVersionRow.number)
            )
            return tuple(_version_info(row) for row in rows)

    def edit_history(self, version_id: int) -> tuple[EditRecord, ...]:
        """Every manual edit of the version, in the order made."""
        with self._reading() as session:
            rows = session.scalars(
                select(RosterEditRow).where(RosterEditRow.version_id == version_id).order_by(RosterEditRow.id)
            )
            return tuple(
                EditRecord(
                    version_id=row.version_id,
                    revision=row.revision,
                    edit=CellEdit(row.operator_id, row.day, row.before, row.after),
                    edited_by=row.edited_by,
                    edited_at=row.edited_at,
                )
                for row in rows
            )

    # --- working copies ----------------------------------------------------------------------------------------

    def keep_working_copy(
        self,
        version_id: int,
        base_revision: int,
        roster: Roster,
        locks: Iterable[Cell],
        edits: Sequence[CellEdit],
        user: str,
        *,
        report: Mapping[str, Any] | None = None,
        rules_text: str | None = None,
    ) -> WorkingCopy:
        """Keep `user`'s unsaved changes to the version (replacing the copy kept before); `save_draft` or
        `discard_working_copy` removes them."""
        _require_user(user)
        if rules_text is not None:
            parse_rules_text(rules_text, f"rules of {roster.month.label}")
        shifts = [
            {**values, "start": values["start"].isoformat(), "end": values["end"].isoformat()}
            for values in _shift_values(roster)
        ]
        row_values = {
            "base_revision": base_revision,
            "shifts": shifts,
            "locks": [[operator_id, day.isoformat()] for operator_id, day in sorted(frozenset(locks))],
            "edits": [[edit.operator_id, edit.day.isoformat(), edit.before, edit.after] for edit in edits],
            "report": None if report is None else dict(report),
            "rules_text": rules_text,
            "updated_at": self._clock(),
        }
        with self._writing() as session:
            version = session.get(RosterVersionRow, version_id)
            if version is None:
                raise UnknownVersion(version_id)
            _require_same_month(version, roster.month)
            _delete_working_copy(session, version_id, user)
            row = WorkingCopyRow(version_id=version_id, username=user, **row_values)
            session.add(row)
            session.flush()
            return _working_copy(row, roster.month)

    def working_copy(self, version_id: int, user: str) -> WorkingCopy | None:
        with self._reading() as session:
            row = session.get(WorkingCopyRow, (version_id, user))
            if row is None:
                return None
            version = session.get(RosterVersionRow, version_id)
            assert version is not None  # a foreign key
            return _working_copy(row, _month(version.month, version.timezone, version.country))

    def discard_working_copy(self, version_id: int, user: str) -> None:
        with self._writing() as session:
            _delete_working_copy(session, version_id, user)

    # --- swaps -------------------------------------------------------------------------------------------------
    # Each step checks the swap on the published roster as it is then (`planner.swaps.swap_violations`), with the
    # month's operators, the version's rules and last month's published shifts: a swap the rules no longer allow
    # is refused at that step and marked so, with the rules it would break.

    def operator_names(self, month: Month | str) -> tuple[tuple[str, str], ...]:
        """(id, name) of the month's operators: whom an operator can ask for a swap."""
        listed = self.load_operators(month)
        return () if listed is None else tuple((op.id, op.name) for op in listed.operators)

    def ask_swap(self, version_id: int, swap: Swap, *, by: str) -> SwapInfo:
        """An operator (`by`, whose account is tied to `swap.from_operator`) asks a colleague for a swap of a
        published version. SwapRefused, with nothing stored, when it would break a hard rule."""
        _require_user(by)
        with self._reading() as session:
            account = _user(_existing_user_row(session, by))
        if account.role is not Role.OPERATOR or account.operator_id != swap.from_operator:
            raise SwapRefused(f"{by} may ask for swaps of their own shifts only, not of {swap.from_operator}'s")
        self._check_swap(version_id, swap)
        now = self._clock()
        with self._writing() as session:
            row = SwapRow(version_id=version_id, kind=swap.kind, from_operator=swap.from_operator,
                          from_day=swap.from_day, to_operator=swap.to_operator, to_day=swap.to_day, status="asked",
                          reason="", asked_by=account.name, asked_at=now)
            session.add(row)
            session.flush()
            return _swap_info(row)

    def answer_swap(self, swap_id: int, accept: bool, *, by: str) -> SwapInfo:
        """The colleague (`by`, tied to `to_operator`) accepts or declines a swap asked of them."""
        _require_user(by)
        with self._reading() as session:
            account = _user(_existing_user_row(session, by))
            info = _swap_info(_swap_row(session, swap_id, "asked"))
        if account.role is not Role.OPERATOR or account.operator_id != info.swap.to_operator:
            raise SwapRefused(f"swap {swap_id} was asked of {info.swap.to_operator}, not of {by}")
        if accept:
            self._check_swap(info.version_id, info.swap, swap_id)
        return self._set_swap(swap_id, "asked", "accepted" if accept else "declined", answered_by=account.name,
                              answered_at=self._clock())

    def decide_swap(self, swap_id: int, approve: bool, *, by: str) -> SwapInfo:
        """A planner or supervisor approves an accepted swap — the published version gets a new revision with the
        swap's cells in its edit history — or refuses it."""
        _require_user(by)
        with self._reading() as session:
            info = _swap_info(_swap_row(session, swap_id, "accepted"))
        now = self._clock()
        if not approve:
            return self._set_swap(swap_id, "accepted", "refused", reason=f"refused by {by}", decided_by=by,
                                  decided_at=now)
        stored = self._check_swap(info.version_id, info.swap, swap_id)
        after = swapped(stored.roster, info.swap)
        edits = swap_edits(stored.roster, after, info.swap)
        with self._writing() as session:
            claimed = _claim(session, info.version_id, stored.info.revision, by, now, {}, status=PUBLISHED)
            if claimed is None:  # another swap was approved since the check
                raise SwapRefused(f"roster version {stored.info.number} changed while swap {swap_id} was checked; "
                                  "approve it again to check it on the roster as it is now")
            _replace_shifts(session, info.version_id, _shift_values(after))
            _insert_edits(session, info.version_id, claimed.revision, edits, by, now)
            row = _swap_row(session, swap_id, "accepted")
            row.status, row.decided_by, row.decided_at = "approved", by, now
            _audit(session, now, by, SWAP, f"swap {swap_id} in roster {claimed.month} version {claimed.number}: "
                                           + ", ".join(f"{e.operator_id} {e.day} {e.before or '-'} → {e.after or '-'}"
                                                       for e in edits), info.version_id)
            return _swap_info(row)

    def swaps(self, month: Month | str) -> tuple[SwapInfo, ...]:
        """The swaps asked of the month's versions, oldest first."""
        with self._reading() as session:
            rows = session.scalars(select(SwapRow).join(RosterVersionRow, RosterVersionRow.id == SwapRow.version_id)
                                   .where(RosterVersionRow.month == _label(month)).order_by(SwapRow.id))
            return tuple(_swap_info(row) for row in rows)

    def _check_swap(self, version_id: int, swap: Swap, swap_id: int | None = None) -> StoredRoster:
        """The published version the swap is checked on; SwapRefused (and the stored swap marked refused) when it
        names a shift that is not there or would break a hard rule."""
        stored = self.load_roster(version_id)
        if not stored.info.is_published:
            raise SwapRefused(f"roster {stored.info.month} version {stored.info.number} is a draft: only published "
                              "shifts are swapped")
        listed = self.load_operators(stored.roster.month)
        operators = listed.operators if listed is not None else ()
        try:
            broken = swap_violations(stored.roster, swap, operators, parse_rules_text(stored.rules_text),
                                     self._published_roster(stored.roster.month.before))
        except SwapNotPossible as refused:
            reason, broken = str(refused), []
        else:
            reason = "; ".join(str(violation) for violation in broken)
        if reason:
            if swap_id is not None:
                self._set_swap(swap_id, None, "refused", reason=reason)
            raise SwapRefused(reason, broken)
        return stored

    def _set_swap(self, swap_id: int, expected: str | None, status: str, **values: Any) -> SwapInfo:
        with self._writing() as session:
            row = _swap_row(session, swap_id, expected)
            row.status = status
            for name, value in values.items():
                setattr(row, name, value)
            return _swap_info(row)

    def _published_roster(self, month: Month) -> Roster | None:
        published = [info for info in self.list_versions(month) if info.is_published]
        return self.load_roster(published[-1].id).roster if published else None


def _next_number(session: Session, month: str) -> int:
    last = session.scalar(select(func.max(RosterVersionRow.number)).where(RosterVersionRow.month == month))
    return (last or 0) + 1


def _claim(
    session: Session,
    version_id: int,
    expected_revision: int | None,
    user: str,
    now: datetime,
    changes: Mapping[str, Any],
    *,
    status: str = DRAFT,
) -> RosterVersionRow | None:
    """Move a version to its next revision, if it is still at `status` (a draft, unless an approved swap revises
    a published version) and at `expected_revision` (any revision when None); None if not. One conditional UPDATE:
    a concurrent save of the same version waits for it (row lock) or finds the revision gone, so two saves never
    both succeed."""
    condition = (RosterVersionRow.id == version_id) & (RosterVersionRow.status == status)
    if expected_revision is not None:
        condition &= RosterVersionRow.revision == expected_revision
    changed = rows_changed(session, update(RosterVersionRow)
                           .where(condition)
                           .values(revision=RosterVersionRow.revision + 1, updated_by=user, updated_at=now, **changes)
                           .execution_options(synchronize_session=False))
    if changed != 1:
        return None
    return session.get(RosterVersionRow, version_id, populate_existing=True)


def _refusal(
    session: Session,
    version_id: int,
    expected_revision: int | None,
    roster: Roster | None = None,
    locks: frozenset[Cell] = frozenset(),
    edits: tuple[CellEdit, ...] = (),
) -> StoreError:
    """Why `_claim` found no row."""
    row = session.get(RosterVersionRow, version_id)
    if row is None:
        return UnknownVersion(version_id)
    current = _version_info(row)
    if row.status != DRAFT:
        return NotADraft(current)
    assert expected_revision is not None and row.revision != expected_revision  # the only other way to miss
    return StaleVersion(current, expected_revision, roster, locks, edits)


def _replace_shifts(session: Session, version_id: int, shift_values: list[dict[str, Any]]) -> None:
    session.execute(delete(ShiftRow).where(ShiftRow.version_id == version_id))
    if shift_values:
        session.execute(insert(ShiftRow), [{"version_id": version_id, **values} for values in shift_values])


def _replace_locks(session: Session, version_id: int, locks: frozenset[Cell]) -> None:
    session.execute(delete(LockedCellRow).where(LockedCellRow.version_id == version_id))
    if locks:
        session.execute(
            insert(LockedCellRow),
            [{"version_id": version_id, "operator_id": operator_id, "day": day} for operator_id, day in sorted(locks)],
        )


def _insert_edits(
    session: Session, version_id: int, revision: int, edits: tuple[CellEdit, ...], user: str, now: datetime
) -> None:
    if edits:
        session.execute(
            insert(RosterEditRow),
            [
                {
                    "version_id": version_id,
                    "revision": revision,
                    "operator_id": edit.operator_id,
                    "day": edit.day,
                    "before": edit.before,
                    "after": edit.after,
                    "edited_by": user,
                    "edited_at": now,
                }
                for edit in edits
            ],
        )


def _swap_row(session: Session, swap_id: int, expected: str | None) -> SwapRow:
    """The swap, when it is at status `expected` (any when None); SwapRefused otherwise."""
    row = session.get(SwapRow, swap_id)
    if row is None:
        raise SwapRefused(f"there is no swap {swap_id}")
    if expected is not None and row.status != expected:
        raise SwapRefused(f"swap {swap_id} is {row.status}, not {expected}")
    return row


def _swap_info(row: SwapRow) -> SwapInfo:
    swap = Swap(row.kind, row.from_operator, row.from_day, row.to_operator, row.to_day)  # type: ignore[arg-type]
    return SwapInfo(row.id, row.version_id, swap, row.status, row.reason, row.asked_by, row.asked_at,
                    row.answered_by, row.decided_by)
