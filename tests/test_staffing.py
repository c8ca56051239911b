"""Erlang C staffing against golden values published in other projects' unit tests, plus properties.

Golden values are copied here as literals (inputs and expected outputs only, no code), each with its source:
- [cran] cran/ErlangC (CRAN mirror of the R package ErlangC), commit b1210c7417f5fa5f7dba3dbe5445b9609c913c7a,
  tests/testthat/test-erlang_c.R and tests/testthat/test-calculate_agents.R.
- [pwf] rodrigo-arenas/pyworkforce, pyworkforce/queuing/tests/test_erlang.py and test_erlang_b.py.
- [jjr] josimar-jr/ErlangC, src/tests/Test_Erlang.java.
[cran] and [pwf] use the Call Centre Helper worked example: 100 calls per 30 minutes, AHT 180 s, 80 % answered
within 20 s, i.e. 10 Erlangs.
"""

from __future__ import annotations

import math
import subprocess
import sys
import textwrap
import time

import pytest
from hypothesis import given
from hypothesis import strategies as st

from planner.config import Rules, Staffing
from planner.domain import Forecast
from planner.month import Month
from planner.staffing import (
    QueueMetrics,
    agents_for_service_level,
    average_speed_of_answer,
    erlang_b,
    occupancy,
    queue_metrics,
    service_level,
    staffing_csv,
    staffing_plan,
    traffic_erlangs,
    wait_probability,
)

# The worked example: 100 calls per 1800 s, AHT 180 s, answered within 20 s.
EXAMPLE_TRAFFIC = traffic_erlangs(100, 180, 1800)


def test_traffic_of_the_worked_example_is_ten_erlangs() -> None:
    assert EXAMPLE_TRAFFIC == 10
    assert traffic_erlangs(200, 180) == 10  # the same load over a whole hour


# [cran] tests/testthat/test-calculate_agents.R, the printed staffing search table for A = 10, AHT 180, t = 20.
# Columns: agents, wait probability, service level, ASA (s), occupancy, as printed (7 significant digits for
# the probabilities, full precision for ASA).
CRAN_TABLE = [
    (11, 0.6821182, 0.3896138, 122.78127684408, 0.9090909),
    (12, 0.4493882, 0.640158, 40.4449401868444, 0.8333333),
    (13, 0.2852705, 0.7955948, 17.1162271821896, 0.7692308),
    (14, 0.1741319, 0.88835, 7.83593701177724, 0.7142857),
]


@pytest.mark.parametrize(("agents", "pw", "sl", "asa", "occ"), CRAN_TABLE)
def test_cran_erlangc_search_table(agents: int, pw: float, sl: float, asa: float, occ: float) -> None:
    assert wait_probability(agents, EXAMPLE_TRAFFIC) == pytest.approx(pw, abs=5e-8)
    assert service_level(agents, EXAMPLE_TRAFFIC, 180, 20) == pytest.approx(sl, abs=5e-8)
    assert average_speed_of_answer(agents, EXAMPLE_TRAFFIC, 180) == pytest.approx(asa, rel=1e-11)
    assert occupancy(agents, EXAMPLE_TRAFFIC) == pytest.approx(occ, abs=5e-8)


def test_cran_erlangc_exact_values_for_14_agents() -> None:
    # [cran] tests/testthat/test-erlang_c.R: expect_equal (tolerance about 1.5e-8).
    assert service_level(14, EXAMPLE_TRAFFIC, 180, 20) == pytest.approx(0.88835002, abs=1.5e-8)
    assert 1 - wait_probability(14, EXAMPLE_TRAFFIC) == pytest.approx(0.82586807, abs=1.5e-8)
    assert occupancy(14, EXAMPLE_TRAFFIC) == pytest.approx(0.71428571, abs=1.5e-8)


def test_worked_example_needs_14_agents_or_20_with_30_percent_shrinkage() -> None:
    # [cran] tests/testthat/test-calculate_agents.R and [pwf] test_erlang.py: 80/20, max occupancy 0.85.
    agents = agents_for_service_level(EXAMPLE_TRAFFIC, 180, 0.80, 20, max_occupancy=0.85)
    assert agents == 14
    assert math.ceil(agents / (1 - 0.30)) == 20
    # [pwf] asks for answer within 0.33 min = 19.8 s; the answer is the same.
    assert agents_for_service_level(EXAMPLE_TRAFFIC, 180, 0.80, 19.8, max_occupancy=0.85) == 14


