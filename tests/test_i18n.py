from __future__ import annotations

import typing

import pytest
from babel.messages.pofile import read_po

from planner import i18n
from planner.config import BreakRuleSet, RuleSet, Ui, parse_rules
from planner.i18n import (
    ACTIONS,
    COLUMN_LABELS,
    DOMAIN,
    LOCALE_DIR,
    MESSAGES,
    PAGES,
    RULE_LABELS,
    available_languages,
    column_label,
    count_text,
    percent,
    rule_label,
    translator,
    whole_number,
)

TEMPLATE = LOCALE_DIR / f"{DOMAIN}.pot"
# Rules the validator reports that are not keys under `rules:` or `breaks.rules:` in constraints.yaml.
VALIDATOR_ONLY_RULES = {"contracts", "one_shift_per_day", "per_shift"}


def _catalogue(language: str):
    with open(LOCALE_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.po", "rb") as po:
        return read_po(po, locale=language, domain=DOMAIN)


def _template_ids() -> set:
    with open(TEMPLATE, "rb") as pot:
        return {message.id for message in read_po(pot) if message.id}


def test_the_languages_are_english_and_russian_as_the_rules_file_allows():
    assert available_languages() == ("en", "ru")
    assert set(typing.get_args(Ui.model_fields["language"].annotation)) == set(available_languages())
    assert parse_rules({}).ui.language == "ru"


def test_every_text_of_the_template_has_a_confirmed_russian_translation():
    catalogue = _catalogue("ru")
    translated = {message.id: message for message in catalogue if message.id}
    assert _template_ids() <= set(translated), "run `make messages` and translate what it adds"
    for message_id in _template_ids():
        message = translated[message_id]
        forms = message.string if isinstance(message.string, tuple) else (message.string,)
        assert all(forms) and "fuzzy" not in message.flags, f"untranslated or fuzzy: {message_id!r}"


def test_the_template_holds_every_label_the_code_marks():
    labels = [*RULE_LABELS.values(), *COLUMN_LABELS.values(), *PAGES.values(), *ACTIONS.values(), *MESSAGES.values()]
    assert set(labels) <= _template_ids(), "run `make messages`"


def test_the_russian_catalogue_has_the_three_plural_forms():
    assert _catalogue("ru").num_plurals == 3


@pytest.mark.parametrize("count, text", [(1, "1 смена"), (2, "2 смены"), (5, "5 смен"), (11, "11 смен"),
                                         (21, "21 смена"), (22, "22 смены"), (112, "112 смен")])
def test_russian_counts_take_the_right_plural_form(count, text):
    assert count_text(translator("ru"), "shift", count) == text


def test_english_counts_are_singular_only_for_one():
    t = translator("en")
    assert [count_text(t, "car", n) for n in (1, 2, 21)] == ["1 car", "2 cars", "21 cars"]


def test_english_returns_the_text_as_written_in_the_code():
    assert translator("en").gettext(ACTIONS["resolve_rest"]) == "Re-solve the rest"
    assert translator("en")._("Some text no catalogue has") == "Some text no catalogue has"


def test_russian_translates_pages_buttons_and_columns():
    t = translator("ru")
    assert t.gettext(PAGES["roster"]) == "График"
    assert t._(ACTIONS["solve"]) == "Рассчитать"
    assert t.ngettext("{count} broken rule", "{count} broken rules", 3).format(count=3) == "3 нарушения"
    assert column_label("name", "ru") == "ФИО"


def test_an_unknown_language_is_refused_with_the_known_ones():
    with pytest.raises(ValueError, match=r"unknown language 'de': the planner speaks en, ru"):
        translator("de")


def test_fuzzy_entries_are_not_used(monkeypatch, tmp_path):
    language_dir = tmp_path / "xx" / "LC_MESSAGES"
    language_dir.mkdir(parents=True)
    (language_dir / f"{DOMAIN}.po").write_text(
        'msgid ""\nmsgstr "Content-Type: text/plain; charset=utf-8\\n"\n\n'
        '#, fuzzy\nmsgid "Solve"\nmsgstr "Guess"\n\nmsgid "Stop"\nmsgstr "Halt"\n', encoding="utf-8"
    )
    monkeypatch.setattr(i18n, "LOCALE_DIR", tmp_path)
    translator.cache_clear()
    try:
        t = translator("xx")
        assert (t.gettext("Solve"), t.gettext("Stop")) == ("Solve", "Halt")
    finally:
        translator.cache_clear()


def test_every_rule_has_a_label_in_both_languages():
    rules = set(RuleSet.model_fields) | set(BreakRuleSet.model_fields) | VALIDATOR_ONLY_RULES
    assert set(RULE_LABELS) == rules
    assert rule_label("rest_between_shifts", "ru") == "Отдых между сменами"
    assert rule_label("team_on_break", "en") == "Team on break at once"
    russian = {rule_label(rule, "ru") for rule in rules}
    assert len(russian) == len(rules) and not russian & set(RULE_LABELS.values())


def test_a_rule_without_a_label_is_shown_by_its_key():
    assert rule_label("some_new_rule", "ru") == "some_new_rule"


def test_counting_an_unknown_noun_is_refused():
    with pytest.raises(ValueError, match="cannot count 'apple'"):
        count_text(translator("en"), "apple", 2)


def test_numbers_are_written_as_the_language_writes_them():
    assert whole_number(78972.4, "ru") == "78\xa0972" and whole_number(78972.4, "en") == "78,972"
    assert percent(0.0153, "ru", 1) == "1,5%"
    assert percent(0.0153, "en", 1) == "1.5%" and percent(0.05, "en") == "5%"
