"""The soft rules of the roster model: each `add_<rule>` prices its key under `rules:` in constraints.yaml with
named penalty terms (`RosterModel.penalise`). What it constrains only ties a cost to the shifts, so no soft rule
makes a month impossible, and the report can say which wish was not granted and what it cost."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING

from ortools.sat.python import cp_model

from planner.roster.space import DayRequest, OperatorLimits, ShiftOption

if TYPE_CHECKING:  # only as types: planner.roster.model imports this module for its RULES
    from planner.roster.model import RosterModel, Var


def add_shortfall(m: RosterModel) -> None:
    """Rule `shortfall`: operators missing against `required`, per hour; soft so a roster always comes back."""
    weight = m.rules.rules.shortfall.weight
    for hour, (need, cover) in enumerate(zip(m.space.required, m.coverage(), strict=True)):
        if need == 0:
            continue
        short = m.model.new_int_var(0, need, f"shortfall_h{hour}")
        m.model.add(sum(cover) + short >= need)
        m.penalise("shortfall", m.space.hour_label(hour), short, weight)


def add_overstaffing(m: RosterModel) -> None:
    """Rule `overstaffing`: operators scheduled above `required`, per hour."""
    weight = m.rules.rules.overstaffing.weight
    if weight == 0:
        return
    for hour, (need, cover) in enumerate(zip(m.space.required, m.coverage(), strict=True)):
        if len(cover) <= need:
            continue
        over = m.model.new_int_var(0, len(cover) - need, f"overstaffing_h{hour}")
        m.model.add(sum(cover) - over <= need)
        m.penalise("overstaffing", m.space.hour_label(hour), over, weight)


def add_shift_type_cover(m: RosterModel) -> None:
    """Rule `shift_type_cover`: operators on shifts of a type per day against the wanted number, each one
    missing or too many at its own weight."""
    on_shift: dict[tuple[int, str], list[Var]] = {}
    for op_shifts in m.shifts:
        for option, var in op_shifts:
            on_shift.setdefault((option.day, option.shift_type), []).append(var)
    for (day, kind), need in sorted(m.space.cover_needs.items()):
        cover = on_shift.get((day, kind), [])
        subject = f"{m.space.day_label(day)} {kind}"
        if need.weight_under and need.requirement:
            short = m.model.new_int_var(0, need.requirement, f"cover_under_d{day}_{kind}")
            m.model.add(sum(cover) + short >= need.requirement)
            m.penalise("shift_type_cover", subject, short, need.weight_under)
        if need.weight_over and len(cover) > need.requirement:
            over = m.model.new_int_var(0, len(cover) - need.requirement, f"cover_over_d{day}_{kind}")
            m.model.add(sum(cover) - over <= need.requirement)
            m.penalise("shift_type_cover", subject, over, need.weight_over)


def _add_requests(m: RosterModel, rule: str, op: int, requests: Iterable[DayRequest], scale: int) -> None:
    """Each request not granted costs its weight times `scale`: a shift asked for and not worked, or a shift
    asked off and worked (a request of kind "" speaks of any shift that day)."""
    operator_id = m.space.limits[op].operator_id
    for request in requests:
        on_it = [var for option, var in m.shifts[op]
                 if option.day == request.day and request.shift_type in ("", option.shift_type)]
        if request.work:
            missed = m.model.new_bool_var(f"{rule}_{operator_id}_d{request.day}_{request.shift_type}")
            m.model.add(sum(on_it) + missed >= 1)
        elif on_it:
            missed = m.model.new_bool_var(f"{rule}_{operator_id}_d{request.day}_{request.shift_type}")
            m.model.add(sum(on_it) == missed)
        else:
            continue
        subject = f"{operator_id} {m.space.day_label(request.day)}" + (
            f" {request.shift_type}" if request.shift_type else "")
        m.penalise(rule, subject, missed, request.weight * scale)


def add_days_off_wished(m: RosterModel) -> None:
    """Rule `days_off_wished`: a shift on a wished day off costs `weight`."""
    weight = m.rules.rules.days_off_wished.weight
    for op, limits in enumerate(m.space.limits):
        _add_requests(m, "days_off_wished", op,
                      (DayRequest(day, "", False, 1) for day in sorted(limits.wished_days_off)), weight)


def add_shift_requests(m: RosterModel) -> None:
    """Rule `shift_requests`: operators' requests to work or not to work a shift type on a day, each at its own
    weight times the rule's."""
    for op, limits in enumerate(m.space.limits):
        _add_requests(m, "shift_requests", op, limits.requests, m.rules.rules.shift_requests.weight)


