"""What every page shares: the store, the month being planned, its rules and data, the language, the user.

Pages stay thin: they read these, call the core (`planner.*`) and draw. Anything computed from the month's data is
cached on the ids of what it was computed from, so a rerun after a widget change costs nothing.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import streamlit as st

from planner.auth import Permissions, Role, User, visible_operators
from planner.config import Rules, parse_rules_text
from planner.domain import Operator, StaffingPlan
from planner.i18n import Translator, available_languages, translator
from planner.month import Month, parse_month
from planner.operators import parse_operators
from planner.staffing import staffing_plan
from planner.store import Store, StoredForecast, StoredRoster, database_url, open_store

__all__ = ["ROOT", "store", "database", "accounts_exist", "signed_in", "sign_in", "sign_out", "permissions", "viewer", "seed_sample_month", "month", "rules_text", "rules", "language", "t", "user",
           "forecast", "operators", "plan", "latest_roster"]

ROOT = Path(__file__).resolve().parent.parent
SAMPLE_FORECAST = ROOT / "forecasts" / "forecast-2026-12.csv"
SAMPLE_OPERATORS = ROOT / "forecasts" / "operators-2026-12.csv"
RULES_FILE = ROOT / "constraints.yaml"
SEED_USER = "sample"


def store() -> Store:
    """The database the environment names (PLANNER_DATABASE_URL or PLANNER_DB_PATH, see planner.store)."""
    return _store(database())


def database() -> str:
    """Which database this process talks to. Part of every cache key built on database ids, since ids repeat
    from one database to another."""
    return database_url().render_as_string(hide_password=False)


# One store per database and server process, shared by every session.
@st.cache_resource(show_spinner=False)
def _store(url: str) -> Store:
    opened = open_store(url)
    seed_sample_month(opened)
    return opened


def seed_sample_month(target: Store) -> None:
    """On the first start (no month in the database) load the shipped sample month, so the page opens on it."""
    if target.months():
        return
    text = RULES_FILE.read_text(encoding="utf-8")
    default_rules = parse_rules_text(text, RULES_FILE.name)
    stored = target.save_forecast(SAMPLE_FORECAST.read_bytes(), SAMPLE_FORECAST.name, default_rules, SEED_USER)
    label = stored.forecast.month.label
    target.save_rules(label, text, SEED_USER)
    people = parse_operators(SAMPLE_OPERATORS.read_bytes(), SAMPLE_OPERATORS.name, default_rules)
    target.save_operators(label, people, SEED_USER, source=SAMPLE_OPERATORS.name)


def month() -> str:
    """The month being planned (YYYY-MM), chosen in the sidebar; the latest one stored by default."""
    months = store().months()
    if st.session_state.get("month") not in months:
        st.session_state["month"] = months[0]
    return st.session_state["month"]


def rules_text() -> str:
    """The month's rules as saved with it (Rules page), else the centre's constraints.yaml."""
    stored = store().latest_rules(month())
    return stored.text if stored else RULES_FILE.read_text(encoding="utf-8")


def rules() -> Rules:
    return _parsed_rules(rules_text())


@st.cache_data(show_spinner=False)
def _parsed_rules(text: str) -> Rules:
    return parse_rules_text(text)


def language() -> str:
    if st.session_state.get("language") not in available_languages():
        st.session_state["language"] = rules().ui.language
    return st.session_state["language"]


def t() -> Translator:
    return translator(language())


# Before the first account exists (created with `planner user add NAME --role admin`) the page is open and everyone
# is a planner, so a fresh `make run` works at once; from then on everyone signs in.
OPEN_USER = User("planner", Role.PLANNER)
SIGNED_IN = "signed_in_user"


def accounts_exist() -> bool:
    return bool(store().list_users())


def signed_in() -> User | None:
    """The session's user; without any account, a planner (named by the session when it says, as tests do)."""
    account = st.session_state.get(SIGNED_IN)
    if account is None and not accounts_exist():
        return OPEN_USER
    return account


