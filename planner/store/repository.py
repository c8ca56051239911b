"""What the page and the command line keep in the database, through one `Store`.

What is stored, and in which form:
- **Forecasts**: the accepted file's bytes exactly as uploaded (to offer it again as the planner gave it), and
  the hourly calls and AHT parsed from it with the month's zone and country. A stored forecast is rebuilt from
  those values, not re-parsed, so a later change of the rules (default AHT, zone) does not change the month
  that was planned. The newest upload of a month is its forecast.
- **Operators**: structured rows, one per operator, in the planner's order. The page edits the list in place,
  taxi lists read addresses and phones, and access rules (issue 6) hide single fields; rows serve all three,
  a CSV text would have to be parsed each time. Every save is a new list of the month: the newest is current,
  the older ones are its history.
- **Rule sets**: the YAML text, checked with `planner.config.parse_rules_text` before it is stored, because the
  text (with its comments) is what the planner reads and edits. Each roster version names the rule set it was
  planned with.
- **Rosters**: versions of a month (`number` 1, 2, ...), each a draft until published, with shift rows (UTC
  instants; breaks as UTC instants), locked cells, the solve report as JSON and every manual edit. Shifts are
  rows rather than roster.csv text because the CSV's wall-clock times need a hint to tell the two readings of
  a repeated DST hour apart; instants plus the month's zone come back exactly, `fold` included.
- **Working copies**: a user's unsaved changes to a roster version (the whole roster as edited, locks, edits, a
  re-solve's report), rewritten by the page after every change, so a reload or a restart loses nothing. Saving
  the draft removes the saver's copy in the same transaction.
- **Audit events**: who published or exported what, every change of a user and every sign-in attempt, when
  (`record_event`).
- **Users**: name, role, a supervisor's teams and the Argon2id hash of the password (`planner.auth`); the
  password itself is never stored. Accounts are disabled rather than deleted, and the last active admin can be
  neither disabled nor given another role, so someone can always manage users.

Every function is one transaction: it stores all of its rows or none (a failure half-way rolls back).

Optimistic versioning: a roster version has a `revision`, raised by every save. `save_draft` and `publish`
name the revision the planner started from; the save first moves the revision on with one conditional
UPDATE, and if another save came in between, that UPDATE finds no row and the whole save is refused with
`StaleVersion`, which carries the refused roster, locks and edits so the page can apply them again to the
newer revision. Nothing is ever silently overwritten.

Times: every instant is stored in UTC and returned as an aware datetime (UTC for the bookkeeping times, the
month's zone for shifts). Naive datetimes are refused.
"""

from __future__ import annotations

import hashlib
import math
import re
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from argon2 import PasswordHasher
from sqlalchemy import Engine, Select, delete, func, insert, select, update
from sqlalchemy.engine import URL
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from planner.auth import (
    Role,
    User,
    UserRefused,
    check_sign_in,
    check_user_name,
    describe_access,
    hash_password,
    password_hasher,
    user_operator,
    user_teams,
)
from planner.config import Rules, parse_rules_text
from planner.domain import Forecast, Operator, Roster, Shift, ShiftWish, WeeklyHours
from planner.errors import PlannerError
from planner.forecast import parse_forecast
from planner.swaps import Swap, SwapNotPossible, swap_edits, swap_violations, swapped
from planner.validate import Violation
from planner.wishes import WISH_FIELDS, Wishes, with_wishes
from planner.month import Month
from planner.grid import CellEdit
from planner.store.database import create_store_engine, database_url, reading, writing
from planner.store.migrations import upgrade_to_head
from planner.store.schema import (
    DRAFT,
    PUBLISHED,
    AuditEventRow,
    ForecastRow,
    LockedCellRow,
    OperatorListRow,
    OperatorRow,
    RosterEditRow,
    RosterVersionRow,
    RuleSetRow,
    ShiftRow,
    SwapRow,
    UserRow,
    WishRow,
    WishWindowRow,
    WorkingCopyRow,
)


# The tables that keep every save of a month's input, the newest one counting.
ChainRow = TypeVar("ChainRow", OperatorListRow, RuleSetRow)  # a save names the row it replaces

__all__ = [
    "AUDIT_KINDS",
    "VIEW",
    "AuditEvent",
    "CellEdit",
    "EditRecord",
    "LastAdmin",
    "NotADraft",
    "OperatorList",
    "SignInThrottled",
    "StaleInput",
    "StaleVersion",
    "Store",
    "StoreError",
    "StoredForecast",
    "StoredRoster",
    "StoredRules",
    "SwapInfo",
    "SwapRefused",
    "WishEntry",
    "WishWindow",
    "WishesRefused",
    "UnknownOperator",
    "UnknownUser",
    "UnknownVersion",
    "UserExists",
    "VersionInfo",
    "WorkingCopy",
    "open_store",
]

Cell = tuple[str, date]  # (operator_id, day) of the roster grid

PUBLISH = "publish"
EXPORT = "export"
USER_ADD = "user_add"
USER_PASSWORD = "user_password"
USER_ROLE = "user_role"
USER_DISABLE = "user_disable"
USER_ENABLE = "user_enable"
SIGN_IN = "sign_in"
SIGN_IN_REFUSED = "sign_in_refused"
SIGN_IN_THROTTLED = "sign_in_throttled"
VIEW = "view"  # a page showed personal data (the operators' list, a night's taxi list)
ERASE = "erase"  # an operator's personal data erased from every stored list
SWAP = "swap"  # a swap approved: a new revision of the published roster
WISHES = "wishes"  # a window for wishes opened, or the wishes taken into the operator list

