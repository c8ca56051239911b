"""Files the planner writes besides roster.csv: coverage.csv and summary.json (formats in CONTRACT.md)."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Mapping
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, Any

from planner.coverage import CoverageRow

if TYPE_CHECKING:
    from planner.pipeline import MonthPlan

__all__ = ["COVERAGE_COLUMNS", "coverage_csv", "write_coverage_csv", "summary", "proven_shortfall_bound",
           "write_summary_json"]

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


def summary(month: MonthPlan) -> dict:
    """The contract's summary fields, measured on the roster itself, plus the solve's and the breaks' details
    and the roster in a planner's words (`in_words`)."""
    totals, report = month.totals, month.solve
    return {
        "month": month.staffing.month.label,
        "status": report.status,
        "objective": report.objective,
        "best_bound": report.best_bound,
        "gap": report.gap,
        "wall_seconds": report.wall_seconds,
        "required_agent_hours": totals.required_agent_hours,
        "under_coverage_agent_hours": totals.under_coverage_agent_hours,
        "over_coverage_agent_hours": totals.over_coverage_agent_hours,
        "under_coverage_lower_bound": report.under_coverage_lower_bound,
        "operators": report.operators,
        "shifts": report.shifts,
        "time_limit_sec": report.time_limit_sec,
        "workers": report.workers,
        "stage_seconds": report.stage_seconds,
        "soft_rule_costs": report.soft_rule_costs,
        "unmet_wishes": list(report.unmet_wishes),
        "breaks": asdict(month.breaks) if month.breaks else {},
        "start_times": asdict(month.start_times),
        "in_words": month.quality.as_dict(),
    }


def proven_shortfall_bound(summary: Mapping[str, Any]) -> int | None:
    """The proven lower bound of the shortfall in a stored summary; None in one written before bounds were kept."""
    return summary.get("under_coverage_lower_bound")


def write_summary_json(data: dict, path: str | Path) -> None:
    Path(path).write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
