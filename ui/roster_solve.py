"""The roster page's solving: last month and the months before it said in words, the time limit, the solve running
in the background with its progress, and what a finished solve becomes (a new draft, or the opened version's
re-solved roster)."""

from __future__ import annotations

import altair as alt
import pandas as pd
import streamlit as st

from planner.capacity import capacity_warnings
from planner.config import Rules
from planner.domain import Operator, Roster, StaffingPlan
from planner.editing import Work
from planner.i18n import ACTIONS, MESSAGES, whole_number
from planner.jobs import SolveJob
from planner.outputs import summary
from ui import state
from ui.roster_session import (
    ABANDONED_SECONDS,
    JOB,
    OPEN,
    TIME_LIMIT,
    WORK,
    RunningSolve,
    notify,
    replace_work,
    start_solve,
)

__all__ = ["last_month", "earlier_months", "solve_controls", "take_finished_job"]


def last_month() -> Roster | None:
    """Last month's published roster, said in words: the planner sees whether the 1st is planned with it."""
    _ = state.t()
    stored = state.last_month_roster()
    if stored is None:
        st.caption(_("Last month has no published roster: the month is planned on its own, as if last month "
                     "ended free."))
        return None
    st.caption(_("Planned after last month's published roster ({month} version {number}): rest, runs of days, "
                 "successions and weekly rest hold across the 1st.").format(month=stored.info.month,
                                                                           number=stored.info.number))
    return stored.roster


def earlier_months() -> tuple[Roster, ...]:
    """The published rosters of the months before last month that the fairness rules count, said in words."""
    _ = state.t()
    stored = state.earlier_rosters()
    if stored:
        st.caption(_("Fair nights and weekends also count the published rosters of {months}.").format(
            months=", ".join(one.info.month for one in stored)))
    return tuple(one.roster for one in stored)


def solve_controls(plan: StaffingPlan, operators: tuple[Operator, ...], rules: Rules,
                    previous: Roster | None, earlier: tuple[Roster, ...]) -> None:
    _ = state.t()
    for warning in _capacity(plan, operators, rules, hash((plan.required, operators, state.rules_text()))):
        st.warning(warning)
    running = st.session_state.get(JOB)
    left, right = st.columns([1, 3], vertical_alignment="bottom")
    left.number_input(_("Time limit, s"), min_value=1.0, max_value=3600.0, value=float(rules.solver.time_limit_sec),
                      step=10.0, key=TIME_LIMIT, disabled=running is not None)
    if right.button(_(ACTIONS["solve"]), key="solve", type="primary", disabled=running is not None):
        start_solve(SolveJob(plan, operators, rules, time_limit=st.session_state[TIME_LIMIT], previous=previous,
                        earlier=earlier, abandon_after=ABANDONED_SECONDS), None)
    if running is not None:
        _progress()


@st.cache_data(show_spinner=False, max_entries=4)
def _capacity(_plan: StaffingPlan, _operators: tuple[Operator, ...], _rules: Rules, key: int) -> list[str]:
    return [str(warning) for warning in capacity_warnings(_plan, _operators, _rules)]


@st.fragment(run_every=1)
def _progress() -> None:
    _ = state.t()
    running: RunningSolve | None = st.session_state.get(JOB)
    if running is None:
        return
    snapshot = running.job.snapshot()
    if snapshot.done:
        st.rerun()  # the whole page takes the result
    stages = {
        "waiting": _("Finding the proven bound"),
        "aggregate": _("Putting names on shifts"),
        "greedy": _("Planning again the operators the first roster breaks a rule for"),
        "repair": _("Improving the roster operator by operator"),
        "descent": _("Building the model"),
        "build": _("Improving the roster"),
        "roster": _("Improving the roster"),
        "solve": _("Placing breaks"),
        "breaks": _("Placing breaks"),
    }
    parts = [_(MESSAGES["solving"]), stages.get(snapshot.stage, snapshot.stage), f"{snapshot.wall_seconds:.0f} s"]
    if snapshot.stopped:
        parts.append(_("Stopping…"))
    st.info(" · ".join(parts))
    best, bound, days = st.columns(3)
    language = state.language()
    best.metric(_("Best objective"), "—" if snapshot.objective is None else whole_number(snapshot.objective, language))
    bound.metric(_("Proven bound"),
                 "—" if snapshot.best_bound is None else whole_number(snapshot.best_bound, language))
    days.metric(_("Days with breaks placed"), snapshot.break_days_done)
    if len(snapshot.improvements) > 1:
        seconds, objective = _("Seconds"), _("Objective")
        frame = pd.DataFrame({seconds: [p.wall_seconds for p in snapshot.improvements],
                              objective: [p.objective for p in snapshot.improvements]})
        st.altair_chart(alt.Chart(frame, height=160).mark_line(point=True, interpolate="step-after").encode(
            x=alt.X(f"{seconds}:Q"), y=alt.Y(f"{objective}:Q", scale=alt.Scale(zero=False))))
    st.button(_(ACTIONS["stop"]), key="stop", on_click=running.job.stop, disabled=snapshot.stopped)


def take_finished_job() -> None:
    """A finished solve becomes a new draft (opened at once), a finished re-solve the opened version's roster."""
    running: RunningSolve | None = st.session_state.get(JOB)
    if running is None or not running.job.done:
        return
    del st.session_state[JOB]
    job = running.job
    snapshot = job.snapshot()
    if snapshot.error is not None or job.result is None:
        notify("error", f"{state.t()(MESSAGES['no_solution'])}\n\n{snapshot.error}")
        return
    roster, report = job.result.roster, summary(job.result)
    if snapshot.stopped:
        notify("info", state.t()(MESSAGES["stopped"]))
    if running.into_version is None:
        info = state.store().create_draft(roster, report, running.rules_text, state.user())
        st.session_state[OPEN] = info.id
        return
    work: Work | None = st.session_state.get(WORK)
    if work is not None and work.version.id == running.into_version:
        replace_work(work.resolved(roster, report, running.rules_text))
