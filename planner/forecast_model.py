"""The hourly forecast of a month (calls and AHT) from the call history, and its backtest against two baselines.

**Model: a robust weekly profile with a trend.** Each hour belongs to a *slot*: its day type and its wall-clock
hour. The day type is the weekday, except that a public holiday of `rules.centre.country` (`holidays` package) is
the day it resembles, a Sunday (`HOLIDAY_LOOKS_LIKE`), in the history as in the forecast month. Then, from the
history before the forecast origin (windows in `ModelSettings`):
1. *trend*: each day's level is its calls divided by the profile's calls over the day's open hours; the trend is
   the Theil-Sen slope (median of pairwise slopes) of the log levels over the last `trend_weeks` (26), so a
   holiday or a storm day cannot tilt it;
2. *daily and weekly seasonality*: the profile of a slot is the mean of its calls over the last `shape_weeks`
   (26), each hour first brought to the origin's level by the trend; long, because the shape of a day changes
   slowly and a long mean has little noise;
3. *recent level*: each day type's level is the median of its days' levels over the last `level_weeks` (6), so
   the forecast follows a recent shift and ignores single odd days (a half-closed day, an outage);
4. a forecast hour is profile × level of its day type × trend from the origin to its day.
A slot is forecast at 0 calls when it was closed in most of its recent occurrences (`SCHEDULE_WEEKS`): the
nights and weekends of a day-time centre, and there holidays too, since they look like Sundays. Closed and
missing hours never enter any mean. AHT is the calls-weighted mean of the slot over the shape window; where the
history has none, its overall mean, else `staffing.default_aht_sec` of the rules. Hours of a clock-change day
take the slot of their wall-clock hour (a repeated hour twice).

**Why hand-written, with no library.** statsmodels was measured against this model on the bank data of
`bench/forecast_bench.py`, same origins, hours, holidays, opening hours and scoring (hourly WAPE of the 8-week
backtest; this model 9.4 %, 9.2 % without trend; seasonal naive 12.2 %): a robust linear model (`RLM`, Huber)
of log calls on slot dummies and a linear trend 9.3 % over the whole history, 9.8 % over 26 weeks, 9.0 %
without trend; a Poisson GLM of the same design 10.6 %. In a first prototype `MSTL` (periods of a day and a
week of open hours) with its seasonal components carried forward was far behind (13-15 % where the others
scored 6-7 %). So the best library fit ties with this model within 0.2 points, and statsmodels would cost,
measured on this machine: 210 MB installed (statsmodels 65 MB, SciPy 143 MB, patsy 2 MB), 2.0-3.5 s more to
import at every start of the page (pandas alone 0.5-0.8 s), and 3-7 s per RLM fit against a few hundredths of
a second here; statsforecast (numba, LLVM) costs more again. This model is a page of standard library
(`statistics.median`, `math`), and each of its numbers can be explained to a planner ("the median Monday of the
last six weeks"). The trend costs the bank, whose level wanders rather than grows, 0.2 points (the benchmark
runs the model without it too); it is kept because without it a growing centre's month falls short by its
growth (`tests/test_forecast_model.py`: 7 % over a month at +0.2 % a day).

**Backtest.** Rolling origins, one a week over the last `weeks` (8) weeks of the history: each forecasts the
following week from the hours before it. Two baselines are measured in the same run on the same hours:
*seasonal naive*, the same weekday and hour in the last week observed (open) before the origin, and the mean
weekday × hour profile of the 4 weeks before the origin. Neither knows holidays. Accuracy is scored on every hour
whose calls are known: open hours, and closed hours as 0 calls (forecasting calls while the line is closed is an
error too); missing hours are left out. WAPE = Σ|forecast − actual| ÷ Σ actual, per hour and per day (daily
totals); bias = Σ(forecast − actual) ÷ Σ actual.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from itertools import combinations

import holidays

from planner.config import Rules
from planner.domain import Forecast
from planner.history_csv import History, HourStatus, history_problem
from planner.month import Month

__all__ = [
    "HOLIDAY_LOOKS_LIKE",
    "METHODS",
    "BacktestReport",
    "MethodScore",
    "ModelSettings",
    "Score",
    "backtest_report",
    "forecast_month",
    "holidays_of",
]

HOLIDAY_LOOKS_LIKE = 6  # Sunday: a public holiday is staffed and called like one
SCHEDULE_WEEKS = 8
MIN_HISTORY_DAYS = 14
MIN_TREND_DAYS = 28
# Beyond a quarter, extrapolating the trend and the recent level is guessing.
MAX_LEAD_DAYS = 92
BASELINE_PROFILE_WEEKS = 4
METHODS = ("model", "seasonal naive", f"{BASELINE_PROFILE_WEEKS}-week profile")
_WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")

Slot = tuple[int, int]  # (day type 0-6, wall-clock hour)


@dataclass(frozen=True, kw_only=True)
class ModelSettings:
    """Windows of the model, in weeks before the origin; `trend_weeks=0` fits no trend and `holidays=False`
    treats holidays as the weekday they fall on (both for comparison in the benchmark)."""

    shape_weeks: int = 26
    level_weeks: int = 6
    trend_weeks: int = 26
    holidays: bool = True

    def __post_init__(self) -> None:
        for name in ("shape_weeks", "level_weeks"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be a positive number of weeks, got {getattr(self, name)}")
        if self.trend_weeks < 0:
            raise ValueError(f"trend_weeks must be 0 (no trend) or a number of weeks, got {self.trend_weeks}")


@dataclass(frozen=True)
class _Hour:
    moment: datetime
    day: date
    day_type: int
    status: HourStatus
    calls: float
    aht_sec: float

    @property
    def slot(self) -> Slot:
        return self.day_type, self.moment.hour


@dataclass(frozen=True)
class _Profile:
    """The model fitted at an origin: per slot the calls at the origin's level, per day type the recent level,
    the daily log trend, the slots forecast as closed and the AHT per slot."""

    origin: date
    base: dict[Slot, float]
    level: dict[int, float]
    trend_per_day: float
    open_slots: frozenset[Slot]
    aht_sec: dict[Slot, float]
    default_aht_sec: float

    def calls_in(self, hour: _Hour) -> float:
        return self.calls(hour.day, hour.slot)

    def calls(self, day: date, slot: Slot) -> float:
        if slot not in self.open_slots:
            return 0.0
        growth = math.exp(self.trend_per_day * (day - self.origin).days)
        return self.base.get(slot, 0.0) * self.level.get(slot[0], 1.0) * growth

    def aht(self, slot: Slot) -> float:
        return self.aht_sec.get(slot, self.default_aht_sec)


def holidays_of(days: Sequence[date], country: str) -> dict[date, str]:
    """Public holidays of `country` among `days`, with their names."""
    if not days:
        return {}
    calendar = holidays.country_holidays(country, years=range(min(days).year, max(days).year + 1))
    return {day: calendar[day] for day in days if day in calendar}


def forecast_month(history: History, month: Month, rules: Rules, settings: ModelSettings = ModelSettings()
                   ) -> Forecast:
    """Hourly calls and AHT of every real hour of `month`, from the history before the month (or its end)."""
    month_start = month.local_midnight(month.days[0])
    lead = (month.days[0] - history.end.date()).days
    if lead > MAX_LEAD_DAYS:
        raise history_problem(
            history, f"the history ends on {history.days[-1]}, {lead} days before {month.label}; a forecast "
                     f"reaches at most {MAX_LEAD_DAYS} days beyond the history")
    origin = min(history.end, month_start)
    hours = _hours(history, rules.centre.country, settings)
    profile = _fit_profile(hours, origin.date(), rules.staffing.default_aht_sec, history, settings)
    holiday_days = holidays_of(month.days, rules.centre.country) if settings.holidays else {}
    calls, aht = [], []
    for moment in month.hours:
        slot = (_day_type(moment.date(), holiday_days), moment.hour)
        calls.append(round(profile.calls(moment.date(), slot), 1))
        aht.append(round(profile.aht(slot), 1))
    return Forecast(month=month, calls=tuple(calls), aht_sec=tuple(aht), source=f"forecast from {history.source}")


def _day_type(day: date, holiday_days: dict[date, str] | frozenset[date]) -> int:
    return HOLIDAY_LOOKS_LIKE if day in holiday_days else day.weekday()


def _hours(history: History, country: str, settings: ModelSettings) -> list[_Hour]:
    holiday_days = holidays_of(history.days, country) if settings.holidays else {}
    return [
        _Hour(moment, moment.date(), _day_type(moment.date(), holiday_days), status, calls, aht)
        for moment, status, calls, aht in zip(history.hours, history.status, history.calls, history.aht_sec,
                                              strict=True)
    ]


def _fit_profile(hours: Sequence[_Hour], origin: date, default_aht_sec: float, history: History,
                 settings: ModelSettings) -> _Profile:
    """The model fitted on the hours before the local day `origin` (see the module's description)."""
    before = [hour for hour in hours if hour.day < origin]
    if len({hour.day for hour in before if hour.status is HourStatus.OPEN}) < MIN_HISTORY_DAYS:
        raise history_problem(history, f"fewer than {MIN_HISTORY_DAYS} days with calls before {origin}; "
                                       "the forecast needs at least two weeks of history")
    window = [hour for hour in before if hour.day >= origin - timedelta(weeks=settings.shape_weeks)]
    open_hours = [hour for hour in window if hour.status is HourStatus.OPEN]

    raw_base = _slot_means(open_hours, lambda hour: hour.calls)
    raw_levels = _day_levels(open_hours, raw_base, lambda hour: hour.calls)
    trend = _theil_sen([((day - origin).days, math.log(level)) for day, level in raw_levels.items()
                        if level > 0 and day >= origin - timedelta(weeks=settings.trend_weeks)])

    def at_origin(hour: _Hour) -> float:
        return hour.calls * math.exp(-trend * (hour.day - origin).days)

    base = _slot_means(open_hours, at_origin)
    levels = _day_levels(open_hours, base, at_origin)
    return _Profile(
        origin=origin,
        base=base,
        level=_recent_levels(levels, open_hours, origin - timedelta(weeks=settings.level_weeks)),
        trend_per_day=trend,
        open_slots=_open_slots(window, origin),
        aht_sec=_slot_aht(open_hours),
        default_aht_sec=_mean_aht(open_hours) or default_aht_sec,
    )


def _slot_means(hours: Sequence[_Hour], value: Callable[[_Hour], float]) -> dict[Slot, float]:
    by_slot: dict[Slot, list[float]] = {}
    for hour in hours:
        by_slot.setdefault(hour.slot, []).append(value(hour))
    return {slot: statistics.fmean(values) for slot, values in by_slot.items()}


def _day_levels(hours: Sequence[_Hour], base: dict[Slot, float],
                value: Callable[[_Hour], float]) -> dict[date, float]:
    """Each day's calls over its open hours ÷ the profile's calls over the same hours."""
    totals: dict[date, list[float]] = {}
    for hour in hours:
        pair = totals.setdefault(hour.day, [0.0, 0.0])
        pair[0] += value(hour)
        pair[1] += base[hour.slot]
    return {day: actual / expected for day, (actual, expected) in totals.items() if expected > 0}


def _theil_sen(points: list[tuple[int, float]]) -> float:
    """Median slope over all pairs of points; 0 with too short a span to tell a trend from noise."""
    days = [x for x, _ in points]
    if not points or max(days) - min(days) < MIN_TREND_DAYS:
        return 0.0
    slopes = [(y2 - y1) / (x2 - x1) for (x1, y1), (x2, y2) in combinations(points, 2) if x2 != x1]
    return statistics.median(slopes)


def _recent_levels(levels: dict[date, float], hours: Sequence[_Hour], since: date) -> dict[int, float]:
    """Median level of each day type over the days from `since`; a type with no such day takes the median of
    all of them."""
    type_of_day = {hour.day: hour.day_type for hour in hours}
    recent = {day: level for day, level in levels.items() if day >= since}
    if not recent:
        return {}
    overall = statistics.median(recent.values())
    by_type: dict[int, list[float]] = {}
    for day, level in recent.items():
        by_type.setdefault(type_of_day[day], []).append(level)
    return {day_type: statistics.median(by_type[day_type]) if day_type in by_type else overall
            for day_type in range(7)}


def _open_slots(window: Sequence[_Hour], origin: date) -> frozenset[Slot]:
    """Slots open in at least half of their known occurrences over the last SCHEDULE_WEEKS (or, for a slot
    not seen there, over the whole window)."""
    recent_from = origin - timedelta(weeks=SCHEDULE_WEEKS)
    seen: dict[Slot, list[bool]] = {}
    seen_recently: dict[Slot, list[bool]] = {}
    for hour in window:
        if hour.status is HourStatus.MISSING:
            continue
        is_open = hour.status is HourStatus.OPEN
        seen.setdefault(hour.slot, []).append(is_open)
        if hour.day >= recent_from:
            seen_recently.setdefault(hour.slot, []).append(is_open)
    return frozenset(slot for slot, flags in seen.items()
                     if 2 * sum(seen_recently.get(slot, flags)) >= len(seen_recently.get(slot, flags)))


def _slot_aht(hours: Sequence[_Hour]) -> dict[Slot, float]:
    by_slot: dict[Slot, list[_Hour]] = {}
    for hour in hours:
        by_slot.setdefault(hour.slot, []).append(hour)
    return {slot: aht for slot, members in by_slot.items() if (aht := _mean_aht(members))}


def _mean_aht(hours: Sequence[_Hour]) -> float | None:
    timed = [hour for hour in hours if not math.isnan(hour.aht_sec) and hour.calls > 0]
    total = sum(hour.calls for hour in timed)
    return sum(hour.calls * hour.aht_sec for hour in timed) / total if total else None


# ---------------------------------------------------------------------------------------------------------------
# Baselines
# ---------------------------------------------------------------------------------------------------------------


def _seasonal_naive(hours: Sequence[_Hour], origin: date) -> Callable[[_Hour], float]:
    """The same weekday and hour in the last week it was open before the origin (0 if never)."""
    last: dict[tuple[int, int], float] = {}
    for hour in sorted((h for h in hours if h.day < origin and h.status is HourStatus.OPEN),
                       key=lambda h: h.moment):
        last[hour.day.weekday(), hour.moment.hour] = hour.calls
    return lambda hour: last.get((hour.day.weekday(), hour.moment.hour), 0.0)


def _recent_profile(hours: Sequence[_Hour], origin: date) -> Callable[[_Hour], float]:
    """Mean calls of each weekday and hour over the open hours of the last BASELINE_PROFILE_WEEKS."""
    start = origin - timedelta(weeks=BASELINE_PROFILE_WEEKS)
    by_key: dict[tuple[int, int], list[float]] = {}
    for hour in hours:
        if start <= hour.day < origin and hour.status is HourStatus.OPEN:
            by_key.setdefault((hour.day.weekday(), hour.moment.hour), []).append(hour.calls)
    means = {key: statistics.fmean(values) for key, values in by_key.items()}
    return lambda hour: means.get((hour.day.weekday(), hour.moment.hour), 0.0)


# ---------------------------------------------------------------------------------------------------------------
# Backtest
# ---------------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Score:
    """Accuracy of one method on a group of hours (a weekday, an hour of the day)."""

    method: str
    group: str
    wape: float
    bias: float
    actual_calls: float
    forecast_calls: float
    hours: int


@dataclass(frozen=True)
class MethodScore:
    method: str
    hourly_wape: float
    daily_wape: float
    bias: float
    hourly_wape_vs_naive: float  # this method's hourly WAPE ÷ seasonal naive's


@dataclass(frozen=True)
class BacktestReport:
    origins: tuple[date, ...]
    hours_scored: int
    actual_calls: float
    methods: tuple[MethodScore, ...]
    by_weekday: tuple[Score, ...]
    by_hour: tuple[Score, ...]

    def method(self, name: str) -> MethodScore:
        return next(score for score in self.methods if score.method == name)

    def summary_table(self) -> tuple[tuple[str, ...], list[tuple[str, ...]]]:
        """Columns and rows of the headline figures, one row per method, as text for a page or a terminal."""
        columns: tuple[str, ...] = ("method", "hourly WAPE", "daily WAPE", "bias", "hourly WAPE ÷ seasonal naive's")
        rows: list[tuple[str, ...]] = [
            (score.method, _percent(score.hourly_wape), _percent(score.daily_wape), _signed(score.bias),
             f"{score.hourly_wape_vs_naive:.2f}") for score in self.methods]
        return columns, rows

    def breakdown_table(self, by: str) -> tuple[tuple[str, ...], list[tuple[str, ...]]]:
        """WAPE and bias of every method per weekday (`by="weekday"`) or per hour of the day (`by="hour"`);
        groups where the line was closed and every method forecast 0 are left out."""
        scores = {"weekday": self.by_weekday, "hour": self.by_hour}[by]
        cell = {(score.group, score.method): score for score in scores}
        groups = [group for group in dict.fromkeys(score.group for score in scores)
                  if any(cell[group, method].actual_calls or cell[group, method].forecast_calls
                         for method in METHODS)]
        columns = (by, "actual calls", *(f"{method} {what}" for method in METHODS for what in ("WAPE", "bias")))
        rows = []
        for group in groups:
            first = cell[group, METHODS[0]]
            values = [group, f"{first.actual_calls:,.0f}"]
            for method in METHODS:
                score = cell[group, method]
                values += [_percent(score.wape), _signed(score.bias)]
            rows.append(tuple(values))
        return columns, rows


def _percent(value: float) -> str:
    return "—" if math.isnan(value) else f"{value:.1%}"


def _signed(value: float) -> str:
    return "—" if math.isnan(value) else f"{value:+.1%}"


def backtest_report(history: History, rules: Rules, weeks: int = 8, settings: ModelSettings = ModelSettings()
                    ) -> BacktestReport:
    """Rolling-origin backtest over the last `weeks` weeks of the history: from each weekly origin the model and
    both baselines forecast the following week; scored on every hour whose calls are known."""
    if weeks < 1:
        raise ValueError(f"weeks must be a positive integer, got {weeks}")
    end = history.end.date()
    origins = tuple(end - timedelta(weeks=k) for k in range(weeks, 0, -1))
    if (origins[0] - history.days[0]).days < MIN_HISTORY_DAYS:
        raise history_problem(
            history, f"a backtest over {weeks} weeks needs at least {weeks} weeks plus {MIN_HISTORY_DAYS} days of "
                     f"history; this one has {len(history.days)} days")
    hours = _hours(history, rules.centre.country, settings)
    forecasts: dict[str, list[float]] = {method: [] for method in METHODS}
    scored: list[_Hour] = []
    for origin in origins:
        profile = _fit_profile(hours, origin, rules.staffing.default_aht_sec, history, settings)
        predictors: dict[str, Callable[[_Hour], float]] = {
            METHODS[0]: profile.calls_in,
            METHODS[1]: _seasonal_naive(hours, origin),
            METHODS[2]: _recent_profile(hours, origin),
        }
        week = [hour for hour in hours
                if origin <= hour.day < origin + timedelta(weeks=1) and hour.status is not HourStatus.MISSING]
        scored += week
        for method, predict in predictors.items():
            forecasts[method] += [predict(hour) for hour in week]
    actual = [hour.calls for hour in scored]
    naive_wape = _wape(forecasts[METHODS[1]], actual)
    methods = []
    for method in METHODS:
        hourly = _wape(forecasts[method], actual)
        daily_forecast, daily_actual = _daily(scored, forecasts[method])
        methods.append(MethodScore(method, hourly, _wape(daily_forecast, daily_actual),
                                   _bias(forecasts[method], actual), hourly / naive_wape if naive_wape else math.nan))
    return BacktestReport(
        origins=origins,
        hours_scored=len(scored),
        actual_calls=sum(actual),
        methods=tuple(methods),
        by_weekday=_grouped(scored, forecasts, lambda hour: hour.day.weekday(), lambda key: _WEEKDAYS[key]),
        by_hour=_grouped(scored, forecasts, lambda hour: hour.moment.hour, lambda key: f"{key:02d}:00"),
    )


def _wape(forecast: Sequence[float], actual: Sequence[float]) -> float:
    total = sum(actual)
    return sum(abs(f - a) for f, a in zip(forecast, actual, strict=True)) / total if total else math.nan


def _bias(forecast: Sequence[float], actual: Sequence[float]) -> float:
    total = sum(actual)
    return (sum(forecast) - total) / total if total else math.nan


def _daily(hours: Sequence[_Hour], forecast: Sequence[float]) -> tuple[list[float], list[float]]:
    by_day: dict[date, list[float]] = {}
    for hour, value in zip(hours, forecast, strict=True):
        pair = by_day.setdefault(hour.day, [0.0, 0.0])
        pair[0] += value
        pair[1] += hour.calls
    return [pair[0] for pair in by_day.values()], [pair[1] for pair in by_day.values()]


def _grouped(hours: Sequence[_Hour], forecasts: dict[str, list[float]], key: Callable[[_Hour], int],
             label: Callable[[int], str]) -> tuple[Score, ...]:
    members: dict[int, list[int]] = {}
    for index, hour in enumerate(hours):
        members.setdefault(key(hour), []).append(index)
    scores = []
    for group in sorted(members):
        indices = members[group]
        actual = [hours[i].calls for i in indices]
        for method in METHODS:
            forecast = [forecasts[method][i] for i in indices]
            scores.append(Score(method, label(group), _wape(forecast, actual), _bias(forecast, actual),
                                sum(actual), sum(forecast), len(indices)))
    return tuple(scores)
