"""The rules page: the month's rules in plain words, and a form to change its targets, weights and limits.

The form's values are merged into the month's rules and the result is checked by the same loader as
constraints.yaml (`parse_rules_text`), so a value the planner may not use is refused with its key named, and
nothing is saved. The saved text is `yaml.safe_dump` of the merged rules: simple and exact, but it drops the
comments of constraints.yaml (the file itself keeps them, and "Reset" brings the commented text back).
A roster keeps the rules it was planned with (the Roster page stores them with each version).

A save names the rules the form was filled from; if someone saved others since, nothing is saved and the planner
sees which settings each side changed, then re-applies theirs on the current rules (`planner.merge`) or drops
them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import streamlit as st
import yaml

from planner.config import Rules
from planner.errors import InputError
from planner.i18n import N_, PAGES, rule_label
from planner.merge import merge_rules_text, rule_key_text
from planner.store import StaleInput, StoredRules
from ui import state
from ui.views import show_problems, show_stale, when

__all__ = ["page", "FIELDS", "Field", "field_key", "SAVE", "RESET", "OUTCOME", "REFUSED"]

# Session and widget keys.
SAVE = "rules_save"
RESET = "rules_reset"
OUTCOME = "rules_outcome"
REFUSED = "rules_refused"  # the last save refused because someone saved first, as a Refused
FORM_SOURCE = "rules_form_source"  # the rules text the form's widgets were filled from


@dataclass(frozen=True)
class Refused:
    base: str  # the rules text the refused save was made on
    error: StaleInput


@dataclass(frozen=True)
class Field:
    """One setting of the form: its dotted key in the rules, its label (marked for translation; none for a
    weight, which is named after its rule) and the step of its input when it is a fraction."""

    key: str
    label: str = ""
    step: float = 1.0

    @property
    def path(self) -> tuple[str, ...]:
        return tuple(self.key.split("."))

    @property
    def weighs(self) -> str | None:
        """The soft rule whose weight this is, e.g. 'shortfall' for rules.shortfall.weight."""
        return None if self.label else self.path[-2]


FIELDS = (
    Field("staffing.service_level", N_("Service level: share of calls answered in time"), 0.01),
    Field("staffing.answer_within_sec", N_("Answer time, seconds"), 1.0),
    Field("staffing.shrinkage", N_("Shrinkage: share of paid time off the phones"), 0.01),
    Field("staffing.min_operators", N_("Fewest operators on the line")),
    Field("rules.shortfall.weight"),
    Field("rules.overstaffing.weight"),
    Field("rules.days_off_wished.weight"),
    Field("rules.shift_requests.weight"),
    Field("rules.fair_nights.weight"),
    Field("rules.fair_weekends.weight"),
    Field("breaks.rules.on_phones_shortfall.weight"),
    Field("breaks.rules.worst_dip.weight"),
    Field("rules.rest_between_shifts.min_hours", N_("Rest between shifts, hours")),
    Field("rules.max_consecutive_days.max_days", N_("Working days in a row, at most")),
    Field("rules.monthly_norm.tolerance_shifts", N_("Norm tolerance, shift lengths")),
    Field("breaks.rules.team_on_break.max_share", N_("Share of a team on break at once, at most"), 0.05),
    Field("taxi.seats_per_car", N_("Seats per taxi car")),
    Field("solver.time_limit_sec", N_("Solver time limit, seconds"), 10.0),
)

# What one unit of each soft rule is, i.e. what its weight is paid for.
WEIGHT_MEANINGS = {
    "shortfall": N_("per operator-hour below the requirement"),
    "overstaffing": N_("per operator-hour above the requirement"),
    "days_off_wished": N_("per wished day off that gets a shift"),
    "shift_requests": N_("per shift request not granted"),
    "fair_nights": N_("per night shift between the most and the least loaded operator"),
    "fair_weekends": N_("per weekend shift between the most and the least loaded operator"),
    "on_phones_shortfall": N_("per operator and 5 minutes below the requirement because of breaks"),
    "worst_dip": N_("per operator of the day's deepest 5-minute dip below the requirement"),
}


def field_key(field: Field) -> str:
    return f"rule_{field.key}"


def page() -> None:
    state.require(state.permissions().can_edit_rosters)
    _ = state.t()
    st.header(_(PAGES["rules"]))
    # The text, and the id a save names as its base, from one read: a newer text under an older id would let a
    # save overwrite rules the planner never saw.
    stored = state.store().latest_rules(state.month())
    text = state.rules_text_of(stored)
    rules = state.parsed_rules(text)
    if stored is None:
        st.caption(_("The centre's constraints.yaml: no rules saved for this month yet."))
    else:
        st.caption(_("Saved for {month} by {user} on {when}.").format(
            month=state.month(), user=stored.saved_by, when=when(stored.saved_at)))
    outcome = st.session_state.pop(OUTCOME, None)
    if isinstance(outcome, InputError):
        show_problems(outcome, _("Not saved: these values break the rules' limits."), field_name=_field_name)
    elif outcome:
        st.success(outcome)
    _stale(stored)
    left, right = st.columns(2)
    with left:
        _in_plain_words(rules)
    with right:
        _form(rules, stored, text)


def _label(field: Field) -> str:
    _ = state.t()
    if field.weighs:
        return _("{rule}: weight").format(rule=rule_label(field.weighs, state.language()))
    return _(field.label)


def _field_name(key: str) -> str:
    """A setting named in a problem: its label and key, or the key alone if the form has no such field."""
    field = next((field for field in FIELDS if field.key == key), None)
    return f"{_label(field)} (`{key}`)" if field else f"`{key}`"


def _value(rules: Rules, field: Field) -> Any:
    value: Any = rules
    for part in field.path:
        value = getattr(value, part)
    return value


# --- the rules in plain words ------------------------------------------------------------------------------------


def _in_plain_words(rules: Rules) -> None:
    _ = state.t()
    language = state.language()
    staffing, hard = rules.staffing, rules.rules
    st.subheader(_("Targets"))
    st.markdown("\n".join([
        "- " + _("{share:.0%} of calls answered within {seconds:g} seconds (Erlang C).").format(
            share=staffing.service_level, seconds=staffing.answer_within_sec),
        "- " + _("{share:.0%} of paid time is off the phones (shrinkage), so more operators are rostered than "
                 "answer calls.").format(share=staffing.shrinkage),
        "- " + _("Never fewer than {count} operators on the line; a call lasts {seconds:g} seconds when the "
                 "forecast does not say.").format(count=staffing.min_operators,
                                                  seconds=staffing.default_aht_sec),
        "- " + _("Shift lengths by contract rate: {lengths}.").format(
            lengths=", ".join(_("{rate} → {hours} h").format(rate=rate, hours=hours)
                              for rate, hours in rules.contracts.items())),
    ]))
    st.subheader(_("Hard rules: never broken"))
    st.markdown("\n".join([
        f"- **{rule_label('availability', language)}**: "
        + _("every shift lies inside the operator's window and none starts on an unavailable date."),
        f"- **{rule_label('rest_between_shifts', language)}**: "
        + _("at least {hours} hours from the end of a shift to the start of the next.").format(
            hours=hard.rest_between_shifts.min_hours),
        f"- **{rule_label('max_consecutive_days', language)}**: "
        + _("at most {days} working days in a row.").format(days=hard.max_consecutive_days.max_days),
        f"- **{rule_label('monthly_norm', language)}**: "
        + _("rate × {hours:g} h × working days of the month, plus or minus {shifts} × the shift length.").format(
            hours=hard.monthly_norm.hours_per_day, shifts=hard.monthly_norm.tolerance_shifts),
        *_optional_hard_rules(rules),
        f"- **{rule_label('team_on_break', language)}**: "
        + _("at most {share:.0%} of a team on break at once.").format(
            share=rules.breaks.rules.team_on_break.max_share),
    ]))
    st.subheader(_("Soft rules: weighed against each other"))
    st.caption(_("The solver pays a rule's weight for each unit it breaks the rule by; a bigger weight wins."))
    st.markdown("\n".join(
        f"- **{rule_label(field.weighs, language)}**: {_value(rules, field)} {_(WEIGHT_MEANINGS[field.weighs])}"
        for field in FIELDS if field.weighs
    ))
    st.subheader(_("Taxi and solver"))
    st.markdown("\n".join([
        "- " + _("A shift ending from {start} up to {end} ends with a taxi home; {seats} seats per car.").format(
            start=rules.taxi.ride_from, end=rules.taxi.ride_until, seats=rules.taxi.seats_per_car),
        "- " + _("The solver stops after {seconds:g} seconds with the best roster found.").format(
            seconds=rules.solver.time_limit_sec),
    ]))


def _optional_hard_rules(rules: Rules) -> list[str]:
    """The hard rules that are off by default, in plain words when this month's rules switch them on."""
    _ = state.t()
    language = state.language()
    hard = rules.rules
    lines = []
    if hard.min_consecutive_days.min_days > 1:
        text = _("runs of working days last at least {days} days (at the month's edges they may go on in the "
                 "months around).").format(days=hard.min_consecutive_days.min_days)
        lines.append(f"- **{rule_label('min_consecutive_days', language)}**: {text}")
    if hard.min_consecutive_days_off.min_days > 1:
        text = _("runs of days off last at least {days} days.").format(days=hard.min_consecutive_days_off.min_days)
        lines.append(f"- **{rule_label('min_consecutive_days_off', language)}**: {text}")
    if hard.max_working_weekends.max_weekends is not None:
        text = _("shifts on at most {count} Saturday-Sunday weekends a month.").format(
            count=hard.max_working_weekends.max_weekends)
        lines.append(f"- **{rule_label('max_working_weekends', language)}**: {text}")
    if hard.max_shifts_per_type.max_shifts:
        limits = ", ".join(f"{kind} ≤ {most}" for kind, most in hard.max_shifts_per_type.max_shifts.items())
        text = _("per operator and month: {limits}.").format(limits=limits)
        lines.append(f"- **{rule_label('max_shifts_per_type', language)}**: {text}")
    for first, then in hard.forbidden_successions.pairs:
        text = _("no {then} shift the day after a {first} shift.").format(first=first, then=then)
        lines.append(f"- **{rule_label('forbidden_successions', language)}**: {text}")
    if hard.forward_rotation.order:
        text = _("on consecutive working days shifts only move forward: {order}; back only after a day off.").format(
            order=" → ".join(hard.forward_rotation.order))
        lines.append(f"- **{rule_label('forward_rotation', language)}**: {text}")
    for rate, times in hard.shift_templates.starts.items():
        text = _("shifts of contract {rate} start only at {times}.").format(rate=rate, times=", ".join(times))
        lines.append(f"- **{rule_label('shift_templates', language)}**: {text}")
    return lines


