"""Signing in and what each role sees, through the whole app: before the first account the page is open to a
planner; once accounts exist everyone signs in, supervisors see only taxi lists and exports of published rosters
(their teams' people only), admins the accounts."""

from __future__ import annotations

from pathlib import Path

import pytest
from argon2 import profiles
from streamlit.testing.v1 import AppTest
from ui_pages import greedy_draft, seed_small_month

from planner.auth import password_hasher
from planner.store import open_store
from ui.account import CHANGE_NAME, NAME, PASSWORD, SAVE_ROLE, SET_PASSWORD, SIGN_IN, SWITCH

APP = str(Path(__file__).resolve().parent.parent / "app.py")
PASSWORD_TEXT = "correct horse battery"


@pytest.fixture
def db(tmp_path, monkeypatch) -> Path:
    path = tmp_path / "planner.db"
    monkeypatch.delenv("PLANNER_DATABASE_URL", raising=False)
    monkeypatch.setenv("PLANNER_DB_PATH", str(path))
    seed_small_month(path).close()
    return path


def _accounts(db: Path, *accounts: tuple[str, str, tuple[str, ...]]) -> None:
    with open_store(f"sqlite:///{db}", hasher=password_hasher(profiles.CHEAPEST)) as store:
        for name, role, teams in accounts:
            store.add_user(name, role, PASSWORD_TEXT, by="test", teams=teams)


def _signed_in(name: str, password: str = PASSWORD_TEXT) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    at.session_state["language"] = "en"
    at.run()
    assert at.header[0].value == "Sign in"
    at.text_input(key=NAME).input(name)
    at.text_input(key=PASSWORD).input(password)
    return at.button(key=SIGN_IN).click().run()


def test_without_accounts_the_page_is_open_to_a_planner(db):
    at = AppTest.from_file(APP, default_timeout=60)
    at.session_state["language"] = "en"
    at.run()
    assert not at.exception and at.header[0].value == "Forecast"
    assert "No accounts yet" in at.sidebar.caption[0].value


def test_a_wrong_password_is_refused_without_saying_which_part_was_wrong(db):
    _accounts(db, ("anna", "planner", ()))
    at = _signed_in("anna", "not the password")
    assert at.error[0].value == "Unknown name or wrong password, or the account is disabled."
    assert at.header[0].value == "Sign in"


def test_a_planner_signs_in_and_gets_every_page(db):
    _accounts(db, ("anna", "planner", ()))
    at = _signed_in("anna")
    assert not at.exception
    assert at.header[0].value == "Forecast"
    assert "Signed in as anna (planner)" in at.sidebar.caption[0].value


def test_a_supervisor_sees_only_the_published_roster_of_their_team(db):
    # The tiny month's twelve operators are all of "Группа 1".
    _accounts(db, ("sveta", "supervisor", ("Группа 1",)), ("oleg", "supervisor", ("Группа 2",)))
    with open_store(f"sqlite:///{db}") as store:
        draft = greedy_draft(store)
    at = _signed_in("sveta")
    assert at.header[0].value == "Taxi"  # the first of the supervisor's pages
    assert "Roster page" in at.info[0].value  # only a draft exists: nothing to see yet
    with open_store(f"sqlite:///{db}") as store:
        store.publish(draft, "anna")
    at.run()
    cars = next(frame.value for frame in at.dataframe if "Car" in frame.value.columns)
    assert len(cars) and all(cars["Phone"])  # a supervisor may see phones and addresses
    other_team = _signed_in("oleg")
    assert not any("Car" in frame.value.columns for frame in other_team.dataframe)


def test_an_admin_gets_the_accounts_page(db):
    _accounts(db, ("root", "admin", ()))
    at = _signed_in("root")
    assert at.header[0].value == "Accounts"
    names = next(frame.value for frame in at.dataframe if "Role" in frame.value.columns)["Name"]
    assert list(names) == ["root"]


def test_an_admin_changes_disables_and_enables_an_account(db):
    _accounts(db, ("root", "admin", ()), ("sue", "planner", ()))
    at = _signed_in("root")
    at.selectbox(key=CHANGE_NAME).select("sue").run()

    # A form sends its values with its button, in one run.
    at.selectbox(key="role_of_sue").select("supervisor")
    at.text_input(key="teams_of_sue").input("B, A")
    at.button(key=SAVE_ROLE).click().run()
    assert not at.exception and [s.value for s in at.success] == ["Role saved."]
    at.button(key=SWITCH).click().run()
    assert [s.value for s in at.success] == ["Account disabled."]
    with open_store(f"sqlite:///{db}") as store:
        sue = store.get_user("sue")
        assert (str(sue.role), sue.teams, sue.active) == ("supervisor", ("A", "B"), False)
        assert store.authenticate("sue", PASSWORD_TEXT) is None

    at.button(key=SWITCH).click().run()  # now "Enable the account"
    assert [s.value for s in at.success] == ["Account enabled."]
    at.text_input(key="password_of_sue").input("short")
    at.button(key=SET_PASSWORD).click().run()
    assert at.error and not at.success  # a weak password is refused in plain words
    with open_store(f"sqlite:///{db}", hasher=password_hasher(profiles.CHEAPEST)) as store:
        assert store.authenticate("sue", PASSWORD_TEXT) is not None
        actions = [event.action for event in store.audit_log()]
        assert {"user_role", "user_disable", "user_enable", "sign_in"} <= set(actions)


def test_the_last_admin_cannot_be_disabled_from_the_page(db):
    _accounts(db, ("root", "admin", ()))
    at = _signed_in("root")
    at.button(key=SWITCH).click().run()
    assert any("root" in error.value for error in at.error) and not at.success
