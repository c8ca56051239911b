"""What every page shares: the store, the month being planned, its rules and data, the language, the user.

Pages stay thin: they read these, call the core (`planner.*`) and draw. Anything computed from the month's data is
cached on the ids of what it was computed from, so a rerun after a widget change costs nothing.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from planner.config import Rules, parse_rules_text
from planner.domain import Operator, StaffingPlan
from planner.i18n import Translator, available_languages, translator
from planner.operators import parse_operators
from planner.staffing import staffing_plan
from planner.store import Store, StoredForecast, StoredRoster, database_url, open_store

__all__ = ["ROOT", "store", "database", "seed_sample_month", "month", "rules_text", "rules", "language", "t", "user",
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


def user() -> str:
    """The signed-in user's name; until sign-in exists (issue 6) everyone is the planner."""
    return st.session_state.get("user", "planner")


def forecast() -> StoredForecast | None:
    return store().latest_forecast(month())


def operators() -> tuple[Operator, ...]:
    stored = store().load_operators(month())
    return stored.operators if stored else ()


def latest_roster() -> StoredRoster | None:
    """The roster that pages other than Roster show (taxi, export): the month's newest published version, else its
    newest draft; None before the first solve."""
    versions = store().list_versions(month())
    published = [version for version in versions if version.status == "published"]
    chosen = published or versions
    return store().load_roster(chosen[-1].id) if chosen else None


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