def add_start_time_stability(m: RosterModel) -> None:
    """Rule `start_time_stability`: each hour an operator's start moves beyond tolerance_hours from one working
    day to the next costs `weight` (on the 24-hour clock, so 23:00 to 01:00 is two hours).

    One cost variable per operator and day: for each start `a` of the day before, cost >= the move from `a` to
    the start taken today, less the largest such move when `a` was not worked (at most one start a day)."""
    rule = m.rules.rules.start_time_stability
    if rule.weight == 0:
        return
    beyond = [[moved_beyond(before, after, rule.tolerance_hours) for after in range(24)] for before in range(24)]
    for op, limits in enumerate(m.space.limits):
        by_day: list[list[tuple[int, Var]]] = [[] for _ in range(m.space.day_count)]
        for option, var in m.shifts[op]:
            if option.clock_hour is not None:
                by_day[option.day].append((option.clock_hour, var))
        last = max((past for past in limits.history if past.day == -1), key=lambda past: past.start, default=None)
        yesterday: Sequence[tuple[int, Var | int]] = [] if last is None else [(last.clock_hour, 1)]
        for day, today in enumerate(by_day):
            costs: list[tuple[Var | int, list[tuple[int, Var]]]] = [
                (worked, [(beyond[before][hour], var) for hour, var in today]) for before, worked in yesterday]
            if any(cost for _, moves in costs for cost, _ in moves):
                moved = m.model.new_int_var(0, 12, f"start_time_stability_{limits.operator_id}_d{day}")
                for worked, moves in costs:
                    largest = max(cost for cost, _ in moves)
                    if largest:
                        moving = [(cost, var) for cost, var in moves if cost]
                        m.model.add(moved >= cp_model.LinearExpr.weighted_sum([var for _, var in moving],
                                                                               [cost for cost, _ in moving])
                                    - largest * (1 - worked))
                m.penalise("start_time_stability", f"{limits.operator_id} {m.space.day_label(day)}", moved,
                           rule.weight)
            yesterday = today


def moved_beyond(before: int, after: int, tolerance: int) -> int:
    """Hours a start moves from clock hour `before` to `after` beyond `tolerance`, on the 24-hour clock."""
    apart = abs(after - before) % 24
    return max(0, min(apart, 24 - apart) - tolerance)


def _add_fair_spread(m: RosterModel, rule: str, weight: int, counts: Callable[[ShiftOption], bool],
                     past: Callable[[OperatorLimits], int]) -> None:
    """Penalise the difference between the most and the least loaded operator among those whose availability
    lets them take such shifts (`counts`), the months before (`past`, the ledger) included; one whose such shifts
    were all left out of the search has this month's load 0."""
    most = m.space.day_count + max((past(limits) for limits in m.space.limits), default=0)
    loads = []
    for op, limits in enumerate(m.space.limits):
        if not m.can_take(op, counts):
            continue
        load = m.model.new_int_var(0, most, f"{rule}_count_{limits.operator_id}")
        m.model.add(load == past(limits) + sum(var for option, var in m.shifts[op] if counts(option)))
        loads.append(load)
    if weight == 0 or len(loads) < 2:
        return
    top = m.model.new_int_var(0, most, f"{rule}_max")
    bottom = m.model.new_int_var(0, most, f"{rule}_min")
    m.model.add_max_equality(top, loads)
    m.model.add_min_equality(bottom, loads)
    spread = m.model.new_int_var(0, most, f"{rule}_spread")
    m.model.add(spread == top - bottom)
    m.penalise(rule, "spread between operators", spread, weight)


def add_fair_nights(m: RosterModel) -> None:
    """Rule `fair_nights`: night shifts shared evenly among the operators whose window allows them."""
    _add_fair_spread(m, "fair_nights", m.rules.rules.fair_nights.weight, lambda option: option.night,
                     lambda limits: limits.past_nights)


def add_fair_weekends(m: RosterModel) -> None:
    """Rule `fair_weekends`: shifts on Saturdays, Sundays and public holidays shared evenly."""
    weekend_days = m.space.weekend_days
    _add_fair_spread(m, "fair_weekends", m.rules.rules.fair_weekends.weight,
                     lambda option: option.day in weekend_days, lambda limits: limits.past_weekends)
