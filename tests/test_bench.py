from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest

from bench import growth_bench
from bench.common import markers, replace_section
from bench.roster_bench import SECTION, UNSTABLE, Measurement, main, render_section, without_stability
from planner.config import load_rules

START_MARKER, END_MARKER = markers(SECTION)

SOLVED = Measurement(
    method="CP-SAT", size=150, seed=2026, time_limit=60.0, wall_seconds=59.5, status="FEASIBLE", shifts=2900,
    required_agent_hours=18_695, shortfall_agent_hours=300, under_coverage_lower_bound=200, objective=300_500.0,
    best_bound=200_100.0, gap=0.334, peak_mib=900.0, violations=0,
)
BASELINE = replace(
    SOLVED, method="greedy", time_limit=None, wall_seconds=0.8, status=None, shortfall_agent_hours=1200,
    objective=None, best_bound=None, gap=None, peak_mib=250.0,
)


def table_rows(section: str) -> dict[tuple[str, str], list[str]]:
    """Cells of the results table by (operators, method)."""
    rows = [line.strip("|").split("|") for line in section.splitlines() if line.startswith("| ")]
    return {(cells[0].strip(), cells[1].strip()): [c.strip() for c in cells] for cells in rows if len(cells) > 10}


def target_results(section: str) -> dict[str, str]:
    rows = [line.strip("|").split("|") for line in section.splitlines() if line.startswith("| ")]
    return {cells[0].strip(): cells[2].strip() for cells in rows if len(cells) == 3}


def test_above_bound_is_a_share_of_the_required_hours():
    assert SOLVED.above_bound_pct == pytest.approx(100 * 100 / 18_695)


def test_section_gives_medians_the_ratio_to_greedy_and_judges_targets_on_the_worst_run():
    slow = replace(SOLVED, seed=2027, wall_seconds=61.1, shortfall_agent_hours=500, peak_mib=3000.0)
    runs = [SOLVED, BASELINE, slow, replace(BASELINE, seed=2027, shortfall_agent_hours=800)]

    section = render_section("python -m bench.roster_bench --sizes 150", date(2026, 12, 1), "2 cores", runs)

    solver = table_rows(section)["150", "CP-SAT"]
    assert solver[2:4] == ["2", "2 FEASIBLE"]
    assert solver[5] == "60.3"  # median wall of 59.5 and 61.1
    assert solver[11] == "0.44"  # median of 300/1200 and 500/800
    assert solver[15] == "3000"  # peak memory: the highest run
    assert table_rows(section)["150", "greedy"][11] == "—"
    results = target_results(section)
    assert results["150 operators: shortfall ≤ 1 % of required above the proven bound"] == "MISS"  # 300/18,695 above
    assert results["150 operators: wall time ≤ 60 s"] == "MISS"
    assert results["400 operators: wall time ≤ 5 min"] == "—"
    assert results["peak memory ≤ 2 GiB, every size"] == "MISS"
    assert "`python -m bench.roster_bench --sizes 150`, run on 2026-12-01" in section


def test_targets_pass_within_limits():
    results = target_results(render_section("cmd", date(2026, 12, 1), "2 cores", [SOLVED, BASELINE]))
    assert results["150 operators: shortfall ≤ 1 % of required above the proven bound"] == "PASS"
    assert results["150 operators: wall time ≤ 60 s"] == "PASS"
    assert results["peak memory ≤ 2 GiB, every size"] == "PASS"


