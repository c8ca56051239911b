"""What every part of the store shares: the audit log's actions, the sign-in limits and the sessions."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from typing import Self

from argon2 import PasswordHasher
from sqlalchemy import Delete, Engine, Update
from sqlalchemy.engine import CursorResult
from sqlalchemy.orm import Session

from planner.auth import password_hasher
from planner.store.database import reading, writing

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


def rows_changed(session: Session, statement: Update | Delete) -> int:
    """Run an UPDATE or DELETE; the rows it changed (only a cursor's result counts them)."""
    result = session.execute(statement)
    if not isinstance(result, CursorResult):
        raise TypeError(f"{type(result).__name__} does not count the rows changed")
    return result.rowcount


def _utc_now() -> datetime:
    return datetime.now(UTC)


class StoreBase:
    """The engine and its sessions; the parts of `Store` add what each keeps."""

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

    def __enter__(self) -> Self:
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
