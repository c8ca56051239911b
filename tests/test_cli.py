import csv
import json
import sys
from pathlib import Path

import pytest

from planner import cli
from planner.budget import ROSTER_SHARE
from planner.cli import EXIT_BAD_INPUT, EXIT_NO_ROSTER, EXIT_OK, EXIT_VIOLATIONS, main
from planner.config import load_rules
from planner.month import Month
from planner.samples import sample_forecast, sample_operators, write_forecast_csv, write_operators_csv

ROOT = Path(__file__).resolve().parent.parent
RULES = ROOT / "constraints.yaml"


@pytest.fixture(scope="module")
def month_files(tmp_path_factory):
    """A February with 12 operators and a forecast scaled to them (the sample is calibrated for 150)."""
    folder = tmp_path_factory.mktemp("month")
    month = Month(2026, 2, "Europe/Moscow")
    rules = load_rules(RULES)
    write_forecast_csv(sample_forecast(month, peak_calls=40, seed=3), folder / "forecast.csv", excel=True)
    write_operators_csv(sample_operators(12, month, rules, seed=3), folder / "operators.csv")
    return folder


def _run(*args: str) -> int:
    return main([*args, "--rules", str(RULES)])


def test_the_command_counts_its_time_limit_from_the_process_start(month_files, tmp_path, monkeypatch):
    # `planner solve` as a user times it: 4 s of the 8 went to starting Python and the imports, so the roster's
    # share is of the 4 left.
    monkeypatch.setattr(cli, "process_age", lambda: 4.0)
    monkeypatch.setattr(sys, "argv", ["planner", "solve", "--forecast", str(month_files / "forecast.csv"),
                                      "--operators", str(month_files / "operators.csv"), "--time-limit", "8",
                                      "--workers", "1", "--out", str(tmp_path), "--rules", str(RULES)])
    assert cli.run() == EXIT_OK
    summary = json.loads((tmp_path / "summary.json").read_text(encoding="utf-8"))
    assert summary["time_limit_sec"] <= 8 * ROSTER_SHARE - 4 + 0.5


def test_staffing_prints_required_per_hour(month_files, capsys):
    assert _run("staffing", "--forecast", str(month_files / "forecast.csv")) == EXIT_OK
    rows = list(csv.DictReader(capsys.readouterr().out.splitlines()))
    assert len(rows) == 28 * 24
    assert all(int(row["required"]) >= 2 for row in rows)


