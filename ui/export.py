"""The export page (being written)."""

import streamlit as st

from ui import state


def page() -> None:
    st.header(state.t()("Export"))
