"""The planner served on localhost as `make run` serves it, on a tiny month, for the browser test.

The database is seeded before the server starts, so the page never loads the 150-operator sample month: February
2026 of tests/helpers/ui_pages.py with 24 operators, enough to cover its forecast (the screenshots in the README show a
month that works out), every one free to work at any hour — the month then has night shifts, which ride home by
taxi, and a shift typed in right after another breaks the rest rule and nothing else — and rules that solve it in
seconds on one worker, shown in English.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import replace
from pathlib import Path

from helpers.ui_pages import FEBRUARY, ROOT, SEEDER, rules, rules_text_with, seed_small_month
from planner.samples import sample_operators

__all__ = ["QUICK_RULES", "quick_rules_text", "seed_database", "served_app"]

OPERATORS = 24
SOLVE_SECONDS = 5
QUICK_RULES = {
    "time_limit_sec: 60": f"time_limit_sec: {SOLVE_SECONDS}",
    "workers: 2": "workers: 1",
    "time_limit_sec_per_day: 1 ": "time_limit_sec_per_day: 0.2 ",
    "language: ru ": "language: en ",
}
START_SECONDS = 60


def quick_rules_text() -> str:
    """The centre's rules with a short solve on one worker and the page in English."""
    return rules_text_with(QUICK_RULES)


def seed_database(db_path: Path) -> None:
    with seed_small_month(db_path) as store:
        store.save_rules(FEBRUARY.label, quick_rules_text(), SEEDER, based_on=store.latest_rules(FEBRUARY.label).id)
        anytime = [replace(op, earliest_start=0, latest_end=24 * 60)
                   for op in sample_operators(OPERATORS, FEBRUARY, rules(), seed=3)]
        store.save_operators(FEBRUARY.label, anytime, SEEDER, based_on=store.load_operators(FEBRUARY.label).id)


@contextmanager
def served_app(db_path: Path, log_path: Path) -> Iterator[str]:
    """`streamlit run app.py` on a free port against the SQLite database `db_path`, its output going to
    `log_path`; yields the page's address once the server says it is healthy, stops the server afterwards."""
    port = _free_port()
    env = {key: value for key, value in os.environ.items() if key != "PLANNER_DATABASE_URL"}
    env["PLANNER_DB_PATH"] = str(db_path)
    env["PLANNER_OPEN"] = "1"  # no accounts: open to a planner, as `make run` starts it, on 127.0.0.1 alone
    # Files edited while the test runs must not rerun the page under it; "minimal" drops the Deploy button from
    # the screenshots.
    command = [sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless", "true",
               "--server.port", str(port), "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false",
               "--server.fileWatcherType", "none", "--client.toolbarMode", "minimal"]
    with open(log_path, "wb") as log:
        server = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        try:
            url = f"http://127.0.0.1:{port}"
            _wait_healthy(url, server)
            yield url
        finally:
            server.terminate()
            try:
                server.wait(10)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()


def _free_port() -> int:
    with closing(socket.socket()) as probe:
        probe.bind(("localhost", 0))
        return probe.getsockname()[1]


def _wait_healthy(url: str, server: subprocess.Popen) -> None:
    deadline = time.monotonic() + START_SECONDS
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"streamlit exited with code {server.returncode} before serving the page")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                if response.read().decode().strip() == "ok":
                    return
        except OSError:
            pass  # not listening yet
        time.sleep(0.2)
    raise RuntimeError(f"streamlit did not answer {url}/_stcore/health within {START_SECONDS} s")
