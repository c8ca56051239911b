"""The rules page: the month's rules in plain words, a change saved for the month and shown at once, a value the
loader refuses named by its key with nothing saved, and a reset to the centre's commented constraints.yaml."""

from __future__ import annotations

import pytest

from helpers.ui_pages import FEBRUARY, RULES_TEXT, open_page
from planner.config import parse_rules_text
from ui.rules import FIELDS, RESET, SAVE, field_key
from ui.views import DISCARD, REAPPLY

SHORTFALL = next(field for field in FIELDS if field.key == "rules.shortfall.weight")
OVERSTAFFING = next(field for field in FIELDS if field.key == "rules.overstaffing.weight")


@pytest.fixture
def store(small_month_store):
    return small_month_store


def _plain_words(at) -> str:
    return "\n".join(markdown.value for markdown in at.markdown)


def test_the_rules_in_plain_words_and_a_field_for_every_setting(store):
    at = open_page("rules")
    assert not at.exception
    words = _plain_words(at)
    assert "80% of calls answered within 20 seconds" in words
    assert "**Too few operators**: 1000 per operator-hour below the requirement" in words
    assert "at most 6 working days in a row" in words
    assert [at.number_input(key=field_key(field)).value for field in (SHORTFALL, OVERSTAFFING)] == [1000, 1]
    assert len(at.number_input) == len(FIELDS)


def test_a_changed_weight_is_saved_for_the_month_and_shown(store):
    at = open_page("rules")
    at.number_input(key=field_key(SHORTFALL)).set_value(2500)
    at.button(key=SAVE).click().run()

    assert not at.exception
    saved = store.latest_rules(FEBRUARY.label)
    assert saved.saved_by == "anna"
    assert parse_rules_text(saved.text).rules.shortfall.weight == 2500
    assert parse_rules_text(saved.text).rules.overstaffing.weight == 1  # the rest kept
    assert at.success[0].value == "Rules saved for 2026-02."
    assert "**Too few operators**: 2500 per" in _plain_words(at)
    assert at.number_input(key=field_key(SHORTFALL)).value == 2500


def test_a_negative_weight_is_refused_naming_its_key_and_nothing_is_saved(store):
    before = store.latest_rules(FEBRUARY.label)
    at = open_page("rules")
    at.number_input(key=field_key(OVERSTAFFING)).set_value(-3)
    at.button(key=SAVE).click().run()

    assert not at.exception
    [error] = at.error
    assert "`rules.overstaffing.weight`" in error.value and "greater than or equal to 0" in error.value
    assert store.latest_rules(FEBRUARY.label) == before
    assert at.number_input(key=field_key(OVERSTAFFING)).value == -3  # kept as typed, to be corrected


def test_reset_brings_back_the_commented_constraints_yaml(store):
    at = open_page("rules")
    at.number_input(key=field_key(SHORTFALL)).set_value(7)
    at.button(key=SAVE).click().run()
    assert parse_rules_text(store.latest_rules(FEBRUARY.label).text).rules.shortfall.weight == 7

    at.button(key=RESET).click().run()

    assert not at.exception
    assert store.latest_rules(FEBRUARY.label).text == RULES_TEXT
    assert at.number_input(key=field_key(SHORTFALL)).value == 1000


def test_item_10_rules_saved_on_rules_someone_replaced_are_refused_then_reapplied_on_theirs(store):
    at = open_page("rules")
    opened = store.latest_rules(FEBRUARY.label)
    theirs = store.save_rules(FEBRUARY.label, RULES_TEXT.replace("shrinkage: 0.10", "shrinkage: 0.15"), "boris",
                              based_on=opened.id)
    assert theirs.text != RULES_TEXT
    at.number_input(key=field_key(SHORTFALL)).set_value(2500)
    at.button(key=SAVE).click().run()

    assert not at.exception
    assert store.latest_rules(FEBRUARY.label) == theirs
    [error] = at.error
    assert "Not saved: boris saved the rules" in error.value
    assert "Your changes: Too few operators: weight (`rules.shortfall.weight`)" in error.value
    assert "Their changes: Shrinkage" in error.value

    at.button(key=REAPPLY).click().run()

    assert not at.exception and not at.error
    merged = parse_rules_text(store.latest_rules(FEBRUARY.label).text)
    assert merged.rules.shortfall.weight == 2500 and merged.staffing.shrinkage == 0.15
    assert at.success[0].value == "Rules saved for 2026-02: your changes re-applied on the current rules."


def test_item_10_a_refused_rules_save_can_be_discarded_for_theirs(store):
    at = open_page("rules")
    theirs = store.save_rules(FEBRUARY.label, RULES_TEXT.replace("shrinkage: 0.10", "shrinkage: 0.15"), "boris",
                              based_on=store.latest_rules(FEBRUARY.label).id)
    at.button(key=RESET).click().run()
    assert "Not saved: boris saved the rules" in at.error[0].value

    at.button(key=DISCARD).click().run()

    assert not at.exception and not at.error
    assert store.latest_rules(FEBRUARY.label) == theirs
