"""bench/curtois_windows.py: windows of days re-solved on the planner's whole model keep every rule, never lose,
stop at a proven optimum, and size themselves to the instance."""

from __future__ import annotations

import math
import time

import pytest

from bench.curtois import CurtoisSpace, build_model, model_value
from bench.curtois_columns import ColumnSearch
from bench.curtois_format import evaluate
from bench.curtois_windows import FEWEST_DAYS, WINDOW_SECONDS, _Windows, improve_by_windows
from helpers.curtois_tiny import INSTANCE, compact_optimum, roster_of


def first_schedules(space: CurtoisSpace) -> dict[int, frozenset[tuple[int, str]]]:
    """Every employee's first schedule, whatever the cover: a roster that keeps the rules and little else."""
    columns = ColumnSearch(space, time.monotonic() + 10, workers=1)
    columns._first_schedules({})
    return {op: columns.master.columns[op][0][0].cells for op in range(len(space.limits))}


def test_windows_from_a_poor_roster_keep_the_rules_and_reach_the_optimum():
    space = CurtoisSpace(INSTANCE)
    start = first_schedules(space)
    before = evaluate(INSTANCE, roster_of(space, start))
    assert before.feasible and before.objective > compact_optimum()
    improved = improve_by_windows(build_model(space), space.day_count, start, time.monotonic() + 10, workers=1)
    after = evaluate(INSTANCE, roster_of(space, improved.roster))
    assert after.feasible, after.violations
    assert after.objective == improved.value == model_value(space, roster_of(space, improved.roster))
    # The tiny instance fits one window: solved to the end, that is the optimum, and the windows stop there.
    assert improved.optimal and improved.value == compact_optimum()
    assert improved.gains >= 1 and improved.windows == 1


def test_windows_stop_at_once_when_the_roster_meets_the_bound():
    space = CurtoisSpace(INSTANCE)
    start = first_schedules(space)
    value = evaluate(INSTANCE, roster_of(space, start)).objective
    improved = improve_by_windows(build_model(space), space.day_count, start, time.monotonic() + 10, workers=1,
                                  bound=value)
    assert improved.optimal and improved.windows == 0 and improved.roster == start


def test_windows_without_time_leave_the_roster_as_it_was():
    space = CurtoisSpace(INSTANCE)
    start = first_schedules(space)
    improved = improve_by_windows(build_model(space), space.day_count, start, time.monotonic(), workers=1)
    assert improved.windows == 0 and not improved.optimal and improved.roster == start
    assert improved.value == evaluate(INSTANCE, roster_of(space, start)).objective


@pytest.mark.parametrize("variables", [1, 20, 42, 10**6])
def test_a_window_takes_every_employee_while_that_leaves_the_fewest_days(variables):
    space = CurtoisSpace(INSTANCE)  # 3 employees, 7 days, 2 shift types: 42 shift variables
    windows = _Windows(build_model(space), space.day_count, workers=1, seed=1, parameters={})
    free = windows.window(variables)
    employees, days = {op for op, _ in free}, sorted({day for _, day in free})
    assert free == {(op, day) for op in employees for day in days}
    assert days == list(range(days[0], days[-1] + 1)) and 0 <= days[0] and days[-1] < space.day_count
    if variables >= 3 * FEWEST_DAYS * 2:
        assert employees == {0, 1, 2} and len(days) == min(7, variables // 6)
    else:
        assert len(days) == FEWEST_DAYS and 1 <= len(employees) <= 3


def test_the_lp_neighbourhood_frees_only_employee_days_where_the_lp_and_the_roster_differ():
    space = CurtoisSpace(INSTANCE)
    windows = _Windows(build_model(space), space.day_count, workers=1, seed=1, parameters={})
    roster = {0: frozenset({(0, "D"), (1, "N")}), 1: frozenset({(2, "D")}), 2: frozenset()}
    lp_shares = {(0, (0, "D")): 1.0,  # agrees
                 (0, (1, "N")): 0.5, (0, (1, "D")): 0.5,  # the roster's night is half the LP's
                 (1, (2, "D")): 0.95,  # within the tolerance
                 (2, (4, "N")): 0.3}  # the LP works a night the roster leaves off
    assert windows.disagreement(roster, lp_shares, 10**6) == {(0, 1), (2, 4)}
    assert len(windows.disagreement(roster, lp_shares, 2)) == 1  # 2 variables: one employee-day of 2 shift types
    assert windows.disagreement(roster, {}, 10**6) == {(0, 0), (0, 1), (1, 2)}  # no LP: every shift worked differs


@pytest.mark.parametrize("from_lp", [True, False])
def test_from_the_lps_rounding_the_first_neighbourhood_is_all_the_lp_disagrees_with_for_all_the_time(
        monkeypatch, from_lp):
    space = CurtoisSpace(INSTANCE)
    start = first_schedules(space)
    lp_shares = {(0, cell): 1.0 for cell in start[0]}  # the LP agrees with employee 0's schedule only
    solved: list[tuple[set, float]] = []
    real_solve = _Windows.solve

    def spy(self, roster, free, seconds):
        solved.append((set(free), seconds))
        return real_solve(self, roster, free, seconds)

    monkeypatch.setattr(_Windows, "solve", spy)
    improve_by_windows(build_model(space), space.day_count, start, time.monotonic() + 10, workers=1,
                       lp_shares=lp_shares, from_lp=from_lp)
    windows = _Windows(build_model(space), space.day_count, workers=1, seed=1, parameters={})
    differing = windows.disagreement(start, lp_shares, math.inf)
    assert differing and all(op != 0 for op, _ in differing)
    free, seconds = solved[1]  # the first after valuing the roster
    if from_lp:
        assert free == differing and seconds > WINDOW_SECONDS
    else:
        assert seconds <= WINDOW_SECONDS
