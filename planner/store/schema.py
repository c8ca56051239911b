"""Tables of the planner's database as typed SQLAlchemy models.

The migrations in `planner.store.migrations.versions` create exactly these tables; a test compares the two.
Change a model only together with a new migration.

Instants are stored in UTC (`UtcDateTime`). A roster's shifts come back in the month's zone, which its
version row keeps (`timezone`), so a repeated hour of a DST night keeps its reading.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    Dialect,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from planner.auth import Role

# A swap's life: asked by an operator, accepted or declined by the colleague, approved or refused by a planner or
# supervisor (also refused at any step the rules no longer allow it).
SWAP_STATUSES = ("asked", "accepted", "declined", "approved", "refused")

__all__ = [
    "Base",
    "UtcDateTime",
    "ForecastRow",
    "OperatorListRow",
    "OperatorRow",
    "RuleSetRow",
    "RosterVersionRow",
    "ShiftRow",
    "LockedCellRow",
    "RosterEditRow",
    "AuditEventRow",
    "UserRow",
    "WorkingCopyRow",
    "DRAFT",
    "PUBLISHED",
]

DRAFT = "draft"
PUBLISHED = "published"

# Named constraints let later migrations drop or alter them, also in SQLite's batch mode.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UtcDateTime(TypeDecorator[datetime]):
    """An aware datetime kept as UTC: `timestamptz` in PostgreSQL, a naive UTC text in SQLite. A naive value is
    refused, since its zone would be a guess."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError(f"an instant must carry its time zone, got the naive datetime {value!r}")
        utc = value.astimezone(UTC)
        return utc if dialect.name == "postgresql" else utc.replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class ForecastRow(Base):
    """An accepted forecast file: its bytes as uploaded, and the hourly values parsed from it."""

    __tablename__ = "forecasts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    month: Mapped[str] = mapped_column(String(7), index=True)  # YYYY-MM
    timezone: Mapped[str] = mapped_column(Text())
    country: Mapped[str] = mapped_column(String(8))
    filename: Mapped[str] = mapped_column(Text())
    content: Mapped[bytes] = mapped_column(LargeBinary)
    calls: Mapped[list[float]] = mapped_column(JSON)  # one value per real hour of the month
    aht_sec: Mapped[list[float]] = mapped_column(JSON)
    summary: Mapped[dict[str, Any]] = mapped_column(JSON)
    uploaded_by: Mapped[str] = mapped_column(Text())
    uploaded_at: Mapped[datetime] = mapped_column(UtcDateTime)