# The audit log's events by kind, as its view filters them: so that 200 refused sign-ins need not push a
# publication off the screen.
AUDIT_KINDS: dict[str, tuple[str, ...]] = {
    "publications": (PUBLISH, SWAP),
    "exports": (EXPORT,),
    "views of personal data": (VIEW,),
    "sign-ins": (SIGN_IN,),
    "refused sign-ins": (SIGN_IN_REFUSED, SIGN_IN_THROTTLED),
    "account changes": (USER_ADD, USER_PASSWORD, USER_ROLE, USER_DISABLE, USER_ENABLE),
    "wishes": (WISHES,),
    "erasures": (ERASE,),
}

# Guessing passwords: after FAILED_SIGN_INS_ALLOWED wrong passwords for one name within FAILED_SIGN_IN_WINDOW (since
# its last sign-in), that name is refused without a check until the oldest of them leaves the window; the whole
# server takes at most SIGN_INS_PER_MINUTE attempts. Both are counted in the audit log, so every server process of
# one database counts the same attempts.
FAILED_SIGN_INS_ALLOWED = 5
FAILED_SIGN_IN_WINDOW = timedelta(minutes=15)
SIGN_INS_PER_MINUTE = 60
MINUTE = timedelta(minutes=1)
MAX_TYPED_NAME = 64
_DRAFT_ATTEMPTS = 5  # of a new draft's save, when concurrent saves took its number (see create_draft)
_MONTH_LABEL = re.compile(r"[0-9]{4}-(0[1-9]|1[0-2])")


# ---------------------------------------------------------------------------------------------------------------
# What callers get back
# ---------------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class StoredForecast:
    id: int
    forecast: Forecast
    filename: str
    content: bytes
    summary: dict[str, float]
    uploaded_by: str
    uploaded_at: datetime


@dataclass(frozen=True)
class OperatorList:
    id: int
    month: str
    operators: tuple[Operator, ...]
    source: str
    saved_by: str
    saved_at: datetime


@dataclass(frozen=True)
class StoredRules:
    id: int
    month: str
    text: str
    saved_by: str
    saved_at: datetime

    @property
    def rules(self) -> Rules:
        return parse_rules_text(self.text, f"rules of {self.month}")


@dataclass(frozen=True)
class VersionInfo:
    """A roster version without its shifts: what a list of versions shows."""

    id: int
    month: str
    number: int
    status: str  # DRAFT or PUBLISHED
    revision: int
    created_by: str
    created_at: datetime
    updated_by: str
    updated_at: datetime
    published_by: str | None
    published_at: datetime | None

    @property
    def is_draft(self) -> bool:
        return self.status == DRAFT

    @property
    def is_published(self) -> bool:
        return self.status == PUBLISHED


@dataclass(frozen=True)
class StoredRoster:
    info: VersionInfo
    roster: Roster
    locks: frozenset[Cell]
    report: dict[str, Any]
    rules_text: str


@dataclass(frozen=True)
class SwapInfo:
    """A swap as stored: what it moves, where it stands (`planner.store.schema.SWAP_STATUSES`) and who did what."""

    id: int
    version_id: int
    swap: Swap
    status: str
    reason: str
    asked_by: str
    asked_at: datetime
    answered_by: str | None
    decided_by: str | None


@dataclass(frozen=True)
class WishWindow:
    """The local days, both included, in which operators enter their wishes for `month`."""

    month: str
    opens_on: date
    closes_on: date
    opened_by: str

    def is_open(self, today: date) -> bool:
        return self.opens_on <= today <= self.closes_on


@dataclass(frozen=True)
class WishEntry:
    """One save of an operator's wishes, by whom (the operator, or a planner) and when."""

    id: int
    month: str
    wishes: Wishes
    entered_by: str
    entered_at: datetime


@dataclass(frozen=True)
class WorkingCopy:
    """Unsaved changes of one user to a roster version, made on revision `base_revision` of it."""

    version_id: int
    base_revision: int
    roster: Roster
    locks: frozenset[Cell]
    edits: tuple[CellEdit, ...]
    report: dict[str, Any] | None
    rules_text: str | None
    updated_at: datetime


@dataclass(frozen=True)
class EditRecord:
    version_id: int
    revision: int  # the revision the save that made the edit produced
    edit: CellEdit
    edited_by: str
    edited_at: datetime


@dataclass(frozen=True)
class AuditEvent:
    id: int
    at: datetime
    user: str
    action: str  # PUBLISH, EXPORT, SIGN_IN, SIGN_IN_REFUSED or one of the USER_* changes
    what: str
    version_id: int | None


class StoreError(PlannerError):
    """A save was refused; nothing of it was written."""


class UnknownVersion(StoreError, LookupError):
    def __init__(self, version_id: int):
        self.version_id = version_id
        super().__init__(f"there is no roster version {version_id}")


class NotADraft(StoreError):
    def __init__(self, current: VersionInfo):
        self.current = current
        super().__init__(
            f"roster {current.month} version {current.number} is {current.status}: it can no longer be changed; "
            f"start a new draft from it"
        )


class StaleVersion(StoreError):
    """Someone saved the version after the caller read it. The refused roster, locks and edits are kept here so
    they can be applied again to `current`."""

    def __init__(
        self,
        current: VersionInfo,
        expected_revision: int,
        roster: Roster | None = None,
        locks: frozenset[Cell] = frozenset(),
        edits: tuple[CellEdit, ...] = (),
    ):
        self.current = current
        self.expected_revision = expected_revision
        self.roster = roster
        self.locks = locks
        self.edits = edits
        again = f"apply your {len(edits)} edit(s) again" if edits else "try again"
        super().__init__(
            f"roster {current.month} version {current.number} was saved by {current.updated_by} at "
            f"{current.updated_at:%Y-%m-%d %H:%M} UTC after you opened it (it is at revision {current.revision}, "
            f"you had {expected_revision}); nothing of yours was saved: reload it and {again}"
        )


