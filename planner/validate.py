"""Independent check of a roster against every hard rule, recomputed from the raw data in plain Python.

This module deliberately shares no code with the CP-SAT model in `planner.roster`: it is the second opinion on
a solved roster and the only judge of one edited by hand, so a bug in the model must not hide here too. All
durations are measured in elapsed (UTC) time and all windows and days in the centre's local wall-clock time,
which is where the two differ on a DST night.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from planner.clock import DAY_MINUTES, hhmm
from planner.config import Breaks, Rules
from planner.domain import Operator, Roster, Shift

__all__ = ["Violation", "validate_roster", "revalidate", "format_violations"]


@dataclass(frozen=True)
class Violation:
    """One broken hard rule. `rule` is the rule's key in constraints.yaml; `day` is None for a month-wide rule.

    `operator_id` is the operator whose shifts break the rule; for team_on_break, the team's operators then on break,
    joined by ", " in id order (the team is named in `detail`)."""

    operator_id: str
    day: date | None
    rule: str
    detail: str

    def __str__(self) -> str:
        when = self.day.isoformat() if self.day is not None else "whole month"
        return f"{self.operator_id}, {when}, {self.rule}: {self.detail}"


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
    earlier: dict[str, list[_Span]] = defaultdict(list)
    for shift in previous.shifts if previous else ():
        span = _Span.of(shift, tz)
        if span.day < month_start and (only is None or shift.operator_id in only):
            earlier[shift.operator_id].append(span)
    days = (*(previous.month.days if previous else ()), *roster.month.days)
    by_id = {op.id: op for op in operators}
    teams = {op.id: op.team for op in operators if op.team}
    breaks_planned = _breaks_planned(roster)
    involved = only if only is None or not breaks_planned else only | _team_mates(only, teams)
    spans: dict[str, list[_Span]] = defaultdict(list)
    for shift in roster.shifts:
        if involved is None or shift.operator_id in involved:
            spans[shift.operator_id].append(_Span.of(shift, tz))

    violations: list[Violation] = []
    for op_id, op_spans in spans.items():
        if only is not None and op_id not in only:
            continue  # a team-mate of an edited operator, here for team_on_break alone
        op_spans.sort(key=lambda span: (span.start_utc, span.end_utc))
        op = by_id.get(op_id)
        violations += _contracts(op_id, op, op_spans, roster, rules)
        violations += _max_working_weekends(op_id, op_spans, roster, rules.max_working_weekends_of(
            None if op is None else op.max_working_weekends))
        violations += _max_shifts_per_type(op_id, op_spans, roster, rules)
        # The rules across the month's first day see last month's shifts too, and report what falls in this one,
        # less what last month broke on its own (what they find with this month left free).
        max_days = rules.max_consecutive_days_of(None if op is None else op.max_consecutive_days)
        before = earlier.get(op_id, [])
        across = sorted([*before, *op_spans], key=lambda span: (span.start_utc, span.end_utc))
        violations += (_across_the_start(op_id, across, days, max_days, roster, rules)
                       - _across_the_start(op_id, before, days, max_days, roster, rules)).elements()
        if breaks_planned:
            violations += _per_shift(op_id, op_spans, rules.breaks)
            violations += _break_window(op_id, op_spans, rules.breaks)
            violations += _break_gap(op_id, op_spans, rules.breaks)
        if op is not None:
            violations += _availability(op, op_spans)
            violations += _shift_templates(op, op_spans, rules)
    if breaks_planned:
        violations += _team_on_break(spans, teams, tz, rules.breaks)
    for op in operators:
        if only is not None and op.id not in only:
            continue
        hours = _shift_hours(op, rules)
        if hours is None:
            violations.append(_unknown_rate(op, rules))
        else:
            violations += _monthly_norm(op, hours, spans.get(op.id, []), roster, rules)
    return violations


def _across_the_start(op_id: str, spans: list[_Span], days: Sequence[date], max_days: int, roster: Roster,
                      rules: Rules) -> Counter[Violation]:
    """The violations of the rules that look across the month's first day, falling in this month."""
    month_start = roster.month.days[0]
    return Counter(violation for violation in (
        *_one_shift_per_day(op_id, spans),
        *_rest_between_shifts(op_id, spans, rules.rules.rest_between_shifts.min_hours),
        *_max_consecutive_days(op_id, spans, max_days, month_start),
        *_max_consecutive_nights(op_id, spans, rules, month_start),
        *_min_consecutive_days(op_id, spans, days, rules.rules.min_consecutive_days.min_days),
        *_min_consecutive_days_off(op_id, spans, days, rules.rules.min_consecutive_days_off.min_days),
        *_forbidden_successions(op_id, spans, rules),
        *_forward_rotation(op_id, spans, rules),
        *_weekly_rest(op_id, spans, roster, rules),
    ) if violation.day is not None and violation.day >= month_start)


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


