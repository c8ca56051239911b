"""One day's breaks as a CP-SAT model, read top to bottom like `planner.roster.model`: the day's jobs and loads
(`planner.breaks.slots`) -> variables, one literal per shift, break and allowed start (`add_break_starts`) -> one
`add_<rule>` per other rule of `breaks` in constraints.yaml (`BREAK_RULES`) -> objective (`build_break_model`).
Hard rules add constraints; soft rules add weighted terms over shortfall variables that the model makes the first
time a rule asks for them (`BreakModel.shortfall`), so each soft rule works with or without the other.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date

from ortools.sat.python import cp_model

from planner.breaks.slots import Clock, Job, Loads, break_jobs
from planner.config import Breaks, Rules
from planner.domain import Operator, Roster, StaffingPlan

__all__ = ["BreakModel", "BREAK_RULES", "add_break_starts", "build_break_model", "build_day_model",
           "hint_placement", "team_break_cap"]


def team_break_cap(share: float, on_shift: int) -> int:
    """Operators of one team who may be on break at once: the share of those on shift, rounded down, but never
    less than one, so a small team on a quiet night can still take its breaks."""
    return max(1, int(share * on_shift + 1e-9))


@dataclass
class BreakModel:
    """One day's CP-SAT model: `starts[k][j][offset]` is true when break j of job k starts `offset` slots into the
    shift (made by `add_break_starts`). The rule functions below add to it; `objective_terms` collects the
    weighted soft terms."""

    jobs: list[Job]
    loads: Loads
    required: list[int]
    settings: Breaks
    model: cp_model.CpModel = field(default_factory=cp_model.CpModel)
    starts: list[list[dict[int, cp_model.IntVar]]] = field(default_factory=list)
    covering: dict[int, list[cp_model.IntVar]] = field(default_factory=lambda: defaultdict(list))
    team_covering: dict[tuple[str, int], list[cp_model.IntVar]] = field(default_factory=lambda: defaultdict(list))
    objective_terms: list = field(default_factory=list)
    shortfall_vars: dict[int, cp_model.IntVar] = field(default_factory=dict)
    dip: cp_model.IntVar | None = None
    shortfall_bound: int = 0

    def start_expr(self, k: int, j: int):
        return sum(offset * literal for offset, literal in self.starts[k][j].items())

    def short_slots(self) -> list[int]:
        """Slots where this day's breaks could take on-phones below `required`; elsewhere the hall has more
        operators to spare than could possibly be on break, and the slot needs no variable at all."""
        return [slot for slot in self.covering if self.fixed_shortfall(slot) + len(self.covering[slot]) > 0]

    def fixed_shortfall(self, slot: int) -> int:
        required = self.required[slot] if slot < len(self.required) else 0
        return required - self.loads.on_shift[slot] + self.loads.on_break[slot]

    def shortfall(self, slot: int) -> cp_model.IntVar:
        """Operators below `required` in a slot, once this day's breaks are taken (0 when above)."""
        if slot not in self.shortfall_vars:
            fixed = self.fixed_shortfall(slot)
            bound = max(0, fixed + len(self.covering[slot]))
            variable = self.model.new_int_var(0, bound, f"short{slot}")
            self.model.add(variable >= fixed + sum(self.covering[slot]))
            self.shortfall_vars[slot] = variable
            self.shortfall_bound = max(self.shortfall_bound, bound)
        return self.shortfall_vars[slot]


# --- variables, and the break_window rule that shapes them ------------------------------------------------------


def add_break_starts(m: BreakModel, windowed: bool = True) -> None:
    """One literal per job, break and allowed start offset. Rule `break_window` (no break in the first
    `after_start_minutes` or the last `before_end_minutes` of a shift) is their domain: only starts inside the
    window get a literal at all, which keeps the day's model small: a literal for every start of the shift, those
    outside forbidden, is about 40 % more variables a day, and on the sample month it placed the breaks no better,
    a few seconds slower. `windowed=False` drops the rule: any start that keeps the break inside the shift."""
    for k, job in enumerate(m.jobs):
        offsets = job.window if windowed else range(0, job.slots - job.length + 1)
        breaks = []
        for j in range(job.count):
            literals = {offset: m.model.new_bool_var(f"b{k}_{j}_{offset}") for offset in offsets}
            for offset, literal in literals.items():
                for slot in job.cover(offset):
                    m.covering[slot].append(literal)
                    if job.team:
                        m.team_covering[(job.team, slot)].append(literal)
            breaks.append(literals)
        m.starts.append(breaks)