class StaleInput(StoreError):
    """Someone saved the month's operators or rules after the caller read them (`based_on`). The refused list or
    text is kept here (`refused`), so it can be applied again on `current`."""

    def __init__(
        self,
        what: str,
        month: str,
        current: OperatorList | StoredRules | None,
        based_on: int | None,
        refused: tuple[Operator, ...] | str,
    ):
        self.what = what
        self.month = month
        self.current = current
        self.based_on = based_on
        self.refused = refused
        if current is None:
            why = f"the {what} of {month} you changed are no longer stored"
        else:
            why = (f"the {what} of {month} were saved by {current.saved_by} at {current.saved_at:%Y-%m-%d %H:%M} UTC "
                   "after you opened them")
        super().__init__(f"{why}; nothing of yours was saved: apply your changes again on the current {what}")


class SwapRefused(StoreError):
    """A swap that cannot be asked, answered or approved. `violations` are the hard rules it would break (their
    keys and details, for the page to put in words); empty when the refusal is of another kind (the message)."""

    def __init__(self, message: str, violations: Sequence[Violation] = ()):
        self.violations = tuple(violations)
        super().__init__(message)


class WishesRefused(StoreError):
    """Wishes that may not be entered now or by this account; the message says why."""


class UserExists(StoreError):
    def __init__(self, name: str):
        self.name = name
        super().__init__(f"user {name} exists already; nothing was changed")


class SignInThrottled(StoreError):
    """Too many attempts: refused without checking the password, for `wait`. `for_name`: this name had too many
    wrong passwords; otherwise the whole server had too many attempts in the last minute."""

    def __init__(self, wait: timedelta, for_name: bool):
        self.wait, self.for_name, self.minutes = wait, for_name, _minutes_up(wait)
        whose = "for this name" if for_name else "on this server"
        super().__init__(f"too many failed sign-ins {whose}: try again in {self.minutes} min")


class UnknownOperator(StoreError, LookupError):
    def __init__(self, operator_id: str):
        self.operator_id = operator_id
        super().__init__(f"no stored operator list has an operator {operator_id!r}; nothing was changed")


class UnknownUser(StoreError, LookupError):
    def __init__(self, name: str):
        self.name = name
        super().__init__(f"there is no user {name}")


class LastAdmin(StoreError):
    def __init__(self, name: str):
        self.name = name
        super().__init__(
            f"{name} is the last active admin: make another user admin first, or nobody could manage users"
        )


# ---------------------------------------------------------------------------------------------------------------
# The store
# ---------------------------------------------------------------------------------------------------------------


_Saved = TypeVar("_Saved", OperatorList, StoredRules)


def open_store(url: str | URL | None = None, *, hasher: PasswordHasher | None = None) -> Store:
    """The store at `url`, or where the environment says (`planner.store.database`), upgraded to the newest
    schema. `hasher` hashes new passwords (default: `planner.auth.password_hasher()`). Close the store (or use
    it in a `with` block) when done."""
    engine = create_store_engine(url if url is not None else database_url())
    try:
        upgrade_to_head(engine)
    except BaseException:
        engine.dispose()
        raise
    return Store(engine, hasher=hasher)


def _utc_now() -> datetime:
    return datetime.now(UTC)


