"""Someone calls in sick, on the roster page: their shift of a day comes out, and the page ranks who can take it
keeping every hard rule (`planner.replace`); applying one edits the grid, saved like any edit, and may re-solve the
rest of the month changing few others."""

from __future__ import annotations

import pandas as pd
import streamlit as st
from babel.dates import format_date

from planner.config import Rules
from planner.domain import Operator, Roster, StaffingPlan
from planner.editing import Work
from planner.grid import CellEdit, GridResult, shift_code
from planner.i18n import N_, column_label
from planner.jobs import SolveJob
from planner.replace import (
    Candidate,
    Change,
    SickCall,
    apply_candidate,
    changes,
    changes_csv,
    free_operators,
    proposed,
    rest_of_month_locks,
    sick_call,
)
from planner.store import StaleInput
from planner.validate import format_violations
from ui import state
from ui.roster_session import ABANDONED_SECONDS, TIME_LIMIT, kept, notify, replace_work, running, start_solve, table
from ui.views import audited_download

__all__ = ["sick_call_section", "SICK_ON", "SICK_OPERATOR", "SICK_DAY", "SICK_PICK", "SICK_APPLY", "SICK_EXPORT",
           "SICK_BUDGET", "SICK_RESOLVE"]

SICK_ON, SICK_OPERATOR, SICK_DAY, SICK_PICK, SICK_APPLY, SICK_EXPORT, SICK_BUDGET, SICK_RESOLVE = (
    "sick_on", "sick_operator", "sick_day", "sick_pick", "sick_apply", "sick_export", "sick_budget", "sick_resolve")


def sick_call_section(work: Work, edited: GridResult, plan: StaffingPlan, operators: tuple[Operator, ...], rules: Rules,
               previous: Roster | None, earlier: tuple[Roster, ...]) -> None:
    """Someone calls in sick: their shift of a day comes out, and the page ranks who can take it keeping every hard
    rule (`planner.replace`); applying one edits the grid as two changed cells, saved like any edit. The ranking
    (under a second at 150 operators) runs only while the section is switched on."""
    _ = state.t()
    roster = edited.roster
    if not st.toggle(_("Sick call: who can take a shift"), key=SICK_ON):
        return
    with st.container(border=True):
        by_id = {op.id: op for op in operators}
        working = sorted({shift.operator_id for shift in roster.shifts if shift.operator_id in by_id})
        if not working:
            return
        left, right = st.columns(2)
        absent = left.selectbox(_("Absent operator"), working, key=SICK_OPERATOR,
                                format_func=lambda op_id: f"{by_id[op_id].name} ({op_id})")
        days = sorted(shift.day for shift in roster.shifts if shift.operator_id == absent)
        language = state.language()
        day = right.selectbox(_("Day"), days, key=f"{SICK_DAY}_{absent}",
                              format_func=lambda d: format_date(d, "EEE d MMM", locale=language))
        call = kept("sick_call", (roster, absent, day, operators, rules, previous),
                     lambda: sick_call(plan, roster, operators, rules, absent, day, previous))
        tz = roster.month.tz
        st.caption(_("Dropping the shift leaves {hours} agent-hours short this month.").format(
            hours=call.shortfall_without))
        if not call.candidates:
            st.warning(_("Nobody can take this shift keeping every hard rule."))
            return
        labels = {rank: f"{rank}. {c.name} — {shift_code(c.shift, tz)}"
                  for rank, c in enumerate(call.candidates, start=1)}
        table(pd.DataFrame({
            _("Rank"): list(labels),
            column_label("name", language): [c.name for c in call.candidates],
            _("Shift"): [shift_code(c.shift, tz) for c in call.candidates],
            _("Short hours covered"): [c.short_hours_covered for c in call.candidates],
            _("Wished the day off"): [c.wished_off for c in call.candidates],
            _("Hours against the norm"): [round(c.hours_before - c.norm_hours, 1) for c in call.candidates],
        }), "sick_call_candidates")
        rank = st.selectbox(_("Who takes it"), list(labels), key=f"{SICK_PICK}_{absent}_{day}",
                            format_func=labels.__getitem__)
        chosen = call.candidates[rank - 1]
        told = changes(roster, proposed(call, chosen), {op.id: op.name for op in operators})
        busy = running()
        apply, export = st.columns(2)
        if apply.button(_("Apply"), key=SICK_APPLY, disabled=busy):
            _apply_sick_call(work, edited, call, chosen, told, plan, rules, previous)
            st.rerun()
        budget = st.number_input(_("Then re-solve the days after it, changing at most this many other operators"),
                                 min_value=1, max_value=len(operators), value=min(3, len(operators)), key=SICK_BUDGET)
        if st.button(_("Apply and re-solve the rest of the month"), key=SICK_RESOLVE, disabled=busy):
            applied = _apply_sick_call(work, edited, call, chosen, told, plan, rules, previous)
            if applied is not None:
                locks = rest_of_month_locks(applied.roster, call.operators, day,
                                            free_operators(call, rules, int(budget)))
                start_solve(SolveJob(plan, call.operators, rules, time_limit=st.session_state[TIME_LIMIT], locks=locks,
                                previous=previous, earlier=earlier, abandon_after=ABANDONED_SECONDS),
                       applied.version.id)
            st.rerun()
        audited_download(export, _("Who must be told (CSV)"), lambda: changes_csv(told, operators),
                         what=f"sick call changes {absent} {day}", version_id=work.version.id,
                         file_name=f"sick-call-{absent}-{day}.csv", mime="text/csv", key=SICK_EXPORT)


def _apply_sick_call(work: Work, edited: GridResult, call: SickCall, chosen: Candidate, told: list[Change],
                     plan: StaffingPlan, rules: Rules, previous: Roster | None) -> Work | None:
    """The opened version with the candidate taking the shift, as edits of the grid, and the sick days kept in the
    month's operator list (a new version), so that every later check counts them; None (said) when the roster,
    breaks placed, would break a hard rule, or when someone saved the operators meanwhile."""
    replaced, broken = apply_candidate(call, chosen, plan, rules, previous)
    if broken:
        notify("error", format_violations(broken))
        return None
    store, month = state.store(), state.month()
    listed = store.load_operators(month)
    try:
        store.save_operators(month, call.operators, state.user(),
                             source=f"sick call: {call.removed.operator_id} from {call.removed.day}",
                             based_on=listed.id if listed else None)
    except StaleInput:
        notify("error", state.t()(N_("Someone saved the operator list meanwhile: apply the sick call again.")))
        return None
    cells = tuple(CellEdit(change.operator_id, change.day, change.before, change.after) for change in told)
    return replace_work(work.folded(replaced, edited.edits + cells))
