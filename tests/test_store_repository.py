"""planner.store.repository against SQLite and a real PostgreSQL server (the `database_url` fixture)."""

from __future__ import annotations

import dataclasses
import io
import threading
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from planner.config import parse_rules
from planner.domain import Roster, Shift, ShiftRequest
from planner.errors import InputError
from planner.forecast_csv import parse_forecast
from planner.month import Month, after_elapsed
from planner.samples import sample_forecast, sample_operators, write_forecast_csv
from planner.store import (
    CellEdit,
    NotADraft,
    StaleInput,
    StaleVersion,
    UnknownVersion,
    VersionInfo,
    inputs,
    open_store,
    rosters,
)

ROOT = Path(__file__).resolve().parents[1]
RULES_TEXT = (ROOT / "constraints.yaml").read_text(encoding="utf-8")
# The clocks go back in Berlin on 2026-10-25 at 03:00: 02:00-02:59 happens twice.
OCTOBER = Month(2026, 10, "Europe/Berlin", "DE")
NOVEMBER = Month(2026, 11, "Europe/Berlin", "DE")
RULES = parse_rules({"centre": {"timezone": "Europe/Berlin", "country": "DE"}})
REPORT = {"status": "FEASIBLE", "objective": 1234.5, "gap": 0.25, "stage_seconds": {"aggregate": 0.5}}


@pytest.fixture
def store(database_url):
    with open_store(database_url) as opened:
        yield opened


def at(text: str, fold: int = 0, month: Month = OCTOBER) -> datetime:
    return datetime.strptime(text, "%Y-%m-%d %H:%M").replace(tzinfo=month.tz, fold=fold)


def night_roster() -> Roster:
    """Shifts across the repeated hour: breaks at both 02:30s, a shift starting at the second 02:00."""
    night = at("2026-10-24 22:00")
    second_two = at("2026-10-25 02:00", fold=1)
    day = at("2026-10-10 09:00")
    return Roster(
        OCTOBER,
        (
            Shift("op1", night, after_elapsed(night, 8), (at("2026-10-25 02:30"), at("2026-10-25 02:30", fold=1))),
            Shift("op2", second_two, after_elapsed(second_two, 6), (at("2026-10-25 04:00"),)),
            Shift("op3", day, after_elapsed(day, 8), (at("2026-10-10 11:00"), at("2026-10-10 14:00"))),
        ),
    )


def instant(moment: datetime) -> tuple:
    """Everything that makes an aware datetime what it is: `==` within one zone ignores `fold`."""
    return moment.astimezone(UTC), moment.replace(tzinfo=None), moment.fold, moment.tzinfo.key, moment.utcoffset()


def instants(roster: Roster) -> list[tuple]:
    return [
        (s.operator_id, instant(s.start), instant(s.end), tuple(instant(b) for b in s.breaks)) for s in roster.shifts
    ]


def forecast_file(seed: int = 1) -> bytes:
    buffer = io.StringIO()
    write_forecast_csv(sample_forecast(OCTOBER, seed=seed), buffer)
    return buffer.getvalue().encode("utf-8")


# --- forecasts ---------------------------------------------------------------------------------------------------


def test_forecast_round_trip_keeps_the_file_and_the_parsed_hours(store):
    assert store.latest_forecast(OCTOBER) is None
    data = forecast_file()
    saved = store.save_forecast(data, "forecast-2026-10.csv", RULES, "anna")
    loaded = store.latest_forecast("2026-10")

    assert loaded == saved
    assert loaded.content == data
    assert loaded.forecast.month == OCTOBER
    assert len(loaded.forecast.calls) == 745  # the 25-hour day
    assert loaded.forecast == parse_forecast(data, "forecast-2026-10.csv", RULES)
    calls = loaded.forecast.calls
    assert loaded.summary == {"hours": 745, "calls": sum(calls), "peak_calls": max(calls)}
    assert (loaded.uploaded_by, loaded.uploaded_at.tzinfo) == ("anna", UTC)


def test_the_newest_forecast_of_a_month_wins_and_a_rejected_file_stores_nothing(store):
    store.save_forecast(forecast_file(seed=1), "first.csv", RULES, "anna")
    store.save_forecast(forecast_file(seed=2), "second.csv", RULES, "boris")
    with pytest.raises(InputError):
        store.save_forecast(b"interval_start,calls\n2026-10-01 00:00,-5\n", "bad.csv", RULES, "anna")

    latest = store.latest_forecast(OCTOBER)
    assert (latest.filename, latest.uploaded_by) == ("second.csv", "boris")
    assert store.latest_forecast(NOVEMBER) is None
    assert store.months() == ("2026-10",)


