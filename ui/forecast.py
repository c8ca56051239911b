"""The forecast page: upload a month's call forecast; see the month's totals, heat maps of calls and of required
operators by day and hour, and — once operators are loaded — whether they can cover it at all."""

from __future__ import annotations

import altair as alt
import pandas as pd
import streamlit as st
from babel.dates import format_date

from planner.capacity import capacity_warnings
from planner.config import Rules
from planner.domain import Operator, StaffingPlan
from planner.errors import InputError
from planner.i18n import MESSAGES, PAGES, column_label, whole_number
from ui import state
from ui.views import Outcome, show_outcome, uploaded_bytes, when

__all__ = ["page", "UPLOAD", "OUTCOME"]

# Session keys.
UPLOAD = "forecast_upload"
OUTCOME = "forecast_outcome"


def page() -> None:
    state.require(state.permissions().can_edit_rosters)
    _ = state.t()
    st.header(_(PAGES["forecast"]))
    st.file_uploader(_(MESSAGES["upload_forecast"]), key=UPLOAD, on_change=_import_upload,
                     help=_("Columns interval_start (or date and hour), calls and optionally aht_sec; comma, "
                            "semicolon or tab; rows of 15, 30 or 60 minutes; one whole month."))
    show_outcome(OUTCOME, _(MESSAGES["file_rejected"]))
    stored, plan = state.forecast(), state.plan()
    if stored is None or plan is None:
        st.info(_("No forecast for this month yet: upload one."))
        return
    st.caption(_("File {file}, uploaded by {user} on {when}.").format(
        file=stored.filename, user=stored.uploaded_by, when=when(stored.uploaded_at)))
    _totals(plan)
    _heat_maps(plan)
    _capacity(plan, stored.id)


def _import_upload() -> None:
    """The uploader's callback. It runs before the page, so after importing another month it can still move the
    sidebar's month selector there."""
    _ = state.t()
    uploaded = st.session_state.get(UPLOAD)
    if uploaded is None:
        st.session_state.pop(OUTCOME, None)
        return
    try:
        stored = state.store().save_forecast(uploaded_bytes(uploaded), uploaded.name, state.rules(), state.user())
    except InputError as error:
        st.session_state[OUTCOME] = Outcome(rejected=error)
        return
    label = stored.forecast.month.label
    st.session_state["month"] = label
    st.session_state[OUTCOME] = Outcome(saved=_("Forecast for {month} imported from {file}.").format(
        month=label, file=uploaded.name))


def _totals(plan: StaffingPlan) -> None:
    _ = state.t()
    language = state.language()
    calls = plan.forecast.calls
    peak = max(range(len(calls)), key=calls.__getitem__)
    busiest = plan.month.hours[peak]
    columns = st.columns(4)
    columns[0].metric(_("Calls in the month"), whole_number(sum(calls), language))
    columns[1].metric(_("Required agent-hours"), whole_number(plan.required_agent_hours, language),
                      help=_("Operators required on the line, summed over every hour of the month (Erlang C)."))
    columns[2].metric(_("Peak calls in an hour"), whole_number(calls[peak], language),
                      help=_("At {time}.").format(time=f"{busiest:%Y-%m-%d %H:%M}"))
    columns[3].metric(_("Peak operators required"), whole_number(max(plan.required), language))


def _heat_maps(plan: StaffingPlan) -> None:
    _ = state.t()
    frame = _by_day_and_hour(plan, state.language())
    days = list(dict.fromkeys(frame["day"]))
    left, right = st.columns(2)
    left.altair_chart(_heat_map(frame, days, "calls", "blues", _("Calls per hour")), key="forecast_calls_map")
    right.altair_chart(_heat_map(frame, days, "required", "oranges", _("Operators required per hour")),
                       key="forecast_required_map")


def _by_day_and_hour(plan: StaffingPlan, language: str) -> pd.DataFrame:
    """One cell per day and wall-clock hour. Where the clocks go back an hour happens twice: its calls add up and
    the larger requirement is shown."""
    labels = {day: format_date(day, "dd.MM EEE", locale=language) for day in plan.month.days}
    frame = pd.DataFrame({
        "day": [labels[moment.date()] for moment in plan.month.hours],
        "hour": [moment.hour for moment in plan.month.hours],
        "calls": plan.forecast.calls,
        "required": plan.required,
    })
    return frame.groupby(["day", "hour"], as_index=False, sort=False).agg(calls=("calls", "sum"),
                                                                          required=("required", "max"))


def _heat_map(frame: pd.DataFrame, days: list[str], value: str, scheme: str, title: str) -> alt.Chart:
    _ = state.t()
    language = state.language()
    day, hour = _(MESSAGES["pick_day"]), column_label("interval_start", language)
    label = column_label(value, language)
    return (
        alt.Chart(frame, title=title)
        .mark_rect()
        .encode(
            x=alt.X("hour:O", title=hour),
            y=alt.Y("day:O", sort=days, title=day),
            color=alt.Color(f"{value}:Q", title=label, scale=alt.Scale(scheme=scheme)),
            tooltip=[alt.Tooltip("day:O", title=day), alt.Tooltip("hour:O", title=hour),
                     alt.Tooltip(f"{value}:Q", title=label, format=",.0f")],
        )
        .properties(height=alt.Step(14))
    )


def _capacity(plan: StaffingPlan, forecast_id: int) -> None:
    _ = state.t()
    stored = state.store().load_operators(state.month())
    if stored is None or not stored.operators:
        st.info(_("Load the operators on the {page} page to check whether they can cover this forecast.").format(
            page=_(PAGES["operators"])))
        return
    warnings = _capacity_warnings(plan, stored.operators, state.rules(), state.database(), forecast_id, stored.id,
                                  state.rules_text())
    st.subheader(_("Can the operators cover it?"))
    for warning in warnings:
        st.warning(warning)
    if not warnings:
        st.success(_("Yes as far as hours go: the operators' monthly hours and daily windows cover every hour "
                     "that needs someone."))


# Two seconds for the sample month: cached on what the check reads, not recomputed on every rerun.
@st.cache_data(show_spinner=False, max_entries=8)
def _capacity_warnings(_plan: StaffingPlan, _operators: tuple[Operator, ...], _rules: Rules, db: str,
                       forecast_id: int, operators_id: int, rules_text: str) -> list[str]:
    return [str(warning) for warning in capacity_warnings(_plan, _operators, _rules)]
