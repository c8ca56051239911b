"""Break placement on the sample month against the naive placement, measured in the same run.

`python -m bench.breaks_bench [--repeats 3] [--roster-time-limit 60]`: solves the sample month's roster once,
then places its breaks with `place_breaks` and with `naive_breaks` (every break at its earliest allowed moment),
`--repeats` times each, and writes the medians to its section of bench/README.md. The figure that matters is the
deepest 5-minute dip of on-phones below `required`; the roster's own dip without any break is shown as the floor
no placement can go below.
"""

from __future__ import annotations

import argparse
import os
import shlex
import statistics
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path

from bench.common import add_out_option, machine_facts, outputs, provenance, table_head, write_section
from planner.breaks import naive_breaks, place_breaks, slot_loads, worst_dip
from planner.config import Rules, load_rules
from planner.domain import Roster, StaffingPlan
from planner.forecast_csv import load_forecast
from planner.operators import load_operators
from planner.pipeline import plan_month
from planner.staffing import staffing_plan
from planner.validate import validate_roster

__all__ = ["BreakMeasurement", "measure_placement", "render_section", "main", "SECTION"]

ROOT = Path(__file__).resolve().parent.parent
SECTION = "breaks-bench"


@dataclass(frozen=True)
class BreakMeasurement:
    method: str
    wall_seconds: float
    worst_dip: int
    dip_operator_minutes: int
    slots_below_required: int
    violations: int


def measure_placement(method: str, plan: StaffingPlan, roster: Roster, operators, rules: Rules,
                      workers: int) -> BreakMeasurement:
    started = time.monotonic()
    if method == "CP-SAT":
        placed = place_breaks(plan, roster, operators, rules, workers=workers).roster
    elif method == "naive":
        placed = naive_breaks(roster, rules)
    else:
        placed = replace(roster, shifts=tuple(replace(shift, breaks=()) for shift in roster.shifts))
    wall = time.monotonic() - started
    loads = slot_loads(plan, placed, rules)
    # Without breaks the break rules are not checked, so the floor row counts no violations of its own making.
    return BreakMeasurement(
        method=method,
        wall_seconds=wall,
        worst_dip=worst_dip(loads),
        dip_operator_minutes=sum(load.dip for load in loads) * rules.breaks.grid_minutes,
        slots_below_required=sum(load.dip > 0 for load in loads),
        violations=len(validate_roster(placed, operators, rules)),
    )


_COLUMNS = ("placement", "runs", "wall, s (median)", "worst 5-min dip below required",
            "dip operator-minutes", "5-min slots below required", "violations")


def render_section(command: str, day: date, machine: str, roster_note: str,
                   measurements: Sequence[BreakMeasurement]) -> str:
    by_method: dict[str, list[BreakMeasurement]] = {}
    for m in measurements:
        by_method.setdefault(m.method, []).append(m)
    rows = []
    for method, runs in by_method.items():
        rows.append("| " + " | ".join([
            method, str(len(runs)), f"{statistics.median(m.wall_seconds for m in runs):.2f}",
            f"{statistics.median(m.worst_dip for m in runs):g}",
            f"{statistics.median(m.dip_operator_minutes for m in runs):,.0f}",
            f"{statistics.median(m.slots_below_required for m in runs):,.0f}",
            str(sum(m.violations for m in runs)),
        ]) + " |")
    solved, naive = by_method.get("CP-SAT"), by_method.get("naive")
    verdict = []
    if solved and naive:
        dip = statistics.median(m.worst_dip for m in solved)
        naive_dip = statistics.median(m.worst_dip for m in naive)
        minutes = statistics.median(m.dip_operator_minutes for m in solved)
        naive_minutes = statistics.median(m.dip_operator_minutes for m in naive)
        verdict = ["", f"Worst dip: CP-SAT {dip:g} against naive {naive_dip:g} operators; dip operator-minutes "
                       f"{minutes / naive_minutes:.2f} × the naive placement's." if naive_minutes else ""]
    return "\n".join([
        *provenance(command, day, machine),
        f"Roster: {roster_note}.",
        "",
        *table_head(_COLUMNS),
        *rows,
        *verdict,
    ])


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bench.breaks_bench", description=__doc__)
    parser.add_argument("--forecast", type=Path, default=ROOT / "forecasts" / "forecast-2026-12.csv")
    parser.add_argument("--operators", type=Path, default=ROOT / "forecasts" / "operators-2026-12.csv")
    parser.add_argument("--rules", type=Path, default=ROOT / "constraints.yaml")
    parser.add_argument("--roster-time-limit", type=float, default=60.0)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--workers", type=int, default=2)
    add_out_option(parser)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    args = _parser().parse_args(argv)
    load_average = os.getloadavg()[0]
    rules = load_rules(args.rules)
    plan = staffing_plan(load_forecast(args.forecast, rules), rules)
    operators = load_operators(args.operators, rules)
    print(f"solving the roster of {plan.month.label} ({args.roster_time_limit:g} s)…", flush=True)
    solved = plan_month(plan, operators, rules, time_limit=args.roster_time_limit, workers=args.workers, breaks=False)
    roster = solved.roster
    measurements = [measure_placement("no breaks (floor)", plan, roster, operators, rules, args.workers)]
    for repeat in range(args.repeats):
        for method in ("naive", "CP-SAT"):
            measured = measure_placement(method, plan, roster, operators, rules, args.workers)
            print(f"run {repeat + 1}: {measured}", flush=True)
            measurements.append(measured)
    command = shlex.join(["python", "-m", "bench.breaks_bench", *argv])
    note = (f"the sample month ({len(operators)} operators, {len(roster.shifts)} shifts) solved by `plan_month` "
            f"(no breaks) in {solved.solve.wall_seconds:.0f} s ({solved.solve.status}); breaks by the rules of "
            "constraints.yaml "
            f"(up to {rules.breaks.time_limit_sec_per_day:g} s a day, {args.workers} workers)")
    section = render_section(command, date.today(), machine_facts(load_average), note, measurements)
    written = write_section(outputs(args), section, SECTION)
    print(f"\n{section}\n\nWritten to {', '.join(map(str, written))}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