# --- operators ---------------------------------------------------------------------------------------------------


def test_operator_list_round_trip_and_history(store):
    operators = sample_operators(12, OCTOBER, RULES, seed=3)
    assert any(op.unavailable for op in operators) and any(op.days_off_wished for op in operators)
    first = store.save_operators(OCTOBER, operators, "anna", source="operators-2026-10.csv", based_on=None)
    wishes = frozenset({ShiftRequest(date(2026, 10, 5), "evening"),
                        ShiftRequest(date(2026, 10, 6), "night", work=False)})
    edited = (dataclasses.replace(operators[0], name="Renamed", lat=None, lon=None, max_consecutive_days=4,
                                  max_working_weekends=0, shift_requests=wishes), *operators[1:])
    second = store.save_operators(OCTOBER, edited, "boris", source="edited in the page", based_on=first.id)

    current = store.load_operators(OCTOBER)
    assert current == second
    assert current.operators == edited
    assert [(lst.id, lst.operators, lst.source, lst.saved_by) for lst in store.operator_history(OCTOBER)] == [
        (first.id, operators, "operators-2026-10.csv", "anna"),
        (second.id, edited, "edited in the page", "boris"),
    ]
    assert store.load_operators(NOVEMBER) is None


def test_item_10_an_operator_list_saved_on_an_old_list_is_refused_and_kept(store):
    # Issue 15, item 10: the second planner's save replaced the first's without a word.
    operators = sample_operators(4, OCTOBER, RULES, seed=3)
    opened = store.save_operators(OCTOBER, operators, "anna", based_on=None)
    anna = store.save_operators(OCTOBER, operators[:3], "anna", based_on=opened.id)
    boris_list = (dataclasses.replace(operators[0], name="Boris's edit"), *operators[1:])

    with pytest.raises(StaleInput, match="saved by anna") as refused:
        store.save_operators(OCTOBER, boris_list, "boris", based_on=opened.id)
    with pytest.raises(StaleInput):
        store.save_operators(OCTOBER, boris_list, "boris", based_on=None)

    assert store.load_operators(OCTOBER) == anna
    assert len(store.operator_history(OCTOBER)) == 2
    assert refused.value.current == anna and refused.value.refused == boris_list
    assert refused.value.based_on == opened.id
    assert store.save_operators(OCTOBER, boris_list, "boris", based_on=anna.id) == store.load_operators(OCTOBER)
    assert store.operator_list(opened.id) == opened and store.operator_list(10**6) is None


def test_item_10_rules_saved_on_old_rules_are_refused_and_kept(store):
    opened = store.save_rules(OCTOBER, RULES_TEXT, "anna", based_on=None)
    anna = store.save_rules(OCTOBER, RULES_TEXT.replace("shrinkage: 0.10", "shrinkage: 0.15"), "anna",
                            based_on=opened.id)
    boris = RULES_TEXT.replace("shrinkage: 0.10", "shrinkage: 0.20")

    with pytest.raises(StaleInput, match="rules of 2026-10 were saved by anna") as refused:
        store.save_rules(OCTOBER, boris, "boris", based_on=opened.id)

    assert store.latest_rules(OCTOBER) == anna
    assert (refused.value.current, refused.value.refused) == (anna, boris)


def test_item_10_a_roster_planned_with_other_rules_leaves_the_months_rules_alone(store):
    # A re-solve started on rules another planner has changed since must not bring the old ones back.
    saved = store.save_rules(OCTOBER, RULES_TEXT, "anna", based_on=None)
    store.create_draft(night_roster(), REPORT, RULES_TEXT + "\n# read before anna's save\n", "boris")
    assert store.latest_rules(OCTOBER) == saved


