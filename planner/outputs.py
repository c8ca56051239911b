"""Files the planner writes besides roster.csv: coverage.csv and summary.json (formats in CONTRACT.md)."""

from __future__ import annotations

import csv
import io
import json
import statistics
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from planner.coverage import CoverageRow, coverage_totals
from planner.grid import OperatorLoad
from planner.roster.solve import SolveReport

if TYPE_CHECKING:
    from planner.quality import RosterQuality

__all__ = ["COVERAGE_COLUMNS", "coverage_csv", "write_coverage_csv", "summary", "write_summary_json"]

COVERAGE_COLUMNS = ("interval_start", "calls", "aht_sec", "required", "scheduled", "on_phones", "shortfall")


def coverage_csv(rows: tuple[CoverageRow, ...]) -> str:
    """The contract's coverage.csv as text (the page offers it for download without a file)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COVERAGE_COLUMNS)
    for row in rows:
        writer.writerow(
            (
                f"{row.interval_start:%Y-%m-%d %H:%M}",
                f"{row.calls:g}",
                f"{row.aht_sec:g}",
                row.required,
                row.scheduled,
                f"{row.on_phones:g}",
                row.shortfall,
            )
        )
    return out.getvalue()


def write_coverage_csv(rows: tuple[CoverageRow, ...], path: str | Path) -> None:
    Path(path).write_text(coverage_csv(rows), encoding="utf-8", newline="")


def start_time_summary(loads: Sequence[OperatorLoad], tolerance_hours: int) -> dict:
    """How steady the roster's start times are: of the pairs of consecutive working days, how many move the start
    by more than the tolerance, and the median number of distinct start hours an operator gets."""
    pairs = sum(load.consecutive_days for load in loads)
    moved = sum(load.start_moves for load in loads)
    working = [load.start_hours for load in loads if load.shifts]
    return {
        "tolerance_hours": tolerance_hours,
        "consecutive_working_days": pairs,
        "start_moves_beyond_tolerance": moved,
        "share_moved": round(moved / pairs, 4) if pairs else 0.0,
        "median_distinct_start_hours": statistics.median(working) if working else 0,
    }


def summary(report: SolveReport, rows: tuple[CoverageRow, ...], month_label: str, breaks: dict | None = None,
            start_times: dict | None = None, quality: RosterQuality | None = None) -> dict:
    """The contract's summary fields, measured on the roster itself, plus the solve's and the breaks' details
    and the roster in a planner's words (`in_words`)."""
    totals = coverage_totals(rows)
    return {
        "month": month_label,
        "status": report.status,
        "objective": report.objective,
        "best_bound": report.best_bound,
        "gap": report.gap,
        "wall_seconds": report.wall_seconds,
        "required_agent_hours": totals.required_agent_hours,
        "under_coverage_agent_hours": totals.under_coverage_agent_hours,
        "over_coverage_agent_hours": totals.over_coverage_agent_hours,
        "under_coverage_lower_bound": report.shortfall_lower_bound,
        "operators": report.operators,
        "shifts": report.shifts,
        "time_limit_sec": report.time_limit_sec,
        "workers": report.workers,
        "stage_seconds": report.stage_seconds,
        "soft_rule_costs": report.soft_rule_costs,
        "unmet_wishes": list(report.unmet_wishes),
        "breaks": breaks or {},
        "start_times": start_times or {},
        "in_words": quality.as_dict() if quality else {},
    }


def write_summary_json(data: dict, path: str | Path) -> None:
    Path(path).write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
