"""The operators page: upload the month's operators CSV, or edit the list in place; either way the whole list
goes through the importer (`parse_operators`) and is saved only when every row is valid. Every saved list stays
in the history.

The table holds the CSV's own text (times `HH:MM`, dates separated by spaces), so that saving it is importing a
CSV: one validation, one set of messages, naming the table's rows and columns.

A save names the list it was made on (the one the editor opened, kept while it has unsaved edits, even if someone
saves a newer one meanwhile). If that is no longer the current list, nothing is saved: the planner sees what each
side changed and re-applies theirs on the current list (`planner.merge`) or drops it."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

import pandas as pd
import streamlit as st

from planner.csvfile import read_rows
from planner.domain import Operator
from planner.errors import InputError
from planner.i18n import MESSAGES, PAGES, column_label, count_text, rule_label
from planner.merge import merge_operators
from planner.operators import parse_operators
from planner.samples import write_operators_csv
from planner.store import OperatorList, StaleInput
from ui import state
from ui.views import Outcome, record_view, show_outcome, show_stale, uploaded_bytes, when
from ui.wishes import planner_wishes

__all__ = ["page", "UPLOAD", "OUTCOME", "SAVE", "OPENED", "REFUSED", "table_key"]

# Session and widget keys.
UPLOAD = "operators_upload"
OUTCOME = "operators_outcome"
SAVE = "operators_save"
OPENED = "operators_opened"  # the id of the list the editor was opened on (None: the month had none)
REFUSED = "operators_refused"  # the last save refused because someone saved first, as a Refused
TABLE_SOURCE = "operators table"  # the stored source of a list saved from the table


@dataclass(frozen=True)
class Refused:
    base: tuple[Operator, ...]  # the list the refused save was made on
    error: StaleInput
    source: str


def table_key(stored: OperatorList | None) -> str:
    """The editor's key follows the saved list, so that a save or an upload opens a fresh editor instead of
    replaying the old edits onto the new list."""
    return _editor_key(stored.id if stored else 0)


def _editor_key(list_id: int) -> str:
    return f"operators_table_{list_id}"


def page() -> None:
    state.require(state.permissions().can_edit_rosters)
    _ = state.t()
    st.header(_(PAGES["operators"]))
    st.file_uploader(_(MESSAGES["upload_operators"]), key=UPLOAD, on_change=_import_upload,
                     help=_("Columns id, name, rate and optionally earliest_start, latest_end, unavailable, "
                            "days_off_wished, team, address, district, lat, lon, phone, max_consecutive_days, "
                            "max_working_weekends, shift_requests, weekly_hours."))
    current = state.store().load_operators(state.month())
    opened = _opened(current)
    st.subheader(_("Operators of {month}").format(month=state.month()))
    st.caption(_("Edit cells, add rows at the bottom or delete selected rows, then save. Nothing is saved until "
                 "every row is valid."))
    if current is not None and opened is not None and opened.id != current.id:
        st.warning(_("{user} saved a newer list on {when} while you were editing; saving yours will show what each "
                     "of you changed.").format(user=current.saved_by, when=when(current.saved_at)))
    edited = st.data_editor(_table(opened.operators if opened else ()), key=table_key(opened), num_rows="dynamic",
                            hide_index=True, column_config=_columns(), width="stretch")
    if opened is not None:
        record_view(f"operators {state.month()}, list {opened.id} ({len(opened.operators)} operators)")
    if st.button(_("Save the table"), key=SAVE, type="primary"):
        _save_table(edited, opened)
    show_outcome(OUTCOME, _("The table was not saved. Fix these problems and save again:"))
    _stale(current)
    _history()
    planner_wishes()


def _opened(current: OperatorList | None) -> OperatorList | None:
    """The list in the editor: the current one, unless the planner has unsaved edits on the one opened before."""
    opened_id = st.session_state.get(OPENED)
    if current is not None and opened_id not in (None, current.id) and _has_edits(opened_id):
        opened = state.store().operator_list(opened_id)
        if opened is not None and opened.month == current.month:
            return opened
    st.session_state[OPENED] = current.id if current else None
    return current


def _has_edits(list_id: int) -> bool:
    edits = st.session_state.get(_editor_key(list_id)) or {}
    return any(edits.get(kind) for kind in ("edited_rows", "added_rows", "deleted_rows"))


def _import_upload() -> None:
    _ = state.t()
    uploaded = st.session_state.get(UPLOAD)
    if uploaded is None:
        st.session_state.pop(OUTCOME, None)
        return
    try:
        operators = parse_operators(uploaded_bytes(uploaded), uploaded.name, state.rules())
    except InputError as error:
        st.session_state[OUTCOME] = Outcome(rejected=error)
        return
    opened_id = st.session_state.get(OPENED)
    base = state.store().operator_list(opened_id) if opened_id is not None else None
    if _saved(operators, uploaded.name, base):
        st.session_state[OUTCOME] = Outcome(saved=_("{operators} imported from {file}.").format(
            operators=count_text(_, "operator", len(operators)), file=uploaded.name))


def _save_table(edited: pd.DataFrame, opened: OperatorList | None) -> None:
    _ = state.t()
    data = edited.to_csv(index=False).encode("utf-8")
    try:
        operators = parse_operators(data, TABLE_SOURCE, state.rules())
    except InputError as error:
        st.session_state[OUTCOME] = Outcome(rejected=error, in_rows=True)
        return
    if _saved(operators, TABLE_SOURCE, opened):
        st.session_state[OUTCOME] = Outcome(saved=_("{operators} saved.").format(
            operators=count_text(_, "operator", len(operators))))
        st.rerun()  # opens the editor of the list just saved


def _saved(operators: tuple[Operator, ...], source: str, base: OperatorList | None) -> bool:
    """Save the list made on `base`; False, with the refusal kept for the planner's choice, if someone saved
    first."""
    try:
        saved = state.store().save_operators(state.month(), operators, state.user(), source=source,
                                             based_on=base.id if base else None)
    except StaleInput as error:
        st.session_state.pop(OUTCOME, None)
        st.session_state[REFUSED] = Refused(base.operators if base else (), error, source)
        return False
    st.session_state.pop(REFUSED, None)
    st.session_state[OPENED] = saved.id
    return True


def _stale(current: OperatorList | None) -> None:
    """A refused save: what each side changed, against the list stored now, and the planner's choice."""
    _ = state.t()
    refused: Refused | None = st.session_state.get(REFUSED)
    if refused is None or refused.error.month != state.month():
        return
    mine = refused.error.refused
    assert isinstance(mine, tuple)
    merge = merge_operators(refused.base, mine, current.operators if current else ())
    choice = show_stale(refused.error, merge, str)
    if choice is None:
        return
    if choice == "reapply":
        merged = tuple(merge.merged.values())
        # Refused again if someone saved meanwhile: the choice is then asked again, against their list.
        if _saved(merged, refused.source, current):
            st.session_state[OUTCOME] = Outcome(saved=_("{operators} saved: your changes re-applied on the current "
                                                        "list.").format(operators=count_text(_, "operator",
                                                                                             len(merged))))
    else:
        del st.session_state[REFUSED]
        st.session_state[OPENED] = current.id if current else None
    st.rerun()  # a fresh editor on the list now current


