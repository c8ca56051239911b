"""Where the planner's database lives, and connections that make every save all-or-nothing.

- `PLANNER_DATABASE_URL`: a SQLAlchemy URL, e.g. `postgresql://planner:secret@db.example/planner` (the psycopg 3
  driver is used for `postgresql://`). When set, it wins.
- `PLANNER_DB_PATH`: the SQLite file used otherwise; default `planner.db` in the working directory. Its folder
  is created if missing.

SQLite is set up for several users of one page and for a process killed mid-save:
- write-ahead log, so readers never wait for a writer, and `synchronous=FULL`, so a committed save survives
  a power cut as well as a kill;
- SQLAlchemy emits `BEGIN` itself (Python's sqlite3 driver would start a transaction only at the first
  write, so two reads of one function could see two states); writes begin with `BEGIN IMMEDIATE`, which takes
  the write lock first and waits for another writer instead of failing half-way with "database is locked";
- foreign keys enforced (SQLite leaves them off by default);
- the file is created readable and writable by its owner only: it holds operators' addresses and phones (SQLite
  gives its -wal and -shm files the database file's mode). A file that exists already keeps its mode.

Errors never show the values bound to a statement (`hide_parameters`): a failed save of the operators would
otherwise print their addresses and phones into the log and the page.

On PostgreSQL, reads run as REPEATABLE READ, so a roster and its locks are read from one snapshot; writes
stay READ COMMITTED, where a conditional UPDATE waits for a concurrent save and then sees its revision.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import URL, make_url

__all__ = [
    "DATABASE_URL_VARIABLE",
    "DB_PATH_VARIABLE",
    "DEFAULT_DB_PATH",
    "database_url",
    "create_store_engine",
    "reading",
    "writing",
]

DATABASE_URL_VARIABLE = "PLANNER_DATABASE_URL"
DB_PATH_VARIABLE = "PLANNER_DB_PATH"
DEFAULT_DB_PATH = "planner.db"

_WRITE = "planner_write"
_SQLITE_BUSY_TIMEOUT_SEC = 30


def database_url(environ: Mapping[str, str] = os.environ) -> URL:
    """The database the environment names (see the module docstring)."""
    if url := environ.get(DATABASE_URL_VARIABLE, "").strip():
        return make_url(url)
    path = Path(environ.get(DB_PATH_VARIABLE, "").strip() or DEFAULT_DB_PATH).expanduser()
    return URL.create("sqlite", database=str(path))


def create_store_engine(url: str | URL) -> Engine:
    url = make_url(url)
    if url.drivername == "postgresql":
        # SQLAlchemy 2.0 still defaults to psycopg2; the planner ships psycopg 3.
        url = url.set(drivername="postgresql+psycopg")
    if url.get_backend_name() != "sqlite":
        return create_engine(url, pool_pre_ping=True, hide_parameters=True)
    if url.database and url.database != ":memory:":
        _create_owner_only(Path(url.database))
    engine = create_engine(url, connect_args={"timeout": _SQLITE_BUSY_TIMEOUT_SEC}, hide_parameters=True)
    event.listen(engine, "connect", _configure_sqlite)
    event.listen(engine, "begin", _begin_sqlite)
    return engine


def _create_owner_only(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        # O_EXCL: created here with mode 0600 (less under a stricter umask), or left exactly as it was.
        os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
    except FileExistsError:
        pass


def reading(engine: Engine) -> Engine:
    if engine.dialect.name == "postgresql":
        return engine.execution_options(isolation_level="REPEATABLE READ")
    return engine


def writing(engine: Engine) -> Engine:
    return engine.execution_options(**{_WRITE: True})


def _configure_sqlite(dbapi_connection: Any, _record: object) -> None:
    dbapi_connection.isolation_level = None  # transactions are begun by `_begin_sqlite`
    cursor = dbapi_connection.cursor()
    for pragma in ("journal_mode=WAL", "synchronous=FULL", "foreign_keys=ON"):
        cursor.execute(f"PRAGMA {pragma}")
    cursor.close()


def _begin_sqlite(connection: Connection) -> None:
    connection.exec_driver_sql("BEGIN IMMEDIATE" if connection.get_execution_options().get(_WRITE) else "BEGIN")
