"""Rows <-> domain values, and the checks of what a caller hands the store."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from planner.auth import Role, User, UserRefused
from planner.domain import Forecast, Operator, Roster, Shift, ShiftRequest, WeeklyHours
from planner.grid import CellEdit
from planner.month import Month
from planner.store.base import _MONTH_LABEL
from planner.store.records import AuditEvent, OperatorList, StoredForecast, StoredRules, VersionInfo, WorkingCopy
from planner.store.schema import (
    AuditEventRow,
    ForecastRow,
    OperatorListRow,
    OperatorRow,
    RosterVersionRow,
    RuleSetRow,
    ShiftRow,
    UserRow,
    WorkingCopyRow,
)


def _label(month: Month | str) -> str:
    if isinstance(month, Month):
        return month.label
    if not isinstance(month, str) or not _MONTH_LABEL.fullmatch(month):
        raise ValueError(f"month must be a Month or YYYY-MM, got {month!r}")
    return month


def _month(label: str, timezone: str, country: str) -> Month:
    year, month = label.split("-")
    return Month(int(year), int(month), timezone, country)


def _require_user(user: str) -> None:
    if not isinstance(user, str) or not user.strip():
        raise ValueError(f"user must be a non-empty name, got {user!r}")


def _role(role: Role | str) -> Role:
    try:
        return Role(role)
    except ValueError:
        raise UserRefused(
            f"unknown role {role!r}: choose {', '.join(str(known) for known in Role)}"
        ) from None


def _require_unique_ids(operators: Sequence[Operator]) -> None:
    seen: set[str] = set()
    for op in operators:
        if op.id in seen:
            raise ValueError(f"operator id {op.id!r} appears twice in the list")
        seen.add(op.id)


def _require_same_month(row: RosterVersionRow, month: Month) -> None:
    if (row.month, row.timezone, row.country) != (month.label, month.timezone, month.country):
        raise ValueError(
            f"roster version {row.id} is of {row.month} ({row.timezone}, {row.country}), "
            f"the roster given is of {month.label} ({month.timezone}, {month.country})"
        )


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _forecast_summary(forecast: Forecast) -> dict[str, float]:
    return {"hours": len(forecast.calls), "calls": sum(forecast.calls), "peak_calls": max(forecast.calls)}


def _stored_forecast(row: ForecastRow) -> StoredForecast:
    month = _month(row.month, row.timezone, row.country)
    return StoredForecast(
        id=row.id,
        forecast=Forecast(month, tuple(row.calls), tuple(row.aht_sec), source=row.filename),
        filename=row.filename,
        content=row.content,
        summary=row.summary,
        uploaded_by=row.uploaded_by,
        uploaded_at=row.uploaded_at,
    )


def _operator_values(list_id: int, position: int, op: Operator) -> dict[str, Any]:
    return {
        "list_id": list_id,
        "position": position,
        "operator_id": op.id,
        "name": op.name,
        "rate": op.rate,
        "earliest_start": op.earliest_start,
        "latest_end": op.latest_end,
        "unavailable": sorted(day.isoformat() for day in op.unavailable),
        "days_off_wished": sorted(day.isoformat() for day in op.days_off_wished),
        "team": op.team,
        "address": op.address,
        "district": op.district,
        "lat": op.lat,
        "lon": op.lon,
        "phone": op.phone,
        "max_consecutive_days": op.max_consecutive_days,
        "max_working_weekends": op.max_working_weekends,
        "shift_requests": [str(wish) for wish in sorted(op.shift_requests)],
        "weekly_hours": [[hours.weekday, hours.earliest_start, hours.latest_end] for hours in op.weekly_hours],
    }


def _operators_of(session: Session, list_id: int) -> tuple[Operator, ...]:
    rows = session.scalars(select(OperatorRow).where(OperatorRow.list_id == list_id).order_by(OperatorRow.position))
    return tuple(
        Operator(
            id=row.operator_id,
            name=row.name,
            rate=row.rate,
            earliest_start=row.earliest_start,
            latest_end=row.latest_end,
            unavailable=frozenset(map(date.fromisoformat, row.unavailable)),
            days_off_wished=frozenset(map(date.fromisoformat, row.days_off_wished)),
            team=row.team,
            address=row.address,
            district=row.district,
            lat=row.lat,
            lon=row.lon,
            phone=row.phone,
            max_consecutive_days=row.max_consecutive_days,
            max_working_weekends=row.max_working_weekends,
            shift_requests=frozenset(map(ShiftRequest.parse, row.shift_requests or ())),
            weekly_hours=tuple(WeeklyHours(*hours) for hours in row.weekly_hours or ()),
        )
        for row in rows
    )


def _operator_list(row: OperatorListRow, operators: tuple[Operator, ...]) -> OperatorList:
    return OperatorList(row.id, row.month, operators, row.source, row.saved_by, row.saved_at)


def _operator_list_of(session: Session, row: OperatorListRow) -> OperatorList:
    return _operator_list(row, _operators_of(session, row.id))


def _stored_rules(row: RuleSetRow) -> StoredRules:
    return StoredRules(row.id, row.month, row.text, row.saved_by, row.saved_at)


def _shift_values(roster: Roster) -> list[dict[str, Any]]:
    """Shift rows in the roster's order; every instant must be a real moment of the month's zone, so that it
    comes back as given."""
    tz = roster.month.tz
    return [
        {
            "operator_id": shift.operator_id,
            "start": _instant_of(shift.start, tz, shift),
            "end": _instant_of(shift.end, tz, shift),
            "breaks": [_instant_of(moment, tz, shift).isoformat() for moment in shift.breaks],
        }
        for shift in roster.shifts
    ]


def _instant_of(moment: datetime, tz: ZoneInfo, shift: Shift) -> datetime:
    if getattr(moment.tzinfo, "key", None) != tz.key:
        raise ValueError(f"shift of {shift.operator_id}: {moment!r} is not in the month's zone {tz.key}")
    utc = moment.astimezone(UTC)
    back = utc.astimezone(tz)
    if back.replace(tzinfo=None) != moment.replace(tzinfo=None) or back.utcoffset() != moment.utcoffset():
        raise ValueError(
            f"shift of {shift.operator_id}: {moment:%Y-%m-%d %H:%M} does not exist in {tz.key} (the clocks skip it)"
        )
    return utc


def _shift(row: ShiftRow, tz: ZoneInfo) -> Shift:
    return _shift_in(tz, row.operator_id, row.start, row.end, row.breaks)


def _shift_in(tz: ZoneInfo, operator_id: str, start: datetime, end: datetime, breaks: list[str]) -> Shift:
    return Shift(
        operator_id,
        start.astimezone(tz),
        end.astimezone(tz),
        tuple(datetime.fromisoformat(moment).astimezone(tz) for moment in breaks),
    )


def _working_copy(row: WorkingCopyRow, month: Month) -> WorkingCopy:
    shifts = tuple(
        _shift_in(month.tz, values["operator_id"], datetime.fromisoformat(values["start"]),
                  datetime.fromisoformat(values["end"]), values["breaks"])
        for values in row.shifts
    )
    return WorkingCopy(
        version_id=row.version_id,
        base_revision=row.base_revision,
        roster=Roster(month, shifts),
        locks=frozenset((operator_id, date.fromisoformat(day)) for operator_id, day in row.locks),
        edits=tuple(CellEdit(op_id, date.fromisoformat(day), before, after) for op_id, day, before, after in row.edits),
        report=row.report,
        rules_text=row.rules_text,
        updated_at=row.updated_at,
    )


def _delete_working_copy(session: Session, version_id: int, user: str) -> None:
    session.execute(
        delete(WorkingCopyRow).where(WorkingCopyRow.version_id == version_id, WorkingCopyRow.username == user)
    )


def _version_info(row: RosterVersionRow) -> VersionInfo:
    return VersionInfo(
        id=row.id,
        month=row.month,
        number=row.number,
        status=row.status,
        revision=row.revision,
        created_by=row.created_by,
        created_at=row.created_at,
        updated_by=row.updated_by,
        updated_at=row.updated_at,
        published_by=row.published_by,
        published_at=row.published_at,
    )


def _audit_event(row: AuditEventRow) -> AuditEvent:
    return AuditEvent(row.id, row.at, row.username, row.action, row.what, row.version_id)


def _user(row: UserRow) -> User:
    return User(row.name, Role(row.role), tuple(row.teams), row.active, row.operator_id)