def test_stable_starts_are_judged_on_their_moves_and_on_what_they_cost_against_the_month_without_them():
    stable = replace(SOLVED, start_moves_pct=8.0, shortfall_agent_hours=300)
    unstable = replace(SOLVED, method=UNSTABLE, start_moves_pct=40.0, shortfall_agent_hours=150)
    runs = [stable, unstable, BASELINE, replace(stable, seed=2027, start_moves_pct=12.0),
            replace(unstable, seed=2027, shortfall_agent_hours=290), replace(BASELINE, seed=2027)]

    section = render_section("cmd", date(2026, 12, 1), "2 cores", runs)

    assert table_rows(section)["150", UNSTABLE][17] == "40.0"
    results = target_results(section)
    assert results["150 operators (issue 14): start moves > tolerance ≤ 10 %"] == "MISS"  # 12 % on seed 2027
    # 150 agent-hours more than without the rule on seed 2026: 0.80 % of 18,695.
    assert results["150 operators (issue 14): shortfall ≤ 0.5 % of required above the same month without "
                   "start_time_stability"] == "MISS"
    within = render_section("cmd", date(2026, 12, 1), "2 cores", [stable, replace(unstable, shortfall_agent_hours=250)])
    assert target_results(within)["150 operators (issue 14): start moves > tolerance ≤ 10 %"] == "PASS"


def test_without_stability_changes_that_weight_alone():
    rules = load_rules(Path(__file__).resolve().parent.parent / "bench" / "centre-rules.yaml")
    unstable = without_stability(rules)
    assert unstable.rules.start_time_stability.weight == 0
    assert unstable.model_copy(update={"rules": rules.rules}) == rules


def test_only_the_text_between_the_markers_is_replaced():
    text = f"# Benchmarks\n\n## Roster\n{START_MARKER}\nold table\n{END_MARKER}\n\n## Breaks\nkept\n"
    assert replace_section(text, "new table\n", SECTION) == (
        f"# Benchmarks\n\n## Roster\n{START_MARKER}\nnew table\n{END_MARKER}\n\n## Breaks\nkept\n"
    )


@pytest.mark.parametrize(
    "text", ["no markers", f"{END_MARKER}\n{START_MARKER}", f"{START_MARKER}{START_MARKER}{END_MARKER}"]
)
def test_a_file_without_one_pair_of_markers_is_refused(text):
    with pytest.raises(ValueError, match="roster-bench:start"):
        replace_section(text, "table", SECTION)


def test_a_tiny_run_solves_in_child_processes_and_writes_its_section(tmp_path, capsys):
    out = tmp_path / "README.md"
    out.write_text(f"# Benchmarks\n{START_MARKER}\n{END_MARKER}\n## Next\n", encoding="utf-8")
    # Four operators: on a busy machine the polish stage of a bigger month may not get past presolve in seconds.
    argv = ["--sizes", "4", "--repeats", "1", "--time-limit-150", "5", "--workers", "1", "--out", str(out)]

    assert main(argv) == 0

    text = out.read_text(encoding="utf-8")
    assert text.endswith(f"{END_MARKER}\n## Next\n")
    assert "`python -m bench.roster_bench --sizes 4 --repeats 1 --time-limit-150 5" in text
    rows = table_rows(text)
    solver, baseline = rows["4", "CP-SAT"], rows["4", "greedy"]
    assert solver[3] in ("OPTIMAL", "FEASIBLE")
    assert solver[16] == baseline[16] == "0"  # no violations
    assert 0 < float(solver[15]) < 2048  # peak MiB, measured in the child
    assert int(solver[6]) > 0
    assert "4 operators, run 1/1" in capsys.readouterr().out


def growth_rows(section: str) -> dict[tuple[str, str], dict[str, str]]:
    """Cells of the growth tables by (operators, days), each by its column's header."""
    rows = [[cell.strip() for cell in line.strip("|").split("|")] for line in section.splitlines()
            if line.startswith("| ")]
    header = rows[0]
    return {(cells[0], cells[1]): dict(zip(header, cells, strict=True)) for cells in rows if cells != header}


GROWN = growth_bench.GrowthRun(
    axis="operators", operators=50, month="2026-12", days=31, seed=2026, time_limit=60.0, workers=2,
    status="FEASIBLE", wall_seconds=60.2, stage_seconds={"aggregate": 2.0, "greedy": 1.0, "build": 8.0, "solve": 49.0},
    build_model_seconds=3.0, first_solution_seconds=1.5, last_improvement_seconds=40.0, solutions=12,
    variables=30_000, constraints=25_000, required_agent_hours=6_000, shortfall_agent_hours=60,
    under_coverage_lower_bound=0, setup_peak_mib=150.0, peak_mib=250.0,
)


