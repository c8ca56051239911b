"""Seeded generators of a realistic month: the sample forecast and operators the product ships.

The same seed always gives the same files, byte for byte: `forecasts/` holds the output of `write_sample_month`
for `SAMPLE_MONTH`, `SAMPLE_OPERATORS` and `SAMPLE_SEED`, and a test regenerates it to keep the two in step.
To rewrite the shipped files after changing a generator, from the repository root::

    python -c "from planner import config, samples as s; s.write_sample_month('forecasts', s.SAMPLE_MONTH,
    s.SAMPLE_OPERATORS, config.load_rules('constraints.yaml'), s.SAMPLE_SEED)"

The forecast defaults are calibrated with `planner.staffing` and the shipped `constraints.yaml`: the December
2026 sample needs 18,695 agent-hours with at most 48 operators at once (the hall has 70 workstations), and the
contract hours of its 150 operators (rate x 8 h x 22 working days) are 11 % above that: coverable, not trivially.
"""

from __future__ import annotations

import csv
import math
import random
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import date, timedelta
from os import PathLike
from pathlib import Path
from typing import TextIO

from planner.clock import hhmm
from planner.config import Rules, rate_key
from planner.csvfile import safe_csv_cell
from planner.domain import WEEKDAYS, Forecast, Operator, WeeklyHours
from planner.month import Month

__all__ = [
    "SAMPLE_MONTH",
    "SAMPLE_OPERATORS",
    "SAMPLE_SEED",
    "sample_forecast",
    "sample_operators",
    "write_forecast_csv",
    "write_operators_csv",
    "write_sample_month",
]

SAMPLE_MONTH = Month(2026, 12, "Europe/Moscow", "RU")
SAMPLE_OPERATORS = 150
SAMPLE_SEED = 2026

_Target = str | PathLike[str] | TextIO

# ---------------------------------------------------------------------------------------------------------------
# Forecast
# ---------------------------------------------------------------------------------------------------------------

# Share of the day's peak per local hour on a weekday: a night trough, a morning ramp as people wake up, the
# working-hours peak, a dip while people commute home and an evening peak once they are home.
_HOURLY_SHAPE = (
    0.24, 0.15, 0.10, 0.07, 0.06, 0.08, 0.14, 0.30,  # 00-07
    0.55, 0.80, 0.95, 1.00, 0.98, 0.93, 0.84, 0.79,  # 08-15
    0.77, 0.79, 0.86, 0.93, 0.95, 0.89, 0.64, 0.40,  # 16-23
)
# Monday gathers what piled up over the weekend; a public holiday is as quiet as a Sunday.
_WEEKDAY_FACTOR = (1.00, 0.95, 0.93, 0.92, 0.90, 0.79, 0.73)
_SUNDAY = 6
# Night callers have the harder problems and nobody to hand over to: calls take longer from late evening on.
_AHT_FACTOR = (
    1.15, 1.15, 1.15, 1.15, 1.15, 1.13, 1.08, 1.04,  # 00-07
    1.00, 1.00, 0.98, 0.98, 0.98, 0.99, 1.00, 1.00,  # 08-15
    1.00, 1.00, 1.00, 1.01, 1.02, 1.04, 1.08, 1.12,  # 16-23
)
_DAY_NOISE = 0.03
_HOUR_NOISE = 0.05
_AHT_NOISE = 0.02


def sample_forecast(month: Month, *, peak_calls: float = 610, seed: int = 0, base_aht_sec: float = 200) -> Forecast:
    """A month of a 24/7 hotline: whole calls per real hour of `month`, `peak_calls` in the Monday midday peak
    before noise, AHT around `base_aht_sec` (15 % longer at night)."""
    _require_positive("peak_calls", peak_calls)
    _require_positive("base_aht_sec", base_aht_sec)
    rng = random.Random(f"forecast:{seed}")
    # One level per day first, so the noise of a day moves all its hours together as real days do.
    day_level = {
        day: _WEEKDAY_FACTOR[_SUNDAY if day in month.public_holidays else day.weekday()]
        * max(0.0, rng.gauss(1, _DAY_NOISE))
        for day in month.days
    }
    calls: list[int] = []
    aht: list[float] = []
    for moment in month.hours:
        expected = peak_calls * day_level[moment.date()] * _HOURLY_SHAPE[moment.hour]
        calls.append(round(expected * max(0.0, rng.gauss(1, _HOUR_NOISE))))
        aht.append(round(base_aht_sec * _AHT_FACTOR[moment.hour] * rng.gauss(1, _AHT_NOISE), 1))
    return Forecast(month, tuple(calls), tuple(aht), source=f"sample seed {seed}")


