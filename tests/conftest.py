"""Fixtures shared by several test modules."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from hypothesis import settings
from sqlalchemy.engine import URL
from streamlit.runtime.media_file_manager import MediaFileManager

from helpers.fuzzing import fuzzing
from helpers.pg import PostgresServer, PostgresUnavailable
from helpers.ui_pages import seed_small_month
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
    February of tests/helpers/ui_pages.py (forecast, rules, 12 operators)."""
    monkeypatch.delenv("PLANNER_DATABASE_URL", raising=False)
    monkeypatch.setenv("PLANNER_DB_PATH", str(tmp_path / "planner.db"))
    with seed_small_month(tmp_path / "planner.db") as opened:
        yield opened


class Downloads:
    """The download buttons' files as the browser gets them: a page's button hands Streamlit a callable that runs
    when the browser asks for the file, which AppTest never does; `fetch` does, for the button drawn last with
    `key`."""

    def __init__(self) -> None:
        self._makers: dict[str, Callable[[], str | bytes]] = {}

    def fetch(self, key: str) -> str | bytes:
        return self._makers[key]()

    def keep(self, element_id: str, make: Callable[[], str | bytes]) -> None:
        self._makers[element_id.rsplit("-", 1)[-1]] = make


@pytest.fixture
def downloads(monkeypatch) -> Downloads:
    kept = Downloads()
    register = MediaFileManager.add_deferred

    def add_deferred(self, data_callable, *args, element_id: str = "", **kwargs):
        kept.keep(element_id, data_callable)
        return register(self, data_callable, *args, element_id=element_id, **kwargs)

    monkeypatch.setattr(MediaFileManager, "add_deferred", add_deferred)
    return kept
