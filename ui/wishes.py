"""Wishes for a month on the page (issue 16, item 3): the operator enters theirs on their own page
(`operator_wishes`), the planner opens the window, sees who answered and every change, and takes them into the
operator list on the Operators page (`planner_wishes`). The checks are the store's."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

import pandas as pd
import streamlit as st

from planner.domain import Operator
from planner.errors import InputError
from planner.store import StoreError
from planner.wishes import WISH_FIELDS, Wishes, wishes_of
from ui import state
from ui.views import show_problems, when

__all__ = ["operator_wishes", "planner_wishes", "WISHES_FORM", "OPEN_FORM", "APPLY", "wish_key"]

WISHES_FORM, OPEN_FORM, APPLY = "own_wishes", "open_wishes", "apply_wishes"
OPENS, CLOSES = "wishes_opens", "wishes_closes"
NOTICE = "wishes_notice"


def wish_key(field: str) -> str:
    return f"wish_{field}"


def operator_wishes(operator: Operator) -> None:
    """The operator's wishes for the month chosen in the sidebar, while its window is open."""
    _ = state.t()
    store, month = state.store(), state.month()
    window = store.wish_window(month)
    if window is None:
        return
    st.subheader(_("My wishes for {month}").format(month=month))
    _show_notice()
    st.caption(_("Collected from {opens} until {closes}; after that only the planner changes them.").format(
        opens=window.opens_on, closes=window.closes_on))
    entries = store.wishes(month)
    current = entries[-1].wishes if entries else wishes_of(operator)
    labels = _labels()
    with st.form(WISHES_FORM):
        values = {name: st.text_input(labels[name], value=getattr(current, name), key=wish_key(name))
                  for name in WISH_FIELDS}
        if st.form_submit_button(_("Save my wishes")):
            _act(lambda: store.save_wishes(month, Wishes(operator.id, **values), by=state.user()),
                 _("Your wishes are saved."))


def planner_wishes() -> None:
    """The planner's part, under the operator list: the window, who answered, every change, and taking them in."""
    _ = state.t()
    store, month = state.store(), state.month()
    st.subheader(_("Operators' wishes for {month}").format(month=month))
    _show_notice()
    window = store.wish_window(month)
    with st.form(OPEN_FORM):
        first = date.fromisoformat(f"{month}-01")
        opens = st.date_input(_("Open from"), value=window.opens_on if window else date.today(), key=OPENS)
        closes = st.date_input(_("Until (included)"), value=window.closes_on if window else first - timedelta(days=1),
                               key=CLOSES)
        if st.form_submit_button(_("Open the window") if window is None else _("Move the window")):
            _act(lambda: store.open_wishes(month, opens, closes, by=state.user()), _("The window is set."))
    if window is None:
        return
    entries = store.wishes(month)
    answered = {entry.wishes.operator_id for entry in entries}
    operators = state.operators()
    missing = [op.name for op in operators if op.id not in answered]
    answers = len(answered & {op.id for op in operators})
    st.caption(_("{answered} of {total} operators answered.").format(answered=answers, total=len(operators))
               + (" " + _("Not yet: {names}.").format(names=", ".join(missing)) if missing else ""))
    if entries:
        labels = _labels()
        st.dataframe(pd.DataFrame({
            _("When"): [when(entry.entered_at) for entry in entries],
            _("Who"): [entry.entered_by for entry in entries],
            _("Operator"): [entry.wishes.operator_id for entry in entries],
            **{labels[name]: [getattr(entry.wishes, name) for entry in entries] for name in WISH_FIELDS},
        }), key="wishes_history", hide_index=True, width="stretch")
        if st.button(_("Take the newest wishes into the operator list"), key=APPLY):
            _act(lambda: store.apply_wishes(month, by=state.user()),
                 _("The operator list has a new version with the wishes."))


def _labels() -> dict[str, str]:
    _ = state.t()
    return {"earliest_start": _("Earliest start (HH:MM)"), "latest_end": _("Latest end (HH:MM)"),
            "unavailable": _("Dates I cannot work (YYYY-MM-DD, separated by spaces)"),
            "days_off_wished": _("Days I wish off (YYYY-MM-DD, separated by spaces)"),
            "shift_requests": _("Shift requests (e.g. 2026-12-05:evening -2026-12-06:night)"),
            "weekly_hours": _("Hours by day of the week, e.g. my term timetable: mon-fri 17:00-24:00")}


def _act(action: Callable[[], object], done: str) -> None:
    _ = state.t()
    try:
        action()
    except InputError as error:
        show_problems(error, _("The wishes were not saved:"))
    except StoreError as refused:
        st.error(str(refused))
    else:
        st.session_state[NOTICE] = done
        st.rerun()


def _show_notice() -> None:
    notice = st.session_state.pop(NOTICE, None)
    if notice:
        st.success(notice)