@dataclass(frozen=True)
class _Span:
    """A shift seen two ways: UTC instants for elapsed time, local wall-clock times for days and windows."""

    shift: Shift
    start_utc: datetime
    end_utc: datetime
    start_local: datetime
    end_local: datetime

    @classmethod
    def of(cls, shift: Shift, tz: ZoneInfo) -> _Span:
        for moment in (shift.start, shift.end, *shift.breaks):
            if moment.utcoffset() is None:
                raise ValueError(f"shift of {shift.operator_id} has a time without a time zone: {moment}")
        return cls(
            shift,
            shift.start.astimezone(UTC),
            shift.end.astimezone(UTC),
            shift.start.astimezone(tz),
            shift.end.astimezone(tz),
        )

    def local(self, moment: datetime) -> datetime:
        return moment.astimezone(self.start_local.tzinfo)

    @property
    def day(self) -> date:
        return self.start_local.date()

    @property
    def elapsed(self) -> timedelta:
        return self.end_utc - self.start_utc

    @property
    def wall_minutes(self) -> tuple[int, int]:
        """Start and end as local wall-clock minutes after the midnight of the shift's day (end may pass 1440)."""
        end_day_offset = (self.end_local.date() - self.day).days * DAY_MINUTES
        return _minute_of_day(self.start_local), end_day_offset + _minute_of_day(self.end_local)

    @property
    def label(self) -> str:
        return f"{self.start_local:%Y-%m-%d %H:%M}–{self.end_local:%H:%M}"


# --- hard rules, one function each, named after their key in constraints.yaml ------------------------------------


def _contracts(op_id: str, op: Operator | None, spans: list[_Span], roster: Roster, rules: Rules) -> list[Violation]:
    found: list[Violation] = []
    if op is None:
        missing = f"operator {op_id} is not in the operators list"
        found += [Violation(op_id, span.day, "contracts", f"shift {span.label}: {missing}") for span in spans]
    elif (hours := _shift_hours(op, rules)) is not None:
        # An unknown rate is reported once per operator by validate_roster, not once per shift.
        found += [
            Violation(
                op_id,
                span.day,
                "contracts",
                f"shift {span.label} lasts {_duration(span.elapsed)}, rate {op.rate:g} needs {hours} h",
            )
            for span in spans
            if span.elapsed != timedelta(hours=hours)
        ]
    for span in spans:
        past_the_hour = span.start_local - span.start_local.replace(minute=0, second=0, microsecond=0)
        if past_the_hour:
            detail = f"shift {span.label} starts {_duration(past_the_hour)} past the hour, shifts start on the hour"
            found.append(Violation(op_id, span.day, "contracts", detail))
        if span.day not in roster.month.days:
            found.append(
                Violation(op_id, span.day, "contracts", f"shift {span.label} is outside the month {roster.month.label}")
            )
    return found


def _one_shift_per_day(op_id: str, spans: list[_Span]) -> list[Violation]:
    found: list[Violation] = []
    starts_by_day: dict[date, list[str]] = defaultdict(list)
    for span in spans:
        starts_by_day[span.day].append(f"{span.start_local:%H:%M}")
    for day, starts in starts_by_day.items():
        if len(starts) > 1:
            found.append(
                Violation(op_id, day, "one_shift_per_day", f"{len(starts)} shifts start this day: {', '.join(starts)}")
            )
    for i, earlier in enumerate(spans):
        for later in spans[i + 1 :]:
            overlap = min(earlier.end_utc, later.end_utc) - later.start_utc
            if overlap > timedelta(0):
                found.append(
                    Violation(
                        op_id,
                        later.day,
                        "one_shift_per_day",
                        f"shift {later.label} overlaps shift {earlier.label} by {_duration(overlap)}",
                    )
                )
    return found


