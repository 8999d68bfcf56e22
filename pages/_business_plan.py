"""The Executive page's "Business plan" section: the annual budget, kept with the company,
the plan's gap to it in units and money, and the exceptions for the meeting.

The business plan is the company's monthly table ``budget`` in the store
(:mod:`pages._monthly`): every upload and cell edit is saved with its author and time,
and undo takes it back.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from pages._common import number_column
from pages._monthly import monthly_table_section
from pages._workspace import state
from sop_core.base.errors import InputError
from sop_core.base.fields import header, show_value, term
from sop_core.base.text import md_escape
from sop_core.engine.kpis import money, units
from sop_core.engine.planner import PlanResult
from sop_core.model.scenario import Scenario
from sop_core.process.business_plan import (
    EXCEPTION_NAMES,
    annual_gap,
    budget_gap,
    business_plan_template,
    meeting_exceptions,
    plan_money,
    ranked_exceptions,
)
from sop_core.reports.charts import gap_chart


def money_table(frame: pd.DataFrame, *, key: str) -> None:
    """A money or gap frame with its columns in words and its numbers formatted."""
    config = {
        "family": st.column_config.TextColumn("Family"),
        "period": st.column_config.TextColumn("Month"),
        **{
            c: number_column(c)
            for c in frame.columns
            if c not in ("family", "period") and pd.api.types.is_numeric_dtype(frame[c])
        },
    }
    st.dataframe(frame, hide_index=True, column_config=config, key=key)


def business_plan_section(
    scenario: Scenario, result: PlanResult, *, demand_review_signed_off: bool = True
) -> None:
    """The business plan's table, the gap of ``result`` (the plan of ``scenario`` shown
    above it) to it, and the exceptions (with the month's demand review when it is not
    signed off)."""
    st.subheader("Business plan")
    budget = state().business_plan
    st.caption(
        "The annual budget per family and month, in units and revenue, kept with "
        f"{md_escape(state().name)}: each upload and edit is saved with who and when, and "
        "undo takes it back. Finance keeps it."
    )
    try:
        template = business_plan_template(scenario)
    except InputError:
        template = None
    label = f"The business plan ({len(budget):,} rows)" if len(budget) else "The business plan"
    with st.expander(label, expanded=budget.empty):
        monthly_table_section("budget", template=template)
    if budget.empty:
        return
    money_frame = plan_money(scenario, result)
    gap = budget_gap(money_frame, budget)
    if gap.empty:
        st.warning(
            "The business plan has no family and month in common with this plan "
            f"({md_escape(scenario.period_labels[0])} – {md_escape(scenario.period_labels[-1])}"
            f", families {', '.join(md_escape(n) for n in scenario.family_names)}): check "
            "its family names and months."
        )
    else:
        gap_view(gap, money_frame)
    exceptions = meeting_exceptions(
        scenario, result, gap, demand_review_signed_off=demand_review_signed_off
    )
    st.markdown(f"**Exceptions for the meeting** ({len(exceptions)})")
    if exceptions.empty:
        st.caption("None: on budget, stock within target, no resource over 100 %.")
    else:
        ranked = ranked_exceptions(exceptions)  # per family over its months, most $ first
        st.dataframe(
            ranked.assign(  # text: a blank, not "None", where nothing is at stake
                kind=ranked["kind"].map(EXCEPTION_NAMES),
                stake=[show_value("stake", x) for x in ranked["stake"]],
            ),
            hide_index=True,
            column_order=["kind", "family", "months", "stake", "message"],
            column_config={
                "kind": st.column_config.TextColumn("Exception"),
                "family": st.column_config.TextColumn("Family / resource"),
                "months": st.column_config.TextColumn(header("months")),
                "stake": st.column_config.TextColumn(
                    header("stake"), help=term("stake").help, alignment="right"
                ),
                "message": st.column_config.TextColumn(header("message")),
            },
        )


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
    chart = gap_chart(gap)
    st.altair_chart(chart)
    with st.expander("The gap by family and month"):
        money_table(gap, key="bp_gap_table")
    with st.expander("The plan in money by family and month"):
        st.caption(
            "Sales are shipments; cost of goods and inventory are valued at each "
            "family's unit cost over the horizon."
        )
        money_table(money_frame, key="bp_money_table")
