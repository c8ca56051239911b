"""The breaks page: for one day of a roster version, who is on break when, and the operators on the phones
against those required, every 5 minutes, with the day's deepest dip.

The roster is the version as the roster page shows it when that version is open there (unsaved breaks placed
after an edit included), else as stored.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import altair as alt
import pandas as pd
import streamlit as st
from babel.dates import format_date

from planner.breaks import SlotLoad, slot_loads, worst_dip
from planner.config import Rules
from planner.domain import Operator, Roster, Shift, StaffingPlan
from planner.i18n import MESSAGES, PAGES, column_label
from planner.store import VersionInfo
from ui import state
from ui.roster import WORK, local_naive, shown_roster
from ui.views import show_no_roster

__all__ = ["page", "day_shifts", "day_slots"]

VERSION = "breaks_version"
DAY = "breaks_day"


def page() -> None:
    state.require(state.permissions().can_edit_rosters)
    _ = state.t()
    st.header(_(PAGES["breaks"]))
    plan = state.plan()
    versions = state.store().list_versions(state.month()) if plan is not None else ()
    if plan is None or not versions:
        show_no_roster()
        return
    roster = _chosen_roster(versions)
    rules = state.rules()
    month = roster.month
    labels = {day: format_date(day, "d MMMM, EEE", locale=state.language()) for day in month.days}
    day = st.selectbox(_(MESSAGES["pick_day"]), list(labels), key=DAY, format_func=labels.__getitem__)
    operators = {op.id: op for op in state.operators()}
    _timeline(roster, day, operators, rules)
    _on_phones(plan, roster, day, rules)


def _chosen_roster(versions: tuple[VersionInfo, ...]) -> Roster:
    _ = state.t()
    by_id = {version.id: version for version in versions}
    if st.session_state.get(VERSION) not in by_id:
        work = st.session_state.get(WORK)
        opened = work is not None and work.version.id in by_id
        st.session_state[VERSION] = work.version.id if opened else versions[-1].id
    status = {"draft": _("draft"), "published": _("published")}
    labels = {version.id: _("version {number}, {status}").format(number=version.number, status=status[version.status])
              for version in versions}
    chosen = st.selectbox(_("Roster version"), list(labels), key=VERSION, format_func=labels.__getitem__)
    shown = shown_roster(chosen)
    if shown is not None:
        st.caption(_("As on the roster page, unsaved changes included."))
        return shown
    return state.store().load_roster(chosen).roster


def day_shifts(roster: Roster, day: date) -> list[Shift]:
    """Shifts on the clock during `day` (a night shift of the day before included), by start."""
    begin = roster.month.local_midnight(day).astimezone(UTC)
    end = roster.month.local_midnight(day + timedelta(days=1)).astimezone(UTC)
    return sorted((shift for shift in roster.shifts
                   if shift.start.astimezone(UTC) < end and shift.end.astimezone(UTC) > begin),
                  key=lambda shift: (shift.start.astimezone(UTC), shift.operator_id))


def day_slots(loads: tuple[SlotLoad, ...], day: date) -> list[SlotLoad]:
    return [load for load in loads if load.start.date() == day]


def _timeline(roster: Roster, day: date, operators: dict[str, Operator], rules: Rules) -> None:
    _ = state.t()
    shifts = day_shifts(roster, day)
    st.subheader(_("Who is on break when"))
    if not shifts:
        st.info(_("Nobody works that day."))
        return
    language = state.language()
    who, kind = _("Operator"), _("What")
    begin, end = column_label("start", language), column_label("end", language)
    on_shift, on_break = _("Shift"), column_label("breaks", language)
    rows = []
    for shift in shifts:
        name = f"{shift.operator_id} {operators[shift.operator_id].name}" if shift.operator_id in operators \
            else shift.operator_id
        rows.append({who: name, begin: local_naive(shift.start), end: local_naive(shift.end), kind: on_shift})
        allowance = rules.breaks.allowance(shift.hours)
        length = timedelta(minutes=allowance.minutes if allowance else 0)
        for moment in shift.breaks:
            rows.append({who: name, begin: local_naive(moment), end: local_naive(_after(moment, length)),
                         kind: on_break})
    if not any(shift.breaks for shift in shifts):
        st.warning(_("No breaks are placed in this day's shifts yet."))
    frame = pd.DataFrame(rows)
    order = list(dict.fromkeys(frame[who]))
    chart = alt.Chart(frame, height=max(120, 18 * len(order))).mark_bar().encode(
        x=alt.X(f"{begin}:T", title=None), x2=f"{end}:T",
        y=alt.Y(f"{who}:N", sort=order, title=None),
        color=alt.Color(f"{kind}:N", sort=[on_shift, on_break],
                        scale=alt.Scale(range=["#c6dbef", "#08306b"]), legend=alt.Legend(title=None)),
        tooltip=[f"{who}:N", f"{kind}:N", alt.Tooltip(f"{begin}:T", format="%H:%M"),
                 alt.Tooltip(f"{end}:T", format="%H:%M")],
    )
    st.container(key="breaks_timeline").altair_chart(chart)


def _after(moment: datetime, length: timedelta) -> datetime:
    return (moment.astimezone(UTC) + length).astimezone(moment.tzinfo)


def _on_phones(plan: StaffingPlan, roster: Roster, day: date, rules: Rules) -> None:
    _ = state.t()
    language = state.language()
    loads = day_slots(slot_loads(plan, roster, rules), day)
    st.subheader(_("On the phones against required, every {minutes} minutes").format(
        minutes=rules.breaks.grid_minutes))
    dip = worst_dip(loads)
    if dip:
        deepest = next(load for load in loads if load.dip == dip)
        text = _.ngettext("{count} operator short at {time}", "{count} operators short at {time}", dip)
        st.container(key="breaks_worst_dip").metric(_("Deepest dip below required"),
                                                    text.format(count=dip, time=f"{deepest.start:%H:%M}"))
    else:
        st.container(key="breaks_worst_dip").metric(_("Deepest dip below required"), _("none"))
    when, series, count = column_label("interval_start", language), _("Series"), _("Operators")
    required, on_phones = column_label("required", language), column_label("on_phones", language)
    frame = pd.DataFrame({
        when: [local_naive(load.start) for load in loads],
        required: [load.required for load in loads],
        on_phones: [load.on_phones for load in loads],
    }).melt(when, var_name=series, value_name=count)
    chart = alt.Chart(frame, height=260).mark_line(interpolate="step-after").encode(
        x=alt.X(f"{when}:T", title=None, axis=alt.Axis(format="%H:%M")),
        y=alt.Y(f"{count}:Q"),
        color=alt.Color(f"{series}:N", sort=[required, on_phones], legend=alt.Legend(title=None)),
        tooltip=[alt.Tooltip(f"{when}:T", format="%H:%M"), f"{series}:N", f"{count}:Q"],
    )
    st.container(key="breaks_on_phones").altair_chart(chart)