class Store:
    def __init__(
        self,
        engine: Engine,
        *,
        clock: Callable[[], datetime] = _utc_now,
        hasher: PasswordHasher | None = None,
    ):
        self.engine = engine
        self._read_engine = reading(engine)
        self._write_engine = writing(engine)
        self._clock = clock
        self._hasher = hasher if hasher is not None else password_hasher()

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    @contextmanager
    def _reading(self) -> Iterator[Session]:
        with Session(self._read_engine) as session, session.begin():
            yield session

    @contextmanager
    def _writing(self) -> Iterator[Session]:
        """One transaction: committed when the block ends, rolled back if anything in it raises."""
        with Session(self._write_engine, expire_on_commit=False) as session, session.begin():
            yield session

    # --- forecasts ---------------------------------------------------------------------------------------------

    def save_forecast(self, data: bytes, filename: str, rules: Rules, user: str) -> StoredForecast:
        """Parse and keep an uploaded forecast file; a rejected file raises InputError and nothing is stored."""
        _require_user(user)
        forecast = parse_forecast(data, filename, rules)
        month = forecast.month
        row = ForecastRow(
            month=month.label,
            timezone=month.timezone,
            country=month.country,
            filename=filename,
            content=data,
            calls=list(forecast.calls),
            aht_sec=list(forecast.aht_sec),
            summary=_forecast_summary(forecast),
            uploaded_by=user,
            uploaded_at=self._clock(),
        )
        with self._writing() as session:
            session.add(row)
        return _stored_forecast(row)

    def months(self) -> tuple[str, ...]:
        """Every month (YYYY-MM) with a forecast, latest first: the months a planner can open."""
        with self._reading() as session:
            labels = session.scalars(select(ForecastRow.month).distinct()).all()
        return tuple(sorted(labels, reverse=True))

    def latest_forecast(self, month: Month | str) -> StoredForecast | None:
        with self._reading() as session:
            row = _newest_forecast(session, _label(month))
            return None if row is None else _stored_forecast(row)

    # --- operators ---------------------------------------------------------------------------------------------

    def save_operators(
        self, month: Month | str, operators: Sequence[Operator], user: str, source: str = "", *,
        based_on: int | None,
    ) -> OperatorList:
        """Keep `operators` as the month's current list, if the list the caller changed (`based_on`: its id, None
        when the month had none) is still the current one; else raise StaleInput, with nothing written. The list
        it replaces stays in the history."""
        _require_user(user)
        _require_unique_ids(operators)
        label = _label(month)
        operators = tuple(operators)

        def write(session: Session, replaces: int) -> OperatorList:
            row = OperatorListRow(month=label, replaces=replaces, source=source, saved_by=user,
                                  saved_at=self._clock())
            session.add(row)
            session.flush()
            if operators:
                session.execute(
                    insert(OperatorRow),
                    [_operator_values(row.id, position, op) for position, op in enumerate(operators)],
                )
            return _operator_list(row, operators)

        return self._save_on_current(OperatorListRow, label, based_on, write, _operator_list_of, operators)

    def load_operators(self, month: Month | str) -> OperatorList | None:
        """The month's current operator list, or None when none was saved."""
        with self._reading() as session:
            row = _current(session, OperatorListRow, _label(month))
            return None if row is None else _operator_list_of(session, row)

    def operator_list(self, list_id: int) -> OperatorList | None:
        """One saved list of any month, current or in the history; None for an id never saved."""
        with self._reading() as session:
            row = session.get(OperatorListRow, list_id)
            return None if row is None else _operator_list_of(session, row)

    def erase_personal_data(self, operator_id: str, *, by: str) -> int:
        """Blank the operator's address, district, home coordinates and phone in every stored list of every month
        (the right to erasure: 152-FZ art. 21, GDPR art. 17), and say in the audit log who did; the number of
        lists changed. Id, name, contract and shifts stay: they are the labour records a centre must keep.
        UnknownOperator, with nothing changed, for an id no list has."""
        _require_user(by)
        with self._writing() as session:
            lists = session.execute(
                update(OperatorRow).where(OperatorRow.operator_id == operator_id)
                .values(address="", district="", lat=None, lon=None, phone="")
            ).rowcount
            if not lists:
                raise UnknownOperator(operator_id)
            _audit(session, self._clock(), by, ERASE,
                   f"operator {operator_id}: address, district, home coordinates and phone erased from {lists} "
                   "stored lists")
        return lists

    def operator_history(self, month: Month | str) -> tuple[OperatorList, ...]:
        """Every list saved for the month, oldest first; the last one is current."""
        with self._reading() as session:
            rows = session.scalars(
                select(OperatorListRow).where(OperatorListRow.month == _label(month)).order_by(OperatorListRow.id)
            ).all()
            return tuple(_operator_list_of(session, row) for row in rows)

    # --- rules -------------------------------------------------------------------------------------------------

    def save_rules(self, month: Month | str, text: str, user: str, *, based_on: int | None) -> StoredRules:
        """Keep the month's rules, if the rules the caller changed (`based_on`: their id, None when the month had
        none) are still the current ones; else raise StaleInput, with nothing written. Text that is not valid
        YAML or breaks a rule raises InputError, unstored."""
        _require_user(user)
        label = _label(month)
        parse_rules_text(text, f"rules of {label}")

        def write(session: Session, replaces: int) -> StoredRules:
            return _stored_rules(_new_rule_set(session, label, text, user, self._clock(), replaces))

        return self._save_on_current(RuleSetRow, label, based_on, write, lambda _session, row: _stored_rules(row),
                                     text)

    def latest_rules(self, month: Month | str) -> StoredRules | None:
        """The month's current rules, as last saved for it (not a copy kept for a roster); None when none was."""
        with self._reading() as session:
            row = _current(session, RuleSetRow, _label(month))
            return None if row is None else _stored_rules(row)

    def _save_on_current(
        self,
        row_type: type[ChainRow],
        month: str,
        based_on: int | None,
        write: Callable[[Session, int], _Saved],
        stored: Callable[[Session, ChainRow], _Saved],
        refused: tuple[Operator, ...] | str,
    ) -> _Saved:
        """`write(session, replaces)` if the month's current row is still `based_on`, else StaleInput. A save on
        the same row committed between the check and the insert breaks the (month, replaces) unique constraint:
        refused the same way."""
        broken: IntegrityError | None = None
        try:
            with self._writing() as session:
                if _current_id(session, row_type, month) == based_on:
                    return write(session, based_on or 0)
        except IntegrityError as error:
            broken = error
        with self._reading() as session:
            current = _current(session, row_type, month)
            if broken is not None and (None if current is None else current.id) == based_on:
                raise broken  # not a save that came first: some other constraint
            what = "operators" if row_type is OperatorListRow else "rules"
            raise StaleInput(what, month, None if current is None else stored(session, current), based_on, refused)

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
                select(RosterVersionRow).where(RosterVersionRow.month == _label(month)).order_by(RosterVersionRow.number)
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

    # --- audit -------------------------------------------------------------------------------------------------

    def record_event(self, user: str, action: str, what: str, version_id: int | None = None) -> AuditEvent:
        """Note that `user` did `action` (PUBLISH, EXPORT, VIEW, USER_...) to `what`."""
        _require_user(user)
        with self._writing() as session:
            return _audit_event(_audit(session, self._clock(), user, action, what, version_id))

    def record_export(self, user: str, what: str, version_id: int | None = None) -> AuditEvent:
        """Note that `user` exported `what` (e.g. "taxi list 2026-12-05, PDF")."""
        return self.record_event(user, EXPORT, what, version_id)

    def audit_log(self, limit: int | None = None, *, actions: Collection[str] | None = None,
                  offset: int = 0) -> tuple[AuditEvent, ...]:
        """Publishes, exports, sign-ins and user changes, newest first; only those of `actions` when given, from
        the `offset`-th on (a page of the log)."""
        with self._reading() as session:
            query = _audit_of(select(AuditEventRow), actions)
            rows = session.scalars(query.order_by(AuditEventRow.id.desc()).offset(offset).limit(limit))
            return tuple(_audit_event(row) for row in rows)

    def audit_count(self, actions: Collection[str] | None = None) -> int:
        with self._reading() as session:
            return session.scalar(_audit_of(select(func.count()).select_from(AuditEventRow), actions)) or 0

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

    # --- wishes ------------------------------------------------------------------------------------------------
    # Operators enter their wishes for a month while its window is open (local days of the centre's time zone);
    # planners may enter or correct them at any time. Each save is checked as the operators file is
    # (`planner.wishes.with_wishes`) and kept; taking them into the month's operator list is a new stored list.

    def open_wishes(self, month: str, opens_on: date, closes_on: date, *, by: str) -> WishWindow:
        """Set the days in which operators enter their wishes for `month` (a later call moves them)."""
        _require_user(by)
        if closes_on < opens_on:
            raise WishesRefused(f"the window cannot close ({closes_on}) before it opens ({opens_on})")
        now = self._clock()
        with self._writing() as session:
            row = session.get(WishWindowRow, month) or WishWindowRow(month=month)
            row.opens_on, row.closes_on, row.opened_by, row.opened_at = opens_on, closes_on, by, now
            session.add(row)
            _audit(session, now, by, WISHES, f"wishes for {month} open from {opens_on} until {closes_on}")
            return WishWindow(month, opens_on, closes_on, by)

    def wish_window(self, month: str) -> WishWindow | None:
        with self._reading() as session:
            row = session.get(WishWindowRow, month)
            return None if row is None else WishWindow(row.month, row.opens_on, row.closes_on, row.opened_by)

    def save_wishes(self, month: str, wishes: Wishes, *, by: str) -> WishEntry:
        """Keep an operator's wishes for `month`. An operator enters their own, while the window is open; a
        planner anyone's, at any time. InputError (nothing kept) for a cell the operators file would refuse."""
        _require_user(by)
        with self._reading() as session:
            account = _user(_existing_user_row(session, by))
        listed = self.load_operators(month)
        operator = next((op for op in listed.operators if op.id == wishes.operator_id), None) if listed else None
        if operator is None:
            raise WishesRefused(f"{wishes.operator_id} is not in the operator list of {month}")
        rules = self._rules_of(month)
        if account.role is Role.OPERATOR:
            if account.operator_id != wishes.operator_id:
                raise WishesRefused(f"{by} may enter their own wishes only, not {wishes.operator_id}'s")
            window = self.wish_window(month)
            today = self._clock().astimezone(rules.timezone).date()
            if window is None or not window.is_open(today):
                when = "are not being collected" if window is None else                     f"were collected from {window.opens_on} until {window.closes_on}"
                raise WishesRefused(f"wishes for {month} {when}; ask the planner to change them")
        elif account.role is not Role.PLANNER:
            raise WishesRefused(f"{by} ({account.role}) may not enter wishes")
        with_wishes(operator, wishes, rules, f"wishes of {wishes.operator_id}")
        now = self._clock()
        with self._writing() as session:
            row = WishRow(month=month, operator_id=wishes.operator_id, entered_by=account.name, entered_at=now,
                          **{name: getattr(wishes, name).strip() for name in WISH_FIELDS})
            session.add(row)
            session.flush()
            return _wish_entry(row)

    def wishes(self, month: str) -> tuple[WishEntry, ...]:
        """Every save of wishes for `month`, oldest first."""
        with self._reading() as session:
            rows = session.scalars(select(WishRow).where(WishRow.month == month).order_by(WishRow.id))
            return tuple(_wish_entry(row) for row in rows)

    def apply_wishes(self, month: str, *, by: str) -> OperatorList:
        """The month's operator list with each operator's newest wishes in place, kept as its new version."""
        _require_user(by)
        listed = self.load_operators(month)
        if listed is None:
            raise WishesRefused(f"{month} has no operator list to take the wishes into")
        newest = {entry.wishes.operator_id: entry.wishes for entry in self.wishes(month)}
        rules = self._rules_of(month)
        operators = [with_wishes(op, newest[op.id], rules, f"wishes of {op.id}") if op.id in newest else op
                     for op in listed.operators]
        saved = self.save_operators(month, operators, by, source="wishes", based_on=listed.id)
        now = self._clock()
        with self._writing() as session:
            _audit(session, now, by, WISHES, f"wishes of {sum(op.id in newest for op in listed.operators)} "
                                             f"operator(s) taken into the operator list of {month}")
        return saved

    def _rules_of(self, month: str) -> Rules:
        stored = self.latest_rules(month)
        return parse_rules_text(stored.text) if stored is not None else parse_rules_text("{}")

    # --- users -------------------------------------------------------------------------------------------------
    # `by` names who makes a change, for the audit log. Names are matched trimmed and in lower case.

    def add_user(self, name: str, role: Role | str, password: str, *, by: str, teams: Iterable[str] = (),
                 operator: str | None = None) -> User:
        """A new active account (an operator's tied to the id `operator`). Refused, with nothing changed:
        UserExists when the name is taken, UserRefused for a bad name, role, team list or operator id or a
        password too short."""
        _require_user(by)
        name = check_user_name(name)
        role = _role(role)
        teams = user_teams(role, teams)
        operator = user_operator(role, operator)
        password_hash = hash_password(password, self._hasher)
        now = self._clock()
        row = UserRow(
            name=name,
            role=role,
            teams=list(teams),
            operator_id=operator,
            password_hash=password_hash,
            active=True,
            created_by=by,
            created_at=now,
            updated_by=by,
            updated_at=now,
        )
        try:
            with self._writing() as session:
                if _user_row(session, name) is not None:
                    raise UserExists(name)
                session.add(row)
                _audit(session, now, by, USER_ADD, f"user {name}: {describe_access(role, teams, operator)}")
        except IntegrityError as error:  # added by a concurrent session since the check
            raise UserExists(name) from error
        return _user(row)

    def get_user(self, name: str) -> User | None:
        with self._reading() as session:
            row = _user_row(session, name)
            return None if row is None else _user(row)

    def list_users(self) -> tuple[User, ...]:
        """Every account, disabled ones included, by name."""
        with self._reading() as session:
            return tuple(_user(row) for row in session.scalars(select(UserRow).order_by(UserRow.name)))

    def set_password(self, name: str, password: str, *, by: str) -> User:
        _require_user(by)
        password_hash = hash_password(password, self._hasher)
        now = self._clock()
        with self._writing() as session:
            row = _existing_user_row(session, name)
            _touch(row, by, now, password_hash=password_hash)
            _audit(session, now, by, USER_PASSWORD, f"user {row.name}: new password")
            return _user(row)

    def set_role(self, name: str, role: Role | str, *, by: str, teams: Iterable[str] = (),
                 operator: str | None = None) -> User:
        """Give the account `role` (and, for a supervisor, `teams`, or [ALL_TEAMS] for every team; for an
        operator, the operator id)."""
        _require_user(by)
        role = _role(role)
        teams = user_teams(role, teams)
        operator = user_operator(role, operator)
        now = self._clock()
        with self._writing() as session:
            row = _existing_user_row(session, name)
            if role is not Role.ADMIN:
                _require_another_admin(session, row)
            _touch(row, by, now, role=role, teams=list(teams), operator_id=operator)
            _audit(session, now, by, USER_ROLE, f"user {row.name}: {describe_access(role, teams, operator)}")
            return _user(row)

    def disable_user(self, name: str, *, by: str) -> User:
        """The account can no longer sign in; it stays in the list and in the audit log."""
        _require_user(by)
        now = self._clock()
        with self._writing() as session:
            row = _existing_user_row(session, name)
            if row.active:
                _require_another_admin(session, row)
                _touch(row, by, now, active=False)
                _audit(session, now, by, USER_DISABLE, f"user {row.name}: disabled")
            return _user(row)

    def enable_user(self, name: str, *, by: str) -> User:
        """A disabled account can sign in again, with the role and password it had."""
        _require_user(by)
        now = self._clock()
        with self._writing() as session:
            row = _existing_user_row(session, name)
            if not row.active:
                _touch(row, by, now, active=True)
                _audit(session, now, by, USER_ENABLE, f"user {row.name}: enabled")
            return _user(row)

    def authenticate(self, name: str, password: str) -> User | None:
        """The active user with this name and password, or None (unknown name, disabled or wrong password: the
        page must not tell which). A hash made with older parameters is replaced by one with the current ones.
        SignInThrottled, without a look at the password, after too many attempts (see FAILED_SIGN_INS_ALLOWED).
        Every attempt is in the audit log under the account's name — or, for a name that is no account (a
        password typed into the name field, say), under "unknown name" and a short hash that only groups the
        attempts."""
        now = self._clock()
        with self._reading() as session:
            row = _user_row(session, name)
            user, stored_hash = (None, None) if row is None else (_user(row), row.password_hash)
            who = row.name if row is not None else _unknown_name(name)
            throttled = _sign_in_throttle(session, who, now)
        if throttled is not None:
            with self._writing() as session:
                _audit(session, now, who, SIGN_IN_THROTTLED, f"refused unchecked: {throttled}")
            raise throttled
        sign_in = check_sign_in(user, stored_hash, password, self._hasher)
        with self._writing() as session:
            if sign_in.user is None:
                _audit(session, now, who, SIGN_IN_REFUSED, "wrong name or password, or a disabled account")
                return None
            _audit(session, now, sign_in.user.name, SIGN_IN, f"user {sign_in.user.name}")
            if sign_in.new_hash is not None:
                # Only if the password was not changed meanwhile.
                session.execute(
                    update(UserRow)
                    .where(UserRow.name == sign_in.user.name, UserRow.password_hash == stored_hash)
                    .values(password_hash=sign_in.new_hash)
                )
        return sign_in.user


