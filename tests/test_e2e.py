"""The planner in a real browser: Debian's Chromium driven by Playwright against `streamlit run app.py` on a tiny
month (tests/helpers/e2e_app.py). One planner's evening: upload a forecast, solve, type a shift into the grid that
breaks the rest rule and see it listed, reload the page and find the unsaved edit back, lock it and re-solve the
rest, save, download the roster CSV and a night's taxi PDF.

With PLANNER_SCREENSHOTS=1 the run also saves the README's screenshots (docs/screens/); without it nothing in the
working tree is written, so CI leaves the tracked images alone.
"""

from __future__ import annotations

import csv
import io
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from argon2 import profiles
from babel.dates import format_date
from icalendar import Calendar
from playwright.sync_api import Browser, Locator, Page, expect, sync_playwright
from pypdf import PdfReader

from helpers.e2e_app import quick_rules_text, seed_database, served_app
from helpers.ui_pages import FEBRUARY, ROOT, forecast_csv, greedy_draft, rest_breaking_edit
from planner.auth import password_hasher
from planner.config import Rules, parse_rules_text
from planner.domain import Roster
from planner.grid import parse_code
from planner.i18n import ACTIONS, MESSAGES, PAGES, rule_label
from planner.store import open_store
from planner.swaps import Swap, swap_violations
from planner.taxi import taxi_nights
from ui.swaps import SWAP_COLLEAGUE, SWAP_DAY

CHROMIUM = Path("/usr/bin/chromium")
SCREENS = ROOT / "docs" / "screens"
VIEWPORT = {"width": 1400, "height": 900}
PAGE_MS = 30_000
OPEN_ATTEMPTS = 5
SOLVE_MS = 90_000
UPLOADED = "february-forecast.csv"
SUPERVISOR_PASSWORD = "night duty of group one"
GRID_ROW_PX = 35  # Streamlit's data editor: the header and every row are this high


@dataclass(frozen=True)
class RunningApp:
    url: str
    db_path: Path
    log_path: Path


@pytest.fixture(scope="module")
def app(tmp_path_factory) -> Iterator[RunningApp]:
    folder = tmp_path_factory.mktemp("e2e")
    db_path, log_path = folder / "planner.db", folder / "streamlit.log"
    seed_database(db_path)
    try:
        with served_app(db_path, log_path) as url:
            yield RunningApp(url, db_path, log_path)
    except RuntimeError as failed:
        pytest.fail(f"{failed}\n--- streamlit output ---\n{log_path.read_text(errors='replace')}", pytrace=False)


@pytest.fixture
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium (`make system-deps`) to run the browser test",
                    pytrace=False)
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=["--no-sandbox"])
        yield launched
        launched.close()


def test_upload_solve_edit_lock_resolve_export(app: RunningApp, browser: Browser, tmp_path, request) -> None:
    page = browser.new_page(viewport=VIEWPORT, accept_downloads=True)
    try:
        page.goto(app.url)
        upload_forecast(page, tmp_path)
        op_id, day, code = solve_and_break_the_rest_rule(page, app)
        reload_keeps_the_edit(page, op_id)
        lock_and_resolve(page, op_id, code)
        show_breaks(page)
        export_roster(page, tmp_path, op_id, day, code)
        taxi_pdf(page, app, tmp_path)
    finally:
        # Shown with the failure report: what the server said while the browser drove it.
        request.node.add_report_section("call", "streamlit", app.log_path.read_text(errors="replace"))


def upload_forecast(page: Page, tmp_path: Path) -> None:
    expect(heading(page, "forecast")).to_be_visible(timeout=PAGE_MS)
    upload = tmp_path / UPLOADED
    upload.write_bytes(forecast_csv())
    page.locator(".st-key-forecast_upload input[type=file]").set_input_files(upload)
    expect(page.get_by_text(f"Forecast for {FEBRUARY.label} imported from {UPLOADED}.")).to_be_visible(
        timeout=PAGE_MS)
    expect(page.get_by_text(f"File {UPLOADED}, uploaded by")).to_be_visible()
    expect(page.get_by_test_id("stVegaLiteChart")).to_have_count(2, timeout=PAGE_MS)  # the two heat maps
    screenshot(page, "forecast")


