"""bench/curtois.py: the planner's rule functions on a benchmark instance say what the benchmark's own evaluator
says — the same rosters allowed, the same objective — and the bench's table reads right."""

from __future__ import annotations

from datetime import date
from functools import cache

import hypothesis.strategies as st
from hypothesis import given

from bench.curtois import (
    CurtoisSpace,
    Published,
    instance_numbers,
    met,
    model_value,
    render_section,
    solve_instance,
)
from bench.curtois_format import evaluate
from helpers.curtois_tiny import INSTANCE
from helpers.fuzzing import fuzz_settings

EMPLOYEES = [employee.id for employee in INSTANCE.employees]


def model_verdict(roster: dict[tuple[str, int], str]) -> float | None:
    """The planner model's objective for exactly this roster, or None when its hard rules refuse it."""
    return model_value(CurtoisSpace(INSTANCE), roster)


@cache
def optimum() -> dict[tuple[str, int], str]:
    return solve_instance(INSTANCE, time_limit=10, workers=1).roster


CELL = st.tuples(st.sampled_from(EMPLOYEES), st.integers(0, INSTANCE.horizon - 1), st.sampled_from(["", "D", "N"]))


@st.composite
def rosters(draw: st.DrawFn) -> dict[tuple[str, int], str]:
    """The optimum with a few cells changed (many such rosters keep the rules, many do not), or any roster."""
    if draw(st.booleans()):
        cells = {(employee, day): draw(st.sampled_from(["", "D", "N"]))
                 for employee in EMPLOYEES for day in range(INSTANCE.horizon)}
    else:
        cells = dict(optimum())
        for employee, day, kind in draw(st.lists(CELL, max_size=3)):
            cells[employee, day] = kind
    return {cell: kind for cell, kind in cells.items() if kind}


@fuzz_settings(80)
@given(rosters())
def test_the_planner_rules_judge_every_roster_as_the_benchmark_does(roster):
    evaluation = evaluate(INSTANCE, roster)
    verdict = model_verdict(roster)
    if evaluation.feasible:
        assert verdict == evaluation.objective
    else:
        assert verdict is None, evaluation.violations


def test_the_judged_rosters_include_kept_and_broken_rules():
    """The property above sees both kinds: the optimum keeps the rules, one more night for A breaks them."""
    assert evaluate(INSTANCE, optimum()).feasible
    assert not evaluate(INSTANCE, {**optimum(), ("A", 5): "N", ("A", 6): "N", ("A", 1): "N"}).feasible


def test_a_run_of_one_day_inside_the_week_is_refused_by_both():
    # B: days 0-1, then 2 days off, then day 4 alone: only MinConsecutiveShifts is broken, A and C keep every rule.
    roster = {("A", 1): "D", ("A", 2): "D", ("A", 3): "N", ("A", 4): "N",
              ("B", 0): "D", ("B", 1): "D", ("B", 4): "D",
              ("C", 0): "N", ("C", 1): "N", ("C", 2): "N"}
    assert [(v.rule, v.employee, v.days) for v in evaluate(INSTANCE, roster).violations] == [
        ("min_consecutive_shifts", "B", (4,))]
    assert model_verdict(roster) is None


def test_a_feasible_hand_made_roster_scores_the_same_in_both():
    roster = {("A", 1): "D", ("A", 2): "D", ("A", 3): "N", ("A", 4): "N",
              ("B", 0): "D", ("B", 1): "D", ("B", 4): "D", ("B", 5): "D",
              ("C", 0): "N", ("C", 1): "N", ("C", 2): "N"}
    evaluation = evaluate(INSTANCE, roster)
    assert evaluation.feasible, evaluation.violations
    assert model_verdict(roster) == evaluation.objective


def test_solving_the_tiny_instance_gives_a_roster_the_evaluator_accepts():
    result = solve_instance(INSTANCE, time_limit=10, workers=1)
    assert result.status == "OPTIMAL"
    assert result.evaluation.feasible and result.objective == round(result.model_objective)
    assert result.solver_bound == result.model_objective


def test_the_table_and_the_targets():
    result = solve_instance(INSTANCE, time_limit=10, workers=1)
    best = Published(best_known=result.objective, proven_lb=None)
    assert met(3, result, best.best_known) and not met(3, result, best.best_known - 1)
    assert met(12, result, round(best.best_known / 1.05)) and met(20, result, 1)
    table = render_section("python -m bench.curtois", date(2026, 12, 1), "test machine",
                           [(3, result, best)])
    row = next(line for line in table.splitlines() if line.startswith("| 3 |"))
    assert f"| {result.objective:,} | {best.best_known:,} | — | 0.0% |" in row and "| yes | best known | yes |" in row


def test_instance_numbers():
    assert instance_numbers("1-3,12") == [1, 2, 3, 12]