def _unknown_name(typed: str) -> str:
    # Truncated to 32 bits, the hash cannot give back what was typed (many texts share it) yet groups the retries.
    normal = " ".join(typed.split()).lower()[:MAX_TYPED_NAME]
    return f"unknown name #{hashlib.sha256(normal.encode()).hexdigest()[:8]}"


def _sign_in_throttle(session: Session, who: str, now: datetime) -> SignInThrottled | None:
    attempts = (SIGN_IN, SIGN_IN_REFUSED, SIGN_IN_THROTTLED)
    last_minute = session.scalars(
        select(AuditEventRow.at).where(AuditEventRow.action.in_(attempts), AuditEventRow.at > now - MINUTE)
        .order_by(AuditEventRow.at.desc()).limit(SIGN_INS_PER_MINUTE)).all()
    if len(last_minute) >= SIGN_INS_PER_MINUTE:
        return SignInThrottled(last_minute[-1] + MINUTE - now, for_name=False)
    last_success = session.scalar(select(func.max(AuditEventRow.at)).where(
        AuditEventRow.action == SIGN_IN, AuditEventRow.username == who))
    since = max(now - FAILED_SIGN_IN_WINDOW, last_success) if last_success else now - FAILED_SIGN_IN_WINDOW
    failures = session.scalars(
        select(AuditEventRow.at).where(AuditEventRow.action == SIGN_IN_REFUSED, AuditEventRow.username == who,
                                       AuditEventRow.at > since)
        .order_by(AuditEventRow.at.desc()).limit(FAILED_SIGN_INS_ALLOWED)).all()
    if len(failures) >= FAILED_SIGN_INS_ALLOWED:
        return SignInThrottled(failures[-1] + FAILED_SIGN_IN_WINDOW - now, for_name=True)
    return None


