"""Concrete bad inputs, each run through the function that reads it and through `planner validate`, with what the
planner says asserted exactly. The README's table "Bad input: what each gets" is rendered from this list, and a
test keeps the two the same.

Every case starts from good files (the sample month's forecast, one operator, one valid shift) and swaps one
of them for the bad one, so a message can only come from the file under test.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from planner.cli import main
from planner.config import load_rules
from planner.errors import InputError
from planner.forecast_csv import load_forecast
from planner.month import Month
from planner.operators import load_operators
from planner.rostercsv import load_roster_csv
from planner.validate import validate_roster

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
FORECAST, OPERATORS, RULES, ROSTER = "forecast.csv", "operators.csv", "constraints.yaml", "roster.csv"
DECEMBER = Month(2026, 12, "Europe/Moscow", "RU")

SAMPLE_FORECAST = (ROOT / "forecasts" / "forecast-2026-12.csv").read_text(encoding="utf-8")
SAMPLE_LINES = SAMPLE_FORECAST.splitlines()
# A month is checked on its own: a wide norm lets one shift stand for a month of work.
GOOD = {
    RULES: "rules:\n  monthly_norm:\n    tolerance_shifts: 31\n",
    FORECAST: SAMPLE_FORECAST,
    OPERATORS: "id,name,rate,earliest_start,latest_end,unavailable\nop1,Anna Smith,1.0,08:00,20:00,2026-12-05\n",
    ROSTER: "operator_id,date,start,end,breaks\nop1,2026-12-07,2026-12-07 08:00,2026-12-07 16:00,10:00 13:00\n",
}
ACCEPTED = "Roster holds every hard rule: 1 shifts of 1 operators; shortfall 18687 of 18695 required agent-hours."


@dataclass(frozen=True)
class BadInput:
    what: str  # as the README's table shows it
    file: str  # which of the four inputs this one replaces
    content: bytes
    exit_code: int  # of `planner validate`
    says: str  # the first line of what the planner says: the first problem, violation or verdict
    problems: int = 1  # how many problems an InputError lists


def forecast_with(replace: dict[int, str | None] | None = None, extra: tuple[str, ...] = ()) -> str:
    """The sample forecast with some lines (numbered as an editor does, header = 1) replaced or dropped (None)."""
    lines = list(SAMPLE_LINES)
    for number, text in (replace or {}).items():
        lines[number - 1] = text
    return "\n".join([line for line in lines if line is not None] + list(extra)) + "\n"


def excel_forecast() -> str:
    """The sample month as Excel saves it in a Russian locale: `;`, decimal commas and DD.MM.YYYY dates."""
    rows = [line.split(",") for line in SAMPLE_LINES[1:]]
    return "\r\n".join(
        ["interval_start;calls;aht_sec"]
        + [f"{datetime.fromisoformat(start):%d.%m.%Y %H:%M};{calls.replace('.', ',')};{aht.replace('.', ',')}"
           for start, calls, aht in rows]
    )


def years_of_hours(rows: int) -> bytes:
    start = datetime(2026, 1, 1)
    lines = (f"{start + timedelta(hours=index):%Y-%m-%d %H:%M},{index % 97},300" for index in range(rows))
    return ("interval_start,calls,aht_sec\n" + "\n".join(lines) + "\n").encode()


def operator_row(row: str, header: str = "id,name,rate,earliest_start,latest_end,unavailable") -> bytes:
    return f"{header}\n{row}\n".encode()


def roster_row(row: str) -> bytes:
    return f"operator_id,date,start,end,breaks\n{row}\n".encode()


PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10\x00\x00\x00\x10\x08\x06\x00\x00\x00\x1f\xf3\xffa"
XLSX = b"PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00[Content_Types].xml"
UNKNOWN_KEY = "unknown key (check the spelling; see the commented defaults in constraints.yaml)"

CASES = [
    # --- forecast ---
    BadInput("an empty file", FORECAST, b"", 2, "forecast.csv: is empty; expected a header row and data rows"),
    BadInput("only the header row", FORECAST, b"interval_start,calls,aht_sec\n", 2,
             "forecast.csv: has a header but no data rows"),
    BadInput("`|` as the separator", FORECAST, SAMPLE_FORECAST.replace(",", "|").encode(), 2,
             "forecast.csv, line 1, field 'interval_start': missing column 'interval_start' (or the two columns "
             "'date' and 'hour')", problems=2),
    BadInput("a decimal comma in a `,`-separated file, unquoted", FORECAST,
             forecast_with({3: "2026-12-01 01:00,82,235,7"}).encode(), 2,
             "forecast.csv, line 3: has 4 values but the header has 3 columns (a decimal comma in a ','-separated "
             "file must be quoted, or use ';' as the separator)"),
    BadInput("saved by Excel: `;`, decimal commas, `DD.MM.YYYY`, BOM", FORECAST,
             excel_forecast().encode("utf-8-sig"), 0, ACCEPTED),
    BadInput("Windows-1251 with a Cyrillic column", FORECAST,
             SAMPLE_FORECAST.replace("aht_sec", "aht_sec,примечание").replace("\n2026", ",смена\n2026")
             .encode("cp1251"), 0, ACCEPTED),
    BadInput("UTF-16 (Excel's \"Unicode text\"), tab-separated", FORECAST,
             SAMPLE_FORECAST.replace(",", "\t").encode("utf-16"), 0, ACCEPTED),
    BadInput("a PNG image renamed to .csv", FORECAST, PNG, 2,
             "forecast.csv, line 2: contains the control character 0x1a; is this a text CSV file?"),
    BadInput("an Excel workbook (.xlsx) renamed to .csv", FORECAST, XLSX, 2,
             "forecast.csv: looks like an Excel workbook (.xlsx) or another zip archive, not a CSV file; save it as "
             "CSV (UTF-8 or ';'-separated)"),
    BadInput("a NUL byte in a row", FORECAST, forecast_with({4: "2026-12-01 02:00,5\x00,300"}).encode(), 2,
             "forecast.csv, line 4: contains the control character 0x00; is this a text CSV file?"),
    BadInput("a line of 200,000 characters", FORECAST, forecast_with(extra=("x" * 200_000,)).encode(), 2,
             "forecast.csv, line 746: a value starting here is longer than 131,072 characters: a quote left open, "
             "or not a CSV file"),
    BadInput("100,000 rows (eleven years of hours)", FORECAST, years_of_hours(100_000), 2,
             "forecast.csv, line 746, field 'interval_start': 672 rows of 2026-02 (lines 746-1417): the file is a "
             "forecast of 2026-01 (744 rows), one month per file", problems=51),
    BadInput("no `calls` column", FORECAST, SAMPLE_FORECAST.replace("calls", "volume").encode(), 2,
             "forecast.csv, line 1, field 'calls': missing column 'calls' (calls offered per interval)"),
    BadInput("a missing hour", FORECAST, forecast_with({100: None}).encode(), 2,
             "forecast.csv, field 'interval_start': 1 hour of 2026-12 missing: 2026-12-05 02:00"),
    BadInput("a duplicate hour", FORECAST, forecast_with({100: SAMPLE_LINES[98]}).encode(), 2,
             "forecast.csv, line 100, field 'interval_start': duplicate: 2026-12-05 01:00 is already on line 99",
             problems=2),
    BadInput("hours of two months", FORECAST, forecast_with(extra=("2027-01-01 00:00,5,300",)).encode(), 2,
             "forecast.csv, line 746, field 'interval_start': 1 row of 2027-01 (line 746): the file is a forecast "
             "of 2026-12 (744 rows), one month per file"),
    BadInput("negative calls", FORECAST, forecast_with({3: "2026-12-01 01:00,-82,235.7"}).encode(), 2,
             "forecast.csv, line 3, field 'calls': must not be negative, got -82"),
    BadInput("`NaN` and `1e400` as calls", FORECAST,
             forecast_with({3: "2026-12-01 01:00,NaN,235.7", 4: "2026-12-01 02:00,1e400,300"}).encode(), 2,
             "forecast.csv, line 3, field 'calls': must be a finite number, got 'NaN'", problems=2),
    BadInput("`1e12` calls in an hour (a typo that would hang the staffing)", FORECAST,
             forecast_with({3: "2026-12-01 01:00,1e12,235.7"}).encode(), 2,
             "forecast.csv, line 3, field 'calls': 1e12 calls is more than staffing.max_calls_per_hour (100000) "
             "allows: a typo or another unit? (raise the ceiling in the rules if the centre really takes that many)"),
    # --- operators ---
    BadInput("`=cmd|'/C calc'!A0` as a name (exports write it as text)", OPERATORS,
             operator_row("op1,=cmd|'/C calc'!A0,1.0,08:00,20:00,2026-12-05"), 0, ACCEPTED),
    BadInput("an unknown rate", OPERATORS, operator_row("op1,Anna Smith,0.8,08:00,20:00,"), 2,
             "operators.csv, line 2, field 'rate': must be one of the contract rates 1.0, 0.75, 0.5, got '0.8'"),
    BadInput("a window no shift fits", OPERATORS, operator_row("op1,Anna Smith,1.0,18:00,22:00,"), 2,
             "operators.csv, line 2, field 'latest_end': no 8-hour shift starting on the hour fits between "
             "earliest_start 18:00 and latest_end 22:00"),
    BadInput("an impossible date", OPERATORS, operator_row("op1,Anna Smith,1.0,08:00,20:00,2026-02-30"), 2,
             "operators.csv, line 2, field 'unavailable': is not a real date, got '2026-02-30'"),
    BadInput("the same id twice", OPERATORS, operator_row("op1,Anna Smith,1.0,,,\nop1,Boris Brown,0.5,,,"), 2,
             "operators.csv, line 3, field 'id': duplicate id 'op1', already on line 2"),
    BadInput("no `rate` column", OPERATORS, operator_row("op1,Anna Smith", header="id,name"), 2,
             "operators.csv, line 1, field 'rate': missing column 'rate'"),
    # --- rules ---
    BadInput("an unknown key in constraints.yaml (a typo)", RULES,
             b"rules:\n  rest_between_shift:\n    min_hours: 11\n", 2,
             f"constraints.yaml, field 'rules.rest_between_shift': {UNKNOWN_KEY}"),
    BadInput("a negative weight", RULES, b"rules:\n  shortfall:\n    weight: -5\n", 2,
             "constraints.yaml, field 'rules.shortfall.weight': Input should be greater than or equal to 0"),
    BadInput("broken YAML", RULES, b"staffing:\n  shrinkage: [0.1\n", 2,
             "constraints.yaml, line 3: not valid YAML: expected ',' or ']', but got '<stream end>'"),
    BadInput("an impossible date in YAML", RULES, b"centre:\n  timezone: 2026-13-45\n", 2,
             "constraints.yaml, line 2: not valid YAML: '2026-13-45' cannot be read as timestamp"),
    BadInput("constraints.yaml saved as Windows-1251", RULES, "# смены\nrules: {}\n".encode("cp1251"), 2,
             "constraints.yaml, line 1: is not UTF-8 text (byte 0xf1 cannot be decoded); save it as UTF-8"),
    BadInput("breaks that do not fit a 4-hour shift", RULES,
             b"breaks:\n  rules:\n    break_window:\n      after_start_minutes: 180\n", 2,
             "constraints.yaml: breaks: a 4-hour shift (rate 0.5) has no room for its breaks within break_window "
             "and break_gap; shorten them or give that length fewer breaks"),
    # --- roster ---
    BadInput("a shift on an unavailable day", ROSTER,
             roster_row("op1,2026-12-05,2026-12-05 08:00,2026-12-05 16:00,10:00 13:00"), 1,
             "op1, 2026-12-05, availability: shift 2026-12-05 08:00–16:00 starts on an unavailable day"),
    BadInput("a shift of an operator not in the operators file", ROSTER,
             roster_row("op9,2026-12-07,2026-12-07 08:00,2026-12-07 16:00,10:00 13:00"), 1,
             "op9, 2026-12-07, contracts: shift 2026-12-07 08:00–16:00: operator op9 is not in the operators list"),
    BadInput("a shift ending before it starts", ROSTER, roster_row("op1,2026-12-07,2026-12-07 16:00,2026-12-07 08:00,"),
             2, "roster.csv, line 2, field 'end': must be after the start 2026-12-07 16:00, got '2026-12-07 08:00' "
             "(a shift that crosses midnight ends on the next day)"),
    BadInput("`date` not the day the shift starts", ROSTER,
             roster_row("op1,2026-12-08,2026-12-07 08:00,2026-12-07 16:00,"), 2,
             "roster.csv, line 2, field 'date': must be the day the shift starts (2026-12-07), got '2026-12-08'"),
]


def write_good_inputs(folder: Path) -> None:
    for name, text in GOOD.items():
        (folder / name).write_text(text, encoding="utf-8")


def write_inputs(folder: Path, case: BadInput) -> None:
    write_good_inputs(folder)
    (folder / case.file).write_bytes(case.content)


def read_with_the_function(case: BadInput) -> list[str]:
    """The case's file read by the function that reads it, with the good inputs it depends on; a roster is then
    judged by the validator. Returns the violations found, as lines."""
    rules = load_rules(RULES)
    if case.file == FORECAST:
        assert len(load_forecast(FORECAST, rules).calls) == len(DECEMBER.hours)
    operators = load_operators(OPERATORS, rules)
    if case.file != ROSTER:
        return []
    return [str(violation) for violation in validate_roster(load_roster_csv(ROSTER, DECEMBER), operators, rules)]


@pytest.mark.parametrize("case", CASES, ids=[case.what for case in CASES])
def test_the_function_that_reads_the_file_says_it(case, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write_inputs(tmp_path, case)
    if case.exit_code == 2:
        with pytest.raises(InputError) as caught:
            read_with_the_function(case)
        assert str(caught.value.problems[0]) == case.says
        assert len(caught.value.problems) == case.problems
    elif case.exit_code == 1:
        assert read_with_the_function(case)[0] == case.says
    else:
        assert read_with_the_function(case) == []


@pytest.mark.parametrize("case", CASES, ids=[case.what for case in CASES])
def test_planner_validate_says_it(case, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    write_inputs(tmp_path, case)
    code = main(["validate", "--roster", ROSTER, "--operators", OPERATORS, "--forecast", FORECAST, "--rules", RULES])
    out, err = capsys.readouterr()
    assert code == case.exit_code
    if code == 2:
        assert err.splitlines()[:2] == ["Input rejected, nothing was imported:", case.says]
        assert len(err.splitlines()) == 1 + case.problems
    else:
        assert out.splitlines()[0] == case.says


@pytest.mark.parametrize("name", [RULES, FORECAST, OPERATORS, ROSTER])
def test_a_folder_in_place_of_a_file_is_refused(name, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    write_good_inputs(tmp_path)
    (tmp_path / name).unlink()
    (tmp_path / name).mkdir()
    code = main(["validate", "--roster", ROSTER, "--operators", OPERATORS, "--forecast", FORECAST, "--rules", RULES])
    assert code == 2
    assert capsys.readouterr().err == f"Input rejected, nothing was imported:\n{name}: is a folder, not a file\n"


def readme_table() -> str:
    """The cases as the README's markdown table; messages are code spans so that nothing in them is markup."""
    rows = ["| input | file | exit code | what the planner says (first line) |", "|---|---|---|---|"]
    for case in CASES:
        what, says = (text.replace("|", "\\|") for text in (case.what, case.says))
        rows.append(f"| {what} | `{case.file}` | {case.exit_code} | `{says}` |")
    return "\n".join(rows)


def test_the_readme_table_is_this_list():
    text = README.read_text(encoding="utf-8")
    section = text.split("## Bad input: what each gets\n", 1)[1].split("\n## ", 1)[0]
    assert readme_table() in section, f"paste into README.md:\n{readme_table()}"
