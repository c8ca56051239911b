import csv
import io
from pathlib import Path

import pytest
from pypdf import PdfReader

from planner.cli import EXIT_BAD_INPUT, EXIT_OK, main
from planner.config import load_rules
from planner.month import Month
from planner.samples import sample_forecast, sample_operators, write_forecast_csv, write_operators_csv
from planner.taxi import NO_ADDRESS, TAXI_COLUMNS

ROOT = Path(__file__).resolve().parent.parent
RULES = ROOT / "constraints.yaml"

OPERATORS = """id,name,rate,address,district,lat,lon,phone
op1,Ёлкина Анна Сергеевна,1.0,"ул. Перерва, д. 60",Марьино,55.655,37.745,+7 900 111-22-33
op2,Щукин Пётр,1.0,"ул. Люблинская, д. 37",Марьино,55.660,37.740,+7 900 444-55-66
op3,Безадресный Иван,1.0,,,,,
op4,Днев Олег,1.0,"ул. Дубравная, д. 4",Митино,55.845,37.360,
"""
ROSTER = """operator_id,date,start,end,breaks
op1,2026-12-05,2026-12-05 15:00,2026-12-05 23:00,
op2,2026-12-05,2026-12-05 15:00,2026-12-05 23:00,
op3,2026-12-05,2026-12-05 15:00,2026-12-05 23:00,
op4,2026-12-05,2026-12-05 09:00,2026-12-05 17:00,
op1,2026-12-07,2026-12-07 20:00,2026-12-08 04:00,
"""


@pytest.fixture
def files(tmp_path):
    (tmp_path / "operators.csv").write_text(OPERATORS, encoding="utf-8")
    (tmp_path / "roster.csv").write_text(ROSTER, encoding="utf-8")
    return tmp_path


def _taxi(files: Path, *options: str) -> int:
    return main(["taxi", "--roster", str(files / "roster.csv"), "--operators", str(files / "operators.csv"),
                 "--rules", str(RULES), *options])


def _rows(text: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(text)))


def test_taxi_writes_the_csv_and_a_pdf_page_per_night(files, capsys):
    assert _taxi(files, "--csv", str(files / "taxi.csv"), "--pdf", str(files / "taxi.pdf")) == EXIT_OK

    rows = _rows((files / "taxi.csv").read_text(encoding="utf-8"))
    assert tuple(rows[0]) == TAXI_COLUMNS
    # op2 lives a little nearer the office than op1; op3, without an address, takes the spare seat last.
    assert [(row["night"], row["end_time"], row["car"], row["stop"], row["operator_id"]) for row in rows] == [
        ("2026-12-05", "2026-12-05 23:00", "1", "1", "op2"), ("2026-12-05", "2026-12-05 23:00", "1", "2", "op1"),
        ("2026-12-05", "2026-12-05 23:00", "1", "3", "op3"), ("2026-12-07", "2026-12-08 04:00", "1", "1", "op1")]
    assert [row["flag"] for row in rows] == ["", "", NO_ADDRESS, ""]
    pages = [page.extract_text() for page in PdfReader(files / "taxi.pdf").pages]
    assert len(pages) == 2
    assert "Ёлкина Анна Сергеевна" in pages[0] and "Щукин Пётр" in pages[0] and "Ёлкина Анна Сергеевна" in pages[1]
    err = capsys.readouterr().err
    assert "4 seat(s) in 2 car(s) over 2 night(s); 1 flagged" in err


def test_taxi_of_one_night_prints_the_list_without_csv_or_pdf(files, capsys):
    assert _taxi(files, "--night", "2026-12-07") == EXIT_OK

    rows = _rows(capsys.readouterr().out)
    assert [(row["night"], row["operator_id"], row["name"]) for row in rows] == [
        ("2026-12-07", "op1", "Ёлкина Анна Сергеевна")]


def test_taxi_rejects_a_roster_with_a_bad_line(files, capsys):
    (files / "roster.csv").write_text(ROSTER + "op2,2026-12-09,2026-12-09 25:00,2026-12-10 09:00,\n",
                                      encoding="utf-8")

    assert _taxi(files) == EXIT_BAD_INPUT
    assert "line 7" in capsys.readouterr().err


def _solve_sample(tmp_path, *options: str) -> Path:
    month = Month(2026, 2, "Europe/Moscow")
    write_forecast_csv(sample_forecast(month, peak_calls=20, seed=3), tmp_path / "forecast.csv")
    write_operators_csv(sample_operators(8, month, load_rules(RULES), seed=3), tmp_path / "operators.csv")
    out = tmp_path / "out"
    assert main(["solve", "--forecast", str(tmp_path / "forecast.csv"), "--operators", str(tmp_path / "operators.csv"),
                 "--rules", str(RULES), "--time-limit", "3", "--workers", "1", "--out", str(out), *options]) == EXIT_OK
    return out


def test_solve_writes_taxi_csv_next_to_the_roster_when_asked(tmp_path):
    out = _solve_sample(tmp_path, "--taxi")
    roster = _rows((out / "roster.csv").read_text(encoding="utf-8"))
    late = sorted((row["date"], row["operator_id"]) for row in roster if not "06:00" <= row["end"][11:] < "23:00")
    taxi = _rows((out / "taxi.csv").read_text(encoding="utf-8"))
    assert late and sorted((row["night"], row["operator_id"]) for row in taxi) == late


def test_solve_writes_no_addresses_or_phones_unless_asked(tmp_path):
    # Issue 15, item 13: a roster run leaves no file of home addresses and phones behind by default.
    out = _solve_sample(tmp_path)
    assert sorted(path.name for path in out.iterdir()) == ["coverage.csv", "roster.csv", "summary.json"]
    assert "phone" not in (out / "roster.csv").read_text(encoding="utf-8").splitlines()[0]