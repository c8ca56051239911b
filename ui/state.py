"""What every page shares: the store, the month being planned, its rules and data, the language, the user.

Pages stay thin: they read these, call the core (`planner.*`) and draw. Anything computed from the month's data is
cached on the ids of what it was computed from, so a rerun after a widget change costs nothing.
"""

from __future__ import annotations

import os
import time
from dataclasses import replace
from pathlib import Path
from typing import Protocol, runtime_checkable

import streamlit as st

from planner.auth import Permissions, Role, User, visible_operators
from planner.config import Rules, parse_rules_text
from planner.domain import Operator, StaffingPlan
from planner.i18n import N_, Translator, available_languages, translator
from planner.month import Month, parse_month
from planner.operators import parse_operators
from planner.staffing import staffing_plan
from planner.store import AccountStore, Store, StoredForecast, StoredRoster, StoredRules, database_url, open_store

__all__ = ["ROOT", "store", "database", "accounts_exist", "open_mode", "first_start", "signed_in", "keep_session",
           "keep_choices", "sign_in", "sign_out", "Background", "keep_background_alive", "require", "permissions",
           "viewer", "seed_sample_month", "month", "rules_text", "rules", "language", "t", "user",
           "forecast", "operators", "plan", "latest_roster"]

ROOT = Path(__file__).resolve().parent.parent
SAMPLE_FORECAST = ROOT / "forecasts" / "forecast-2026-12.csv"
SAMPLE_OPERATORS = ROOT / "forecasts" / "operators-2026-12.csv"
RULES_FILE = ROOT / "constraints.yaml"
SEED_USER = "sample"


def store() -> AccountStore:
    """The database the environment names (PLANNER_DATABASE_URL or PLANNER_DB_PATH, see planner.store), as the
    signed-in account may use it: every call checks that account's permission and acts in its name alone."""
    return AccountStore(_store(database()), signed_in())


def _database() -> Store:
    """The same database unguarded, for what comes before an account: signing in, the month and its rules (which
    hold no personal data) and whether any account exists."""
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
    target.save_rules(label, text, SEED_USER, based_on=None)
    people = parse_operators(SAMPLE_OPERATORS.read_bytes(), SAMPLE_OPERATORS.name, default_rules)
    target.save_operators(label, people, SEED_USER, source=SAMPLE_OPERATORS.name, based_on=None)


def month() -> str:
    """The month being planned (YYYY-MM), chosen in the sidebar; the latest one stored by default."""
    months = _database().months()
    if st.session_state.get("month") not in months:
        st.session_state["month"] = months[0]
    return st.session_state["month"]


def rules_text() -> str:
    """The month's rules as saved with it (Rules page), else the centre's constraints.yaml."""
    return rules_text_of(_database().latest_rules(month()))


def rules_text_of(stored: StoredRules | None) -> str:
    return stored.text if stored else RULES_FILE.read_text(encoding="utf-8")


def rules() -> Rules:
    return parsed_rules(rules_text())


@st.cache_data(show_spinner=False)
def parsed_rules(text: str) -> Rules:
    return parse_rules_text(text)


def keep_choices() -> None:
    """At the start of every rerun: the language and month chosen in the sidebar survive a page switch. Streamlit
    drops a widget's value when the run that drew it is cut short by `st.switch_page` (the root address does that),
    but not a value the session itself wrote."""
    for key in ("language", "month"):
        if key in st.session_state:
            st.session_state[key] = st.session_state[key]


def language() -> str:
    if st.session_state.get("language") not in available_languages():
        st.session_state["language"] = rules().ui.language
    return st.session_state["language"]


def t() -> Translator:
    return translator(language())


# Accounts are created with `planner user add NAME --role admin`. Until the first exists, the page only says so
# (`first_start`) — anyone who reaches the port would otherwise be a planner with addresses and phones — unless the
# environment asks for the open mode: PLANNER_OPEN=1, which `make run` sets while binding the server to 127.0.0.1, so
# a fresh `make run` works at once on the planner's own machine. Once an account exists, everyone signs in.
OPEN_VARIABLE = "PLANNER_OPEN"
OPEN_USER = User("planner", Role.PLANNER)
# The session keeps the account's name only: role, teams and whether it is still active are read again from the
# database whenever they are asked for, so a demotion applies at once and a disabled account is nobody.
SIGNED_IN = "signed_in_user"
LAST_SEEN = "last_seen"
SIGNED_OUT = "signed_out_reason"
HOUR_SEC = 3600


