"""Streamlit entry: the planner's pages. Thin by design — every figure comes from the core (`planner.*`), every
page lives in `ui/`, and all work is kept in the database (`planner.store`). `make run` opens it on the sample
month, seeded into the database on the first start."""

import streamlit as st

from planner.i18n import PAGES, available_languages
from ui import breaks, export, forecast, operators, roster, rules, state, taxi

st.set_page_config(page_title="Shift planner", layout="wide")

t = state.t()
state.month()  # the latest stored month until the planner picks another
with st.sidebar:
    st.selectbox(t("Language"), available_languages(), key="language",
                 format_func=lambda code: {"ru": "Русский", "en": "English"}[code])
    st.selectbox(t("Month"), state.store().months(), key="month")

pages = [
    st.Page(page, title=t(PAGES[name]), url_path=name, default=name == "forecast")
    for name, page in (
        ("forecast", forecast.page),
        ("operators", operators.page),
        ("rules", rules.page),
        ("roster", roster.page),
        ("breaks", breaks.page),
        ("taxi", taxi.page),
        ("export", export.page),
    )
]
st.navigation(pages).run()
