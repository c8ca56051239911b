"""Accounts and the audit log: users, passwords, sign-ins and who did what."""

from __future__ import annotations

import hashlib
from collections.abc import Collection, Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import Select, func, select, update
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
    user_operator,
    user_teams,
)
from planner.store.base import (
    EXPORT,
    FAILED_SIGN_IN_WINDOW,
    FAILED_SIGN_INS_ALLOWED,
    MAX_TYPED_NAME,
    MINUTE,
    SIGN_IN,
    SIGN_IN_REFUSED,
    SIGN_IN_THROTTLED,
    SIGN_INS_PER_MINUTE,
    USER_ADD,
    USER_DISABLE,
    USER_ENABLE,
    USER_PASSWORD,
    USER_ROLE,
    StoreBase,
)
from planner.store.convert import _audit_event, _require_user, _role, _user
from planner.store.records import AuditEvent
from planner.store.refusals import LastAdmin, SignInThrottled, UnknownUser, UserExists
from planner.store.schema import AuditEventRow, UserRow


class Accounts(StoreBase):
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


def _audit_of(query: Select, actions: Collection[str] | None) -> Select:
    return query if actions is None else query.where(AuditEventRow.action.in_(sorted(actions)))


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
