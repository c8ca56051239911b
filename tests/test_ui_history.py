"""The history page: a call history uploaded, its backtest and forecast shown, the forecast accepted as the month's
forecast and stored like an upload; a rejected history lists its problems."""

from __future__ import annotations

import math
from datetime import date, timedelta

import pytest

from helpers.ui_pages import open_page
from ui.history import ACCEPT, COLUMNS, GAPS, IGNORE_OFFSETS, TARGET, UPLOAD

START = date(2026, 1, 5)  # a Monday; ten weeks up to mid-March


def history_csv(weeks: int = 10) -> bytes:
    lines = ["interval_start,calls"]
    for offset in range(weeks * 7):
        day = START + timedelta(days=offset)
        weekday_factor = 0.6 if day.weekday() >= 5 else 1.0
        for hour in range(24):
            calls = 5 + 40 * weekday_factor * max(0.0, math.sin(math.pi * (hour - 6) / 16))
            lines.append(f"{day} {hour:02d}:00,{calls:.0f}")
    return ("\n".join(lines) + "\n").encode()


@pytest.fixture
def store(small_month_store):
    return small_month_store


def test_a_history_gives_a_backtest_a_forecast_and_can_be_accepted(store):
    at = open_page("history")
    at.file_uploader(key=UPLOAD).set_value(("history.csv", history_csv(), "text/csv")).run()
    assert not at.exception
    assert at.text_input(key=TARGET).value == "2026-03"
    backtest = next(frame.value for frame in at.dataframe if "hourly WAPE" in frame.value.columns)
    assert list(backtest["method"]) == ["model", "seasonal naive", "4-week profile"]
    by_weekday = next(frame.value for frame in at.dataframe if "weekday" in frame.value.columns)
    by_hour = next(frame.value for frame in at.dataframe if "hour" in frame.value.columns)
    assert len(by_weekday) == 7 and len(by_hour) == 24
    assert any("days from 2026-01-05" in caption.value for caption in at.caption)
    at.button(key=ACCEPT).click().run()
    stored = store.latest_forecast("2026-03")
    assert stored is not None and stored.filename == "forecast-2026-03.csv" and stored.uploaded_by == "anna"
    assert at.session_state["month"] == "2026-03"


def test_a_rejected_history_lists_its_problems(store):
    at = open_page("history")
    at.file_uploader(key=UPLOAD).set_value(("bad.csv", b"interval_start,calls\n2026-01-05 00:00,-3\n",
                                            "text/csv")).run()
    assert not at.exception
    assert "bad.csv was rejected" in at.error[0].value and "Line 2, field `calls`" in at.error[0].value


def bank_shaped_csv(weeks: int = 11) -> bytes:
    """Laid out like the bank data of the benchmark: `DateTime` with a `Z` that is really local time, `Calls`,
    5-minute rows on weekdays 07:00-21:00 only."""
    lines = ["rownames,DateTime,Calls"]
    for offset in range(weeks * 7):
        day = START + timedelta(days=offset)
        if day.weekday() >= 5:
            continue
        for minute in range(7 * 60, 21 * 60, 5):
            lines.append(f"{len(lines)},{day}T{minute // 60:02d}:{minute % 60:02d}:00Z,{10 + minute % 7}")
    return ("\n".join(lines) + "\n").encode()


def test_a_bank_shaped_history_is_read_with_renamed_columns_and_closed_nights(store):
    at = open_page("history")
    at.file_uploader(key=UPLOAD).set_value(("bank.csv", bank_shaped_csv(), "text/csv"))
    at.radio(key=GAPS).set_value("closed")
    at.text_input(key=COLUMNS).input("interval_start=DateTime")
    at.checkbox(key=IGNORE_OFFSETS).check().run()
    assert not at.exception and not at.error
    assert any("closed (0 calls" in caption.value for caption in at.caption)
    assert next(frame.value for frame in at.dataframe if "hourly WAPE" in frame.value.columns) is not None


def test_a_history_too_short_for_the_backtest_still_gives_the_forecast(store):
    at = open_page("history")
    at.file_uploader(key=UPLOAD).set_value(("short.csv", history_csv(weeks=6), "text/csv")).run()
    assert not at.exception
    assert "backtest over 8 weeks needs" in at.warning[0].value
    assert at.button(key=ACCEPT) is not None
