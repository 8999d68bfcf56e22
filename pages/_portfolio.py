"""The launches and phase-outs as the demand review lists them (Demand and Cycle pages,
and the Launches page itself)."""

from __future__ import annotations

import streamlit as st

from pages._workspace import workbench
from sop_core.base.errors import InputError
from sop_core.services import portfolio

PAGE = "pages/launches.py"


def portfolio_review(
    company: str,
    *,
    link: bool = True,
    empty: str | None = None,
    caption: str | None = None,
    key: str | None = None,
) -> bool:
    """The company's launches and phase-outs, one row each with its assumptions in words,
    under ``caption``; ``link``: to the page where product development keeps them;
    ``empty``: a caption when there are none (default nothing). Returns whether there
    are any."""
    try:
        table = portfolio.portfolio(workbench(), company)
    except InputError:  # the company cannot be planned yet: nothing to list
        return False
    if table.empty:
        if empty:
            st.caption(empty)
        return False
    if caption:
        st.caption(caption)
    st.dataframe(table, hide_index=True, placeholder="", key=key)
    if link:
        st.page_link(PAGE, label="Launches and phase-outs", icon=":material/rocket_launch:")
    return True
