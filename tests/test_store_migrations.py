"""planner.store.migrations and planner.store.database, on SQLite and on a real PostgreSQL server."""

from __future__ import annotations

import os
import stat

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from argon2 import profiles
from sqlalchemy import inspect, text
from sqlalchemy.engine import URL
from sqlalchemy.exc import DBAPIError

from planner.auth import password_hasher
from planner.store import StaleInput, open_store
from planner.store.database import create_store_engine, database_url, writing
from planner.store.migrations import alembic_config, current_revision, head_revision, upgrade_to_head
from planner.store.schema import Base

TABLES = {
    "alembic_version", "audit_events", "forecasts", "locked_cells", "operator_lists", "operators", "roster_edits",
    "roster_versions", "rule_sets", "shifts", "swaps", "users", "wish_windows", "wishes", "working_copies",
}


@pytest.fixture
def engine(database_url):
    created = create_store_engine(database_url)
    yield created
    created.dispose()


def schema(engine) -> dict[str, list[tuple[str, str, bool]]]:
    inspector = inspect(engine)
    return {
        table: [(c["name"], str(c["type"]), c["nullable"]) for c in inspector.get_columns(table)]
        for table in sorted(inspector.get_table_names())
    }


def test_a_fresh_database_is_created_at_the_newest_migration(engine):
    assert current_revision(engine) is None
    assert inspect(engine).get_table_names() == []

    upgrade_to_head(engine)

    assert current_revision(engine) == head_revision()
    assert set(inspect(engine).get_table_names()) == TABLES


def test_upgrading_twice_changes_nothing(engine):
    upgrade_to_head(engine)
    with open_store(engine.url) as store:
        store.record_export("anna", "roster 2026-12, CSV")
    before = schema(engine)

    upgrade_to_head(engine)

    assert schema(engine) == before
    assert current_revision(engine) == head_revision()
    with engine.connect() as connection:
        assert connection.scalar(text("SELECT count(*) FROM alembic_version")) == 1
    with open_store(engine.url) as store:
        assert [event.what for event in store.audit_log()] == ["roster 2026-12, CSV"]


def test_the_migrations_build_exactly_the_models(engine):
    upgrade_to_head(engine)
    with engine.connect() as connection:
        assert compare_metadata(MigrationContext.configure(connection), Base.metadata) == []


def test_sqlite_runs_with_write_ahead_log_full_sync_and_foreign_keys(tmp_path):
    engine = create_store_engine(URL.create("sqlite", database=str(tmp_path / "sub" / "planner.db")))
    try:
        with engine.connect() as connection:
            settings = [connection.exec_driver_sql(f"PRAGMA {name}").scalar() for name in
                        ("journal_mode", "synchronous", "foreign_keys")]
    finally:
        engine.dispose()
    assert settings == ["wal", 2, 1]  # synchronous 2 = FULL


def test_the_sqlite_file_and_its_log_are_readable_by_their_owner_only(tmp_path):
    # Issue 15, item 13: the file holds addresses and phones; a default umask of 022 would make it world-readable.
    path = tmp_path / "sub" / "planner.db"
    old_umask = os.umask(0o022)
    try:
        engine = create_store_engine(URL.create("sqlite", database=str(path)))
        with writing(engine).begin() as connection:
            connection.exec_driver_sql("CREATE TABLE t (x)")
            connection.exec_driver_sql("INSERT INTO t VALUES (1)")
        with engine.connect() as connection:  # the log stays while a connection is open
            modes = {name.name: stat.S_IMODE(name.stat().st_mode) for name in path.parent.iterdir()}
        engine.dispose()
    finally:
        os.umask(old_umask)
    assert set(modes) >= {"planner.db", "planner.db-wal", "planner.db-shm"}
    assert set(modes.values()) == {0o600}


def test_a_failed_statement_does_not_print_the_values_it_was_given(engine):
    # Issue 15, item 13: an error's text reaches logs and the page; the bound values may be a phone number.
    with pytest.raises(DBAPIError) as error, engine.connect() as connection:
        connection.execute(text("SELECT * FROM no_such_table WHERE phone = :phone"), {"phone": "+7 912 345-67-89"})
    assert "345-67-89" not in str(error.value)
    assert "no_such_table" in str(error.value)


def test_the_database_comes_from_the_environment(tmp_path):
    assert database_url({}) == URL.create("sqlite", database="planner.db")
    assert database_url({"PLANNER_DB_PATH": str(tmp_path / "x.db")}).database == str(tmp_path / "x.db")
    from_url = database_url({"PLANNER_DATABASE_URL": "postgresql://u@db.example/planner",
                             "PLANNER_DB_PATH": "ignored.db"})
    assert (from_url.host, from_url.database) == ("db.example", "planner")


def test_a_plain_postgresql_url_uses_psycopg_3():
    engine = create_store_engine("postgresql://u@127.0.0.1:1/planner")  # not connected
    try:
        assert engine.dialect.driver == "psycopg"
    finally:
        engine.dispose()


