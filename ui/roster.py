"""The roster page: solve the month, edit the grid of shift codes, lock cells and re-solve the rest, save, publish.

What the planner works on lives in the session as one `Work`: the opened version, the roster the grid starts
from, the edits already folded into that roster since the last save (by "Place breaks" or a re-solve), the locked
cells and the version's report (a re-solve's, until it is saved). The grid editor's own changes come on top,
read back with `apply_grid` on every rerun, so the validator, the chart and the KPIs always describe the roster as
edited.
Whenever the roster under the grid is replaced, the editor's changes are folded into `Work` and the editor is
given a new key, so a change is never applied twice (a new key is a new editor in the browser too).

Unsaved changes are also written to the database after every change, as the user's working copy of the version
(`Store.keep_working_copy`): a reload, a closed browser or a restart of the app opens the version with them.
Saving the draft removes the copy; "Discard changes" removes it and reopens the version as saved.

Streamlit forgets a widget's state when another page is shown. So that edits not folded yet survive a visit to
another page, every run remembers the roster as shown (`SHOWN`); coming back, those edits are folded into `Work`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any, TypeVar

import altair as alt
import pandas as pd
import streamlit as st
from babel.dates import format_date

from planner.breaks import BreaksInfeasible, place_breaks
from planner.capacity import capacity_warnings
from planner.config import Rules
from planner.coverage import coverage_rows, coverage_totals
from planner.domain import Operator, Roster, StaffingPlan
from planner.grid import CellEdit, GridResult, apply_grid, operator_loads, roster_grid, shift_code
from planner.i18n import ACTIONS, MESSAGES, N_, PAGES, column_label, rule_label
from planner.jobs import SolveJob, SolvesBusy
from planner.ledger import past_loads
from planner.outputs import proven_shortfall_bound, summary
from planner.quality import roster_quality
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
from planner.roster import Locks
from planner.store import NotADraft, StaleInput, StaleVersion, StoredRoster, VersionInfo
from planner.validate import format_violations, revalidate, validate_roster
from ui import state
from ui.views import audited_download, when

__all__ = ["page", "Work", "JOB", "WORK", "SHOWN", "day_labels", "local_naive", "shown_roster", "SICK_ON",
           "SICK_OPERATOR", "SICK_DAY", "SICK_PICK", "SICK_APPLY", "SICK_EXPORT", "SICK_BUDGET", "SICK_RESOLVE"]

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
SICK_ON, SICK_OPERATOR, SICK_DAY, SICK_PICK, SICK_APPLY, SICK_EXPORT, SICK_BUDGET, SICK_RESOLVE = (
    "sick_on", "sick_operator", "sick_day", "sick_pick", "sick_apply", "sick_export", "sick_budget", "sick_resolve")
KEPT = "roster_kept"
COPY = "roster_working_copy"  # what the database's working copy holds, as last written by this session

T = TypeVar("T")
Cell = tuple[str, date]


@dataclass(frozen=True)
class Work:
    version: VersionInfo
    roster: Roster
    edits: tuple[CellEdit, ...] = ()
    locks: frozenset[Cell] = frozenset()
    saved_locks: frozenset[Cell] = frozenset()
    report: dict[str, Any] | None = None
    resolved_with: str | None = None  # the rules text of a re-solve not saved yet
    generation: int = 0  # raised whenever `roster` is replaced: the grid editor's key

    @property
    def grid_key(self) -> str:
        return f"roster_grid_{self.generation}"

    def unsaved(self, pending: tuple[CellEdit, ...]) -> bool:
        return bool(self.edits or pending or self.resolved_with is not None or self.locks != self.saved_locks)


@dataclass(frozen=True)
class Shown:
    """The roster as the grid last showed it: the editor's changes (`edits`) on top of `Work.roster`."""

    version_id: int
    grid_key: str
    roster: Roster
    edits: tuple[CellEdit, ...]


@dataclass(frozen=True)
class RunningSolve:
    job: SolveJob
    rules_text: str
    into_version: int | None  # a re-solve of the opened version; None for a new draft

    def stop(self) -> None:
        self.job.stop()

    def touch(self) -> None:
        self.job.touch()