def sign_in(name: str, password: str) -> bool:
    """True, and the user remembered for this session, when name and password match an active account."""
    account = store().authenticate(name, password)
    if account is not None:
        st.session_state[SIGNED_IN] = account
    return account is not None


def sign_out() -> None:
    st.session_state.pop(SIGNED_IN, None)


def permissions() -> Permissions:
    return Permissions.of(signed_in())


def viewer() -> str:
    """What the signed-in user may see, as text: part of the cache key of anything filtered for them."""
    allowed = permissions()
    return f"{allowed.role}:{sorted(allowed.visible_teams or ())}:{allowed.can_see_personal_data}"


def user() -> str:
    """The signed-in user's name, as the audit log and the edit history record it."""
    account = signed_in()
    return account.name if account else ""


def forecast() -> StoredForecast | None:
    return store().latest_forecast(month())


def operators() -> tuple[Operator, ...]:
    """The month's operators the signed-in user may see: a supervisor's teams only, and addresses and phones only
    for planners and supervisors."""
    stored = store().load_operators(month())
    return tuple(visible_operators(stored.operators, permissions())) if stored else ()


def latest_roster() -> StoredRoster | None:
    """The roster that pages other than Roster show (taxi, export): the month's newest published version, else — for
    those who may see drafts — its newest draft; None before there is one. For a supervisor of some teams, only
    their operators' shifts."""
    allowed = permissions()
    versions = store().list_versions(month())
    published = [version for version in versions if version.status == "published"]
    chosen = published or (list(versions) if allowed.can_see_drafts else [])
    if not chosen:
        return None
    stored = store().load_roster(chosen[-1].id)
    if allowed.visible_teams is None:
        return stored
    visible = {op.id for op in operators()}
    shifts = tuple(shift for shift in stored.roster.shifts if shift.operator_id in visible)
    return replace(stored, roster=replace(stored.roster, shifts=shifts))


def last_month_roster() -> StoredRoster | None:
    """Last month's newest published roster: the roster page solves and checks the month's first days with its
    shifts (rest, runs of days, successions, weekly rest). None when last month has no published version."""
    return _published_of(_planned_month().before)


def earlier_rosters() -> list[StoredRoster]:
    """The newest published rosters of the months before last month, as far back as fair_nights and
    fair_weekends look (`months_back`): the ledger the fairness rules count with last month's."""
    fair = rules().rules
    before = _planned_month().before
    found = []
    for _ in range(max(fair.fair_nights.months_back, fair.fair_weekends.months_back) - 1):
        before = before.before
        if (stored := _published_of(before)) is not None:
            found.append(stored)
    return found


def _planned_month() -> Month:
    centre = rules().centre
    return parse_month(month(), centre.timezone, centre.country)


def _published_of(of: Month) -> StoredRoster | None:
    published = [version for version in store().list_versions(of) if version.status == "published"]
    if not published:
        return None
    return _published_roster(database(), published[-1].id, published[-1].revision)


# A published version never changes; keyed on the database and its id (and revision, to be plain about it). Enough
# entries for the months the ledger looks back on.
@st.cache_data(show_spinner=False, max_entries=26)
def _published_roster(db: str, version_id: int, revision: int) -> StoredRoster:
    return store().load_roster(version_id)


def plan() -> StaffingPlan | None:
    stored = forecast()
    if stored is None:
        return None
    return _plan(stored, database(), stored.id, rules_text())


# Keyed on the database, the stored forecast's id and the rules text; the leading underscore keeps Streamlit from
# hashing the forecast itself on every rerun.
@st.cache_data(show_spinner=False, max_entries=8)
def _plan(_stored: StoredForecast, db: str, forecast_id: int, text: str) -> StaffingPlan:
    return staffing_plan(_stored.forecast, parse_rules_text(text))