def test_max_occupancy_070_needs_15_agents_or_22_with_shrinkage() -> None:
    # [pwf] pyworkforce/queuing/tests/test_erlang.py: raw positions 15, 22 with shrinkage 0.3, and the achieved
    # service level 0.941, occupancy 0.667, waiting probability 0.102 (rounded to 3 decimals), t = 19.8 s.
    agents = agents_for_service_level(EXAMPLE_TRAFFIC, 180, 0.80, 19.8, max_occupancy=0.70)
    assert agents == 15
    assert math.ceil(agents / (1 - 0.30)) == 22
    assert round(service_level(15, EXAMPLE_TRAFFIC, 180, 19.8), 3) == 0.941
    assert round(occupancy(15, EXAMPLE_TRAFFIC), 3) == 0.667
    assert round(wait_probability(15, EXAMPLE_TRAFFIC), 3) == 0.102


def test_pyworkforce_rounded_metrics_for_14_agents() -> None:
    # [pwf] pyworkforce/queuing/tests/test_erlang.py, rounded to 3 decimals, t = 19.8 s.
    assert round(service_level(14, EXAMPLE_TRAFFIC, 180, 19.8), 3) == 0.888
    assert round(occupancy(14, EXAMPLE_TRAFFIC), 3) == 0.714
    assert round(wait_probability(14, EXAMPLE_TRAFFIC), 3) == 0.174


# [jjr] src/tests/Test_Erlang.java: 180 calls, AHT 450 s, per 30 minutes -> 45 Erlangs.
JJR_TRAFFIC = traffic_erlangs(180, 450, 1800)


def test_josimar_service_level_at_48_agents() -> None:
    # [jjr] testSLA, compared within 1e-6.
    assert JJR_TRAFFIC == 45
    assert service_level(48, JJR_TRAFFIC, 450, 10) == pytest.approx(0.47538605041284376, abs=1e-6)


def test_josimar_90_in_10_seconds_needs_55_agents() -> None:
    # [jjr] testAgent.
    assert agents_for_service_level(JJR_TRAFFIC, 450, 0.90, 10) == 55


@pytest.mark.parametrize(
    ("interval_sec", "agents", "asa"),
    # [jjr] testASA: 180 calls of 450 s over 1 h, 30, 15 and 10 min; compared within 0.05 s.
    [(3600, 34, 0.6), (1800, 48, 84.1), (900, 100, 9.8), (600, 140, 51.1)],
)
def test_josimar_average_speed_of_answer(interval_sec: int, agents: int, asa: float) -> None:
    traffic = traffic_erlangs(180, 450, interval_sec)
    assert average_speed_of_answer(agents, traffic, 450) == pytest.approx(asa, abs=0.05)


def test_pyworkforce_erlang_b_values() -> None:
    # [pwf] pyworkforce/queuing/tests/test_erlang_b.py: 30 calls of 60 s per 30 min = 1 Erlang.
    assert erlang_b(1, traffic_erlangs(30, 60, 1800)) == pytest.approx(0.5, abs=1e-12)
    assert erlang_b(2, 1.0) == pytest.approx(0.2, abs=1e-12)


def _trunks_for_blocking(traffic: float, max_blocking: float) -> int:
    return next(n for n in range(1, 1000) if erlang_b(n, traffic) <= max_blocking)


@pytest.mark.parametrize(
    ("traffic", "max_blocking", "trunks"),
    [
        (10, 0.02, 17),  # [pwf] test_erlang_b.py (25 positions with 30 % shrinkage)
        (22.5, 0.01, 33),  # [jjr] testNLines, 180 calls x 450 s per hour
        (45, 0.01, 58),  # [jjr] per 30 min
        (90, 0.01, 107),  # [jjr] per 15 min
        (135, 0.01, 154),  # [jjr] per 10 min
    ],
)
def test_erlang_b_trunks_for_blocking_target(traffic: float, max_blocking: float, trunks: int) -> None:
    assert _trunks_for_blocking(traffic, max_blocking) == trunks


def test_pyworkforce_erlang_b_positions_with_shrinkage() -> None:
    assert math.ceil(_trunks_for_blocking(10, 0.02) / (1 - 0.30)) == 25


# --- stability and edge cases -------------------------------------------------------------------------------


