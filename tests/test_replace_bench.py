"""bench.replace_bench: its table, and a tiny run that solves a month and makes sick calls on it."""

from datetime import date

from bench.common import markers
from bench.replace_bench import SECTION, Call, main, render_section


def _call(seconds: float, full: bool = True, dropped: int = 8, replaced: int = 0) -> Call:
    return Call(seconds, candidates=5, full=full, others_changed=int(full), shortfall_before=0,
                shortfall_dropped=dropped, shortfall_replaced=replaced, violations=0)


def test_the_table_sums_the_hours_each_way_and_judges_the_slowest_call():
    section = render_section("python -m bench.replace_bench", date(2026, 12, 6), "a machine", "two months",
                             {"2026-12": [_call(0.4), _call(0.6, full=False, replaced=8)], "2027-01": [_call(6.0)]})
    lines = section.splitlines()
    assert "| 2026-12 | 2 | 0.50 | 0.60 | 0.60 | 5 | 1 of 2 (50%) | 0.50 | 16 | 8 | 0 |" in lines
    assert "| all | 3 | 0.60 | 6.00 | 6.00 | 5 | 2 of 3 (67%) | 0.67 | 24 | 8 | 0 |" in lines
    assert "slowest call 6.00 s: **MISS**" in section


def test_a_tiny_run_writes_its_section(tmp_path, capsys):
    start, end = markers(SECTION)
    readme = tmp_path / "README.md"
    readme.write_text(f"before\n{start}\nold\n{end}\nafter\n", encoding="utf-8")
    assert main(["--operators", "14", "--seeds", "2026", "--calls", "3", "--month-seconds", "5", "--workers", "1",
                 "--out", str(readme)]) == 0
    text = readme.read_text(encoding="utf-8")
    assert text.startswith("before\n") and text.endswith("after\n") and "old" not in text
    row = next(line for line in text.splitlines() if line.startswith("| all |"))
    assert row.split(" | ")[1] == "3" and row.endswith("| 0 |")  # three calls, no violation