# ---------------------------------------------------------------------------------------------------------------
# Operators
# ---------------------------------------------------------------------------------------------------------------

_MALE_FIRST = (
    "Александр", "Алексей", "Андрей", "Артём", "Дмитрий", "Евгений", "Иван", "Илья", "Кирилл", "Максим",
    "Михаил", "Никита", "Павел", "Роман", "Сергей", "Тимур", "Денис", "Владимир", "Егор", "Олег",
)
_FEMALE_FIRST = (
    "Анна", "Алина", "Анастасия", "Валерия", "Виктория", "Дарья", "Екатерина", "Елена", "Ирина", "Карина",
    "Ксения", "Мария", "Марина", "Наталья", "Ольга", "Полина", "Светлана", "Софья", "Татьяна", "Юлия",
)
# (male, female) forms of a patronymic; the female one is not derivable by a suffix rule for every name.
_PATRONYMICS = (
    ("Александрович", "Александровна"), ("Алексеевич", "Алексеевна"), ("Андреевич", "Андреевна"),
    ("Викторович", "Викторовна"), ("Владимирович", "Владимировна"), ("Дмитриевич", "Дмитриевна"),
    ("Евгеньевич", "Евгеньевна"), ("Иванович", "Ивановна"), ("Игоревич", "Игоревна"),
    ("Михайлович", "Михайловна"), ("Николаевич", "Николаевна"), ("Олегович", "Олеговна"),
    ("Павлович", "Павловна"), ("Петрович", "Петровна"), ("Сергеевич", "Сергеевна"), ("Юрьевич", "Юрьевна"),
)
# Male forms; every ending below has a regular female form (see `_female_surname`).
_SURNAMES = (
    "Иванов", "Смирнов", "Кузнецов", "Попов", "Васильев", "Петров", "Соколов", "Михайлов", "Новиков",
    "Фёдоров", "Морозов", "Волков", "Алексеев", "Лебедев", "Семёнов", "Егоров", "Павлов", "Козлов", "Степанов",
    "Николаев", "Орлов", "Андреев", "Макаров", "Никитин", "Захаров", "Зайцев", "Соловьёв", "Борисов", "Яковлев",
    "Григорьев", "Романов", "Воробьёв", "Сергеев", "Кузьмин", "Фролов", "Александров", "Дмитриев", "Королёв",
    "Гусев", "Киселёв", "Ильин", "Максимов", "Поляков", "Сорокин", "Виноградов", "Ковалёв", "Белов", "Медведев",
    "Антонов", "Тарасов", "Жуков", "Баранов", "Филиппов", "Комаров", "Давыдов", "Беляев", "Герасимов",
    "Богданов", "Осипов", "Сидоров", "Матвеев", "Титов", "Марков", "Миронов", "Крылов", "Куликов", "Карпов",
    "Власов", "Мельников", "Денисов", "Гаврилов", "Тихонов", "Казаков", "Афанасьев", "Данилов", "Савельев",
    "Тимофеев", "Фомин", "Чернов", "Абрамов", "Мартынов", "Ефимов", "Федотов", "Щербаков", "Назаров",
    "Калинин", "Исаев", "Чернышёв", "Быков", "Маслов", "Родионов", "Коновалов", "Лазарев", "Воронин", "Климов",
    "Филатов", "Пономарёв", "Голубев", "Кудрявцев", "Прохоров", "Наумов", "Потапов", "Журавлёв", "Овчинников",
    "Трофимов", "Леонов", "Соболев", "Ермаков", "Колесников", "Гончаров", "Емельянов", "Никифоров", "Грачёв",
    "Котов", "Гришин", "Ефремов", "Архипов", "Громов", "Кириллов", "Малышев", "Панов", "Моисеев", "Румянцев",
    "Акимов", "Кондратьев", "Бирюков", "Горбунов", "Анисимов", "Ерёмин", "Тихомиров", "Галкин", "Лукьянов",
    "Михеев", "Скворцов", "Юдин", "Белоусов", "Нестеров", "Симонов", "Прокофьев", "Харитонов", "Князев",
    "Цветков", "Левин", "Митрофанов", "Воронов", "Аксёнов", "Софронов", "Мальцев", "Логинов", "Горшков",
    "Савин", "Краснов", "Майоров", "Демидов", "Елисеев", "Рыбаков", "Сафонов", "Плотников", "Дёмин", "Хохлов",
    "Жданов", "Руднев", "Маркин", "Островский", "Трубецкой", "Вишневский", "Покровский", "Толстой",
)

