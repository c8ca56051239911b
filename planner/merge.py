"""Applying a refused save again: the changes a planner made to the month's operators or rules, against what they
had opened, put on top of what another planner saved in the meantime (a three-way merge, by operator id or by
rule key). Where both changed the same thing differently, the planner who re-applies keeps their own: they see
the list of such clashes before they choose to."""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

import yaml

from planner.domain import Operator

__all__ = ["Merge", "RuleKey", "three_way", "merge_operators", "merge_rules_text", "rule_key_text"]

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")

# The path of a setting in the rules' YAML, e.g. ("rules", "shortfall", "weight"); its parts keep YAML's types,
# since a contract rate is a number key.
RuleKey = tuple[Hashable, ...]


@dataclass(frozen=True)
class Merge(Generic[K, V]):
    merged: dict[K, V]  # theirs with mine on top: their order, then what only I added, in my order
    mine: tuple[K, ...]  # what I added, changed or removed against the base
    theirs: tuple[K, ...]  # what they added, changed or removed against the base
    both: tuple[K, ...]  # what both changed, to different values: mine is in `merged`


_GONE = object()


def three_way(base: Mapping[K, V], mine: Mapping[K, V], theirs: Mapping[K, V]) -> Merge[K, V]:
    """A missing key is a removed (or never added) entry; changes equal on both sides are no clash."""
    keys = list(dict.fromkeys([*theirs, *mine, *base]))

    def changed(side: Mapping[K, V]) -> tuple[K, ...]:
        return tuple(key for key in keys if side.get(key, _GONE) != base.get(key, _GONE))

    by_me, by_them = changed(mine), changed(theirs)
    both = tuple(key for key in by_me if key in by_them and mine.get(key, _GONE) != theirs.get(key, _GONE))
    merged = dict(theirs)
    for key in by_me:
        if key in mine:
            merged[key] = mine[key]
        else:
            merged.pop(key, None)
    return Merge(merged, by_me, by_them, both)


def merge_operators(
    base: Sequence[Operator], mine: Sequence[Operator], theirs: Sequence[Operator]
) -> Merge[str, Operator]:
    def by_id(operators: Sequence[Operator]) -> dict[str, Operator]:
        return {operator.id: operator for operator in operators}

    return three_way(by_id(base), by_id(mine), by_id(theirs))


def merge_rules_text(base: str, mine: str, theirs: str) -> tuple[str, Merge[RuleKey, Any]]:
    """The merged rules as YAML text (without the texts' comments: it is dumped from the merged values) and the
    merge by setting. Each text must be valid YAML, as every stored rules text is."""
    merge = three_way(_settings(base), _settings(mine), _settings(theirs))
    return yaml.safe_dump(_nested(merge.merged), allow_unicode=True, sort_keys=False), merge


def rule_key_text(key: RuleKey) -> str:
    return ".".join(map(str, key))


def _settings(text: str) -> dict[RuleKey, Any]:
    """Every setting of a rules text by its path; a list or an empty section is one setting."""
    flat: dict[RuleKey, Any] = {}

    def walk(value: Any, path: RuleKey) -> None:
        if isinstance(value, dict) and value:
            for name, inner in value.items():
                walk(inner, (*path, name))
        else:
            flat[path] = value

    walk(yaml.safe_load(text) or {}, ())
    return flat


def _nested(settings: Mapping[RuleKey, Any]) -> dict[Hashable, Any]:
    nested: dict[Hashable, Any] = {}
    for (*sections, name), value in settings.items():
        target = nested
        for section in sections:
            target = target.setdefault(section, {})
        target[name] = value
    return nested