def page() -> None:
    state.require(state.permissions().can_edit_rosters)
    _ = state.t()
    st.header(_(PAGES["roster"]))
    plan, operators = state.plan(), state.operators()
    if plan is None or not operators:
        st.info(_(MESSAGES["no_roster"]))
        return
    rules = state.rules()
    _take_finished_job()
    _show_notice()
    previous = _last_month()
    earlier = _earlier_months()
    _solve_controls(plan, operators, rules, previous, earlier)
    versions = state.store().list_versions(state.month())
    if not versions:
        st.info(_(MESSAGES["no_roster"]))
        return
    work = _opened_work(versions)
    edited = _grid_editor(work, operators, rules)
    _keep_unsaved(work, edited)
    roster = edited.roster
    _cell_problems(edited)
    _violations(work.roster, roster, operators, rules, previous)
    _locks(work, edited.edits, roster, operators)
    _actions(work, edited, plan, operators, rules, previous, earlier)
    _sick_call(work, edited, plan, operators, rules, previous, earlier)
    _coverage(plan, roster, rules, work, previous)
    _in_words(plan, roster, operators, rules, work, previous)
    _loads(work, edited, operators, rules, (previous, *earlier))


# --- solving ---------------------------------------------------------------------------------------------------


def _last_month() -> Roster | None:
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


def _earlier_months() -> tuple[Roster, ...]:
    """The published rosters of the months before last month that the fairness rules count, said in words."""
    _ = state.t()
    stored = state.earlier_rosters()
    if stored:
        st.caption(_("Fair nights and weekends also count the published rosters of {months}.").format(
            months=", ".join(one.info.month for one in stored)))
    return tuple(one.roster for one in stored)


def _solve_controls(plan: StaffingPlan, operators: tuple[Operator, ...], rules: Rules,
                    previous: Roster | None, earlier: tuple[Roster, ...]) -> None:
    _ = state.t()
    for warning in _capacity(plan, operators, rules, hash((plan.required, operators, state.rules_text()))):
        st.warning(warning)
    running = st.session_state.get(JOB)
    left, right = st.columns([1, 3], vertical_alignment="bottom")
    left.number_input(_("Time limit, s"), min_value=1.0, max_value=3600.0, value=float(rules.solver.time_limit_sec),
                      step=10.0, key=TIME_LIMIT, disabled=running is not None)
    if right.button(_(ACTIONS["solve"]), key="solve", type="primary", disabled=running is not None):
        _start(SolveJob(plan, operators, rules, time_limit=st.session_state[TIME_LIMIT], previous=previous,
                        earlier=earlier, abandon_after=ABANDONED_SECONDS), None)
    if running is not None:
        _progress()


# Keyed on a hash of what the warnings depend on; the objects themselves are not hashed by Streamlit.
@st.cache_data(show_spinner=False, max_entries=4)
def _capacity(_plan: StaffingPlan, _operators: tuple[Operator, ...], _rules: Rules, key: int) -> list[str]:
    return [str(warning) for warning in capacity_warnings(_plan, _operators, _rules)]


def _start(job: SolveJob, into_version: int | None) -> None:
    try:
        started = job.start()
    except SolvesBusy as busy:
        _notify("error", state.t()(N_("{limit} solves are running on this server already: start this one when "
                                      "one of them has finished.")).format(limit=busy.limit))
        st.rerun()
    st.session_state[JOB] = RunningSolve(started, state.rules_text(), into_version)
    st.rerun()


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
    best.metric(_("Best objective"), "—" if snapshot.objective is None else f"{snapshot.objective:,.0f}")
    bound.metric(_("Proven bound"), "—" if snapshot.best_bound is None else f"{snapshot.best_bound:,.0f}")
    days.metric(_("Days with breaks placed"), snapshot.break_days_done)
    if len(snapshot.improvements) > 1:
        seconds, objective = _("Seconds"), _("Objective")
        frame = pd.DataFrame({seconds: [p.wall_seconds for p in snapshot.improvements],
                              objective: [p.objective for p in snapshot.improvements]})
        st.altair_chart(alt.Chart(frame, height=160).mark_line(point=True, interpolate="step-after").encode(
            x=alt.X(f"{seconds}:Q"), y=alt.Y(f"{objective}:Q", scale=alt.Scale(zero=False))))
    st.button(_(ACTIONS["stop"]), key="stop", on_click=running.job.stop, disabled=snapshot.stopped)


