"""The history page: upload the centre's call history, see how accurate a forecast from it has been (the
rolling-origin backtest against two baselines), see history and forecast on one chart, and accept the forecast as
a month's forecast — stored exactly like an uploaded one. The work is `planner.history_csv` and
`planner.forecast_model`."""

from __future__ import annotations

import io
from datetime import timedelta

import altair as alt
import pandas as pd
import streamlit as st

from planner.config import Rules
from planner.domain import Forecast
from planner.errors import InputError
from planner.forecast_model import BacktestReport, backtest_report, forecast_month
from planner.history_csv import GAP_POLICIES, History, parse_column_names, parse_history
from planner.i18n import whole_number
from planner.month import Month
from planner.samples import write_forecast_csv
from ui import state
from ui.views import show_problems, uploaded_bytes

__all__ = ["page", "UPLOAD", "GAPS", "TARGET", "ACCEPT", "COLUMNS", "IGNORE_OFFSETS", "forecast_file"]

# Widget keys.
UPLOAD, GAPS, TARGET, ACCEPT = "history_file", "history_gaps", "history_month", "history_accept"
COLUMNS, IGNORE_OFFSETS = "history_columns", "history_ignore_offsets"
SHOWN_WEEKS = 4


def page() -> None:
    state.require(state.permissions().can_edit_rosters)
    _ = state.t()
    st.header(_("History and forecast"))
    st.caption(_("A CSV of interval_start (or date and hour), calls and optionally aht_sec and status, at 5, 15, 30 or "
                 "60 minutes."))
    upload = st.file_uploader(_("Call history"), type=["csv", "txt"], key=UPLOAD)
    gaps = st.radio(_("Hours absent from the file are"), GAP_POLICIES, key=GAPS, horizontal=True,
                    format_func=lambda policy: {"closed": _("closed (0 calls)"),
                                                "missing": _("missing data (left out)")}[policy])
    renamed = st.text_input(_("Columns under other names (ours=theirs, separated by commas)"), key=COLUMNS,
                            placeholder="interval_start=DateTime")
    ignore_offsets = st.checkbox(_("Times carry a zone mark (Z, +00:00) but are the centre's local time"),
                                 key=IGNORE_OFFSETS)
    if upload is None:
        return
    rules = state.rules()
    try:
        columns = parse_column_names(renamed) if renamed.strip() else {}
    except ValueError as error:
        st.error(str(error))
        return
    try:
        history = _history(uploaded_bytes(upload), upload.name, state.rules_text(), gaps, tuple(columns.items()),
                           ignore_offsets)
    except InputError as error:
        show_problems(error, _("{name} was rejected, nothing was imported:").format(name=upload.name))
        return
    for line in history.describe():
        st.caption(line)
    following = history.days[-1] + timedelta(days=1)
    label = st.text_input(_("Month to forecast (YYYY-MM)"), f"{following:%Y-%m}", key=TARGET)
    try:
        month = Month(int(label[:4]), int(label[5:7]), rules.centre.timezone, rules.centre.country)
    except ValueError:
        st.error(_("The month must be written YYYY-MM."))
        return
    key = (upload.getvalue(), state.rules_text(), gaps, tuple(columns.items()), ignore_offsets)
    try:
        _backtest(_backtest_report(history, rules, *key))
    except InputError as error:
        st.warning("\n".join(str(problem) for problem in error.problems))
    try:
        forecast = _forecast(history, rules, *key, month)
    except InputError as error:
        show_problems(error, _("No forecast of {month} from this history:").format(month=month.label))
        return
    _chart(history, forecast)
    st.metric(_("Forecast calls in the month"), whole_number(sum(forecast.calls), state.language()))
    if st.button(_("Accept as the month's forecast"), key=ACCEPT, type="primary"):
        stored = state.store().save_forecast(forecast_file(forecast), f"forecast-{month.label}.csv", rules,
                                             state.user())
        st.session_state["month"] = stored.forecast.month.label
        st.success(_("Stored as the forecast of {month}.").format(month=month.label))


def forecast_file(forecast: Forecast) -> bytes:
    """The forecast as the contract's CSV, the same bytes an upload of it would store."""
    text = io.StringIO()
    write_forecast_csv(forecast, text)
    return text.getvalue().encode("utf-8")


@st.cache_data(show_spinner=False, max_entries=4)
def _history(data: bytes, name: str, rules_text: str, gaps: str, columns: tuple[tuple[str, str], ...],
             ignore_offsets: bool) -> History:
    return parse_history(data, name, state.rules(), gaps=gaps, columns=dict(columns), ignore_offsets=ignore_offsets)


# Keyed on the file, the rules text, the gap policy, the column names (and the month); the parsed history is not
# hashed.
@st.cache_data(show_spinner=False, max_entries=4)
def _backtest_report(_history: History, _rules: Rules, data: bytes, rules_text: str, gaps: str,
                     columns: tuple[tuple[str, str], ...], ignore_offsets: bool) -> BacktestReport:
    return backtest_report(_history, _rules)


@st.cache_data(show_spinner=False, max_entries=4)
def _forecast(_history: History, _rules: Rules, data: bytes, rules_text: str, gaps: str,
              columns: tuple[tuple[str, str], ...], ignore_offsets: bool, month: Month) -> Forecast:
    return forecast_month(_history, month, _rules)


def _backtest(report: BacktestReport) -> None:
    _ = state.t()
    st.subheader(_("Backtest: the last {weeks} weeks, one origin a week").format(weeks=len(report.origins)))
    columns, rows = report.summary_table()
    st.dataframe(pd.DataFrame(rows, columns=columns), key="history_backtest", hide_index=True)
    for by, title in (("weekday", _("By day of the week")), ("hour", _("By hour of the day"))):
        with st.expander(title):
            columns, rows = report.breakdown_table(by)
            st.dataframe(pd.DataFrame(rows, columns=columns), key=f"history_backtest_{by}", hide_index=True)


def _chart(history: History, forecast: Forecast) -> None:
    since = history.days[-1] - timedelta(weeks=SHOWN_WEEKS)
    past = [(moment, calls) for moment, calls in zip(history.hours, history.calls, strict=True)
            if moment.date() > since]
    frame = pd.concat([
        pd.DataFrame({"hour": [_naive(m) for m, _c in past], "calls": [c for _m, c in past], "series": "history"}),
        pd.DataFrame({"hour": [_naive(m) for m in forecast.month.hours], "calls": list(forecast.calls),
                      "series": "forecast"}),
    ])
    chart = alt.Chart(frame).mark_line(strokeWidth=1).encode(
        x=alt.X("hour:T", title=None), y=alt.Y("calls:Q"), color=alt.Color("series:N", title=None))
    st.container(key="history_chart").altair_chart(chart, width="stretch")


def _naive(moment) -> pd.Timestamp:
    """Local wall-clock time for the chart's axis (altair would show the browser's zone otherwise)."""
    return pd.Timestamp(moment.replace(tzinfo=None))
