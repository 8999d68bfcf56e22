"""The sidebar on every page: the company, who you are, undo and the latest changes."""

from __future__ import annotations

import streamlit as st

from pages._access import account_sidebar, why_not
from pages._workspace import author, flash, switch_company, undo, workbench
from sop_core.base.errors import InputError
from sop_core.base.text import md_escape, plural
from sop_core.process.workspace import WorkspaceState, action_lines
from sop_core.services import companies


def _switch() -> None:
    switch_company(st.session_state.sidebar_company)


def _new_company() -> None:
    ss = st.session_state
    name = (ss.get("sidebar_new_name") or "").strip()
    copy = ss.get("sidebar_new_from") == "A copy of this company" and ss.get("scenario")
    try:
        companies.start_company(
            workbench(),
            name,
            author=author(),
            copy_of=ss.scenario if copy else None,
            copied_from=ss.company,
        )
    except InputError as exc:
        flash("error", "\n".join(md_escape(p) for p in exc.problems))
        return
    switch_company(name)
    flash("success", f"Started {md_escape(name)}.")


def company_sidebar(ws: WorkspaceState) -> None:
    """Draw the sidebar for the company ``ws``."""
    wb = workbench()
    names = companies.company_names(wb)
    if st.session_state.get("sidebar_company") != ws.name:
        # the company changed elsewhere (New…, an import, a link): set the selector to the
        # company shown (set, not defaulted, so that the browser shows it too)
        st.session_state.sidebar_company = ws.name
    st.selectbox("Company", names, key="sidebar_company", on_change=_switch)
    scenario = st.session_state.get("scenario")
    if scenario is not None:
        periods = scenario.period_labels
        st.caption(
            f"Plan: **{md_escape(scenario.name)}** · {len(scenario.families)} families · "
            f"{len(periods)} periods "
            f"({md_escape(periods[0])} – {md_escape(periods[-1])})"
        )
    upload = ws.history_upload
    st.caption(f"History: {md_escape(upload['name'])}" if upload else "No sales history yet")
    if ws.whatifs:
        st.caption(f"{plural(len(ws.whatifs), 'what-if')} kept")
    account_sidebar()
    changes = companies.latest_changes(wb, ws.name, limit=60)
    c1, c2 = st.columns(2)
    c1.button(
        "Undo",
        icon=":material/undo:",
        on_click=undo,
        disabled=not changes,
        help="Undo the newest change to this company (again to go further back)",
        key="sidebar_undo",
    )
    with c2.popover("New…", icon=":material/add_business:"):
        locked = why_not("company")
        st.text_input("Company name", key="sidebar_new_name", disabled=bool(locked))
        st.radio(
            "Start with",
            ["Nothing", "A copy of this company"],
            key="sidebar_new_from",
            disabled=bool(locked),
        )
        st.button(
            "Start the company",
            on_click=_new_company,
            key="sidebar_new_go",
            disabled=bool(locked),
            help=locked,
        )
        if locked:
            st.caption(f":material/lock: {locked}")
    if changes:
        with st.expander("Latest changes"):
            for c, summary in action_lines(changes):  # one line per action
                st.caption(
                    f"{c.created_at:%d %b %H:%M} · {md_escape(c.author)}: {md_escape(summary)}"
                )