# District -> (centre lat, centre lon, streets). Homes are scattered within about 1.5 km of the centre, which
# stays inside each of these districts; the taxi lists group and route cars by them.
_DISTRICTS: dict[str, tuple[float, float, tuple[str, ...]]] = {
    "Черёмушки": (55.6705, 37.5560, ("ул. Профсоюзная", "ул. Наметкина", "ул. Гарибальди", "ул. Новочерёмушкинская")),
    "Марьино": (55.6520, 37.7440, ("ул. Люблинская", "ул. Братиславская", "ул. Марьинский Парк", "ул. Перерва")),
    "Митино": (55.8440, 37.3620, ("ул. Митинская", "Пятницкое ш.", "ул. Дубравная", "ул. Барышиха")),
    "Бибирево": (55.8850, 37.6040, ("ул. Пришвина", "ул. Лескова", "ул. Плещеева", "ул. Коненкова")),
    "Выхино-Жулебино": (55.7040, 37.8190, ("ул. Ферганская", "Рязанский пр-т", "ул. Генерала Кузнецова",
                                          "Лермонтовский пр-т")),
    "Хорошёво-Мнёвники": (55.7760, 37.4720, ("ул. Народного Ополчения", "ул. Маршала Тухачевского",
                                             "ул. Генерала Глаголева", "ул. Демьяна Бедного")),
}
_HOME_SPREAD_DEG = 0.012

_RATE_MIX = ((1.0, 0.45), (0.75, 0.25), (0.5, 0.30))
_STUDENT_SHARE = 1 / 3  # of the part-timers: they study until 16:00
_STUDENT_WINDOW = (17 * 60, 24 * 60)
_DAY_WINDOW_SHARE = 0.10  # of the part-timers: parents who work while the children are at school
_DAY_WINDOWS = ((8 * 60, 20 * 60), (9 * 60, 21 * 60))
_FEMALE_SHARE = 0.65
_TEAM_SIZE = 8.5
_TEAM_MIN, _TEAM_MAX = 7, 10
_WISHES_SHARE = 0.10
_UNAVAILABLE_SHARE = 0.05


def sample_operators(count: int, month: Month, rules: Rules, *, seed: int = 0) -> tuple[Operator, ...]:
    """`count` operators `op001`... with the rate mix, availability windows, teams, homes and wishes of a
    typical Moscow contact centre."""
    if not isinstance(count, int) or isinstance(count, bool) or count < 1:
        raise ValueError(f"count must be a positive integer, got {count!r}")
    for rate, _ in _RATE_MIX:
        if rate_key(rate) not in rules.contracts:
            raise ValueError(f"the rules have no contract for rate {rate_key(rate)}; the sample needs 1.0, 0.75, 0.5")
    rng = random.Random(f"operators:{seed}")
    rates = _rates(count)
    rng.shuffle(rates)
    window = _windows(rates, rules, rng)
    # Disjoint on purpose: an operator on leave has no reason to wish for days off as well.
    chosen = rng.sample(range(count), round(count * (_WISHES_SHARE + _UNAVAILABLE_SHARE)))
    with_wishes = set(chosen[: round(count * _WISHES_SHARE)])
    with_unavailable = set(chosen[round(count * _WISHES_SHARE) :])
    teams = _teams(count)
    names = _names(count, rng)
    phones = _phones(count, rng)

    operators = []
    for i in range(count):
        district = rng.choice(sorted(_DISTRICTS))
        lat, lon, streets = _DISTRICTS[district]
        unavailable = _unavailable_dates(month, rng) if i in with_unavailable else frozenset()
        wished = frozenset(rng.sample(month.days, rng.randint(1, 3))) if i in with_wishes else frozenset()
        operators.append(
            Operator(
                id=f"op{i + 1:03d}",
                name=names[i],
                rate=rates[i],
                earliest_start=window[i][0],
                latest_end=window[i][1],
                unavailable=unavailable,
                days_off_wished=wished,
                team=teams[i],
                address=_address(rng.choice(streets), rng),
                district=district,
                lat=round(lat + rng.uniform(-_HOME_SPREAD_DEG, _HOME_SPREAD_DEG), 6),
                # A degree of longitude is shorter at Moscow's latitude: the same spread in metres.
                lon=round(lon + rng.uniform(-1, 1) * _HOME_SPREAD_DEG / math.cos(math.radians(lat)), 6),
                phone=phones[i],
            )
        )
    return tuple(operators)


