"""The meeting pack on a page: build the PDF and Excel pack of the plan shown, with a
progress indicator, then offer both as downloads (kept in the session until the plan or
its inputs change)."""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd
import streamlit as st

from pages._workspace import state, workbench
from sop_core.engine.planner import PlanResult
from sop_core.model.scenario import Scenario
from sop_core.reports.exports import slug
from sop_core.services.pack import build_pack


def meeting_pack_section(
    scenario: Scenario,
    result: PlanResult,
    *,
    plan_name: str,
    alternatives: Mapping[str, PlanResult],
    title: str,
    decisions: pd.DataFrame | None = None,
    assumptions: pd.DataFrame | None = None,
    demand_review_signed_off: bool = True,
    past_plans: pd.DataFrame | None = None,
    actuals: pd.DataFrame | None = None,
    fva: pd.DataFrame | None = None,
    key: str = "pack",
) -> None:
    """A "Build the meeting pack" button, its progress, and the two downloads."""
    st.subheader("Meeting pack")
    budget = state().business_plan
    st.caption(
        "One PDF for the meeting (summary, balance chart, scenarios compared, gap to the "
        "business plan, exceptions, decisions and assumptions, a sheet per family) and the "
        "same tables as an Excel workbook."
        + (
            ""
            if not budget.empty
            else " Enter the business plan on the Executive page to include the gap."
        )
    )
    fingerprint = (
        title,
        plan_name,
        result.total_cost,
        tuple((k, v.total_cost) for k, v in alternatives.items()),
        state().revision,
        0 if decisions is None else len(decisions),
        0 if assumptions is None else len(assumptions),
        None if fva is None else len(fva),
    )
    if st.button("Build the meeting pack", icon=":material/picture_as_pdf:", key=f"{key}_go"):
        with st.status("Building the meeting pack…", expanded=True) as status:
            bar = st.progress(0.0)

            def progress(done: int, total: int, what: str) -> None:
                bar.progress(done / max(total, 1), text=f"{done}/{total} · {what}")

            pack = build_pack(
                workbench(),
                state().name,
                scenario,
                result,
                title=title,
                plan_name=plan_name,
                alternatives=alternatives,
                decisions=decisions,
                assumptions=assumptions,
                demand_review_signed_off=demand_review_signed_off,
                past_plans=past_plans,
                actuals=actuals,
                fva=fva,
                progress=progress,
            )
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
