"""Roster benchmark of issue 3: CP-SAT against the greedy baseline on generated months of n operators.

    python -m bench.roster_bench [--sizes 50,150,400] [--repeats N] [--time-limit-150 S] [--time-limit-400 S]
                                 [--rules FILE] [--previous] [--section NAME]

With `--rules bench/centre-rules.yaml --previous --section roster-bench-centre` it measures the rules centres
switch on (two days off together, at most 3 working weekends, no day after a night) after a generated last
month: the greedy roster of November for the same operators, whose shifts the first days must continue.

Every solve runs in a fresh process (this module again, with `--one`, printing one JSON line), so the peak
memory it reports belongs to that solve alone. The parent pairs each solver run with the baseline run of the
same month, takes medians over the repeats and writes a markdown section between the roster markers of
`bench/README.md`.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shlex
import statistics
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, replace
from datetime import date
from pathlib import Path

from bench.common import add_out_option, machine_facts, outputs, provenance, table_head, write_section
from planner.config import Rules, load_rules, parse_rules
from planner.coverage import coverage_rows, coverage_totals
from planner.domain import Operator, Roster, StaffingPlan
from planner.grid import operator_loads
from planner.month import parse_month
from planner.pipeline import Listener, plan_month
from planner.quality import start_times
from planner.roster import Progress
from planner.roster.greedy import greedy_roster
from planner.roster.model import starts_allowed
from planner.roster.solve import roster_from_starts
from planner.roster.space import ShiftSpace
from planner.samples import SAMPLE_OPERATORS, SAMPLE_SEED, sample_forecast, sample_operators
from planner.staffing import staffing_plan
from planner.validate import validate_roster

__all__ = ["Measurement", "SECTION", "main", "render_section"]

ROOT = Path(__file__).resolve().parent.parent
SECTION = "roster-bench"

MONTH = "2026-12"
# `sample_forecast`'s default peak, calibrated for the sample's 150 operators. Other sizes get the peak at which
# their operators' norm hours stand to the required agent-hours as in the sample: Erlang C needs fewer operators
# per call as traffic grows, so scaling the calls linearly would make small months impossible to cover and
# large ones easy.
SAMPLE_PEAK_CALLS = 610
SOLVER, GREEDY = "CP-SAT", "greedy"
# The same solve with start_time_stability's weight 0, on SMALL_SIZE only: what the stable starts cost in cover.
UNSTABLE = "CP-SAT, no start_time_stability"
METHODS = (SOLVER, UNSTABLE, GREEDY)

# Issue 3's targets. Sizes up to SMALL_SIZE get the small defaults (time limit, repeats), larger ones the large.
SMALL_SIZE, LARGE_SIZE = 150, 400
MAX_ABOVE_BOUND_PCT = 1.0
MAX_WALL_SECONDS = {SMALL_SIZE: 60.0, LARGE_SIZE: 300.0}
MAX_PEAK_MIB = 2048.0
# Issue 14's: start moves beyond the tolerance, and the shortfall they may cost against the solve without them.
MAX_START_MOVES_PCT = 10.0
MAX_STABILITY_COST_PCT = 0.5

DEFAULT_SIZES = (50, SMALL_SIZE, LARGE_SIZE)
DEFAULT_REPEATS_SMALL, DEFAULT_REPEATS_LARGE = 3, 1
DEFAULT_TIME_LIMIT_SMALL, DEFAULT_TIME_LIMIT_LARGE = 60.0, 300.0
DEFAULT_WORKERS = 2


@dataclass(frozen=True)
class Measurement:
    """One solve of one month. The solver-only figures are None for the baseline; its `under_coverage_lower_bound`
    is the solver's bound of the same month, filled in by the parent."""

    method: str
    size: int
    seed: int
    time_limit: float | None
    wall_seconds: float
    status: str | None
    shifts: int
    required_agent_hours: int
    shortfall_agent_hours: int
    under_coverage_lower_bound: int | None
    objective: float | None
    best_bound: float | None
    gap: float | None
    peak_mib: float
    violations: int
    start_moves_pct: float | None = None  # consecutive working days moving the start beyond the tolerance
    start_hours_median: float | None = None  # distinct start hours per operator

    @property
    def above_bound_pct(self) -> float | None:
        """Shortfall above the proven lower bound, as a share of the required agent-hours."""
        if self.under_coverage_lower_bound is None or not self.required_agent_hours:
            return None
        return 100 * (self.shortfall_agent_hours - self.under_coverage_lower_bound) / self.required_agent_hours


