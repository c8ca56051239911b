"""The roster page: solve the month, edit the grid of shift codes, lock cells and re-solve the rest, save, publish.

What the planner works on lives in the session as one `planner.editing.Work`: the opened version, the roster the
grid starts from, the edits already folded into that roster since the last save, the locked cells and the
version's report. The grid editor's own changes come on top, read back with `apply_grid` on every rerun, so the
validator, the chart and the KPIs always describe the roster as edited. Whenever the roster under the grid is
replaced, the editor's changes are folded into `Work` and the editor is given a new key, so a change is never
applied twice (a new key is a new editor in the browser too).

Unsaved changes are also written to the database after every change, as the user's working copy of the version
(`Store.keep_working_copy`): a reload, a closed browser or a restart of the app opens the version with them.
Saving the draft removes the copy; "Discard changes" removes it and reopens the version as saved.

Streamlit forgets a widget's state when another page is shown. So that edits not folded yet survive a visit to
another page, every run remembers the roster as shown (`SHOWN`); coming back, those edits are folded into `Work`.

The page's other parts: solving in `ui.roster_solve`, the sick call in `ui.sick_call`, coverage and the roster in
words in `ui.roster_figures`, the session they share in `ui.roster_session`.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pandas as pd
import streamlit as st
from babel.dates import format_date

from planner.breaks import BreaksInfeasible, place_breaks
from planner.config import Rules
from planner.domain import Operator, Roster, StaffingPlan
from planner.editing import Cell, Shown, Work, as_saved, locks_of, with_working_copy
from planner.grid import CellEdit, GridResult, apply_grid, roster_grid
from planner.i18n import ACTIONS, MESSAGES, PAGES, column_label, rule_label
from planner.jobs import SolveJob
from planner.store import NotADraft, StaleVersion, StoredRoster, VersionInfo
from planner.validate import revalidate, validate_roster
from ui import state
from ui.roster_figures import coverage, in_words, loads, local_naive
from ui.roster_session import (
    ABANDONED_SECONDS,
    COPY,
    JOB,
    OPEN,
    REFUSED,
    SHOWN,
    TIME_LIMIT,
    VERSION,
    WORK,
    kept,
    notify,
    replace_work,
    running,
    show_notice,
    start_solve,
    table,
)
from ui.roster_solve import earlier_months, last_month, solve_controls, take_finished_job
from ui.sick_call import sick_call_section
from ui.views import when

__all__ = ["page", "Work", "JOB", "WORK", "SHOWN", "REFUSED", "day_labels", "local_naive", "shown_roster"]


def page() -> None:
    state.require(state.permissions().can_edit_rosters)
    _ = state.t()
    st.header(_(PAGES["roster"]))
    plan, operators = state.plan(), state.operators()
    if plan is None or not operators:
        st.info(_(MESSAGES["no_roster"]))
        return
    rules = state.rules()
    take_finished_job()
    show_notice()
    previous = last_month()
    earlier = earlier_months()
    solve_controls(plan, operators, rules, previous, earlier)
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
    sick_call_section(work, edited, plan, operators, rules, previous, earlier)
    coverage(plan, roster, rules, work, previous)
    in_words(plan, roster, operators, rules, work, previous)
    loads(work, edited, operators, rules, (previous, *earlier))


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
        work = replace_work(_opened(state.store().load_roster(chosen)))
    shown: Shown | None = st.session_state.get(SHOWN)
    if shown is not None and shown.grid_key == work.grid_key and shown.edits and work.grid_key not in st.session_state:
        work = replace_work(work.folded(shown.roster, shown.edits))
    return work


def _keep_unsaved(work: Work, edited: GridResult) -> None:
    """Write the unsaved changes to the database whenever they change (removing the copy once none are left)."""
    signature = work.copy_signature(edited.roster, edited.edits)
    if st.session_state.get(COPY) == signature:
        return
    store, user = state.store(), state.user()
    if signature is None:
        store.discard_working_copy(work.version.id, user)
    else:
        store.keep_working_copy(work.version.id, work.version.revision, edited.roster, work.locks,
                                work.edits + edited.edits, user, report=work.unsaved_report,
                                rules_text=work.resolved_with)
    st.session_state[COPY] = signature


def _opened(stored: StoredRoster) -> Work:
    """The version as saved, with this user's unsaved changes on top when the database keeps some (said)."""
    _ = state.t()
    copy = state.store().working_copy(stored.info.id, state.user())
    if copy is None:
        return as_saved(stored)
    st.info(_.ngettext("Your unsaved changes of {when} are back: {count} edited cell.",
                       "Your unsaved changes of {when} are back: {count} edited cells.", len(copy.edits))
            .format(when=when(copy.updated_at), count=len(copy.edits)))
    restored = with_working_copy(stored, copy)
    st.session_state[COPY] = restored.copy_signature(copy.roster, ())
    return restored


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
        disabled=running(),
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
    whole = kept("violations", (under_grid, *checked),
                  lambda: validate_roster(under_grid, operators, rules, previous))
    violations = kept("edited_violations", (roster, *checked),
                       lambda: revalidate(whole, under_grid, roster, operators, rules, previous))
    if not violations:
        st.success(_(MESSAGES["rules_hold"]))
        return
    st.subheader(f"{_(MESSAGES['violations'])} ({len(violations)})")
    names = {op.id: op.name for op in operators}
    table(pd.DataFrame({
        column_label("operator_id", language): [v.operator_id for v in violations],
        column_label("name", language): [names.get(v.operator_id, "") for v in violations],
        column_label("date", language): [v.day.isoformat() if v.day else _("whole month") for v in violations],
        _("Rule"): [rule_label(v.rule, language) for v in violations],
        _("Detail"): [v.detail for v in violations],
    }), "roster_violations")


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
                                format_func=labels.__getitem__, placeholder=_(MESSAGES["choose"]))
    rows = frozenset((op_id, day) for op_id in chosen for day in roster.month.days)
    middle.button(_(ACTIONS["lock_selected"]), key="lock_selected", on_click=_add_locks, args=(rows,),
                  disabled=not rows)
    right.button(_("Unlock all"), key="unlock_all", on_click=_unlock_all, disabled=not work.locks)
    if work.locks:
        grid = roster_grid(roster, operators)
        locked = sorted(work.locks)
        st.caption(_.ngettext("{count} locked cell", "{count} locked cells", len(locked)).format(count=len(locked)))
        table(pd.DataFrame({
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


def _actions(work: Work, edited: GridResult, plan: StaffingPlan, operators: tuple[Operator, ...],
             rules: Rules, previous: Roster | None, earlier: tuple[Roster, ...]) -> None:
    _ = state.t()
    busy = running()
    roster, pending = edited.roster, edited.edits
    unplaced = any(not shift.breaks for shift in roster.shifts)
    breaks, resolve, save, discard, publish = st.columns(5)
    if breaks.button(_("Place breaks"), key="place_breaks", disabled=busy or not (unplaced or pending),
                     help=_("Places the breaks of the edited days; a second or two per day.")):
        # A removed shift changes its day's breaks too (fewer on the phones, a smaller team share).
        days = {edit.day for edit in (*work.edits, *pending)}
        with st.spinner(_("Placing breaks…")):
            try:
                placed = place_breaks(plan, roster, operators, rules, only_days=days)
            except BreaksInfeasible as error:
                notify("error", str(error))
            else:
                replace_work(work.folded(placed.roster, pending))
        st.rerun()
    if resolve.button(_(ACTIONS["resolve_rest"]), key="resolve_rest", disabled=busy or not work.locks,
                      help=_("Solves again, keeping every locked cell as it is.")):
        replace_work(work.folded(roster, pending))
        start_solve(SolveJob(plan, operators, rules, time_limit=st.session_state[TIME_LIMIT],
                        locks=locks_of(roster, work.locks), previous=previous, earlier=earlier,
                        abandon_after=ABANDONED_SECONDS), work.version.id)
    if save.button(_(ACTIONS["save_draft"]), key="save_draft", disabled=busy):
        _save(work, roster, work.edits + pending)
    if discard.button(_("Discard changes"), key="discard_changes", disabled=busy or not work.unsaved(pending),
                      help=_("Opens the version again as it was saved.")):
        _discard(work)
    is_draft = work.version.is_draft
    blocked = not is_draft or work.unsaved(pending)
    if publish.button(_(ACTIONS["publish"]), key="publish", disabled=busy or blocked):
        _publish(work)
    if is_draft and work.unsaved(pending):
        publish.caption(_("Save the draft before publishing."))
    _refused_save(operators, rules)


def _save(work: Work, roster: Roster, edits: tuple[CellEdit, ...]) -> None:
    _ = state.t()
    store, user = state.store(), state.user()
    version = work.version
    try:
        if not version.is_draft:
            # A published roster stays as published; the planner's changes start a new draft from it.
            stored = store.load_roster(version.id)
            version = store.create_draft(stored.roster, stored.report, stored.rules_text, user, stored.locks)
        info = store.save_draft(version.id, version.revision, roster, work.locks, edits, user,
                                report=work.unsaved_report, rules_text=work.resolved_with)
    except StaleVersion as refused:
        st.session_state[REFUSED] = refused
        return
    except NotADraft as error:
        st.error(str(error))
        return
    if version.id != work.version.id:
        store.discard_working_copy(work.version.id, user)  # saved into the new draft instead
    st.session_state.pop(REFUSED, None)
    replace_work(Work(info, roster, locks=work.locks, saved_locks=work.locks, report=work.report))
    st.session_state[OPEN] = info.id
    notify("success", _(MESSAGES["draft_saved"]))
    st.rerun()


def _discard(work: Work) -> None:
    store = state.store()
    store.discard_working_copy(work.version.id, state.user())
    st.session_state[COPY] = None
    st.session_state.pop(REFUSED, None)
    replace_work(as_saved(store.load_roster(work.version.id)))
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
    replace_work(replace(work, version=info))
    notify("success", _(MESSAGES["published"]))
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
        replace_work(Work(newer.info, applied.roster, applied.edits, locks, newer.locks,
                           work.report if work.resolved_with else newer.report, work.resolved_with))
        del st.session_state[REFUSED]
        st.rerun()
