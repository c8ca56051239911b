"""`planner user add|list|passwd` against an SQLite store named by PLANNER_DB_PATH.

Accounts the commands only read are made through the store with cheap hash parameters; a password the command
line sets is hashed with the real ones (about half a second), so few tests do that."""

from __future__ import annotations

import getpass
import io

import pytest
from argon2 import profiles

from planner.auth import Role, User, password_hasher
from planner.cli import EXIT_BAD_INPUT, EXIT_OK, main
from planner.store import open_store

CHEAP = password_hasher(profiles.CHEAPEST)
PASSWORD = "correct horse battery"


@pytest.fixture
def db_path(tmp_path, monkeypatch):
    path = tmp_path / "planner.db"
    monkeypatch.delenv("PLANNER_DATABASE_URL", raising=False)
    monkeypatch.setenv("PLANNER_DB_PATH", str(path))
    return path


@pytest.fixture
def store(db_path):
    with open_store(f"sqlite:///{db_path}", hasher=CHEAP) as opened:
        yield opened


@pytest.fixture
def no_prompt(monkeypatch):
    def refuse(prompt: str = "") -> str:
        raise AssertionError(f"asked for a password: {prompt!r}")

    monkeypatch.setattr(getpass, "getpass", refuse)


@pytest.fixture
def prompts(monkeypatch):
    """Answers the password prompts in turn; returns the list of the prompts asked."""

    def answer_with(*answers: str) -> list[str]:
        asked: list[str] = []
        replies = iter(answers)

        def fake(prompt: str = "") -> str:
            asked.append(prompt)
            return next(replies)

        monkeypatch.setattr(getpass, "getpass", fake)
        return asked

    return answer_with


def stdin(monkeypatch, content: str) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO(content))


def test_the_first_admin_is_created_from_the_command_line(store, no_prompt, monkeypatch, capsys):
    stdin(monkeypatch, PASSWORD + "\n")

    assert main(["user", "add", "Root", "--role", "admin", "--password-stdin"]) == EXIT_OK

    assert "User root added: admin." in capsys.readouterr().err
    assert store.authenticate("root", PASSWORD) == User("root", Role.ADMIN)
    [event] = [event for event in store.audit_log() if event.action != "sign_in"]
    assert (event.action, event.what) == ("user_add", "user root: admin")
    assert event.user.endswith("(command line)")


def test_a_user_that_exists_is_refused_before_any_password_is_asked(store, no_prompt, capsys):
    store.add_user("root", Role.ADMIN, PASSWORD, by="setup")

    assert main(["user", "add", "ROOT", "--role", "planner"]) == EXIT_BAD_INPUT

    assert "Refused: user root exists already; nothing was changed" in capsys.readouterr().err
    assert store.list_users() == (User("root", Role.ADMIN),)


def test_the_password_is_asked_twice_and_two_different_answers_add_nobody(store, prompts, capsys):
    prompts(PASSWORD, PASSWORD + "?")
    assert main(["user", "add", "sue", "--role", "supervisor", "--team", "A"]) == EXIT_BAD_INPUT
    assert "the two passwords differ; nothing was changed" in capsys.readouterr().err

    asked = prompts("short")
    assert main(["user", "add", "sue", "--role", "supervisor", "--all-teams"]) == EXIT_BAD_INPUT
    assert len(asked) == 1  # a password too short is refused before it is repeated
    assert "needs at least 10 characters" in capsys.readouterr().err
    assert store.list_users() == ()


def test_a_prompted_password_adds_a_supervisor_of_their_teams(store, prompts, capsys):
    prompts(PASSWORD, PASSWORD)

    code = main(["user", "add", "sue", "--role", "supervisor", "--team", "B", "--team", "A"])

    assert code == EXIT_OK
    assert "User sue added: supervisor of teams A, B." in capsys.readouterr().err
    assert store.get_user("sue") == User("sue", Role.SUPERVISOR, ("A", "B"))


def test_a_supervisor_needs_their_teams_or_all_teams_chosen_as_such(store, no_prompt, monkeypatch, capsys):
    # Issue 15, item 6: a supervisor added without teams used to see every team.
    assert main(["user", "add", "sue", "--role", "supervisor", "--password-stdin"]) == EXIT_BAD_INPUT
    assert "a supervisor needs the teams they see, or '*' for all teams (on the command line --all-teams)" in \
        capsys.readouterr().err
    stdin(monkeypatch, PASSWORD + "\n")
    assert main(["user", "add", "sue", "--role", "supervisor", "--all-teams", "--password-stdin"]) == EXIT_OK
    assert "User sue added: supervisor of all teams." in capsys.readouterr().err
    assert store.get_user("sue") == User("sue", Role.SUPERVISOR, ("*",))


