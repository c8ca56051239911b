"""The roster page on a tiny February (12 operators, a 2-second solve on one worker): solve into a draft, edit a
cell into a broken rule and see it listed, lock it and re-solve the rest, save, a second planner's save of an
older revision refused with the edits kept, publish."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from streamlit.testing.v1 import AppTest

from helpers.ui_pages import (
    FEBRUARY,
    RULES_TEXT,
    SEEDER,
    greedy_draft,
    open_page,
    rest_breaking_edit,
    rules_text_with,
    seed_small_month,
)
from planner import jobs
from planner.auth import Role, User
from planner.config import parse_rules_text
from planner.domain import Roster, Shift
from planner.grid import shift_code
from planner.i18n import rule_label
from planner.month import Month
from planner.replace import changed_operators, sick_call
from planner.staffing import staffing_plan
from planner.store import open_store
from ui.roster import JOB, WORK, day_labels
from ui.sick_call import SICK_APPLY, SICK_BUDGET, SICK_DAY, SICK_EXPORT, SICK_ON, SICK_OPERATOR, SICK_RESOLVE

SOLVE_SECONDS = 2
QUICK_RULES = {"time_limit_sec: 60": f"time_limit_sec: {SOLVE_SECONDS}", "workers: 2": "workers: 1",
               "time_limit_sec_per_day: 1 ": "time_limit_sec_per_day: 0.1 "}


def quick_rules_text() -> str:
    """The centre's rules with a short solve on one worker."""
    return rules_text_with(QUICK_RULES)


@pytest.fixture
def database(tmp_path, monkeypatch):
    """The small month with the quick rules, its operators free to work at any hour: a shift edited in right
    after another then breaks rest and nothing else, and can be locked."""
    db_path = tmp_path / "planner.db"
    monkeypatch.delenv("PLANNER_DATABASE_URL", raising=False)
    monkeypatch.setenv("PLANNER_DB_PATH", str(db_path))
    with seed_small_month(db_path) as store:
        store.save_rules(FEBRUARY.label, quick_rules_text(), SEEDER, based_on=store.latest_rules(FEBRUARY.label).id)
        listed = store.load_operators(FEBRUARY.label)
        anytime = [replace(op, earliest_start=0, latest_end=24 * 60) for op in listed.operators]
        store.save_operators(FEBRUARY.label, anytime, SEEDER, based_on=listed.id)
    return db_path


def finish_job(at: AppTest) -> AppTest:
    """Wait for the background solve the page started, then let the page take its result."""
    assert at.session_state[JOB].job.wait(60)
    return at.run()


def edit_cell(at: AppTest, op_id: str, code: str | None, day) -> AppTest:
    """Type `code` into the grid cell of `op_id` on `day`, as the browser's editor reports a change."""
    label = day_labels(FEBRUARY.days, {d for d in FEBRUARY.days if FEBRUARY.is_weekend(d)}, "en")[day]
    key = at.session_state[WORK].grid_key
    row = list(at.data_editor(key=key).value.index).index(op_id)
    at.session_state[key] = {"edited_rows": {row: {label: code}}, "added_rows": [], "deleted_rows": []}
    return at.run()


def table(at: AppTest, key: str):
    return at.main.get_by_key(key).dataframe[0].value