@pytest.mark.parametrize("what", ["operators", "rules"])
def test_item_10_of_two_saves_on_the_same_list_at_once_exactly_one_lands(database_url, monkeypatch, what):
    # On PostgreSQL both saves check the current list before either writes (the barrier), so only the unique
    # (month, replaces) constraint can refuse the second.
    operators = sample_operators(3, OCTOBER, RULES, seed=3)
    with open_store(database_url) as first, open_store(database_url) as second:
        if what == "operators":
            base = first.save_operators(OCTOBER, operators, "anna", based_on=None).id
        else:
            base = first.save_rules(OCTOBER, RULES_TEXT, "anna", based_on=None).id
        if database_url.get_backend_name() == "postgresql":  # SQLite lets the second writer in only after the first
            both_checked = threading.Barrier(2, timeout=20)
            check = inputs._current_id

            def check_then_wait(*args):
                current = check(*args)
                both_checked.wait()
                return current

            monkeypatch.setattr(inputs, "_current_id", check_then_wait)
        outcomes: dict[str, object] = {}

        def save(store, user: str) -> None:
            try:
                if what == "operators":
                    outcomes[user] = store.save_operators(OCTOBER, operators[:2], user, based_on=base)
                else:
                    outcomes[user] = store.save_rules(OCTOBER, RULES_TEXT + f"\n# {user}\n", user, based_on=base)
            except StaleInput as refusal:
                outcomes[user] = refusal

        _at_once(save, (first, "anna"), (second, "boris"))

    refused = [user for user, outcome in outcomes.items() if isinstance(outcome, StaleInput)]
    assert len(refused) == 1, outcomes
    with open_store(database_url) as store:
        history = store.operator_history(OCTOBER) if what == "operators" else ()
        current = store.load_operators(OCTOBER) if what == "operators" else store.latest_rules(OCTOBER)
    [winner] = set(outcomes) - set(refused)
    assert current.saved_by == winner
    if what == "operators":
        assert len(history) == 2


def test_an_operator_list_with_a_repeated_id_is_refused(store):
    operators = sample_operators(3, OCTOBER, RULES, seed=3)
    with pytest.raises(ValueError, match="op001"):
        store.save_operators(OCTOBER, (*operators, operators[0]), "anna", based_on=None)
    assert store.operator_history(OCTOBER) == ()


# --- rules -------------------------------------------------------------------------------------------------------


def test_rules_round_trip_and_invalid_text_is_refused(store):
    saved = store.save_rules(OCTOBER, RULES_TEXT, "anna", based_on=None)
    changed = RULES_TEXT.replace("shrinkage: 0.10", "shrinkage: 0.15")
    second = store.save_rules(OCTOBER, changed, "anna", based_on=saved.id)
    with pytest.raises(InputError, match="rules.shortfall.wieght"):
        store.save_rules(OCTOBER, "rules:\n  shortfall:\n    wieght: 5\n", "anna", based_on=second.id)
    with pytest.raises(InputError, match="not valid YAML"):
        store.save_rules(OCTOBER, "rules: [unclosed", "anna", based_on=second.id)

    latest = store.latest_rules(OCTOBER)
    assert latest.text == changed
    assert latest.rules.staffing.shrinkage == 0.15
    assert saved.id != latest.id
    assert store.latest_rules(NOVEMBER) is None


# --- roster versions ---------------------------------------------------------------------------------------------


def test_a_draft_round_trips_exactly_across_the_dst_night(store):
    locks = {("op1", date(2026, 10, 24)), ("op2", date(2026, 10, 25))}
    created = store.create_draft(night_roster(), REPORT, RULES_TEXT, "anna", locks=locks)
    loaded = store.load_roster(created.id)

    assert instants(loaded.roster) == instants(night_roster())
    assert loaded.roster.month == OCTOBER
    assert loaded.locks == locks
    assert loaded.report == REPORT
    assert loaded.rules_text == RULES_TEXT
    assert loaded.info == created
    assert (created.month, created.number, created.status, created.revision) == ("2026-10", 1, "draft", 1)
    assert (created.created_by, created.updated_by, created.published_by) == ("anna", "anna", None)


def test_versions_are_numbered_per_month_and_publishing_is_audited(store):
    first = store.create_draft(night_roster(), REPORT, RULES_TEXT, "anna")
    second = store.create_draft(night_roster(), REPORT, RULES_TEXT, "boris")
    other_month = store.create_draft(Roster(NOVEMBER, ()), {}, RULES_TEXT, "anna")

    published = store.publish(first.id, "chief")

    assert [(v.id, v.number, v.status) for v in store.list_versions(OCTOBER)] == [
        (first.id, 1, "published"),
        (second.id, 2, "draft"),
    ]
    assert [v.number for v in store.list_versions(NOVEMBER)] == [1] and other_month.number == 1
    assert (published.status, published.revision, published.published_by) == ("published", 2, "chief")
    assert published.published_at is not None and published.published_at.tzinfo == UTC
    [event] = store.audit_log()
    assert (event.user, event.action, event.what, event.version_id) == (
        "chief", "publish", "roster 2026-10 version 1", first.id
    )
    assert store.load_roster(first.id).info == published