class OperatorListRow(Base):
    """One saved state of a month's operator list; the newest is the current one, the others its history.
    `replaces` is the list it was saved over (0 for the month's first): unique per month, so two saves made on the
    same list cannot both land, whatever the database's isolation."""

    __tablename__ = "operator_lists"
    __table_args__ = (Index("uq_operator_lists_month_replaces", "month", "replaces", unique=True),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    month: Mapped[str] = mapped_column(String(7), index=True)
    replaces: Mapped[int] = mapped_column(Integer, server_default="0")
    source: Mapped[str] = mapped_column(Text())
    saved_by: Mapped[str] = mapped_column(Text())
    saved_at: Mapped[datetime] = mapped_column(UtcDateTime)


class OperatorRow(Base):
    __tablename__ = "operators"
    __table_args__ = (UniqueConstraint("list_id", "operator_id"),)

    list_id: Mapped[int] = mapped_column(ForeignKey("operator_lists.id", ondelete="CASCADE"), primary_key=True)
    position: Mapped[int] = mapped_column(Integer, primary_key=True)  # keeps the planner's order
    operator_id: Mapped[str] = mapped_column(Text())
    name: Mapped[str] = mapped_column(Text())
    rate: Mapped[float] = mapped_column(Float)
    earliest_start: Mapped[int] = mapped_column(Integer)  # minutes after local midnight
    latest_end: Mapped[int] = mapped_column(Integer)
    unavailable: Mapped[list[str]] = mapped_column(JSON)  # ISO dates, sorted
    days_off_wished: Mapped[list[str]] = mapped_column(JSON)
    team: Mapped[str] = mapped_column(Text())
    address: Mapped[str] = mapped_column(Text)
    district: Mapped[str] = mapped_column(Text())
    lat: Mapped[float | None] = mapped_column(Float)
    lon: Mapped[float | None] = mapped_column(Float)
    phone: Mapped[str] = mapped_column(Text())
    max_consecutive_days: Mapped[int | None] = mapped_column(Integer)  # the operator's own limit; NULL: the centre's
    max_working_weekends: Mapped[int | None] = mapped_column(Integer)
    shift_requests: Mapped[list[str] | None] = mapped_column(JSON)  # ShiftRequest texts, sorted; NULL: none
    weekly_hours: Mapped[list[list[int]] | None] = mapped_column(JSON)  # [weekday, start, end]; NULL: none


class RuleSetRow(Base):
    """The YAML text of the rules a month was planned with. A saved state of the month's rules `replaces` the one
    it was saved over (0 for the first; unique per month, as for operator lists); a copy kept only for a roster
    planned with other rules replaces nothing (NULL) and does not change the month's rules."""

    __tablename__ = "rule_sets"
    __table_args__ = (Index("uq_rule_sets_month_replaces", "month", "replaces", unique=True),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    month: Mapped[str] = mapped_column(String(7), index=True)
    replaces: Mapped[int | None] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    sha256: Mapped[str] = mapped_column(Text())
    saved_by: Mapped[str] = mapped_column(Text())
    saved_at: Mapped[datetime] = mapped_column(UtcDateTime)


class RosterVersionRow(Base):
    """A roster of a month: version `number` of the month, a draft until published. `revision` counts its
    saves; a save names the revision it started from and is refused if another came in between."""

    __tablename__ = "roster_versions"
    __table_args__ = (
        UniqueConstraint("month", "number"),
        CheckConstraint(f"status IN ('{DRAFT}', '{PUBLISHED}')", name="status"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    month: Mapped[str] = mapped_column(String(7), index=True)
    number: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16))
    revision: Mapped[int] = mapped_column(Integer)
    timezone: Mapped[str] = mapped_column(Text())
    country: Mapped[str] = mapped_column(String(8))
    rule_set_id: Mapped[int] = mapped_column(ForeignKey("rule_sets.id"))
    report: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_by: Mapped[str] = mapped_column(Text())
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    updated_by: Mapped[str] = mapped_column(Text())
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)
    published_by: Mapped[str | None] = mapped_column(Text())
    published_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class ShiftRow(Base):
    __tablename__ = "shifts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("roster_versions.id", ondelete="CASCADE"), index=True)
    operator_id: Mapped[str] = mapped_column(Text())
    start: Mapped[datetime] = mapped_column(UtcDateTime)
    end: Mapped[datetime] = mapped_column(UtcDateTime)
    breaks: Mapped[list[str]] = mapped_column(JSON)  # break starts as ISO UTC instants


class LockedCellRow(Base):
    """A cell of the roster grid (operator x day) that a re-solve keeps as it is."""

    __tablename__ = "locked_cells"

    version_id: Mapped[int] = mapped_column(ForeignKey("roster_versions.id", ondelete="CASCADE"), primary_key=True)
    operator_id: Mapped[str] = mapped_column(Text(), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)


class RosterEditRow(Base):
    """One cell changed by hand: the shift code before and after (empty text for a day off)."""

    __tablename__ = "roster_edits"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("roster_versions.id", ondelete="CASCADE"), index=True)
    revision: Mapped[int] = mapped_column(Integer)  # the revision the save produced
    operator_id: Mapped[str] = mapped_column(Text())
    day: Mapped[date] = mapped_column(Date)
    before: Mapped[str] = mapped_column(Text())
    after: Mapped[str] = mapped_column(Text())
    edited_by: Mapped[str] = mapped_column(Text())
    edited_at: Mapped[datetime] = mapped_column(UtcDateTime)


class WorkingCopyRow(Base):
    """A user's changes to a roster version that are not saved yet, rewritten after every change on the page, so
    that a reload, a closed browser or a restart of the app loses none of them. One per version and user; saving
    the draft or discarding the changes removes it. `base_revision` is the version's revision the changes were
    made on: a restored copy is saved against it, so a save made meanwhile by someone else is never overwritten.
    The roster is kept whole (shifts as in `shifts`, UTC instants in ISO form), since a re-solve or newly placed
    breaks change more than the edited cells."""

    __tablename__ = "working_copies"

    version_id: Mapped[int] = mapped_column(ForeignKey("roster_versions.id", ondelete="CASCADE"), primary_key=True)
    username: Mapped[str] = mapped_column(Text(), primary_key=True)
    base_revision: Mapped[int] = mapped_column(Integer)
    shifts: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    locks: Mapped[list[list[str]]] = mapped_column(JSON)  # [operator_id, ISO day]
    edits: Mapped[list[list[str]]] = mapped_column(JSON)  # [operator_id, ISO day, before, after]
    report: Mapped[dict[str, Any] | None] = mapped_column(JSON)  # a re-solve's report, until saved
    rules_text: Mapped[str | None] = mapped_column(Text)  # the rules of that re-solve
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)