def _take_finished_job() -> None:
    """A finished solve becomes a new draft (opened at once), a finished re-solve the opened version's roster."""
    running: RunningSolve | None = st.session_state.get(JOB)
    if running is None or not running.job.done:
        return
    del st.session_state[JOB]
    job = running.job
    snapshot = job.snapshot()
    if snapshot.error is not None or job.result is None:
        _notify("error", f"{state.t()(MESSAGES['no_solution'])}\n\n{snapshot.error}")
        return
    roster, report = job.result.roster, summary(job.result)
    if snapshot.stopped:
        _notify("info", state.t()(MESSAGES["stopped"]))
    if running.into_version is None:
        info = state.store().create_draft(roster, report, running.rules_text, state.user())
        st.session_state[OPEN] = info.id
        return
    work: Work | None = st.session_state.get(WORK)
    if work is not None and work.version.id == running.into_version:
        _replace_work(replace(work, roster=roster, report=report, resolved_with=running.rules_text))


# --- the opened version ----------------------------------------------------------------------------------------


def _opened_work(versions: tuple[VersionInfo, ...]) -> Work:
    _ = state.t()
    by_id = {version.id: version for version in versions}
    work: Work | None = st.session_state.get(WORK)
    if st.session_state.get(OPEN) in by_id:
        st.session_state[VERSION] = st.session_state.pop(OPEN)
    elif st.session_state.get(VERSION) not in by_id:
        # Back from another page (the selector's state is gone) the opened version stays open; else the latest.
        opened = work is not None and work.version.id in by_id
        st.session_state[VERSION] = work.version.id if opened else versions[-1].id
    labels = {version.id: _version_label(version) for version in versions}
    chosen = st.selectbox(_("Roster version"), list(labels), key=VERSION, format_func=labels.__getitem__)
    if work is None or work.version.id != chosen:
        work = _replace_work(_with_working_copy(state.store().load_roster(chosen)))
    shown: Shown | None = st.session_state.get(SHOWN)
    if shown is not None and shown.grid_key == work.grid_key and shown.edits and work.grid_key not in st.session_state:
        work = _replace_work(replace(work, roster=shown.roster, edits=work.edits + shown.edits))
    return work


def _as_saved(stored: StoredRoster) -> Work:
    return Work(stored.info, stored.roster, locks=stored.locks, saved_locks=stored.locks, report=stored.report)


def _with_working_copy(stored: StoredRoster) -> Work:
    """The version as saved, with this user's unsaved changes on top when the database keeps some. They stay
    based on the revision they were made on, so if someone saved the version since, saving them is refused and
    offers to re-apply them to the newer revision."""
    _ = state.t()
    work = _as_saved(stored)
    copy = state.store().working_copy(stored.info.id, state.user())
    if copy is None:
        return work
    st.info(_.ngettext("Your unsaved changes of {when} are back: {count} edited cell.",
                       "Your unsaved changes of {when} are back: {count} edited cells.", len(copy.edits))
            .format(when=when(copy.updated_at), count=len(copy.edits)))
    restored = replace(work, version=replace(stored.info, revision=copy.base_revision), roster=copy.roster,
                       edits=copy.edits, locks=copy.locks, resolved_with=copy.rules_text,
                       report=stored.report if copy.report is None else copy.report)
    st.session_state[COPY] = _copy_signature(restored, copy.roster, ())
    return restored


def _copy_signature(work: Work, roster: Roster, pending: tuple[CellEdit, ...]) -> tuple | None:
    """What the working copy of `work` with the grid's `pending` edits holds; None when nothing is unsaved."""
    if not work.unsaved(pending):
        return None
    return work.version.id, work.version.revision, roster, work.locks, work.edits + pending, work.resolved_with


def _keep_unsaved(work: Work, edited: GridResult) -> None:
    """Write the unsaved changes to the database whenever they change (removing the copy once none are left)."""
    signature = _copy_signature(work, edited.roster, edited.edits)
    if st.session_state.get(COPY) == signature:
        return
    store, user = state.store(), state.user()
    if signature is None:
        store.discard_working_copy(work.version.id, user)
    else:
        resolved = work.resolved_with is not None
        store.keep_working_copy(work.version.id, work.version.revision, edited.roster, work.locks,
                                work.edits + edited.edits, user, report=work.report if resolved else None,
                                rules_text=work.resolved_with)
    st.session_state[COPY] = signature