def test_a_published_version_can_no_longer_be_saved_or_published(store):
    created = store.create_draft(night_roster(), REPORT, RULES_TEXT, "anna")
    published = store.publish(created.id, "anna", expected_revision=1)
    with pytest.raises(NotADraft, match="published"):
        store.save_draft(created.id, published.revision, night_roster(), (), (), "anna")
    with pytest.raises(NotADraft):
        store.publish(created.id, "anna")
    assert len(store.audit_log()) == 1


def test_saving_a_draft_replaces_shifts_and_locks_and_records_every_edit(store):
    created = store.create_draft(night_roster(), REPORT, RULES_TEXT, "anna", locks={("op3", date(2026, 10, 10))})
    edited = Roster(OCTOBER, night_roster().shifts[:2])
    edits = (CellEdit("op3", date(2026, 10, 10), "09–17", ""),)
    new_rules = RULES_TEXT.replace("shrinkage: 0.10", "shrinkage: 0.12")

    saved = store.save_draft(
        created.id, 1, edited, {("op1", date(2026, 10, 24))}, edits, "boris",
        report={"status": "OPTIMAL"}, rules_text=new_rules,
    )
    moved = CellEdit("op2", date(2026, 10, 25), "02–08", "03–09")
    again = store.save_draft(created.id, 2, edited, (), (moved,), "anna")

    loaded = store.load_roster(created.id)
    assert instants(loaded.roster) == instants(edited)
    assert loaded.locks == frozenset()
    assert loaded.report == {"status": "OPTIMAL"}
    assert loaded.rules_text == new_rules
    assert (saved.revision, saved.updated_by, again.revision, again.updated_by) == (2, "boris", 3, "anna")
    assert (loaded.info.created_by, loaded.info.number) == ("anna", 1)
    history = store.edit_history(created.id)
    assert [(r.revision, r.edit, r.edited_by) for r in history] == [
        (2, edits[0], "boris"),
        (3, CellEdit("op2", date(2026, 10, 25), "02–08", "03–09"), "anna"),
    ]
    assert all(record.edited_at.tzinfo == UTC for record in history)
    # The roster keeps its rules; the month's rules are what the Rules page saved (none here).
    assert store.latest_rules(OCTOBER) is None


def test_the_later_of_two_sessions_is_refused_and_keeps_its_edits(database_url):
    with open_store(database_url) as first, open_store(database_url) as second:
        created = first.create_draft(night_roster(), REPORT, RULES_TEXT, "anna")
        anna_opens = first.load_roster(created.id)
        boris_opens = second.load_roster(created.id)
        anna_edit = CellEdit("op3", date(2026, 10, 10), "09–17", "")
        first.save_draft(created.id, anna_opens.info.revision, Roster(OCTOBER, night_roster().shifts[:2]),
                         (), (anna_edit,), "anna")

        boris_roster = Roster(OCTOBER, night_roster().shifts[1:])
        boris_locks = {("op2", date(2026, 10, 25))}
        boris_edits = (CellEdit("op1", date(2026, 10, 24), "22–06", ""),)
        with pytest.raises(StaleVersion, match="saved by anna") as refused:
            second.save_draft(created.id, boris_opens.info.revision, boris_roster, boris_locks, boris_edits, "boris")

        assert refused.value.edits == boris_edits
        assert refused.value.locks == boris_locks
        assert refused.value.roster is boris_roster
        assert (refused.value.expected_revision, refused.value.current.revision) == (1, 2)
        now = second.load_roster(created.id)
        assert [s.operator_id for s in now.roster.shifts] == ["op1", "op2"]
        assert now.locks == frozenset()
        assert [record.edit for record in second.edit_history(created.id)] == [anna_edit]
        with pytest.raises(StaleVersion):
            second.publish(created.id, "boris", expected_revision=1)


