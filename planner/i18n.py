"""The planner's words in Russian and English: gettext catalogues managed with Babel.

Texts are written in English in the code and wrapped as `_("…")`, or `ngettext(singular, plural, n)` where a count
varies (Russian has three plural forms: 1 смена, 2 смены, 5 смен). Texts defined at import time — column
headings, rule names, the page's labels below — are marked with `N_` so that extraction finds them, and are
translated where they are shown.

`make messages` extracts every marked text of `planner`, `ui` and `app.py` into `locale/planner.pot` and merges it
into each `locale/<lang>/LC_MESSAGES/planner.po`. Only the `.po` files are kept in git: a catalogue is compiled in
memory the first time its language is asked for, so there is no compiled `.mo` to forget to rebuild. Fuzzy
entries (guesses left by a merge) are not used until a translator confirms them.
"""

from __future__ import annotations

import gettext
import io
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal, format_percent

__all__ = [
    "DOMAIN",
    "SOURCE_LANGUAGE",
    "LOCALE_DIR",
    "N_",
    "Translator",
    "translator",
    "available_languages",
    "RULE_LABELS",
    "rule_label",
    "COLUMN_LABELS",
    "column_label",
    "PAGES",
    "ACTIONS",
    "MESSAGES",
    "count_text",
    "whole_number",
    "percent",
]

DOMAIN = "planner"
SOURCE_LANGUAGE = "en"
LOCALE_DIR = Path(__file__).resolve().parent / "locale"


def N_(message: str) -> str:
    """Mark a text for extraction without translating it here; it is translated where it is shown."""
    return message


@dataclass(frozen=True)
class Translator:
    """The texts of one language. `gettext` (alias `_`, or calling the translator: `t("Solve")`) translates a
    text; `ngettext` picks the plural form of a count. A text missing from the catalogue comes back as written in
    the code, in English."""

    language: str
    catalogue: gettext.NullTranslations

    def gettext(self, message: str) -> str:
        return self.catalogue.gettext(message)

    _ = gettext
    __call__ = gettext

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return self.catalogue.ngettext(singular, plural, n)


def available_languages() -> tuple[str, ...]:
    """English (the texts as written in the code) and every language with a catalogue, sorted."""
    catalogued = {po.parent.parent.name for po in LOCALE_DIR.glob(f"*/LC_MESSAGES/{DOMAIN}.po")}
    return tuple(sorted(catalogued | {SOURCE_LANGUAGE}))


