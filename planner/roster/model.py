"""The monthly roster as a CP-SAT model: one Boolean per operator and allowed start hour.

Reads top to bottom like OR-Tools' shift_scheduling_sat.py: data (`ShiftSpace`) -> variables -> one
`add_<rule>` function per key under `rules:` in constraints.yaml -> objective. Hard rules add constraints;
soft rules add named penalty terms `(variable, weight)`, so after a solve the report can say which wish was not
granted and what it cost.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from ortools.sat.python import cp_model

from planner.config import Rules
from planner.roster.space import ShiftSpace, fits_window

__all__ = ["RosterModel", "Penalty", "build_model", "RULES"]


@dataclass(frozen=True)
class Penalty:
    """A soft-rule cost: `weight` per unit of `var`; `rule` and `subject` say what is being paid for."""

    rule: str
    subject: str
    var: cp_model.IntVar
    weight: int


@dataclass
class RosterModel:
    space: ShiftSpace
    model: cp_model.CpModel = field(default_factory=cp_model.CpModel)
    # (operator index, start hour index) -> "operator works a shift starting at that hour"
    starts: dict[tuple[int, int], cp_model.IntVar] = field(default_factory=dict)
    penalties: list[Penalty] = field(default_factory=list)
    # The availability rule as the model applies it, before `candidates` narrow the search (see build_model).
    available: Callable[[int, int], bool] = lambda op, start: True
    _by_operator: list[list[tuple[int, cp_model.IntVar]]] = field(default_factory=list)
    _coverage: list[list[cp_model.IntVar]] | None = None

    @property
    def rules(self) -> Rules:
        return self.space.rules

    def operator_starts(self, op: int) -> list[tuple[int, cp_model.IntVar]]:
        """The operator's (start hour, variable) pairs in time order."""
        return self._by_operator[op]

    def day_starts(self, op: int) -> list[list[cp_model.IntVar]]:
        month = self.space.month
        per_day: list[list[cp_model.IntVar]] = [[] for _ in month.days]
        for start, var in self.operator_starts(op):
            per_day[month.day_of_hour[start]].append(var)
        return per_day

    def coverage(self) -> list[list[cp_model.IntVar]]:
        """For each hour of the month, the start variables whose shift covers it."""
        if self._coverage is None:
            cover: list[list[cp_model.IntVar]] = [[] for _ in range(self.space.hour_count)]
            for (op, start), var in self.starts.items():
                for hour in self.space.covered_hours(start, self.space.terms[op].shift_hours):
                    cover[hour].append(var)
            self._coverage = cover
        return self._coverage

    def can_take(self, op: int, kind: Callable[[int], bool]) -> bool:
        """Whether availability lets the operator work a shift of this kind at all. Decided on every start, not
        on the variables, so that narrowing the candidates never changes who shares a fairness rule's load."""
        return any(kind(start) and self.available(op, start) for day in self.space.starts_by_day for start in day)

    def penalise(self, rule: str, subject: str, var: cp_model.IntVar, weight: int) -> None:
        if weight > 0:
            self.penalties.append(Penalty(rule, subject, var, weight))


# --- variables -------------------------------------------------------------------------------------------------


def add_shift_starts(m: RosterModel, allowed: Callable[[int, int], bool]) -> None:
    """One Boolean per operator and start hour the availability rule leaves open, at most one start a day."""
    space = m.space
    for op, terms in enumerate(space.terms):
        m._by_operator.append([])
        for day_starts in space.starts_by_day:
            day_vars = []
            for start in day_starts:
                if allowed(op, start):
                    var = m.model.new_bool_var(f"work_{terms.operator.id}_{space.start_time(start):%m%d_%H}")
                    m.starts[op, start] = var
                    m._by_operator[op].append((start, var))
                    day_vars.append(var)
            if len(day_vars) > 1:
                m.model.add_at_most_one(day_vars)


def add_locked_cells(m: RosterModel) -> None:
    """The planner's locked cells: a kept shift is worked (a kept day off needs nothing more: no start of that day
    is in the domain). Not a rule of constraints.yaml but the planner's own decision, so it is added whatever
    `without` says."""
    for (op, _day), start in m.space.locked.items():
        if start is not None:
            var = m.starts.get((op, start))
            if var is None:
                m.model.add_bool_or([])  # a kept shift the availability rule forbids: no roster can keep it
            else:
                m.model.add(var == 1)