def test_a_working_copy_keeps_unsaved_changes_per_user_until_the_save(database_url):
    edits = (CellEdit("op3", date(2026, 10, 10), "09–17", ""),)
    edited = Roster(OCTOBER, night_roster().shifts[:2])
    with open_store(database_url) as store:
        created = store.create_draft(night_roster(), REPORT, RULES_TEXT, "anna")
        store.keep_working_copy(created.id, 1, night_roster(), (), (), "anna")
        store.keep_working_copy(created.id, 1, edited, {("op1", date(2026, 10, 24))}, edits, "anna",
                                report={"status": "OPTIMAL"}, rules_text=RULES_TEXT)
    # Another connection, as after a restart of the app: the newest copy comes back exactly, DST night included.
    with open_store(database_url) as store:
        kept = store.working_copy(created.id, "anna")
        assert instants(kept.roster) == instants(edited) and kept.roster.month == OCTOBER
        assert (kept.base_revision, kept.locks, kept.edits) == (1, {("op1", date(2026, 10, 24))}, edits)
        assert (kept.report, kept.rules_text, kept.updated_at.tzinfo) == ({"status": "OPTIMAL"}, RULES_TEXT, UTC)
        assert store.working_copy(created.id, "boris") is None

        store.keep_working_copy(created.id, 1, night_roster(), (), (), "boris")
        store.save_draft(created.id, 1, kept.roster, kept.locks, kept.edits, "anna")
        assert store.working_copy(created.id, "anna") is None
        assert store.working_copy(created.id, "boris") is not None  # refused at boris's save, never lost
        store.discard_working_copy(created.id, "boris")
        assert store.working_copy(created.id, "boris") is None


def test_a_working_copy_must_fit_its_version(store):
    created = store.create_draft(night_roster(), REPORT, RULES_TEXT, "anna")
    with pytest.raises(UnknownVersion):
        store.keep_working_copy(created.id + 1, 1, night_roster(), (), (), "anna")
    with pytest.raises(ValueError, match="is of 2026-10"):
        store.keep_working_copy(created.id, 1, Roster(NOVEMBER, ()), (), (), "anna")
    with pytest.raises(InputError):
        store.keep_working_copy(created.id, 1, night_roster(), (), (), "anna", rules_text="rules: [")


