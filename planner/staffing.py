"""Erlang C staffing: how many operators each hour of the month needs to meet the service level.

The queue of one hour is an M/M/N queue (Erlang C): calls arrive at random, wait for the first free agent and
never hang up. Erlang B is computed by its recursion, which stays within [0, 1] for any number of agents, and
Erlang C is derived from it; factorials and powers of the traffic would overflow a float beyond about 170
agents, well within the size of a large centre. The recursion starts just above the traffic, not at one agent
(see `_blocking_at`), so the work per hour grows with the square root of the traffic: an absurd forecast value
costs about a second, never hours.
"""

from __future__ import annotations

import csv
import io
import math
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from numbers import Integral, Real

from planner.config import Rules
from planner.domain import Forecast, StaffingPlan

__all__ = [
    "QueueMetrics",
    "traffic_erlangs",
    "erlang_b",
    "wait_probability",
    "service_level",
    "average_speed_of_answer",
    "occupancy",
    "agents_for_service_level",
    "queue_metrics",
    "staffing_plan",
    "staffing_csv",
]

HOUR_SEC = 3600
CSV_HEADER = ("interval_start", "calls", "aht_sec", "erlang_agents", "required")


@dataclass(frozen=True)
class QueueMetrics:
    """How one hour's queue performs with a given number of agents on the phones."""

    agents: int
    service_level: float
    asa_sec: float
    occupancy: float
    wait_probability: float


# --- validation ---------------------------------------------------------------------------------------------


def _positive_int(name: str, value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, Integral) or value <= 0:
        raise ValueError(f"{name} must be a positive integer, got {value!r}")
    return int(value)


def _number(name: str, value: object, *, positive: bool) -> float:
    kind = "positive" if positive else "non-negative"
    if isinstance(value, bool) or not isinstance(value, Real) or not math.isfinite(value):
        raise ValueError(f"{name} must be a finite {kind} number, got {value!r}")
    if value < 0 or (positive and value == 0):
        raise ValueError(f"{name} must be a {kind} number, got {value!r}")
    return float(value)


def _fraction(name: str, value: object, *, allow_one: bool) -> float:
    upper = "at most 1" if allow_one else "below 1"
    if (
        isinstance(value, bool)
        or not isinstance(value, Real)
        or not 0 < float(value) <= 1
        or (value == 1 and not allow_one)
    ):
        raise ValueError(f"{name} must be above 0 and {upper}, got {value!r}")
    return float(value)


# --- Erlang formulas ----------------------------------------------------------------------------------------


def traffic_erlangs(calls: float, aht_sec: float, interval_sec: float = HOUR_SEC) -> float:
    """Offered load in Erlangs: the average number of calls in progress during the interval."""
    calls = _number("calls", calls, positive=False)
    aht_sec = _number("aht_sec", aht_sec, positive=True)
    interval_sec = _number("interval_sec", interval_sec, positive=True)
    return calls * aht_sec / interval_sec


def _blocking_at(agents: int, traffic: float) -> float:
    """Erlang B of `agents` ≤ traffic + 1 lines, from 1/B(N) = Σ_{k=0..N} N! / (k! · A^(N−k)) read from k = N
    down. Every term is at most about 1 and they fall like a normal tail once k is below the traffic, so the sum
    is complete after some nine standard deviations (≈ 9·√A terms) however large the traffic; the recursion from
    one line would need N steps, a billion for a forecast typo."""
    if traffic == 0:
        return 0.0
    total = term = 1.0
    for k in range(agents, 0, -1):
        term *= k / traffic
        total += term
        if k < traffic and term < total * 1e-20:
            break
    return 1 / total


def _erlang_b_series(traffic: float, first: int = 1) -> Iterator[tuple[int, float]]:
    """(N, Erlang B(N, traffic)) for N = first, first + 1, ...: B(N) = A·B(N−1) / (N + A·B(N−1))."""
    agents, blocking = first, _blocking_at(first, traffic)
    while True:
        yield agents, blocking
        agents += 1
        load = traffic * blocking
        blocking = load / (agents + load)


def _just_above(traffic: float) -> int:
    """The fewest agents that can keep up with the traffic: where every search of N begins."""
    return math.floor(traffic) + 1


def _erlang_b(agents: int, traffic: float) -> float:
    # Far above the traffic B falls below the smallest normal float within some 38·√A lines and only falls
    # further: it is 0 for every figure of the queue, and stopping there keeps a huge N from walking for hours.
    for lines, blocking in _erlang_b_series(traffic, min(agents, _just_above(traffic))):
        if lines == agents or blocking < sys.float_info.min:
            return blocking if lines == agents else 0.0
    raise AssertionError("the series is endless")


def _erlang_c(agents: int, traffic: float, blocking: float) -> float:
    if agents <= traffic:
        return 1.0
    return blocking / (1 - traffic / agents * (1 - blocking))


def _service_level(agents: int, traffic: float, pw: float, aht_sec: float, answer_within_sec: float) -> float:
    # An overloaded queue grows without bound: in the long run no call is answered in time.
    if agents <= traffic:
        return 0.0
    return 1 - pw * math.exp(-(agents - traffic) * answer_within_sec / aht_sec)


def _asa(agents: int, traffic: float, pw: float, aht_sec: float) -> float:
    if agents <= traffic:
        return math.inf
    return pw * aht_sec / (agents - traffic)


def erlang_b(agents: int, traffic: float) -> float:
    """Blocking probability of `agents` lines offered `traffic` Erlangs when calls cannot wait (Erlang B)."""
    agents = _positive_int("agents", agents)
    traffic = _number("traffic", traffic, positive=False)
    return _erlang_b(agents, traffic)


