"""Streamlit entry: the planner's page. Thin by design — every figure comes from the core (`planner.*`).

This first page shows a month's forecast and the operators it needs; solving and editing the roster in the page
come with the page issue. `make run` opens it on the shipped sample month.
"""

from pathlib import Path

import pandas as pd
import streamlit as st

from planner.config import load_rules
from planner.errors import InputError
from planner.forecast import parse_forecast
from planner.staffing import staffing_plan

ROOT = Path(__file__).resolve().parent
SAMPLE = ROOT / "forecasts" / "forecast-2026-12.csv"

st.set_page_config(page_title="Shift planner", layout="wide")
st.title("Shift planner — forecast and staffing")

rules = load_rules(ROOT / "constraints.yaml")
upload = st.file_uploader("Forecast CSV (interval_start or date+hour, calls, aht_sec)", type=["csv"], key="forecast")
name, data = (upload.name, upload.getvalue()) if upload else (SAMPLE.name, SAMPLE.read_bytes())

try:
    forecast = parse_forecast(data, name, rules)
except InputError as error:
    st.error(f"{name} was rejected, nothing was imported:")
    st.code("\n".join(str(problem) for problem in error.problems))
    st.stop()

plan = staffing_plan(forecast, rules)
table = pd.DataFrame(
    {
        "hour": [moment.strftime("%Y-%m-%d %H:%M") for moment in forecast.month.hours],
        "calls": forecast.calls,
        "required": plan.required,
    }
)
st.caption(f"{name} — {forecast.month.label}, {rules.centre.timezone}")
left, middle, right = st.columns(3)
left.metric("Calls in the month", f"{sum(forecast.calls):,.0f}")
middle.metric("Required agent-hours", f"{plan.required_agent_hours:,}")
right.metric("Peak operators needed", max(plan.required))
st.line_chart(table.set_index("hour")[["required"]], height=300)
st.dataframe(table, hide_index=True, key="staffing_table")