def _rates(count: int) -> list[float]:
    """Shares of the mix rounded by largest remainders, not drawn per operator: every sample has the mix."""
    quotas = [(rate, share * count) for rate, share in _RATE_MIX]
    counts = {rate: math.floor(quota) for rate, quota in quotas}
    by_remainder = sorted(quotas, key=lambda rq: rq[1] - math.floor(rq[1]), reverse=True)
    for rate, _ in by_remainder[: count - sum(counts.values())]:
        counts[rate] += 1
    return [rate for rate, _ in _RATE_MIX for _ in range(counts[rate])]


def _windows(rates: list[float], rules: Rules, rng: random.Random) -> list[tuple[int, int]]:
    """Whole-day availability, except for the students and the day workers among the part-timers."""
    windows = [(0, 24 * 60)] * len(rates)
    part_timers = [i for i, rate in enumerate(rates) if rate < 1]
    rng.shuffle(part_timers)
    students = round(len(part_timers) * _STUDENT_SHARE)
    day_workers = round(len(part_timers) * _DAY_WINDOW_SHARE)
    for i in part_timers[:students]:
        windows[i] = _STUDENT_WINDOW
    for i in part_timers[students : students + day_workers]:
        windows[i] = rng.choice(_DAY_WINDOWS)
    for (start, end), rate in zip(windows, rates, strict=True):
        if end - start < rules.shift_hours(rate) * 60:
            raise ValueError(f"a window {hhmm(start)}-{hhmm(end)} cannot hold a shift of rate {rate_key(rate)}")
    return windows


