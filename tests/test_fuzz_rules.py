"""Bad rules files: whatever the text or the parsed data, the rules loader returns valid Rules or raises
InputError naming the file and the key path — never another exception."""

from __future__ import annotations

import pytest
import yaml
from hypothesis import assume, given
from hypothesis import strategies as st

from helpers.fuzzing import fuzz_settings
from planner.config import Rules, parse_rules, parse_rules_text
from planner.errors import InputError

pytestmark = pytest.mark.fuzz

SOURCE = "constraints.yaml"
DEFAULTS = Rules().model_dump(mode="json")
# Values people type, and ones that are only nearly right: out of range, the wrong type, not finite, too long.
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.integers(-(10**30), 10**30),
    st.floats(),
    st.text(max_size=20),
    st.sampled_from(["25:00", "24:00", "7:5", "-1", "1e400", "0,75", "Europe/Berlin", "Mars/Olympus", "XX", "DE",
                     "ru", "en", "=cmd|'/C calc'!A0", "\x00", "9" * 5000]),
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=8,
)


def paths(data: object, prefix: tuple = ()) -> list[tuple]:
    """Every key path into nested dicts and lists, parents before children."""
    found = [prefix] if prefix else []
    children = data.items() if isinstance(data, dict) else enumerate(data) if isinstance(data, list) else ()
    for key, child in children:
        found += paths(child, (*prefix, key))
    return found


def replaced(data: object, path: tuple, value: object) -> object:
    if not path:
        return value
    copy = dict(data) if isinstance(data, dict) else list(data)
    copy[path[0]] = replaced(copy[path[0]], path[1:], value)
    return copy


def dotted(path: tuple) -> str:
    return ".".join(str(key) for key in path)


def within(key: str, section: str) -> bool:
    """Whether the dotted key path `key` is `section` or lies inside it."""
    return key == section or key.startswith(f"{section}.")


def outcome(load, data) -> Rules | list:
    try:
        rules = load(data, SOURCE)
    except InputError as error:
        for problem in error.problems:
            assert problem.file == SOURCE and problem.message.strip() and "\n" not in problem.message, problem
            assert str(problem).startswith(SOURCE), problem
        return sorted(((problem.line, problem.field, problem.message) for problem in error.problems), key=str)
    assert_valid(rules)
    return rules


def assert_valid(rules: Rules) -> None:
    assert rules.contracts
    assert all(1 <= hours <= 24 and rules.breaks.fits(hours) for hours in rules.contracts.values())
    assert rules.timezone.key == rules.centre.timezone


PATHS = paths(DEFAULTS)


@fuzz_settings(300)
@given(st.text())
def test_any_text_gives_rules_or_a_rejection_naming_the_file(text):
    problems = outcome(parse_rules_text, text)
    if isinstance(problems, list):
        lines = len(text.splitlines()) + 1  # YAML breaks lines at NEL and the Unicode separators too
        assert all(line is None or 1 <= line <= lines for line, _, _ in problems)


YAML_LINES = st.lists(
    st.tuples(
        st.sampled_from(["", "  ", "    ", "\t", "- "]),
        st.sampled_from([*sorted({str(key) for path in PATHS for key in path}), "x", "? [1]", "&a", "*a", "<<"])
        | st.text(max_size=6),
        st.sampled_from([": ", ":", " - ", " "]),
        st.sampled_from(["", "{}", "[]", "[0.1", "!!int x", "!!timestamp x", "!!python/object:os.system", "2026-13-45",
                         ".nan", "-.inf", "0x1F", "1_000", "12:30", "'24:00'", "|", ">", "~", "*a", "&a 1"])
        | SCALARS.map(str),
    ).map("".join),
    max_size=12,
).map("\n".join)


@fuzz_settings(200)
@given(YAML_LINES)
def test_yaml_shaped_text_gives_rules_or_a_rejection_naming_the_file(text):
    outcome(parse_rules_text, text)


@fuzz_settings(100)
@given(st.sampled_from(PATHS), VALUES)
def test_one_changed_value_gives_rules_or_a_rejection_naming_its_key_path(path, value):
    data = replaced(DEFAULTS, path, value)
    result = outcome(parse_rules, data)
    if isinstance(result, list):
        key = dotted(path)
        # Validators of a whole section report on the section, the check of breaks against every contract on
        # no key at all (its message starts with 'breaks:').
        assert any(
            (field is None and message.startswith("breaks:"))
            or (field is not None and (within(key, field) or within(field, key)))
            for _, field, message in result
        ), (key, result)
    # The same data typed as YAML gets the same answer.
    assert outcome(parse_rules_text, yaml.safe_dump(data, sort_keys=False)) == result


def value_at(data: object, path: tuple) -> object:
    for key in path:
        data = data[key]
    return data


# Every section a key can be added to; these map keys of the user's choice (rates, shift type names) instead.
USER_KEYED = {("contracts",), ("shift_types",), ("rules", "max_shifts_per_type", "max_shifts"),
              ("rules", "shift_type_cover", "min_per_day"), ("rules", "shift_templates", "starts")}
SECTIONS = [path for path in [(), *PATHS] if isinstance(value_at(DEFAULTS, path), dict) and path not in USER_KEYED]


@fuzz_settings(200)
@given(st.sampled_from(SECTIONS), st.text(min_size=1))
def test_an_unknown_key_anywhere_is_named_by_its_path(path, key):
    section = value_at(DEFAULTS, path)
    assume(key not in section)
    result = outcome(parse_rules, replaced(DEFAULTS, path, {**section, key: 1}))
    message = "unknown key (check the spelling; see the commented defaults in constraints.yaml)"
    assert result == [(None, dotted((*path, key)), message)]


@fuzz_settings(150)
@given(st.dictionaries(st.sampled_from(sorted(DEFAULTS)) | st.text(max_size=8), VALUES, max_size=4))
def test_any_nested_data_gives_rules_or_a_rejection_naming_a_key_it_has(data):
    result = outcome(parse_rules, data)
    if isinstance(result, list):
        for _, field, message in result:
            assert field is None or any(within(field, str(key)) for key in data), (field, message)
