"""The store's refusals: a save that would lose or break something is refused whole, with the reason."""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import timedelta

from planner.domain import Operator, Roster
from planner.errors import PlannerError
from planner.grid import CellEdit
from planner.store.base import Cell
from planner.store.records import OperatorList, StoredRules, VersionInfo
from planner.validate import Violation


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


def _minutes_up(wait: timedelta) -> int:
    return max(1, math.ceil(wait.total_seconds() / 60))