def test_an_operator_account_is_tied_to_its_operator(store, no_prompt, monkeypatch, capsys):
    # Issue 16, item 1.
    assert main(["user", "add", "olga", "--role", "operator", "--password-stdin"]) == EXIT_BAD_INPUT
    assert "an operator account needs the id of its operator" in capsys.readouterr().err
    stdin(monkeypatch, PASSWORD + "\n")
    assert main(["user", "add", "olga", "--role", "operator", "--operator", "op7", "--password-stdin"]) == EXIT_OK
    assert "User olga added: operator op7 (own shifts only)." in capsys.readouterr().err
    assert store.get_user("olga") == User("olga", Role.OPERATOR, operator_id="op7")
    assert main(["user", "role", "olga", "--role", "operator", "--operator", "op8"]) == EXIT_OK
    assert store.get_user("olga").operator_id == "op8"
    assert main(["user", "role", "olga", "--role", "planner", "--operator", "op8"]) == EXIT_BAD_INPUT
    assert "only an operator account is tied to an operator" in capsys.readouterr().err


def test_teams_are_refused_for_a_planner(store, no_prompt, capsys):
    assert main(["user", "add", "pat", "--role", "planner", "--team", "A", "--password-stdin"]) == EXIT_BAD_INPUT
    assert "teams limit supervisors only" in capsys.readouterr().err
    assert store.list_users() == ()


def test_user_list_shows_roles_teams_and_disabled_accounts_never_hashes(store, capsys):
    assert main(["user", "list"]) == EXIT_OK
    assert "No users yet" in capsys.readouterr().err

    store.add_user("root", Role.ADMIN, PASSWORD, by="setup")
    store.add_user("sue", Role.SUPERVISOR, PASSWORD, by="root", teams=["A"])
    store.add_user("old", Role.PLANNER, PASSWORD, by="root")
    store.disable_user("old", by="root")

    assert main(["user", "list"]) == EXIT_OK
    lines = [line.split() for line in capsys.readouterr().out.splitlines()]
    assert lines == [
        ["old", "planner", "(sees", "operators'", "addresses", "and", "phones)", "disabled"],
        ["root", "admin", "active"],
        ["sue", "supervisor", "of", "teams", "A", "active"],
    ]


def test_passwd_sets_a_new_password_and_records_it(store, monkeypatch, capsys):
    store.add_user("sue", Role.SUPERVISOR, PASSWORD, by="setup", teams=["A"])
    stdin(monkeypatch, "a brand new password\r\n")

    assert main(["user", "passwd", "Sue", "--password-stdin"]) == EXIT_OK

    assert "Password of sue changed." in capsys.readouterr().err
    assert store.authenticate("sue", PASSWORD) is None
    assert store.authenticate("sue", "a brand new password") is not None
    assert [event.what for event in store.audit_log() if event.action == "user_password"][0] == "user sue: new password"


def test_passwd_of_an_unknown_user_is_refused_before_asking(store, no_prompt, capsys):
    assert main(["user", "passwd", "nobody"]) == EXIT_BAD_INPUT
    assert "Refused: there is no user nobody" in capsys.readouterr().err


def test_disable_enable_and_role_from_the_command_line(store, no_prompt, capsys):
    store.add_user("root", Role.ADMIN, PASSWORD, by="setup")
    store.add_user("sue", Role.PLANNER, PASSWORD, by="root")

    assert main(["user", "disable", "Sue"]) == EXIT_OK
    assert "User sue disabled." in capsys.readouterr().err
    assert store.authenticate("sue", PASSWORD) is None
    assert main(["user", "enable", "sue"]) == EXIT_OK
    assert store.authenticate("sue", PASSWORD) == User("sue", Role.PLANNER)

    assert main(["user", "role", "sue", "--role", "supervisor", "--team", "B"]) == EXIT_OK
    assert "User sue: supervisor of teams B." in capsys.readouterr().err
    assert store.get_user("sue") == User("sue", Role.SUPERVISOR, ("B",))

    # The last admin stays an admin, and an unknown name is named.
    assert main(["user", "disable", "root"]) == EXIT_BAD_INPUT
    assert "root" in capsys.readouterr().err
    assert main(["user", "enable", "nobody"]) == EXIT_BAD_INPUT
    assert "nobody" in capsys.readouterr().err
