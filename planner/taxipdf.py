"""The printable taxi list: one A4 page per night for the duty supervisor, in Russian.

Each night starts a new page (a long night continues on the next one, headings repeated): the end-time groups
in order, and in each a table of cars with their riders in drop-off order, phone, address and district, plus
an empty column to tick who got in. DejaVu Sans, shipped in `planner/fonts` with its licence, prints Cyrillic.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from itertools import groupby
from pathlib import Path

from fpdf import FPDF, FontFace

from planner.taxi import NO_ADDRESS, UNKNOWN_OPERATOR, Ride

__all__ = ["taxi_pdf"]

_FONTS = Path(__file__).resolve().parent / "fonts"
_FAMILY = "DejaVuSans"
_WEEKDAYS = ("понедельник", "вторник", "среда", "четверг", "пятница", "суббота", "воскресенье")
# Columns in millimetres, summing to the printable width of A4 portrait with 12 mm margins (186 mm).
_COLUMNS = (("Авто", 11), ("№", 7), ("ФИО", 48), ("Телефон", 32), ("Адрес", 56), ("Район", 24), ("✓", 8))
_MARGIN = 12
# A phone number on one line; a district such as Хорошёво-Мнёвники may break after its hyphen, not mid-word.
_NO_BREAK, _MAY_BREAK = "\u00a0", "\u200b"
_HEADINGS = FontFace(emphasis="B", fill_color=(225, 225, 225))
_FLAG = FontFace(emphasis="B", color=(170, 0, 0))
_CAR = FontFace(emphasis="B", size_pt=12)
_FLAGS_IN_RUSSIAN = {NO_ADDRESS: "адрес не указан — уточнить", UNKNOWN_OPERATOR: "нет в файле операторов — уточнить"}


class _Sheet(FPDF):
    def __init__(self) -> None:
        super().__init__(orientation="portrait", unit="mm", format="A4")
        self.add_font(_FAMILY, "", _FONTS / "DejaVuSans.ttf")
        self.add_font(_FAMILY, "B", _FONTS / "DejaVuSans-Bold.ttf")
        self.set_margins(_MARGIN, _MARGIN, _MARGIN)
        self.set_auto_page_break(True, margin=_MARGIN + 6)
        self.footer_text = ""

    def footer(self) -> None:
        self.set_y(-_MARGIN - 2)
        self.set_font(_FAMILY, "", 8)
        self.cell(0, 4, f"{self.footer_text}   ·   стр. {self.page_no()}", align="C")


def taxi_pdf(rides: Sequence[Ride], office_address: str = "") -> bytes:
    """The PDF of these rides (already sorted by night, end time, car and stop, as `taxi_rides` returns them)."""
    sheet = _Sheet()
    if not rides:
        sheet.add_page()
        sheet.set_font(_FAMILY, "B", 16)
        sheet.cell(0, 10, "Такси: поездок нет / no taxi rides", new_x="LMARGIN", new_y="NEXT")
    for night, night_rides in groupby(rides, key=lambda ride: ride.night):
        _night_page(sheet, night, list(night_rides), office_address)
    return bytes(sheet.output())


def _night_page(sheet: _Sheet, night: date, rides: list[Ride], office_address: str) -> None:
    sheet.footer_text = f"Такси — ночь {night:%d.%m.%Y}"
    sheet.add_page()
    sheet.set_font(_FAMILY, "B", 16)
    sheet.cell(0, 9, f"Такси — ночь {night:%d.%m.%Y}, {_WEEKDAYS[night.weekday()]}", new_x="LMARGIN", new_y="NEXT")
    sheet.set_font(_FAMILY, "", 10)
    cars = len({ride.car for ride in rides})
    summary = f"Смены, начавшиеся {night:%d.%m}. Всего {len(rides)} чел., {cars} {_cars_word(cars)}."
    sheet.cell(0, 5.5, summary + (f" Отъезд от офиса: {office_address}." if office_address else ""),
               new_x="LMARGIN", new_y="NEXT")
    sheet.set_text_color(90)
    sheet.cell(0, 5.5, f"Taxi list, night of {night.isoformat()}: cars from the office, riders in drop-off order.",
               new_x="LMARGIN", new_y="NEXT")
    sheet.set_text_color(0)
    for end_time, group in groupby(rides, key=lambda ride: ride.end_time):
        _end_time_table(sheet, night, end_time.date(), f"{end_time:%H:%M}", list(group))


# A group's heading, the column headings and its first car (up to four riders of two lines): kept on one page,
# so a heading never ends a page alone.
_GROUP_START_MM = 7 + 3 + 9 + 4 * 9.6


def _end_time_table(sheet: _Sheet, night: date, end_day: date, end_clock: str, rides: list[Ride]) -> None:
    if sheet.will_page_break(_GROUP_START_MM):
        sheet.add_page()
    sheet.ln(3)
    sheet.set_font(_FAMILY, "B", 12)
    day_note = "" if end_day == night else f" ({end_day:%d.%m})"
    cars = len({ride.car for ride in rides})
    sheet.cell(0, 7, f"Конец смены {end_clock}{day_note}: {len(rides)} чел., {cars} {_cars_word(cars)}",
               new_x="LMARGIN", new_y="NEXT")
    sheet.set_font(_FAMILY, "", 9)
    with sheet.table(col_widths=tuple(width for _, width in _COLUMNS), width=sum(width for _, width in _COLUMNS),
                     align="LEFT", text_align="LEFT", v_align="MIDDLE", headings_style=_HEADINGS,
                     line_height=4.2, padding=(1, 1.2), repeat_headings=1) as table:
        heading = table.row()
        for title, _ in _COLUMNS:
            heading.cell(title)
        for car, car_rides in groupby(rides, key=lambda ride: ride.car):
            riders = list(car_rides)
            for ride in riders:
                row = table.row()
                if ride.stop == 1:
                    row.cell(str(car), align="CENTER", style=_CAR, rowspan=len(riders))
                op = ride.operator
                row.cell(str(ride.stop), align="CENTER")
                row.cell(op.name or op.id)
                row.cell(op.phone.replace(" ", _NO_BREAK))
                flag = _FLAGS_IN_RUSSIAN.get(ride.flag, ride.flag)
                row.cell(" — ".join(filter(None, (op.address, flag))), style=_FLAG if flag else None)
                row.cell(op.district.replace("-", "-" + _MAY_BREAK))
                row.cell("")


def _cars_word(count: int) -> str:
    """Russian plural of 'машина' for a count: 1 машина, 2 машины, 5 машин."""
    if count % 10 == 1 and count % 100 != 11:
        return "машина"
    if 2 <= count % 10 <= 4 and not 12 <= count % 100 <= 14:
        return "машины"
    return "машин"
