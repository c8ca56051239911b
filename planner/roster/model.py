"""The roster as a CP-SAT model: one Boolean per operator and shift option (a day and a start, or a shift type).

Reads top to bottom like OR-Tools' shift_scheduling_sat.py: data (a `RosterSpace`) -> variables -> one
`add_<rule>` function per key under `rules:` in constraints.yaml -> objective. Hard rules add constraints;
soft rules add named penalty terms `(variable, weight)`, so after a solve the report can say which wish was not
granted and what it cost.

The rules read the horizon only through `RosterSpace`: a calendar month of hourly starts (`ShiftSpace`) and a
published benchmark of shift types (bench/curtois.py) are solved by the same functions. Runs of days and days off
are cut by the horizon's edges; a run touching an edge is never too short, since the periods around it go on.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from ortools.sat.python import cp_model

from planner.config import Rules
from planner.roster.space import OperatorLimits, RosterSpace, ShiftOption, ShiftRequest, fits_window

__all__ = ["RosterModel", "Penalty", "build_model", "availability_allows", "starts_allowed", "RULES"]

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
        limits = self.space.limits[op]
        if -day > limits.history_days:
            return None
        return int(any(past.day == day for past in limits.history))

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


# --- variables -------------------------------------------------------------------------------------------------


def add_shifts(m: RosterModel, allowed: Callable[[int, ShiftOption], bool]) -> None:
    """One Boolean per operator and option the availability rule leaves open, at most one shift a day."""
    for op, limits in enumerate(m.space.limits):
        op_shifts: list[tuple[ShiftOption, Var]] = []
        for option in m.space.options(op):
            if allowed(op, option):
                name = f"work_{limits.operator_id}_d{option.day}_{option.kind}_{option.start}"
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


# --- hard rules ------------------------------------------------------------------------------------------------


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


def template_allows(limits: OperatorLimits, option: ShiftOption) -> bool:
    """Rule `shift_templates`: the shift starts at one of its contract's start times (any, when it has none)."""
    return limits.template_starts is None or option.wall is None or option.wall[0] in limits.template_starts


