"""Planners at once (issue 15): sessions that sign in, open the roster page and edit cells of the same draft,
saving after each edit, on one PostgreSQL database. Nothing may be lost or silently overwritten: every save either
lands as a new revision holding its edits, or is refused as a conflict, re-applied on the newer revision and saved
again (with the session's next edit, if one came meanwhile); edits still refused when the time is up stay in that
planner's working copy and are counted as unsaved.

    python -m bench.load_bench [--sessions 10] [--seconds 120] [--operators 60] [--seed 2026]

Each session is a process running the roster page through Streamlit's `AppTest` (the page script as the server
runs it for a browser session, without the browser), signed in with its own planner account and password. The
database is a throwaway PostgreSQL server (Debian's `postgresql`, as the tests start it), or `--database-url`.
After the run the draft's edit history is compared with what every session was told: each save the page
reported as done must be in the history with its edit, the history must hold nothing else, and the draft's last
revision must be one more than the saves that landed.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import random
import shlex
import statistics
import subprocess
import sys
import time
from collections.abc import Sequence
from contextlib import ExitStack
from dataclasses import asdict, dataclass, field
from datetime import date
from pathlib import Path

from argon2 import profiles

from bench.common import DEFAULT_OUTPUTS, add_out_option, machine_facts, outputs, provenance, table_head, write_section
from bench.roster_bench import bench_month, greedy_baseline
from planner.auth import password_hasher
from planner.breaks import naive_breaks
from planner.config import parse_rules_text
from planner.grid import roster_grid
from planner.samples import write_forecast_csv
from planner.store import DATABASE_URL_VARIABLE, open_store

__all__ = ["SessionResult", "SECTION", "main"]

ROOT = Path(__file__).resolve().parent.parent
SECTION = "load-bench"
PASSWORD = "a planner's long password"
CODES = ("09–17", "10–18", "")  # what a planner types into a cell: two shifts and a day off


@dataclass
class SessionResult:
    user: str
    reruns: list[float] = field(default_factory=list)  # seconds per page run
    saved: list[tuple[int, str, str, str]] = field(default_factory=list)  # revision, operator, day, code
    conflicts: int = 0  # saves refused as conflicts (then re-applied)
    unsaved: int = 0  # edits still refused when the time was up: kept in the session's working copy
    errors: list[str] = field(default_factory=list)


def _signed_in_roster_page(name: str, password: str) -> None:
    from ui import roster, state

    if state.signed_in() is None and not state.sign_in(name, password):
        raise RuntimeError(f"{name} could not sign in")
    state.month()
    roster.page()


def run_session(url: str, user: str, seconds: float, seed: int) -> SessionResult:
    """One planner's session on the database `url`, in a process of its own: edit a cell, save; on a conflict
    re-apply and save again; until `seconds` pass."""
    os.environ[DATABASE_URL_VARIABLE] = url  # the page finds its database there, as in the server
    from streamlit.testing.v1 import AppTest

    from ui.roster import REFUSED, SHOWN, WORK, day_labels

    result, chance = SessionResult(user), random.Random(seed)
    with open_store(url) as store:
        operators = store.load_operators(store.months()[0]).operators  # the grid's rows, in order
    page = AppTest.from_function(_signed_in_roster_page, args=(user, PASSWORD), default_timeout=600)
    page.session_state["language"] = "en"

    def run() -> None:
        started = time.perf_counter()
        page.run()
        result.reruns.append(time.perf_counter() - started)
        if page.exception:
            raise RuntimeError(page.exception[0].value)

    deadline = time.monotonic() + seconds
    try:
        run()
        month = page.session_state[SHOWN].roster.month
        columns = day_labels(month.days, {day for day in month.days if month.is_weekend(day)}, "en")
        pending: dict[tuple[str, str], str] = {}  # edits not saved yet, by cell: the latest code of each
        while time.monotonic() < deadline:
            shown, work = page.session_state[SHOWN], page.session_state[WORK]
            row, day = chance.randrange(len(operators)), chance.choice(month.days)
            now = roster_grid(shown.roster, operators)[operators[row].id][day]
            code = chance.choice([code for code in CODES if code != now])
            page.session_state[work.grid_key] = {"edited_rows": {row: {columns[day]: code}}, "added_rows": [],
                                                 "deleted_rows": []}
            run()
            pending[operators[row].id, day.isoformat()] = code
            while pending and time.monotonic() < deadline:
                page.button(key="save_draft").click()
                run()
                if REFUSED not in page.session_state:
                    revision = page.session_state[WORK].version.revision
                    result.saved.extend((revision, *cell, after) for cell, after in pending.items())
                    pending.clear()
                else:
                    result.conflicts += 1
                    page.button(key="reapply_edits").click()
                    run()
        result.unsaved = len(pending)
    except Exception as error:  # reported with the other sessions' results rather than lost in a worker process
        result.errors.append(f"{type(error).__name__}: {error}")
    return result


def sessions_in_children(url: str, users: Sequence[str], seconds: float, seed: int) -> list[SessionResult]:
    """Every session at once, each in a fresh interpreter (`--session`), as browser sessions are independent: a
    child forked or spawned from this process would inherit whatever its `__main__` is (under pytest, a page
    script AppTest ran) and run it."""
    children = [subprocess.Popen([sys.executable, "-m", "bench.load_bench", "--session", url, user, str(seconds),
                                  str(seed + i)], cwd=ROOT, stdout=subprocess.PIPE, text=True)
                for i, user in enumerate(users)]
    results = []
    for user, child in zip(users, children):
        output, _ = child.communicate()
        if child.returncode != 0:
            raise RuntimeError(f"the session of {user} exited with {child.returncode}; its error is printed above")
        results.append(SessionResult(**json.loads(output.splitlines()[-1])))
    return results


def check_history(results: Sequence[SessionResult], history, last_revision: int) -> list[str]:
    """What went wrong: a save reported as done but missing from the edit history, an edit in the history that no
    session saved, revisions that do not add up."""
    reported = {(user_result.user, *saved) for user_result in results for saved in user_result.saved}
    stored = {(record.edited_by, record.revision, record.edit.operator_id, record.edit.day.isoformat(),
               record.edit.after) for record in history}
    problems = [f"saved but not in the history: {item}" for item in sorted(reported - stored)]
    problems += [f"in the history but saved by no session: {item}" for item in sorted(stored - reported)]
    if last_revision != 1 + len(reported):
        problems.append(f"the draft is at revision {last_revision} after {len(reported)} saves on revision 1")
    return problems


_COLUMNS = ("sessions", "seconds", "page runs", "edits saved", "saves refused (re-applied)", "edits unsaved at the end",
            "errors",
            "median run, s", "95th percentile, s")


def render_section(command: str, day: date, machine: str, note: str, sessions: int, seconds: float,
                   results: Sequence[SessionResult], problems: Sequence[str]) -> str:
    runs = sorted(run for result in results for run in result.reruns)
    p95 = runs[min(len(runs) - 1, int(0.95 * len(runs)))] if runs else float("nan")
    errors = [error for result in results for error in result.errors]
    row = [str(sessions), f"{seconds:.0f}", str(len(runs)), str(sum(len(result.saved) for result in results)),
           str(sum(result.conflicts for result in results)), str(sum(result.unsaved for result in results)),
           str(len(errors)), f"{statistics.median(runs):.2f}" if runs else "–", f"{p95:.2f}"]
    verdict = ("The edit history holds exactly the saves the sessions were told had landed, and the revisions add "
               "up: nothing was lost or silently overwritten." if not problems and not errors else
               "FAILED: " + "; ".join([*problems, *errors][:10]))
    return "\n".join([
        *provenance(command, day, machine),
        f"Month: {note}.",
        "",
        *table_head(_COLUMNS),
        "| " + " | ".join(row) + " |",
        "",
        verdict,
    ])


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bench.load_bench", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sessions", type=int, default=10)
    parser.add_argument("--seconds", type=float, default=120)
    parser.add_argument("--operators", type=int, default=60)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--database-url", help="an empty PostgreSQL database; default: a throwaway server")
    parser.add_argument("--rules", type=Path, default=ROOT / "constraints.yaml")
    add_out_option(parser, DEFAULT_OUTPUTS[:1])
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["--session"]:  # one child of `sessions_in_children`
        url, user, seconds, seed = argv[1:]
        print(json.dumps(asdict(run_session(url, user, float(seconds), int(seed)))), flush=True)
        return 0
    args = _parser().parse_args(argv)
    load_average = os.getloadavg()[0]
    rules_text = args.rules.read_text(encoding="utf-8")
    rules = parse_rules_text(rules_text, args.rules.name)
    plan, operators = bench_month(args.operators, args.seed, rules)
    roster = naive_breaks(greedy_baseline(plan, operators, rules), rules)
    users = [f"planner{i + 1}" for i in range(args.sessions)]
    with ExitStack() as stack:
        url = args.database_url
        if url is None:
            sys.path.insert(0, str(ROOT / "tests"))
            from helpers.pg import PostgresServer

            url = stack.enter_context(PostgresServer.running()).create_database().render_as_string(
                hide_password=False)
        forecast = io.StringIO()
        write_forecast_csv(plan.forecast, forecast)
        with open_store(url, hasher=password_hasher(profiles.CHEAPEST)) as store:
            store.save_forecast(forecast.getvalue().encode("utf-8"), "forecast.csv", rules, "bench")
            store.save_rules(plan.month.label, rules_text, "bench", based_on=None)
            store.save_operators(plan.month.label, operators, "bench", based_on=None)
            draft = store.create_draft(roster, {}, rules_text, "bench")
            for user in users:
                store.add_user(user, "planner", PASSWORD, by="bench")
        print(f"{args.sessions} sessions editing a draft of {len(operators)} operators for {args.seconds:.0f} s…",
              flush=True)
        results = sessions_in_children(url, users, args.seconds, args.seed)
        with open_store(url) as store:
            problems = check_history(results, store.edit_history(draft.id), store.load_roster(draft.id).info.revision)

    command = shlex.join(["python", "-m", "bench.load_bench", *argv])
    note = (f"{len(operators)} operators × {len(plan.month.days)} days ({plan.month.label}, as `bench.roster_bench` "
            f"generates it), the greedy roster stored as one draft in PostgreSQL; each session its own planner "
            f"account, signed in with its password, editing a random cell and saving it, again and again")
    section = render_section(command, date.today(), machine_facts(load_average), note, args.sessions, args.seconds,
                             results, problems)
    print(f"\n{section}\n", flush=True)
    written = write_section(outputs(args), section, SECTION)
    print(f"Written to {', '.join(map(str, written))}", flush=True)
    return 1 if problems or any(result.errors for result in results) else 0


if __name__ == "__main__":
    sys.exit(main())
