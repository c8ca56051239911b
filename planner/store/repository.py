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

The parts, one module each: `inputs` (forecasts, operator lists, rule sets, wishes), `rosters` (versions,
edits, working copies, swaps), `accounts` (users, sign-ins, the audit log); `records` are what they return,
`refusals` what they raise, `convert` turns rows into domain values and back, `base` holds the sessions.

Times: every instant is stored in UTC and returned as an aware datetime (UTC for the bookkeeping times, the
month's zone for shifts). Naive datetimes are refused.
"""

from __future__ import annotations

from argon2 import PasswordHasher
from sqlalchemy.engine import URL

from planner.grid import CellEdit
from planner.store.accounts import Accounts
from planner.store.base import AUDIT_KINDS, VIEW
from planner.store.database import create_store_engine, database_url
from planner.store.inputs import Inputs
from planner.store.migrations import upgrade_to_head
from planner.store.records import (
    AuditEvent,
    EditRecord,
    OperatorList,
    StoredForecast,
    StoredRoster,
    StoredRules,
    SwapInfo,
    VersionInfo,
    WishEntry,
    WishWindow,
    WorkingCopy,
)
from planner.store.refusals import (
    LastAdmin,
    NotADraft,
    SignInThrottled,
    StaleInput,
    StaleVersion,
    StoreError,
    SwapRefused,
    UnknownOperator,
    UnknownUser,
    UnknownVersion,
    UserExists,
    WishesRefused,
)
from planner.store.rosters import Rosters

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


class Store(Inputs, Rosters, Accounts):
    """The planner's database, one transaction per call (module docstring)."""


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