# ---------------------------------------------------------------------------------------------------------------
# One solve (child process)
# ---------------------------------------------------------------------------------------------------------------


def bench_month(
    size: int, seed: int, rules: Rules, month_label: str = MONTH
) -> tuple[StaffingPlan, tuple[Operator, ...]]:
    month = parse_month(month_label, rules.centre.timezone, rules.centre.country)
    sample_plan = staffing_plan(sample_forecast(month, peak_calls=SAMPLE_PEAK_CALLS, seed=SAMPLE_SEED), rules)
    sample_ratio = _norm_hours(sample_plan, sample_operators(SAMPLE_OPERATORS, month, rules, seed=SAMPLE_SEED),
                               rules) / sample_plan.required_agent_hours
    operators = sample_operators(size, month, rules, seed=seed)
    target = _norm_hours(sample_plan, operators, rules) / sample_ratio

    def plan_at(peak: float) -> StaffingPlan:
        return staffing_plan(sample_forecast(month, peak_calls=peak, seed=seed), rules)

    low, high = 1.0, SAMPLE_PEAK_CALLS * max(1.0, size / SAMPLE_OPERATORS) * 2
    for _ in range(20):  # bisection to within a few calls an hour; required agent-hours grow with the peak
        middle = (low + high) / 2
        low, high = (middle, high) if plan_at(middle).required_agent_hours < target else (low, middle)
    return plan_at(high), operators


def _norm_hours(plan: StaffingPlan, operators: Sequence[Operator], rules: Rules) -> float:
    return sum(terms.norm_hours for terms in ShiftSpace(plan, tuple(operators), rules).terms)


def greedy_baseline(plan: StaffingPlan, operators: Sequence[Operator], rules: Rules,
                    previous: Roster | None = None) -> Roster:
    space = ShiftSpace(plan, tuple(operators), rules, previous=previous)
    return roster_from_starts(space, greedy_roster(space, starts_allowed(space)))


def last_month(size: int, seed: int, rules: Rules) -> Roster:
    """The greedy roster of the month before `MONTH` for the same operators (ids and contracts)."""
    month = parse_month(MONTH, rules.centre.timezone, rules.centre.country)
    plan, operators = bench_month(size, seed, rules, month.before.label)
    return greedy_baseline(plan, operators, rules)


def without_stability(rules: Rules) -> Rules:
    data = rules.model_dump(mode="json")
    data["rules"]["start_time_stability"]["weight"] = 0
    return parse_rules(data)


def measure(method: str, size: int, seed: int, time_limit: float | None, workers: int, rules: Rules,
            with_previous: bool = False) -> Measurement:
    plan, operators = bench_month(size, seed, rules)
    previous = last_month(size, seed, rules) if with_previous else None
    if method == UNSTABLE:
        rules = without_stability(rules)
    if method != GREEDY:
        month = plan_month(plan, operators, rules, time_limit=time_limit, workers=workers, previous=previous,
                           breaks=False, listener=_StagePrinter())
        roster, report, wall = month.roster, month.solve, month.solve.wall_seconds
        totals, starts = month.totals, month.start_times
    else:
        started = time.perf_counter()
        roster, report = greedy_baseline(plan, operators, rules, previous), None
        wall = time.perf_counter() - started
        totals = coverage_totals(coverage_rows(plan, roster, previous=previous))
        starts = start_times(operator_loads(roster, operators, rules), rules.rules.start_time_stability.tolerance_hours)
    return Measurement(
        method=method,
        size=size,
        seed=seed,
        time_limit=time_limit if report else None,
        wall_seconds=round(wall, 2),
        status=report.status if report else None,
        shifts=len(roster.shifts),
        required_agent_hours=totals.required_agent_hours,
        shortfall_agent_hours=totals.under_coverage_agent_hours,
        under_coverage_lower_bound=report.under_coverage_lower_bound if report else None,
        objective=report.objective if report else None,
        best_bound=report.best_bound if report else None,
        gap=report.gap if report else None,
        peak_mib=round(peak_mib(), 1),
        violations=len(validate_roster(roster, operators, rules, previous)),
        start_moves_pct=round(100 * starts.share_moved, 1),
        start_hours_median=starts.median_distinct_start_hours,
    )


class _StagePrinter(Listener):
    def roster_progress(self, progress: Progress) -> None:
        if progress.objective is None:
            print(f"    [{progress.wall_seconds:6.1f} s] {progress.stage} done", file=sys.stderr, flush=True)


