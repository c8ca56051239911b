"""The planner's database: forecasts, operator lists, rule sets, roster versions with every manual edit, users,
and an audit log of publishes, exports and user changes.

    from planner.store import open_store

    with open_store() as store:
        info = store.create_draft(result.roster, report, rules_text, user="anna")
        ...
        store.save_draft(info.id, info.revision, edited_roster, locks, edits, user="anna")

Where the data lives (read by `open_store()` without an argument):
- `PLANNER_DATABASE_URL`: a database URL such as `postgresql://planner:secret@db.example/planner`; when set,
  PostgreSQL (or any database SQLAlchemy knows) is used.
- `PLANNER_DB_PATH`: otherwise, the SQLite file; default `./planner.db`.

`open_store` creates or upgrades the schema itself (Alembic, `planner.store.migrations.upgrade_to_head`).
What is stored, in which form and why, and how concurrent saves are refused instead of lost:
`planner.store.repository`.
"""

from planner.store.access import AccountStore, NotPermitted
from planner.store.database import DATABASE_URL_VARIABLE, DB_PATH_VARIABLE, database_url
from planner.store.migrations import upgrade_to_head
from planner.store.repository import (
    AUDIT_KINDS,
    VIEW,
    AuditEvent,
    CellEdit,
    EditRecord,
    LastAdmin,
    NotADraft,
    OperatorList,
    SignInThrottled,
    StaleInput,
    StaleVersion,
    Store,
    StoredForecast,
    StoredRoster,
    StoredRules,
    StoreError,
    SwapInfo,
    SwapRefused,
    UnknownOperator,
    UnknownUser,
    UnknownVersion,
    UserExists,
    VersionInfo,
    WishEntry,
    WishesRefused,
    WishWindow,
    open_store,
)

__all__ = [
    "AccountStore",
    "NotPermitted",
    "DATABASE_URL_VARIABLE",
    "DB_PATH_VARIABLE",
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
    "UnknownOperator",
    "UnknownUser",
    "UnknownVersion",
    "UserExists",
    "VersionInfo",
    "WishEntry",
    "WishesRefused",
    "WishWindow",
    "database_url",
    "open_store",
    "upgrade_to_head",
]
