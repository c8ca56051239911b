"""Responsiveness of the roster page (issue 5): how long the page takes to rerun after one grid edit, on a month of
200 operators × 31 days, next to the rerun without an edit measured in the same run.

    python -m bench.page_bench [--operators 200] [--repeats 7] [--seed 2026]

The month is generated as the roster benchmark does (`bench.roster_bench.bench_month`: `sample_operators` and a
forecast calibrated to them), rostered by the greedy baseline with every break at its earliest moment (no solver
run, so the benchmark takes a minute) and stored as a draft in a fresh SQLite database. The roster page is then
run by Streamlit's `AppTest`, which executes the page script as the server does for a browser session, without
the browser: the time to send the page and draw it in the browser is not included. An edit is what the grid
editor sends on a changed cell; each measured edit types a different code into the same cell, so every rerun
reads, validates and charts a changed roster. The core steps every rerun makes are timed on their own too.
"""

from __future__ import annotations

import argparse
import io
import os
import secrets
import shlex
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path

from streamlit.testing.v1 import AppTest

from bench.common import DEFAULT_OUTPUTS, add_out_option, machine_facts, outputs, provenance, table_head, write_section
from bench.roster_bench import bench_month, greedy_baseline
from planner.breaks import naive_breaks
from planner.config import parse_rules_text
from planner.coverage import coverage_rows
from planner.grid import apply_grid, operator_loads, roster_grid
from planner.samples import write_forecast_csv
from planner.store import DATABASE_URL_VARIABLE, DB_PATH_VARIABLE, open_store
from planner.validate import revalidate, validate_roster
from ui.roster import SHOWN, WORK, day_labels
from ui.state import SIGNED_IN

__all__ = ["Timing", "SECTION", "main", "render_section"]

ROOT = Path(__file__).resolve().parent.parent
SECTION = "page-bench"
USER = "bench"


@dataclass(frozen=True)
class Timing:
    what: str
    seconds: tuple[float, ...]


def _roster_page() -> None:
    from ui import roster, state

    state.month()
    roster.page()


def _timed(action: Callable[[], object]) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def measure_page(repeats: int, edits: Sequence[tuple[int, str, str]]) -> list[Timing]:
    """The page's first run, `repeats` reruns without an edit, then one rerun per edit (row, column, code) of the
    grid. Needs the database in the environment."""
    page = AppTest.from_function(_roster_page, default_timeout=600)
    page.session_state[SIGNED_IN] = USER  # an account, read again on every rerun as in the server
    first = _timed(page.run)
    _require_clean_run(page)
    plain = []
    for _ in range(repeats):
        plain.append(_timed(page.run))
        _require_clean_run(page)
    edited = []
    for row, column, code in edits:
        page.session_state[page.session_state[WORK].grid_key] = {
            "edited_rows": {row: {column: code}}, "added_rows": [], "deleted_rows": []}
        edited.append(_timed(page.run))
        _require_clean_run(page)
        if [edit.after for edit in page.session_state[SHOWN].edits] != [code]:
            raise RuntimeError(f"the page did not take the edit {code!r}")
    return [Timing("first run of the page", (first,)), Timing("rerun without an edit", tuple(plain)),
            Timing("rerun after one grid edit", tuple(edited))]


def _require_clean_run(page) -> None:
    if page.exception:
        raise RuntimeError(f"the roster page failed: {page.exception[0].value}")


def measure_steps(plan, roster, operators, rules, repeats: int) -> list[Timing]:
    """The core calls behind a rerun after an edit, each on its own. The page keeps every operator's loads between
    reruns and recomputes only the edited operator's."""
    grid = roster_grid(roster, operators)
    violations = validate_roster(roster, operators, rules)
    first = next(shift for shift in roster.shifts if shift.operator_id == operators[0].id)
    edited = replace(roster, shifts=tuple(shift for shift in roster.shifts if shift is not first))  # a cell cleared
    steps: dict[str, Callable[[], object]] = {
        "`roster_grid`": lambda: roster_grid(roster, operators),
        "`apply_grid`": lambda: apply_grid(grid, roster, operators, rules),
        "`revalidate`, the edited operator and their team": lambda: revalidate(violations, roster, edited, operators,
                                                                               rules),
        "`validate_roster`, every operator (once per roster under the grid)":
            lambda: validate_roster(roster, operators, rules),
        "`coverage_rows`": lambda: coverage_rows(plan, roster, rules.breaks),
        "`operator_loads`, the edited operator": lambda: operator_loads(roster, operators[:1], rules),
        "`operator_loads`, every operator (once per roster under the grid)":
            lambda: operator_loads(roster, operators, rules),
    }
    return [Timing(name, tuple(_timed(step) for _ in range(repeats))) for name, step in steps.items()]


