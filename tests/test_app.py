"""The page shell: it opens on the sample month seeded into an empty database, in the rules' language, with one
navigation entry per page. Each page's own logic is tested in tests/test_ui_<page>.py."""

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

APP = str(Path(__file__).resolve().parent.parent / "app.py")


@pytest.fixture
def app(tmp_path, monkeypatch) -> AppTest:
    monkeypatch.delenv("PLANNER_DATABASE_URL", raising=False)
    monkeypatch.setenv("PLANNER_DB_PATH", str(tmp_path / "planner.db"))
    return AppTest.from_file(APP, default_timeout=60)


def test_first_start_seeds_the_sample_month_and_opens_in_russian(app):
    app.run()
    assert not app.exception
    assert app.sidebar.selectbox(key="month").value == "2026-12"
    assert app.sidebar.selectbox(key="language").value == "ru"
    assert app.header[0].value == "Прогноз"


def test_the_language_switch_changes_the_page(app):
    app.run()
    app.sidebar.selectbox(key="language").set_value("en").run()
    assert not app.exception
    assert app.header[0].value == "Forecast"