def _rest_between_shifts(op_id: str, spans: list[_Span], min_hours: int) -> list[Violation]:
    found: list[Violation] = []
    needed = timedelta(hours=min_hours)
    # Measured from the latest end so far, so a shift nested in a longer one cannot hide a short rest after it.
    latest_end: datetime | None = None
    for span in spans:
        if latest_end is not None:
            rest = span.start_utc - latest_end
            # A negative rest is an overlap, already reported under one_shift_per_day.
            if timedelta(0) <= rest < needed:
                found.append(
                    Violation(
                        op_id,
                        span.day,
                        "rest_between_shifts",
                        f"rest {_duration(rest)} before shift {span.start_local:%Y-%m-%d %H:%M}, needs {min_hours} h",
                    )
                )
        latest_end = span.end_utc if latest_end is None else max(latest_end, span.end_utc)
    return found


def _max_consecutive_days(op_id: str, spans: list[_Span], max_days: int, month_start: date) -> list[Violation]:
    """A run too long is reported on its first day too many, or on the month's first day for a run that was too
    long already last month and goes on in this one."""
    found: list[Violation] = []
    days = sorted({span.day for span in spans})
    run_start = 0
    for i in range(1, len(days) + 1):
        if i < len(days) and days[i] - days[i - 1] == timedelta(days=1):
            continue
        length = i - run_start
        if length > max_days:
            first, last = days[run_start], days[i - 1]
            found.append(
                Violation(
                    op_id,
                    max(first + timedelta(days=max_days), min(month_start, last)),
                    "max_consecutive_days",
                    f"{length} days in a row {first}…{last}, at most {max_days}",
                )
            )
        run_start = i
    return found


def _max_consecutive_nights(op_id: str, spans: list[_Span], rules: Rules, month_start: date) -> list[Violation]:
    """Night shifts (at least fair_nights.min_hours of real hours starting inside its window, on the local clock)
    on too many days in a row, reported as max_consecutive_days reports days."""
    limit = rules.rules.max_consecutive_nights.max_nights
    if limit is None:
        return []
    window = rules.rules.fair_nights
    first_minute, last_minute = window.window_minutes
    nights = [span for span in spans if _hours_in_window(span, first_minute, last_minute) >= window.min_hours]
    return [Violation(op_id, v.day, "max_consecutive_nights", v.detail.replace("days in a row", "nights in a row"))
            for v in _max_consecutive_days(op_id, nights, limit, month_start)]


def _hours_in_window(span: _Span, first_minute: int, last_minute: int) -> int:
    inside, moment = 0, span.start_utc
    while moment < span.end_utc:
        minute = _minute_of_day(span.local(moment))
        wraps = last_minute <= first_minute
        inside += (first_minute <= minute or minute < last_minute) if wraps else first_minute <= minute < last_minute
        moment += timedelta(hours=1)
    return inside


def _runs(days: Sequence[date], worked: set[date], of_work: bool) -> list[list[date]]:
    """The runs of worked days (`of_work`) or of days off among the month's `days`, each in order."""
    runs: list[list[date]] = []
    for day in days:
        if (day in worked) == of_work:
            if runs and runs[-1][-1] == day - timedelta(days=1):
                runs[-1].append(day)
            else:
                runs.append([day])
    return runs


def _short_runs(op_id: str, spans: list[_Span], days: Sequence[date], min_days: int, of_work: bool) -> list[Violation]:
    """Runs shorter than `min_days` with both ends inside the known `days` (the month, after last month's when it
    is given): one touching the first or last known day may go on before or after. A run of last month that this
    month's first day ends too soon is this month's, reported on that day."""
    rule, what = ("min_consecutive_days", "working days") if of_work else ("min_consecutive_days_off", "days off")
    month_start = days[-1].replace(day=1)
    found = []
    for run in _runs(days, {span.day for span in spans}, of_work):
        if len(run) < min_days and run[0] != days[0] and run[-1] != days[-1]:
            detail = f"{len(run)} {what} in a row {run[0]}…{run[-1]}, at least {min_days}"
            found.append(Violation(op_id, max(run[0], min(month_start, run[-1] + timedelta(days=1))), rule, detail))
    return found