def shown_roster(version_id: int) -> Roster | None:
    """The roster of `version_id` as the roster page last showed it, unsaved changes included; None when that
    version is not open there."""
    shown: Shown | None = st.session_state.get(SHOWN)
    return shown.roster if shown is not None and shown.version_id == version_id else None


def _version_label(version: VersionInfo) -> str:
    _ = state.t()
    if version.is_draft:
        text = _("version {number}, draft, saved by {user} at {when}")
        who, moment = version.updated_by, version.updated_at
    else:
        text = _("version {number}, published by {user} at {when}")
        who, moment = version.published_by, version.published_at
    return text.format(number=version.number, user=who, when=when(moment))


def _replace_work(work: Work) -> Work:
    """Open `work` in a new grid editor that starts from its roster."""
    previous: Work | None = st.session_state.get(WORK)
    work = replace(work, generation=previous.generation + 1 if previous is not None else 0)
    st.session_state[WORK] = work
    return work


def _notify(kind: str, text: str) -> None:
    st.session_state[NOTICE] = (kind, text)


def _show_notice() -> None:
    notice = st.session_state.pop(NOTICE, None)
    if notice is not None:
        kind, text = notice
        {"success": st.success, "info": st.info, "error": st.error}[kind](text)


# --- the grid --------------------------------------------------------------------------------------------------


def day_labels(days: tuple[date, ...], weekend: set[date], language: str) -> dict[date, str]:
    """Column headings: the day of the month, with the weekday on weekends and public holidays ("5 сб")."""
    return {day: format_date(day, "d EEE", locale=language) if day in weekend else str(day.day) for day in days}


def _grid_editor(work: Work, operators: tuple[Operator, ...], rules: Rules) -> GridResult:
    _ = state.t()
    language = state.language()
    month = work.roster.month
    labels = day_labels(month.days, {day for day in month.days if month.is_weekend(day)}, language)
    grid = roster_grid(work.roster, operators)
    by_id = {op.id: op for op in operators}
    name, rate = column_label("name", language), column_label("rate", language)
    frame = pd.DataFrame(
        {
            name: [by_id[op_id].name if op_id in by_id else "" for op_id in grid],
            rate: [by_id[op_id].rate if op_id in by_id else None for op_id in grid],
            **{label: [grid[op_id][day] for op_id in grid] for day, label in labels.items()},
        },
        index=pd.Index(list(grid), name=column_label("operator_id", language)),
    )
    st.caption(_("Shift codes such as 09–17, 18–24 or 22–06; blank for a day off. Every change is checked at once."))
    edited = st.data_editor(
        frame,
        key=work.grid_key,
        disabled=st.session_state.get(JOB) is not None,
        column_config={
            name: st.column_config.TextColumn(name, disabled=True, pinned=True),
            rate: st.column_config.NumberColumn(rate, disabled=True, format="%.2f"),
            # Wide enough for a code such as 22–06 and a heading such as "31 Sun".
            **{label: st.column_config.TextColumn(label, width=68) for label in labels.values()},
        },
    )
    # A cell the planner clears comes back missing (NaN in a text column): a day off.
    cells = edited[list(labels.values())].fillna("")
    codes = {op_id: {day: row[label] for day, label in labels.items()} for op_id, row in cells.to_dict("index").items()}
    result = apply_grid(codes, work.roster, operators, rules)
    st.session_state[SHOWN] = Shown(work.version.id, work.grid_key, result.roster, result.edits)
    return result


def _cell_problems(edited: GridResult) -> None:
    _ = state.t()
    if edited.problems:
        intro = _("These cells could not be read and keep their previous shift:")
        st.warning(intro + "\n\n" + "\n".join(f"- {problem}" for problem in edited.problems))


