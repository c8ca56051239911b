"""The store as one account may use it (planner.store.access): every call the page makes checks the account's
permission and acts in its name alone; drafts and personal data are left out of what a role may not see."""

from __future__ import annotations

import inspect
import re
from unittest.mock import MagicMock

import pytest
from streamlit.testing.v1 import AppTest

from helpers.ui_pages import FEBRUARY, ROOT, greedy_draft, make_account
from planner.auth import ALL_TEAMS, Permissions, Role, User
from planner.store import AccountStore, NotPermitted, Store
from planner.store.access import REQUIRED, may_call
from ui import state

ANNA = User("anna", Role.PLANNER)
SVETA = User("sveta", Role.SUPERVISOR, (ALL_TEAMS,))
ROOT_ADMIN = User("root", Role.ADMIN)
OLGA = User("olga", Role.OPERATOR, operator_id="op1")
ACCOUNTS = (ANNA, SVETA, ROOT_ADMIN, OLGA, None)


def _arguments(name: str, account: User | None) -> dict[str, object]:
    """Any value for each parameter of Store.`name`, and the account's own name for who acts."""
    own = account.name if account else "nobody"
    parameters = list(inspect.signature(getattr(Store, name)).parameters.values())[1:]
    return {p.name: own if p.name in ("user", "by") else object() for p in parameters if p.default is p.empty}


@pytest.mark.parametrize("account", ACCOUNTS, ids=lambda account: account.role if account else "nobody")
@pytest.mark.parametrize("name", sorted(REQUIRED))
def test_item_4_each_store_call_runs_only_for_an_account_with_its_permission(name, account):
    # Issue 15, item 4: the pages checked the role; the store served whoever called it.
    store = MagicMock(spec=Store)
    guarded = AccountStore(store, account)
    allowed = may_call(Permissions.of(account), name)
    if allowed:
        getattr(guarded, name)(**_arguments(name, account))
        getattr(store, name).assert_called_once()
    else:
        with pytest.raises(NotPermitted, match=name.replace("_", " ")):
            getattr(guarded, name)(**_arguments(name, account))
        getattr(store, name).assert_not_called()


def test_item_4_nobody_acts_in_another_accounts_name():
    store = MagicMock(spec=Store)
    with pytest.raises(NotPermitted, match="in the name of 'boss'"):
        AccountStore(store, ANNA).publish(1, "boss")
    with pytest.raises(NotPermitted, match="in the name of 'anna'"):
        AccountStore(store, ROOT_ADMIN).disable_user("sveta", by="anna")
    store.publish.assert_not_called()
    store.disable_user.assert_not_called()


@pytest.mark.parametrize("name", ["authenticate", "close", "a_method_added_tomorrow"])
def test_item_4_a_call_without_a_permission_of_its_own_is_refused(name):
    with pytest.raises(NotPermitted, match=f"Store.{name}"):
        getattr(AccountStore(MagicMock(spec=Store), ANNA), name)


def test_item_4_every_store_call_of_the_pages_has_a_permission():
    # A call the pages make but REQUIRED lacks would be refused to everyone at run time.
    called = set()
    for source in [*(ROOT / "ui").glob("*.py"), ROOT / "app.py"]:
        called |= set(re.findall(r"\bstore(?:\(\))?\.(\w+)\(", source.read_text(encoding="utf-8")))
    assert called and called <= set(REQUIRED)


def test_item_4_a_supervisor_sees_published_versions_only(small_month_store):
    draft = greedy_draft(small_month_store)
    supervisor = AccountStore(small_month_store, SVETA)
    assert supervisor.list_versions(FEBRUARY.label) == ()
    with pytest.raises(NotPermitted, match="is a draft"):
        supervisor.load_roster(draft)
    small_month_store.publish(draft, "anna")
    assert [info.id for info in supervisor.list_versions(FEBRUARY.label)] == [draft]
    assert supervisor.load_roster(draft).info.status == "published"


def test_item_4_an_admin_gets_operators_without_personal_data(small_month_store):
    stored = small_month_store.load_operators(FEBRUARY.label).operators
    assert any(op.address for op in stored) and any(op.phone for op in stored)
    listed = AccountStore(small_month_store, ROOT_ADMIN).load_operators(FEBRUARY.label).operators
    assert [op.id for op in listed] == [op.id for op in stored]
    assert not any(op.address or op.phone or op.district or op.lat is not None for op in listed)
    assert AccountStore(small_month_store, ANNA).load_operators(FEBRUARY.label).operators == stored


def _addresses_the_store_gives_the_page() -> None:
    import streamlit as st

    from planner.store import NotPermitted
    from ui import state

    try:
        listed = state.store().load_operators(state.month()).operators
    except NotPermitted as refused:
        st.write(f"refused: {refused}")
    else:
        st.write(f"{sum(bool(op.address) for op in listed)} addresses")


@pytest.mark.parametrize(("account", "shown"), [(ANNA, "12 addresses"), (ROOT_ADMIN, "0 addresses"),
                                                (None, "refused: nobody (not signed in) may not load operators")])
def test_item_4_the_pages_get_the_store_as_the_signed_in_account_may_use_it(small_month_store, account, shown):
    at = AppTest.from_function(_addresses_the_store_gives_the_page, default_timeout=60)
    if account is not None:
        make_account(account)
        at.session_state[state.SIGNED_IN] = account.name
    else:
        make_account(ROOT_ADMIN)  # accounts exist: nobody signed in is not the open mode's planner
    at.run()
    assert not at.exception
    assert at.markdown[0].value == shown


# --- the operator role (issue 16, item 1) ----------------------------------------------------------------------


def test_an_operator_gets_their_own_published_shifts_and_nothing_of_anyone_else(small_month_store):
    draft = greedy_draft(small_month_store)
    own_id = small_month_store.load_roster(draft).roster.shifts[0].operator_id
    operator = AccountStore(small_month_store, User("olga", Role.OPERATOR, operator_id=own_id))
    assert operator.list_versions(FEBRUARY.label) == ()
    with pytest.raises(NotPermitted, match="is a draft"):
        operator.load_roster(draft)
    small_month_store.publish(draft, "anna")
    full = small_month_store.load_roster(draft)
    seen = operator.load_roster(draft)
    assert {shift.operator_id for shift in seen.roster.shifts} == {own_id}
    assert seen.roster.shifts == tuple(shift for shift in full.roster.shifts if shift.operator_id == own_id)
    assert seen.report == {}
    (own,) = operator.load_operators(FEBRUARY.label).operators
    assert own.id == own_id and not (own.address or own.phone or own.district or own.lat is not None)


@pytest.mark.parametrize("name", ["latest_forecast", "record_export", "record_event", "operator_list",
                                  "operator_history", "save_operators", "save_draft", "publish", "edit_history",
                                  "working_copy", "audit_log", "list_users", "erase_personal_data"])
def test_an_operator_may_not_read_the_centres_data_or_change_anything(name):
    store = MagicMock(spec=Store)
    with pytest.raises(NotPermitted):
        getattr(AccountStore(store, OLGA), name)(**_arguments(name, OLGA))
    getattr(store, name).assert_not_called()


def test_an_operator_account_without_an_operator_id_may_see_nothing():
    store = MagicMock(spec=Store)
    with pytest.raises(NotPermitted):
        AccountStore(store, User("nobody-in-particular", Role.OPERATOR)).load_roster(1)
    store.load_roster.assert_not_called()
