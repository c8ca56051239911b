"""The forecast page (the app's default page, run through app.py with its sidebar): an upload is stored and
shown as totals and two heat maps, an upload of another month moves the sidebar there, and a rejected file lists
every problem by line and field while nothing is stored."""

from __future__ import annotations

import json

import pytest
from streamlit.testing.v1 import AppTest

from helpers.ui_pages import APP, forecast_csv
from planner.month import Month
from ui.forecast import UPLOAD

MARCH = Month(2026, 3, "Europe/Moscow", "RU")


@pytest.fixture
def store(small_month_store):
    return small_month_store


@pytest.fixture
def app(store, monkeypatch) -> AppTest:
    monkeypatch.setenv("PLANNER_OPEN", "1")  # no accounts: a planner, as `make run` opens it
    at = AppTest.from_file(APP, default_timeout=60)
    at.session_state["language"] = "en"
    return at.run()


def _heat_map_fields(at: AppTest) -> list[str]:
    return [json.loads(chart.proto.spec)["encoding"]["color"]["field"] for chart in at.get("vega_lite_chart")]


def test_the_month_shows_its_totals_heat_maps_and_capacity_warning(app, store):
    assert not app.exception
    plan_calls = sum(store.latest_forecast("2026-02").forecast.calls)
    metrics = {metric.label: metric.value for metric in app.metric}
    assert metrics["Calls in the month"] == f"{round(plan_calls):,}"
    assert int(metrics["Peak operators required"]) >= 2
    assert _heat_map_fields(app) == ["calls", "required"]
    # 12 operators cannot cover a month scaled for more: the capacity check says so in plain words.
    assert any("agent-hours are required" in warning.value for warning in app.warning)


def test_an_upload_of_another_month_is_stored_and_the_sidebar_moves_to_it(app, store):
    app.file_uploader(key=UPLOAD).set_value(("march.csv", forecast_csv(MARCH), "text/csv"))
    app.run()

    assert not app.exception
    assert store.months() == ("2026-03", "2026-02")
    assert store.latest_forecast("2026-03").filename == "march.csv"
    assert app.sidebar.selectbox(key="month").value == "2026-03"
    assert "2026-03" in app.success[0].value
    assert _heat_map_fields(app) == ["calls", "required"]


def test_a_rejected_file_lists_every_problem_by_line_and_field_and_stores_nothing(app, store):
    before = store.latest_forecast("2026-02").id
    lines = forecast_csv().decode().splitlines()
    lines[3] = lines[3].rsplit(",", 2)[0] + ",many,300"  # data line 4: calls is not a number
    lines[9] = lines[9].rsplit(",", 2)[0] + ",-5,300"  # line 10: negative calls
    bad = ("\n".join(lines) + "\n").encode()

    app.file_uploader(key=UPLOAD).set_value(("bad.csv", bad, "text/csv"))
    app.run()

    assert not app.exception
    [error] = app.error
    assert "Line 4, field `calls`" in error.value and "Line 10, field `calls`" in error.value
    assert store.latest_forecast("2026-02").id == before
    assert store.months() == ("2026-02",)
    assert app.sidebar.selectbox(key="month").value == "2026-02"


def test_the_page_speaks_russian(app):
    app.sidebar.selectbox(key="language").set_value("ru").run()
    assert app.header[0].value == "Прогноз"
    assert "Звонков за месяц" in [metric.label for metric in app.metric]