# --- the form ----------------------------------------------------------------------------------------------------


def _form(rules: Rules, stored: StoredRules | None, text: str) -> None:
    _ = state.t()
    st.subheader(_("Change for this month"))
    _refill_when_changed(text)
    with st.form("rules_form"):
        for field in FIELDS:
            value = _value(rules, field)
            st.number_input(_label(field), value=value, step=field.step if isinstance(value, float) else 1,
                            key=field_key(field), help=f"`{field.key}`")
        st.form_submit_button(_("Save the rules"), key=SAVE, type="primary", on_click=_save, args=(stored, text))
    st.button(_("Reset to constraints.yaml"), key=RESET, on_click=_reset, args=(stored, text),
              help=_("Replace this month's rules with the centre's constraints.yaml, comments included."))


def _refill_when_changed(text: str) -> None:
    """Fill the inputs from the rules afresh when these changed under them (a save, a reset, another month):
    the widgets keep their own values otherwise. A refused save leaves them as typed, to be corrected."""
    if st.session_state.get(FORM_SOURCE) != text:
        for field in FIELDS:
            st.session_state.pop(field_key(field), None)
        st.session_state[FORM_SOURCE] = text


def _save(stored: StoredRules | None, text: str) -> None:
    _ = state.t()
    data = yaml.safe_load(text) or {}
    for field in FIELDS:
        *sections, name = field.path
        target = data
        for section in sections:
            target = target.setdefault(section, {})
        target[name] = st.session_state[field_key(field)]
    merged = yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
    if _saved(merged, stored, text):
        st.session_state[OUTCOME] = _("Rules saved for {month}.").format(month=state.month())


