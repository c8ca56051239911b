"""A tiny month in a fresh database and a way to open one page of the planner on it, for the page tests.

The sample month (150 operators) is far too big for a test: the database gets February 2026 with 12 operators and
a forecast scaled to them before the page first opens, so the page never seeds the sample. Pages are callables
of `st.navigation`, which `AppTest.switch_page` cannot reach (it only knows page files): each page is run on its
own with `AppTest.from_function`, the month and language set as the sidebar would set them.
"""

from __future__ import annotations

import io
from datetime import UTC, timedelta
from pathlib import Path

from argon2 import profiles
from streamlit.testing.v1 import AppTest

from planner.auth import Role, User, password_hasher
from planner.config import Rules, parse_rules_text
from planner.domain import Roster, Shift
from planner.grid import shift_code
from planner.month import Month
from planner.roster.greedy import greedy_roster
from planner.roster.model import starts_allowed
from planner.roster.solve import roster_from_starts
from planner.roster.space import ShiftSpace
from planner.samples import sample_forecast, sample_operators, write_forecast_csv
from planner.staffing import staffing_plan
from planner.store import Store, database_url, open_store
from ui import state

ROOT = Path(__file__).resolve().parents[2]
APP = str(ROOT / "app.py")
RULES_TEXT = (ROOT / "constraints.yaml").read_text(encoding="utf-8")
FEBRUARY = Month(2026, 2, "Europe/Moscow", "RU")
SEEDER = "tester"


def rules() -> Rules:
    return parse_rules_text(RULES_TEXT)


def forecast_csv(month: Month = FEBRUARY) -> bytes:
    text = io.StringIO()
    write_forecast_csv(sample_forecast(month, peak_calls=40, seed=3), text)
    return text.getvalue().encode("utf-8")


def seed_small_month(db_path: Path) -> Store:
    """February 2026: its forecast, the centre's rules and 12 operators. The store stays open for the test to
    look into; the caller closes it."""
    store = open_store(f"sqlite:///{db_path}")
    store.save_forecast(forecast_csv(), "forecast-2026-02.csv", rules(), SEEDER)
    store.save_rules(FEBRUARY.label, RULES_TEXT, SEEDER, based_on=None)
    store.save_operators(FEBRUARY.label, sample_operators(12, FEBRUARY, rules(), seed=3), SEEDER, source="seed",
                         based_on=None)
    return store


def greedy_draft(store: Store) -> int:
    """A draft roster of February, built greedily (no solver run), stored as version 1; its id."""
    stored = store.latest_forecast(FEBRUARY.label)
    operators = store.load_operators(FEBRUARY.label).operators
    space = ShiftSpace(staffing_plan(stored.forecast, rules()), operators, rules())
    roster: Roster = roster_from_starts(space, greedy_roster(space, starts_allowed(space)))
    return store.create_draft(roster, {}, RULES_TEXT, SEEDER).id


def _one_page(name: str) -> None:
    import importlib

    from ui import state

    state.month()
    importlib.import_module(f"ui.{name}").page()


ANNA = User("anna", Role.PLANNER)
PASSWORD = "correct horse battery"


def open_page(name: str, language: str = "en", user: User = ANNA) -> AppTest:
    """The page `name` (a module of `ui`) run once, in `language`, by `user` (the planner "anna"), who is made an
    account of the database with that role and teams: the page reads the account from there on every rerun."""
    make_account(user)
    at = AppTest.from_function(_one_page, args=(name,), default_timeout=60)
    at.session_state["language"] = language
    at.session_state[state.SIGNED_IN] = user.name
    return at.run()


def make_account(user: User) -> None:
    with open_store(database_url(), hasher=password_hasher(profiles.CHEAPEST)) as store:
        found = store.get_user(user.name)
        if found is None:
            store.add_user(user.name, user.role, PASSWORD, by=SEEDER, teams=user.teams, operator=user.operator_id)
        elif (found.role, found.teams, found.operator_id) != (user.role, user.teams, user.operator_id):
            store.set_role(user.name, user.role, by=SEEDER, teams=user.teams, operator=user.operator_id)


def rules_text_with(replacements: dict[str, str]) -> str:
    """The centre's rules with each text replaced once (each must stand exactly once, so a changed rules file
    fails here rather than silently keeping the slow setting)."""
    text = RULES_TEXT
    for old, new in replacements.items():
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    return text


def rest_breaking_edit(shifts: tuple[Shift, ...], operators) -> tuple[str, object, str]:
    """(operator, day, code): a shift of the operator's length starting 2 hours after one of their shifts ends,
    on the next day — too little rest, and nothing else wrong."""
    tz = FEBRUARY.tz
    rates = {op.id: op.rate for op in operators}
    unavailable = {op.id: op.unavailable for op in operators}
    for shift in shifts:
        start = (shift.end.astimezone(UTC) + timedelta(hours=2)).astimezone(tz)
        if start.date() == shift.day + timedelta(days=1) and start.date() in FEBRUARY.days[:-1] \
                and start.date() not in unavailable[shift.operator_id]:
            hours = {1.0: 8, 0.75: 6, 0.5: 4}[rates[shift.operator_id]]
            edited = Shift(shift.operator_id, start, (start.astimezone(UTC) + timedelta(hours=hours)).astimezone(tz))
            return shift.operator_id, start.date(), shift_code(edited, tz)
    raise AssertionError("no shift ends late enough for a rest-breaking edit")
