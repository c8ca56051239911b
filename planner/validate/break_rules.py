"""The break rules, keys of `breaks` in constraints.yaml: breaks per shift on the grid, inside their window, apart
from each other, and a team's share on break at once."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from planner.config import Breaks
from planner.validate.spans import Span, Violation, duration


def per_shift(op_id: str, spans: list[Span], settings: Breaks) -> list[Violation]:
    found = []
    for span in spans:
        allowance = settings.allowance(span.elapsed.total_seconds() / 3600)
        wanted = allowance.count if allowance else 0
        if len(span.shift.breaks) != wanted:
            gets = f"{wanted} of {allowance.minutes} min" if allowance and wanted else "none"
            found.append(Violation(op_id, span.day, "per_shift",
                                   f"shift {span.label} has {len(span.shift.breaks)} break(s), a shift of "
                                   f"{duration(span.elapsed)} gets {gets}"))
        for moment in span.shift.breaks:
            local = span.local(moment)
            if local.minute % settings.grid_minutes or local.second or local.microsecond:
                found.append(Violation(op_id, span.day, "per_shift",
                                       f"break at {local:%H:%M:%S} of shift {span.label} is off the "
                                       f"{settings.grid_minutes}-minute grid"))
    return found


def break_window(op_id: str, spans: list[Span], settings: Breaks) -> list[Violation]:
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


def break_gap(op_id: str, spans: list[Span], settings: Breaks) -> list[Violation]:
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


def team_on_break(
    spans: Mapping[str, list[Span]], teams: Mapping[str, str], tz: ZoneInfo, settings: Breaks
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


def _break_length(span: Span, settings: Breaks) -> int:
    allowance = settings.allowance(span.elapsed.total_seconds() / 3600)
    return allowance.minutes if allowance else 0


def _break_offsets(span: Span) -> list[int]:
    """Minutes from the shift's start to each break's start, in elapsed time, in order."""
    return sorted(int((moment.astimezone(UTC) - span.start_utc).total_seconds() // 60) for moment in span.shift.breaks)
