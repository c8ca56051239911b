"""One error family: every exception the planner defines is a `PlannerError`, so the command line and the page
catch one class and say it the same way."""

import importlib
import inspect
import pkgutil

import pytest

import planner
from planner.breaks import BreaksInfeasible
from planner.cli import main
from planner.errors import EXIT_BAD_INPUT, EXIT_NO_ROSTER, InputError, PlannerError, Problem
from planner.roster import RosterInfeasible
from planner.store import StoreError, UnknownUser


def _planner_modules():
    for info in pkgutil.walk_packages(planner.__path__, "planner."):
        if ".migrations." not in info.name and info.name != "planner.__main__":
            yield importlib.import_module(info.name)


def test_every_exception_the_planner_defines_is_a_planner_error():
    defined = [cls for module in _planner_modules() for _, cls in inspect.getmembers(module, inspect.isclass)
               if cls.__module__ == module.__name__ and issubclass(cls, BaseException)]
    assert len(defined) >= 15  # the walk found the package's errors, not nothing
    assert [cls.__qualname__ for cls in defined if not issubclass(cls, PlannerError)] == []


@pytest.mark.parametrize(("error", "text", "code"), [
    (InputError([Problem("ops.csv", 3, "rate", "must be 1.0, 0.75 or 0.5")]),
     "Input rejected, nothing was imported:\nops.csv, line 3, field 'rate': must be 1.0, 0.75 or 0.5", EXIT_BAD_INPUT),
    (StoreError("the window is closed"), "Refused: the window is closed", EXIT_BAD_INPUT),
    (RosterInfeasible(["op1: no days left"]), "No roster satisfies the hard rules:\n- op1: no days left",
     EXIT_NO_ROSTER),
    (BreaksInfeasible("01.12: team A cannot take its breaks"), "01.12: team A cannot take its breaks",
     EXIT_NO_ROSTER),
])
def test_an_error_says_itself_and_its_exit_code(error, text, code):
    assert (error.explained(), error.exit_code) == (text, code)


def test_the_command_line_prints_any_planner_error_and_exits_with_its_code(monkeypatch, capsys):
    def refuse(_args):
        raise UnknownUser("nobody")

    monkeypatch.setattr("planner.cli._user_list", refuse)
    assert main(["user", "list"]) == EXIT_BAD_INPUT
    assert capsys.readouterr().err == "Refused: there is no user nobody\n"
