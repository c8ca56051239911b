"""A process killed while it saves drafts in a loop leaves the last whole save, never part of one (issue 6).

A forked child saves one draft over and over: each save has another number of shifts and one edit per
shift naming the revision it makes, so any mix of two saves shows. The parent kills it (SIGKILL) at several
moments, and once while it is stopped inside a save's transaction, and checks the database after each kill.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import time
from datetime import date

from sqlalchemy import text

from planner.domain import Roster, Shift
from planner.month import Month, after_elapsed
from planner.store import CellEdit, open_store, rosters

MONTH = Month(2026, 10, "Europe/Berlin", "DE")
RULES_TEXT = "rules: {}\n"
DAY = date(2026, 10, 1)
SAVES_BEFORE_KILL = 2
KILL_DELAYS_SEC = (0.0, 0.011, 0.023, 0.037, 0.052)
WAIT_SEC = 30

_fork = multiprocessing.get_context("fork")


def roster_of(revision: int) -> Roster:
    count = 100 + (revision % 4) * 50
    hours = MONTH.hours
    return Roster(
        MONTH,
        tuple(Shift(f"op{i:04d}", hours[i % len(hours)], after_elapsed(hours[i % len(hours)], 8))
              for i in range(count)),
    )


def edits_of(revision: int) -> tuple[CellEdit, ...]:
    return tuple(CellEdit(shift.operator_id, DAY, "", f"r{revision}") for shift in roster_of(revision).shifts)


def _save_in_a_loop(url: str, version_id: int, saves, stop_inside_save, stopped) -> None:
    if stop_inside_save:
        write_edits = rosters._insert_edits

        def write_edits_then_stop(*args) -> None:
            write_edits(*args)  # the last step: everything of the save is written but not committed
            stopped.set()
            time.sleep(WAIT_SEC)

        rosters._insert_edits = write_edits_then_stop
    with open_store(url) as store:
        revision = store.load_roster(version_id).info.revision
        while True:
            revision = store.save_draft(
                version_id, revision, roster_of(revision + 1), (), edits_of(revision + 1), "saver"
            ).revision
            saves.value += 1


def _kill_while_saving(url: str, version_id: int, delay: float, stop_inside_save: bool = False) -> None:
    saves, stopped = _fork.RawValue("i", 0), _fork.Event()
    saver = _fork.Process(target=_save_in_a_loop, args=(url, version_id, saves, stop_inside_save, stopped))
    saver.start()
    try:
        if stop_inside_save:
            assert stopped.wait(WAIT_SEC), "the saver never reached its save"
        else:
            deadline = time.monotonic() + WAIT_SEC
            while saves.value < SAVES_BEFORE_KILL:
                assert saver.is_alive() and time.monotonic() < deadline, "the saver stopped saving"
                time.sleep(0.002)
            time.sleep(delay)
    finally:
        os.kill(saver.pid, signal.SIGKILL)
        saver.join()


def _assert_whole(url: str, version_id: int) -> int:
    with open_store(url) as store:
        if store.engine.dialect.name == "sqlite":
            with store.engine.connect() as connection:
                assert connection.execute(text("PRAGMA integrity_check")).scalar() == "ok"
        stored = store.load_roster(version_id)
        revision = stored.info.revision
        assert [s.operator_id for s in stored.roster.shifts] == [s.operator_id for s in roster_of(revision).shifts]
        history = store.edit_history(version_id)
        assert [(r.revision, r.edit) for r in history] == [
            (n, edit) for n in range(2, revision + 1) for edit in edits_of(n)
        ]
        return revision


def test_a_killed_save_leaves_the_last_whole_save(database_url):
    url = database_url.render_as_string(hide_password=False)
    with open_store(url) as store:
        version_id = store.create_draft(roster_of(1), {}, RULES_TEXT, "anna").id

    revision = 1
    for delay in KILL_DELAYS_SEC:
        _kill_while_saving(url, version_id, delay)
        after = _assert_whole(url, version_id)
        assert after >= revision + SAVES_BEFORE_KILL
        revision = after

    _kill_while_saving(url, version_id, 0, stop_inside_save=True)
    assert _assert_whole(url, version_id) == revision