def _reset(stored: StoredRules | None, text: str) -> None:
    _ = state.t()
    if _saved(state.RULES_FILE.read_text(encoding="utf-8"), stored, text):
        st.session_state[OUTCOME] = _("Rules reset to constraints.yaml for {month}.").format(month=state.month())


def _saved(new_text: str, base: StoredRules | None, base_text: str) -> bool:
    """Save `new_text`, made on `base`; False if the loader refused it (its problems kept to be shown) or someone
    saved first (the refusal kept for the planner's choice)."""
    try:
        state.store().save_rules(state.month(), new_text, state.user(), based_on=base.id if base else None)
    except InputError as error:
        st.session_state[OUTCOME] = error
        return False
    except StaleInput as error:
        st.session_state.pop(OUTCOME, None)
        st.session_state[REFUSED] = Refused(base_text, error)
        return False
    st.session_state.pop(REFUSED, None)
    return True


def _stale(current: StoredRules | None) -> None:
    """A refused save: which settings each side changed, against the rules stored now, and the planner's
    choice."""
    _ = state.t()
    refused: Refused | None = st.session_state.get(REFUSED)
    if refused is None or refused.error.month != state.month():
        return
    mine = refused.error.refused
    assert isinstance(mine, str)
    current_text = state.rules_text_of(current)
    merged, merge = merge_rules_text(refused.base, mine, current_text)
    choice = show_stale(refused.error, merge, lambda key: _field_name(rule_key_text(key)))
    if choice == "reapply":
        # Refused again if someone saved meanwhile (the choice is then asked against their rules), or by the
        # loader if the two changes together break a limit (its problems shown).
        if _saved(merged, current, current_text):
            st.session_state[OUTCOME] = _("Rules saved for {month}: your changes re-applied on the current "
                                          "rules.").format(month=state.month())
        st.rerun()
    elif choice == "discard":
        del st.session_state[REFUSED]
        st.rerun()

