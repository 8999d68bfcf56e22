"""Home: where we stand. What the workbench is for, this month's cycle and what waits for
the person, the approved plan's balance and tiles, the top exceptions; on a new install,
the two ways to start (the sample, or your own company)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from pages._access import current_actor, guarded
from pages._common import balance_chart, ensure_entry_point, kpi_tiles, solve_whatif
from pages._workspace import (
    approved_scenario,
    confirm,
    confirmation,
    current_scenario,
    perform,
    sample_company,
    state,
    switch_company,
    workbench,
)
from sop_core.base.errors import InputError
from sop_core.base.fields import show_value
from sop_core.base.text import md_escape
from sop_core.model.whatif import WhatIf
from sop_core.process.business_plan import (
    EXCEPTION_NAMES,
    exceptions_against,
    ranked_exceptions,
)
from sop_core.process.cycle import month_of, pending_for
from sop_core.services import companies, cycles

ensure_entry_point()

TOP_EXCEPTIONS = 5

ws = state()
wb = workbench()
actor = current_actor()
st.title("Where we stand")
st.caption(
    f"The S&OP workbench keeps **{md_escape(ws.name)}**'s demand and supply in balance "
    "month by month: forecast each product family, set capacity, get the cost-optimal "
    "plan, and take it through the monthly cycle to the executive decision."
)


# ----------------------------------------------------------------- a new install
def start_own() -> None:
    name = (st.session_state.get("home_new_name") or "").strip()
    started = perform(lambda w, _company, who: companies.start_company(w, name, author=who))
    if started is not None:
        switch_company(name)
        confirm(
            "home_new",
            f"Started {md_escape(name)}.",
            ("pages/demand.py", "upload its sales history on the Demand page"),
        )


if companies.company_names(wb) == [sample_company()]:
    with st.container(border=True):
        st.markdown("**Two ways to start**")
        c1, c2 = st.columns(2)
        c1.markdown(
            "**Explore the sample company** (you are in it): a year of plans, five "
            "families, a sales history. Move the levers on the Plan page."
        )
        c1.page_link("pages/plan.py", label="Open the plan", icon=":material/tune:")
        c2.markdown("**Start your own company**: upload your sales history, set capacity.")
        c2.text_input("Company name", key="home_new_name", placeholder="e.g. Acme Pumps")
        c2.button(
            "Start your own company",
            type="primary",
            icon=":material/add_business:",
            key="home_new_go",
            on_click=start_own,
            **guarded("company"),
        )

confirmation("home_new")

# ----------------------------------------------------------------- this month's cycle
month = month_of()
try:
    cycle = cycles.current_cycle(wb, ws.name)
except InputError:
    cycle = None
with st.container(border=True):
    if cycle is None or cycle.month != month:
        before = f" (the {md_escape(cycle.label)} is the latest)" if cycle is not None else ""
        st.markdown(f"**The {month} S&OP cycle has not started.**{before}")
        st.page_link(
            "pages/cycle.py", label="Start it on the Cycle page", icon=":material/event_repeat:"
        )
    else:
        signed = sum(s.signed_off for s in cycle.steps)
        nxt = cycle.next_step
        if nxt is None:
            name, version = cycle.plan or ("?", 0)
            st.markdown(
                f"**The {md_escape(cycle.label)} is complete:** the plan is "
                f"**{md_escape(name)} v{version}**."
            )
        else:
            st.markdown(
                f"**{md_escape(cycle.label)}:** {signed} of {len(cycle.steps)} steps signed off; "
                f"next: {nxt.label.lower()} ({nxt.owner})."
            )
        mine = pending_for(cycle, actor)
        if mine:
            st.markdown("**Waiting for you:** " + ", ".join(s.label.lower() for s in mine) + ".")
        st.page_link("pages/cycle.py", label="Open the cycle", icon=":material/event_repeat:")

# ----------------------------------------------------------------- the approved plan
try:
    approved = approved_scenario()
except Exception:  # no store: the current plan stands in
    approved = None
if approved is not None:
    scenario = approved.scenario
    st.subheader(f"The approved plan: {approved.label}")
else:
    scenario = current_scenario()
    st.subheader("The current plan")
    st.caption("Nothing is approved yet: this is the plan as the company's data stands.")
result = solve_whatif(scenario, WhatIf())
if not result.optimal:
    st.error(f"**This plan has no feasible solution.** {md_escape(result.message)}")
    st.stop()
kpi_tiles(result)
balance_chart(result, scenario.period_labels, key="home_balance", height=320)

# ----------------------------------------------------------------- the top exceptions
found = exceptions_against(
    scenario,
    result,
    ws.business_plan,
    demand_review_signed_off=cycle is None or cycle.step("demand").signed_off,
)
st.subheader("Exceptions")
if found.empty:
    st.caption("None: on budget, stock within target, no resource over 100 %.")
else:
    exceptions = ranked_exceptions(found)  # per family over its months, most money first
    top = exceptions.head(TOP_EXCEPTIONS)
    st.markdown(
        "\n".join(
            f"- **{EXCEPTION_NAMES.get(r.kind, r.kind)}**"
            + (f", {md_escape(show_value('stake', r.stake))} at stake" if pd.notna(r.stake) else "")
            + f": {md_escape(r.message)}"
            for r in top.itertuples(index=False)
        )
    )
    if len(exceptions) > TOP_EXCEPTIONS:
        st.caption(f"and {len(exceptions) - TOP_EXCEPTIONS} more on the Executive page.")
    st.page_link("pages/executive.py", label="All of them, with the gap to the business plan")