def _table(operators: tuple[Operator, ...]) -> pd.DataFrame:
    """The operators as the CSV writes them, one text cell per column."""
    text = io.StringIO()
    write_operators_csv(operators, text)
    columns = next(csv.reader(io.StringIO(text.getvalue())))
    # Read back with the importer's reader, which drops the formula guard the writer puts before "+7 900 ...".
    rows = read_rows(text.getvalue().encode("utf-8"), TABLE_SOURCE) if operators else ()
    return pd.DataFrame([[row.get(column) for column in columns] for row in rows], columns=columns, dtype="string")


def _columns() -> dict[str, st.column_config.Column]:
    _ = state.t()
    language = state.language()
    contracts = list(state.rules().contracts)
    text = st.column_config.TextColumn
    dates_help = _("Dates YYYY-MM-DD separated by spaces.")
    own_limit_help = _("The operator's own limit, a whole number no higher than the centre's rule; empty for the "
                       "centre's.")
    return {
        "id": text(column_label("operator_id", language), required=True),
        "name": text(column_label("name", language), required=True),
        "rate": st.column_config.SelectboxColumn(column_label("rate", language), options=contracts, required=True,
                                                 help=_("Contract rate; it sets the shift length.")),
        "earliest_start": text(_("Earliest start"), help=_("HH:MM; empty for 00:00.")),
        "latest_end": text(_("Latest end"), help=_("HH:MM; empty for 24:00. Before the start wraps midnight.")),
        "unavailable": text(_("Unavailable"), help=_("No shift may start on these dates.") + " " + dates_help),
        "days_off_wished": text(rule_label("days_off_wished", language), help=dates_help),
        "team": text(column_label("team", language)),
        "address": text(column_label("address", language)),
        "district": text(column_label("district", language)),
        "lat": text(_("Latitude"), help=_("Home coordinates route the taxi; give both or neither.")),
        "lon": text(_("Longitude")),
        "phone": text(column_label("phone", language)),
        "max_consecutive_days": text(rule_label("max_consecutive_days", language), help=own_limit_help),
        "max_working_weekends": text(rule_label("max_working_weekends", language), help=own_limit_help),
        "shift_requests": text(rule_label("shift_requests", language), help=_(
            "A shift type wished on a date, e.g. 2026-12-05:evening; against one: -2026-12-06:night. Separated by "
            "spaces.")),
        "weekly_hours": text(_("Weekly hours"), help=_(
            "Hours by day of the week in place of earliest start and latest end on those days, e.g. "
            "mon-fri 17:00-24:00, sat 10:00-22:00.")),
    }


def _history() -> None:
    _ = state.t()
    history = state.store().operator_history(state.month())
    if not history:
        return
    st.subheader(_("History"))
    newest_first = list(reversed(history))
    st.dataframe(pd.DataFrame({
        _("Saved"): [when(saved.saved_at) for saved in newest_first],
        _("By"): [saved.saved_by for saved in newest_first],
        _("From"): [_("table edit") if saved.source == TABLE_SOURCE else saved.source for saved in newest_first],
        _(PAGES["operators"]): [len(saved.operators) for saved in newest_first],
    }), key="operators_history", hide_index=True)
