"""The export page: the month's roster (the published one, else the newest draft) as roster.csv and as an Excel
workbook, and its coverage report as coverage.csv and as a workbook; the audit log of publishes and exports.

Each file is made when its button is clicked, so drawing the page makes none, and recorded in the audit log as it
is made (`audited_download`)."""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial

import pandas as pd
import streamlit as st

from planner.config import Rules
from planner.coverage import coverage_rows
from planner.domain import Operator, Roster, StaffingPlan
from planner.export import coverage_workbook, roster_workbook
from planner.i18n import ACTIONS, MESSAGES, N_, PAGES
from planner.ical import calendars_zip
from planner.outputs import coverage_csv
from planner.rostercsv import write_roster_csv
from planner.store import AUDIT_KINDS, StoredRoster
from ui import state
from ui.views import audited_download, show_no_roster, show_version, when

__all__ = ["audit_log", "page", "ExportFile", "export_files"]

CSV_MIME = "text/csv"
EXCEL_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ZIP_MIME = "application/zip"
EXTENSIONS = {"CSV": "csv", "Excel": "xlsx", "zip": "zip"}
MIMES = {"CSV": CSV_MIME, "Excel": EXCEL_MIME, "zip": ZIP_MIME}


@dataclass(frozen=True)
class ExportFile:
    key: str  # of its download button
    what: str  # "roster", "coverage" or "calendars"
    kind: str  # "CSV", "Excel" or "zip"
    file_name: str
    mime: str
    make: Callable[[], str | bytes]
    audit_text: str  # what the audit log says was exported, e.g. "roster 2026-12 version 3, Excel"


def export_files(stored: StoredRoster, plan: StaffingPlan, operators: tuple[Operator, ...], rules: Rules,
                 language: str, previous: Roster | None = None) -> list[ExportFile]:
    """The files of a roster version, each made when `make` is called: the roster and its coverage as CSV and
    Excel, and every operator's calendar of shifts in one zip. The coverage counts last month's (`previous`)
    night shifts that run on into the month."""
    roster, info = stored.roster, stored.info
    makers = {
        ("roster", "CSV"): partial(_roster_csv, roster, operators),
        ("roster", "Excel"): partial(roster_workbook, roster, operators, rules, language),
        ("coverage", "CSV"): partial(_coverage_csv, plan, roster, rules, previous),
        ("coverage", "Excel"): partial(_coverage_workbook, plan, roster, rules, language, previous),
        ("calendars", "zip"): partial(calendars_zip, roster, operators, rules, saved_at=info.updated_at,
                                      language=language),
    }
    return [
        ExportFile(key=f"export_{what}_{kind.lower()}", what=what, kind=kind,
                   file_name=f"{what}-{info.month}-v{info.number}.{EXTENSIONS[kind]}", mime=MIMES[kind], make=make,
                   audit_text=f"{what} {info.month} version {info.number}, {kind}")
        for (what, kind), make in makers.items()
    ]


def page() -> None:
    state.require(state.permissions().can_export)
    _ = state.t()
    st.header(_(PAGES["export"]))
    stored, plan = state.latest_roster(), state.plan()
    if stored is None or plan is None:
        show_no_roster()
    else:
        _downloads(stored, plan)
    if state.permissions().can_see_audit_log:
        audit_log("export", ("publications", "exports", "views of personal data"))


def _downloads(stored: StoredRoster, plan: StaffingPlan) -> None:
    _ = state.t()
    show_version(stored.info)
    titles = {"roster": _(MESSAGES["roster_sheet"]), "coverage": _(MESSAGES["coverage_sheet"]),
              "calendars": _("Operators' calendars")}
    labels = {"CSV": _(ACTIONS["download_csv"]), "Excel": _(ACTIONS["download_excel"]),
              "zip": _("Download every operator's calendar (.ics files in a .zip)")}
    language = state.language()
    last_month = state.last_month_roster()
    files = export_files(stored, plan, state.operators(), state.rules(), language,
                         last_month.roster if last_month else None)
    for what, title in titles.items():
        st.subheader(title)
        for column, file in zip(st.columns(2), [file for file in files if file.what == what]):
            audited_download(column, labels[file.kind], file.make, what=file.audit_text, version_id=stored.info.id,
                             file_name=file.file_name, mime=file.mime, key=file.key)


def _roster_csv(roster: Roster, operators: tuple[Operator, ...]) -> str:
    text = io.StringIO()
    write_roster_csv(roster, operators, text)
    return text.getvalue()


def _coverage_csv(plan: StaffingPlan, roster: Roster, rules: Rules, previous: Roster | None) -> str:
    return coverage_csv(coverage_rows(plan, roster, rules.breaks, previous))


def _coverage_workbook(plan: StaffingPlan, roster: Roster, rules: Rules, language: str,
                       previous: Roster | None) -> bytes:
    return coverage_workbook(coverage_rows(plan, roster, rules.breaks, previous), language)


AUDIT_PAGE_ROWS = 50
KIND_LABELS = {"publications": N_("publications"), "exports": N_("exports"),
               "views of personal data": N_("views of personal data"), "sign-ins": N_("sign-ins"),
               "refused sign-ins": N_("refused sign-ins"), "account changes": N_("account changes"),
               "erasures": N_("erasures of personal data"), "wishes": N_("operators' wishes")}
ACTION_LABELS = {"publish": N_("publication"), "export": N_("export"), "view": N_("view"), "sign_in": N_("sign-in"),
                 "sign_in_refused": N_("refused sign-in"), "sign_in_throttled": N_("sign-in refused unchecked"),
                 "user_add": N_("account created"),
                 "user_password": N_("password set"), "user_role": N_("role changed"),
                 "user_disable": N_("account disabled"), "user_enable": N_("account enabled"),
                 "erase": N_("personal data erased"), "swap": N_("swap approved"),
                 "wishes": N_("wishes")}


def audit_log(where: str, shown_first: Sequence[str]) -> None:
    """The audit log, newest first, of the kinds chosen (`shown_first` until the user picks others), a page of
    AUDIT_PAGE_ROWS at a time (planners and admins)."""
    _ = state.t()
    st.subheader(_("Audit log"))
    left, right = st.columns([3, 1], vertical_alignment="bottom")
    kinds = left.multiselect(_("Show"), list(AUDIT_KINDS), default=list(shown_first), key=f"{where}_audit_kinds",
                             format_func=lambda kind: _(KIND_LABELS[kind]), placeholder=_(MESSAGES["choose"]))
    actions = {action for kind in kinds for action in AUDIT_KINDS[kind]}
    pages = max(1, -(-state.store().audit_count(actions) // AUDIT_PAGE_ROWS))
    page = right.number_input(_("Page"), min_value=1, max_value=pages, value=1, step=1, key=f"{where}_audit_page")
    events = state.store().audit_log(AUDIT_PAGE_ROWS, actions=actions, offset=(int(page) - 1) * AUDIT_PAGE_ROWS)
    if not events:
        st.caption(_("Nothing of these kinds recorded yet."))
        return
    st.dataframe(pd.DataFrame({
        _("When"): [when(event.at) for event in events],
        _("Who"): [event.user for event in events],
        _("Action"): [_(ACTION_LABELS[event.action]) for event in events],
        _("What"): [event.what for event in events],
    }), key=f"{where}_audit_log", hide_index=True, width="stretch")
    st.caption(_("Page {page} of {pages}.").format(page=int(page), pages=pages))
