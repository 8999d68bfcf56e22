"""The Executive page's "Business plan" section: upload the annual budget, see the plan's
gap to it in units and money, and the exceptions for the meeting.

The business plan lives in this session only (``st.session_state["business_plan"]``: the
file's name and its validated frame); it will be stored with the monthly cycles.
"""

from __future__ import annotations

import altair as alt
import pandas as pd
import streamlit as st

from pages._common import show_input_error
from sop_core.business_plan import (
    annual_gap,
    budget_gap,
    business_plan_template,
    meeting_exceptions,
    plan_money,
    read_business_plan,
    write_business_plan,
)
from sop_core.errors import InputError
from sop_core.kpis import money, units
from sop_core.planner import PlanResult
from sop_core.scenario import Scenario
from sop_core.text import md_escape

KIND_NAMES = {
    "demand_review_open": "Demand review open",
    "below_budget": "Below budget",
    "stock_above_target": "Stock above target",
    "resource_over_capacity": "Resource over 100 %",
    "not_in_budget": "Not in the budget",
}


def business_plan_section(scenario: Scenario, result: PlanResult) -> None:
    """Upload, template, the gap to the business plan and the exceptions of ``result``
    (the plan of ``scenario`` shown above it)."""
    st.subheader("Business plan")
    st.caption(
        "The annual budget per family and month, in units and revenue. Kept in this "
        "session only: it will be stored with the monthly S&OP cycles; upload it again "
        "in a new session."
    )
    upload_step(scenario)
    held = st.session_state.get("business_plan")
    if held is None:
        return
    name, budget = held
    money_frame = plan_money(scenario, result)
    gap = budget_gap(money_frame, budget)
    st.markdown(f"Compared with **{md_escape(name)}** ({len(budget):,} rows).")
    if gap.empty:
        st.warning(
            "The business plan has no family and month in common with this plan "
            f"({md_escape(scenario.period_labels[0])} – {md_escape(scenario.period_labels[-1])}"
            f", families {', '.join(md_escape(n) for n in scenario.family_names)}): check "
            "its family names and months."
        )
    else:
        gap_view(gap, money_frame)
    # cycles (with their demand-review sign-off) come later: no review to wait for yet
    exceptions = meeting_exceptions(scenario, result, gap)
    st.markdown(f"**Exceptions for the meeting** ({len(exceptions)})")
    if exceptions.empty:
        st.caption("None: on budget, stock within target, no resource over 100 %.")
    else:
        shown = exceptions.assign(kind=exceptions["kind"].map(KIND_NAMES))
        st.dataframe(
            shown.rename(
                columns={"kind": "Exception", "family": "Family / resource", "period": "Month"}
            ).rename(columns={"message": "What"}),
            hide_index=True,
        )


def upload_step(scenario: Scenario) -> None:
    left, right = st.columns([3, 1], vertical_alignment="bottom")
    upload = left.file_uploader(
        "Business plan file (CSV or Excel): family, period (YYYY-MM), units, revenue",
        type=["csv", "xlsx"],
        key="bp_upload",
    )
    if upload is not None and upload.file_id != st.session_state.get("bp_upload_id"):
        try:
            budget = read_business_plan(upload.getvalue(), filename=upload.name)
        except InputError as exc:
            show_input_error(exc, f"{md_escape(upload.name)} cannot be used")
        else:
            st.session_state.business_plan = (upload.name, budget)
            st.session_state.bp_upload_id = upload.file_id
    try:
        template = business_plan_template(scenario)
    except InputError as exc:
        right.caption(f"No template: {md_escape(exc.problems[0].message)}")
    else:
        right.download_button(
            "Template (CSV)",
            data=write_business_plan(template),
            file_name="business_plan_template.csv",
            mime="text/csv",
            on_click="ignore",
            key="bp_template",
            icon=":material/download:",
        )
    if st.session_state.get("business_plan") is not None and st.button(
        "Forget the business plan", key="bp_forget"
    ):
        st.session_state.pop("business_plan", None)
        st.rerun()


def gap_view(gap: pd.DataFrame, money_frame: pd.DataFrame) -> None:
    year = annual_gap(gap)
    plan_rev, budget_rev = year["plan_revenue"].sum(), year["budget_revenue"].sum()
    months = gap["period"].nunique()
    margin = money_frame[money_frame["period"].isin(gap["period"])]["gross_margin"].sum()
    c1, c2, c3, c4 = st.columns(4)
    c1.metric("Plan revenue", money(plan_rev, compact=True), border=True)
    c2.metric("Business plan revenue", money(budget_rev, compact=True), border=True)
    c3.metric(
        "Gap to the business plan",
        money(plan_rev - budget_rev, compact=True),
        help=f"Plan − business plan over the {months} months both cover",
        border=True,
    )
    c4.metric("Gross margin", money(margin, compact=True), border=True)
    table = pd.DataFrame(
        {
            "Family": year["family"],
            "Plan units": year["plan_units"].map(units),
            "Budget units": year["budget_units"].map(units),
            "Gap units": year["gap_units"].map(units),
            "Plan revenue": year["plan_revenue"].map(money),
            "Budget revenue": year["budget_revenue"].map(money),
            "Gap revenue": year["gap_revenue"].map(money),
        }
    )
    st.dataframe(table, hide_index=True)
    chart = (
        alt.Chart(gap)
        .mark_line(point=True)
        .encode(
            x=alt.X("period:O", title=None),
            y=alt.Y("cum_gap_revenue:Q", title="Cumulative gap to budget ($)"),
            color=alt.Color("family:N", title=None, legend=alt.Legend(orient="top")),
            tooltip=[
                "family:N",
                "period:O",
                alt.Tooltip("gap_revenue:Q", format="$,.0f", title="gap in the month"),
                alt.Tooltip("cum_gap_revenue:Q", format="$,.0f", title="cumulative gap"),
            ],
        )
        .properties(height=260)
    )
    st.altair_chart(chart)
    with st.expander("The gap by family and month"):
        st.dataframe(gap, hide_index=True)