def _violations(under_grid: Roster, roster: Roster, operators: tuple[Operator, ...], rules: Rules,
                previous: Roster | None) -> None:
    """The rules `roster` breaks: those of the roster under the grid are kept from run to run, and after an edit
    only the edited operators are checked again (`revalidate`)."""
    _ = state.t()
    language = state.language()
    checked = (operators, rules, previous)
    whole = _kept("violations", (under_grid, *checked),
                  lambda: validate_roster(under_grid, operators, rules, previous))
    violations = _kept("edited_violations", (roster, *checked),
                       lambda: revalidate(whole, under_grid, roster, operators, rules, previous))
    if not violations:
        st.success(_(MESSAGES["rules_hold"]))
        return
    st.subheader(f"{_(MESSAGES['violations'])} ({len(violations)})")
    names = {op.id: op.name for op in operators}
    _table(pd.DataFrame({
        column_label("operator_id", language): [v.operator_id for v in violations],
        column_label("name", language): [names.get(v.operator_id, "") for v in violations],
        column_label("date", language): [v.day.isoformat() if v.day else _("whole month") for v in violations],
        _("Rule"): [rule_label(v.rule, language) for v in violations],
        _("Detail"): [v.detail for v in violations],
    }), "roster_violations")


# --- locks -----------------------------------------------------------------------------------------------------


def _locks_of(roster: Roster, cells: frozenset[Cell]) -> Locks:
    """What a re-solve keeps: the start of the shift in each locked cell, None for a locked day off."""
    # Latest first, so that the earliest shift of a cell typed with two (`09–13+18–22`) is the one kept.
    latest_first = sorted(roster.shifts, key=lambda shift: shift.start, reverse=True)
    starts = {(shift.operator_id, shift.day): shift.start for shift in latest_first}
    return {cell: starts.get(cell) for cell in cells}


def _locks(work: Work, pending: tuple[CellEdit, ...], roster: Roster, operators: tuple[Operator, ...]) -> None:
    _ = state.t()
    language = state.language()
    st.subheader(_("Locked cells"))
    history = tuple(record.edit for record in state.store().edit_history(work.version.id))
    edited_cells = frozenset((edit.operator_id, edit.day) for edit in (*history, *work.edits, *pending))
    names = {op.id: op.name for op in operators}
    left, middle, right = st.columns([2, 3, 1], vertical_alignment="bottom")
    left.button(_("Lock edited cells"), key="lock_edited", on_click=_add_locks, args=(edited_cells,),
                disabled=not edited_cells)
    labels = {op_id: f"{op_id} {name}" for op_id, name in names.items()}
    chosen = middle.multiselect(_("Lock whole rows of"), list(labels), key="lock_operators",
                                format_func=labels.__getitem__)
    rows = frozenset((op_id, day) for op_id in chosen for day in roster.month.days)
    middle.button(_(ACTIONS["lock_selected"]), key="lock_selected", on_click=_add_locks, args=(rows,),
                  disabled=not rows)
    right.button(_("Unlock all"), key="unlock_all", on_click=_unlock_all, disabled=not work.locks)
    if work.locks:
        grid = roster_grid(roster, operators)
        locked = sorted(work.locks)
        st.caption(_.ngettext("{count} locked cell", "{count} locked cells", len(locked)).format(count=len(locked)))
        _table(pd.DataFrame({
            column_label("operator_id", language): [f"🔒 {op_id}" for op_id, _day in locked],
            column_label("name", language): [names.get(op_id, "") for op_id, _day in locked],
            column_label("date", language): [day.isoformat() for _op, day in locked],
            _("Shift"): [grid.get(op_id, {}).get(day) or _("day off") for op_id, day in locked],
        }), "roster_locked")


def _add_locks(cells: frozenset[Cell]) -> None:
    work: Work = st.session_state[WORK]
    st.session_state[WORK] = replace(work, locks=work.locks | cells)


def _unlock_all() -> None:
    st.session_state[WORK] = replace(st.session_state[WORK], locks=frozenset())


# --- actions ---------------------------------------------------------------------------------------------------