def _min_consecutive_days(op_id: str, spans: list[_Span], days: Sequence[date], min_days: int) -> list[Violation]:
    return _short_runs(op_id, spans, days, min_days, of_work=True)


def _min_consecutive_days_off(op_id: str, spans: list[_Span], days: Sequence[date], min_days: int) -> list[Violation]:
    return _short_runs(op_id, spans, days, min_days, of_work=False)


def _max_working_weekends(op_id: str, spans: list[_Span], roster: Roster, max_weekends: int | None) -> list[Violation]:
    if max_weekends is None:
        return []
    in_month = set(roster.month.days)
    # A weekend is a Saturday and the Sunday after it; the ISO week names it.
    weekends = sorted({span.day.isocalendar()[:2] for span in spans
                       if span.day in in_month and span.day.weekday() >= 5})
    if len(weekends) <= max_weekends:
        return []
    detail = f"shifts on {len(weekends)} weekends, at most {max_weekends}"
    return [Violation(op_id, None, "max_working_weekends", detail)]


def _max_shifts_per_type(op_id: str, spans: list[_Span], roster: Roster, rules: Rules) -> list[Violation]:
    in_month = set(roster.month.days)
    counts = Counter(rules.shift_type(_minute_of_day(span.start_local)) for span in spans if span.day in in_month)
    return [
        Violation(op_id, None, "max_shifts_per_type", f"{counts[kind]} {kind} shifts, at most {most}")
        for kind, most in rules.rules.max_shifts_per_type.max_shifts.items()
        if counts[kind] > most
    ]


def _forbidden_successions(op_id: str, spans: list[_Span], rules: Rules) -> list[Violation]:
    return _successions(op_id, spans, rules, frozenset(rules.rules.forbidden_successions.pairs),
                        "forbidden_successions")


def _forward_rotation(op_id: str, spans: list[_Span], rules: Rules) -> list[Violation]:
    return _successions(op_id, spans, rules, rules.rules.forward_rotation.backward_pairs, "forward_rotation")


def _successions(op_id: str, spans: list[_Span], rules: Rules, pairs: frozenset[tuple[str, str]],
                 rule: str) -> list[Violation]:
    """A violation of `rule` for each day whose shift type follows the day before's as one of `pairs`."""
    if not pairs:
        return []
    kinds: dict[date, set[str]] = defaultdict(set)
    for span in spans:
        kinds[span.day].add(rules.shift_type(_minute_of_day(span.start_local)))
    found = []
    for day in sorted(kinds):
        before = kinds.get(day - timedelta(days=1), set())
        for first, then in sorted(pairs):
            if first in before and then in kinds[day]:
                detail = f"a {then} shift the day after a {first} shift"
                found.append(Violation(op_id, day, rule, detail))
    return found


def _weekly_rest(op_id: str, spans: list[_Span], roster: Roster, rules: Rules) -> list[Violation]:
    """The longest uninterrupted rest of each week, measured in elapsed time. After the month's last shift the time
    is free (next month keeps the week it cuts); before the month, last month's shifts are in `spans` when given."""
    rule = rules.rules.weekly_rest
    if rule.min_hours == 0 or not spans:
        return []
    needed = timedelta(hours=rule.min_hours)
    if rule.week == "rolling":
        return _rolling_weekly_rest(op_id, spans, needed, roster.month.days[0])
    tz = roster.month.tz
    found = []
    month_start = roster.month.days[0]
    monday = month_start - timedelta(days=month_start.weekday())
    while monday <= roster.month.days[-1]:
        week = [datetime(day.year, day.month, day.day, tzinfo=tz).astimezone(UTC)
                for day in (monday, monday + timedelta(days=7))]
        longest, since = _longest_rest(spans, *week)
        # A week last month's shifts leave without its rest whatever this month does is last month's breach.
        if longest < needed and _longest_rest([span for span in spans if span.day < month_start], *week)[0] >= needed:
            sunday = monday + timedelta(days=6)
            detail = (f"longest rest of the week {monday}…{sunday} is {_duration(longest)} from "
                      f"{since.astimezone(tz):%Y-%m-%d %H:%M}, needs {rule.min_hours} h")
            found.append(Violation(op_id, max(monday, roster.month.days[0]), "weekly_rest", detail))
        monday += timedelta(days=7)
    return found


