"""An operator's shifts as an RFC 5545 calendar (`.ics`) that phones and mail programs import (issue 16, item 2).

One event per shift, in the centre's time zone (`TZID`, with its `VTIMEZONE` written into the file as RFC 5545
requires), the breaks in the description. A shift's UID is the operator and the day the shift starts: an
operator works at most one shift a day, so importing the calendar of an updated roster updates each day's event
in place instead of adding a second one. `SEQUENCE` grows with the roster's save time, which calendar programs
read to tell the newer event from the older.

A shift that starts in the hour repeated when the clocks go back cannot be named by a local time (RFC 5545 reads
such a time as its first occurrence), so it is written in UTC; every other time is written as the operator reads
it on the wall.

A day whose shift was removed in the update keeps its old event in a calendar that imported the file before:
importing adds and updates, never deletes. The page says so next to the download.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event

from planner.config import Rules
from planner.domain import Operator, Roster, Shift
from planner.grid import shift_code
from planner.i18n import translator

__all__ = ["operator_calendar", "calendars_zip", "calendar_file_name"]

PRODUCT = "-//Shift planner//Roster//EN"
UID_DOMAIN = "shift-planner"
_UNSAFE_IN_FILE_NAME = re.compile(r"[^\w.-]+")


def operator_calendar(roster: Roster, operator: Operator, rules: Rules, *, saved_at: datetime,
                      language: str | None = None) -> bytes:
    """The operator's shifts of `roster` as an iCalendar file. `saved_at` (aware) is when the roster was saved:
    the events' DTSTAMP and SEQUENCE, so a newer roster's events replace an older one's."""
    _ = translator(language or rules.ui.language).gettext
    tz = roster.month.tz
    calendar = Calendar()
    calendar.add("prodid", PRODUCT)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", _("Shifts of {name}").format(name=operator.name))
    calendar.add("x-wr-timezone", tz.key)
    shifts = sorted((s for s in roster.shifts if s.operator_id == operator.id), key=lambda s: s.start.astimezone(UTC))
    for shift in shifts:
        calendar.add_component(_event(shift, rules, tz, saved_at, _))
    calendar.add_missing_timezones()
    return calendar.to_ical()


def calendars_zip(roster: Roster, operators: Sequence[Operator], rules: Rules, *, saved_at: datetime,
                  language: str | None = None) -> bytes:
    """Every operator's calendar (`calendar_file_name`), one file each, in one zip archive."""
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as files:
        for op in operators:
            files.writestr(calendar_file_name(roster, op),
                           operator_calendar(roster, op, rules, saved_at=saved_at, language=language))
    return archive.getvalue()


def calendar_file_name(roster: Roster, operator: Operator) -> str:
    """`shifts-2026-12-op7.ics`: the month and the operator id, with nothing a file system would object to."""
    return f"shifts-{roster.month.label}-{_UNSAFE_IN_FILE_NAME.sub('_', operator.id)}.ics"


def _event(shift: Shift, rules: Rules, tz: ZoneInfo, saved_at: datetime, _: Callable[[str], str]) -> Event:
    event = Event()
    event.add("uid", f"{shift.operator_id}-{shift.day:%Y%m%d}@{UID_DOMAIN}")
    event.add("dtstamp", saved_at.astimezone(UTC))
    event.add("sequence", int(saved_at.timestamp()) // 60)
    event.add("summary", _("Shift {code}").format(code=shift_code(shift, tz)))
    event.add("dtstart", _wall_or_utc(shift.start, tz))
    event.add("dtend", _wall_or_utc(shift.end, tz))
    event.add("transp", "OPAQUE")
    if shift.breaks:
        allowance = rules.breaks.allowance(shift.hours)
        minutes = allowance.minutes if allowance else 0
        times = ", ".join(f"{moment.astimezone(tz):%H:%M}" for moment in shift.breaks)
        event.add("description", _("Breaks: {times} ({minutes} minutes each)").format(times=times, minutes=minutes))
    return event


def _wall_or_utc(moment: datetime, tz: ZoneInfo) -> datetime:
    """The local time, unless that wall-clock time happens twice (the night the clocks go back): then UTC."""
    local = moment.astimezone(tz)
    if local.replace(fold=1 - local.fold).utcoffset() != local.utcoffset():
        return local.astimezone(UTC)
    return local