def _actions(work: Work, edited: GridResult, plan: StaffingPlan, operators: tuple[Operator, ...],
             rules: Rules, previous: Roster | None, earlier: tuple[Roster, ...]) -> None:
    _ = state.t()
    running = st.session_state.get(JOB) is not None
    roster, pending = edited.roster, edited.edits
    unplaced = any(not shift.breaks for shift in roster.shifts)
    breaks, resolve, save, discard, publish = st.columns(5)
    if breaks.button(_("Place breaks"), key="place_breaks", disabled=running or not (unplaced or pending),
                     help=_("Places the breaks of the edited days; a second or two per day.")):
        # A removed shift changes its day's breaks too (fewer on the phones, a smaller team share).
        days = {edit.day for edit in (*work.edits, *pending)}
        with st.spinner(_("Placing breaks…")):
            try:
                placed = place_breaks(plan, roster, operators, rules, only_days=days)
            except BreaksInfeasible as error:
                _notify("error", str(error))
            else:
                _replace_work(replace(work, roster=placed.roster, edits=work.edits + pending))
        st.rerun()
    if resolve.button(_(ACTIONS["resolve_rest"]), key="resolve_rest", disabled=running or not work.locks,
                      help=_("Solves again, keeping every locked cell as it is.")):
        _replace_work(replace(work, roster=roster, edits=work.edits + pending))
        _start(SolveJob(plan, operators, rules, time_limit=st.session_state[TIME_LIMIT],
                        locks=_locks_of(roster, work.locks), previous=previous, earlier=earlier,
                        abandon_after=ABANDONED_SECONDS), work.version.id)
    if save.button(_(ACTIONS["save_draft"]), key="save_draft", disabled=running):
        _save(work, roster, work.edits + pending)
    if discard.button(_("Discard changes"), key="discard_changes", disabled=running or not work.unsaved(pending),
                      help=_("Opens the version again as it was saved.")):
        _discard(work)
    is_draft = work.version.is_draft
    blocked = not is_draft or work.unsaved(pending)
    if publish.button(_(ACTIONS["publish"]), key="publish", disabled=running or blocked):
        _publish(work)
    if is_draft and work.unsaved(pending):
        publish.caption(_("Save the draft before publishing."))
    _refused_save(operators, rules)