def _longest_rest(spans: list[_Span], begin: datetime, end: datetime) -> tuple[timedelta, datetime]:
    """The longest stretch of [begin, end) that no span covers, and when it starts."""
    longest, since, cursor = timedelta(0), begin, begin
    for span in spans:
        if span.end_utc <= begin or span.start_utc >= end:
            continue
        if span.start_utc - cursor > longest:
            longest, since = span.start_utc - cursor, cursor
        cursor = max(cursor, span.end_utc)
    if end - cursor > longest:
        longest, since = end - cursor, cursor
    return longest, since


def _rolling_weekly_rest(op_id: str, spans: list[_Span], needed: timedelta, month_start: date) -> list[Violation]:
    """Every 7 x 24 hours hold a rest of `needed` iff no stretch of shifts, each starting less than `needed` after
    the one before ends, spans more than a week less twice that rest: a window around such a stretch leaves less
    than `needed` at either end, and a window meeting two stretches holds the whole rest between them."""
    found = []
    longest_stretch = timedelta(days=7) - 2 * needed
    first = last = None
    cursor = datetime.min.replace(tzinfo=UTC)
    for span in [*spans, None]:
        if span is not None and last is not None and span.start_utc - cursor < needed:
            cursor, last = max(cursor, span.end_utc), span
            continue
        if first is not None and last is not None and last.day >= month_start and (
                cursor - first.start_utc > longest_stretch):
            detail = (f"shifts from {first.start_local:%Y-%m-%d %H:%M} to {first.local(cursor):%Y-%m-%d %H:%M} "
                      f"have no rest of {_duration(needed)} between them: some 7 x 24 h hold none")
            found.append(Violation(op_id, max(first.day, month_start), "weekly_rest", detail))
        if span is not None:
            first, last, cursor = span, span, span.end_utc
    return found


def _availability(op: Operator, spans: list[_Span]) -> list[Violation]:
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
                    f"shift {span.label} is {_duration(timedelta(minutes=outside))} outside the window {window}",
                )
            )
    return found


def _shift_templates(op: Operator, spans: list[_Span], rules: Rules) -> list[Violation]:
    try:
        templates = rules.rules.shift_templates.of(op.rate)
    except ValueError:
        return []  # a rate the rules do not know: _unknown_rate says so
    if templates is None:
        return []
    allowed = ", ".join(hhmm(minute) for minute in sorted(templates))
    return [Violation(op.id, span.day, "shift_templates",
                      f"shift {span.label}: contract {op.rate:g} starts only at {allowed}")
            for span in spans if _minute_of_day(span.start_local) not in templates]


def _monthly_norm(op: Operator, hours: int, spans: list[_Span], roster: Roster, rules: Rules) -> list[Violation]:
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


# --- break rules (keys of `breaks` in constraints.yaml) -------------------------------------------------------------


def _break_length(span: _Span, settings: Breaks) -> int:
    allowance = settings.allowance(span.elapsed.total_seconds() / 3600)
    return allowance.minutes if allowance else 0


