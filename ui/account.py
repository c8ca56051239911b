"""Signing in, and the admin's page of accounts.

Accounts are created from the command line first (`planner user add NAME --role admin`); until one exists the page
says only that (or, in the open mode `make run` asks for, is open to a planner: see `ui.state`). Passwords are
checked by the store (Argon2id, `planner.auth`); the page never says whether the name or the password was wrong.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import pandas as pd
import streamlit as st

from planner.auth import Role, User
from planner.errors import PlannerError
from planner.i18n import N_
from planner.store import SignInThrottled
from ui import state
from ui.export import audit_log

__all__ = ["first_start_page", "sign_in_page", "accounts_page", "ERASE_ID", "ERASE_CONFIRM", "ERASE", "NAME",
           "PASSWORD", "SIGN_IN", "CHANGE_NAME", "SWITCH", "SAVE_ROLE", "SET_PASSWORD", "NEW_NAME", "NEW_ROLE",
           "NEW_TEAMS", "NEW_OPERATOR", "NEW_PASSWORD", "ADD"]

# Widget keys.
NAME, PASSWORD, SIGN_IN = "sign_in_name", "sign_in_password", "sign_in"
NEW_NAME, NEW_ROLE, NEW_TEAMS, NEW_OPERATOR, NEW_PASSWORD, ADD = "new_user_name", "new_user_role", \
    "new_user_teams", "new_user_operator", "new_user_password", "add_user"
CHANGE_NAME, SWITCH, SAVE_ROLE, SET_PASSWORD = "change_user_name", "switch_user", "save_user_role", "set_user_password"
NOTICE = "accounts_notice"
ERASE_ID, ERASE_CONFIRM, ERASE = "erase_operator_id", "erase_confirmed", "erase_personal_data"
TEAMS_LABEL = N_("Teams a supervisor sees, separated by commas; * for all teams")
OPERATOR_LABEL = N_("Operator id an operator account sees the shifts of")


def first_start_page() -> None:
    _ = state.t()
    st.header(_("First start"))
    st.info(_("No account exists yet. On the server, create the first administrator:"))
    st.code("planner user add NAME --role admin", language="sh")
    st.caption(_("Then sign in here. To try the planner alone on your own computer, `make run` opens it without "
                 "accounts to this computer only."))


def sign_in_page() -> None:
    _ = state.t()
    st.header(_("Sign in"))
    reason = st.session_state.get(state.SIGNED_OUT)
    if reason:
        st.info(_(reason).format(hours=f"{state.rules().ui.session_idle_hours:g}"))
    with st.form("sign_in_form"):
        name = st.text_input(_("Name"), key=NAME)
        password = st.text_input(_("Password"), type="password", key=PASSWORD)
        submitted = st.form_submit_button(_("Sign in"), key=SIGN_IN)
    if submitted:
        try:
            accepted = state.sign_in(name, password)
        except SignInThrottled as refused:
            text = (_("Too many wrong passwords for this name: sign-in is refused for {minutes} min.")
                    if refused.for_name else
                    _("Too many sign-in attempts on this server just now: try again in {minutes} min."))
            st.error(text.format(minutes=refused.minutes))
            return
        if accepted:
            st.rerun()
        st.error(_("Unknown name or wrong password, or the account is disabled."))


def accounts_page() -> None:
    state.require(state.permissions().can_manage_users)
    _ = state.t()
    st.header(_("Accounts"))
    notice = st.session_state.pop(NOTICE, None)
    if notice:
        st.success(notice)
    users = state.store().list_users()
    st.dataframe(pd.DataFrame({
        _("Name"): [user.name for user in users],
        _("Role"): [str(user.role) for user in users],
        _("Access"): [user.access for user in users],
        _("Active"): [user.active for user in users],
    }), key="accounts_table", hide_index=True, width="stretch")
    st.subheader(_("New account"))
    with st.form("new_account"):
        name = st.text_input(_("Name"), key=NEW_NAME)
        role = st.selectbox(_("Role"), [str(role) for role in Role], key=NEW_ROLE)
        teams = st.text_input(_(TEAMS_LABEL), key=NEW_TEAMS)
        operator = st.text_input(_(OPERATOR_LABEL), key=NEW_OPERATOR)
        password = st.text_input(_("Password"), type="password", key=NEW_PASSWORD)
        submitted = st.form_submit_button(_("Create"), key=ADD)
    st.caption(_("A planner sees every operator's address and phone: the audit log records who made an account a "
                 "planner, and when."))
    if submitted:
        _change(lambda: state.store().add_user(name, role, password, by=state.user(), teams=_teams(teams),
                                               operator=operator),
                _("Account created."))
    _change_account(users)
    _erase_personal_data()
    audit_log("accounts", ("account changes", "erasures", "sign-ins", "refused sign-ins"))


def _erase_personal_data() -> None:
    _ = state.t()
    st.subheader(_("Erase an operator's personal data"))
    with st.form("erase_personal_data"):
        operator_id = st.text_input(_("Operator id"), key=ERASE_ID)
        confirmed = st.checkbox(_("Erase their address, district, home coordinates and phone from every stored "
                                  "operator list. This cannot be undone."), key=ERASE_CONFIRM)
        submitted = st.form_submit_button(_("Erase"), key=ERASE)
    if not submitted:
        return
    if not confirmed:
        st.error(_("Tick the box to confirm the erasure."))
        return
    _change(lambda: state.store().erase_personal_data(operator_id.strip(), by=state.user()),
            _("The personal data of {operator} were erased.").format(operator=operator_id.strip()))


def _teams(text: str) -> list[str]:
    return [team.strip() for team in text.split(",") if team.strip()]


def _change(action: Callable[[], object], done: str) -> None:
    """Run a change of accounts; its refusal (a weak password, the last admin…) is shown in plain words."""
    try:
        action()
    except PlannerError as error:
        st.error(str(error))
    else:
        st.session_state[NOTICE] = done
        st.rerun()


def _change_account(users: Sequence[User]) -> None:
    _ = state.t()
    if not users:
        return
    st.subheader(_("Change an account"))
    store, by = state.store(), state.user()
    by_name = {user.name: user for user in users}
    chosen = by_name[st.selectbox(_("Account"), list(by_name), key=CHANGE_NAME)]
    roles = [str(role) for role in Role]
    left, right = st.columns(2)
    with left.form("change_role"):
        # Keyed by the account, so choosing another one shows that one's values.
        role = st.selectbox(_("Role"), roles, index=roles.index(str(chosen.role)), key=f"role_of_{chosen.name}")
        teams = st.text_input(_(TEAMS_LABEL),
                              value=", ".join(chosen.teams), key=f"teams_of_{chosen.name}")
        operator = st.text_input(_(OPERATOR_LABEL), value=chosen.operator_id or "",
                                 key=f"operator_of_{chosen.name}")
        if st.form_submit_button(_("Save the role"), key=SAVE_ROLE):
            _change(lambda: store.set_role(chosen.name, role, by=by, teams=_teams(teams), operator=operator),
                    _("Role saved."))
    with right.form("change_password"):
        password = st.text_input(_("New password"), type="password", key=f"password_of_{chosen.name}")
        if st.form_submit_button(_("Set the password"), key=SET_PASSWORD):
            _change(lambda: store.set_password(chosen.name, password, by=by), _("Password set."))
    if chosen.active:
        if right.button(_("Disable the account"), key=SWITCH):
            _change(lambda: store.disable_user(chosen.name, by=by), _("Account disabled."))
    elif right.button(_("Enable the account"), key=SWITCH):
        _change(lambda: store.enable_user(chosen.name, by=by), _("Account enabled."))