def wait_probability(agents: int, traffic: float) -> float:
    """Probability that a call has to wait (Erlang C); 1.0 when the agents cannot keep up with the traffic."""
    agents = _positive_int("agents", agents)
    traffic = _number("traffic", traffic, positive=False)
    return _erlang_c(agents, traffic, _erlang_b(agents, traffic))


def service_level(agents: int, traffic: float, aht_sec: float, answer_within_sec: float) -> float:
    """Share of calls answered within `answer_within_sec`; 0.0 when agents <= traffic."""
    pw = wait_probability(agents, traffic)
    aht_sec = _number("aht_sec", aht_sec, positive=True)
    answer_within_sec = _number("answer_within_sec", answer_within_sec, positive=False)
    return _service_level(agents, traffic, pw, aht_sec, answer_within_sec)


def average_speed_of_answer(agents: int, traffic: float, aht_sec: float) -> float:
    """Mean wait in seconds over all calls (ASA); infinite when agents <= traffic."""
    pw = wait_probability(agents, traffic)
    return _asa(agents, traffic, pw, _number("aht_sec", aht_sec, positive=True))


def occupancy(agents: int, traffic: float) -> float:
    """Share of the agents' time spent on calls: traffic / agents, at most 1."""
    agents = _positive_int("agents", agents)
    traffic = _number("traffic", traffic, positive=False)
    return min(1.0, traffic / agents)


def agents_for_service_level(
    traffic: float,
    aht_sec: float,
    service_level: float,
    answer_within_sec: float,
    max_occupancy: float | None = None,
) -> int:
    """Smallest number of agents N > traffic whose service level reaches `service_level` within
    `answer_within_sec` (and whose occupancy is at most `max_occupancy` when given); 0 when there is no traffic."""
    traffic = _number("traffic", traffic, positive=False)
    aht_sec = _number("aht_sec", aht_sec, positive=True)
    target = _fraction("service_level", service_level, allow_one=False)
    answer_within_sec = _number("answer_within_sec", answer_within_sec, positive=False)
    occupancy_cap = 1.0 if max_occupancy is None else _fraction("max_occupancy", max_occupancy, allow_one=True)
    if traffic == 0:
        return 0
    # The service level rises with N above the traffic (the target is below 1, so it is reached within a few
    # square roots of the traffic) and the occupancy falls: the answer is the larger of the two thresholds, and
    # the occupancy's is computed, not walked to (at 0.85 it lies 18 % of the traffic above it).
    for_service = next(
        agents
        for agents, blocking in _erlang_b_series(traffic, _just_above(traffic))
        if _service_level(agents, traffic, _erlang_c(agents, traffic, blocking), aht_sec, answer_within_sec) >= target
    )
    for_occupancy = max(_just_above(traffic), math.floor(traffic / occupancy_cap))
    while traffic / for_occupancy > occupancy_cap:
        for_occupancy += 1
    return max(for_service, for_occupancy)


def queue_metrics(agents: int, calls: float, aht_sec: float, rules: Rules) -> QueueMetrics:
    """Performance of one hour with `calls` offered and `agents` on the phones, against the rules' threshold."""
    traffic = traffic_erlangs(calls, aht_sec)
    pw = wait_probability(agents, traffic)
    return QueueMetrics(
        agents=agents,
        service_level=_service_level(agents, traffic, pw, aht_sec, rules.staffing.answer_within_sec),
        asa_sec=_asa(agents, traffic, pw, aht_sec),
        occupancy=occupancy(agents, traffic),
        wait_probability=pw,
    )


# --- the month ----------------------------------------------------------------------------------------------


def _ceil(value: float) -> int:
    # 21 / (1 - 0.3) is 30.000000000000004 in floating point; rounding first keeps it at 30 operators.
    return math.ceil(round(value, 9))


def staffing_plan(forecast: Forecast, rules: Rules) -> StaffingPlan:
    """Erlang C agents and operators required for every real hour of the forecast month.

    required = max(min_operators, ceil(agents / (1 − shrinkage))): shrinkage is paid time off the phones, so
    more operators must be rostered than are needed on the line.
    """
    staffing = rules.staffing
    agents_by_load: dict[tuple[float, float], int] = {}
    erlang_agents: list[int] = []
    for calls, aht_sec in zip(forecast.calls, forecast.aht_sec, strict=True):
        key = (calls, aht_sec)
        if key not in agents_by_load:
            agents_by_load[key] = agents_for_service_level(
                traffic_erlangs(calls, aht_sec, HOUR_SEC),
                aht_sec,
                staffing.service_level,
                staffing.answer_within_sec,
            )
        erlang_agents.append(agents_by_load[key])
    required = tuple(
        max(staffing.min_operators, _ceil(agents / (1 - staffing.shrinkage))) for agents in erlang_agents
    )
    return StaffingPlan(forecast=forecast, required=required, erlang_agents=tuple(erlang_agents))


def _plain_number(value: float) -> str:
    """12.0 -> '12', 12.5 -> '12.5': no float noise and no exponent in the CSV."""
    return f"{value:.6f}".rstrip("0").rstrip(".")


def staffing_csv(plan: StaffingPlan) -> str:
    """The plan as CSV text, one row per real hour; `interval_start` is local `YYYY-MM-DD HH:MM`, so the hour
    repeated when clocks go back appears twice, in time order."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_HEADER)
    forecast = plan.forecast
    for row in zip(forecast.month.hours, forecast.calls, forecast.aht_sec, plan.erlang_agents, plan.required):
        start, calls, aht_sec, agents, required = row
        writer.writerow(
            (start.strftime("%Y-%m-%d %H:%M"), _plain_number(calls), _plain_number(aht_sec), agents, required)
        )
    return out.getvalue()
