"""bench/curtois_columns.py: column generation over the planner's model of each employee gives rosters that keep
every rule, a lower bound that holds, and with the windows after it the optimum of a small instance."""

from __future__ import annotations

import math
import time

from bench.curtois import CurtoisSpace, solve_instance
from bench.curtois_columns import Column, ColumnSearch, search
from bench.curtois_format import evaluate
from helpers.curtois_tiny import INSTANCE, compact_optimum, roster_of


def test_an_employee_alone_keeps_its_own_rules_and_no_cover():
    space = CurtoisSpace(INSTANCE)
    single = space.alone(2)
    assert single.limits == (space.limits[2],) and single.cover_needs == {}
    assert len(space.limits) == 3 and space.cover_needs  # the instance's own space is untouched


def test_the_search_gives_every_employee_a_schedule_the_rules_allow_and_a_bound_below_the_optimum():
    space = CurtoisSpace(INSTANCE)
    outcome = search(space, time.monotonic() + 10, workers=2)
    assert sorted(outcome.roster) == [0, 1, 2]
    evaluation = evaluate(INSTANCE, roster_of(space, outcome.roster))
    assert evaluation.feasible, evaluation.violations
    optimum = compact_optimum()
    assert outcome.lower_bound <= optimum <= evaluation.objective
    # Generation ran to the end here: no schedule improves the LP, so the bound is its value (less what rounding the
    # prices may cost, 0.5/1000 per shift) rounded up.
    assert math.ceil(outcome.lp_value - 0.1) <= outcome.lower_bound <= math.ceil(outcome.lp_value - 1e-6)
    # The LP's solution per employee and cell: one unit of schedule per employee, so at most one shift a day.
    assert outcome.lp_shares
    for op in range(3):
        for day in range(space.day_count):
            assert sum(share for (who, (when, _)), share in outcome.lp_shares.items()
                       if (who, when) == (op, day)) <= 1 + 1e-6


def test_columns_then_windows_reach_the_proven_optimum():
    result = solve_instance(INSTANCE, time_limit=10, workers=2, method="columns")
    assert result.objective == compact_optimum()
    assert result.evaluation.feasible and result.model_objective == result.objective
    assert result.status == "OPTIMAL" and result.solver_bound <= result.objective


def test_a_short_time_limit_still_returns_a_roster_that_keeps_the_rules():
    result = solve_instance(INSTANCE, time_limit=0.3, workers=1, method="columns")
    assert result.evaluation is not None and result.evaluation.feasible


def test_when_pricing_is_too_slow_to_converge_each_employee_still_gets_a_schedule(monkeypatch):
    monkeypatch.setattr("bench.curtois_columns.FEWEST_ROUNDS", 10**9)
    space = CurtoisSpace(INSTANCE)
    outcome = search(space, time.monotonic() + 10, workers=2)
    assert outcome.lp_value is None and outcome.lower_bound is None and outcome.lp_shares == {}
    assert sorted(outcome.roster) == [0, 1, 2]
    assert evaluate(INSTANCE, roster_of(space, outcome.roster)).feasible
    assert outcome.how == "first schedules, descent"
    # The descent and then the windows have the rest of the time.
    result = solve_instance(INSTANCE, time_limit=10, workers=2, method="columns")
    assert result.search.startswith("first schedules, descent") and result.objective == compact_optimum()


def test_without_time_for_a_dive_the_roster_is_the_lps_rounding_and_the_windows_start_from_it(monkeypatch):
    monkeypatch.setattr("bench.curtois_columns.DIVE_NEEDS", 10**9)
    space = CurtoisSpace(INSTANCE)
    columns = ColumnSearch(space, time.monotonic() + 10, workers=1)
    outcome = columns.run()
    assert outcome.how == "columns, LP rounding" and outcome.from_lp and outcome.lp_shares
    assert outcome.roster == {op: column.cells for op, column in columns.rounding().items()}
    assert evaluate(INSTANCE, roster_of(space, outcome.roster)).feasible
    result = solve_instance(INSTANCE, time_limit=10, workers=2, method="columns")
    assert result.search.startswith("columns, LP rounding") and result.objective == compact_optimum()


def test_the_descent_keeps_the_rules_never_loses_and_ends_where_no_employee_alone_can_do_better():
    space = CurtoisSpace(INSTANCE)
    columns = ColumnSearch(space, time.monotonic() + 10, workers=1)  # one worker: the same steps every run
    # The worst start there is: every employee's first schedule, whatever the cover.
    columns._first_schedules({})
    start = {op: columns.master.columns[op][0][0] for op in range(3)}
    before = evaluate(INSTANCE, roster_of(space, {op: column.cells for op, column in start.items()}))
    descended = columns.descend(dict(start), time.monotonic() + 10)
    after = evaluate(INSTANCE, roster_of(space, {op: column.cells for op, column in descended.items()}))
    assert after.feasible, after.violations
    assert after.objective < before.objective
    for op, mine in descended.items():
        on_duty = [cell for other, column in descended.items() if other != op for cell in column.cells]
        prices = {cell: need.weight_under if on_duty.count(cell) < need.requirement else -need.weight_over
                  for cell, need in space.cover_needs.items()}
        met, optimal = columns._pricer(op).price(prices, 10)
        assert optimal and met[-1].priced(prices) == mine.priced(prices)


def test_a_column_priced_is_its_cost_less_the_prices_of_its_cells():
    column = Column(frozenset({(0, "D"), (1, "N")}), cost=5)
    assert column.priced({(0, "D"): 2.0, (2, "D"): 7.0}) == 3.0