def test_operators_saved_before_their_own_limits_existed_keep_the_centres(engine):
    with writing(engine).begin() as connection:
        command.upgrade(alembic_config(connection), "0003")
    with engine.begin() as connection:
        connection.execute(text(
            "INSERT INTO operator_lists (id, month, source, saved_by, saved_at) "
            "VALUES (1, '2026-12', 'operators.csv', 'anna', '2026-11-20 10:00:00')"))
        connection.execute(text(
            "INSERT INTO operators (list_id, position, operator_id, name, rate, earliest_start, latest_end, "
            "unavailable, days_off_wished, team, address, district, lat, lon, phone) VALUES (1, 0, 'op1', "
            "'Anna', 1.0, 0, 1440, '[]', '[]', 'A', '', '', NULL, NULL, '')"))

    upgrade_to_head(engine)

    with open_store(engine.url) as store:
        [operator] = store.load_operators("2026-12").operators
    assert (operator.id, operator.max_consecutive_days, operator.max_working_weekends) == ("op1", None, None)
    assert operator.shift_requests == frozenset()


def test_supervisors_saved_without_teams_keep_every_team_as_an_explicit_choice(engine):
    # Issue 15, item 6: no teams meant every team; from 0005 it means none, so such accounts get ["*"].
    with writing(engine).begin() as connection:
        command.upgrade(alembic_config(connection), "0004")
    hasher = password_hasher(profiles.CHEAPEST)
    with engine.begin() as connection:
        for name, role, teams in (("duty", "supervisor", "[]"), ("sveta", "supervisor", '["A"]'),
                                  ("anna", "planner", "[]")):
            connection.execute(text(
                "INSERT INTO users (name, password_hash, role, teams, active, created_by, created_at, updated_by, "
                "updated_at) VALUES (:name, :hash, :role, :teams, true, 'setup', '2026-11-20 10:00:00', 'setup', "
                "'2026-11-20 10:00:00')"), {"name": name, "hash": hasher.hash("x" * 12), "role": role, "teams": teams})

    upgrade_to_head(engine)

    with open_store(engine.url) as store:
        assert {user.name: user.teams for user in store.list_users()} == {
            "anna": (), "duty": ("*",), "sveta": ("A",)}


def test_lists_and_rules_saved_before_saves_named_their_base_stay_current_and_whole(engine):
    # Issue 15, item 10 (0006): each earlier save is chained to the one before it in its month, and SQLite's
    # table copy, which would have deleted every operator with their list (ON DELETE CASCADE), is not used.
    with writing(engine).begin() as connection:
        command.upgrade(alembic_config(connection), "0005")
    with engine.begin() as connection:
        for list_id in (1, 2):
            connection.execute(text(
                "INSERT INTO operator_lists (month, source, saved_by, saved_at) "
                f"VALUES ('2026-12', 'operators.csv', 'anna', '2026-11-20 10:0{list_id}:00')"))
            connection.execute(text(
                "INSERT INTO operators (list_id, position, operator_id, name, rate, earliest_start, latest_end, "
                f"unavailable, days_off_wished, team, address, district, lat, lon, phone) VALUES ({list_id}, 0, "
                "'op1', 'Anna', 1.0, 0, 1440, '[]', '[]', 'A', '', '', NULL, NULL, '')"))
        for rules_id in (1, 2):
            connection.execute(text(
                "INSERT INTO rule_sets (month, text, sha256, saved_by, saved_at) "
                f"VALUES ('2026-12', '{{}}', 'x', 'anna', '2026-11-20 10:0{rules_id}:00')"))

    upgrade_to_head(engine)

    with open_store(engine.url) as store:
        current = store.load_operators("2026-12")
        assert current.id == 2 and [op.id for op in current.operators] == ["op1"]
        assert [len(saved.operators) for saved in store.operator_history("2026-12")] == [1, 1]
        assert store.latest_rules("2026-12").id == 2
        with pytest.raises(StaleInput):
            store.save_operators("2026-12", current.operators, "boris", based_on=1)
        assert store.save_rules("2026-12", "{}", "boris", based_on=2).id == 3


def test_accounts_made_before_operator_accounts_keep_their_roles_and_the_role_check_stays(engine):
    # Issue 16, item 1 (0007): SQLite copies the users table to replace its role check; nothing may be lost.
    with writing(engine).begin() as connection:
        command.upgrade(alembic_config(connection), "0006")
    hasher = password_hasher(profiles.CHEAPEST)
    with engine.begin() as connection:
        connection.execute(text(
            "INSERT INTO users (name, password_hash, role, teams, active, created_by, created_at, updated_by, "
            "updated_at) VALUES ('sveta', :hash, 'supervisor', '[\"A\"]', true, 'setup', '2026-11-20 10:00:00', "
            "'setup', '2026-11-20 10:00:00')"), {"hash": hasher.hash("x" * 12)})

    upgrade_to_head(engine)

    with open_store(engine.url, hasher=hasher) as store:
        assert [(user.name, user.role, user.teams, user.operator_id) for user in store.list_users()] == [
            ("sveta", "supervisor", ("A",), None)]
        assert store.authenticate("sveta", "x" * 12) is not None
        store.add_user("olga", "operator", "x" * 12, by="sveta", operator="op1")
    with pytest.raises(DBAPIError), engine.begin() as connection:
        connection.execute(text("UPDATE users SET role = 'boss' WHERE name = 'olga'"))
