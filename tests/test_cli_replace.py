"""`planner replace`: a sick call from the command line, written as roster.csv, candidates.csv and changes.csv."""

import csv
import io
from pathlib import Path

from helpers.ui_pages import forecast_csv
from planner.cli import EXIT_BAD_INPUT, EXIT_OK, main
from planner.replace import CANDIDATE_COLUMNS, CHANGE_COLUMNS

ROOT = Path(__file__).resolve().parent.parent
OPERATORS = """id,name,rate,phone,days_off_wished
sick,Больная Анна,1.0,+7 900 000-00-01,
free,Свободный Пётр,1.0,+7 900 000-00-02,
wishes,Желающий Олег,1.0,+7 900 000-00-03,2026-02-04
"""
ROSTER = "operator_id,date,start,end,breaks\nsick,2026-02-04,2026-02-04 08:00,2026-02-04 16:00,\n"


def _replace(tmp_path: Path, *options: str, roster: str = ROSTER) -> int:
    (tmp_path / "operators.csv").write_text(OPERATORS, encoding="utf-8")
    (tmp_path / "roster.csv").write_text(roster, encoding="utf-8")
    (tmp_path / "forecast.csv").write_bytes(forecast_csv())
    return main(["replace", "--roster", str(tmp_path / "roster.csv"), "--operators", str(tmp_path / "operators.csv"),
                 "--forecast", str(tmp_path / "forecast.csv"), "--rules", str(tmp_path / "rules.yaml"),
                 "--absent", "sick", "--date", "2026-02-04", "--out", str(tmp_path / "out"), *options])


def _rows(path: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))


def _loose_norm(tmp_path: Path) -> None:
    # Three operators cannot keep a month's norm: the test is about the one day.
    (tmp_path / "rules.yaml").write_text("rules:\n  monthly_norm:\n    tolerance_shifts: 31\n", encoding="utf-8")


def test_replace_writes_the_roster_with_the_best_candidate_and_who_must_be_told(tmp_path, capsys):
    _loose_norm(tmp_path)
    assert _replace(tmp_path) == EXIT_OK
    out = tmp_path / "out"
    assert [(row["operator_id"], row["start"]) for row in _rows(out / "roster.csv")] == [("free", "2026-02-04 08:00")]
    candidates = _rows(out / "candidates.csv")
    assert tuple(candidates[0]) == CANDIDATE_COLUMNS
    assert [(row["rank"], row["operator_id"], row["wished_off"]) for row in candidates] == [
        ("1", "free", ""), ("2", "wishes", "yes")]
    changes = _rows(out / "changes.csv")
    assert tuple(changes[0]) == CHANGE_COLUMNS
    assert [(row["operator_id"], row["before"], row["after"], row["phone"]) for row in changes] == [
        ("free", "", "08–16", "'+7 900 000-00-02"), ("sick", "08–16", "", "'+7 900 000-00-01")]
    err = capsys.readouterr().err
    assert "sick absent on 2026-02-04: free takes 08–16." in err
    assert "Other operators whose shifts change: 1 (free)." in err


def test_replace_picks_another_candidate_or_drops_the_shift(tmp_path):
    _loose_norm(tmp_path)
    assert _replace(tmp_path, "--pick", "2") == EXIT_OK
    assert [row["operator_id"] for row in _rows(tmp_path / "out" / "roster.csv")] == ["wishes"]
    assert _replace(tmp_path, "--pick", "0") == EXIT_OK
    assert _rows(tmp_path / "out" / "roster.csv") == []


def test_replace_refuses_a_day_the_operator_does_not_work_and_a_rank_that_is_not_there(tmp_path, capsys):
    _loose_norm(tmp_path)
    assert _replace(tmp_path, "--pick", "3") == EXIT_BAD_INPUT
    assert "--pick: must be 0..2" in capsys.readouterr().err
    (tmp_path / "roster.csv").write_text(ROSTER.replace("sick,", "free,"), encoding="utf-8")
    assert main(["replace", "--roster", str(tmp_path / "roster.csv"), "--operators", str(tmp_path / "operators.csv"),
                 "--forecast", str(tmp_path / "forecast.csv"), "--rules", str(tmp_path / "rules.yaml"),
                 "--absent", "sick", "--date", "2026-02-04", "--out", str(tmp_path / "out")]) == EXIT_BAD_INPUT
    assert "sick has no shift starting on 2026-02-04 in the roster" in capsys.readouterr().err


def test_replace_resolves_a_sick_week_changing_at_most_k_operators(tmp_path, capsys):
    _loose_norm(tmp_path)
    week = ROSTER + ("sick,2026-02-05,2026-02-05 08:00,2026-02-05 16:00,\n"
                     "wishes,2026-02-06,2026-02-06 08:00,2026-02-06 16:00,\n")
    assert _replace(tmp_path, "--until", "2026-02-05", "--resolve", "1", "--time-limit", "3", roster=week) == EXIT_OK
    rows = _rows(tmp_path / "out" / "roster.csv")
    assert not any(row["operator_id"] == "sick" for row in rows)  # off sick on both days
    changed = {row["operator_id"] for row in _rows(tmp_path / "out" / "changes.csv")} - {"sick"}
    assert len(changed) <= 1
