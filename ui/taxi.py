"""The taxi page: for a night of the month's roster (the published one, else the newest draft), the cars that
take the late shifts home, their riders in drop-off order; the list as CSV and as the printable PDF. Every
download is recorded in the audit log."""

from __future__ import annotations

from datetime import date
from functools import partial

import pandas as pd
import streamlit as st
from babel.dates import format_date

from planner.auth import visible_rides
from planner.config import parse_rules_text
from planner.i18n import ACTIONS, MESSAGES, PAGES, column_label, count_text
from planner.taxi import Ride, taxi_csv, taxi_nights, taxi_rides
from planner.taxipdf import taxi_pdf
from ui import state
from ui.views import audited_download, record_view, show_no_roster, show_version

__all__ = ["page", "NIGHT", "CARS", "DOWNLOAD_CSV", "DOWNLOAD_PDF", "export_name"]

# Widget keys.
NIGHT = "taxi_night"
CARS = "taxi_cars"
DOWNLOAD_CSV = "taxi_download_csv"
DOWNLOAD_PDF = "taxi_download_pdf"

SHOWN = ("end_time", "car", "stop", "name", "phone", "address", "district", "flag")


def export_name(night: date, kind: str) -> str:
    """What the audit log says a download was."""
    return f"taxi list {night.isoformat()}, {kind}"


def page() -> None:
    state.require(state.permissions().can_export)
    _ = state.t()
    st.header(_(PAGES["taxi"]))
    stored = state.latest_roster()
    if stored is None:
        show_no_roster()
        return
    info, rules = stored.info, state.rules()
    show_version(info)
    nights = taxi_nights(stored.roster, rules)
    if not nights:
        st.info(_("Nobody in this roster finishes late enough to ride home by taxi."))
        return
    language = state.language()
    night = st.selectbox(_("Night"), nights, key=NIGHT,
                         format_func=lambda day: format_date(day, "EEEE d MMMM", locale=language),
                         help=_("The date the late shifts started."))
    listed = state.store().load_operators(state.month())
    # The cars are routed for everyone riding that night, as the duty supervisor sees them; a team's supervisor
    # then sees their own riders in those same cars, with the car numbers and stops that really drive.
    rides = visible_rides(_rides(state.database(), night, info.id, info.revision, listed.id if listed else 0,
                                 state.rules_text()), state.permissions())
    if not rides:
        st.info(_(MESSAGES["no_taxi"]))
        return
    cars = len({ride.car for ride in rides})
    st.subheader(f"{count_text(_, 'car', cars)}, {count_text(_, 'operator', len(rides))}")
    st.dataframe(_table(rides, night), key=CARS, hide_index=True, width="stretch")
    record_view(f"taxi list {night.isoformat()} ({len(rides)} riders)", info.id)
    left, right = st.columns(2)
    audited_download(left, _(ACTIONS["download_csv"]), partial(taxi_csv, rides), what=export_name(night, "CSV"),
                     version_id=info.id, file_name=f"taxi-{night.isoformat()}.csv", mime="text/csv",
                     key=DOWNLOAD_CSV)
    audited_download(right, _(ACTIONS["download_pdf"]), partial(taxi_pdf, rides, rules.taxi.office.address),
                     what=export_name(night, "PDF"), version_id=info.id, file_name=f"taxi-{night.isoformat()}.pdf",
                     mime="application/pdf", key=DOWNLOAD_PDF)


# Routing a night's cars takes a moment: kept per night, roster revision, operator list and rules, read here by
# their ids (every seat of the night, whoever asks: only `visible_rides` of them leave the page's code).
@st.cache_data(show_spinner=False, max_entries=64)
def _rides(db: str, night: date, version_id: int, revision: int, operators_id: int, rules_text: str) -> list[Ride]:
    listed = state.store().load_operators(state.month())
    operators = listed.operators if listed is not None and listed.id == operators_id else ()
    roster = state.store().load_roster(version_id).roster
    return taxi_rides(roster, operators, parse_rules_text(rules_text), night=night)


def _table(rides: list[Ride], night: date) -> pd.DataFrame:
    _ = state.t()
    language = state.language()
    rows = [
        (f"{ride.end_time:%H:%M}" if ride.end_time.date() == night else f"{ride.end_time:%d.%m %H:%M}",
         ride.car, ride.stop, ride.operator.name or ride.operator.id, ride.operator.phone, ride.operator.address,
         ride.operator.district, _(ride.flag) if ride.flag else "")
        for ride in rides
    ]
    return pd.DataFrame(rows, columns=[column_label(column, language) for column in SHOWN])