@pytest.mark.parametrize("traffic", [200, 1000, 5000])
def test_large_traffic_gives_a_finite_answer_near_square_root_staffing(traffic: float) -> None:
    # Square-root staffing: N ≈ A + c·√A with c below 1 for 80/20 at AHT 300 s; factorials would overflow here.
    agents = agents_for_service_level(traffic, 300, 0.80, 20)
    assert traffic < agents < traffic + math.sqrt(traffic)
    assert 0 < wait_probability(agents, traffic) < 1
    assert math.isfinite(average_speed_of_answer(agents, traffic, 300))
    assert service_level(agents, traffic, 300, 20) >= 0.80 > service_level(agents - 1, traffic, 300, 20)


def test_overloaded_queue() -> None:
    assert wait_probability(10, 10) == 1.0
    assert wait_probability(9, 10) == 1.0
    assert service_level(10, 10, 180, 20) == 0.0
    assert average_speed_of_answer(10, 10, 180) == math.inf
    assert occupancy(5, 10) == 1.0


def test_zero_traffic() -> None:
    assert agents_for_service_level(0, 300, 0.8, 20) == 0
    assert wait_probability(1, 0) == 0.0
    assert service_level(1, 0, 300, 20) == 1.0
    assert average_speed_of_answer(1, 0, 300) == 0.0
    assert occupancy(3, 0) == 0.0


def test_answer_within_zero_seconds_means_answered_immediately() -> None:
    assert service_level(14, EXAMPLE_TRAFFIC, 180, 0) == pytest.approx(0.82586807, abs=1.5e-8)


def test_queue_metrics_of_an_hour() -> None:
    # 200 calls of 180 s in an hour are the worked example's 10 Erlangs.
    metrics = queue_metrics(14, 200, 180, Rules())
    assert isinstance(metrics, QueueMetrics)
    assert metrics.agents == 14
    assert metrics.service_level == pytest.approx(0.88835002, abs=1.5e-8)
    assert metrics.asa_sec == pytest.approx(7.83593701177724, rel=1e-11)
    assert metrics.occupancy == pytest.approx(0.71428571, abs=1.5e-8)
    assert metrics.wait_probability == pytest.approx(0.1741319, abs=5e-8)


# --- validation ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: wait_probability(-3, 10), "agents must be a positive integer, got -3"),
        (lambda: erlang_b(0, 10), "agents must be a positive integer, got 0"),
        (lambda: occupancy(2.5, 1), "agents must be a positive integer, got 2.5"),
        (lambda: service_level(True, 1, 180, 20), "agents must be a positive integer, got True"),
        (lambda: erlang_b(3, -1), "traffic must be a non-negative number, got -1"),
        (lambda: wait_probability(3, math.nan), "traffic must be a finite non-negative number, got nan"),
        (lambda: wait_probability(3, "10"), "traffic must be a finite non-negative number, got '10'"),
        (lambda: traffic_erlangs(-5, 180), "calls must be a non-negative number, got -5"),
        (lambda: traffic_erlangs(5, 0), "aht_sec must be a positive number, got 0"),
        (lambda: traffic_erlangs(5, 180, 0), "interval_sec must be a positive number, got 0"),
        (lambda: average_speed_of_answer(12, 10, -1), "aht_sec must be a positive number, got -1"),
        (lambda: service_level(12, 10, 180, -20), "answer_within_sec must be a non-negative number, got -20"),
        (lambda: agents_for_service_level(10, 180, 1.0, 20), "service_level must be above 0 and below 1, got 1.0"),
        (lambda: agents_for_service_level(10, 180, 80, 20), "service_level must be above 0 and below 1, got 80"),
        (
            lambda: agents_for_service_level(10, 180, 0.8, 20, max_occupancy=0),
            "max_occupancy must be above 0 and at most 1, got 0",
        ),
        (lambda: queue_metrics(0, 200, 180, Rules()), "agents must be a positive integer, got 0"),
    ],
)
def test_arguments_are_validated_with_precise_messages(call, message: str) -> None:
    with pytest.raises(ValueError) as excinfo:
        call()
    assert str(excinfo.value) == message


def test_full_occupancy_is_allowed() -> None:
    assert agents_for_service_level(EXAMPLE_TRAFFIC, 180, 0.8, 20, max_occupancy=1) == 14


# --- properties ---------------------------------------------------------------------------------------------

traffics = st.floats(min_value=0.01, max_value=300, allow_nan=False)
ahts = st.floats(min_value=10, max_value=1200, allow_nan=False)
targets = st.floats(min_value=0.05, max_value=0.99)
thresholds = st.floats(min_value=0, max_value=120)