def solve_and_break_the_rest_rule(page: Page, app: RunningApp) -> tuple[str, date, str]:
    """Solve the month, then type into the grid a shift starting two hours after the operator's shift of the day
    before ends; (operator, day, code typed)."""
    go_to(page, "roster")
    button(page, ACTIONS["solve"]).click()
    wait_for_solve(page)
    with open_store(f"sqlite:///{app.db_path}") as store:
        [version] = store.list_versions(FEBRUARY.label)
        roster = store.load_roster(version.id).roster
        operators = store.load_operators(FEBRUARY.label).operators
    op_id, day, code = rest_breaking_edit(roster.shifts, operators)

    grid = page.locator("[class*='st-key-roster_grid_']")
    expect(grid.get_by_role("columnheader", include_hidden=True)).to_contain_text(["ID", "Name", "Rate", "1 Sun"])
    # The grid is a canvas: select the first operator's ID cell, walk to the cell with the arrow keys (the day
    # columns follow ID, name and rate), open its editor with Enter and type the code as a planner would.
    first_row = grid.get_by_role("gridcell", name=operators[0].id, exact=True, include_hidden=True)
    expect(first_row).to_have_count(1)
    grid.locator(".dvn-scroller").click(position={"x": 20, "y": GRID_ROW_PX + GRID_ROW_PX // 2})
    expect(first_row).to_have_attribute("aria-selected", "true")
    for _ in range([op.id for op in operators].index(op_id)):
        page.keyboard.press("ArrowDown")
    for _ in range(2 + day.day):
        page.keyboard.press("ArrowRight")
    page.keyboard.press("Enter")
    editor = page.get_by_test_id("portal").locator("textarea")
    editor.fill(code.replace("–", "-"))
    editor.press("Enter")

    listed = page.locator(".st-key-roster_violations")
    expect(listed).to_contain_text(rule_label("rest_between_shifts", "en"), timeout=PAGE_MS)
    expect(listed).to_contain_text(op_id)
    expect(page.get_by_role("heading", name=MESSAGES["violations"])).to_be_visible()
    screenshot(page, "roster")
    return op_id, day, code


def reload_keeps_the_edit(page: Page, op_id: str) -> None:
    """A reload is a new session: the edit, never saved, comes back from the database with its violation."""
    page.reload()  # the address names the roster page, which opens again
    expect(heading(page, "roster")).to_be_visible(timeout=PAGE_MS)
    expect(page.get_by_text("Your unsaved changes of")).to_be_visible(timeout=PAGE_MS)
    expect(page.locator(".st-key-roster_violations")).to_contain_text(op_id, timeout=PAGE_MS)


def lock_and_resolve(page: Page, op_id: str, code: str) -> None:
    button(page, "Lock edited cells").click()
    locked = page.locator(".st-key-roster_locked")
    expect(locked).to_contain_text(f"🔒 {op_id}", timeout=PAGE_MS)
    expect(locked).to_contain_text(code)
    button(page, ACTIONS["resolve_rest"]).click()
    wait_for_solve(page)
    # The locked cell kept its shift; the rest moved around it, so nothing is broken any more.
    expect(locked).to_contain_text(f"🔒 {op_id}")
    expect(locked).to_contain_text(code)
    expect(page.get_by_text(MESSAGES["rules_hold"])).to_be_visible()
    button(page, ACTIONS["save_draft"]).click()
    expect(page.get_by_text(MESSAGES["draft_saved"])).to_be_visible(timeout=PAGE_MS)


def show_breaks(page: Page) -> None:
    go_to(page, "breaks")
    expect(page.locator(".st-key-breaks_on_phones")).to_be_visible(timeout=PAGE_MS)
    expect(page.locator(".st-key-breaks_timeline")).to_be_visible(timeout=PAGE_MS)
    screenshot(page, "breaks")


def export_roster(page: Page, tmp_path: Path, op_id: str, day: date, code: str) -> None:
    go_to(page, "export")
    downloaded = download(page, page.locator(".st-key-export_roster_csv").get_by_role("button"), tmp_path)
    start, end = parse_code(code, day, FEBRUARY.tz)
    rows = list(csv.DictReader(io.StringIO(downloaded.decode("utf-8"))))
    mine = [(row["start"], row["end"]) for row in rows if row["operator_id"] == op_id and row["date"] == str(day)]
    assert mine == [(f"{start:%Y-%m-%d %H:%M}", f"{end:%Y-%m-%d %H:%M}")]
    page.reload()  # the click starts no rerun (the file is made on it): the audit log shows it at the next one
    expect(page.get_by_test_id("stDataFrame").last).to_contain_text(f"roster {FEBRUARY.label} version 1, CSV",
                                                                     timeout=PAGE_MS)
    screenshot(page, "export")


def taxi_pdf(page: Page, app: RunningApp, tmp_path: Path) -> None:
    """A night picked in the selector; its PDF names the night and riders of the month."""
    with open_store(f"sqlite:///{app.db_path}") as store:
        [version] = store.list_versions(FEBRUARY.label)
        roster = store.load_roster(version.id).roster
        names = [op.name for op in store.load_operators(FEBRUARY.label).operators]
    night, late_end = ride_past_midnight(roster, parse_rules_text(quick_rules_text()))
    go_to(page, "taxi")
    page.locator(".st-key-taxi_night").click()
    page.get_by_role("option", name=format_date(night, "EEEE d MMMM", locale="en"), exact=True).click()
    # Only this night's table has a ride ending on the next day at this time: the page has drawn the night picked,
    # and its download button is the one that makes this night's PDF.
    expect(page.get_by_test_id("stDataFrame")).to_contain_text(f"{late_end:%d.%m %H:%M}", timeout=PAGE_MS)
    expect(page.get_by_role("heading", name=re.compile(r"^\d+ cars?, \d+ operators?$"))).to_be_visible()
    pdf = download(page, page.locator(".st-key-taxi_download_pdf").get_by_role("button"), tmp_path)
    assert pdf.startswith(b"%PDF")
    text = "\n".join(sheet.extract_text() for sheet in PdfReader(io.BytesIO(pdf)).pages)
    assert f"night of {night.isoformat()}" in text
    # Table cells wrap long names: the surname stays on one line.
    assert any(name.split()[0] in text for name in names)
    screenshot(page, "taxi")


def ride_past_midnight(roster: Roster, rules: Rules) -> tuple[date, datetime]:
    """(night, end): a shift that ends after midnight with a taxi ride home, on a night other than the first (the
    selector's default)."""
    tz = roster.month.tz
    later_nights = set(taxi_nights(roster, rules)[1:])
    for shift in sorted(roster.shifts, key=lambda shift: shift.start):
        start, end = shift.start.astimezone(tz), shift.end.astimezone(tz)
        if start.date() in later_nights and end.date() > start.date() and rules.taxi.rides_home(
                end.hour * 60 + end.minute):
            return start.date(), end
    raise AssertionError("no late shift of the roster ends after midnight")


def heading(page: Page, name: str) -> Locator:
    return page.get_by_role("heading", name=PAGES[name], exact=True)


def button(page: Page, label: str) -> Locator:
    """The enabled button: while a run replaces the page, the previous run's button (disabled during a solve)
    may still be shown next to the new one."""
    return page.get_by_role("button", name=label, exact=True, disabled=False)


def go_to(page: Page, name: str) -> None:
    page.get_by_test_id("stSidebarNav").get_by_role("link", name=PAGES[name], exact=True).click()
    expect(heading(page, name)).to_be_visible(timeout=PAGE_MS)
    settled(page)


def settled(page: Page) -> None:
    """Wait until the script run that draws the page has ended. A button found while a run is still drawing may be
    replaced by that run's own copy, and a click on the replaced one is lost (a download then never starts)."""
    expect(page.get_by_test_id("stApp")).to_have_attribute("data-test-script-state", "notRunning", timeout=PAGE_MS)


def wait_for_solve(page: Page) -> None:
    """The progress shows while the background solve runs and goes once the page has taken its result."""
    progress = page.get_by_text(MESSAGES["solving"])
    expect(progress).to_be_visible(timeout=PAGE_MS)
    expect(progress).to_be_hidden(timeout=SOLVE_MS)


def download(page: Page, button: Locator, tmp_path: Path) -> bytes:
    settled(page)
    with page.expect_download(timeout=PAGE_MS) as started:
        button.click()
    saved = tmp_path / started.value.suggested_filename
    started.value.save_as(saved)
    return saved.read_bytes()


def screenshot(page: Page, name: str) -> None:
    """The whole page into docs/screens/<name>.png, when asked for with PLANNER_SCREENSHOTS=1. Streamlit scrolls
    its main area rather than the document, so the window is made as tall as that area for the picture."""
    if os.environ.get("PLANNER_SCREENSHOTS") != "1":
        return
    height = page.get_by_test_id("stMain").evaluate("main => main.scrollHeight")
    page.set_viewport_size({"width": VIEWPORT["width"], "height": max(VIEWPORT["height"], height)})
    SCREENS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENS / f"{name}.png", full_page=True)
    page.set_viewport_size(VIEWPORT)


def test_every_page_opens_under_its_own_address_and_the_root_opens_the_first(app: RunningApp, browser: Browser) -> None:
    # Issue 15, item 14: the first page was Streamlit's default, served at the root alone: /forecast was not found.
    page = browser.new_page(viewport=VIEWPORT)
    for name in ("forecast", "roster"):
        page.goto(f"{app.url}/{name}")
        expect(heading(page, name)).to_be_visible(timeout=PAGE_MS)
        expect(page.get_by_text("Page not found")).to_have_count(0)
    page.goto(app.url)
    expect(heading(page, "forecast")).to_be_visible(timeout=PAGE_MS)
    expect(page).to_have_url(f"{app.url}/forecast")
    page.close()


def test_a_supervisor_typing_the_roster_address_gets_no_roster(browser: Browser, tmp_path_factory, request) -> None:
    # Issue 15, item 4: the address bar reaches a page the navigation leaves out.
    folder = tmp_path_factory.mktemp("e2e-supervisor")
    db_path, log_path = folder / "planner.db", folder / "streamlit.log"
    seed_database(db_path)
    with open_store(f"sqlite:///{db_path}", hasher=password_hasher(profiles.CHEAPEST)) as store:
        store.add_user("sveta", "supervisor", SUPERVISOR_PASSWORD, by="test", teams=["Группа 1"])
    try:
        with served_app(db_path, log_path) as url:
            page = browser.new_page(viewport=VIEWPORT)
            page.goto(f"{url}/roster")  # a new session: it signs in on that address
            expect(page.get_by_role("heading", name="Sign in", exact=True)).to_be_visible(timeout=PAGE_MS)
            expect(page.get_by_text("Page not found")).to_be_visible()  # Streamlit's: /roster is no page here
            page.keyboard.press("Escape")
            page.get_by_label("Name").fill("sveta")
            page.get_by_label("Password", exact=True).fill(SUPERVISOR_PASSWORD)
            page.get_by_role("button", name="Sign in").click()
            expect(heading(page, "taxi")).to_be_visible(timeout=PAGE_MS)  # the first of a supervisor's pages
            expect(page).to_have_url(f"{url}/taxi")
            settled(page)
            expect(heading(page, "roster")).to_have_count(0)
            expect(page.get_by_text("Your account may not open this page.")).to_have_count(0)
    finally:
        request.node.add_report_section("call", "streamlit", log_path.read_text(errors="replace"))


OPERATOR_PASSWORD = "my own shifts only"


def test_an_operator_enters_wishes_sees_their_shifts_takes_the_calendar_and_asks_a_swap_approved(
        browser: Browser, tmp_path_factory, tmp_path, request) -> None:
    # Issue 16: the operator's side, from sign-in to a swap on the published roster.
    folder = tmp_path_factory.mktemp("e2e-operator")
    db_path, log_path = folder / "planner.db", folder / "streamlit.log"
    seed_database(db_path)
    with open_store(f"sqlite:///{db_path}", hasher=password_hasher(profiles.CHEAPEST)) as store:
        loose = quick_rules_text().replace("tolerance_shifts: 1 ", "tolerance_shifts: 31 ")
        store.save_rules(FEBRUARY.label, loose, "test", based_on=store.latest_rules(FEBRUARY.label).id)
        version_id = greedy_draft(store)
        store.publish(version_id, "test")
        roster = store.load_roster(version_id).roster
        operators = store.load_operators(FEBRUARY.label).operators
        gift = next(g for g in (Swap("give", s.operator_id, s.day, op.id) for s in roster.shifts for op in operators)
                    if g.from_operator != g.to_operator
                    and not any(s.operator_id == g.to_operator and s.day == g.from_day for s in roster.shifts)
                    and not swap_violations(roster, g, operators, parse_rules_text(loose)))
        names = {op.id: op.name for op in operators}
        store.add_user("olga", "operator", OPERATOR_PASSWORD, by="test", operator=gift.from_operator)
        store.add_user("petr", "operator", OPERATOR_PASSWORD, by="test", operator=gift.to_operator)
        store.add_user("anna", "planner", OPERATOR_PASSWORD, by="test")
        store.open_wishes(FEBRUARY.label, date.today() - timedelta(days=1), date.today() + timedelta(days=1),
                          by="anna")
    own = sorted((s for s in roster.shifts if s.operator_id == gift.from_operator), key=lambda s: s.start)
    try:
        with served_app(db_path, log_path) as url:
            page = browser.new_page(viewport=VIEWPORT, accept_downloads=True)
            page.goto(url)
            sign_in(page, "olga")
            expect(page.get_by_role("heading", name="My shifts", exact=True)).to_be_visible(timeout=PAGE_MS)
            settled(page)
            page.get_by_label("Days I wish off (YYYY-MM-DD, separated by spaces)").fill("2026-02-14")
            page.get_by_role("button", name="Save my wishes", exact=True).click()
            expect(page.get_by_text("Your wishes are saved.")).to_be_visible(timeout=PAGE_MS)
            settled(page)
            choose(page, SWAP_DAY, format_date(gift.from_day, "EEE d MMM", locale="en"))
            page.get_by_text("give it to a colleague").click()
            choose(page, SWAP_COLLEAGUE, names[gift.to_operator])
            page.get_by_role("button", name="Ask", exact=True).click()
            expect(page.get_by_text(f"Asked: {names[gift.to_operator]} sees it on their page.")).to_be_visible(
                timeout=PAGE_MS)
            settled(page)
            screenshot(page, "my-shifts")
            events = list(Calendar.from_ical(download(
                page, page.get_by_role("button", name="Download my calendar (.ics)"), tmp_path)).walk("VEVENT"))
            assert sorted(event.decoded("dtstart") for event in events) == [shift.start for shift in own]
            sign_out(page)

            sign_in(page, "petr")
            settled(page)
            button(page, "Accept").click()
            expect(page.get_by_text("Accepted.")).to_be_visible(timeout=PAGE_MS)
            sign_out(page)

            sign_in(page, "anna")
            go_to_swaps(page)
            screenshot(page, "swaps")
            button(page, "Approve").click()
            expect(page.get_by_text("Approved: the published roster has a new revision.")).to_be_visible(
                timeout=PAGE_MS)
        with open_store(f"sqlite:///{db_path}") as store:
            after = store.load_roster(version_id).roster
            assert any(s.operator_id == gift.to_operator and s.day == gift.from_day for s in after.shifts)
            assert [info.status for info in store.swaps(FEBRUARY.label)] == ["approved"]
            assert [entry.wishes.days_off_wished for entry in store.wishes(FEBRUARY.label)] == ["2026-02-14"]
    finally:
        request.node.add_report_section("call", "streamlit", log_path.read_text(errors="replace"))


def sign_in(page: Page, name: str) -> None:
    expect(page.get_by_role("heading", name="Sign in", exact=True)).to_be_visible(timeout=PAGE_MS)
    page.get_by_label("Name").fill(name)
    page.get_by_label("Password", exact=True).fill(OPERATOR_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Sign in", exact=True)).to_have_count(0, timeout=PAGE_MS)


def sign_out(page: Page) -> None:
    settled(page)
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", name="Sign in", exact=True)).to_be_visible(timeout=PAGE_MS)


def choose(page: Page, key: str, option: str) -> None:
    """Pick `option` in the select box of widget key `key`: open it, click the option."""
    settled(page)
    combobox = page.locator(f".st-key-{key}").get_by_role("combobox")
    # The keyboard opens the list where a click on the box did not after a rerun of the page, but once in CI a
    # key pressed right after that rerun was lost as well (the box kept the focus, closed), so it is pressed again.
    for attempt in range(1, OPEN_ATTEMPTS + 1):
        combobox.focus()
        combobox.press("ArrowDown")
        try:
            expect(combobox).to_have_attribute("aria-expanded", "true", timeout=PAGE_MS // OPEN_ATTEMPTS)
            break
        except AssertionError:
            if attempt == OPEN_ATTEMPTS:
                raise
    page.get_by_role("option", name=option, exact=True).click()
    expect(combobox).to_have_value(option)


def go_to_swaps(page: Page) -> None:
    page.get_by_test_id("stSidebarNav").get_by_role("link", name="Swaps", exact=True).click()
    expect(page.get_by_role("heading", name="Swaps", exact=True)).to_be_visible(timeout=PAGE_MS)
    settled(page)
