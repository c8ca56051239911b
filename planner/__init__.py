"""Monthly shift planner for 24/7 contact centres: forecast -> Erlang C staffing -> CP-SAT roster."""

from planner.config import Rules, load_rules
from planner.domain import Forecast, Operator, Roster, Shift, StaffingPlan
from planner.errors import InputError, Problem
from planner.month import Month

__all__ = [
    "Forecast",
    "InputError",
    "Month",
    "Operator",
    "Problem",
    "Roster",
    "Rules",
    "Shift",
    "StaffingPlan",
    "load_rules",
]