_COLUMNS = ("what", "runs", "median, s", "min, s", "max, s")


def render_section(command: str, day: date, machine: str, month_note: str, page: Sequence[Timing],
                   steps: Sequence[Timing]) -> str:
    def rows(timings: Sequence[Timing]) -> list[str]:
        return ["| " + " | ".join([t.what, str(len(t.seconds)), f"{statistics.median(t.seconds):.2f}",
                                   f"{min(t.seconds):.2f}", f"{max(t.seconds):.2f}"]) + " |" for t in timings]

    by_what = {timing.what: timing for timing in page}
    edit, plain = by_what.get("rerun after one grid edit"), by_what.get("rerun without an edit")
    verdict = []
    if edit and plain:
        verdict = ["", f"After an edit the page reruns in {statistics.median(edit.seconds):.2f} s (median), against "
                       f"{statistics.median(plain.seconds):.2f} s without one."]
    header = table_head(_COLUMNS)
    return "\n".join([
        *provenance(command, day, machine),
        f"Month: {month_note}.",
        "",
        *header,
        *rows(page),
        *verdict,
        "",
        "The core calls of a rerun after an edit, each alone on the same roster:",
        "",
        *header,
        *rows(steps),
    ])


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bench.page_bench", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--operators", type=int, default=200)
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--rules", type=Path, default=ROOT / "constraints.yaml")
    add_out_option(parser, DEFAULT_OUTPUTS[:1])
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    args = _parser().parse_args(argv)
    load_average = os.getloadavg()[0]
    rules_text = args.rules.read_text(encoding="utf-8")
    rules = parse_rules_text(rules_text, args.rules.name)
    plan, operators = bench_month(args.operators, args.seed, rules)
    roster = naive_breaks(greedy_baseline(plan, operators, rules), rules)
    month = plan.month
    print(f"{len(operators)} operators, {len(roster.shifts)} shifts in {month.label}; storing the draft…", flush=True)

    with tempfile.TemporaryDirectory() as folder:
        os.environ.pop(DATABASE_URL_VARIABLE, None)
        os.environ[DB_PATH_VARIABLE] = str(Path(folder) / "planner.db")
        forecast = io.StringIO()
        write_forecast_csv(plan.forecast, forecast)
        with open_store() as store:
            store.save_forecast(forecast.getvalue().encode("utf-8"), "forecast.csv", rules, USER)
            store.save_rules(month.label, rules_text, USER, based_on=None)
            store.save_operators(month.label, operators, USER, based_on=None)
            store.create_draft(roster, {}, rules_text, USER)
            store.add_user(USER, "planner", secrets.token_urlsafe(16), by=USER)
        row, column, codes = _edited_cell(roster, operators, rules)
        page = measure_page(args.repeats, [(row, column, codes[i % 2]) for i in range(args.repeats)])
    steps = measure_steps(plan, roster, operators, rules, args.repeats)

    command = shlex.join(["python", "-m", "bench.page_bench", *argv])
    note = (f"{len(operators)} operators × {len(month.days)} days ({month.label}, `sample_operators` and the "
            f"calibrated `sample_forecast` of `bench.roster_bench`), the greedy roster with naive breaks "
            f"({len(roster.shifts)} shifts) stored as a draft in SQLite; the roster page run by Streamlit's "
            f"`AppTest` (the page script as the server runs it, no browser), in Russian")
    section = render_section(command, date.today(), machine_facts(load_average), note, page, steps)
    print(f"\n{section}\n", flush=True)
    written = write_section(outputs(args), section, SECTION)
    print(f"Written to {', '.join(map(str, written))}", flush=True)
    return 0


def _edited_cell(roster, operators, rules) -> tuple[int, str, tuple[str, str]]:
    """A cell of the first operator in the middle of the month (row, column heading, two codes to alternate, both
    different from the stored one)."""
    month = roster.month
    day = month.days[len(month.days) // 2]
    labels = day_labels(month.days, {d for d in month.days if month.is_weekend(d)}, rules.ui.language)
    stored = roster_grid(roster, operators)[operators[0].id][day]
    codes = tuple(code for code in ("09–17", "10–18", "") if code != stored)[:2]
    return 0, labels[day], codes


if __name__ == "__main__":
    sys.exit(main())
