"""Swaps on the page (issue 16, item 4): the operator asks and answers on their own page (`operator_swaps`), and
planners and supervisors approve on the Swaps page (`page`). Every check is the store's (`Store.ask_swap`,
`answer_swap`, `decide_swap`): the page only says in words what it refused."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date

import pandas as pd
import streamlit as st
from babel.dates import format_date

from planner.domain import Operator, Shift
from planner.i18n import rule_label
from planner.store import StoredRoster, SwapInfo, SwapRefused
from planner.swaps import SWAP_KINDS, Swap
from ui import state
from ui.views import show_no_roster

__all__ = ["page", "operator_swaps", "ASK", "SWAP_DAY", "SWAP_KIND", "SWAP_COLLEAGUE", "SWAP_THEIR_DAY",
           "answer_key", "decide_key"]

ASK, SWAP_DAY, SWAP_KIND, SWAP_COLLEAGUE, SWAP_THEIR_DAY = (
    "ask_swap", "swap_day", "swap_kind", "swap_colleague", "swap_their_day")
NOTICE = "swap_notice"


def answer_key(swap_id: int, accept: bool) -> str:
    return f"{'accept' if accept else 'decline'}_swap_{swap_id}"


def decide_key(swap_id: int, approve: bool) -> str:
    return f"{'approve' if approve else 'refuse'}_swap_{swap_id}"


def operator_swaps(stored: StoredRoster, operator: Operator, own: Sequence[Shift]) -> None:
    """The operator's part: ask a colleague for a swap of one of their shifts, answer what was asked of them, and
    see where each stands."""
    _ = state.t()
    st.subheader(_("Swaps"))
    _show_notice()
    store, month, language = state.store(), state.month(), state.language()
    names = dict(store.operator_names(month))
    colleagues = [op_id for op_id in names if op_id != operator.id]
    days = stored.roster.month.days
    if own and colleagues:
        with st.form(ASK):
            mine = st.selectbox(_("My shift of"), [shift.day for shift in own], key=SWAP_DAY,
                                format_func=lambda day: _day(day, language))
            kind = st.radio(_("I would like to"), SWAP_KINDS, key=SWAP_KIND, horizontal=True,
                            format_func=lambda kind: {"swap": _("swap it for a colleague's shift"),
                                                      "give": _("give it to a colleague")}[kind])
            colleague = st.selectbox(_("Colleague"), colleagues, key=SWAP_COLLEAGUE, format_func=names.__getitem__)
            theirs = st.selectbox(_("Their shift of (for a swap)"), days, key=SWAP_THEIR_DAY,
                                  format_func=lambda day: _day(day, language))
            if st.form_submit_button(_("Ask")):
                swap = Swap(kind, operator.id, mine, colleague, theirs if kind == "swap" else None)
                _act(lambda: store.ask_swap(stored.info.id, swap, by=state.user()),
                     _("Asked: {name} sees it on their page.").format(name=names[colleague]))
    swaps = store.swaps(month)
    for info in swaps:
        if info.status == "asked" and info.swap.to_operator == operator.id:
            st.info(_describe(info, names, language))
            accept, decline = st.columns(2)
            if accept.button(_("Accept"), key=answer_key(info.id, True)):
                _act(lambda info=info: store.answer_swap(info.id, True, by=state.user()), _("Accepted."))
            if decline.button(_("Decline"), key=answer_key(info.id, False)):
                _act(lambda info=info: store.answer_swap(info.id, False, by=state.user()), _("Declined."))
    _swap_table(swaps, names, language, "own_swaps")


def page() -> None:
    """Planners and supervisors approve or refuse the swaps operators agreed on."""
    state.require(state.permissions().can_approve_swaps)
    _ = state.t()
    st.header(_("Swaps"))
    _show_notice()
    stored = state.latest_roster()
    if stored is None:
        show_no_roster()
        return
    store, month, language = state.store(), state.month(), state.language()
    visible = {op.id: op.name for op in state.operators()}
    # A supervisor of some teams decides the swaps of their people only.
    swaps = [info for info in store.swaps(month) if {info.swap.from_operator, info.swap.to_operator} <= set(visible)]
    waiting = [info for info in swaps if info.status == "accepted"]
    if not waiting:
        st.caption(_("No swap is waiting for approval."))
    for info in waiting:
        st.info(_describe(info, visible, language))
        approve, refuse = st.columns(2)
        if approve.button(_("Approve"), key=decide_key(info.id, True)):
            _act(lambda info=info: store.decide_swap(info.id, True, by=state.user()),
                 _("Approved: the published roster has a new revision."))
        if refuse.button(_("Refuse"), key=decide_key(info.id, False)):
            _act(lambda info=info: store.decide_swap(info.id, False, by=state.user()), _("Refused."))
    _swap_table(swaps, visible, language, "swaps_table")


def _act(action: Callable[[], object], done: str) -> None:
    """Run a step of a swap; a refusal is said in words, with the rules it would break."""
    try:
        action()
    except SwapRefused as refused:
        st.error(_refusal(refused))
    else:
        st.session_state[NOTICE] = done
        st.rerun()


def _refusal(refused: SwapRefused) -> str:
    _ = state.t()
    if not refused.violations:
        return _("The swap was refused: {reason}").format(reason=str(refused))
    language = state.language()
    rules = "; ".join(f"{rule_label(violation.rule, language)} ({violation.operator_id}, {violation.detail})"
                      for violation in refused.violations)
    return _("The swap would break the rules: {rules}").format(rules=rules)


def _show_notice() -> None:
    notice = st.session_state.pop(NOTICE, None)
    if notice:
        st.success(notice)


def _describe(info: SwapInfo, names: dict[str, str], language: str) -> str:
    _ = state.t()
    swap = info.swap
    giver, taker = names.get(swap.from_operator, swap.from_operator), names.get(swap.to_operator, swap.to_operator)
    if swap.kind == "give" or swap.to_day is None:
        return _("{giver} gives their shift of {day} to {taker}.").format(
            giver=giver, taker=taker, day=_day(swap.from_day, language))
    return _("{giver} takes {taker}'s shift of {their_day} and gives their own of {day}.").format(
        giver=giver, taker=taker, day=_day(swap.from_day, language), their_day=_day(swap.to_day, language))


def _swap_table(swaps: Sequence[SwapInfo], names: dict[str, str], language: str, key: str) -> None:
    if not swaps:
        return
    _ = state.t()
    statuses = {"asked": _("asked"), "accepted": _("accepted, waiting for approval"), "declined": _("declined"),
                "approved": _("approved"), "refused": _("refused")}
    st.dataframe(pd.DataFrame({
        _("Swap"): [_describe(info, names, language) for info in swaps],
        _("Status"): [statuses[info.status] for info in swaps],
        _("Why"): [info.reason for info in swaps],
    }), key=key, hide_index=True, width="stretch")


def _day(day: date, language: str) -> str:
    return format_date(day, "EEE d MMM", locale=language)