@given(traffic=traffics, aht=ahts, within=thresholds, agents=st.integers(min_value=1, max_value=400))
def test_more_agents_never_lower_the_service_level(traffic: float, aht: float, within: float, agents: int) -> None:
    assert service_level(agents + 1, traffic, aht, within) >= service_level(agents, traffic, aht, within)
    assert wait_probability(agents + 1, traffic) <= wait_probability(agents, traffic)
    assert erlang_b(agents + 1, traffic) <= erlang_b(agents, traffic)
    assert 0 <= wait_probability(agents, traffic) <= 1


@given(traffic=traffics, aht=ahts, target=targets, within=thresholds)
def test_agents_for_service_level_is_the_smallest_that_meets_the_target(
    traffic: float, aht: float, target: float, within: float
) -> None:
    agents = agents_for_service_level(traffic, aht, target, within)
    assert agents > traffic
    assert service_level(agents, traffic, aht, within) >= target
    if agents - 1 > traffic:
        assert service_level(agents - 1, traffic, aht, within) < target


# --- the month ----------------------------------------------------------------------------------------------

FEBRUARY = Month(2026, 2, "Europe/Moscow")  # 28 days x 24 h, no clock change in Moscow
HOURS = len(FEBRUARY.hours)


def _forecast(calls: list[float], aht: list[float], month: Month = FEBRUARY) -> Forecast:
    return Forecast(month=month, calls=tuple(calls), aht_sec=tuple(aht))


def _rules(**staffing: float) -> Rules:
    return Rules(staffing=Staffing(**staffing))


def _one_busy_hour() -> Forecast:
    """A quiet month (1 call an hour) with one busy hour, 2026-02-03 10:00, of 200 calls of 180 s: the worked
    example's 10 Erlangs, which need 14 agents for 80/20."""
    calls = [1.0] * HOURS
    aht = [300.0] * HOURS
    busy = FEBRUARY.hours.index(next(h for h in FEBRUARY.hours if h.day == 3 and h.hour == 10))
    calls[busy], aht[busy] = 200.0, 180.0
    return _forecast(calls, aht)


def test_staffing_plan_of_a_hand_built_month() -> None:
    assert HOURS == 672
    forecast = _one_busy_hour()
    plan = staffing_plan(forecast, Rules())
    busy = forecast.calls.index(200.0)
    assert plan.forecast is forecast
    assert len(plan.required) == len(plan.erlang_agents) == HOURS
    assert plan.erlang_agents[busy] == 14
    assert plan.required[busy] == 16  # ceil(14 / 0.9)
    # 1 call of 300 s is 0.08 Erlangs: 1 agent on the phones, but the line is never left to one operator.
    assert plan.erlang_agents[0] == 1
    assert plan.required[0] == 2
    assert plan.required_agent_hours == 16 + 2 * (HOURS - 1)


def test_staffing_plan_applies_shrinkage_and_min_operators() -> None:
    plan = staffing_plan(_one_busy_hour(), _rules(shrinkage=0.30, min_operators=3))
    busy = plan.forecast.calls.index(200.0)
    assert plan.required[busy] == 20  # [cran]/[pwf]: 14 agents with 30 % shrinkage
    assert set(plan.required) == {3, 20}


def _calls_needing(agents: int) -> float:
    """Calls of 300 s an hour for which Erlang C gives exactly `agents` for 80/20 (searched, not guessed)."""
    return next(
        float(calls) for calls in range(1, 1000) if agents_for_service_level(calls / 12, 300, 0.8, 20) == agents
    )


def test_staffing_plan_ignores_float_noise_before_rounding_up() -> None:
    # 21 agents / (1 - 0.3) is 30.000000000000004 in floating point; 30 operators are enough.
    calls = [_calls_needing(21)] * HOURS
    plan = staffing_plan(_forecast(calls, [300.0] * HOURS), _rules(shrinkage=0.30, min_operators=0))
    assert set(plan.erlang_agents) == {21}
    assert set(plan.required) == {30}


def test_zero_calls_need_only_the_minimum() -> None:
    plan = staffing_plan(_forecast([0.0] * HOURS, [300.0] * HOURS), Rules())
    assert set(plan.erlang_agents) == {0}
    assert set(plan.required) == {2}


