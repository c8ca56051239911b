"""The rules of one operator's shifts in time order: a shift a day, rest, runs of days and of nights, successions
and weekly rest. They alone look across the month's first day, so they are judged on last month's shifts too."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta

from planner.config import Rules
from planner.domain import Roster
from planner.validate.spans import Span, Violation, duration, minute_of_day


def across_the_start(op_id: str, spans: list[Span], days: Sequence[date], max_days: int, roster: Roster,
                     rules: Rules) -> Counter[Violation]:
    """The violations of the rules that look across the month's first day, falling in this month."""
    month_start = roster.month.days[0]
    return Counter(violation for violation in (
        *one_shift_per_day(op_id, spans),
        *rest_between_shifts(op_id, spans, rules.rules.rest_between_shifts.min_hours),
        *max_consecutive_days(op_id, spans, max_days, month_start),
        *max_consecutive_nights(op_id, spans, rules, month_start),
        *min_consecutive_days(op_id, spans, days, rules.rules.min_consecutive_days.min_days),
        *min_consecutive_days_off(op_id, spans, days, rules.rules.min_consecutive_days_off.min_days),
        *forbidden_successions(op_id, spans, rules),
        *forward_rotation(op_id, spans, rules),
        *weekly_rest(op_id, spans, roster, rules),
    ) if violation.day is not None and violation.day >= month_start)


def one_shift_per_day(op_id: str, spans: list[Span]) -> list[Violation]:
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
                        f"shift {later.label} overlaps shift {earlier.label} by {duration(overlap)}",
                    )
                )
    return found


def rest_between_shifts(op_id: str, spans: list[Span], min_hours: int) -> list[Violation]:
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
                        f"rest {duration(rest)} before shift {span.start_local:%Y-%m-%d %H:%M}, needs {min_hours} h",
                    )
                )
        latest_end = span.end_utc if latest_end is None else max(latest_end, span.end_utc)
    return found


def max_consecutive_days(op_id: str, spans: list[Span], max_days: int, month_start: date) -> list[Violation]:
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


def max_consecutive_nights(op_id: str, spans: list[Span], rules: Rules, month_start: date) -> list[Violation]:
    """Night shifts (at least fair_nights.min_hours of real hours starting inside its window, on the local clock)
    on too many days in a row, reported as max_consecutive_days reports days."""
    limit = rules.rules.max_consecutive_nights.max_nights
    if limit is None:
        return []
    window = rules.rules.fair_nights
    first_minute, last_minute = window.window_minutes
    nights = [span for span in spans if _hours_in_window(span, first_minute, last_minute) >= window.min_hours]
    return [Violation(op_id, v.day, "max_consecutive_nights", v.detail.replace("days in a row", "nights in a row"))
            for v in max_consecutive_days(op_id, nights, limit, month_start)]


def _hours_in_window(span: Span, first_minute: int, last_minute: int) -> int:
    inside, moment = 0, span.start_utc
    while moment < span.end_utc:
        minute = minute_of_day(span.local(moment))
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


def _short_runs(op_id: str, spans: list[Span], days: Sequence[date], min_days: int, of_work: bool) -> list[Violation]:
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


def min_consecutive_days(op_id: str, spans: list[Span], days: Sequence[date], min_days: int) -> list[Violation]:
    return _short_runs(op_id, spans, days, min_days, of_work=True)


def min_consecutive_days_off(op_id: str, spans: list[Span], days: Sequence[date], min_days: int) -> list[Violation]:
    return _short_runs(op_id, spans, days, min_days, of_work=False)


def forbidden_successions(op_id: str, spans: list[Span], rules: Rules) -> list[Violation]:
    return _successions(op_id, spans, rules, frozenset(rules.rules.forbidden_successions.pairs),
                        "forbidden_successions")


def forward_rotation(op_id: str, spans: list[Span], rules: Rules) -> list[Violation]:
    return _successions(op_id, spans, rules, rules.rules.forward_rotation.backward_pairs, "forward_rotation")


def _successions(op_id: str, spans: list[Span], rules: Rules, pairs: frozenset[tuple[str, str]],
                 rule: str) -> list[Violation]:
    """A violation of `rule` for each day whose shift type follows the day before's as one of `pairs`."""
    if not pairs:
        return []
    kinds: dict[date, set[str]] = defaultdict(set)
    for span in spans:
        kinds[span.day].add(rules.shift_type(minute_of_day(span.start_local)))
    found = []
    for day in sorted(kinds):
        before = kinds.get(day - timedelta(days=1), set())
        for first, then in sorted(pairs):
            if first in before and then in kinds[day]:
                detail = f"a {then} shift the day after a {first} shift"
                found.append(Violation(op_id, day, rule, detail))
    return found


def weekly_rest(op_id: str, spans: list[Span], roster: Roster, rules: Rules) -> list[Violation]:
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
            detail = (f"longest rest of the week {monday}…{sunday} is {duration(longest)} from "
                      f"{since.astimezone(tz):%Y-%m-%d %H:%M}, needs {rule.min_hours} h")
            found.append(Violation(op_id, max(monday, roster.month.days[0]), "weekly_rest", detail))
        monday += timedelta(days=7)
    return found


def _longest_rest(spans: list[Span], begin: datetime, end: datetime) -> tuple[timedelta, datetime]:
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


def _rolling_weekly_rest(op_id: str, spans: list[Span], needed: timedelta, month_start: date) -> list[Violation]:
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
                      f"have no rest of {duration(needed)} between them: some 7 x 24 h hold none")
            found.append(Violation(op_id, max(first.day, month_start), "weekly_rest", detail))
        if span is not None:
            first, last, cursor = span, span, span.end_utc
    return found
