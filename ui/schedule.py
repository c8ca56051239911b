"""The operator's own page: their shifts of the month's published roster with breaks, hours against the norm,
nights and weekend shifts, the calendar file of their shifts, their swaps, and their wishes for a month whose
window is open (issue 16, items 1 to 4).

What it shows comes from the store as the operator's account may read it (`planner.store.access`): their own
shifts and their own operator row, nothing of anyone else."""

from __future__ import annotations

import pandas as pd
import streamlit as st
from babel.dates import format_date

from planner.grid import operator_loads, shift_code
from planner.ical import calendar_file_name, operator_calendar
from ui import state
from ui.swaps import operator_swaps
from ui.wishes import operator_wishes

__all__ = ["page", "CALENDAR"]

CALENDAR = "own_calendar"  # the download button's key
ICS_MIME = "text/calendar"


def page() -> None:
    state.require(state.permissions().can_see_own_schedule)
    _ = state.t()
    st.header(_("My shifts"))
    own = state.operators()
    if own:
        operator_wishes(own[0])
    stored = state.latest_roster()
    if stored is None or not stored.info.is_published or not own:
        st.info(_("The roster of {month} is not published yet, or you are not in it.").format(month=state.month()))
        return
    operator, roster, rules, language = own[0], stored.roster, state.rules(), state.language()
    tz = roster.month.tz
    load = operator_loads(roster, [operator], rules)[0]
    hours, nights, weekends = st.columns(3)
    hours.metric(_("Hours"), f"{load.hours:g}", f"{load.hours_off_norm:+g}",
                 help=_("Against the norm of {norm:g} hours this month.").format(norm=load.norm_hours),
                 delta_color="off")
    nights.metric(_("Night shifts"), load.nights)
    weekends.metric(_("Weekend shifts"), load.weekends)
    shifts = sorted((s for s in roster.shifts if s.operator_id == operator.id), key=lambda s: s.start)
    st.dataframe(pd.DataFrame({
        _("Date"): [format_date(s.start.astimezone(tz).date(), "EEE d MMM", locale=language) for s in shifts],
        _("Shift"): [shift_code(s, tz) for s in shifts],
        _("Breaks"): [", ".join(f"{moment.astimezone(tz):%H:%M}" for moment in s.breaks) for s in shifts],
        _("Hours"): [round(s.hours, 2) for s in shifts],
    }), key="own_shifts", hide_index=True, width="stretch")
    st.download_button(
        _("Download my calendar (.ics)"),
        lambda: operator_calendar(roster, operator, rules, saved_at=stored.info.updated_at, language=language),
        file_name=calendar_file_name(roster, operator), mime=ICS_MIME, key=CALENDAR, on_click="ignore")
    st.caption(_("Import it into your phone's calendar. Importing a newer one moves the shifts that changed; a "
                 "shift that was removed stays in your calendar until you delete it."))
    operator_swaps(stored, operator, shifts)