def peak_mib() -> float:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    # Linux reports KiB, macOS bytes.
    return peak / 1024 / (1024 if sys.platform == "darwin" else 1)


# ---------------------------------------------------------------------------------------------------------------
# The run (parent process)
# ---------------------------------------------------------------------------------------------------------------


def measure_in_child(
    method: str, size: int, seed: int, time_limit: float | None, workers: int, rules_path: Path,
    with_previous: bool = False,
) -> Measurement:
    command = [sys.executable, "-m", "bench.roster_bench", "--one", method, "--size", str(size),
               "--seed", str(seed), "--workers", str(workers), "--rules", str(rules_path)]
    if with_previous:
        command.append("--previous")
    if time_limit is not None:
        command += ["--time-limit", str(time_limit)]
    done = subprocess.run(command, cwd=ROOT, stdout=subprocess.PIPE, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"{method} on {size} operators (seed {seed}) exited with {done.returncode}; "
                           "its error is printed above")
    return Measurement(**json.loads(done.stdout.splitlines()[-1]))


def run_bench(
    sizes: Sequence[int],
    repeats: Callable[[int], int],
    time_limit: Callable[[int], float],
    workers: int,
    first_seed: int,
    rules_path: Path,
    with_previous: bool = False,
) -> list[Measurement]:
    measurements: list[Measurement] = []
    for size in sizes:
        runs = repeats(size)
        for run in range(runs):
            seed = first_seed + run
            print(f"{size} operators, run {run + 1}/{runs} (seed {seed}): {SOLVER}, limit {time_limit(size):g} s",
                  flush=True)
            solved = measure_in_child(SOLVER, size, seed, time_limit(size), workers, rules_path, with_previous)
            _print_measurement(solved)
            measurements.append(solved)
            if size == SMALL_SIZE:
                print(f"{size} operators, run {run + 1}/{runs} (seed {seed}): {UNSTABLE}", flush=True)
                unstable = measure_in_child(UNSTABLE, size, seed, time_limit(size), workers, rules_path,
                                            with_previous)
                _print_measurement(unstable)
                measurements.append(unstable)
            print(f"{size} operators, run {run + 1}/{runs} (seed {seed}): {GREEDY}", flush=True)
            baseline = measure_in_child(GREEDY, size, seed, None, workers, rules_path, with_previous)
            baseline = replace(baseline, under_coverage_lower_bound=solved.under_coverage_lower_bound)
            _print_measurement(baseline)
            measurements.append(baseline)
    return measurements


def _print_measurement(m: Measurement) -> None:
    status = f"{m.status}, " if m.status else ""
    print(f"    {status}{m.wall_seconds:.1f} s, shortfall {m.shortfall_agent_hours} of {m.required_agent_hours} "
          f"(bound {m.under_coverage_lower_bound}, {m.above_bound_pct:.2f} % above), {m.peak_mib:.0f} MiB, "
          f"{m.violations} violations, start moves {m.start_moves_pct} %", flush=True)


# ---------------------------------------------------------------------------------------------------------------
# Report
# ---------------------------------------------------------------------------------------------------------------

_COLUMNS = (
    "operators", "method", "runs", "status", "time limit, s", "wall, s", "shifts", "required agent-h",
    "shortfall agent-h", "proven bound", "above bound, % of required", "shortfall ÷ greedy's", "objective",
    "best bound", "gap", "peak MiB", "violations", "start moves > tolerance, %", "start hours per operator",
)


def render_section(command: str, day: date, machine: str, measurements: Sequence[Measurement]) -> str:
    """The markdown between the roster markers: where the figures come from, the table and the targets."""
    seeds = sorted({m.seed for m in measurements})
    lines = [
        *provenance(command, day, machine),
        "",
        *table_head(_COLUMNS),
        *(_table_row(group, measurements) for group in _groups(measurements)),
        "",
        f"Medians over the runs of each size (seeds {', '.join(map(str, seeds))}); peak memory is the highest "
        "run, violations the total. *Shortfall ÷ greedy's* divides the solver's shortfall by the baseline's on "
        "the same month. *Start moves* counts consecutive working days whose start moves by more than "
        "start_time_stability's tolerance; *start hours* is the median of the distinct start hours an operator gets.",
        "",
        "| target, judged on the worst run | measured | result |",
        "|---|---|---|",
        *_target_rows(measurements),
    ]
    return "\n".join(lines)


def _groups(measurements: Sequence[Measurement]) -> list[list[Measurement]]:
    keys = sorted({(m.size, METHODS.index(m.method)) for m in measurements})
    return [[m for m in measurements if (m.size, METHODS.index(m.method)) == key] for key in keys]


