"""Signing in, and the admin's page of accounts.

Accounts are created from the command line first (`planner user add NAME --role admin`); until one exists the page
is open and everyone is a planner. Passwords are checked by the store (Argon2id, `planner.auth`); the page never
says whether the name or the password was wrong.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from planner.auth import Role, UserRefused, describe_access
from planner.store import StoreError
from ui import state
from ui.export import audit_log

__all__ = ["sign_in_page", "accounts_page", "NAME", "PASSWORD", "SIGN_IN"]

# Widget keys.
NAME, PASSWORD, SIGN_IN = "sign_in_name", "sign_in_password", "sign_in"
NEW_NAME, NEW_ROLE, NEW_TEAMS, NEW_PASSWORD, ADD = "new_user_name", "new_user_role", "new_user_teams", \
    "new_user_password", "add_user"


def sign_in_page() -> None:
    _ = state.t()
    st.header(_("Sign in"))
    with st.form("sign_in_form"):
        name = st.text_input(_("Name"), key=NAME)
        password = st.text_input(_("Password"), type="password", key=PASSWORD)
        submitted = st.form_submit_button(_("Sign in"), key=SIGN_IN)
    if submitted:
        if state.sign_in(name, password):
            st.rerun()
        st.error(_("Unknown name or wrong password, or the account is disabled."))


def accounts_page() -> None:
    _ = state.t()
    st.header(_("Accounts"))
    users = state.store().list_users()
    st.dataframe(pd.DataFrame({
        _("Name"): [user.name for user in users],
        _("Role"): [str(user.role) for user in users],
        _("Access"): [describe_access(user.role, user.teams) for user in users],
        _("Active"): [user.active for user in users],
    }), key="accounts_table", hide_index=True, width="stretch")
    st.subheader(_("New account"))
    with st.form("new_account"):
        name = st.text_input(_("Name"), key=NEW_NAME)
        role = st.selectbox(_("Role"), [str(role) for role in Role], key=NEW_ROLE)
        teams = st.text_input(_("Teams a supervisor sees, separated by commas (empty: every team)"), key=NEW_TEAMS)
        password = st.text_input(_("Password"), type="password", key=NEW_PASSWORD)
        submitted = st.form_submit_button(_("Create"), key=ADD)
    if submitted:
        try:
            state.store().add_user(name, role, password, by=state.user(),
                                   teams=[team.strip() for team in teams.split(",") if team.strip()])
        except (UserRefused, StoreError) as error:
            st.error(str(error))
        else:
            st.success(_("Account created."))
            st.rerun()
    audit_log()
