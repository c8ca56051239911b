"""The store as one signed-in account may use it (issue 15, item 4).

The page hands every store call to `AccountStore(store, account)`: the call runs only when that account's
permission allows it, and only in the account's own name — a call recording another user as the one who saved,
exported or changed something is refused. What a role may not see is never returned: drafts are left out of a
supervisor's versions, and an admin's operator lists come without addresses, phones or home coordinates.
A method missing from `REQUIRED` is refused, so a new store method stays closed until it is given a permission
here.

Sign-in and the first start use the plain `Store`, which has no account yet to check; so do the command line
and the benchmarks, which run as whoever may open the database itself.

    store = AccountStore(open_store(), account)
    store.load_operators("2026-12")   # NotPermitted for nobody; personal data stripped for an admin
"""

from __future__ import annotations

import inspect
from dataclasses import replace
from typing import Any

from planner.auth import Permissions, User, visible_operators
from planner.store.repository import OperatorList, Store, StoredRoster, StoreError, VersionInfo

__all__ = ["REQUIRED", "AccountStore", "NotPermitted", "may_call"]

# Each store call the page makes, and the permissions (`planner.auth.Permissions`) of which it needs one. An
# operator's own schedule uses the calls that read rosters, cut down to their own rows by `_visible`.
OWN_OR_ALL = ("can_see_published_rosters", "can_see_own_schedule")
REQUIRED: dict[str, str | tuple[str, ...]] = {
    "months": OWN_OR_ALL,
    "latest_forecast": "can_see_published_rosters",
    "latest_rules": OWN_OR_ALL,
    "list_versions": OWN_OR_ALL,
    "load_roster": OWN_OR_ALL,
    "record_event": "can_see_published_rosters",
    "record_export": "can_export",
    "load_operators": OWN_OR_ALL,
    "operator_names": OWN_OR_ALL,
    "ask_swap": "can_see_own_schedule",
    "answer_swap": "can_see_own_schedule",
    "swaps": ("can_see_own_schedule", "can_approve_swaps"),
    "decide_swap": "can_approve_swaps",
    "open_wishes": "can_edit_rosters",
    "wish_window": OWN_OR_ALL,
    "save_wishes": ("can_see_own_schedule", "can_edit_rosters"),
    "wishes": ("can_see_own_schedule", "can_edit_rosters"),
    "apply_wishes": "can_edit_rosters",
    "operator_list": "can_edit_rosters",
    "operator_history": "can_edit_rosters",
    "save_forecast": "can_edit_rosters",
    "save_operators": "can_edit_rosters",
    "save_rules": "can_edit_rosters",
    "create_draft": "can_edit_rosters",
    "save_draft": "can_edit_rosters",
    "publish": "can_edit_rosters",
    "edit_history": "can_see_drafts",
    "keep_working_copy": "can_edit_rosters",
    "working_copy": "can_edit_rosters",
    "discard_working_copy": "can_edit_rosters",
    "audit_log": "can_see_audit_log",
    "audit_count": "can_see_audit_log",
    "list_users": "can_manage_users",
    "add_user": "can_manage_users",
    "set_role": "can_manage_users",
    "set_password": "can_manage_users",
    "disable_user": "can_manage_users",
    "enable_user": "can_manage_users",
    "erase_personal_data": "can_manage_users",
}

# The arguments that name who acts, as the audit log and the edit history record it.
_ACTING = ("user", "by")


class NotPermitted(StoreError, PermissionError):
    """The current account may not make this store call; the message says which and why."""


class AccountStore:
    """`store` as `account` may use it (None: nobody signed in, who may do nothing)."""

    def __init__(self, store: Store, account: User | None) -> None:
        self._store = store
        self.account = account
        self.permissions = Permissions.of(account)

    def __getattr__(self, name: str) -> Any:
        if name not in REQUIRED:
            raise NotPermitted(f"the page may not call Store.{name}: it has no permission in planner.store.access")
        call = getattr(self._store, name)

        def checked(*args: Any, **kwargs: Any) -> Any:
            self._check(name, args, kwargs)
            return _visible(name, call(*args, **kwargs), self.permissions)

        return checked

    def _check(self, name: str, args: tuple, kwargs: dict) -> None:
        who = self.account.name if self.account is not None else "nobody"
        if not may_call(self.permissions, name):
            raise NotPermitted(f"{who} ({self.permissions.role or 'not signed in'}) may not {name.replace('_', ' ')}")
        arguments = inspect.signature(getattr(Store, name)).bind(self._store, *args, **kwargs).arguments
        for acting in _ACTING:
            if acting in arguments and arguments[acting] != who:
                raise NotPermitted(f"{who} may not {name.replace('_', ' ')} in the name of {arguments[acting]!r}")


def may_call(permissions: Permissions, name: str) -> bool:
    """Whether an account with `permissions` may make the store call `name` (False for a call not in REQUIRED)."""
    needed = REQUIRED.get(name, ())
    return any(getattr(permissions, permission) for permission in ((needed,) if isinstance(needed, str) else needed))


def _visible(name: str, result: Any, permissions: Permissions) -> Any:
    """What the account may see of a call's result: published versions only without the right to see drafts,
    operators without personal data without the right to see it, and an operator only their own rows."""
    if isinstance(result, StoredRoster):
        if not _may_see(result.info, permissions):
            raise NotPermitted(f"roster version {result.info.number} of {result.info.month} is a draft: "
                               f"{permissions.role} may see published versions only")
        return _own_roster(result, permissions.operator_id) if permissions.sees_only_own else result
    if name == "list_versions":
        return tuple(info for info in result if _may_see(info, permissions))
    if name == "wishes" and permissions.sees_only_own:
        return tuple(entry for entry in result if entry.wishes.operator_id == permissions.operator_id)
    if name == "swaps" and permissions.sees_only_own:
        return tuple(info for info in result if permissions.operator_id in (info.swap.from_operator,
                                                                            info.swap.to_operator))
    if isinstance(result, OperatorList) and not permissions.can_see_personal_data:
        return replace(result, operators=tuple(visible_operators(result.operators, permissions)))
    return result


def _own_roster(stored: StoredRoster, operator_id: str | None) -> StoredRoster:
    """The operator's own shifts and locks; the solve's report, which speaks of everyone, left out."""
    shifts = tuple(shift for shift in stored.roster.shifts if shift.operator_id == operator_id)
    return replace(stored, roster=replace(stored.roster, shifts=shifts), report={},
                   locks=frozenset(cell for cell in stored.locks if cell[0] == operator_id))


def _may_see(info: VersionInfo, permissions: Permissions) -> bool:
    return info.is_published or permissions.can_see_drafts