def _break_offsets(span: _Span) -> list[int]:
    """Minutes from the shift's start to each break's start, in elapsed time, in order."""
    return sorted(int((moment.astimezone(UTC) - span.start_utc).total_seconds() // 60) for moment in span.shift.breaks)


def _per_shift(op_id: str, spans: list[_Span], settings: Breaks) -> list[Violation]:
    found = []
    for span in spans:
        allowance = settings.allowance(span.elapsed.total_seconds() / 3600)
        wanted = allowance.count if allowance else 0
        if len(span.shift.breaks) != wanted:
            gets = f"{wanted} of {allowance.minutes} min" if allowance and wanted else "none"
            found.append(Violation(op_id, span.day, "per_shift",
                                   f"shift {span.label} has {len(span.shift.breaks)} break(s), a shift of "
                                   f"{_duration(span.elapsed)} gets {gets}"))
        for moment in span.shift.breaks:
            local = span.local(moment)
            if local.minute % settings.grid_minutes or local.second or local.microsecond:
                found.append(Violation(op_id, span.day, "per_shift",
                                       f"break at {local:%H:%M:%S} of shift {span.label} is off the "
                                       f"{settings.grid_minutes}-minute grid"))
    return found


def _break_window(op_id: str, spans: list[_Span], settings: Breaks) -> list[Violation]:
    window = settings.rules.break_window
    found = []
    for span in spans:
        length = _break_length(span, settings)
        last_end = span.elapsed.total_seconds() / 60 - window.before_end_minutes
        for offset in _break_offsets(span):
            if offset < window.after_start_minutes or offset + length > last_end:
                moment = span.local(span.start_utc + timedelta(minutes=offset))
                found.append(Violation(
                    op_id, span.day, "break_window",
                    f"break at {moment:%H:%M} of shift {span.label} must start at least {window.after_start_minutes} "
                    f"min after the start and end at least {window.before_end_minutes} min before the end"))
    return found


def _break_gap(op_id: str, spans: list[_Span], settings: Breaks) -> list[Violation]:
    gap = settings.rules.break_gap.min_minutes
    found = []
    for span in spans:
        length = _break_length(span, settings)
        offsets = _break_offsets(span)
        for earlier, later in zip(offsets, offsets[1:]):
            between = later - (earlier + length)
            if between < gap:
                at = span.local(span.start_utc + timedelta(minutes=later))
                found.append(Violation(op_id, span.day, "break_gap",
                                       f"break at {at:%H:%M} of shift {span.label} starts {between} min after the "
                                       f"previous break ends, needs {gap} min"))
    return found


def _team_on_break(
    spans: Mapping[str, list[_Span]], teams: Mapping[str, str], tz: ZoneInfo, settings: Breaks
) -> list[Violation]:
    """Sweeps each team's shift and break start/end instants; between two instants the counts are constant."""
    share = settings.rules.team_on_break.max_share
    changes: dict[str, list[tuple[datetime, int, int, str]]] = defaultdict(list)
    for op_id, op_spans in spans.items():
        team = teams.get(op_id)
        if team is None:
            continue
        for span in op_spans:
            changes[team] += [(span.start_utc, 1, 0, op_id), (span.end_utc, -1, 0, op_id)]
            length = timedelta(minutes=_break_length(span, settings))
            for moment in span.shift.breaks:
                begin = moment.astimezone(UTC)
                changes[team] += [(begin, 0, 1, op_id), (begin + length, 0, -1, op_id)]
    found = []
    for team, events in sorted(changes.items()):
        events.sort(key=lambda event: event[0])
        # Breaks open per operator, not a set of those away: the state after all events of one instant must not
        # depend on their order (one break ending as the next begins) nor drop an operator whose breaks overlap.
        on_shift, away = 0, Counter[str]()
        for i, (moment, shift_change, break_change, op_id) in enumerate(events):
            on_shift += shift_change
            if break_change:
                away[op_id] += break_change
                if not away[op_id]:
                    del away[op_id]
            following = events[i + 1][0] if i + 1 < len(events) else moment
            allowed = max(1, int(share * on_shift + 1e-9))
            if following > moment and len(away) > allowed:
                local = moment.astimezone(tz)
                found.append(Violation(
                    ", ".join(sorted(away)), local.date(), "team_on_break",
                    f"team {team}: {len(away)} of {on_shift} on shift are on break at {local:%H:%M}, at most "
                    f"{allowed} ({share:.0%})"))
    return found


# --- helpers -------------------------------------------------------------------------------------------------------


def _shift_hours(op: Operator, rules: Rules) -> int | None:
    try:
        return rules.shift_hours(op.rate)
    except (KeyError, ValueError):
        return None


def _unknown_rate(op: Operator, rules: Rules) -> Violation:
    known = ", ".join(sorted(rules.contracts))
    return Violation(op.id, None, "contracts", f"rate {op.rate:g} has no shift length in contracts (known: {known})")


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


def _minute_of_day(moment: datetime) -> int:
    return moment.hour * 60 + moment.minute


def _duration(span: timedelta) -> str:
    minutes = round(span.total_seconds() / 60)
    sign = "-" if minutes < 0 else ""
    hours, rest = divmod(abs(minutes), 60)
    if rest == 0:
        return f"{sign}{hours} h"
    return f"{sign}{hours} h {rest} min" if hours else f"{sign}{rest} min"


def _num(value: float) -> str:
    return f"{round(value, 2):g}"
