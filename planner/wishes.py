"""Next month's wishes entered by the operators themselves (issue 16, item 3).

An operator enters the cells of the operators file that are theirs to say — the hours they can work, the dates
they cannot, the days they wish off and their shift requests — as text written as the file writes it. The cells
are checked by reading the operator's row of the file with them (`parse_operators`), so a wish gets the same
checks and the same messages, naming the field, as the planner's file; nothing is kept from a wish with a problem.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, fields

from planner.config import Rules
from planner.domain import Operator
from planner.operators import parse_operators
from planner.samples import write_operators_csv

__all__ = ["Wishes", "WISH_FIELDS", "wishes_of", "with_wishes"]


@dataclass(frozen=True)
class Wishes:
    """An operator's wishes, each cell as the operators file writes it (times HH:MM, dates separated by spaces,
    requests such as `2026-12-05:evening -2026-12-06:night`); an empty cell means what it means in the file."""

    operator_id: str
    earliest_start: str = ""
    latest_end: str = ""
    unavailable: str = ""
    days_off_wished: str = ""
    shift_requests: str = ""
    weekly_hours: str = ""


WISH_FIELDS = tuple(field.name for field in fields(Wishes) if field.name != "operator_id")


def wishes_of(op: Operator) -> Wishes:
    """The operator's current cells, as a form starts from them."""
    row = _row(op)
    return Wishes(op.id, **{name: row[name] for name in WISH_FIELDS})


def with_wishes(op: Operator, wishes: Wishes, rules: Rules, source: str) -> Operator:
    """The operator with the wished cells in place of their own, read as the operators file is read; InputError
    (file `source`, the field named) when a cell is not one the file would accept."""
    row = {**_row(op), **{name: getattr(wishes, name).strip() for name in WISH_FIELDS}}
    text = io.StringIO()
    writer = csv.DictWriter(text, fieldnames=list(row), lineterminator="\n")
    writer.writeheader()
    writer.writerow(row)
    (read,) = parse_operators(text.getvalue().encode("utf-8"), source, rules)
    return read


def _row(op: Operator) -> dict[str, str]:
    """The operator's row of the operators file, by column."""
    text = io.StringIO()
    write_operators_csv([op], text)
    return next(csv.DictReader(io.StringIO(text.getvalue())))