def _table_row(group: list[Measurement], measurements: Sequence[Measurement]) -> str:
    first = group[0]
    statuses = Counter(m.status for m in group if m.status)
    ratios = [_shortfall_ratio(m, measurements) for m in group] if first.method != GREEDY else []
    cells = (
        str(first.size),
        first.method,
        str(len(group)),
        ", ".join(f"{count} {status}" if len(group) > 1 else status for status, count in statuses.items()) or "—",
        _median(group, lambda m: m.time_limit, "{:g}"),
        _median(group, lambda m: m.wall_seconds, "{:.1f}"),
        _median(group, lambda m: m.shifts, "{:g}"),
        _median(group, lambda m: m.required_agent_hours, "{:,.0f}"),
        _median(group, lambda m: m.shortfall_agent_hours, "{:,.0f}"),
        _median(group, lambda m: m.under_coverage_lower_bound, "{:,.0f}"),
        _median(group, lambda m: m.above_bound_pct, "{:.2f} %"),
        _format_median([r for r in ratios if r is not None], "{:.2f}"),
        _median(group, lambda m: m.objective, "{:,.0f}"),
        _median(group, lambda m: m.best_bound, "{:,.0f}"),
        _median(group, lambda m: m.gap, "{:.1%}"),
        f"{max(m.peak_mib for m in group):.0f}",
        str(sum(m.violations for m in group)),
        _median(group, lambda m: m.start_moves_pct, "{:.1f}"),
        _median(group, lambda m: m.start_hours_median, "{:g}"),
    )
    return "| " + " | ".join(cells) + " |"


def _same_month(solved: Measurement, method: str, measurements: Sequence[Measurement]) -> Measurement | None:
    return next((m for m in measurements if m.method == method and (m.size, m.seed) == (solved.size, solved.seed)),
                None)


def _shortfall_ratio(solved: Measurement, measurements: Sequence[Measurement]) -> float | None:
    baseline = _same_month(solved, GREEDY, measurements)
    if baseline is None or baseline.shortfall_agent_hours == 0:
        return None
    return solved.shortfall_agent_hours / baseline.shortfall_agent_hours


def _stability_cost_pct(solved: Measurement, measurements: Sequence[Measurement]) -> float | None:
    """How much more of the required agent-hours the stable starts leave short than the same month without them."""
    unstable = _same_month(solved, UNSTABLE, measurements)
    if unstable is None or not solved.required_agent_hours:
        return None
    return 100 * (solved.shortfall_agent_hours - unstable.shortfall_agent_hours) / solved.required_agent_hours


def _median(group: list[Measurement], value: Callable[[Measurement], float | None], fmt: str) -> str:
    return _format_median([v for m in group if (v := value(m)) is not None], fmt)


def _format_median(values: list[float], fmt: str) -> str:
    return fmt.format(statistics.median(values)) if values else "—"


def _target_rows(measurements: Sequence[Measurement]) -> list[str]:
    solved = [m for m in measurements if m.method == SOLVER]
    small = [m for m in solved if m.size == SMALL_SIZE]
    large = [m for m in solved if m.size == LARGE_SIZE]
    return [
        _target(f"{SMALL_SIZE} operators: shortfall ≤ {MAX_ABOVE_BOUND_PCT:g} % of required above the proven bound",
                [m.above_bound_pct for m in small if m.above_bound_pct is not None], MAX_ABOVE_BOUND_PCT,
                "{:.2f} %"),
        _target(f"{SMALL_SIZE} operators: wall time ≤ {MAX_WALL_SECONDS[SMALL_SIZE]:g} s",
                [m.wall_seconds for m in small], MAX_WALL_SECONDS[SMALL_SIZE], "{:.1f} s"),
        _target(f"{LARGE_SIZE} operators: wall time ≤ {MAX_WALL_SECONDS[LARGE_SIZE] / 60:g} min",
                [m.wall_seconds for m in large], MAX_WALL_SECONDS[LARGE_SIZE], "{:.1f} s"),
        _target(f"peak memory ≤ {MAX_PEAK_MIB / 1024:g} GiB, every size",
                [m.peak_mib for m in solved], MAX_PEAK_MIB, "{:.0f} MiB"),
        _target(f"{SMALL_SIZE} operators (issue 14): start moves > tolerance ≤ {MAX_START_MOVES_PCT:g} %",
                [m.start_moves_pct for m in small if m.start_moves_pct is not None], MAX_START_MOVES_PCT,
                "{:.1f} %"),
        _target(f"{SMALL_SIZE} operators (issue 14): shortfall ≤ {MAX_STABILITY_COST_PCT:g} % of required above "
                "the same month without start_time_stability",
                [cost for m in small if (cost := _stability_cost_pct(m, measurements)) is not None],
                MAX_STABILITY_COST_PCT, "{:.2f} %"),
    ]