def _minutes_up(wait: timedelta) -> int:
    return max(1, math.ceil(wait.total_seconds() / 60))


def _next_number(session: Session, month: str) -> int:
    last = session.scalar(select(func.max(RosterVersionRow.number)).where(RosterVersionRow.month == month))
    return (last or 0) + 1


def _audit_of(query: Select, actions: Collection[str] | None) -> Select:
    return query if actions is None else query.where(AuditEventRow.action.in_(sorted(actions)))


# ---------------------------------------------------------------------------------------------------------------
# Steps of a save (module functions, so a test can make one fail half-way)
# ---------------------------------------------------------------------------------------------------------------


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
    result = session.execute(
        update(RosterVersionRow)
        .where(condition)
        .values(revision=RosterVersionRow.revision + 1, updated_by=user, updated_at=now, **changes)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
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


def _wish_entry(row: WishRow) -> WishEntry:
    wishes = Wishes(row.operator_id, **{name: getattr(row, name) for name in WISH_FIELDS})
    return WishEntry(row.id, row.month, wishes, row.entered_by, row.entered_at)


def _swap_info(row: SwapRow) -> SwapInfo:
    swap = Swap(row.kind, row.from_operator, row.from_day, row.to_operator, row.to_day)  # type: ignore[arg-type]
    return SwapInfo(row.id, row.version_id, swap, row.status, row.reason, row.asked_by, row.asked_at,
                    row.answered_by, row.decided_by)


def _audit(
    session: Session, now: datetime, user: str, action: str, what: str, version_id: int | None = None
) -> AuditEventRow:
    row = AuditEventRow(at=now, username=user, action=action, what=what, version_id=version_id)
    session.add(row)
    session.flush()
    return row


def _user_row(session: Session, name: str) -> UserRow | None:
    try:
        name = check_user_name(name)
    except UserRefused:
        return None  # no account can have such a name
    return session.scalars(select(UserRow).where(UserRow.name == name)).first()


def _existing_user_row(session: Session, name: str) -> UserRow:
    row = _user_row(session, name)
    if row is None:
        raise UnknownUser(name)
    return row


def _require_another_admin(session: Session, row: UserRow) -> None:
    """Refuse to take the admin role from the last active admin (by a new role or by disabling)."""
    if row.role != Role.ADMIN or not row.active:
        return
    others = session.scalar(
        select(func.count())
        .select_from(UserRow)
        .where(UserRow.role == Role.ADMIN, UserRow.active.is_(True), UserRow.id != row.id)
    )
    if not others:
        raise LastAdmin(row.name)


def _touch(row: UserRow, by: str, now: datetime, **changes: Any) -> None:
    for column, value in changes.items():
        setattr(row, column, value)
    row.updated_by = by
    row.updated_at = now


def _newest_forecast(session: Session, month: str) -> ForecastRow | None:
    """Each upload adds a row; the latest one counts."""
    return session.scalars(
        select(ForecastRow).where(ForecastRow.month == month).order_by(ForecastRow.id.desc()).limit(1)
    ).first()


def _current(session: Session, row_type: type[ChainRow], month: str) -> ChainRow | None:
    """The month's current operator list or rules: the newest save of them (a rule set kept only for a roster
    replaces nothing and is not one)."""
    return session.scalars(
        select(row_type).where((row_type.month == month) & row_type.replaces.is_not(None))
        .order_by(row_type.id.desc()).limit(1)
    ).first()


def _current_id(session: Session, row_type: type[ChainRow], month: str) -> int | None:
    """The id of `_current` (a module function, so a test can hold two saves between the check and the insert)."""
    current = _current(session, row_type, month)
    return None if current is None else current.id


def _rule_set_id(session: Session, month: str, text: str, user: str, now: datetime) -> int:
    """The rule set a roster is kept with: the month's current rules if they have this text (saving a roster
    again with unchanged rules adds no copy), else a copy that leaves the month's rules as they are."""
    current = _current(session, RuleSetRow, month)
    if current is not None and current.sha256 == _sha256(text):
        return current.id
    return _new_rule_set(session, month, text, user, now, replaces=None).id


def _new_rule_set(session: Session, month: str, text: str, user: str, now: datetime,
                  replaces: int | None) -> RuleSetRow:
    row = RuleSetRow(month=month, replaces=replaces, text=text, sha256=_sha256(text), saved_by=user, saved_at=now)
    session.add(row)
    session.flush()
    return row


# ---------------------------------------------------------------------------------------------------------------
# Rows <-> domain values
# ---------------------------------------------------------------------------------------------------------------


def _label(month: Month | str) -> str:
    if isinstance(month, Month):
        return month.label
    if not isinstance(month, str) or not _MONTH_LABEL.fullmatch(month):
        raise ValueError(f"month must be a Month or YYYY-MM, got {month!r}")
    return month


def _month(label: str, timezone: str, country: str) -> Month:
    year, month = label.split("-")
    return Month(int(year), int(month), timezone, country)


def _require_user(user: str) -> None:
    if not isinstance(user, str) or not user.strip():
        raise ValueError(f"user must be a non-empty name, got {user!r}")


def _role(role: Role | str) -> Role:
    try:
        return Role(role)
    except ValueError:
        raise UserRefused(
            f"unknown role {role!r}: choose {', '.join(str(known) for known in Role)}"
        ) from None


def _require_unique_ids(operators: Sequence[Operator]) -> None:
    seen: set[str] = set()
    for op in operators:
        if op.id in seen:
            raise ValueError(f"operator id {op.id!r} appears twice in the list")
        seen.add(op.id)


def _require_same_month(row: RosterVersionRow, month: Month) -> None:
    if (row.month, row.timezone, row.country) != (month.label, month.timezone, month.country):
        raise ValueError(
            f"roster version {row.id} is of {row.month} ({row.timezone}, {row.country}), "
            f"the roster given is of {month.label} ({month.timezone}, {month.country})"
        )


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _forecast_summary(forecast: Forecast) -> dict[str, float]:
    return {"hours": len(forecast.calls), "calls": sum(forecast.calls), "peak_calls": max(forecast.calls)}


def _stored_forecast(row: ForecastRow) -> StoredForecast:
    month = _month(row.month, row.timezone, row.country)
    return StoredForecast(
        id=row.id,
        forecast=Forecast(month, tuple(row.calls), tuple(row.aht_sec), source=row.filename),
        filename=row.filename,
        content=row.content,
        summary=row.summary,
        uploaded_by=row.uploaded_by,
        uploaded_at=row.uploaded_at,
    )


def _operator_values(list_id: int, position: int, op: Operator) -> dict[str, Any]:
    return {
        "list_id": list_id,
        "position": position,
        "operator_id": op.id,
        "name": op.name,
        "rate": op.rate,
        "earliest_start": op.earliest_start,
        "latest_end": op.latest_end,
        "unavailable": sorted(day.isoformat() for day in op.unavailable),
        "days_off_wished": sorted(day.isoformat() for day in op.days_off_wished),
        "team": op.team,
        "address": op.address,
        "district": op.district,
        "lat": op.lat,
        "lon": op.lon,
        "phone": op.phone,
        "max_consecutive_days": op.max_consecutive_days,
        "max_working_weekends": op.max_working_weekends,
        "shift_requests": [str(wish) for wish in sorted(op.shift_requests)],
        "weekly_hours": [[hours.weekday, hours.earliest_start, hours.latest_end] for hours in op.weekly_hours],
    }


def _operators_of(session: Session, list_id: int) -> tuple[Operator, ...]:
    rows = session.scalars(select(OperatorRow).where(OperatorRow.list_id == list_id).order_by(OperatorRow.position))
    return tuple(
        Operator(
            id=row.operator_id,
            name=row.name,
            rate=row.rate,
            earliest_start=row.earliest_start,
            latest_end=row.latest_end,
            unavailable=frozenset(map(date.fromisoformat, row.unavailable)),
            days_off_wished=frozenset(map(date.fromisoformat, row.days_off_wished)),
            team=row.team,
            address=row.address,
            district=row.district,
            lat=row.lat,
            lon=row.lon,
            phone=row.phone,
            max_consecutive_days=row.max_consecutive_days,
            max_working_weekends=row.max_working_weekends,
            shift_requests=frozenset(map(ShiftWish.parse, row.shift_requests or ())),
            weekly_hours=tuple(WeeklyHours(*hours) for hours in row.weekly_hours or ()),
        )
        for row in rows
    )


def _operator_list(row: OperatorListRow, operators: tuple[Operator, ...]) -> OperatorList:
    return OperatorList(row.id, row.month, operators, row.source, row.saved_by, row.saved_at)


def _operator_list_of(session: Session, row: OperatorListRow) -> OperatorList:
    return _operator_list(row, _operators_of(session, row.id))


def _stored_rules(row: RuleSetRow) -> StoredRules:
    return StoredRules(row.id, row.month, row.text, row.saved_by, row.saved_at)


def _shift_values(roster: Roster) -> list[dict[str, Any]]:
    """Shift rows in the roster's order; every instant must be a real moment of the month's zone, so that it
    comes back as given."""
    tz = roster.month.tz
    return [
        {
            "operator_id": shift.operator_id,
            "start": _instant_of(shift.start, tz, shift),
            "end": _instant_of(shift.end, tz, shift),
            "breaks": [_instant_of(moment, tz, shift).isoformat() for moment in shift.breaks],
        }
        for shift in roster.shifts
    ]


def _instant_of(moment: datetime, tz: ZoneInfo, shift: Shift) -> datetime:
    if getattr(moment.tzinfo, "key", None) != tz.key:
        raise ValueError(f"shift of {shift.operator_id}: {moment!r} is not in the month's zone {tz.key}")
    utc = moment.astimezone(UTC)
    back = utc.astimezone(tz)
    if back.replace(tzinfo=None) != moment.replace(tzinfo=None) or back.utcoffset() != moment.utcoffset():
        raise ValueError(
            f"shift of {shift.operator_id}: {moment:%Y-%m-%d %H:%M} does not exist in {tz.key} (the clocks skip it)"
        )
    return utc


def _shift(row: ShiftRow, tz: ZoneInfo) -> Shift:
    return _shift_in(tz, row.operator_id, row.start, row.end, row.breaks)


def _shift_in(tz: ZoneInfo, operator_id: str, start: datetime, end: datetime, breaks: list[str]) -> Shift:
    return Shift(
        operator_id,
        start.astimezone(tz),
        end.astimezone(tz),
        tuple(datetime.fromisoformat(moment).astimezone(tz) for moment in breaks),
    )


def _working_copy(row: WorkingCopyRow, month: Month) -> WorkingCopy:
    shifts = tuple(
        _shift_in(month.tz, values["operator_id"], datetime.fromisoformat(values["start"]),
                  datetime.fromisoformat(values["end"]), values["breaks"])
        for values in row.shifts
    )
    return WorkingCopy(
        version_id=row.version_id,
        base_revision=row.base_revision,
        roster=Roster(month, shifts),
        locks=frozenset((operator_id, date.fromisoformat(day)) for operator_id, day in row.locks),
        edits=tuple(CellEdit(op_id, date.fromisoformat(day), before, after) for op_id, day, before, after in row.edits),
        report=row.report,
        rules_text=row.rules_text,
        updated_at=row.updated_at,
    )


def _delete_working_copy(session: Session, version_id: int, user: str) -> None:
    session.execute(
        delete(WorkingCopyRow).where(WorkingCopyRow.version_id == version_id, WorkingCopyRow.username == user)
    )


def _version_info(row: RosterVersionRow) -> VersionInfo:
    return VersionInfo(
        id=row.id,
        month=row.month,
        number=row.number,
        status=row.status,
        revision=row.revision,
        created_by=row.created_by,
        created_at=row.created_at,
        updated_by=row.updated_by,
        updated_at=row.updated_at,
        published_by=row.published_by,
        published_at=row.published_at,
    )


def _audit_event(row: AuditEventRow) -> AuditEvent:
    return AuditEvent(row.id, row.at, row.username, row.action, row.what, row.version_id)


def _user(row: UserRow) -> User:
    return User(row.name, Role(row.role), tuple(row.teams), row.active, row.operator_id)