def test_solve_writes_the_contract_files_and_validate_accepts_them(month_files, tmp_path, capsys):
    out = tmp_path / "out"
    code = _run("solve", "--forecast", str(month_files / "forecast.csv"), "--operators",
                str(month_files / "operators.csv"), "--time-limit", "8", "--workers", "1", "--out", str(out))
    assert code == EXIT_OK
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    for key in ("status", "objective", "best_bound", "gap", "wall_seconds", "required_agent_hours",
                "under_coverage_agent_hours", "over_coverage_agent_hours", "operators", "shifts"):
        assert key in summary
    assert summary["status"] in ("OPTIMAL", "FEASIBLE") and summary["operators"] == 12
    assert summary["best_bound"] <= summary["objective"]
    # --time-limit bounds the whole command: the roster search has its share, breaks and taxi cars the rest.
    assert summary["time_limit_sec"] <= 8 * ROSTER_SHARE
    assert summary["start_times"]["consecutive_working_days"] > 0
    in_words = summary["in_words"]
    assert in_words["shortfall_hours"] == summary["under_coverage_agent_hours"]
    assert in_words["above_bound_hours"] == in_words["shortfall_hours"] - summary["under_coverage_lower_bound"]
    assert 0 <= in_words["wishes_granted"] <= in_words["wishes"]
    assert "wishes granted" in capsys.readouterr().err
    roster = _read_csv(out / "roster.csv")
    assert len(roster) == summary["shifts"] > 0
    assert list(roster[0])[:5] == ["operator_id", "date", "start", "end", "breaks"]
    coverage = _read_csv(out / "coverage.csv")
    assert len(coverage) == 672
    assert sum(int(row["shortfall"]) for row in coverage) == summary["under_coverage_agent_hours"]
    capsys.readouterr()

    assert _run("validate", "--roster", str(out / "roster.csv"), "--operators", str(month_files / "operators.csv"),
                "--forecast", str(month_files / "forecast.csv")) == EXIT_OK
    assert "holds every hard rule" in capsys.readouterr().out
    assert all(len(row["breaks"].split()) == (2 if float(row["hours"]) >= 6 else 1) for row in roster)
    assert summary["breaks"]["worst_dip"] <= summary["breaks"]["naive_worst_dip"]

    # A roster typed without breaks is checked on the other rules, then `planner breaks` places them.
    bare = tmp_path / "bare.csv"
    _write_rows(bare, [{**row, "breaks": ""} for row in roster])
    common = ("--operators", str(month_files / "operators.csv"), "--forecast", str(month_files / "forecast.csv"))
    assert _run("validate", "--roster", str(bare), *common) == EXIT_OK
    assert "break rules were not checked" in capsys.readouterr().err
    placed = tmp_path / "placed.csv"
    assert _run("breaks", "--roster", str(bare), *common, "--workers", "1", "--out", str(placed)) == EXIT_OK
    assert all(row["breaks"] for row in _read_csv(placed))
    assert _run("validate", "--roster", str(placed), *common) == EXIT_OK
    assert "not checked" not in capsys.readouterr().err

    # A hand edit that leaves 4 hours of rest must be caught, one line naming operator, date and rule.
    first, second = _two_consecutive_shifts(roster)
    second["start"] = first["end"][:11] + f"{int(first['end'][11:13]) + 4:02d}:00"
    second["end"] = ""
    edited = tmp_path / "edited.csv"
    _write_with_end(edited, roster, second, hours=float(second["hours"]))
    assert _run("validate", "--roster", str(edited), "--operators", str(month_files / "operators.csv"),
                "--forecast", str(month_files / "forecast.csv")) == EXIT_VIOLATIONS
    assert f"{second['operator_id']}, " in capsys.readouterr().out


def test_solve_and_validate_with_last_months_roster(month_files, tmp_path, capsys):
    """The first operator worked 26-31 January: 1 February would be a seventh day in a row."""
    operators = _read_csv(month_files / "operators.csv")
    tired = operators[0]["id"]
    january = tmp_path / "january.csv"
    _write_rows(january, [{"operator_id": tired, "date": f"2026-01-{day}", "start": f"2026-01-{day} 09:00",
                           "end": f"2026-01-{day} 17:00", "breaks": ""} for day in range(26, 32)])
    common = ("--operators", str(month_files / "operators.csv"), "--forecast", str(month_files / "forecast.csv"))
    out = tmp_path / "out"
    assert _run("solve", *common, "--previous", str(january), "--time-limit", "8", "--workers", "1",
                "--out", str(out)) == EXIT_OK
    assert "last month: 6 shifts of 2026-01" in capsys.readouterr().err
    roster = _read_csv(out / "roster.csv")
    assert not [row for row in roster if row["operator_id"] == tired and row["date"] == "2026-02-01"]
    assert _run("validate", "--roster", str(out / "roster.csv"), *common, "--previous", str(january)) == EXIT_OK

    on_the_first = {**roster[0], "operator_id": tired, "date": "2026-02-01", "start": "2026-02-01 09:00",
                    "end": "2026-02-01 17:00", "hours": "8"}
    edited = tmp_path / "edited.csv"
    _write_rows(edited, [row for row in roster if row["operator_id"] != tired] + [on_the_first])
    capsys.readouterr()
    assert _run("validate", "--roster", str(edited), *common, "--previous", str(january)) == EXIT_VIOLATIONS
    assert f"{tired}, 2026-02-01, max_consecutive_days: 7 days in a row 2026-01-26…2026-02-01" in (
        capsys.readouterr().out)


