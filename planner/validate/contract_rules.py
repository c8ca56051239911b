"""The rules of an operator's contract and month: shift length and start, availability, start templates, the
monthly norm, and counts of weekends and of shifts per type. They read this month's shifts alone."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

from planner.clock import DAY_MINUTES, hhmm
from planner.config import Rules
from planner.domain import Operator, Roster
from planner.validate.spans import Span, Violation, duration, minute_of_day


def contracts(op_id: str, op: Operator | None, spans: list[Span], roster: Roster, rules: Rules) -> list[Violation]:
    found: list[Violation] = []
    if op is None:
        missing = f"operator {op_id} is not in the operators list"
        found += [Violation(op_id, span.day, "contracts", f"shift {span.label}: {missing}") for span in spans]
    elif (hours := shift_hours(op, rules)) is not None:
        # An unknown rate is reported once per operator by validate_roster, not once per shift.
        found += [
            Violation(
                op_id,
                span.day,
                "contracts",
                f"shift {span.label} lasts {duration(span.elapsed)}, rate {op.rate:g} needs {hours} h",
            )
            for span in spans
            if span.elapsed != timedelta(hours=hours)
        ]
    for span in spans:
        past_the_hour = span.start_local - span.start_local.replace(minute=0, second=0, microsecond=0)
        if past_the_hour:
            detail = f"shift {span.label} starts {duration(past_the_hour)} past the hour, shifts start on the hour"
            found.append(Violation(op_id, span.day, "contracts", detail))
        if span.day not in roster.month.days:
            found.append(
                Violation(op_id, span.day, "contracts", f"shift {span.label} is outside the month {roster.month.label}")
            )
    return found


def shift_hours(op: Operator, rules: Rules) -> int | None:
    try:
        return rules.shift_hours(op.rate)
    except (KeyError, ValueError):
        return None


def unknown_rate(op: Operator, rules: Rules) -> Violation:
    known = ", ".join(sorted(rules.contracts))
    return Violation(op.id, None, "contracts", f"rate {op.rate:g} has no shift length in contracts (known: {known})")


def availability(op: Operator, spans: list[Span]) -> list[Violation]:
    found: list[Violation] = []
    for span in spans:
        if span.day in op.unavailable:
            found.append(Violation(op.id, span.day, "availability", f"shift {span.label} starts on an unavailable day"))
        earliest, latest = op.window_on(span.day)
        window = f"{hhmm(earliest)}–{hhmm(latest)}"
        outside = _minutes_outside_window(span.wall_minutes, earliest, latest)
        if outside > 0:
            found.append(
                Violation(
                    op.id,
                    span.day,
                    "availability",
                    f"shift {span.label} is {duration(timedelta(minutes=outside))} outside the window {window}",
                )
            )
    return found


def _minutes_outside_window(shift: tuple[int, int], earliest: int, latest: int) -> int:
    """Minutes of the shift's wall-clock span that no single stretch of the repeating daily window covers.

    The window repeats every day; where one day's window runs into the next (00:00-24:00) the stretches join,
    and a shift must lie inside one joined stretch. Days -1..+2 around the shift's day cover any shift up to a
    day long, including one that starts after midnight inside a window opened the evening before.
    """
    wraps = latest < earliest
    stretches: list[list[int]] = []
    for day in range(-1, 3):
        begin = day * DAY_MINUTES + earliest
        end = (day + 1 if wraps else day) * DAY_MINUTES + latest
        if stretches and stretches[-1][1] >= begin:
            stretches[-1][1] = max(stretches[-1][1], end)
        else:
            stretches.append([begin, end])
    start, end = shift
    best_cover = max(max(0, min(end, s_end) - max(start, s_begin)) for s_begin, s_end in stretches)
    return max(0, end - start) - best_cover


def shift_templates(op: Operator, spans: list[Span], rules: Rules) -> list[Violation]:
    try:
        templates = rules.rules.shift_templates.of(op.rate)
    except ValueError:
        return []  # a rate the rules do not know: unknown_rate says so
    if templates is None:
        return []
    allowed = ", ".join(hhmm(minute) for minute in sorted(templates))
    return [Violation(op.id, span.day, "shift_templates",
                      f"shift {span.label}: contract {op.rate:g} starts only at {allowed}")
            for span in spans if minute_of_day(span.start_local) not in templates]


def monthly_norm(op: Operator, hours: int, spans: list[Span], roster: Roster, rules: Rules) -> list[Violation]:
    settings = rules.rules.monthly_norm
    norm = op.norm_hours(roster.month, settings.hours_per_day)
    tolerance = settings.tolerance_shifts * hours
    # A shift counts in full towards the month of the day it starts, like every per-day rule.
    in_month = set(roster.month.days)
    worked = sum(span.elapsed.total_seconds() for span in spans if span.day in in_month) / 3600
    excess = abs(worked - norm) - tolerance
    if excess <= 1e-9:
        return []
    direction = "short" if worked < norm else "over"
    detail = f"hours {_num(worked)} outside {_num(norm)} ± {_num(tolerance)} ({_num(excess)} h {direction})"
    return [Violation(op.id, None, "monthly_norm", detail)]


def _num(value: float) -> str:
    return f"{round(value, 2):g}"


def max_working_weekends(op_id: str, spans: list[Span], roster: Roster, most: int | None) -> list[Violation]:
    if most is None:
        return []
    in_month = set(roster.month.days)
    # A weekend is a Saturday and the Sunday after it; the ISO week names it.
    weekends = sorted({span.day.isocalendar()[:2] for span in spans
                       if span.day in in_month and span.day.weekday() >= 5})
    if len(weekends) <= most:
        return []
    detail = f"shifts on {len(weekends)} weekends, at most {most}"
    return [Violation(op_id, None, "max_working_weekends", detail)]


def max_shifts_per_type(op_id: str, spans: list[Span], roster: Roster, rules: Rules) -> list[Violation]:
    in_month = set(roster.month.days)
    counts = Counter(rules.shift_type(minute_of_day(span.start_local)) for span in spans if span.day in in_month)
    return [
        Violation(op_id, None, "max_shifts_per_type", f"{counts[kind]} {kind} shifts, at most {most}")
        for kind, most in rules.rules.max_shifts_per_type.max_shifts.items()
        if counts[kind] > most
    ]
