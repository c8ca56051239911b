"""Fixtures shared by several test modules."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from pg import PostgresServer, PostgresUnavailable
from sqlalchemy.engine import URL


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
