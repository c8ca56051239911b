"""Fixtures shared by several test modules."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fuzzing import fuzzing
from hypothesis import settings
from pg import PostgresServer, PostgresUnavailable
from ui_pages import seed_small_month
from sqlalchemy.engine import URL

from planner.store import Store

# Outside `make fuzz` every property test sees the same examples on every run, so CI passes or fails on the code,
# never on which random examples it drew.
settings.register_profile("repeatable", derandomize=True)
if not fuzzing():
    settings.load_profile("repeatable")


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """One throwaway PostgreSQL server for the whole run. Missing binaries fail the tests, never skip them:
    CI must prove the PostgreSQL path."""
    try:
        with PostgresServer.running() as server:
            yield server
    except PostgresUnavailable as exc:
        pytest.fail(str(exc), pytrace=False)


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path) -> URL:
    """A fresh, empty database of each kind the planner supports."""
    if request.param == "sqlite":
        return URL.create("sqlite", database=str(tmp_path / "planner.db"))
    server: PostgresServer = request.getfixturevalue("postgres_server")
    return server.create_database()


@pytest.fixture
def small_month_store(tmp_path, monkeypatch) -> Iterator[Store]:
    """The pages' database: a temp SQLite file, named to the app through the environment, holding the tiny
    February of tests/ui_pages.py (forecast, rules, 12 operators)."""
    monkeypatch.delenv("PLANNER_DATABASE_URL", raising=False)
    monkeypatch.setenv("PLANNER_DB_PATH", str(tmp_path / "planner.db"))
    with seed_small_month(tmp_path / "planner.db") as opened:
        yield opened