@given(
    calls=st.lists(st.floats(min_value=0, max_value=3000), min_size=1, max_size=24),
    aht=st.floats(min_value=30, max_value=900),
    shrinkage=st.floats(min_value=0, max_value=0.5),
    min_operators=st.integers(min_value=0, max_value=10),
)
def test_required_is_never_below_min_operators_nor_erlang_agents(
    calls: list[float], aht: float, shrinkage: float, min_operators: int
) -> None:
    hourly = (calls * HOURS)[:HOURS]
    plan = staffing_plan(
        _forecast(hourly, [aht] * HOURS), _rules(shrinkage=shrinkage, min_operators=min_operators)
    )
    for agents, required in zip(plan.erlang_agents, plan.required, strict=True):
        assert required >= min_operators
        assert required >= agents
        assert required * (1 - shrinkage) >= agents - 1e-9


def test_a_dst_month_of_745_hours_is_fast() -> None:
    october = Month(2026, 10, "Europe/Berlin")  # clocks go back on 25 October: 745 real hours
    count = len(october.hours)
    assert count == 745
    # Distinct loads every hour, so no cache helps: 80 to 1600 calls an hour.
    calls = [80.0 + 2 * i + (i % 7) / 10 for i in range(count)]
    aht = [240.0 + i % 60 for i in range(count)]
    forecast = _forecast(calls, aht, october)
    started = time.perf_counter()
    plan = staffing_plan(forecast, Rules())
    assert time.perf_counter() - started < 1.0
    assert len(plan.required) == count


# --- CSV ----------------------------------------------------------------------------------------------------


def test_staffing_csv() -> None:
    plan = staffing_plan(_one_busy_hour(), Rules())
    lines = staffing_csv(plan).splitlines()
    assert lines[0] == "interval_start,calls,aht_sec,erlang_agents,required"
    assert len(lines) == 1 + HOURS
    assert lines[1] == "2026-02-01 00:00,1,300,1,2"
    assert "2026-02-03 10:00,200,180,14,16" in lines
    assert lines[-1] == "2026-02-28 23:00,1,300,1,2"


def test_staffing_csv_writes_fractional_calls_plainly() -> None:
    calls = [12.5] * HOURS
    calls[0] = 1234567.0
    plan = staffing_plan(_forecast(calls, [187.25] * HOURS), Rules())
    lines = staffing_csv(plan).splitlines()
    assert lines[1].startswith("2026-02-01 00:00,1234567,187.25,")
    assert lines[2].startswith("2026-02-01 01:00,12.5,187.25,")


def test_staffing_csv_repeats_the_local_hour_when_clocks_go_back() -> None:
    october = Month(2026, 10, "Europe/Berlin")
    count = len(october.hours)
    plan = staffing_plan(_forecast([10.0] * count, [300.0] * count, october), Rules())
    starts = [line.split(",")[0] for line in staffing_csv(plan).splitlines()[1:]]
    assert len(starts) == 745
    assert starts.count("2026-10-25 02:00") == 2
    first = starts.index("2026-10-25 02:00")
    assert starts[first + 1] == "2026-10-25 02:00"  # the two real hours follow each other


def test_one_absurd_hour_cannot_hang_the_staffing_search() -> None:
    # Issue 15, item 7: 1e12 calls in one hour (a typo the importer would refuse, but the search must not hang on
    # it either). Walking from one agent took hours; the search starts at the traffic and needs about a second.
    # Run in a child process so that a search which walks is stopped and fails, instead of hanging the suite.
    script = textwrap.dedent("""
        from planner.staffing import agents_for_service_level, service_level, traffic_erlangs
        traffic = traffic_erlangs(1e12, 300)
        agents = agents_for_service_level(traffic, 300, 0.80, 20)
        capped = agents_for_service_level(traffic, 300, 0.80, 20, max_occupancy=0.85)
        print(agents - traffic, capped - traffic, service_level(agents, traffic, 300, 20),
              service_level(agents - 1, traffic, 300, 20), service_level(capped, traffic, 300, 20))
    """)
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=True)
    above, capped_above, level, level_one_fewer, capped_level = map(float, done.stdout.split())
    traffic = traffic_erlangs(1e12, 300)
    assert 0 < above < math.sqrt(traffic)
    assert level >= 0.80 > level_one_fewer
    assert traffic / (traffic + capped_above) <= 0.85 < traffic / (traffic + capped_above - 1)
    assert capped_level == 1.0


def test_the_default_aht_must_lie_within_its_ceiling() -> None:
    with pytest.raises(ValueError, match="default_aht_sec 9000 is above max_aht_sec 7200"):
        Staffing(default_aht_sec=9000)