def _at_once(save, *calls: tuple) -> None:
    """`save(*call)` for every call, each in its own thread, all started before any is waited for."""
    threads = [threading.Thread(target=save, args=call) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def test_of_two_simultaneous_saves_exactly_one_is_written(database_url):
    with open_store(database_url) as first, open_store(database_url) as second:
        created = first.create_draft(night_roster(), REPORT, RULES_TEXT, "anna")
        start = threading.Barrier(2)
        outcomes: dict[str, object] = {}

        def save(store, user: str) -> None:
            edit = CellEdit("op3", date(2026, 10, 10), "09–17", user)
            start.wait()
            try:
                outcomes[user] = store.save_draft(created.id, 1, night_roster(), (), (edit,), user)
            except StaleVersion as exc:
                outcomes[user] = exc

        _at_once(save, (first, "anna"), (second, "boris"))

        refused = [user for user, outcome in outcomes.items() if isinstance(outcome, StaleVersion)]
        assert len(refused) == 1
        [winner] = set(outcomes) - set(refused)
        assert [record.edited_by for record in first.edit_history(created.id)] == [winner]
        assert first.load_roster(created.id).info.revision == 2


def test_a_save_failing_half_way_leaves_the_previous_state(store, monkeypatch):
    created = store.create_draft(night_roster(), REPORT, RULES_TEXT, "anna", locks={("op3", date(2026, 10, 10))})
    before = store.load_roster(created.id)

    def fail(*_args, **_kwargs):
        raise RuntimeError("power cut")

    # Shifts are already replaced when the locks are written.
    monkeypatch.setattr(rosters, "_replace_locks", fail)
    with pytest.raises(RuntimeError, match="power cut"):
        store.save_draft(created.id, 1, Roster(OCTOBER, ()), (), (CellEdit("op3", date(2026, 10, 10), "09–17", ""),),
                         "boris", rules_text=RULES_TEXT + "\n# changed\n")
    with pytest.raises(RuntimeError, match="power cut"):
        store.create_draft(night_roster(), REPORT, RULES_TEXT, "anna", locks={("op1", date(2026, 10, 24))})

    after = store.load_roster(created.id)
    assert instants(after.roster) == instants(before.roster)
    assert (after.locks, after.info, after.rules_text) == (before.locks, before.info, before.rules_text)
    assert store.edit_history(created.id) == ()
    assert [v.id for v in store.list_versions(OCTOBER)] == [created.id]


def test_unknown_versions_are_named(store):
    with pytest.raises(UnknownVersion, match="no roster version 999"):
        store.load_roster(999)
    with pytest.raises(UnknownVersion):
        store.save_draft(999, 1, night_roster(), (), (), "anna")
    with pytest.raises(UnknownVersion):
        store.publish(999, "anna")


def test_a_roster_of_another_month_is_not_saved_into_a_version(store):
    created = store.create_draft(night_roster(), REPORT, RULES_TEXT, "anna")
    with pytest.raises(ValueError, match="2026-11"):
        store.save_draft(created.id, 1, Roster(NOVEMBER, ()), (), (), "anna")
    assert store.load_roster(created.id).info.revision == 1


@pytest.mark.parametrize(
    ("start", "message"),
    [
        (datetime(2026, 10, 10, 9, tzinfo=UTC), "not in the month's zone Europe/Berlin"),
        (datetime(2026, 10, 10, 9), "not in the month's zone"),
        (at("2026-03-29 02:30", month=Month(2026, 3, "Europe/Berlin", "DE")), "does not exist"),
    ],
)
def test_times_that_would_not_come_back_as_given_are_refused(store, start, message):
    month = Month(start.year, start.month, "Europe/Berlin", "DE")
    roster = Roster(month, (Shift("op1", start, after_elapsed(start, 8) if start.tzinfo else start),))
    with pytest.raises(ValueError, match=message):
        store.create_draft(roster, REPORT, RULES_TEXT, "anna")
    assert store.list_versions(month) == ()


def test_invalid_rules_or_user_refuse_a_draft(store):
    with pytest.raises(InputError):
        store.create_draft(night_roster(), REPORT, "rules: {unknown_rule: {}}", "anna")
    with pytest.raises(ValueError, match="user"):
        store.create_draft(night_roster(), REPORT, RULES_TEXT, " ")
    assert store.list_versions(OCTOBER) == ()


# --- audit -------------------------------------------------------------------------------------------------------


def test_exports_are_recorded_newest_first(store):
    created = store.create_draft(night_roster(), REPORT, RULES_TEXT, "anna")
    store.record_export("vera", "roster 2026-10 version 1, Excel", created.id)
    store.record_export("gleb", "taxi list 2026-10-25, PDF")

    log = store.audit_log()
    assert [(e.user, e.action, e.what, e.version_id) for e in log] == [
        ("gleb", "export", "taxi list 2026-10-25, PDF", None),
        ("vera", "export", "roster 2026-10 version 1, Excel", created.id),
    ]
    assert log[0].at >= log[1].at and log[0].at.tzinfo == UTC
    assert store.audit_log(limit=1) == log[:1]


def test_two_drafts_saved_at_once_on_postgresql_get_the_next_two_numbers(postgres_server, monkeypatch):
    # Issue 15, item 11: both read the same last number; the second insert broke the unique constraint and the
    # solved roster was lost. Both saves read the number before either inserts (the barrier), then both must land.
    url = postgres_server.create_database()
    both_read = threading.Barrier(2, timeout=20)
    first_read = threading.local()
    read_number = rosters._next_number

    def read_then_wait(session, month):
        number = read_number(session, month)
        if not getattr(first_read, "done", False):
            first_read.done = True
            both_read.wait()
        return number

    monkeypatch.setattr(rosters, "_next_number", read_then_wait)
    with open_store(url) as first, open_store(url) as second:
        outcomes: dict[str, object] = {}

        def save(store, user: str) -> None:
            try:
                outcomes[user] = store.create_draft(night_roster(), REPORT, RULES_TEXT, user)
            except Exception as error:  # noqa: BLE001 - the test reports whatever the save raised
                outcomes[user] = error

        _at_once(save, (first, "anna"), (second, "boris"))

        assert all(isinstance(outcome, VersionInfo) for outcome in outcomes.values()), outcomes
        assert sorted(outcome.number for outcome in outcomes.values()) == [1, 2]
        assert [len(first.load_roster(info.id).roster.shifts) for info in first.list_versions(OCTOBER)] == [
            len(night_roster().shifts)] * 2