def test_solve_edit_lock_resolve_save_conflict_publish(database):
    at = open_page("roster")
    assert not at.exception
    assert at.number_input(key="solve_time_limit").value == SOLVE_SECONDS

    # Solve: a draft is stored and opened in the grid.
    at.button(key="solve").click().run()
    assert not at.exception
    finish_job(at)
    assert not at.exception
    with open_store(f"sqlite:///{database}") as store:
        versions = store.list_versions(FEBRUARY.label)
        assert [(v.number, v.status) for v in versions] == [(1, "draft")]
        assert store.load_roster(versions[0].id).report["breaks"]["days"] > 0
        operators = store.load_operators(FEBRUARY.label).operators
    assert at.selectbox(key="roster_version").value == versions[0].id
    grid = at.data_editor(key=at.session_state[WORK].grid_key).value
    assert list(grid.index) == [op.id for op in operators] and "7 Sat" in grid.columns
    work = at.session_state[WORK]
    assert work.roster.shifts and all(shift.breaks for shift in work.roster.shifts)

    # Edit a cell into a rest violation: listed at once, with its rule.
    op_id, day, code = rest_breaking_edit(work.roster.shifts, operators)
    edit_cell(at, op_id, code, day)
    assert not at.exception
    listed = table(at, "roster_violations")
    rest = listed[listed["Rule"] == rule_label("rest_between_shifts", "en")]
    assert list(rest["ID"]) == [op_id]
    assert "Breaks in a shift" in set(listed["Rule"])  # the edited shift has no breaks yet

    # Streamlit forgets the editor's state while another page is shown; back on this page the edit is still there.
    del at.session_state[at.session_state[WORK].grid_key]
    at.run()
    assert [(e.operator_id, e.day, e.after) for e in at.session_state[WORK].edits] == [(op_id, day, code)]
    assert list(table(at, "roster_violations")["ID"]).count(op_id) >= 1

    # Lock the edited cell and re-solve the rest: the locked shift stays.
    at.button(key="lock_edited").click().run()
    assert (op_id, day) in at.session_state[WORK].locks
    assert "🔒 " + op_id in set(table(at, "roster_locked")["ID"])
    at.button(key="resolve_rest").click().run()
    assert not at.exception
    finish_job(at)
    assert not at.exception
    resolved = at.session_state[WORK].roster
    kept = [s for s in resolved.shifts if s.operator_id == op_id and s.day == day]
    assert [shift_code(s, FEBRUARY.tz) for s in kept] == [code]
    assert at.success and "keeps every hard rule" in at.success[0].value

    # A second planner opens revision 1 now; the first saves (revision 2).
    other = open_page("roster", user=User("boris", Role.PLANNER))
    at.button(key="save_draft").click().run()
    assert not at.exception and "Draft saved." in [s.value for s in at.success]
    with open_store(f"sqlite:///{database}") as store:
        saved = store.load_roster(versions[0].id)
        assert saved.info.revision == 2 and (op_id, day) in saved.locks
        assert [record.edit.after for record in store.edit_history(versions[0].id)] == [code]

    # The second planner's save of revision 1 is refused, their edit kept and re-applied on revision 2.
    other_work = other.session_state[WORK]
    first = other_work.roster.shifts[0]
    edit_cell(other, first.operator_id, None, first.day)  # a cleared cell
    other.button(key="save_draft").click().run()
    assert not other.exception
    assert any("Someone else saved this draft" in e.value and "anna" in e.value for e in other.error)
    other.button(key="reapply_edits").click().run()
    assert not other.exception
    reapplied = other.session_state[WORK]
    assert reapplied.version.revision == 2
    assert not [s for s in reapplied.roster.shifts if (s.operator_id, s.day) == (first.operator_id, first.day)]

    # Publish (the first planner's saved draft).
    at.button(key="publish").click().run()
    assert not at.exception and "Roster published." in [s.value for s in at.success]
    with open_store(f"sqlite:///{database}") as store:
        assert store.list_versions(FEBRUARY.label)[0].status == "published"
        assert store.audit_log()[0].action == "publish"


def test_a_solve_no_roster_can_satisfy_says_who_and_why(database):
    with open_store(f"sqlite:///{database}") as store:
        listed = store.load_operators(FEBRUARY.label)
        people = listed.operators
        # Full time (8-hour shifts) in a 7-hour window: no shift fits, yet the monthly norm asks for many.
        stuck = replace(people[0], rate=1.0, earliest_start=17 * 60, latest_end=24 * 60)
        store.save_operators(FEBRUARY.label, (stuck, *people[1:]), SEEDER, based_on=listed.id)
    at = open_page("roster")
    at.button(key="solve").click().run()
    finish_job(at)
    assert not at.exception
    assert any("No roster can keep the hard rules" in e.value and stuck.id in e.value for e in at.error)
    with open_store(f"sqlite:///{database}") as store:
        assert store.list_versions(FEBRUARY.label) == ()