# --- rules -------------------------------------------------------------------------------------------------------


def add_per_shift(m: BreakModel) -> None:
    """Each shift takes exactly the number of breaks its length gets (per_shift), each starting once."""
    for breaks in m.starts:
        for literals in breaks:
            m.model.add_exactly_one(literals.values())


def add_break_gap(m: BreakModel) -> None:
    """Breaks of one shift in order, at least `min_minutes` from the end of one to the start of the next."""
    for k, job in enumerate(m.jobs):
        for j in range(job.count - 1):
            m.model.add(m.start_expr(k, j + 1) >= m.start_expr(k, j) + job.length + job.gap)


def add_team_on_break(m: BreakModel) -> None:
    """At most `max_share` of a team's operators on shift are on break at once (at least one may be)."""
    share = m.settings.rules.team_on_break.max_share
    for (team, slot), literals in m.team_covering.items():
        cap = team_break_cap(share, m.loads.team_on_shift[team][slot]) - m.loads.team_on_break[team][slot]
        m.model.add(sum(literals) <= cap)


def add_on_phones_shortfall(m: BreakModel) -> None:
    """Soft: every operator x slot that on-phones (on shift minus on break) falls below `required`."""
    weight = m.settings.rules.on_phones_shortfall.weight
    m.objective_terms += [weight * m.shortfall(slot) for slot in m.short_slots()]


def add_worst_dip(m: BreakModel) -> None:
    """Soft: the deepest dip of on-phones below `required` in any slot of the day, so that no single moment
    takes the whole shortfall."""
    shortfalls = [m.shortfall(slot) for slot in m.short_slots()]
    if not shortfalls:
        return
    m.dip = m.model.new_int_var(0, m.shortfall_bound, "worst_dip")
    for shortfall in shortfalls:
        m.model.add(m.dip >= shortfall)
    m.objective_terms.append(m.settings.rules.worst_dip.weight * m.dip)


# The model's rules; keys are the rule names of constraints.yaml. `break_window` is not here: it shapes the
# variables themselves (see add_break_starts).
BREAK_RULES: dict[str, Callable[[BreakModel], None]] = {
    "per_shift": add_per_shift,
    "break_gap": add_break_gap,
    "team_on_break": add_team_on_break,
    "on_phones_shortfall": add_on_phones_shortfall,
    "worst_dip": add_worst_dip,
}


def build_break_model(jobs: list[Job], loads: Loads, required: list[int], settings: Breaks,
                      without: frozenset[str] = frozenset()) -> BreakModel:
    """The day's model with every break rule except those named in `without` (tests drop one to see it bite)."""
    m = BreakModel(jobs, loads, required, settings)
    add_break_starts(m, windowed="break_window" not in without)
    for name, add_rule in BREAK_RULES.items():
        if name not in without:
            add_rule(m)
    m.model.minimize(sum(m.objective_terms))
    return m


def build_day_model(plan: StaffingPlan, roster: Roster, operators: Sequence[Operator], rules: Rules, day: date,
                    without: frozenset[str] = frozenset()) -> BreakModel:
    """The model of one day's breaks with no other day's breaks placed: for tests and for looking at a day."""
    clock = Clock.of(plan, rules.breaks.grid_minutes)
    jobs = [job for job in break_jobs(roster, operators, rules.breaks, clock) if roster.shifts[job.index].day == day]
    return build_break_model(jobs, Loads.of_shifts(roster, operators, clock), clock.required(plan), rules.breaks,
                             without)


def hint_placement(m: BreakModel, offsets: list[list[int]]) -> None:
    """Hint every variable, so CP-SAT takes the placement as its first solution rather than searching for one."""
    breaks_in: dict[int, int] = defaultdict(int)
    for k, job_offsets in enumerate(offsets):
        for literals, offset in zip(m.starts[k], job_offsets):
            for candidate, literal in literals.items():
                m.model.add_hint(literal, candidate == offset)
            for slot in m.jobs[k].cover(offset):
                breaks_in[slot] += 1
    shortfalls = {slot: max(0, m.fixed_shortfall(slot) + breaks_in[slot]) for slot in m.shortfall_vars}
    for slot, variable in m.shortfall_vars.items():
        m.model.add_hint(variable, shortfalls[slot])
    if m.dip is not None:
        m.model.add_hint(m.dip, max(shortfalls.values(), default=0))