# --- hard rules ------------------------------------------------------------------------------------------------


def availability_allows(space: ShiftSpace) -> Callable[[int, int], bool]:
    """Rule `availability`: a shift lies inside the operator's daily window and starts on no unavailable date.

    Applied as the domain of the start variables (see `build_model`): a start the rule forbids never becomes a
    variable, which keeps students' evening-only months small. The planner's locked cells narrow the domain the
    same way (`add_locked_cells` then makes a kept shift compulsory).
    """

    def allowed(op: int, start: int) -> bool:
        terms = space.terms[op]
        operator = terms.operator
        if space.day_of(start) in operator.unavailable or not space.lock_allows(op, start):
            return False
        begin, end = space.wall_minutes(start, terms.shift_hours)
        return fits_window(begin, end, operator.earliest_start, operator.latest_end)

    return allowed


def add_rest_between_shifts(m: RosterModel) -> None:
    """Rule `rest_between_shifts`: two starts of one operator are at least shift length + min rest apart.

    Encoded as "at most one start in every window of that length", the tight clique form, and only for windows
    reaching into a second day (starts of one day are already at most one).
    """
    rest = m.rules.rules.rest_between_shifts.min_hours
    day_of_hour = m.space.month.day_of_hour
    for op, terms in enumerate(m.space.terms):
        starts = m.operator_starts(op)
        span = terms.shift_hours + rest
        for i, (first, _) in enumerate(starts):
            window = [var for start, var in starts[i:] if start < first + span]
            if len(window) > 1 and day_of_hour[min(first + span - 1, len(day_of_hour) - 1)] != day_of_hour[first]:
                m.model.add_at_most_one(window)


def add_max_consecutive_days(m: RosterModel) -> None:
    """Rule `max_consecutive_days`: in every run of max_days + 1 days at least one is free."""
    limit = m.rules.rules.max_consecutive_days.max_days
    for op in range(len(m.space.terms)):
        per_day = m.day_starts(op)
        for first in range(len(per_day) - limit):
            window = [var for day in per_day[first : first + limit + 1] for var in day]
            if len(window) > limit:
                m.model.add(sum(window) <= limit)


def add_monthly_norm(m: RosterModel) -> None:
    """Rule `monthly_norm`: worked hours within norm +/- tolerance_shifts shift lengths (as a count of shifts,
    every shift of a contract having the same length)."""
    for op, terms in enumerate(m.space.terms):
        worked = [var for _, var in m.operator_starts(op)]
        m.model.add_linear_constraint(sum(worked), terms.min_shifts, terms.max_shifts)


# --- soft rules ------------------------------------------------------------------------------------------------


def add_shortfall(m: RosterModel) -> None:
    """Rule `shortfall`: operators missing against `required`, per hour; soft so a roster always comes back."""
    weight = m.rules.rules.shortfall.weight
    for hour, (need, cover) in enumerate(zip(m.space.plan.required, m.coverage(), strict=True)):
        if need == 0:
            continue
        short = m.model.new_int_var(0, need, f"shortfall_h{hour}")
        m.model.add(sum(cover) + short >= need)
        m.penalise("shortfall", m.space.month.hours[hour].strftime("%Y-%m-%d %H:00"), short, weight)


def add_overstaffing(m: RosterModel) -> None:
    """Rule `overstaffing`: operators scheduled above `required`, per hour."""
    weight = m.rules.rules.overstaffing.weight
    if weight == 0:
        return
    for hour, (need, cover) in enumerate(zip(m.space.plan.required, m.coverage(), strict=True)):
        if len(cover) <= need:
            continue
        over = m.model.new_int_var(0, len(cover) - need, f"overstaffing_h{hour}")
        m.model.add(sum(cover) - over <= need)
        m.penalise("overstaffing", m.space.month.hours[hour].strftime("%Y-%m-%d %H:00"), over, weight)