def test_unsaved_edits_survive_a_reload_until_saved_or_discarded(database):
    with open_store(f"sqlite:///{database}") as store:
        version_id = greedy_draft(store)
    at = open_page("roster")
    first = at.session_state[WORK].roster.shifts[0]
    edit_cell(at, first.operator_id, None, first.day)
    at.button(key="lock_edited").click().run()
    cell = (first.operator_id, first.day)
    with open_store(f"sqlite:///{database}") as store:
        kept = store.working_copy(version_id, "anna")
        assert [(e.operator_id, e.day, e.after) for e in kept.edits] == [(*cell, "")] and kept.locks == {cell}

    # A reload is a new session: the edit and the lock are back, and only for the planner who made them.
    reloaded = open_page("roster")
    work = reloaded.session_state[WORK]
    assert [(e.operator_id, e.day) for e in work.edits] == [cell] and work.locks == {cell}
    assert cell not in {(s.operator_id, s.day) for s in work.roster.shifts}
    assert any("unsaved changes" in info.value for info in reloaded.info)
    assert not open_page("roster", user=User("boris", Role.PLANNER)).session_state[WORK].edits

    # Discarding reopens the version as saved and forgets the copy.
    reloaded.button(key="discard_changes").click().run()
    assert not reloaded.exception and not reloaded.session_state[WORK].edits
    assert cell in {(s.operator_id, s.day) for s in reloaded.session_state[WORK].roster.shifts}
    assert not open_page("roster").session_state[WORK].edits

    # Saving keeps the edit in the version and leaves no copy behind.
    edit_cell(reloaded, first.operator_id, None, first.day)
    reloaded.button(key="save_draft").click().run()
    assert not reloaded.exception
    with open_store(f"sqlite:///{database}") as store:
        assert store.working_copy(version_id, "anna") is None
        assert cell not in {(s.operator_id, s.day) for s in store.load_roster(version_id).roster.shifts}


def test_the_first_day_is_checked_with_last_months_published_roster(database):
    with open_store(f"sqlite:///{database}") as store:
        greedy_draft(store)
    at = open_page("roster")
    assert any("Last month has no published roster" in caption.value for caption in at.caption)
    # January ends with a shift of the operator who starts earliest on 1 February, two hours before that start.
    first_day = [shift for shift in at.session_state[WORK].roster.shifts
                 if shift.day == FEBRUARY.days[0] and shift.start.hour >= 3]
    tired = min(first_day, key=lambda shift: shift.start)
    assert not _rest_broken(at, tired.operator_id)
    january = Month(2026, 1, "Europe/Moscow", "RU")
    late = Shift(tired.operator_id, datetime(2026, 1, 31, 23, tzinfo=january.tz),
                 (tired.start.astimezone(UTC) - timedelta(hours=2)).astimezone(january.tz))
    others = sorted({shift.operator_id for shift in first_day} - {tired.operator_id})[:2]
    # Two weekday shifts of others: everyone else's January (no shift at all) counts as the average, 1/3 weekend.
    weekdays = tuple(Shift(op_id, datetime(2026, 1, day, 9, tzinfo=january.tz),
                           datetime(2026, 1, day, 17, tzinfo=january.tz)) for op_id, day in zip(others, (27, 28)))
    december = january.before
    night = Shift(others[0], datetime(2025, 12, 10, 22, tzinfo=december.tz),
                  datetime(2025, 12, 11, 6, tzinfo=december.tz))
    day = Shift(others[1], datetime(2025, 12, 10, 9, tzinfo=december.tz),
                datetime(2025, 12, 10, 17, tzinfo=december.tz))
    with open_store(f"sqlite:///{database}") as store:
        for roster in (Roster(january, (late, *weekdays)), Roster(december, (night, day))):
            store.publish(store.create_draft(roster, {}, RULES_TEXT, SEEDER).id, SEEDER)

    at = open_page("roster")
    assert not at.exception
    assert any("Planned after last month's published roster (2026-01 version 1)" in caption.value
               for caption in at.caption)
    assert any("Fair nights and weekends also count the published rosters of 2025-12." in caption.value
               for caption in at.caption)
    assert _rest_broken(at, tired.operator_id)
    # The ledger the fairness rules share the load with: that operator's shift on Saturday 31 January, and the
    # night of 10 December.
    loads = table(at, "roster_loads").set_index("ID")
    assert loads.loc[tired.operator_id, "Weekend shifts, months before"] == 1
    assert loads["Weekend shifts, months before"].sum() == 1
    assert loads.loc[others[0], "Nights, months before"] == 1
    assert loads.loc[others[1], "Nights, months before"] == 0


def _rest_broken(at: AppTest, op_id: str) -> bool:
    try:
        frame = table(at, "roster_violations")
    except KeyError:  # no violations: the page says the rules hold instead
        return False
    return (op_id, rule_label("rest_between_shifts", "en")) in set(zip(frame["ID"], frame["Rule"], strict=True))


def test_a_solve_beyond_the_servers_limit_is_refused_in_plain_words(database, monkeypatch):
    # Issue 15, item 9: solver.max_running_solves (2) solves already run in this server process.
    monkeypatch.setattr(jobs._SLOTS, "running", 2)
    at = open_page("roster")
    at.button(key="solve").click().run()
    assert not at.exception and JOB not in at.session_state
    assert [error.value for error in at.error] == [
        "2 solves are running on this server already: start this one when one of them has finished."]


