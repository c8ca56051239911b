"""Independent check of a roster against every hard rule, recomputed from the raw data in plain Python.

This package deliberately shares no code with the CP-SAT model in `planner.roster`: it is the second opinion on
a solved roster and the only judge of one edited by hand, so a bug in the model must not hide here too. All
durations are measured in elapsed (UTC) time and all windows and days in the centre's local wall-clock time,
which is where the two differ on a DST night.

This module holds the entry points and picks whose shifts are checked. Each rule is one function named after its
key in constraints.yaml: in `time_rules` those of one operator's shifts in time order, the only ones that look
across the month's first day; in `contract_rules` those of the contract and the month; in `break_rules` those of
the breaks. All read the `Span`s and return the `Violation`s of `spans`.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from datetime import date

from planner.config import Rules
from planner.domain import Operator, Roster, Shift
from planner.validate.break_rules import break_gap, break_window, per_shift, team_on_break
from planner.validate.contract_rules import (
    availability,
    contracts,
    max_shifts_per_type,
    max_working_weekends,
    monthly_norm,
    shift_hours,
    shift_templates,
    unknown_rate,
)
from planner.validate.spans import Span, Violation
from planner.validate.time_rules import across_the_start

__all__ = ["Violation", "validate_roster", "revalidate", "format_violations"]


def format_violations(violations: Iterable[Violation]) -> str:
    """One line per violation, in the given order; empty text when there are none."""
    return "\n".join(str(violation) for violation in violations)


def validate_roster(
    roster: Roster, operators: Sequence[Operator], rules: Rules, previous: Roster | None = None
) -> list[Violation]:
    """Every hard-rule violation of `roster`, sorted by operator, day, rule and detail (every field, so the order
    is the same however the roster lists its shifts). An empty list means it holds.

    `previous` is last month's roster: rest, runs of days, successions and weekly rest are then judged across the
    month's first day (what last month broke on its own is not reported). Without it, the time before the month
    counts as free and runs touching its first day may go on before it."""
    return _in_order(_violations(roster, operators, rules, previous=previous))


def revalidate(
    previous: Sequence[Violation], before: Roster, after: Roster, operators: Sequence[Operator], rules: Rules,
    last_month: Roster | None = None,
) -> list[Violation]:
    """What `validate_roster(after, operators, rules, last_month)` returns, checking again only what the edit can
    change.

    `previous` must be `validate_roster(before, operators, rules, last_month)`, with the same operators, rules and
    last month. Every rule
    looks at one operator's shifts except team_on_break, which looks at a team's, so only the edited operators
    (those whose shifts differ) and their teams are checked again. A team_on_break violation names whoever of the
    team was on break, edited or not, and an id may itself contain ", ", so the stale violations are not picked
    out of `previous` by name: the same checks on `before` give exactly those. Whether the break rules apply at all
    depends on every shift (`_breaks_planned`); when the edit changes that, or the month, all is checked again.
    """
    if before.month != after.month or _breaks_planned(before) != _breaks_planned(after):
        return validate_roster(after, operators, rules, last_month)
    edited = _edited_operators(before, after)
    kept = Counter(previous) - Counter(_violations(before, operators, rules, edited, last_month))
    return _in_order([*kept.elements(), *_violations(after, operators, rules, edited, last_month)])


def _violations(
    roster: Roster, operators: Sequence[Operator], rules: Rules, only: frozenset[str] | None = None,
    previous: Roster | None = None,
) -> list[Violation]:
    """The violations of the operators in `only` and of their teams (all when None), in no particular order."""
    tz = roster.month.tz
    month_start = roster.month.days[0]
    # Last month's shifts, for the rules that look across the month's first day.
    earlier: dict[str, list[Span]] = defaultdict(list)
    for shift in previous.shifts if previous else ():
        span = Span.of(shift, tz)
        if span.day < month_start and (only is None or shift.operator_id in only):
            earlier[shift.operator_id].append(span)
    days = (*(previous.month.days if previous else ()), *roster.month.days)
    by_id = {op.id: op for op in operators}
    teams = {op.id: op.team for op in operators if op.team}
    breaks_planned = _breaks_planned(roster)
    involved = only if only is None or not breaks_planned else only | _team_mates(only, teams)
    spans: dict[str, list[Span]] = defaultdict(list)
    for shift in roster.shifts:
        if involved is None or shift.operator_id in involved:
            spans[shift.operator_id].append(Span.of(shift, tz))

    violations: list[Violation] = []
    for op_id, op_spans in spans.items():
        if only is not None and op_id not in only:
            continue  # a team-mate of an edited operator, here for team_on_break alone
        op_spans.sort(key=lambda span: (span.start_utc, span.end_utc))
        op = by_id.get(op_id)
        violations += contracts(op_id, op, op_spans, roster, rules)
        violations += max_working_weekends(op_id, op_spans, roster, rules.max_working_weekends_of(
            None if op is None else op.max_working_weekends))
        violations += max_shifts_per_type(op_id, op_spans, roster, rules)
        # The rules across the month's first day see last month's shifts too, and report what falls in this one,
        # less what last month broke on its own (what they find with this month left free).
        max_days = rules.max_consecutive_days_of(None if op is None else op.max_consecutive_days)
        before = earlier.get(op_id, [])
        across = sorted([*before, *op_spans], key=lambda span: (span.start_utc, span.end_utc))
        violations += (across_the_start(op_id, across, days, max_days, roster, rules)
                       - across_the_start(op_id, before, days, max_days, roster, rules)).elements()
        if breaks_planned:
            violations += per_shift(op_id, op_spans, rules.breaks)
            violations += break_window(op_id, op_spans, rules.breaks)
            violations += break_gap(op_id, op_spans, rules.breaks)
        if op is not None:
            violations += availability(op, op_spans)
            violations += shift_templates(op, op_spans, rules)
    if breaks_planned:
        violations += team_on_break(spans, teams, tz, rules.breaks)
    for op in operators:
        if only is not None and op.id not in only:
            continue
        hours = shift_hours(op, rules)
        if hours is None:
            violations.append(unknown_rate(op, rules))
        else:
            violations += monthly_norm(op, hours, spans.get(op.id, []), roster, rules)
    return violations


def _breaks_planned(roster: Roster) -> bool:
    """A roster edited by hand may come without any breaks: they are placed afterwards (planner breaks), so the
    break rules apply once any shift has one."""
    return any(shift.breaks for shift in roster.shifts)


def _team_mates(op_ids: frozenset[str], teams: Mapping[str, str]) -> set[str]:
    edited_teams = {teams[op_id] for op_id in op_ids if op_id in teams}
    return {op_id for op_id, team in teams.items() if team in edited_teams}


def _edited_operators(before: Roster, after: Roster) -> frozenset[str]:
    """The operators whose shifts differ, in any way the checks could see, whatever order the rosters list them in."""
    old, new = _shifts_by_operator(before), _shifts_by_operator(after)
    return frozenset(
        op_id
        for op_id in old.keys() | new.keys()
        if not _same_shifts(old.get(op_id, []), new.get(op_id, []))
    )


def _shifts_by_operator(roster: Roster) -> dict[str, list[Shift]]:
    found: dict[str, list[Shift]] = defaultdict(list)
    for shift in roster.shifts:
        found[shift.operator_id].append(shift)
    return found


def _same_shifts(old: list[Shift], new: list[Shift]) -> bool:
    # The page keeps the very shift objects of the cells left alone, so identity settles almost every operator.
    if len(old) == len(new) and all(a is b for a, b in zip(old, new)):
        return True
    return Counter(map(_as_checked, old)) == Counter(map(_as_checked, new))


def _as_checked(shift: Shift) -> tuple[Shift, tuple[int, ...]]:
    """A shift with the `fold` of its times: aware times of one zone compare equal regardless of it, yet the two
    readings of a repeated wall-clock hour on a DST night are different instants to every check."""
    return shift, tuple(moment.fold for moment in (shift.start, shift.end, *shift.breaks))


def _in_order(violations: Iterable[Violation]) -> list[Violation]:
    return sorted(violations, key=lambda v: (v.operator_id, v.day or date.min, v.rule, v.detail))
