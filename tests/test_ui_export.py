"""The export page on a stored greedy roster of a tiny February: roster and coverage as CSV and Excel, made
when clicked and recorded in the audit log, which the page shows."""

from __future__ import annotations

import csv
import io
import zipfile

import pytest
from icalendar import Calendar
from openpyxl import load_workbook

from helpers.ui_pages import FEBRUARY, greedy_draft, open_page, rules
from planner.outputs import COVERAGE_COLUMNS
from planner.rostercsv import ROSTER_COLUMNS
from planner.staffing import staffing_plan
from planner.store import AUDIT_KINDS
from ui.export import ACTION_LABELS, KIND_LABELS, export_files


@pytest.fixture
def store(small_month_store):
    return small_month_store


def test_without_a_roster_no_download_but_the_audit_log(store):
    at = open_page("export")
    assert not at.exception
    assert "Roster page" in at.info[0].value
    assert not at.download_button
    assert at.subheader[0].value == "Audit log"


def test_five_downloads_each_recorded_in_the_audit_log_shown_below(store, downloads):
    version_id = greedy_draft(store)
    at = open_page("export")
    assert not at.exception
    assert [(button.key, button.label) for button in at.download_button] == [
        ("export_roster_csv", "Download CSV"), ("export_roster_excel", "Download Excel"),
        ("export_coverage_csv", "Download CSV"), ("export_coverage_excel", "Download Excel"),
        ("export_calendars_zip", "Download every operator's calendar (.ics files in a .zip)")]
    # Issue 15, item 12: files made with the page waited at an address to fetch without a click or an audit entry.
    assert all(button.proto.deferred_file_id and not button.proto.url for button in at.download_button)
    assert store.audit_log(actions={"export"}) == ()

    assert load_workbook(io.BytesIO(downloads.fetch("export_roster_excel"))).sheetnames == ["Roster", "Shifts"]
    assert next(csv.reader(io.StringIO(downloads.fetch("export_coverage_csv")))) == list(COVERAGE_COLUMNS)
    at.run()

    assert [(event.what, event.version_id) for event in store.audit_log(actions={"export"})] == [
        ("coverage 2026-02 version 1, CSV", version_id), ("roster 2026-02 version 1, Excel", version_id)]
    log = next(frame.value for frame in at.dataframe if "What" in frame.value.columns)
    assert list(log["What"]) == ["coverage 2026-02 version 1, CSV", "roster 2026-02 version 1, Excel"]
    assert list(log["Who"]) == ["anna", "anna"]


def test_the_files_are_the_contract_csvs_and_workbooks_of_the_version(store):
    stored = store.load_roster(greedy_draft(store))
    operators = store.load_operators(FEBRUARY.label).operators
    plan = staffing_plan(store.latest_forecast(FEBRUARY.label).forecast, rules())

    files = {file.key: file for file in export_files(stored, plan, operators, rules(), "ru")}

    roster_rows = list(csv.reader(io.StringIO(files["export_roster_csv"].make())))
    assert tuple(roster_rows[0]) == ROSTER_COLUMNS and len(roster_rows) == len(stored.roster.shifts) + 1
    coverage_rows = list(csv.reader(io.StringIO(files["export_coverage_csv"].make())))
    assert tuple(coverage_rows[0]) == COVERAGE_COLUMNS and len(coverage_rows) == len(FEBRUARY.hours) + 1
    assert load_workbook(io.BytesIO(files["export_roster_excel"].make())).sheetnames == ["График", "Смены"]
    coverage_book = load_workbook(io.BytesIO(files["export_coverage_excel"].make()))
    assert coverage_book.active.max_row == len(FEBRUARY.hours) + 1
    assert files["export_roster_excel"].file_name == "roster-2026-02-v1.xlsx"
    # Issue 16, item 2: a planner downloads every operator's calendar at once.
    with zipfile.ZipFile(io.BytesIO(files["export_calendars_zip"].make())) as calendars:
        assert calendars.namelist() == [f"shifts-2026-02-{op.id}.ics" for op in operators]
        for op in operators:
            events = list(Calendar.from_ical(calendars.read(f"shifts-2026-02-{op.id}.ics")).walk("VEVENT"))
            assert len(events) == sum(shift.operator_id == op.id for shift in stored.roster.shifts)
    assert files["export_calendars_zip"].file_name == "calendars-2026-02-v1.zip"


def test_every_kind_and_action_of_the_audit_log_has_a_label():
    # A kind added to the store without a label broke every page that shows the audit log.
    assert set(KIND_LABELS) == set(AUDIT_KINDS)
    assert set(ACTION_LABELS) == {action for actions in AUDIT_KINDS.values() for action in actions}