def _target(label: str, values: list[float], limit: float, fmt: str) -> str:
    if not values:
        return f"| {label} | not run | — |"
    worst = max(values)
    return f"| {label} | {fmt.format(worst)} | {'PASS' if worst <= limit else 'MISS'} |"


# ---------------------------------------------------------------------------------------------------------------
# Command line
# ---------------------------------------------------------------------------------------------------------------


def _sizes(text: str) -> tuple[int, ...]:
    try:
        sizes = tuple(int(part) for part in text.split(","))
    except ValueError:
        sizes = ()
    if not sizes or any(size < 1 for size in sizes):
        raise argparse.ArgumentTypeError(f"sizes must be positive integers separated by commas, got {text!r}")
    return sizes


def positive(kind: type[int] | type[float]) -> Callable[[str], int | float]:
    def parse(text: str) -> int | float:
        try:
            value = kind(text)
        except ValueError:
            value = 0
        if value <= 0:
            raise argparse.ArgumentTypeError(f"must be a positive number, got {text!r}")
        return value

    return parse


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bench.roster_bench", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=_sizes, default=DEFAULT_SIZES,
                        help="operators per month, comma-separated (default: 50,150,400)")
    parser.add_argument("--repeats", type=positive(int),
                        help=f"runs per size, each on the next seed (default: {DEFAULT_REPEATS_SMALL} for sizes up "
                             f"to {SMALL_SIZE}, {DEFAULT_REPEATS_LARGE} above)")
    parser.add_argument("--time-limit-150", type=positive(float), default=DEFAULT_TIME_LIMIT_SMALL,
                        help=f"solver seconds for sizes up to {SMALL_SIZE} (default: %(default)g)")
    parser.add_argument("--time-limit-400", type=positive(float), default=DEFAULT_TIME_LIMIT_LARGE,
                        help=f"solver seconds for sizes above {SMALL_SIZE} (default: %(default)g)")
    parser.add_argument("--workers", type=positive(int), default=DEFAULT_WORKERS,
                        help="CP-SAT workers (default: %(default)s)")
    parser.add_argument("--seed", type=int, default=SAMPLE_SEED, help="seed of the first run (default: %(default)s)")
    parser.add_argument("--rules", type=Path, default=ROOT / "constraints.yaml", help="rules file")
    parser.add_argument("--previous", action="store_true",
                        help="plan each month after a generated last month (its greedy roster)")
    parser.add_argument("--section", default=SECTION,
                        help="the markers of bench/README.md to write between (default: %(default)s)")
    add_out_option(parser)
    # One solve in this process, printed as a JSON line: how the parent measures each solve on its own.
    parser.add_argument("--one", choices=METHODS, help=argparse.SUPPRESS)
    parser.add_argument("--size", type=positive(int), help=argparse.SUPPRESS)
    parser.add_argument("--time-limit", type=positive(float), help=argparse.SUPPRESS)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = _parser()
    args = parser.parse_args(argv)
    if args.one and args.size is None:
        parser.error("--one needs --size")
    rules_path = args.rules.resolve()
    if args.one:
        measured = measure(args.one, args.size, args.seed, args.time_limit, args.workers, load_rules(rules_path),
                           args.previous)
        print(json.dumps(asdict(measured)))
        return 0

    load_average = os.getloadavg()[0]
    measurements = run_bench(
        args.sizes,
        repeats=lambda size: args.repeats or (DEFAULT_REPEATS_SMALL if size <= SMALL_SIZE else DEFAULT_REPEATS_LARGE),
        time_limit=lambda size: args.time_limit_150 if size <= SMALL_SIZE else args.time_limit_400,
        workers=args.workers,
        first_seed=args.seed,
        rules_path=rules_path,
        with_previous=args.previous,
    )
    command = shlex.join(["python", "-m", "bench.roster_bench", *argv])
    section = render_section(command, date.today(), machine_facts(load_average), measurements)
    written = write_section(outputs(args), section, args.section)
    print(f"\n{section}\n\nWritten to {', '.join(map(str, written))}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