def _read_csv(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as file:
        return list(csv.DictReader(file))


def _two_consecutive_shifts(rows):
    by_operator = {}
    for row in rows:
        by_operator.setdefault(row["operator_id"], []).append(row)
    for shifts in by_operator.values():
        shifts.sort(key=lambda r: r["start"])
        for first, second in zip(shifts, shifts[1:]):
            if first["end"][11:13] <= "12" and first["end"][:10] == second["date"]:
                return first, second
    raise AssertionError("no pair of shifts to edit")


def _write_with_end(path, rows, edited, hours):
    from datetime import datetime, timedelta

    start = datetime.strptime(edited["start"], "%Y-%m-%d %H:%M")
    edited["end"] = f"{start + timedelta(hours=hours):%Y-%m-%d %H:%M}"
    edited["date"] = edited["start"][:10]
    _write_rows(path, rows)


def _write_rows(path, rows):
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.DictWriter(out, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


def test_bad_forecast_is_rejected_with_line_and_field(tmp_path, capsys):
    bad = tmp_path / "forecast.csv"
    bad.write_text("interval_start,calls\n2026-02-01 00:00,-5\n", encoding="utf-8")
    assert _run("staffing", "--forecast", str(bad)) == EXIT_BAD_INPUT
    err = capsys.readouterr().err
    assert "nothing was imported" in err and "line 2" in err and "'calls'" in err


def test_impossible_month_is_explained_in_plain_words(month_files, tmp_path, capsys):
    # Unavailable every weekend keeps the norm (weekends are not working days) but leaves blocks of five days;
    # with at most 2 days in a row only 4 of each 5 can be worked: 16 shifts, while the norm needs 18.
    rules = tmp_path / "rules.yaml"
    rules.write_text(RULES.read_text(encoding="utf-8").replace("max_days: 6", "max_days: 2"), encoding="utf-8")
    weekends = " ".join(f"2026-02-{d:02d}" for d in (1, 7, 8, 14, 15, 21, 22, 28))
    operators = tmp_path / "operators.csv"
    operators.write_text(f"id,name,rate,unavailable\nop1,Ann,1.0,\nop2,Бэла Петрова,1.0,{weekends}\n", encoding="utf-8")
    code = main(["solve", "--forecast", str(month_files / "forecast.csv"), "--operators", str(operators),
                 "--rules", str(rules), "--time-limit", "5", "--workers", "1", "--out", str(tmp_path / "out")])
    assert code == EXIT_NO_ROSTER
    err = capsys.readouterr().err
    assert "op2 (Бэла Петрова)" in err and "max_consecutive_days" in err and "op1" not in err
    assert not (tmp_path / "out" / "roster.csv").exists()


def test_solve_counts_earlier_months_and_refuses_one_that_is_not_earlier(month_files, tmp_path, capsys):
    operators = _read_csv(month_files / "operators.csv")
    december, february = tmp_path / "december.csv", tmp_path / "february.csv"
    for path, month in ((december, "2025-12"), (february, "2026-02")):
        _write_rows(path, [{"operator_id": operators[0]["id"], "date": f"{month}-{day}",
                            "start": f"{month}-{day} 22:00", "end": f"{month}-{day + 1} 06:00", "breaks": ""}
                           for day in (10, 11)])
    common = ("--operators", str(month_files / "operators.csv"), "--forecast", str(month_files / "forecast.csv"))

    assert _run("solve", *common, "--earlier", str(december), "--time-limit", "3", "--workers", "1",
                "--out", str(tmp_path / "out")) == EXIT_OK
    assert f"earlier: 2 shifts of 2025-12 from {december}" in capsys.readouterr().err

    assert _run("solve", *common, "--earlier", str(february), "--out", str(tmp_path / "refused")) == EXIT_BAD_INPUT
    assert f"{february}, field 'date': an earlier month's roster must hold the shifts of one month before 2026-02" in (
        capsys.readouterr().err)
    assert not (tmp_path / "refused").exists()
