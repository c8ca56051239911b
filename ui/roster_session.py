"""The roster page's session: which keys it keeps, the solve running in the background, the notice shown after
the next rerun, values kept from run to run. The working state itself is `planner.editing.Work`; the page's
parts (`ui.roster`, `ui.roster_solve`, `ui.sick_call`, `ui.roster_figures`) share these."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import pandas as pd
import streamlit as st

from planner.editing import Work
from planner.i18n import N_
from planner.jobs import SolveJob, SolvesBusy
from ui import state

__all__ = ["JOB", "WORK", "VERSION", "OPEN", "SHOWN", "REFUSED", "TIME_LIMIT", "ABANDONED_SECONDS", "COPY",
           "RunningSolve", "start_solve", "running", "replace_work", "notify", "show_notice", "kept", "table"]

# Session keys.
JOB = "roster_job"
# A solve nobody has asked about for this long (the sidebar asks every 5 s while the tab is open) stops: its tab
# is gone, and the server's solve slots (solver.max_running_solves) are for those still waiting.
ABANDONED_SECONDS = 60
WORK = "roster_work"
VERSION = "roster_version"
OPEN = "roster_open"  # a version to open on the next run (the selector cannot change once drawn)
SHOWN = "roster_shown"
REFUSED = "roster_refused"
NOTICE = "roster_notice"
TIME_LIMIT = "solve_time_limit"
KEPT = "roster_kept"
COPY = "roster_working_copy"  # what the database's working copy holds, as last written by this session

T = TypeVar("T")


@dataclass(frozen=True)
class RunningSolve:
    job: SolveJob
    rules_text: str
    into_version: int | None  # a re-solve of the opened version; None for a new draft

    def stop(self) -> None:
        self.job.stop()

    def touch(self) -> None:
        self.job.touch()


def start_solve(job: SolveJob, into_version: int | None) -> None:
    """Start `job` and rerun, the page then showing its progress; said when the server runs its limit already."""
    try:
        started = job.start()
    except SolvesBusy as busy:
        notify("error", state.t()(N_("{limit} solves are running on this server already: start this one when "
                                     "one of them has finished.")).format(limit=busy.limit))
        st.rerun()
    st.session_state[JOB] = RunningSolve(started, state.rules_text(), into_version)
    st.rerun()


def running() -> bool:
    """A solve of this session runs: the grid and the actions wait for it."""
    return st.session_state.get(JOB) is not None


def replace_work(work: Work) -> Work:
    """Open `work` in a new grid editor that starts from its roster."""
    work = work.after(st.session_state.get(WORK))
    st.session_state[WORK] = work
    return work


def notify(kind: str, text: str) -> None:
    st.session_state[NOTICE] = (kind, text)


def show_notice() -> None:
    notice = st.session_state.pop(NOTICE, None)
    if notice is not None:
        kind, text = notice
        {"success": st.success, "info": st.info, "error": st.error}[kind](text)


def kept(name: str, inputs: tuple, compute: Callable[[], T]) -> T:
    """`compute()`, or its value from an earlier run when `inputs` are equal: a rerun that leaves the roster as
    it was (a lock, a language switch) does not validate and measure a month of shifts again."""
    values: dict[str, tuple[tuple, Any]] = st.session_state.setdefault(KEPT, {})
    if name in values and values[name][0] == inputs:
        return values[name][1]
    value = compute()
    values[name] = (inputs, value)
    return value


def table(frame: pd.DataFrame, key: str) -> None:
    """A read-only table in a container of its own key, so tests find it by key."""
    st.container(key=key).dataframe(frame, hide_index=True)
