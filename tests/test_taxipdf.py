import io
from datetime import date, datetime

from pypdf import PdfReader

from planner.domain import Operator
from planner.month import Month
from planner.taxi import NO_ADDRESS, Ride
from planner.taxipdf import taxi_pdf

TZ = Month(2026, 12, "Europe/Moscow").tz


def _ride(night: date, end: datetime, car: int, stop: int, name: str, flag: str = "", **fields) -> Ride:
    operator = Operator(id=name.split()[0].lower(), name=name, rate=1.0, **fields)
    return Ride(night, end.replace(tzinfo=TZ), car, stop, operator, flag)


def _pages(pdf: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]


def test_one_page_per_night_with_cyrillic_names_phones_addresses_and_drop_off_order():
    first, second = date(2026, 12, 5), date(2026, 12, 6)
    rides = [
        _ride(first, datetime(2026, 12, 5, 23, 0), 1, 1, "Щукина Ёлка Юрьевна", phone="+7 912 345-67-89",
              address="ул. Генерала Кузнецова, д. 54, кв. 123", district="Выхино-Жулебино"),
        _ride(first, datetime(2026, 12, 5, 23, 0), 1, 2, "Артёмов Пётр Ильич", address="ул. Перерва, д. 60"),
        _ride(first, datetime(2026, 12, 6, 1, 0), 2, 1, "Безадресная Мария", flag=NO_ADDRESS),
        _ride(second, datetime(2026, 12, 7, 0, 0), 1, 1, "Жуков Эдуард"),
    ]

    pages = _pages(taxi_pdf(rides, "Москва, Тверская ул., 7"))

    assert len(pages) == 2
    night, other = pages
    assert "Такси — ночь 05.12.2026, суббота" in night and "Такси — ночь 06.12.2026" in other
    for text in ("Щукина Ёлка Юрьевна", "Артёмов Пётр Ильич", "ул. Генерала Кузнецова", "Москва, Тверская ул., 7",
                 "Конец смены 23:00: 2 чел., 1 машина", "Конец смены 01:00 (06.12): 1 чел., 1 машина",
                 "Всего 3 чел., 2 машины", "адрес не указан — уточнить"):
        assert text in night
    assert "345-67-89" in night
    assert night.index("Щукина") < night.index("Артёмов") < night.index("Безадресная")
    assert "Жуков Эдуард" in other and "Щукина" not in other


def test_a_long_night_continues_on_the_next_page():
    rides = [_ride(date(2026, 12, 5), datetime(2026, 12, 6, 0, 0), 1 + i // 4, 1 + i % 4, f"Оператор{i:02d} Тест",
                   address="ул. Маршала Тухачевского, д. 41, корп. 1, кв. 208 — подъезд со двора")
             for i in range(60)]

    pages = _pages(taxi_pdf(rides))

    assert len(pages) > 1
    assert all(f"Оператор{i:02d}" in "".join(pages) for i in range(60))


def test_no_rides_make_a_page_that_says_so():
    (page,) = _pages(taxi_pdf([]))
    assert "поездок нет" in page
