from pathlib import Path

from streamlit.testing.v1 import AppTest

APP = str(Path(__file__).resolve().parent.parent / "app.py")


def test_page_opens_on_the_sample_month():
    at = AppTest.from_file(APP, default_timeout=60).run()
    assert not at.exception
    assert "2026-12" in at.caption[0].value
    metrics = {metric.label: metric.value for metric in at.metric}
    assert metrics["Required agent-hours"] == "18,695"
    assert int(metrics["Peak operators needed"]) <= 70
