"""What the roster on the page gives: coverage against the requirement, the roster in a planner's words, and the
hours, nights and weekends per operator (the months before included, as the fairness rules count them)."""

from __future__ import annotations

from datetime import datetime

import altair as alt
import pandas as pd
import streamlit as st

from planner.config import Rules
from planner.coverage import coverage_rows, coverage_totals
from planner.domain import Operator, Roster, StaffingPlan
from planner.editing import Work
from planner.grid import GridResult, operator_loads
from planner.i18n import MESSAGES, column_label, percent, whole_number
from planner.ledger import past_loads
from planner.outputs import proven_shortfall_bound
from planner.quality import roster_quality
from ui import state
from ui.roster_session import kept, table

__all__ = ["local_naive", "coverage", "in_words", "loads"]


def local_naive(moment: datetime) -> pd.Timestamp:
    """The centre's wall-clock time without its zone: charts then show it as is, whatever the browser's zone."""
    return pd.Timestamp(moment.replace(tzinfo=None))


def coverage(plan: StaffingPlan, roster: Roster, rules: Rules, work: Work, previous: Roster | None) -> None:
    _ = state.t()
    language = state.language()
    rows = kept("coverage", (plan.required, roster, rules.breaks, previous),
                 lambda: coverage_rows(plan, roster, rules.breaks, previous))
    totals = coverage_totals(rows)
    st.subheader(_(MESSAGES["required_vs_scheduled"]))
    short, required, over, bound = st.columns(4)
    short.metric(_(MESSAGES["shortfall_hours"]), whole_number(totals.under_coverage_agent_hours, language))
    required.metric(_("Required, operator-hours"), whole_number(totals.required_agent_hours, language))
    over.metric(_("Overstaffing, operator-hours"), whole_number(totals.over_coverage_agent_hours, language))
    lower_bound = proven_shortfall_bound(work.report or {})
    if lower_bound is not None:
        bound.metric(_("No roster is short by less than"), whole_number(lower_bound, language))
    hour, series, operators = column_label("interval_start", language), _("Series"), _("Operators")
    names = {key: column_label(key, language) for key in ("required", "scheduled", "on_phones")}
    frame = pd.DataFrame({
        hour: [local_naive(row.interval_start) for row in rows],
        **{names[key]: [getattr(row, key) for row in rows] for key in names},
    }).melt(hour, var_name=series, value_name=operators)
    chart = alt.Chart(frame, height=280).mark_line(interpolate="step-after").encode(
        x=alt.X(f"{hour}:T"), y=alt.Y(f"{operators}:Q"),
        color=alt.Color(f"{series}:N", sort=list(names.values())),
        tooltip=[alt.Tooltip(f"{hour}:T", format="%d.%m %H:%M"), f"{series}:N", f"{operators}:Q"],
    )
    st.container(key="roster_coverage_chart").altair_chart(chart.interactive(bind_y=False))


def in_words(plan: StaffingPlan, roster: Roster, operators: tuple[Operator, ...], rules: Rules, work: Work,
              previous: Roster | None) -> None:
    """The roster as a planner judges it: above the proven bound, wishes, fairness, steady start times."""
    _ = state.t()
    language = state.language()
    bound = proven_shortfall_bound(work.report or {}) or 0
    quality = kept("quality", (plan.required, roster, operators, rules, bound, previous),
                    lambda: roster_quality(plan, roster, operators, rules, bound, previous))
    above, wishes, nights, weekends, moves = st.columns(5)
    above.metric(_("Short beyond what any roster could do"), whole_number(quality.above_bound_hours, language),
                 help=_("{share} of the required operator-hours are short").format(
                     share=percent(quality.shortfall_share, language, 1)))
    wishes.metric(_("Wishes granted"), f"{quality.wishes_granted} / {quality.wishes}")
    for column, label, spread in ((nights, _("Nights per operator"), quality.nights),
                                  (weekends, _("Weekend shifts per operator"), quality.weekends)):
        column.metric(label, "—" if spread is None else f"{spread.fewest}–{spread.most}")
    moves.metric(_("Start moves beyond {hours} h").format(hours=quality.tolerance_hours),
                 percent(quality.start_moves_share, language),
                 help=_("of consecutive working days; {median:g} distinct start hours per operator (median)")
                 .format(median=quality.median_start_hours))


def loads(work: Work, edited: GridResult, operators: tuple[Operator, ...], rules: Rules,
           before: tuple[Roster | None, ...]) -> None:
    _ = state.t()
    language = state.language()
    st.subheader(_("Hours, nights and weekends per operator"))
    columns = ("operator_id", "name", "shifts", "hours", "norm_hours", "hours_off_norm", "nights", "weekends",
               "start_hours", "start_moves")
    # Loads are per operator: those of the roster under the grid are kept, only the edited operators' recomputed.
    loads = kept("loads", (work.roster, operators, rules), lambda: operator_loads(work.roster, operators, rules))
    edited_ids = {edit.operator_id for edit in edited.edits}
    if edited_ids:
        fresh = {load.operator_id: load for load in
                 operator_loads(edited.roster, [op for op in operators if op.id in edited_ids], rules)}
        loads = [fresh.get(load.operator_id, load) for load in loads]
    columns_shown = {column_label(key, language): [getattr(load, key) for load in loads] for key in columns}
    # The ledger fair_nights and fair_weekends share this month's load with, as the solver counts it.
    ledger = kept("ledger", (work.roster.month, before, operators, rules),
                   lambda: past_loads(work.roster.month, before, operators, rules))
    loads_of = [ledger[op.id] for op in operators]
    if any(load.nights_months for load in loads_of):
        columns_shown[column_label("nights_before", language)] = [load.nights for load in loads_of]
    if any(load.weekends_months for load in loads_of):
        columns_shown[column_label("weekends_before", language)] = [load.weekends for load in loads_of]
    table(pd.DataFrame(columns_shown), "roster_loads")
    if any(load.nights_months or load.weekends_months for load in loads_of):
        st.caption(_("The months before are the published rosters the fairness rules count (months_back); a month "
                     "in which an operator had no shift at all counts as the average of those who worked it."))
