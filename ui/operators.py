"""The operators page: upload the month's operators CSV, or edit the list in place; either way the whole list
goes through the importer (`parse_operators`) and is saved only when every row is valid. Every saved list stays
in the history.

The table holds the CSV's own text (times `HH:MM`, dates separated by spaces), so that saving it is importing a
CSV: one validation, one set of messages, naming the table's rows and columns."""

from __future__ import annotations

import csv
import io

import pandas as pd
import streamlit as st

from planner.csvfile import read_table
from planner.domain import Operator
from planner.errors import InputError
from planner.i18n import MESSAGES, PAGES, column_label, count_text, rule_label
from planner.operators import parse_operators
from planner.samples import write_operators_csv
from planner.store import OperatorList
from ui import state
from ui.views import Outcome, record_view, show_outcome, uploaded_bytes, when

__all__ = ["page", "UPLOAD", "OUTCOME", "SAVE", "table_key"]

# Session and widget keys.
UPLOAD = "operators_upload"
OUTCOME = "operators_outcome"
SAVE = "operators_save"
TABLE_SOURCE = "operators table"  # the stored source of a list saved from the table


def table_key(stored: OperatorList | None) -> str:
    """The editor's key follows the saved list, so that a save or an upload opens a fresh editor instead of
    replaying the old edits onto the new list."""
    return f"operators_table_{stored.id if stored else 0}"


def page() -> None:
    state.require(state.permissions().can_edit_rosters)
    _ = state.t()
    st.header(_(PAGES["operators"]))
    st.file_uploader(_(MESSAGES["upload_operators"]), key=UPLOAD, on_change=_import_upload,
                     help=_("Columns id, name, rate and optionally earliest_start, latest_end, unavailable, "
                            "days_off_wished, team, address, district, lat, lon, phone, max_consecutive_days, "
                            "max_working_weekends, shift_requests."))
    stored = state.store().load_operators(state.month())
    st.subheader(_("Operators of {month}").format(month=state.month()))
    st.caption(_("Edit cells, add rows at the bottom or delete selected rows, then save. Nothing is saved until "
                 "every row is valid."))
    edited = st.data_editor(_table(stored.operators if stored else ()), key=table_key(stored), num_rows="dynamic",
                            hide_index=True, column_config=_columns(), width="stretch")
    if stored is not None:
        record_view(f"operators {state.month()}, list {stored.id} ({len(stored.operators)} operators)")
    if st.button(_("Save the table"), key=SAVE, type="primary"):
        _save_table(edited)
    show_outcome(OUTCOME, _("The table was not saved. Fix these problems and save again:"))
    _history()


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
    state.store().save_operators(state.month(), operators, state.user(), source=uploaded.name)
    st.session_state[OUTCOME] = Outcome(saved=_("{operators} imported from {file}.").format(
        operators=count_text(_, "operator", len(operators)), file=uploaded.name))


def _save_table(edited: pd.DataFrame) -> None:
    _ = state.t()
    data = edited.to_csv(index=False).encode("utf-8")
    try:
        operators = parse_operators(data, TABLE_SOURCE, state.rules())
    except InputError as error:
        st.session_state[OUTCOME] = Outcome(rejected=error, in_rows=True)
        return
    state.store().save_operators(state.month(), operators, state.user(), source=TABLE_SOURCE)
    st.session_state[OUTCOME] = Outcome(saved=_("{operators} saved.").format(
        operators=count_text(_, "operator", len(operators))))
    st.rerun()  # opens the editor of the list just saved


def _table(operators: tuple[Operator, ...]) -> pd.DataFrame:
    """The operators as the CSV writes them, one text cell per column."""
    text = io.StringIO()
    write_operators_csv(operators, text)
    columns = next(csv.reader(io.StringIO(text.getvalue())))
    # Read back with the importer's reader, which drops the formula guard the writer puts before "+7 900 ...".
    rows = read_table(text.getvalue().encode("utf-8"), TABLE_SOURCE).rows if operators else ()
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
