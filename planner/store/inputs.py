"""A month's inputs: forecasts, operator lists, rule sets and the operators' wishes."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, datetime
from typing import TypeVar

from sqlalchemy import insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from planner.auth import Role
from planner.config import Rules, parse_rules_text
from planner.domain import Operator
from planner.forecast_csv import parse_forecast
from planner.month import Month
from planner.store.accounts import _audit, _existing_user_row
from planner.store.base import ERASE, WISHES, StoreBase, rows_changed
from planner.store.convert import (
    _forecast_summary,
    _label,
    _operator_list,
    _operator_list_of,
    _operator_values,
    _require_unique_ids,
    _require_user,
    _sha256,
    _stored_forecast,
    _stored_rules,
    _user,
)
from planner.store.records import OperatorList, StoredForecast, StoredRules, WishEntry, WishWindow
from planner.store.refusals import StaleInput, UnknownOperator, WishesRefused
from planner.store.schema import ForecastRow, OperatorListRow, OperatorRow, RuleSetRow, WishRow, WishWindowRow
from planner.wishes import WISH_FIELDS, Wishes, with_wishes

# The tables that keep every save of a month's input, the newest one counting.
ChainRow = TypeVar("ChainRow", OperatorListRow, RuleSetRow)  # a save names the row it replaces
_Saved = TypeVar("_Saved", OperatorList, StoredRules)


class Inputs(StoreBase):
    # --- forecasts ---------------------------------------------------------------------------------------------

    def save_forecast(self, data: bytes, filename: str, rules: Rules, user: str) -> StoredForecast:
        """Parse and keep an uploaded forecast file; a rejected file raises InputError and nothing is stored."""
        _require_user(user)
        forecast = parse_forecast(data, filename, rules)
        month = forecast.month
        row = ForecastRow(
            month=month.label,
            timezone=month.timezone,
            country=month.country,
            filename=filename,
            content=data,
            calls=list(forecast.calls),
            aht_sec=list(forecast.aht_sec),
            summary=_forecast_summary(forecast),
            uploaded_by=user,
            uploaded_at=self._clock(),
        )
        with self._writing() as session:
            session.add(row)
        return _stored_forecast(row)

    def months(self) -> tuple[str, ...]:
        """Every month (YYYY-MM) with a forecast, latest first: the months a planner can open."""
        with self._reading() as session:
            labels = session.scalars(select(ForecastRow.month).distinct()).all()
        return tuple(sorted(labels, reverse=True))

    def latest_forecast(self, month: Month | str) -> StoredForecast | None:
        with self._reading() as session:
            row = _newest_forecast(session, _label(month))
            return None if row is None else _stored_forecast(row)

    # --- operators ---------------------------------------------------------------------------------------------

    def save_operators(
        self, month: Month | str, operators: Sequence[Operator], user: str, source: str = "", *,
        based_on: int | None,
    ) -> OperatorList:
        """Keep `operators` as the month's current list, if the list the caller changed (`based_on`: its id, None
        when the month had none) is still the current one; else raise StaleInput, with nothing written. The list
        it replaces stays in the history."""
        _require_user(user)
        _require_unique_ids(operators)
        label = _label(month)
        operators = tuple(operators)

        def write(session: Session, replaces: int) -> OperatorList:
            row = OperatorListRow(month=label, replaces=replaces, source=source, saved_by=user,
                                  saved_at=self._clock())
            session.add(row)
            session.flush()
            if operators:
                session.execute(
                    insert(OperatorRow),
                    [_operator_values(row.id, position, op) for position, op in enumerate(operators)],
                )
            return _operator_list(row, operators)

        return self._save_on_current(OperatorListRow, label, based_on, write, _operator_list_of, operators)

    def load_operators(self, month: Month | str) -> OperatorList | None:
        """The month's current operator list, or None when none was saved."""
        with self._reading() as session:
            row = _current(session, OperatorListRow, _label(month))
            return None if row is None else _operator_list_of(session, row)

    def operator_list(self, list_id: int) -> OperatorList | None:
        """One saved list of any month, current or in the history; None for an id never saved."""
        with self._reading() as session:
            row = session.get(OperatorListRow, list_id)
            return None if row is None else _operator_list_of(session, row)

    def erase_personal_data(self, operator_id: str, *, by: str) -> int:
        """Blank the operator's address, district, home coordinates and phone in every stored list of every month
        (the right to erasure: 152-FZ art. 21, GDPR art. 17), and say in the audit log who did; the number of
        lists changed. Id, name, contract and shifts stay: they are the labour records a centre must keep.
        UnknownOperator, with nothing changed, for an id no list has."""
        _require_user(by)
        with self._writing() as session:
            lists = rows_changed(session, update(OperatorRow).where(OperatorRow.operator_id == operator_id)
                                 .values(address="", district="", lat=None, lon=None, phone=""))
            if not lists:
                raise UnknownOperator(operator_id)
            _audit(session, self._clock(), by, ERASE,
                   f"operator {operator_id}: address, district, home coordinates and phone erased from {lists} "
                   "stored lists")
        return lists

    def operator_history(self, month: Month | str) -> tuple[OperatorList, ...]:
        """Every list saved for the month, oldest first; the last one is current."""
        with self._reading() as session:
            rows = session.scalars(
                select(OperatorListRow).where(OperatorListRow.month == _label(month)).order_by(OperatorListRow.id)
            ).all()
            return tuple(_operator_list_of(session, row) for row in rows)

    # --- rules -------------------------------------------------------------------------------------------------

    def save_rules(self, month: Month | str, text: str, user: str, *, based_on: int | None) -> StoredRules:
        """Keep the month's rules, if the rules the caller changed (`based_on`: their id, None when the month had
        none) are still the current ones; else raise StaleInput, with nothing written. Text that is not valid
        YAML or breaks a rule raises InputError, unstored."""
        _require_user(user)
        label = _label(month)
        parse_rules_text(text, f"rules of {label}")

        def write(session: Session, replaces: int) -> StoredRules:
            return _stored_rules(_new_rule_set(session, label, text, user, self._clock(), replaces))

        return self._save_on_current(RuleSetRow, label, based_on, write, lambda _session, row: _stored_rules(row),
                                     text)

    def latest_rules(self, month: Month | str) -> StoredRules | None:
        """The month's current rules, as last saved for it (not a copy kept for a roster); None when none was."""
        with self._reading() as session:
            row = _current(session, RuleSetRow, _label(month))
            return None if row is None else _stored_rules(row)

    def _save_on_current(
        self,
        row_type: type[ChainRow],
        month: str,
        based_on: int | None,
        write: Callable[[Session, int], _Saved],
        stored: Callable[[Session, ChainRow], _Saved],
        refused: tuple[Operator, ...] | str,
    ) -> _Saved:
        """`write(session, replaces)` if the month's current row is still `based_on`, else StaleInput. A save on
        the same row committed between the check and the insert breaks the (month, replaces) unique constraint:
        refused the same way."""
        broken: IntegrityError | None = None
        try:
            with self._writing() as session:
                if _current_id(session, row_type, month) == based_on:
                    return write(session, based_on or 0)
        except IntegrityError as error:
            broken = error
        with self._reading() as session:
            current = _current(session, row_type, month)
            if broken is not None and (None if current is None else current.id) == based_on:
                raise broken  # not a save that came first: some other constraint
            what = "operators" if row_type is OperatorListRow else "rules"
            raise StaleInput(what, month, None if current is None else stored(session, current), based_on, refused)

    # --- wishes ------------------------------------------------------------------------------------------------
    # Operators enter their wishes for a month while its window is open (local days of the centre's time zone);
    # planners may enter or correct them at any time. Each save is checked as the operators file is
    # (`planner.wishes.with_wishes`) and kept; taking them into the month's operator list is a new stored list.

    def open_wishes(self, month: str, opens_on: date, closes_on: date, *, by: str) -> WishWindow:
        """Set the days in which operators enter their wishes for `month` (a later call moves them)."""
        _require_user(by)
        if closes_on < opens_on:
            raise WishesRefused(f"the window cannot close ({closes_on}) before it opens ({opens_on})")
        now = self._clock()
        with self._writing() as session:
            row = session.get(WishWindowRow, month) or WishWindowRow(month=month)
            row.opens_on, row.closes_on, row.opened_by, row.opened_at = opens_on, closes_on, by, now
            session.add(row)
            _audit(session, now, by, WISHES, f"wishes for {month} open from {opens_on} until {closes_on}")
            return WishWindow(month, opens_on, closes_on, by)

    def wish_window(self, month: str) -> WishWindow | None:
        with self._reading() as session:
            row = session.get(WishWindowRow, month)
            return None if row is None else WishWindow(row.month, row.opens_on, row.closes_on, row.opened_by)

    def save_wishes(self, month: str, wishes: Wishes, *, by: str) -> WishEntry:
        """Keep an operator's wishes for `month`. An operator enters their own, while the window is open; a
        planner anyone's, at any time. InputError (nothing kept) for a cell the operators file would refuse."""
        _require_user(by)
        with self._reading() as session:
            account = _user(_existing_user_row(session, by))
        listed = self.load_operators(month)
        operator = next((op for op in listed.operators if op.id == wishes.operator_id), None) if listed else None
        if operator is None:
            raise WishesRefused(f"{wishes.operator_id} is not in the operator list of {month}")
        rules = self._rules_of(month)
        if account.role is Role.OPERATOR:
            if account.operator_id != wishes.operator_id:
                raise WishesRefused(f"{by} may enter their own wishes only, not {wishes.operator_id}'s")
            window = self.wish_window(month)
            today = self._clock().astimezone(rules.timezone).date()
            if window is None or not window.is_open(today):
                when = "are not being collected" if window is None else \
                    f"were collected from {window.opens_on} until {window.closes_on}"
                raise WishesRefused(f"wishes for {month} {when}; ask the planner to change them")
        elif account.role is not Role.PLANNER:
            raise WishesRefused(f"{by} ({account.role}) may not enter wishes")
        with_wishes(operator, wishes, rules, f"wishes of {wishes.operator_id}")
        now = self._clock()
        with self._writing() as session:
            row = WishRow(month=month, operator_id=wishes.operator_id, entered_by=account.name, entered_at=now,
                          **{name: getattr(wishes, name).strip() for name in WISH_FIELDS})
            session.add(row)
            session.flush()
            return _wish_entry(row)

    def wishes(self, month: str) -> tuple[WishEntry, ...]:
        """Every save of wishes for `month`, oldest first."""
        with self._reading() as session:
            rows = session.scalars(select(WishRow).where(WishRow.month == month).order_by(WishRow.id))
            return tuple(_wish_entry(row) for row in rows)

    def apply_wishes(self, month: str, *, by: str) -> OperatorList:
        """The month's operator list with each operator's newest wishes in place, kept as its new version."""
        _require_user(by)
        listed = self.load_operators(month)
        if listed is None:
            raise WishesRefused(f"{month} has no operator list to take the wishes into")
        newest = {entry.wishes.operator_id: entry.wishes for entry in self.wishes(month)}
        rules = self._rules_of(month)
        operators = [with_wishes(op, newest[op.id], rules, f"wishes of {op.id}") if op.id in newest else op
                     for op in listed.operators]
        saved = self.save_operators(month, operators, by, source="wishes", based_on=listed.id)
        now = self._clock()
        with self._writing() as session:
            _audit(session, now, by, WISHES, f"wishes of {sum(op.id in newest for op in listed.operators)} "
                                             f"operator(s) taken into the operator list of {month}")
        return saved

    def _rules_of(self, month: str) -> Rules:
        stored = self.latest_rules(month)
        return parse_rules_text(stored.text) if stored is not None else parse_rules_text("{}")