def _sick_call(work: Work, edited: GridResult, plan: StaffingPlan, operators: tuple[Operator, ...], rules: Rules,
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
        call = _kept("sick_call", (roster, absent, day, operators, rules, previous),
                     lambda: sick_call(plan, roster, operators, rules, absent, day, previous))
        tz = roster.month.tz
        st.caption(_("Dropping the shift leaves {hours} agent-hours short this month.").format(
            hours=call.shortfall_without))
        if not call.candidates:
            st.warning(_("Nobody can take this shift keeping every hard rule."))
            return
        labels = {rank: f"{rank}. {c.name} — {shift_code(c.shift, tz)}"
                  for rank, c in enumerate(call.candidates, start=1)}
        _table(pd.DataFrame({
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
        running = st.session_state.get(JOB) is not None
        apply, export = st.columns(2)
        if apply.button(_("Apply"), key=SICK_APPLY, disabled=running):
            _apply_sick_call(work, edited, call, chosen, told, plan, rules, previous)
            st.rerun()
        budget = st.number_input(_("Then re-solve the days after it, changing at most this many other operators"),
                                 min_value=1, max_value=len(operators), value=min(3, len(operators)), key=SICK_BUDGET)
        if st.button(_("Apply and re-solve the rest of the month"), key=SICK_RESOLVE, disabled=running):
            applied = _apply_sick_call(work, edited, call, chosen, told, plan, rules, previous)
            if applied is not None:
                locks = rest_of_month_locks(applied.roster, call.operators, day,
                                            free_operators(call, rules, int(budget)))
                _start(SolveJob(plan, call.operators, rules, time_limit=st.session_state[TIME_LIMIT], locks=locks,
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
        _notify("error", format_violations(broken))
        return None
    store, month = state.store(), state.month()
    listed = store.load_operators(month)
    try:
        store.save_operators(month, call.operators, state.user(),
                             source=f"sick call: {call.removed.operator_id} from {call.removed.day}",
                             based_on=listed.id if listed else None)
    except StaleInput:
        _notify("error", state.t()(N_("Someone saved the operator list meanwhile: apply the sick call again.")))
        return None
    cells = tuple(CellEdit(change.operator_id, change.day, change.before, change.after) for change in told)
    return _replace_work(replace(work, roster=replaced, edits=work.edits + edited.edits + cells))


def _save(work: Work, roster: Roster, edits: tuple[CellEdit, ...]) -> None:
    _ = state.t()
    store, user = state.store(), state.user()
    version = work.version
    try:
        if not version.is_draft:
            # A published roster stays as published; the planner's changes start a new draft from it.
            stored = store.load_roster(version.id)
            version = store.create_draft(stored.roster, stored.report, stored.rules_text, user, stored.locks)
        resolved = work.resolved_with is not None
        info = store.save_draft(version.id, version.revision, roster, work.locks, edits, user,
                                report=work.report if resolved else None, rules_text=work.resolved_with)
    except StaleVersion as refused:
        st.session_state[REFUSED] = refused
        return
    except NotADraft as error:
        st.error(str(error))
        return
    if version.id != work.version.id:
        store.discard_working_copy(work.version.id, user)  # saved into the new draft instead
    st.session_state.pop(REFUSED, None)
    _replace_work(Work(info, roster, locks=work.locks, saved_locks=work.locks, report=work.report))
    st.session_state[OPEN] = info.id
    _notify("success", _(MESSAGES["draft_saved"]))
    st.rerun()


def _discard(work: Work) -> None:
    store = state.store()
    store.discard_working_copy(work.version.id, state.user())
    st.session_state[COPY] = None
    st.session_state.pop(REFUSED, None)
    _replace_work(_as_saved(store.load_roster(work.version.id)))
    st.rerun()


def _publish(work: Work) -> None:
    _ = state.t()
    try:
        info = state.store().publish(work.version.id, state.user(), expected_revision=work.version.revision)
    except StaleVersion as refused:
        st.session_state[REFUSED] = refused
        return
    except NotADraft as error:
        st.error(str(error))
        return
    _replace_work(replace(work, version=info))
    _notify("success", _(MESSAGES["published"]))
    st.rerun()


def _refused_save(operators: tuple[Operator, ...], rules: Rules) -> None:
    _ = state.t()
    refused: StaleVersion | None = st.session_state.get(REFUSED)
    if refused is None:
        return
    current = refused.current
    st.error(f"{_(MESSAGES['save_conflict'])}\n\n"
             + _("Saved by {user} at {when}.").format(user=current.updated_by, when=when(current.updated_at)))
    if refused.edits:
        kept = len(refused.edits)
        st.caption(_.ngettext("{count} edit of yours is kept.", "{count} edits of yours are kept.", kept)
                   .format(count=kept))
    if st.button(_("Re-apply my edits"), key="reapply_edits"):
        newer = state.store().load_roster(current.id)
        grid = roster_grid(newer.roster, operators)
        for edit in refused.edits:
            grid.setdefault(edit.operator_id, {})[edit.day] = edit.after
        applied = apply_grid(grid, newer.roster, operators, rules)
        work: Work = st.session_state[WORK]
        locks = newer.locks | refused.locks
        _replace_work(Work(newer.info, applied.roster, applied.edits, locks, newer.locks,
                           work.report if work.resolved_with else newer.report, work.resolved_with))
        del st.session_state[REFUSED]
        st.rerun()


# --- what the roster gives -------------------------------------------------------------------------------------


def local_naive(moment: datetime) -> pd.Timestamp:
    """The centre's wall-clock time without its zone: charts then show it as is, whatever the browser's zone."""
    return pd.Timestamp(moment.replace(tzinfo=None))


def _coverage(plan: StaffingPlan, roster: Roster, rules: Rules, work: Work, previous: Roster | None) -> None:
    _ = state.t()
    language = state.language()
    rows = _kept("coverage", (plan.required, roster, rules.breaks, previous),
                 lambda: coverage_rows(plan, roster, rules.breaks, previous))
    totals = coverage_totals(rows)
    st.subheader(_(MESSAGES["required_vs_scheduled"]))
    short, required, over, bound = st.columns(4)
    short.metric(_(MESSAGES["shortfall_hours"]), f"{totals.under_coverage_agent_hours:,}")
    required.metric(_("Required, operator-hours"), f"{totals.required_agent_hours:,}")
    over.metric(_("Overstaffing, operator-hours"), f"{totals.over_coverage_agent_hours:,}")
    lower_bound = proven_shortfall_bound(work.report or {})
    if lower_bound is not None:
        bound.metric(_("No roster is short by less than"), f"{lower_bound:,}")
    hour, series, operators = column_label("interval_start", language), _("Series"), _("Operators")
    names = {key: column_label(key, language) for key in ("required", "scheduled", "on_phones")}
    frame = pd.DataFrame({
        hour: [local_naive(row.interval_start) for row in rows],
        **{names[key]: [getattr(row, key) for row in rows] for key in names},
    }).melt(hour, var_name=series, value_name=operators)
    chart = alt.Chart(frame, height=280).mark_line(interpolate="step-after").encode(
        x=alt.X(f"{hour}:T"), y=alt.Y(f"{operators}:Q"),
        color=alt.Color(f"{series}:N", sort=list(names.values())),
        tooltip=[alt.Tooltip(f"{hour}:T", format="%d.%m %H:%M"), f"{series}:N", f"{operators}:Q"],
    )
    st.container(key="roster_coverage_chart").altair_chart(chart.interactive(bind_y=False))


def _in_words(plan: StaffingPlan, roster: Roster, operators: tuple[Operator, ...], rules: Rules, work: Work,
              previous: Roster | None) -> None:
    """The roster as a planner judges it: above the proven bound, wishes, fairness, steady start times."""
    _ = state.t()
    bound = proven_shortfall_bound(work.report or {}) or 0
    quality = _kept("quality", (plan.required, roster, operators, rules, bound, previous),
                    lambda: roster_quality(plan, roster, operators, rules, bound, previous))
    above, wishes, nights, weekends, moves = st.columns(5)
    above.metric(_("Short beyond what any roster could do"), f"{quality.above_bound_hours:,}",
                 help=_("{share:.1%} of the required operator-hours are short").format(share=quality.shortfall_share))
    wishes.metric(_("Wishes granted"), f"{quality.wishes_granted} / {quality.wishes}")
    for column, label, spread in ((nights, _("Nights per operator"), quality.nights),
                                  (weekends, _("Weekend shifts per operator"), quality.weekends)):
        column.metric(label, "—" if spread is None else f"{spread.fewest}–{spread.most}")
    moves.metric(_("Start moves beyond {hours} h").format(hours=quality.tolerance_hours),
                 f"{quality.start_moves_share:.0%}",
                 help=_("of consecutive working days; {median:g} distinct start hours per operator (median)")
                 .format(median=quality.median_start_hours))


def _loads(work: Work, edited: GridResult, operators: tuple[Operator, ...], rules: Rules,
           before: tuple[Roster | None, ...]) -> None:
    _ = state.t()
    language = state.language()
    st.subheader(_("Hours, nights and weekends per operator"))
    columns = ("operator_id", "name", "shifts", "hours", "norm_hours", "hours_off_norm", "nights", "weekends",
               "start_hours", "start_moves")
    # Loads are per operator: those of the roster under the grid are kept, only the edited operators' recomputed.
    loads = _kept("loads", (work.roster, operators, rules), lambda: operator_loads(work.roster, operators, rules))
    edited_ids = {edit.operator_id for edit in edited.edits}
    if edited_ids:
        fresh = {load.operator_id: load for load in
                 operator_loads(edited.roster, [op for op in operators if op.id in edited_ids], rules)}
        loads = [fresh.get(load.operator_id, load) for load in loads]
    table = {column_label(key, language): [getattr(load, key) for load in loads] for key in columns}
    # The ledger fair_nights and fair_weekends share this month's load with, as the solver counts it.
    ledger = _kept("ledger", (work.roster.month, before, operators, rules),
                   lambda: past_loads(work.roster.month, before, operators, rules))
    loads_of = [ledger[op.id] for op in operators]
    if any(load.nights_months for load in loads_of):
        table[column_label("nights_before", language)] = [load.nights for load in loads_of]
    if any(load.weekends_months for load in loads_of):
        table[column_label("weekends_before", language)] = [load.weekends for load in loads_of]
    _table(pd.DataFrame(table), "roster_loads")
    if any(load.nights_months or load.weekends_months for load in loads_of):
        st.caption(_("The months before are the published rosters the fairness rules count (months_back); a month "
                     "in which an operator had no shift at all counts as the average of those who worked it."))


def _kept(name: str, inputs: tuple, compute: Callable[[], T]) -> T:
    """`compute()`, or its value from an earlier run when `inputs` are equal: a rerun that leaves the roster as
    it was (a lock, a language switch) does not validate and measure a month of shifts again."""
    kept: dict[str, tuple[tuple, Any]] = st.session_state.setdefault(KEPT, {})
    if name in kept and kept[name][0] == inputs:
        return kept[name][1]
    value = compute()
    kept[name] = (inputs, value)
    return value


def _table(frame: pd.DataFrame, key: str) -> None:
    """A read-only table in a container of its own key, so tests find it by key."""
    st.container(key=key).dataframe(frame, hide_index=True)
