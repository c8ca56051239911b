"""planner.merge: a refused save's changes put on top of what was saved meanwhile, by operator id or rule key."""

from __future__ import annotations

import dataclasses

import yaml
from hypothesis import given
from hypothesis import strategies as st

from helpers.ui_pages import RULES_TEXT, rules
from planner.config import parse_rules_text
from planner.merge import merge_operators, merge_rules_text, three_way
from planner.month import Month
from planner.samples import sample_operators

MONTH = Month(2026, 2, "Europe/Moscow")
entries = st.dictionaries(st.sampled_from("abcdef"), st.integers(0, 3), max_size=6)


@given(entries, entries)
def test_a_side_that_changed_nothing_gives_the_other_sides_entries(base, changed):
    assert three_way(base, changed, base).merged == changed
    assert three_way(base, base, changed).merged == changed


@given(entries, entries, entries)
def test_every_change_of_mine_is_in_the_merge_and_theirs_stay_where_i_changed_nothing(base, mine, theirs):
    merge = three_way(base, mine, theirs)
    for key in merge.mine:
        assert merge.merged.get(key) == mine.get(key)
    for key in set(merge.theirs) - set(merge.mine):
        assert merge.merged.get(key) == theirs.get(key)
    assert set(merge.both) <= set(merge.mine) & set(merge.theirs)


def test_operators_changed_on_both_sides_are_merged_by_id():
    base = sample_operators(4, MONTH, rules(), seed=3)
    mine = (dataclasses.replace(base[0], name="Mine"), *base[1:3], dataclasses.replace(base[3], team="X"))
    added = dataclasses.replace(base[0], id="new1", name="Added by them")
    theirs = (base[0], base[1], dataclasses.replace(base[3], team="Y"), added)  # base[2] removed

    merge = merge_operators(base, mine, theirs)

    assert [op.id for op in merge.merged.values()] == [base[0].id, base[1].id, base[3].id, "new1"]
    assert merge.merged[base[0].id].name == "Mine" and merge.merged[base[3].id].team == "X"
    assert merge.mine == (base[0].id, base[3].id)
    assert set(merge.theirs) == {base[2].id, base[3].id, "new1"}
    assert merge.both == (base[3].id,)


def test_rules_changed_on_different_settings_keep_both_and_stay_valid():
    base = yaml.safe_load(RULES_TEXT)
    mine, theirs = yaml.safe_load(RULES_TEXT), yaml.safe_load(RULES_TEXT)
    mine["rules"]["shortfall"]["weight"] = 2500
    theirs["staffing"]["shrinkage"] = 0.2

    text, merge = merge_rules_text(yaml.safe_dump(base), yaml.safe_dump(mine), yaml.safe_dump(theirs))

    merged = parse_rules_text(text)
    assert merged.rules.shortfall.weight == 2500 and merged.staffing.shrinkage == 0.2
    assert merge.mine == (("rules", "shortfall", "weight"),)
    assert merge.theirs == (("staffing", "shrinkage"),) and merge.both == ()
