"""Small pieces several pages draw the same way: a rejected input with every problem, the outcome of an import
kept until the next one, a stored instant in the centre's time, which roster version is shown (or that there is
none yet), a save refused because someone saved first, and the audit record of a download."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

import streamlit as st
from babel.dates import format_datetime
from streamlit.delta_generator import DeltaGenerator
from streamlit.runtime.uploaded_file_manager import UploadedFile

from planner.csvfile import check_size
from planner.errors import InputError, Problem
from planner.i18n import MESSAGES, N_, PAGES
from planner.merge import Merge
from planner.store import VIEW, StaleInput, VersionInfo
from ui import state

# The personal data this session has been shown and the audit log has recorded (see record_view).
VIEWED = "viewed_personal_data"

__all__ = ["Outcome", "show_outcome", "show_problems", "when", "show_version", "show_no_roster",
           "audited_download", "show_stale", "REAPPLY", "DISCARD"]

# Widget keys of the choice after a refused save (one such save is on screen at a time: the page's own).
REAPPLY = "stale_reapply"
DISCARD = "stale_discard"
STALE_WHAT = {"operators": N_("operators"), "rules": N_("rules")}


@dataclass(frozen=True)
class Outcome:
    """What an import or a save did, kept in the session so that it stays on screen across reruns (a language
    switch, an edit) until the next attempt replaces it."""

    saved: str = ""  # the success message, already in the page's language
    rejected: InputError | None = None
    in_rows: bool = False  # the problems name rows of the page's table, not lines of a file


def show_outcome(session_key: str, rejected_intro: str) -> None:
    outcome: Outcome | None = st.session_state.get(session_key)
    if outcome is None:
        return
    if outcome.rejected is not None:
        show_problems(outcome.rejected, rejected_intro, in_rows=outcome.in_rows)
    else:
        st.success(outcome.saved)


def show_problems(error: InputError, intro: str, *, in_rows: bool = False,
                  field_name: Callable[[str], str] | None = None) -> None:
    """Every problem on its own line, by line (or table row, the header not counted) and field; `field_name`
    turns a field into words (the rules page names the setting as well as its key)."""
    lines = [f"- {_where(problem, in_rows, field_name)}{problem.message}" for problem in error.problems]
    st.error(intro + "\n\n" + "\n".join(lines))


def _where(problem: Problem, in_rows: bool, field_name: Callable[[str], str] | None) -> str:
    _ = state.t()
    parts = []
    if problem.line is not None:
        if in_rows:
            parts.append(_("row {row}").format(row=problem.line - 1))
        else:
            parts.append(_("line {line}").format(line=problem.line))
    if problem.field:
        parts.append(field_name(problem.field) if field_name else _("field `{field}`").format(field=problem.field))
    where = ", ".join(parts)
    return f"{where[:1].upper()}{where[1:]}: " if where else ""


def show_stale(refused: StaleInput, merge: Merge[Any, Any], name: Callable[[Any], str]) -> \
        Literal["reapply", "discard"] | None:
    """A save refused because another planner saved first: who and when, what each side changed (`merge`, of
    the planner's save on what is stored now; `name` says a changed key in words), and the planner's choice."""
    _ = state.t()
    what = _(STALE_WHAT[refused.what])
    if refused.current is None:
        lines = [_("Not saved: the {what} you changed are no longer stored.").format(what=what)]
    else:
        lines = [_("Not saved: {user} saved the {what} on {when}, after you opened them.").format(
            user=refused.current.saved_by, when=when(refused.current.saved_at), what=what)]
    for intro, keys in ((_("Your changes"), merge.mine), (_("Their changes"), merge.theirs),
                        (_("Changed by both (re-applying keeps yours)"), merge.both)):
        if keys:
            lines.append(f"- {intro}: " + ", ".join(name(key) for key in keys))
    st.error("\n".join(lines))
    reapply, discard = st.columns(2)
    if reapply.button(_("Re-apply my changes on theirs"), key=REAPPLY, type="primary"):
        return "reapply"
    if discard.button(_("Discard my changes"), key=DISCARD):
        return "discard"
    return None


def when(moment: datetime) -> str:
    """A stored instant (UTC) in the centre's wall-clock time, in the page's language."""
    return format_datetime(moment, "d MMM y, HH:mm", tzinfo=state.rules().timezone, locale=state.language())


def show_version(info: VersionInfo) -> None:
    _ = state.t()
    status = _("published") if info.is_published else _("draft")
    st.caption(_("Roster version {number} ({status}).").format(number=info.number, status=status))


def show_no_roster() -> None:
    _ = state.t()
    st.info(_(MESSAGES["no_roster"]) + " " + _("Solve it on the {page} page.").format(page=_(PAGES["roster"])))


def audited_download(where: DeltaGenerator, label: str, make: Callable[[], str | bytes], *, what: str,
                     version_id: int | None, file_name: str, mime: str, key: str) -> None:
    """A download button whose file is made on the click and recorded in the audit log as it is made (who, when,
    `what`). A file made before the click waits at an address the browser can fetch without clicking, off the
    record. The click starts no rerun (`on_click="ignore"`): a rerun would revoke the file before the browser asked
    for it. The file is made outside the page's run, so the store and the account are taken now."""
    store, user = state.store(), state.user()

    def exported() -> str | bytes:
        data = make()
        store.record_export(user, what, version_id)
        return data

    where.download_button(label, exported, file_name=file_name, mime=mime, key=key, on_click="ignore")


def uploaded_bytes(uploaded: UploadedFile) -> bytes:
    """An upload's content, or InputError (as for any bad file) when it is larger than `input.max_file_mb`."""
    check_size(uploaded.size, uploaded.name, state.rules().input.max_file_mb)
    return uploaded.getvalue()


def record_view(what: str, version_id: int | None = None) -> None:
    """The page shows personal data (`what`): into the audit log once per session and thing shown, so that who saw
    whose addresses and phones, and when, is on the record without a line for every rerun."""
    seen: set[str] = st.session_state.setdefault(VIEWED, set())
    if what not in seen:
        state.store().record_event(state.user(), VIEW, what, version_id)
        seen.add(what)