def sick_month(database) -> tuple[int, Roster, Shift]:
    """A greedy draft under a norm tolerance wide enough for one more shift (the greedy roster fills everyone up
    to the usual one): its id, its roster, and a shift someone can take over."""
    with open_store(f"sqlite:///{database}") as store:
        text = quick_rules_text().replace("tolerance_shifts: 1 ", "tolerance_shifts: 3 ")
        store.save_rules(FEBRUARY.label, text, SEEDER, based_on=store.latest_rules(FEBRUARY.label).id)
        version_id = greedy_draft(store)
        roster = store.load_roster(version_id).roster
        operators = store.load_operators(FEBRUARY.label).operators
        plan = staffing_plan(store.latest_forecast(FEBRUARY.label).forecast, parse_rules_text(text))
    removed = next(shift for shift in roster.shifts if sick_call(plan, roster, operators, parse_rules_text(text),
                                                                 shift.operator_id, shift.day).candidates)
    return version_id, roster, removed


def sick_call_opened(at: AppTest, removed: Shift) -> AppTest:
    """The roster page's sick call switched on for `removed`'s operator and day."""
    at.toggle(key=SICK_ON).set_value(True).run()
    at.selectbox(key=SICK_OPERATOR).select(removed.operator_id).run()
    at.selectbox(key=f"{SICK_DAY}_{removed.operator_id}").select(removed.day).run()
    assert not at.exception
    return at


def test_a_sick_call_ranks_who_can_take_the_shift_and_applying_one_edits_two_cells(database, downloads):
    # Issue 16, item 5: the same ranking as `planner replace`, applied as edits of the opened version.
    version_id, roster, removed = sick_month(database)
    at = open_page("roster")
    assert SICK_OPERATOR not in [box.key for box in at.selectbox]  # nothing computed until asked
    at = sick_call_opened(at, removed)
    candidates = next(frame.value for frame in at.dataframe if "Short hours covered" in frame.value.columns)
    assert len(candidates) >= 1
    told = downloads.fetch(SICK_EXPORT).splitlines()
    assert len(told) == 3 and any(line.startswith(f"{removed.operator_id},") for line in told[1:])
    at.button(key=SICK_APPLY).click().run()
    assert not at.exception
    work = at.session_state[WORK]
    (taker_edit,) = [edit for edit in work.edits if edit.operator_id != removed.operator_id]
    assert [(e.operator_id, e.day, e.after) for e in work.edits if e.operator_id == removed.operator_id] == [
        (removed.operator_id, removed.day, "")]
    assert taker_edit.day == removed.day and taker_edit.before == "" and taker_edit.after
    assert not any(s.operator_id == removed.operator_id and s.day == removed.day for s in work.roster.shifts)
    with open_store(f"sqlite:///{database}") as store:
        assert store.working_copy(version_id, "anna") is not None  # kept like any edit until saved
        (absent,) = [op for op in store.load_operators(FEBRUARY.label).operators if op.id == removed.operator_id]
        assert removed.day in absent.unavailable  # later checks count the sick day
        assert [event.what for event in store.audit_log(actions={"export"})] == [
            f"sick call changes {removed.operator_id} {removed.day}"]


def test_a_sick_call_applied_and_the_rest_re_solved_changes_at_most_the_budget(database):
    # Issue 16, item 5: "re-solve the rest of the month from tomorrow", K chosen on the page.
    _, roster, removed = sick_month(database)
    at = sick_call_opened(open_page("roster"), removed)
    at.number_input(key=SICK_BUDGET).set_value(2).run()
    at.button(key=SICK_RESOLVE).click().run()
    assert not at.exception
    finish_job(at)
    assert not at.exception
    after = at.session_state[WORK].roster
    assert len(set(changed_operators(roster, after)) - {removed.operator_id}) <= 2
    assert {(s.operator_id, s.start) for s in after.shifts if s.day < removed.day} == {
        (s.operator_id, s.start) for s in roster.shifts if s.day < removed.day}
    assert not any(s.operator_id == removed.operator_id and s.day == removed.day for s in after.shifts)


def test_the_russian_page_writes_numbers_and_widget_texts_in_russian(database):
    # Issue 17, item 8: "78 972", not "78,972"; no Streamlit English ("Choose options") left in the page.
    with open_store(f"sqlite:///{database}") as store:
        greedy_draft(store)
    at = open_page("roster", language="ru")
    assert not at.exception
    required = next(metric.value for metric in at.metric if metric.label == "Требуется, операторо-часы")
    assert "," not in required and (len(required) < 4 or "\xa0" in required)
    assert at.multiselect(key="lock_operators").placeholder == "Выберите"
