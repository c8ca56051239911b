"""Streamlit entry: the planner's pages. Thin by design — every figure comes from the core (`planner.*`), every
page lives in `ui/`, and all work is kept in the database (`planner.store`). `make run` opens it on the sample
month, seeded into the database on the first start."""

import streamlit as st

from planner.errors import PlannerError
from planner.i18n import N_, PAGES, available_languages
from ui import breaks, export, forecast, history, operators, roster, rules, schedule, state, swaps, taxi
from ui.account import accounts_page, first_start_page, sign_in_page

st.set_page_config(page_title="Shift planner", layout="wide")
# Tables have no download or copy controls of their own: those would export addresses and phones past the audit
# log and the formula guard of the planner's own downloads. Set here, not in .streamlit/config.toml, so that it
# holds wherever the server is started from.
st.set_option("client.disableDataExport", True)

state.keep_choices()
_ = state.t()
state.keep_session()
state.month()  # the latest stored month until the planner picks another
with st.sidebar:
    st.selectbox(_("Language"), available_languages(), key="language",
                 format_func=lambda code: {"ru": "Русский", "en": "English"}[code])

if state.first_start():
    st.navigation([st.Page(first_start_page, title=_("First start"), url_path="first-start")]).run()
    st.stop()
account = state.signed_in()
if account is None:
    st.navigation([st.Page(sign_in_page, title=_("Sign in"), url_path="sign-in")]).run()
    st.stop()

allowed = state.permissions()
with st.sidebar:
    st.selectbox(_("Month"), state.store().months(), key="month")
    state.keep_background_alive()
    if state.open_mode():
        st.caption(_("Open mode (PLANNER_OPEN=1): everyone who reaches this page is a planner. Create the first "
                     "admin with `planner user add NAME --role admin`."))
    else:
        st.caption(_("Signed in as {name} ({role})").format(name=account.name, role=account.role))
        st.button(_("Sign out"), key="sign_out", on_click=state.sign_out)

# What each role sees (planner.auth): planners everything, supervisors the published rosters' taxi lists and
# exports and swaps to approve, admins the accounts and the audit log, operators their own shifts and swaps.
page_of = {
    "forecast": forecast.page,
    "history": history.page,
    "operators": operators.page,
    "rules": rules.page,
    "roster": roster.page,
    "breaks": breaks.page,
    "taxi": taxi.page,
    "export": export.page,
    "swaps": swaps.page,
    "schedule": schedule.page,
}
if allowed.can_edit_rosters:
    shown = [name for name in page_of if name != "schedule"]
else:
    shown = ["taxi", "export", "swaps"] if allowed.can_export else ["schedule"] if allowed.can_see_own_schedule else []
titles = {**PAGES, "history": N_("History"), "schedule": N_("My shifts"), "swaps": N_("Swaps")}
pages = [st.Page(page_of[name], title=_(titles[name]), url_path=name) for name in shown]
if allowed.can_manage_users:
    pages.append(st.Page(accounts_page, title=_("Accounts"), url_path="accounts"))


def open_first_page() -> None:
    """The root address opens the account's first page under that page's own name. Streamlit serves its default
    page at the root alone, so were the first page the default, `/forecast` would be "Page not found"."""
    st.switch_page(pages[0])


try:
    st.navigation([st.Page(open_first_page, url_path="start", default=True, visibility="hidden"), *pages]).run()
except PlannerError as refused:
    # What a page does not handle itself (a permission the server checked, a save the store refused) is said in
    # words, as the command line says it, not shown as a traceback.
    st.error(str(refused))
