"""The meeting pack on a page: build the PDF and Excel pack (a service does it: the
month's pack on the Cycle page, the plan shown on the Executive page), with a progress
indicator, then offer both as downloads (kept in the session until what it is built
from changes)."""

from __future__ import annotations

from collections.abc import Callable, Hashable

import streamlit as st

from pages._workspace import state
from sop_core.reports.exports import slug
from sop_core.services.pack import Pack


def meeting_pack_section(
    build: Callable[[Callable[[int, int, str], None]], Pack],
    *,
    title: str,
    fingerprint: Hashable,
    key: str = "pack",
) -> None:
    """A "Build the meeting pack" button, its progress, and the two downloads.
    ``build(progress)`` builds the pack (a service); the downloads stay offered while
    ``fingerprint`` (what the pack is built from) stays the same."""
    st.subheader("Meeting pack")
    budget = state().business_plan
    st.caption(
        "One PDF for the meeting (the decision on page 1, the balance chart, the "
        "scorecard, scenarios compared, the gap to the business plan, exceptions ranked by "
        "money at stake, decisions and assumptions, a page per family) and the same tables "
        "as an Excel workbook."
        + (
            ""
            if not budget.empty
            else " Enter the business plan on the Executive page to include the gap."
        )
    )
    fingerprint = (title, fingerprint, state().revision)
    if st.button("Build the meeting pack", icon=":material/picture_as_pdf:", key=f"{key}_go"):
        with st.status("Building the meeting pack…", expanded=True) as status:
            bar = st.progress(0.0)

            def progress(done: int, total: int, what: str) -> None:
                bar.progress(done / max(total, 1), text=f"{done}/{total} · {what}")

            pack = build(progress)
            status.update(label=f"Meeting pack ready: {pack.sections} sections", state="complete")
        st.session_state[key] = (fingerprint, pack.pdf, pack.excel)
    held_pack = st.session_state.get(key)
    if held_pack is None or held_pack[0] != fingerprint:
        return
    _, pdf, book = held_pack
    stem = slug(f"{title} {state().name}") or "meeting_pack"
    d1, d2 = st.columns(2)
    d1.download_button(
        "Download the pack (PDF)",
        pdf,
        f"{stem}.pdf",
        "application/pdf",
        icon=":material/download:",
        key=f"{key}_pdf",
    )
    d2.download_button(
        "Download its tables (Excel)",
        book,
        f"{stem}.xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        icon=":material/download:",
        key=f"{key}_xlsx",
    )