def add_rest_between_shifts(m: RosterModel) -> None:
    """Rule `rest_between_shifts`: from the end of a shift to the start of the next at least min_hours.

    Shifts of one operator all have the contract's length, so "at most one start in every window of length +
    rest hours" says it: the tight clique form, added only for windows reaching into a second day (the shifts of
    one day are already at most one). Options without a clock time have no rest to keep.
    """
    rest = m.rules.rules.rest_between_shifts.min_hours
    for op in range(len(m.shifts)):
        timed = sorted(((option, var) for option, var in m.shifts[op] if option.start is not None),
                       key=lambda shift: shift[0].start)
        begins = [option.start for option, _ in timed]
        for i, (first, _) in enumerate(timed):
            span = -(-first.minutes // 60) + rest
            window = timed[i:bisect.bisect_left(begins, first.start + span)]
            if len(window) > 1 and window[-1][0].day != first.day:
                m.model.add_at_most_one(var for _, var in window)
        # Last month's shifts: nothing starts before the rest after the last of them is over.
        history = m.space.limits[op].history
        if history:
            rested_from = max(past.end for past in history) + rest
            for option, var in timed:
                if option.start < rested_from:
                    m.model.add(var == 0)


def add_max_consecutive_days(m: RosterModel) -> None:
    """Rule `max_consecutive_days`: in every run of max_days + 1 days at least one is free."""
    for op, limits in enumerate(m.space.limits):
        limit = limits.max_consecutive_days
        per_day = m.day_shifts(op)
        # Windows reaching back into last month count its worked days as they were.
        for first in range(-min(limit, limits.history_days), len(per_day) - limit):
            window = [var for day in per_day[max(first, 0) : first + limit + 1] for var in day]
            before = sum(m.known(op, day) for day in range(first, min(first + limit + 1, 0)))
            if len(window) + before > limit:
                m.model.add(sum(window) <= limit - before)


def add_max_consecutive_nights(m: RosterModel) -> None:
    """Rule `max_consecutive_nights`: in every run of max_nights + 1 days at most max_nights with a night shift,
    last month's nights counted where they are known."""
    limit = m.rules.rules.max_consecutive_nights.max_nights
    if limit is None:
        return
    for op, limits in enumerate(m.space.limits):
        nights = [[] for _ in range(m.space.day_count)]
        for option, var in m.shifts[op]:
            if option.night:
                nights[option.day].append(var)
        past = {shift.day for shift in limits.history if shift.night}
        for first in range(-min(limit, limits.history_days), m.space.day_count - limit):
            window = [var for day in nights[max(first, 0) : first + limit + 1] for var in day]
            before = sum(day in past for day in range(first, min(first + limit + 1, 0)))
            if len(window) + before > limit:
                m.model.add(sum(window) <= limit - before)


def _forbid_short_runs(m: RosterModel, op: int, shortest: int, of_work: bool) -> None:
    """No run of worked days (`of_work`) or of days off shorter than `shortest` with both its ends inside the
    horizon: every pattern edge-run-edge of a shorter run is cut by one clause."""
    days = m.space.day_count
    # With last month's shifts known, a run may begin before the first day: its days then are constants.
    known_before = m.space.limits[op].history_days
    for length in range(1, shortest):
        for first in range(1 - known_before, days - length):
            if first + length < 0:
                continue  # a run last month began and ended is that month's business
            # (whether the operator works that day, the value it has in the pattern)
            pattern = [(m.known(op, day), of_work) for day in range(first, first + length)]
            pattern += [(m.known(op, first - 1), not of_work), (m.known(op, first + length), not of_work)]
            if any(isinstance(works, int) and bool(works) != value for works, value in pattern):
                # A day the pattern needs is fixed otherwise (no shift open, or last month's): it cannot happen.
                continue
            if all(value == (isinstance(works, int) and bool(works)) for works, value in pattern):
                continue  # last month made this run on its own, with this month free: that month's breach
            m.model.add_bool_or(works.Not() if value else works
                                for works, value in pattern if not isinstance(works, int))


def add_min_consecutive_days(m: RosterModel) -> None:
    """Rule `min_consecutive_days`: every run of working days inside the horizon lasts at least min_days."""
    for op, limits in enumerate(m.space.limits):
        _forbid_short_runs(m, op, limits.min_consecutive_days, of_work=True)


def add_min_consecutive_days_off(m: RosterModel) -> None:
    """Rule `min_consecutive_days_off`: every run of days off inside the horizon lasts at least min_days."""
    for op, limits in enumerate(m.space.limits):
        _forbid_short_runs(m, op, limits.min_consecutive_days_off, of_work=False)


def add_max_working_weekends(m: RosterModel) -> None:
    """Rule `max_working_weekends`: weekends with a shift on Saturday or Sunday, at most max_weekends."""
    for op, limits in enumerate(m.space.limits):
        if limits.max_weekends is None:
            continue
        weekends = []
        for days in m.space.weekends:
            worked = [w for day in days if not isinstance(w := m.worked(op, day), int)]
            if not worked:
                continue
            weekend = m.model.new_bool_var(f"weekend_{limits.operator_id}_d{days[0]}")
            m.model.add_max_equality(weekend, worked)
            weekends.append(weekend)
        if len(weekends) > limits.max_weekends:
            m.model.add(sum(weekends) <= limits.max_weekends)


def add_max_shifts_per_type(m: RosterModel) -> None:
    """Rule `max_shifts_per_type`: at most so many shifts of a type over the horizon."""
    for op, limits in enumerate(m.space.limits):
        for kind, most in limits.max_shifts_per_kind.items():
            of_kind = [var for option, var in m.shifts[op] if option.kind == kind]
            if len(of_kind) > most:
                m.model.add(sum(of_kind) <= most)


def add_shift_templates(m: RosterModel) -> None:
    """Rule `shift_templates`: shifts start only at their contract's start times."""
    for op, limits in enumerate(m.space.limits):
        for option, var in m.shifts[op]:
            if not template_allows(limits, option):
                m.model.add(var == 0)


def add_forbidden_successions(m: RosterModel) -> None:
    """Rule `forbidden_successions`: no shift of type `then` on the day after a shift of type `first`."""
    _forbid_successions(m, m.space.forbidden_successions)


def add_forward_rotation(m: RosterModel) -> None:
    """Rule `forward_rotation`: on consecutive working days the shift type never goes back in the rotation's
    order (day -> evening -> night); a day off starts it again."""
    _forbid_successions(m, m.rules.rules.forward_rotation.backward_pairs)


def _forbid_successions(m: RosterModel, pairs: frozenset[tuple[str, str]]) -> None:
    """No shift of type `then` on the day after one of type `first`, for each pair; last month's last day
    included."""
    if not pairs:
        return
    for op in range(len(m.shifts)):
        by_day_kind: dict[tuple[int, str], list[Var]] = {}
        for option, var in m.shifts[op]:
            by_day_kind.setdefault((option.day, option.kind), []).append(var)
        for (day, kind), first in by_day_kind.items():
            for before, then in pairs:
                if before == kind and (after := by_day_kind.get((day + 1, then))):
                    m.model.add(sum(first) + sum(after) <= 1)
        for past in m.space.limits[op].history:
            for before, then in pairs:
                if past.day == -1 and past.kind == before:
                    for var in by_day_kind.get((0, then), []):
                        m.model.add(var == 0)


def add_weekly_rest(m: RosterModel) -> None:
    """Rule `weekly_rest`: at least min_hours of uninterrupted rest in every week, calendar or rolling.

    A rest of that length begins where a shift ends or where the week does, so each such moment `u` gets a
    Boolean "nothing is worked in [u, u + min_hours)" and every week needs one of them. Last month's shifts block
    the rest like any other; the time after the horizon is free (the next month keeps the week it cuts).
    """
    rule = m.rules.rules.weekly_rest
    if rule.min_hours == 0 or not m.space.weeks:
        return
    for op in range(len(m.shifts)):
        rests = _Rests(m, op, rule.min_hours)
        if rule.week == "calendar":
            for begin, end in m.space.weeks:
                ends = {finish for _, finish in rests.busy if begin <= finish <= end - rule.min_hours}
                chances = [rests.free_from(u) for u in sorted({begin} | ends)]
                open_chances = [chance for chance in chances if not isinstance(chance, int)]
                # Kept already (a 1), or broken by last month's shifts alone (all 0s): nothing for this month to do.
                if open_chances and 1 not in (chance for chance in chances if isinstance(chance, int)):
                    m.model.add_bool_or(open_chances)
        else:
            rests.every_window(7 * 24)


class _Rests:
    """One operator's "free for `hours` from hour u" literals, made once per u."""

    def __init__(self, m: RosterModel, op: int, hours: int):
        self.m, self.op, self.hours = m, op, hours
        self.vars = m.timed(op)
        self.fixed = [(past.start, past.end) for past in m.space.limits[op].history]
        self.busy = [(start, end) for start, end, _ in self.vars] + self.fixed
        self.made: dict[int, Var | int] = {}
        # The shifts that may reach into [u, u + hours) start within the longest shift before u: looked up by
        # bisection, as a month's operator has some 750 shifts and some 500 moments to ask about.
        self.starts = [start for start, _, _ in self.vars]
        self.longest = max((end - start for start, end, _ in self.vars), default=0)

    def free_from(self, u: int) -> Var | int:
        """1 when [u, u + hours) can never be worked, 0 when last month's shifts work in it, else a Boolean."""
        if u not in self.made:
            until = u + self.hours
            if any(start < until and end > u for start, end in self.fixed):
                self.made[u] = 0
            elif not (blockers := [var for _, end, var in self.vars[bisect.bisect_right(self.starts, u - self.longest):
                                                                    bisect.bisect_left(self.starts, until)]
                                   if end > u]):
                self.made[u] = 1
            else:
                free = self.m.model.new_bool_var(f"weekly_rest_{self.m.space.limits[self.op].operator_id}_h{u}")
                self.m.model.add_bool_and([var.Not() for var in blockers]).only_enforce_if(free)
                self.made[u] = free
        return self.made[u]

    def every_window(self, length: int) -> None:
        """Every `length` elapsed hours meeting the horizon hold a whole rest: on the hour grid of the shifts, a
        window from t holds one iff a rest begins in [t, t + length - hours - 1] (a rest reaching from before t
        into the window by `hours` is one beginning at t; the minus one is for a window between two hours)."""
        span = length - self.hours
        horizon = len(self.m.space.required) or max((end for _, end in self.busy), default=0)
        first, last = -length + 1, horizon - 1
        values = [self.free_from(u) for u in range(first, last + span)]
        certain = [0]  # running count of the rests no shift can take away
        for value in values:
            certain.append(certain[-1] + (isinstance(value, int) and value))
        # Running sums of the rest Booleans: a window needs its difference to be at least one.
        total: list[cp_model.LinearExprT] = [0]
        for u, value in enumerate(values):
            running = self.m.model.new_int_var(0, len(values), f"weekly_rests_{self.op}_upto_{first + u}")
            self.m.model.add(running == total[-1] + value)
            total.append(running)
        for t in range(len(values) - span + 1):
            if certain[t + span] == certain[t]:
                self.m.model.add(total[t + span] - total[t] >= 1)


def add_monthly_norm(m: RosterModel) -> None:
    """Rule `monthly_norm`: minutes worked within the operator's bounds (for the centre: the norm +/-
    tolerance_shifts shift lengths; for a benchmark: its minimum and maximum total minutes)."""
    for op, limits in enumerate(m.space.limits):
        lengths = {option.minutes for option, _ in m.shifts[op]}
        if len(lengths) > 1:
            minutes = sum(option.minutes * var for option, var in m.shifts[op])
            m.model.add_linear_constraint(minutes, limits.min_minutes, limits.max_minutes)
            continue
        # One length: the bounds as a count of shifts, which keeps the constraint a plain cardinality.
        length = next(iter(lengths), 60)
        worked = [var for _, var in m.shifts[op]]
        m.model.add_linear_constraint(sum(worked), -(-limits.min_minutes // length), limits.max_minutes // length)


# --- soft rules ------------------------------------------------------------------------------------------------


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
            on_shift.setdefault((option.day, option.kind), []).append(var)
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


def _add_requests(m: RosterModel, rule: str, op: int, requests: Iterable[ShiftRequest], scale: int) -> None:
    """Each request not granted costs its weight times `scale`: a shift asked for and not worked, or a shift
    asked off and worked (a request of kind "" speaks of any shift that day)."""
    operator_id = m.space.limits[op].operator_id
    for request in requests:
        on_it = [var for option, var in m.shifts[op]
                 if option.day == request.day and request.kind in ("", option.kind)]
        if request.work:
            missed = m.model.new_bool_var(f"{rule}_{operator_id}_d{request.day}_{request.kind}")
            m.model.add(sum(on_it) + missed >= 1)
        elif on_it:
            missed = m.model.new_bool_var(f"{rule}_{operator_id}_d{request.day}_{request.kind}")
            m.model.add(sum(on_it) == missed)
        else:
            continue
        subject = f"{operator_id} {m.space.day_label(request.day)}" + (f" {request.kind}" if request.kind else "")
        m.penalise(rule, subject, missed, request.weight * scale)


def add_days_off_wished(m: RosterModel) -> None:
    """Rule `days_off_wished`: a shift on a wished day off costs `weight`."""
    weight = m.rules.rules.days_off_wished.weight
    for op, limits in enumerate(m.space.limits):
        _add_requests(m, "days_off_wished", op,
                      (ShiftRequest(day, "", False, 1) for day in sorted(limits.wished_days_off)), weight)


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
            if option.wall is not None:
                by_day[option.day].append((option.wall[0] // 60, var))
        last = max((past for past in limits.history if past.day == -1), key=lambda past: past.start, default=None)
        yesterday: list[tuple[int, Var | int]] = [] if last is None else [(last.clock_hour, 1)]
        for day, today in enumerate(by_day):
            costs = [(worked, [(beyond[before][hour], var) for hour, var in today])
                     for before, worked in yesterday]
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


# The model's rules in the order they are added; keys are the rule names of constraints.yaml.
# `availability` is not here: it shapes the variables themselves (see `build_model`).
RULES: dict[str, Callable[[RosterModel], None]] = {
    "rest_between_shifts": add_rest_between_shifts,
    "max_consecutive_days": add_max_consecutive_days,
    "max_consecutive_nights": add_max_consecutive_nights,
    "monthly_norm": add_monthly_norm,
    "min_consecutive_days": add_min_consecutive_days,
    "min_consecutive_days_off": add_min_consecutive_days_off,
    "max_working_weekends": add_max_working_weekends,
    "max_shifts_per_type": add_max_shifts_per_type,
    "forbidden_successions": add_forbidden_successions,
    "forward_rotation": add_forward_rotation,
    "shift_templates": add_shift_templates,
    "weekly_rest": add_weekly_rest,
    "shortfall": add_shortfall,
    "overstaffing": add_overstaffing,
    "days_off_wished": add_days_off_wished,
    "fair_nights": add_fair_nights,
    "fair_weekends": add_fair_weekends,
    "shift_type_cover": add_shift_type_cover,
    "shift_requests": add_shift_requests,
    "start_time_stability": add_start_time_stability,
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
            return (kept or candidates(op, option.start)) and available(op, option)
    add_shifts(m, allowed)
    add_locked_cells(m)
    for name, add_rule in RULES.items():
        if name not in without:
            add_rule(m)
    m.model.minimize(sum(p.weight * p.var for p in m.penalties))
    return m
