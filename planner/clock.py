"""Times of day as the rules, the operators file and the messages write them: minutes after midnight, 'HH:MM'."""

from __future__ import annotations

import re
from datetime import timedelta

__all__ = ["DAY_MINUTES", "HOUR", "hhmm", "in_daily_window", "parse_hhmm"]

DAY_MINUTES = 24 * 60
HOUR = timedelta(hours=1)

_HHMM = re.compile(r"^([01]?\d|2[0-4]):([0-5]\d)$")


def parse_hhmm(text: str) -> int:
    """'HH:MM' -> minutes after midnight, 0..1440 ('24:00' allowed as the end of a day)."""
    match = _HHMM.match(text.strip())
    if not match:
        raise ValueError(f"must be a time HH:MM, got {text!r}")
    minutes = int(match[1]) * 60 + int(match[2])
    if minutes > DAY_MINUTES:
        raise ValueError(f"must be at most 24:00, got {text!r}")
    return minutes


def hhmm(minutes: int) -> str:
    """Minutes after midnight -> 'HH:MM' (1440 is '24:00', the end of a day)."""
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def in_daily_window(minute: int, start: int, end: int) -> bool:
    """Whether a wall-clock minute of the day lies in [start, end), a window that wraps midnight when end <= start
    (22:00-06:00)."""
    minute, start, end = minute % DAY_MINUTES, start % DAY_MINUTES, end % DAY_MINUTES
    return start <= minute < end if start < end else (minute >= start or minute < end)