def add_days_off_wished(m: RosterModel) -> None:
    """Rule `days_off_wished`: a shift on a wished day off costs `weight`."""
    weight = m.rules.rules.days_off_wished.weight
    month = m.space.month
    for op, terms in enumerate(m.space.terms):
        per_day = m.day_starts(op)
        for day in sorted(terms.operator.days_off_wished):
            if day not in month.days or not per_day[month.days.index(day)]:
                continue
            granted_not = m.model.new_bool_var(f"days_off_wished_{terms.operator.id}_{day}")
            m.model.add(sum(per_day[month.days.index(day)]) == granted_not)
            m.penalise("days_off_wished", f"{terms.operator.id} {day}", granted_not, weight)


def _add_fair_spread(m: RosterModel, rule: str, weight: int, counts: Iterable[tuple[str, list]]) -> None:
    """Penalise the difference between the most and the least loaded operator who can take such shifts (the
    callers pass only those; one whose such starts were all left out of the search has a load of 0)."""
    loads = []
    for op_id, shifts in counts:
        load = m.model.new_int_var(0, len(m.space.month.days), f"{rule}_count_{op_id}")
        m.model.add(load == sum(shifts))
        loads.append(load)
    if weight == 0 or len(loads) < 2:
        return
    top = m.model.new_int_var(0, len(m.space.month.days), f"{rule}_max")
    bottom = m.model.new_int_var(0, len(m.space.month.days), f"{rule}_min")
    m.model.add_max_equality(top, loads)
    m.model.add_min_equality(bottom, loads)
    spread = m.model.new_int_var(0, len(m.space.month.days), f"{rule}_spread")
    m.model.add(spread == top - bottom)
    m.penalise(rule, "spread between operators", spread, weight)


def add_fair_nights(m: RosterModel) -> None:
    """Rule `fair_nights`: night shifts shared evenly among the operators whose window allows them."""
    space = m.space
    _add_fair_spread(
        m,
        "fair_nights",
        m.rules.rules.fair_nights.weight,
        (
            (terms.operator.id, [var for start, var in m.operator_starts(op)
                                 if space.is_night_shift(start, terms.shift_hours)])
            for op, terms in enumerate(space.terms)
            if m.can_take(op, lambda start, length=terms.shift_hours: space.is_night_shift(start, length))
        ),
    )


def add_fair_weekends(m: RosterModel) -> None:
    """Rule `fair_weekends`: shifts on Saturdays, Sundays and public holidays shared evenly."""
    space = m.space
    _add_fair_spread(
        m,
        "fair_weekends",
        m.rules.rules.fair_weekends.weight,
        (
            (terms.operator.id, [var for start, var in m.operator_starts(op) if space.is_weekend_start(start)])
            for op, terms in enumerate(space.terms)
            if m.can_take(op, space.is_weekend_start)
        ),
    )


# The model's rules in the order they are added; keys are the rule names of constraints.yaml.
# `availability` is not here: it shapes the variables themselves (see `build_model`).
RULES: dict[str, Callable[[RosterModel], None]] = {
    "rest_between_shifts": add_rest_between_shifts,
    "max_consecutive_days": add_max_consecutive_days,
    "monthly_norm": add_monthly_norm,
    "shortfall": add_shortfall,
    "overstaffing": add_overstaffing,
    "days_off_wished": add_days_off_wished,
    "fair_nights": add_fair_nights,
    "fair_weekends": add_fair_weekends,
}


def build_model(
    space: ShiftSpace,
    *,
    without: frozenset[str] = frozenset(),
    candidates: Callable[[int, int], bool] | None = None,
) -> RosterModel:
    """The full model. `without` switches rules off by name — for tests proving each rule matters, and for
    explaining an impossible month by relaxing one rule at a time. `candidates`, when given, narrows the starts
    considered (the search space, not a rule: the solve uses it to keep a month's model small)."""
    available = space.lock_allows if "availability" in without else availability_allows(space)
    m = RosterModel(space, available=available)
    if candidates is None:
        allowed = available
    else:
        def allowed(op: int, start: int) -> bool:
            kept = space.locked.get((op, space.month.day_of_hour[start]), -1) == start
            return (kept or candidates(op, start)) and available(op, start)
    add_shift_starts(m, allowed)
    add_locked_cells(m)
    for name, add_rule in RULES.items():
        if name not in without:
            add_rule(m)
    m.model.minimize(sum(p.weight * p.var for p in m.penalties))
    return m
