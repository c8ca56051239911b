"""What the store gives back: values, never rows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from planner.config import Rules, parse_rules_text
from planner.domain import Forecast, Operator, Roster
from planner.grid import CellEdit
from planner.store.base import Cell
from planner.store.schema import DRAFT, PUBLISHED
from planner.swaps import Swap
from planner.wishes import Wishes


@dataclass(frozen=True)
class StoredForecast:
    id: int
    forecast: Forecast
    filename: str
    content: bytes
    summary: dict[str, float]
    uploaded_by: str
    uploaded_at: datetime


@dataclass(frozen=True)
class OperatorList:
    id: int
    month: str
    operators: tuple[Operator, ...]
    source: str
    saved_by: str
    saved_at: datetime


@dataclass(frozen=True)
class StoredRules:
    id: int
    month: str
    text: str
    saved_by: str
    saved_at: datetime

    @property
    def rules(self) -> Rules:
        return parse_rules_text(self.text, f"rules of {self.month}")


@dataclass(frozen=True)
class VersionInfo:
    """A roster version without its shifts: what a list of versions shows."""

    id: int
    month: str
    number: int
    status: str  # DRAFT or PUBLISHED
    revision: int
    created_by: str
    created_at: datetime
    updated_by: str
    updated_at: datetime
    published_by: str | None
    published_at: datetime | None

    @property
    def is_draft(self) -> bool:
        return self.status == DRAFT

    @property
    def is_published(self) -> bool:
        return self.status == PUBLISHED


@dataclass(frozen=True)
class StoredRoster:
    info: VersionInfo
    roster: Roster
    locks: frozenset[Cell]
    report: dict[str, Any]
    rules_text: str


@dataclass(frozen=True)
class SwapInfo:
    """A swap as stored: what it moves, where it stands (`planner.store.schema.SWAP_STATUSES`) and who did what."""

    id: int
    version_id: int
    swap: Swap
    status: str
    reason: str
    asked_by: str
    asked_at: datetime
    answered_by: str | None
    decided_by: str | None


@dataclass(frozen=True)
class WishWindow:
    """The local days, both included, in which operators enter their wishes for `month`."""

    month: str
    opens_on: date
    closes_on: date
    opened_by: str

    def is_open(self, today: date) -> bool:
        return self.opens_on <= today <= self.closes_on


@dataclass(frozen=True)
class WishEntry:
    """One save of an operator's wishes, by whom (the operator, or a planner) and when."""

    id: int
    month: str
    wishes: Wishes
    entered_by: str
    entered_at: datetime


@dataclass(frozen=True)
class WorkingCopy:
    """Unsaved changes of one user to a roster version, made on revision `base_revision` of it."""

    version_id: int
    base_revision: int
    roster: Roster
    locks: frozenset[Cell]
    edits: tuple[CellEdit, ...]
    report: dict[str, Any] | None
    rules_text: str | None
    updated_at: datetime


@dataclass(frozen=True)
class EditRecord:
    version_id: int
    revision: int  # the revision the save that made the edit produced
    edit: CellEdit
    edited_by: str
    edited_at: datetime


@dataclass(frozen=True)
class AuditEvent:
    id: int
    at: datetime
    user: str
    action: str  # PUBLISH, EXPORT, SIGN_IN, SIGN_IN_REFUSED or one of the USER_* changes
    what: str
    version_id: int | None
