"""`planner ical`: an operator's calendar file, or everyone's in a zip, from roster.csv and operators.csv."""

import io
import zipfile
from pathlib import Path

from icalendar import Calendar

from planner.cli import EXIT_BAD_INPUT, EXIT_OK, main

ROOT = Path(__file__).resolve().parent.parent
OPERATORS = "id,name,rate\nop1,Анна,1.0\nop2,Пётр,0.75\n"
ROSTER = """operator_id,date,start,end,breaks
op1,2026-12-05,2026-12-05 08:00,2026-12-05 16:00,10:00 13:30
op2,2026-12-05,2026-12-05 18:00,2026-12-06 00:00,
op1,2026-12-07,2026-12-07 16:00,2026-12-08 00:00,
"""


def _ical(tmp_path: Path, *options: str) -> int:
    (tmp_path / "operators.csv").write_text(OPERATORS, encoding="utf-8")
    (tmp_path / "roster.csv").write_text(ROSTER, encoding="utf-8")
    return main(["ical", "--roster", str(tmp_path / "roster.csv"), "--operators", str(tmp_path / "operators.csv"),
                 "--rules", str(ROOT / "constraints.yaml"), *options])


def test_ical_writes_the_operators_shifts(tmp_path, capsys):
    assert _ical(tmp_path, "--operator", "op1", "--out", str(tmp_path / "anna.ics")) == EXIT_OK
    events = list(Calendar.from_ical((tmp_path / "anna.ics").read_bytes()).walk("VEVENT"))
    assert [f"{event.decoded('dtstart'):%Y-%m-%d %H:%M %Z}" for event in events] == [
        "2026-12-05 08:00 MSK", "2026-12-07 16:00 MSK"]
    assert str(events[0]["description"]) == "Перерывы: 10:00, 13:30 (по 10 мин)"
    assert "2 shift(s) of Анна written" in capsys.readouterr().err


def test_ical_without_an_operator_writes_everyones_calendar_in_a_zip(tmp_path):
    assert _ical(tmp_path, "--out", str(tmp_path / "all.zip")) == EXIT_OK
    with zipfile.ZipFile(io.BytesIO((tmp_path / "all.zip").read_bytes())) as files:
        assert files.namelist() == ["shifts-2026-12-op1.ics", "shifts-2026-12-op2.ics"]


def test_ical_of_an_unknown_operator_names_the_file(tmp_path, capsys):
    assert _ical(tmp_path, "--operator", "op9", "--out", str(tmp_path / "x.ics")) == EXIT_BAD_INPUT
    assert f"{tmp_path / 'operators.csv'}, field 'id': no operator 'op9' in the file" in capsys.readouterr().err
    assert not (tmp_path / "x.ics").exists()