def _wish_entry(row: WishRow) -> WishEntry:
    wishes = Wishes(row.operator_id, **{name: getattr(row, name) for name in WISH_FIELDS})
    return WishEntry(row.id, row.month, wishes, row.entered_by, row.entered_at)


def _newest_forecast(session: Session, month: str) -> ForecastRow | None:
    """Each upload adds a row; the latest one counts."""
    return session.scalars(
        select(ForecastRow).where(ForecastRow.month == month).order_by(ForecastRow.id.desc()).limit(1)
    ).first()


def _current(session: Session, row_type: type[ChainRow], month: str) -> ChainRow | None:
    """The month's current operator list or rules: the newest save of them (a rule set kept only for a roster
    replaces nothing and is not one)."""
    return session.scalars(
        select(row_type).where((row_type.month == month) & row_type.replaces.is_not(None))
        .order_by(row_type.id.desc()).limit(1)
    ).first()


def _current_id(session: Session, row_type: type[ChainRow], month: str) -> int | None:
    """The id of `_current` (a module function, so a test can hold two saves between the check and the insert)."""
    current = _current(session, row_type, month)
    return None if current is None else current.id


def _rule_set_id(session: Session, month: str, text: str, user: str, now: datetime) -> int:
    """The rule set a roster is kept with: the month's current rules if they have this text (saving a roster
    again with unchanged rules adds no copy), else a copy that leaves the month's rules as they are."""
    current = _current(session, RuleSetRow, month)
    if current is not None and current.sha256 == _sha256(text):
        return current.id
    return _new_rule_set(session, month, text, user, now, replaces=None).id


def _new_rule_set(session: Session, month: str, text: str, user: str, now: datetime,
                  replaces: int | None) -> RuleSetRow:
    row = RuleSetRow(month=month, replaces=replaces, text=text, sha256=_sha256(text), saved_by=user, saved_at=now)
    session.add(row)
    session.flush()
    return row