def _teams(count: int) -> list[str]:
    """Consecutive ids in teams of 7-10 of near-equal size; one team when no such split exists (< 7, 11-13)."""
    teams = min(max(round(count / _TEAM_SIZE), math.ceil(count / _TEAM_MAX)), max(1, count // _TEAM_MIN))
    return [f"Группа {i * teams // count + 1}" for i in range(count)]


def _names(count: int, rng: random.Random) -> list[str]:
    names: list[str] = []
    taken: set[str] = set()
    while len(names) < count:
        surname, patronymic = rng.choice(_SURNAMES), rng.choice(_PATRONYMICS)
        if rng.random() < _FEMALE_SHARE:
            name = f"{_female_surname(surname)} {rng.choice(_FEMALE_FIRST)} {patronymic[1]}"
        else:
            name = f"{surname} {rng.choice(_MALE_FIRST)} {patronymic[0]}"
        if name not in taken:
            taken.add(name)
            names.append(name)
    return names


def _female_surname(male: str) -> str:
    for ending, female in (("ский", "ская"), ("цкий", "цкая"), ("ой", "ая")):
        if male.endswith(ending):
            return male.removesuffix(ending) + female
    return male + "а"  # -ов, -ев, -ёв, -ин


def _phones(count: int, rng: random.Random) -> list[str]:
    phones: list[str] = []
    taken: set[str] = set()
    while len(phones) < count:
        digits = f"9{rng.randrange(10**9):09d}"
        phone = f"+7 {digits[:3]} {digits[3:6]}-{digits[6:8]}-{digits[8:]}"
        if phone not in taken:
            taken.add(phone)
            phones.append(phone)
    return phones


def _address(street: str, rng: random.Random) -> str:
    house = f"д. {rng.randint(1, 60)}"
    if rng.random() < 0.3:
        house += f", корп. {rng.randint(1, 4)}"
    return f"{street}, {house}, кв. {rng.randint(1, 280)}"


def _unavailable_dates(month: Month, rng: random.Random) -> frozenset[date]:
    """Either a week of leave or a few scattered exam days."""
    if rng.random() < 0.5:
        length = rng.randint(5, 7)
        first = rng.choice(month.days[: len(month.days) - length + 1])
        return frozenset(first + timedelta(days=k) for k in range(length))
    return frozenset(rng.sample(month.days, rng.randint(2, 4)))


# ---------------------------------------------------------------------------------------------------------------
# Files
# ---------------------------------------------------------------------------------------------------------------

_OPERATOR_COLUMNS = (
    "id", "name", "rate", "earliest_start", "latest_end", "unavailable", "days_off_wished",
    "team", "address", "district", "lat", "lon", "phone", "max_consecutive_days", "max_working_weekends",
    "shift_requests", "weekly_hours",
)


def write_forecast_csv(forecast: Forecast, path_or_buffer: _Target, *, excel: bool = False) -> None:
    """The contract's `interval_start,calls,aht_sec` with local times. `excel=True` writes what Excel saves in
    a Russian locale: a UTF-8 BOM, `;` between fields, decimal commas and CRLF line ends."""
    rows = [
        (moment.strftime("%Y-%m-%d %H:%M"), _number(calls, excel), _number(aht, excel))
        for moment, calls, aht in zip(forecast.month.hours, forecast.calls, forecast.aht_sec, strict=True)
    ]
    with _text_output(path_or_buffer) as out:
        if excel:
            out.write("\ufeff")
        writer = csv.writer(out, delimiter=";" if excel else ",", lineterminator="\r\n" if excel else "\n")
        writer.writerow(("interval_start", "calls", "aht_sec"))
        writer.writerows(rows)


def write_operators_csv(operators: Sequence[Operator], path_or_buffer: _Target) -> None:
    """The contract's operator columns, UTF-8: dates separated by spaces, times HH:MM with 24:00 for midnight."""
    with _text_output(path_or_buffer) as out:
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(_OPERATOR_COLUMNS)
        for op in operators:
            writer.writerow(
                (
                    safe_csv_cell(op.id), safe_csv_cell(op.name), rate_key(op.rate), hhmm(op.earliest_start),
                    hhmm(op.latest_end), _dates(op.unavailable), _dates(op.days_off_wished), safe_csv_cell(op.team),
                    safe_csv_cell(op.address), safe_csv_cell(op.district),
                    "" if op.lat is None else _number(op.lat), "" if op.lon is None else _number(op.lon),
                    safe_csv_cell(op.phone),
                    _optional(op.max_consecutive_days), _optional(op.max_working_weekends),
                    " ".join(map(str, sorted(op.shift_requests))),
                    weekly_hours_text(op.weekly_hours),
                )
            )


def write_sample_month(
    directory: str | PathLike[str], month: Month, operators_count: int, rules: Rules, seed: int
) -> tuple[Path, Path, Path]:
    """Write `forecast-YYYY-MM.csv`, its Excel-style twin `forecast-YYYY-MM-excel.csv` and
    `operators-YYYY-MM.csv` into `directory` (created if missing); return their paths in that order."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    forecast = sample_forecast(month, seed=seed)
    paths = (
        directory / f"forecast-{month.label}.csv",
        directory / f"forecast-{month.label}-excel.csv",
        directory / f"operators-{month.label}.csv",
    )
    write_forecast_csv(forecast, paths[0])
    write_forecast_csv(forecast, paths[1], excel=True)
    write_operators_csv(sample_operators(operators_count, month, rules, seed=seed), paths[2])
    return paths


@contextmanager
def _text_output(target: _Target) -> Iterator[TextIO]:
    if isinstance(target, str | PathLike):
        # newline="" leaves the line ends to the csv writer, so CRLF stays CRLF on every platform.
        with open(target, "w", encoding="utf-8", newline="") as out:
            yield out
    else:
        yield target


def _number(value: float, excel: bool = False) -> str:
    text = f"{value:.6f}".rstrip("0").rstrip(".")
    return text.replace(".", ",") if excel else text


def _dates(days: frozenset[date]) -> str:
    return " ".join(day.isoformat() for day in sorted(days))


def weekly_hours_text(hours: Sequence[WeeklyHours]) -> str:
    """`mon-fri 17:00-24:00, sat 10:00-22:00`: the weekly_hours cell, running days of the same hours joined."""
    runs: list[list[WeeklyHours]] = []
    for day in sorted(hours):
        last = runs[-1][-1] if runs else None
        if last is not None and day.weekday == last.weekday + 1 and \
                (day.earliest_start, day.latest_end) == (last.earliest_start, last.latest_end):
            runs[-1].append(day)
        else:
            runs.append([day])
    return ", ".join(
        f"{WEEKDAYS[run[0].weekday]}{'-' + WEEKDAYS[run[-1].weekday] if len(run) > 1 else ''} "
        f"{hhmm(run[0].earliest_start)}-{hhmm(run[0].latest_end)}" for run in runs)


def _optional(value: int | None) -> str:
    return "" if value is None else str(value)


def _require_positive(name: str, value: float) -> None:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value) or value <= 0:
        raise ValueError(f"{name} must be a positive number, got {value!r}")
