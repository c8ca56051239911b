"""The page shell: it opens on the sample month seeded into an empty database, in the rules' language, with one
navigation entry per page. Each page's own logic is tested in tests/test_ui_<page>.py."""

import tomllib
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

APP = str(Path(__file__).resolve().parent.parent / "app.py")


@pytest.fixture
def app(tmp_path, monkeypatch) -> AppTest:
    monkeypatch.delenv("PLANNER_DATABASE_URL", raising=False)
    monkeypatch.setenv("PLANNER_DB_PATH", str(tmp_path / "planner.db"))
    monkeypatch.setenv("PLANNER_OPEN", "1")  # as `make run` starts it
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


def test_make_run_opens_the_page_without_accounts_on_this_computer_only():
    # Issue 15, item 2: the open mode is asked for by `make run`, which then listens on 127.0.0.1 alone.
    recipe = (Path(APP).parent / "Makefile").read_text(encoding="utf-8").split("\nrun:")[1].split("\n\n")[0]
    assert "PLANNER_OPEN=1" in recipe and "--server.address 127.0.0.1" in recipe


def test_streamlit_shows_users_no_developer_menu_sends_no_statistics_and_bounds_uploads():
    # Issue 15, item 14: what `streamlit run app.py` reads from the repository's .streamlit/config.toml.
    config = tomllib.loads((Path(APP).parent / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert config["client"] == {"toolbarMode": "minimal", "showErrorDetails": "type"}
    assert config["browser"]["gatherUsageStats"] is False
    assert 0 < config["server"]["maxUploadSize"] <= 50


def test_tables_offer_no_download_of_their_own(app):
    # Issue 15, item 12: the dataframe toolbar's CSV download bypassed the audit log and the formula guard.
    app.run()
    assert not app.exception
    assert st.get_option("client.disableDataExport") is True
