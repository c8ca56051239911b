"""The ledger of nights and weekend shifts that fair_nights and fair_weekends share this month's with: each
operator's count over the months before (`months_back` of each rule, last month included), so the same people
do not get the nights every month.

A month in which an operator has no shift at all (not yet hired, a month of leave) counts as the average of this
month's operators who worked in it: counting it as 0 would hand a newcomer everyone's nights until they caught up.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from planner.config import Rules
from planner.domain import Operator, Roster
from planner.grid import OperatorLoad, operator_loads
from planner.month import Month

__all__ = ["PastLoad", "past_loads"]


@dataclass(frozen=True)
class PastLoad:
    """One operator's nights and weekend shifts over the months each fairness rule looks back on."""

    nights: int = 0
    weekends: int = 0
    nights_months: int = 0  # months counted for nights (fair_nights.months_back, or fewer when not stored)
    weekends_months: int = 0


def past_loads(month: Month, rosters: Iterable[Roster | None], operators: Sequence[Operator],
               rules: Rules) -> dict[str, PastLoad]:
    """Per operator id of `operators`, their ledger for planning `month` from the earlier months' `rosters` (any
    order; None and months outside the rules' look-back are left out, and of two rosters of one month the first
    given counts)."""
    by_month: dict[str, Roster] = {}
    for roster in rosters:
        if roster is not None and roster.month.label < month.label:
            by_month.setdefault(roster.month.label, roster)
    fair = rules.rules
    # Each stored month's loads once, in order back from last month, for both rules to count from.
    loads: list[list[OperatorLoad]] = []
    before = month
    for _ in range(max(fair.fair_nights.months_back, fair.fair_weekends.months_back)):
        before = before.before
        stored = by_month.get(before.label)
        loads.append(operator_loads(stored, operators, rules) if stored is not None else [])
    nights = _counted(loads[:fair.fair_nights.months_back], operators, "nights")
    weekends = _counted(loads[:fair.fair_weekends.months_back], operators, "weekends")
    return {op.id: PastLoad(nights[0][op.id], weekends[0][op.id], nights[1], weekends[1]) for op in operators}


def _counted(months: list[list[OperatorLoad]], operators: Sequence[Operator], load: str) -> tuple[dict[str, int], int]:
    """Per operator id the sum of `load` ("nights" or "weekends") over the stored `months` (an empty list for
    one not stored), and how many are stored."""
    stored = [month for month in months if month]
    totals = dict.fromkeys((op.id for op in operators), 0.0)
    for loads in stored:
        worked = [getattr(one, load) for one in loads if one.shifts]
        average = sum(worked) / len(worked) if worked else 0.0
        for one in loads:
            totals[one.operator_id] += getattr(one, load) if one.shifts else average
    # Half up: a newcomer beside two operators of 1 and 0 nights counts 1, not 0 as round() would have it.
    return {op_id: int(total + 0.5) for op_id, total in totals.items()}, len(stored)
