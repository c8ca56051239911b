"""The history page: a call history uploaded, its backtest and forecast shown, the forecast accepted as the month's
forecast and stored like an upload; a rejected history lists its problems."""

from __future__ import annotations

import math
from datetime import date, timedelta

import pytest
from ui_pages import open_page, seed_small_month

from ui.history import ACCEPT, TARGET, UPLOAD

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
def store(tmp_path, monkeypatch):
    monkeypatch.delenv("PLANNER_DATABASE_URL", raising=False)
    monkeypatch.setenv("PLANNER_DB_PATH", str(tmp_path / "planner.db"))
    with seed_small_month(tmp_path / "planner.db") as opened:
        yield opened


def test_a_history_gives_a_backtest_a_forecast_and_can_be_accepted(store):
    at = open_page("history")
    at.file_uploader(key=UPLOAD).set_value(("history.csv", history_csv(), "text/csv")).run()
    assert not at.exception
    assert at.text_input(key=TARGET).value == "2026-03"
    backtest = next(frame.value for frame in at.dataframe if "hourly WAPE" in frame.value.columns)
    assert list(backtest["method"]) == ["model", "seasonal naive", "4-week profile"]
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
