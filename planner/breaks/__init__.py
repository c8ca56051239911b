"""Breaks inside every shift, placed with CP-SAT so that the operators on the phones stay at `required`.

A break only moves load inside its own shift, so the month splits cleanly into days: the shifts starting on one
day are placed together, in date order, with the breaks already placed on the previous day (the night shifts
running past midnight) held fixed. One day is a few hundred 5-minute slots and about a hundred shifts, which CP-SAT
solves to optimality or close to it in a second or two; the whole month then takes well under a minute instead of
one model with every break of the month in it.

Every slot is measured in elapsed (UTC) time from the month's first local midnight, so a 23- or 25-hour day
needs no special case; shifts start on the hour, so the elapsed grid is also the wall-clock grid.

- `slots`: the clock of slots, the breaks each shift must take (`Job`) and the per-slot loads;
- `model`: the day's CP-SAT model (`BreakModel`): one literal per shift, break and start inside `break_window`,
  then one function per other rule of `breaks` in constraints.yaml (`BREAK_RULES`): `add_per_shift`,
  `add_break_gap`, `add_team_on_break` (hard) and `add_on_phones_shortfall`, `add_worst_dip` (soft, weighted);
- `solve`: the month day by day (`place_breaks`);
- `placements`: the staggered placement that hints each day's model, and the naive baseline;
- `report`: on-phones per slot from a roster's breaks, and the summary against the naive placement.
"""

from planner.breaks.model import BREAK_RULES, BreakModel, build_day_model, team_break_cap
from planner.breaks.placements import naive_breaks
from planner.breaks.report import BreaksReport, SlotLoad, breaks_report, slot_loads, worst_dip
from planner.breaks.solve import BreakDay, BreakResult, BreaksInfeasible, place_breaks

__all__ = [
    "BreakDay",
    "BreakResult",
    "BreaksInfeasible",
    "SlotLoad",
    "place_breaks",
    "build_day_model",
    "BreakModel",
    "naive_breaks",
    "slot_loads",
    "worst_dip",
    "BreaksReport",
    "breaks_report",
    "team_break_cap",
    "BREAK_RULES",
]
