"""The planners-at-once benchmark (bench.load_bench): its check finds a lost, an invented and an uncounted save, and
a tiny run of real sessions on PostgreSQL lands every save it reports."""

from __future__ import annotations

from datetime import date, datetime, timezone

from bench.load_bench import SessionResult, check_history, main
from planner.store import CellEdit, EditRecord

DAY = date(2026, 12, 7)


def _record(user: str, revision: int, operator_id: str, after: str) -> EditRecord:
    return EditRecord(1, revision, CellEdit(operator_id, DAY, "", after), user, datetime.now(timezone.utc))


def test_the_check_passes_a_history_holding_exactly_the_saves_reported():
    results = [SessionResult("a", saved=[(2, "op1", DAY.isoformat(), "09–17")]),
               SessionResult("b", saved=[(3, "op2", DAY.isoformat(), "")])]
    history = [_record("a", 2, "op1", "09–17"), _record("b", 3, "op2", "")]
    assert check_history(results, history, last_revision=3) == []


def test_the_check_finds_a_lost_save_an_invented_edit_and_revisions_that_do_not_add_up():
    results = [SessionResult("a", saved=[(2, "op1", DAY.isoformat(), "09–17")])]
    assert check_history(results, [], last_revision=2) == [
        "saved but not in the history: ('a', 2, 'op1', '2026-12-07', '09–17')"]
    history = [_record("a", 2, "op1", "09–17"), _record("b", 3, "op9", "10–18")]
    assert check_history(results, history, last_revision=3) == [
        "in the history but saved by no session: ('b', 3, 'op9', '2026-12-07', '10–18')",
        "the draft is at revision 3 after 1 saves on revision 1"]


def test_a_tiny_run_of_two_sessions_on_postgresql_loses_nothing(postgres_server, tmp_path):
    out = tmp_path / "bench.md"
    out.write_text("<!-- load-bench:start -->\n<!-- load-bench:end -->\n", encoding="utf-8")
    url = postgres_server.create_database().render_as_string(hide_password=False)
    code = main(["--sessions", "2", "--seconds", "6", "--operators", "12", "--database-url", url, "--out", str(out)])
    written = out.read_text(encoding="utf-8")
    assert code == 0, written
    assert "nothing was lost or silently overwritten" in written
    row = next(line for line in written.splitlines() if line.startswith("| 2 |"))
    assert int(row.split("|")[4]) > 0  # edits saved