def test_growth_section_puts_each_axis_in_its_table_with_the_ratios_of_its_ends():
    larger = replace(GROWN, operators=100, variables=66_000, stage_seconds={**GROWN.stage_seconds, "build": 20.0},
                     first_solution_seconds=None, peak_mib=400.0)
    month = replace(GROWN, axis="days", operators=150, month="2027-02", days=28)

    section = growth_bench.render_section("cmd", date(2026, 12, 1), "2 cores", [larger, month, GROWN])

    rows = growth_rows(section)
    assert rows["50", "31 (2026-12)"]["above bound, % of required"] == "1.00 %"
    assert rows["100", "31 (2026-12)"]["first solution, s"] == "—"
    assert rows["150", "28 (2027-02)"]["model build and hint, s"] == "8.00"
    assert "From 50 to 100 operators (×2.00): variables ×2.20, constraints ×1.00" in section
    assert "model build and hint ×2.50" in section
    assert "first solution —" in section
    assert "memory of the solve (peak above the peak before it) ×2.50" in section
    assert "From 28" not in section  # one month: no ratio to draw


def test_a_tiny_growth_run_solves_each_axis_in_a_child_process_and_writes_its_tables(tmp_path):
    start, end = markers(growth_bench.SECTION)
    out = tmp_path / "README.md"
    out.write_text(f"# Benchmarks\n{start}\n{end}\n<!-- reading -->\n", encoding="utf-8")
    argv = ["--operators", "4", "--months", "2027-02", "--month-operators", "4", "--time-limit", "2",
            "--workers", "1", "--out", str(out)]

    assert growth_bench.main(argv) == 0

    text = out.read_text(encoding="utf-8")
    assert text.endswith(f"{end}\n<!-- reading -->\n")
    assert "`python -m bench.growth_bench --operators 4 --months 2027-02" in text
    rows = growth_rows(text)
    assert set(rows) == {("4", "31 (2026-12)"), ("4", "28 (2027-02)")}
    for row in rows.values():
        assert row["status"] in ("OPTIMAL", "FEASIBLE")
        assert int(row["variables"].replace(",", "")) > 0
        assert int(row["constraints"].replace(",", "")) > 0
        assert 0 < float(row["peak before the solve, MiB"]) <= float(row["peak MiB"]) < 2048
        assert all(float(row[f"{stage}, s"]) >= 0 for stage in ("aggregate bound", "greedy", "CP-SAT"))
        assert 0 < float(row["of which `build_model`, s"]) <= float(row["model build and hint, s"])
    assert int(rows["4", "28 (2027-02)"]["variables"].replace(",", "")) < int(
        rows["4", "31 (2026-12)"]["variables"].replace(",", ""))


def test_the_centre_rules_run_plans_after_a_generated_last_month(tmp_path):
    centre = markers("roster-bench-centre")
    out = tmp_path / "README.md"
    out.write_text(f"# Benchmarks\n{centre[0]}\n{centre[1]}\n", encoding="utf-8")
    rules = Path(__file__).resolve().parent.parent / "bench" / "centre-rules.yaml"
    argv = ["--sizes", "4", "--repeats", "1", "--time-limit-150", "5", "--workers", "1", "--rules", str(rules),
            "--previous", "--section", "roster-bench-centre", "--out", str(out)]

    assert main(argv) == 0

    rows = table_rows(out.read_text(encoding="utf-8"))
    solver, baseline = rows["4", "CP-SAT"], rows["4", "greedy"]
    # The validator judged both across the 1st with November's shifts; the start-time columns are filled in.
    assert solver[16] == "0"
    assert float(solver[17]) >= 0 and float(baseline[18]) >= 1