class SwapRow(Base):
    """A swap asked by an operator (`planner.swaps.Swap`): asked, then accepted or declined by the colleague, then
    approved (a new revision of the published version) or refused by a planner or supervisor. `reason` says why a
    swap was refused when the rules no longer allowed it."""

    __tablename__ = "swaps"
    __table_args__ = (CheckConstraint(f"status IN ({', '.join(map(repr, SWAP_STATUSES))})", name="status"),
                      CheckConstraint("kind IN ('swap', 'give')", name="kind"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("roster_versions.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(8))
    from_operator: Mapped[str] = mapped_column(Text())
    from_day: Mapped[date] = mapped_column(Date)
    to_operator: Mapped[str] = mapped_column(Text())
    to_day: Mapped[date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str] = mapped_column(Text())
    asked_by: Mapped[str] = mapped_column(Text())
    asked_at: Mapped[datetime] = mapped_column(UtcDateTime)
    answered_by: Mapped[str | None] = mapped_column(Text())
    answered_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    decided_by: Mapped[str | None] = mapped_column(Text())
    decided_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class WishWindowRow(Base):
    """The days (local, both included) in which the operators enter their wishes for `month`."""

    __tablename__ = "wish_windows"

    month: Mapped[str] = mapped_column(String(7), primary_key=True)
    opens_on: Mapped[date] = mapped_column(Date)
    closes_on: Mapped[date] = mapped_column(Date)
    opened_by: Mapped[str] = mapped_column(Text())
    opened_at: Mapped[datetime] = mapped_column(UtcDateTime)


class WishRow(Base):
    """One save of an operator's wishes for a month (`planner.wishes.Wishes`, the cells as text); the newest of an
    operator counts, the earlier ones are the history the planner sees."""

    __tablename__ = "wishes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    month: Mapped[str] = mapped_column(String(7), index=True)
    operator_id: Mapped[str] = mapped_column(Text())
    earliest_start: Mapped[str] = mapped_column(Text())
    latest_end: Mapped[str] = mapped_column(Text())
    unavailable: Mapped[str] = mapped_column(Text())
    days_off_wished: Mapped[str] = mapped_column(Text())
    shift_requests: Mapped[str] = mapped_column(Text())
    weekly_hours: Mapped[str] = mapped_column(Text(), server_default="")
    entered_by: Mapped[str] = mapped_column(Text())
    entered_at: Mapped[datetime] = mapped_column(UtcDateTime)


class AuditEventRow(Base):
    """Who published, exported or changed what (a user, for instance), when."""

    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    username: Mapped[str] = mapped_column(Text())
    action: Mapped[str] = mapped_column(String(32))
    what: Mapped[str] = mapped_column(Text)
    version_id: Mapped[int | None] = mapped_column(ForeignKey("roster_versions.id"))


class UserRow(Base):
    """An account of the page. `name` is stored trimmed and in lower case (`planner.auth.check_user_name`);
    `password_hash` is the Argon2id hash string, salt and parameters included; `teams` (a list of team names)
    limits a supervisor; `operator_id` ties an operator's account to their operator. Accounts are disabled, never
    deleted, so the audit log's names keep meaning someone."""

    __tablename__ = "users"
    __table_args__ = (CheckConstraint(f"role IN ({', '.join(repr(str(role)) for role in Role)})", name="role"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(Text(), unique=True)
    role: Mapped[str] = mapped_column(String(16))
    teams: Mapped[list[str]] = mapped_column(JSON)
    password_hash: Mapped[str] = mapped_column(Text())
    active: Mapped[bool] = mapped_column(Boolean)
    created_by: Mapped[str] = mapped_column(Text())
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    updated_by: Mapped[str] = mapped_column(Text())
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)
    operator_id: Mapped[str | None] = mapped_column(Text())