def accounts_exist() -> bool:
    return bool(_database().list_users())


def open_mode() -> bool:
    return os.environ.get(OPEN_VARIABLE) == "1" and not accounts_exist()


def first_start() -> bool:
    """No account yet and no open mode: the page shows how to create the first admin, and nothing else."""
    return os.environ.get(OPEN_VARIABLE) != "1" and not accounts_exist()


def signed_in() -> User | None:
    """The session's account as the database has it now; None for nobody or a disabled account; in the open mode,
    the open planner."""
    name = st.session_state.get(SIGNED_IN)
    if name is None:
        return OPEN_USER if open_mode() else None
    account = _database().get_user(name)
    return account if account is not None and account.active else None


def keep_session(now: float | None = None) -> None:
    """At the start of every rerun: end the session of an account disabled or deleted since it signed in, or idle
    longer than `ui.session_idle_hours`; otherwise note that it was seen now."""
    name = st.session_state.get(SIGNED_IN)
    if name is None:
        return
    now = time.time() if now is None else now
    account = _database().get_user(name)
    if account is None or not account.active:
        sign_out(N_("Your account has been disabled: you are signed out."))
    elif now - st.session_state.get(LAST_SEEN, now) > rules().ui.session_idle_hours * HOUR_SEC:
        sign_out(N_("You were signed out after {hours} hours without using the page."))
    else:
        st.session_state[LAST_SEEN] = now


def sign_in(name: str, password: str) -> bool:
    """True, and the account remembered for this session, when name and password match an active account."""
    account = _database().authenticate(name, password)
    if account is not None:
        sign_out()  # nothing of whoever used this tab before carries over
        st.session_state[SIGNED_IN] = account.name
        st.session_state[LAST_SEEN] = time.time()
    return account is not None


def sign_out(reason: str | None = None) -> None:
    """Forget all the session holds — unsaved widget values, pages' state, a running solve (stopped) — so the next
    person in this tab inherits nothing; only the language stays. `reason` (a text to translate, which may name the
    idle `{hours}`) is shown on the sign-in page."""
    for value in st.session_state.values():
        if isinstance(value, Background):
            value.stop()
    language = st.session_state.get("language")
    for key in list(st.session_state.keys()):
        del st.session_state[key]
    if language is not None:
        st.session_state["language"] = language
    if reason is not None:
        st.session_state[SIGNED_OUT] = reason


@runtime_checkable
class Background(Protocol):
    """What a page keeps running in the background for the session (a solve): told that its tab is still open
    (`touch`), stopped at sign-out."""

    def stop(self) -> None: ...

    def touch(self) -> None: ...


@st.fragment(run_every=5)
def keep_background_alive() -> None:
    """Every few seconds while the tab is open, on whichever page: a solve nobody touches for a while stops, as
    its tab is gone (planner.jobs, `abandon_after`)."""
    for value in list(st.session_state.values()):
        if isinstance(value, Background):
            value.touch()


def require(allowed: bool) -> None:
    """Stop the page here unless the current account may open it. Every page checks for itself: leaving a page
    out of the navigation hides it, but only this keeps a supervisor out of the roster."""
    if not allowed:
        st.error(t()(N_("Your account may not open this page.")))
        st.stop()


def permissions() -> Permissions:
    return Permissions.of(signed_in())


def viewer() -> str:
    """What the signed-in user may see, as text: part of the cache key of anything filtered for them."""
    allowed = permissions()
    return (f"{allowed.role}:{sorted(allowed.visible_teams or ())}:{allowed.can_see_personal_data}:"
            f"{allowed.operator_id or ''}")


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
    published = [version for version in versions if version.is_published]
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
    published = [version for version in store().list_versions(of) if version.is_published]
    if not published:
        return None
    return _published_roster(database(), published[-1].id, published[-1].revision, viewer())


# A published version never changes; keyed on the database and its id (and revision, to be plain about it), and on
# the viewer, since the store cuts a roster down to what the account may see. Enough entries for the months the
# ledger looks back on.
@st.cache_data(show_spinner=False, max_entries=26)
def _published_roster(db: str, version_id: int, revision: int, _viewer: str) -> StoredRoster:
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
