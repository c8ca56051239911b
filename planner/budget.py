"""One time limit for a whole run — the roster search, then the breaks day by day and the taxi routing — as a
planner reads `--time-limit` or the page's limit: the run ends within it, not the roster search alone.

The roster gets a share from the start (all of it when nothing follows it); of what is left when it is done, the
breaks and the taxi routing get their shares, and the rest reads and writes files."""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["AfterRoster", "TimeBudget", "process_age"]

ROSTER_SHARE = 0.6
BREAKS_SHARE, TAXI_SHARE = 0.7, 0.15
# A day's breaks take their CP-SAT limit and about this much more to build and read the day's model (measured on
# the sample month: 1.1-1.2 s a day at a 1-second limit; 0.6-0.7 s at 0.35 s, which took `planner solve` with its
# default 60 s to 60.5-62.5 s as timed from the shell at 0.2).
BREAK_DAY_OVERHEAD_SEC = 0.3
# Below these a search finds nothing useful: a run out of time still gets a roster, breaks and cars.
MIN_ROSTER_SECONDS, MIN_BREAK_DAY_SECONDS, MIN_ROUTING_SECONDS = 1.0, 0.1, 0.05


@dataclass(frozen=True)
class TimeBudget:
    seconds: float
    started: float = field(default_factory=time.monotonic)  # time.monotonic() when the run began
    roster_share: float = ROSTER_SHARE

    def left(self) -> float:
        return max(0.0, self.seconds - (time.monotonic() - self.started))

    def roster_seconds(self) -> float:
        """The roster search's limit, counted from now."""
        return max(MIN_ROSTER_SECONDS, self.left() - self.seconds * (1 - self.roster_share))

    def after_roster(self) -> AfterRoster:
        """What the rest of the run shares, taken when the roster is done."""
        return AfterRoster(self.left())


@dataclass(frozen=True)
class AfterRoster:
    seconds: float

    def per_break_day(self, days: int, ceiling: float) -> float:
        """The CP-SAT limit of one day's breaks, at most the rules' `ceiling`."""
        return min(ceiling, max(MIN_BREAK_DAY_SECONDS,
                                self.seconds * BREAKS_SHARE / max(1, days) - BREAK_DAY_OVERHEAD_SEC))

    def per_ride_group(self, groups: int, ceiling: float) -> float:
        """The routing limit of one night's group of cars, at most the rules' `ceiling`."""
        return min(ceiling, max(MIN_ROUTING_SECONDS, self.seconds * TAXI_SHARE / max(1, groups)))


def process_age() -> float:
    """Seconds since this process began where the system tells (Linux, /proc), else 0. A command's limit counts
    from there as its user times it: starting Python and importing OR-Tools and the rest takes some 2 s."""
    try:
        # Field 22 of /proc/self/stat, the start in clock ticks after boot; the name in field 2 may hold spaces.
        ticks = int(Path("/proc/self/stat").read_text().rsplit(")", 1)[1].split()[19])
        return max(0.0, time.clock_gettime(time.CLOCK_BOOTTIME) - ticks / os.sysconf("SC_CLK_TCK"))
    except (OSError, ValueError, IndexError, AttributeError):
        return 0.0
