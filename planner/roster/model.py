"""The roster as a CP-SAT model: one Boolean per operator and shift option (a day and a start, or a shift type).

Reads top to bottom like OR-Tools' shift_scheduling_sat.py: data (a `RosterSpace`) -> variables (here) -> one
`add_<rule>` function per key under `rules:` in constraints.yaml -> objective (`build_model`). Hard rules
(`planner.roster.hard`) add constraints; soft rules (`planner.roster.soft`) add named penalty terms
`(variable, weight)`, so after a solve the report can say which wish was not granted and what it cost.

The rules read the horizon only through `RosterSpace`: a calendar month of hourly starts (`ShiftSpace`) and a
published benchmark of shift types (bench/curtois.py) are solved by the same functions.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from ortools.sat.python import cp_model

from planner.config import Rules
from planner.roster import hard, soft
from planner.roster.hard import template_allows
from planner.roster.soft import moved_beyond
from planner.roster.space import RosterSpace, ShiftOption, fits_window

# template_allows and moved_beyond live with their rules; the greedy roster and the aggregate ask them here.
__all__ = ["RosterModel", "Penalty", "build_model", "availability_allows", "starts_allowed", "RULES",
           "template_allows", "moved_beyond"]

Var = cp_model.IntVar


@dataclass(frozen=True)
class Penalty:
    """A soft-rule cost: `weight` per unit of `var`; `rule` and `subject` say what is being paid for."""

    rule: str
    subject: str
    var: Var
    weight: int


@dataclass
class RosterModel:
    space: RosterSpace
    model: cp_model.CpModel = field(default_factory=cp_model.CpModel)
    # (operator index, start hour index) -> "operator works a shift starting at that hour", for options on a clock
    starts: dict[tuple[int, int], Var] = field(default_factory=dict)
    penalties: list[Penalty] = field(default_factory=list)
    # The availability rule as the model applies it, before `candidates` narrow the search (see build_model).
    available: Callable[[int, ShiftOption], bool] = lambda op, option: True
    # Per operator, the (option, variable) pairs in day order.
    shifts: list[list[tuple[ShiftOption, Var]]] = field(default_factory=list)
    _worked: dict[tuple[int, int], Var | int] = field(default_factory=dict)
    _coverage: list[list[Var]] | None = None

    @property
    def rules(self) -> Rules:
        return self.space.rules

    def penalty_total(self) -> cp_model.LinearExpr:
        """The objective: every penalty at its weight."""
        return cp_model.LinearExpr.weighted_sum([penalty.var for penalty in self.penalties],
                                                [penalty.weight for penalty in self.penalties])

    def operator_starts(self, op: int) -> list[tuple[int, Var]]:
        """The operator's (start hour, variable) pairs in time order, for options on a clock."""
        return [(option.start, var) for option, var in self.shifts[op] if option.start is not None]

    def day_shifts(self, op: int) -> list[list[Var]]:
        per_day: list[list[Var]] = [[] for _ in range(self.space.day_count)]
        for option, var in self.shifts[op]:
            per_day[option.day].append(var)
        return per_day

    def worked(self, op: int, day: int) -> Var | int:
        """1 when the operator works that day (a Boolean, or the constant 0 when no shift is open that day)."""
        if (op, day) not in self._worked:
            day_vars = [var for option, var in self.shifts[op] if option.day == day]
            if len(day_vars) > 1:
                any_shift = self.model.new_bool_var(f"works_{self.space.limits[op].operator_id}_d{day}")
                self.model.add(any_shift == sum(day_vars))
                self._worked[op, day] = any_shift
            else:
                self._worked[op, day] = day_vars[0] if day_vars else 0
        return self._worked[op, day]

    def known(self, op: int, day: int) -> Var | int | None:
        """`worked` on any day, before the horizon too: 1 or 0 from last month's shifts where they are known,
        None where nothing is."""
        if day >= 0:
            return self.worked(op, day)
        if -day > self.space.limits[op].history_days:
            return None
        return self.worked_last_month(op, day)

    def worked_last_month(self, op: int, day: int) -> int:
        """1 when last month's shifts have the operator working on `day` (< 0), else 0."""
        return int(any(past.day == day for past in self.space.limits[op].history))

    def timed(self, op: int) -> list[tuple[int, int, Var]]:
        """The operator's shifts on a clock as (start hour, end hour, variable), in time order."""
        return sorted(((option.start, option.start - (-option.minutes // 60), var)
                       for option, var in self.shifts[op] if option.start is not None), key=lambda shift: shift[0])

    def coverage(self) -> list[list[Var]]:
        """For each hour of the horizon, the shift variables covering it."""
        if self._coverage is None:
            cover: list[list[Var]] = [[] for _ in self.space.required]
            for op_shifts in self.shifts:
                for option, var in op_shifts:
                    for hour in option.hours:
                        cover[hour].append(var)
            self._coverage = cover
        return self._coverage

    def can_take(self, op: int, kind: Callable[[ShiftOption], bool]) -> bool:
        return can_take(self.space, self.available, op, kind)

    def penalise(self, rule: str, subject: str, var: Var, weight: int) -> None:
        if weight > 0:
            self.penalties.append(Penalty(rule, subject, var, weight))


# --- variables, and the availability rule that shapes them -----------------------------------------------------


def add_shifts(m: RosterModel, allowed: Callable[[int, ShiftOption], bool]) -> None:
    """One Boolean per operator and option the availability rule leaves open, at most one shift a day."""
    for op, limits in enumerate(m.space.limits):
        op_shifts: list[tuple[ShiftOption, Var]] = []
        for option in m.space.options(op):
            if allowed(op, option):
                name = f"work_{limits.operator_id}_d{option.day}_{option.shift_type}_{option.start}"
                var = m.model.new_bool_var(name)
                op_shifts.append((option, var))
                if option.start is not None:
                    m.starts[op, option.start] = var
        m.shifts.append(op_shifts)
        for day_vars in m.day_shifts(op):
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


def availability_allows(space: RosterSpace) -> Callable[[int, ShiftOption], bool]:
    """Rule `availability`: a shift lies inside the operator's window of that day (their weekly hours on that
    weekday, else their daily window) and starts on no unavailable day (the fixed days off of a benchmark).

    Applied as the domain of the shift variables (see `build_model`): a shift the rule forbids never becomes a
    variable, which keeps students' evening-only months small. The planner's locked cells narrow the domain the
    same way (`add_locked_cells` then makes a kept shift compulsory).
    """

    def allowed(op: int, option: ShiftOption) -> bool:
        limits = space.limits[op]
        if option.day in limits.unavailable_days or not space.lock_allows(op, option):
            return False
        window = limits.day_windows.get(option.day, (limits.earliest_start, limits.latest_end))
        return option.wall is None or fits_window(*option.wall, *window)

    return allowed


def can_take(space: RosterSpace, available: Callable[[int, ShiftOption], bool], op: int,
             kind: Callable[[ShiftOption], bool]) -> bool:
    """Whether availability lets the operator work a shift of this kind at all: who shares a fairness rule's
    load. Decided on every option, not on the variables, so that narrowing the candidates never changes it."""
    return any(kind(option) and available(op, option) for option in space.options(op))


def starts_allowed(space) -> Callable[[int, int], bool]:
    """`availability_allows` and `shift_templates` for a `ShiftSpace`, by start hour: what the greedy roster and
    the capacity check ask."""
    allowed = availability_allows(space)

    def start_allowed(op: int, start: int) -> bool:
        option = space.option(op, start)
        return allowed(op, option) and template_allows(space.limits[op], option)

    return start_allowed


# --- rules and objective ---------------------------------------------------------------------------------------


# The model's rules in the order they are added; keys are the rule names of constraints.yaml.
# `availability` is not here: it shapes the variables themselves (see `build_model`).
RULES: dict[str, Callable[[RosterModel], None]] = {
    "rest_between_shifts": hard.add_rest_between_shifts,
    "max_consecutive_days": hard.add_max_consecutive_days,
    "max_consecutive_nights": hard.add_max_consecutive_nights,
    "monthly_norm": hard.add_monthly_norm,
    "min_consecutive_days": hard.add_min_consecutive_days,
    "min_consecutive_days_off": hard.add_min_consecutive_days_off,
    "max_working_weekends": hard.add_max_working_weekends,
    "max_shifts_per_type": hard.add_max_shifts_per_type,
    "forbidden_successions": hard.add_forbidden_successions,
    "forward_rotation": hard.add_forward_rotation,
    "shift_templates": hard.add_shift_templates,
    "weekly_rest": hard.add_weekly_rest,
    "shortfall": soft.add_shortfall,
    "overstaffing": soft.add_overstaffing,
    "days_off_wished": soft.add_days_off_wished,
    "fair_nights": soft.add_fair_nights,
    "fair_weekends": soft.add_fair_weekends,
    "shift_type_cover": soft.add_shift_type_cover,
    "shift_requests": soft.add_shift_requests,
    "start_time_stability": soft.add_start_time_stability,
}


def build_model(
    space: RosterSpace,
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
        def allowed(op: int, option: ShiftOption) -> bool:
            kept = option.start is not None and space.locked.get((op, option.day), -1) == option.start
            proposed = option.start is not None and candidates(op, option.start)
            return (kept or proposed) and available(op, option)
    add_shifts(m, allowed)
    add_locked_cells(m)
    for name, add_rule in RULES.items():
        if name not in without:
            add_rule(m)
    m.model.minimize(m.penalty_total())
    return m