@cache
def translator(language: str) -> Translator:
    """The translator of `language` ('ru', 'en'), compiled once per process; ValueError for any other."""
    if language not in available_languages():
        raise ValueError(
            f"unknown language {language!r}: the planner speaks {', '.join(available_languages())}"
        )
    if language == SOURCE_LANGUAGE:
        return Translator(language, gettext.NullTranslations())
    with open(LOCALE_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.po", "rb") as po:
        catalog = read_po(po, locale=language, domain=DOMAIN)
    compiled = io.BytesIO()
    write_mo(compiled, catalog, use_fuzzy=False)
    compiled.seek(0)
    return Translator(language, gettext.GNUTranslations(compiled))


# Every rule by its key in constraints.yaml (and in the validator's report), in short plain words.
RULE_LABELS = {
    "availability": N_("Availability"),
    "rest_between_shifts": N_("Rest between shifts"),
    "max_consecutive_days": N_("Working days in a row"),
    "max_consecutive_nights": N_("Nights in a row"),
    "monthly_norm": N_("Monthly hours norm"),
    "min_consecutive_days": N_("Shortest run of working days"),
    "min_consecutive_days_off": N_("Shortest run of days off"),
    "max_working_weekends": N_("Working weekends"),
    "max_shifts_per_type": N_("Shifts of one type"),
    "forbidden_successions": N_("Forbidden shift successions"),
    "forward_rotation": N_("Shift types rotate forwards"),
    "shift_templates": N_("Start times of each contract"),
    "weekly_rest": N_("Weekly rest"),
    "contracts": N_("Shift length of the contract"),
    "one_shift_per_day": N_("One shift a day"),
    "shortfall": N_("Too few operators"),
    "overstaffing": N_("Too many operators"),
    "days_off_wished": N_("Wished days off"),
    "fair_nights": N_("Fair share of nights"),
    "fair_weekends": N_("Fair share of weekends"),
    "shift_type_cover": N_("Operators per shift type"),
    "shift_requests": N_("Shift requests"),
    "start_time_stability": N_("Steady start times"),
    "per_shift": N_("Breaks in a shift"),
    "break_window": N_("Break too early or too late"),
    "break_gap": N_("Time between breaks"),
    "team_on_break": N_("Team on break at once"),
    "on_phones_shortfall": N_("Too few on the phones"),
    "worst_dip": N_("Deepest dip"),
}


def rule_label(rule: str, language: str) -> str:
    """The rule's name for people; a key without a label (a rule added later) is shown as the key itself."""
    label = RULE_LABELS.get(rule)
    return translator(language).gettext(label) if label else rule


# Headings of the exported and displayed tables, by column key (the contract's CSV column names where one
# exists; the CSV files themselves keep those names, since programs read them).
COLUMN_LABELS = {
    "operator_id": N_("ID"),
    "name": N_("Name"),
    "team": N_("Team"),
    "rate": N_("Rate"),
    "shifts": N_("Shifts"),
    "hours": N_("Hours"),
    "norm_hours": N_("Norm, h"),
    "hours_off_norm": N_("Off norm, h"),
    "nights": N_("Nights"),
    "weekends": N_("Weekends"),
    "start_hours": N_("Start hours"),
    "start_moves": N_("Start moves > tolerance"),
    "nights_before": N_("Nights, months before"),
    "weekends_before": N_("Weekend shifts, months before"),
    "date": N_("Date"),
    "start": N_("Start"),
    "end": N_("End"),
    "breaks": N_("Breaks"),
    "interval_start": N_("Hour"),
    "calls": N_("Calls"),
    "aht_sec": N_("Handle time, s"),
    "required": N_("Required"),
    "scheduled": N_("Scheduled"),
    "on_phones": N_("On the phones"),
    "shortfall": N_("Shortfall"),
    "night": N_("Night"),
    "end_time": N_("End of shift"),
    "car": N_("Car"),
    "stop": N_("Drop-off order"),
    "phone": N_("Phone"),
    "address": N_("Address"),
    "district": N_("District"),
    "flag": N_("To confirm"),
}


def column_label(column: str, language: str) -> str:
    """The heading of a column key from COLUMN_LABELS, in `language` (KeyError for an unknown key)."""
    return translator(language).gettext(COLUMN_LABELS[column])


# The page's navigation, buttons and common messages, keyed by the id the page uses (also as widget keys).
PAGES = {
    "forecast": N_("Forecast"),
    "operators": N_("Operators"),
    "rules": N_("Rules"),
    "roster": N_("Roster"),
    "breaks": N_("Breaks"),
    "taxi": N_("Taxi"),
    "export": N_("Export"),
}

ACTIONS = {
    "solve": N_("Solve"),
    "stop": N_("Stop"),
    "save_draft": N_("Save draft"),
    "publish": N_("Publish"),
    "resolve_rest": N_("Re-solve the rest"),
    "lock_selected": N_("Lock selected"),
    "download_csv": N_("Download CSV"),
    "download_excel": N_("Download Excel"),
    "download_pdf": N_("Download PDF"),
}

MESSAGES = {
    "language": N_("Language"),
    "month": N_("Month"),
    "roster_sheet": N_("Roster"),
    "shifts_sheet": N_("Shifts"),
    "coverage_sheet": N_("Coverage"),
    "upload_forecast": N_("Upload the forecast CSV"),
    "upload_operators": N_("Upload the operators CSV"),
    "file_rejected": N_("The file was rejected and nothing was imported. Fix these problems and upload it again:"),
    "no_roster": N_("No roster yet: load the forecast and the operators, then solve."),
    "solving": N_("Solving…"),
    "best_so_far": N_("Best roster so far: objective {objective}, proven bound {bound}."),
    "stopped": N_("Stopped. The best roster found so far is kept."),
    "no_solution": N_("No roster can keep the hard rules:"),
    "rules_hold": N_("The roster keeps every hard rule."),
    "violations": N_("Broken rules"),
    "draft_saved": N_("Draft saved."),
    "published": N_("Roster published."),
    "save_conflict": N_(
        "Someone else saved this draft after you opened it. Your edits were not saved but are kept: "
        "re-apply them to the newer version."
    ),
    "required_vs_scheduled": N_("Required and scheduled operators per hour"),
    "shortfall_hours": N_("Shortfall, operator-hours"),
    "pick_day": N_("Day"),
    "no_taxi": N_("Nobody rides home by taxi that night."),
    # A multiselect's own text while nothing is chosen (Streamlit writes "Choose options" otherwise).
    "choose": N_("Choose"),
}


def count_text(t: Translator, what: str, n: int) -> str:
    """A count with its noun in the language's plural form: '21 смена', '5 shifts'. `what` is one of
    'shift', 'operator', 'violation', 'car', 'day'."""
    match what:
        case "shift":
            text = t.ngettext("{count} shift", "{count} shifts", n)
        case "operator":
            text = t.ngettext("{count} operator", "{count} operators", n)
        case "violation":
            text = t.ngettext("{count} broken rule", "{count} broken rules", n)
        case "car":
            text = t.ngettext("{count} car", "{count} cars", n)
        case "day":
            text = t.ngettext("{count} day", "{count} days", n)
        case _:
            raise ValueError(f"cannot count {what!r}: expected shift, operator, violation, car or day")
    return text.format(count=n)


def whole_number(value: float, language: str) -> str:
    """A count or a sum as the language writes it, rounded: "78 972" in Russian, "78,972" in English."""
    return format_decimal(round(value), "#,##0", locale=language)


def percent(share: float, language: str, decimals: int = 0) -> str:
    """A share (0.015) as the language writes a percentage: "1,5%" in Russian, "1.5%" in English."""
    return format_percent(share, "#,##0" + ("." + "0" * decimals if decimals else "") + "%", locale=language)
