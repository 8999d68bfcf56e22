"""Capacity: the workforce, its costs and each family's hours, costs and limits, in
editable tables; labour hours the plan needs against regular and overtime capacity."""

from __future__ import annotations

import altair as alt
import pandas as pd
import streamlit as st

from pages._common import (
    current_scenario,
    ensure_entry_point,
    pct,
    session_whatif,
    set_scenario,
    show_input_error,
    solve_whatif,
)
from pages._edit import edited_scenario, families_frame, workforce_frame
from pages._supply import calendar_section, resources_section
from sop_core.errors import InputError
from sop_core.planner import PlanResult

ensure_entry_point()


def capacity_chart(result: PlanResult, periods: list[str]) -> alt.LayerChart:
    per = result.periods
    regular = per["regular_hours_available"]
    df = pd.DataFrame(
        {
            "period": per["period"],
            "Hours used by the plan": per["hours_used"],
            "Regular capacity": regular,
            "Regular + overtime capacity": regular + per["overtime_hours_available"].fillna(0.0),
        }
    )
    x = alt.X("period:O", sort=periods, title=None)
    bars = (
        alt.Chart(df)
        .mark_bar(color="#1f77b4", opacity=0.8)
        .encode(
            x=x,
            y=alt.Y("Hours used by the plan:Q", title="Labour hours per period"),
            tooltip=["period:O", alt.Tooltip("Hours used by the plan:Q", format=",.0f")],
        )
    )
    lines = df.melt(
        "period", ["Regular capacity", "Regular + overtime capacity"], "capacity", "hours"
    )
    caps = (
        alt.Chart(lines)
        .mark_line(strokeWidth=3, point=True)
        .encode(
            x=x,
            y="hours:Q",
            color=alt.Color(
                "capacity:N",
                title=None,
                scale=alt.Scale(range=["#2ca02c", "#ff7f0e"]),
                legend=alt.Legend(orient="top"),
            ),
            strokeDash=alt.StrokeDash("capacity:N", legend=None),
            tooltip=["period:O", "capacity:N", alt.Tooltip("hours:Q", format=",.0f")],
        )
    )
    return alt.layer(bars, caps).properties(height=340)


st.title("Capacity")
s = current_scenario()
result = solve_whatif(s, session_whatif(s))

if result.optimal:
    # the tiles first: they are cheap and on screen while the chart's code still loads
    c1, c2, c3 = st.columns(3)
    c1.metric("Utilisation of regular hours", pct(result.kpis.get("regular_utilisation")))
    c2.metric("Overtime share of hours", pct(result.kpis.get("overtime_share")))
    c3.metric("Subcontracted share of supply", pct(result.kpis.get("subcontract_share")))
    st.subheader("Labour hours: what the plan needs against capacity")
    st.caption(
        "Bars: hours the current plan uses. Lines: the workforce's regular hours, and "
        "regular plus the overtime allowed."
    )
    st.altair_chart(capacity_chart(result, s.period_labels), key="cap_chart")
    per = result.periods
    util = per["hours_used"] / per["regular_hours_available"].where(
        per["regular_hours_available"] > 0
    )
    table = pd.DataFrame(
        {
            "Workers": [f"{x:,.1f}" for x in per["workforce"]],
            "Hours used": [f"{x:,.0f}" for x in per["hours_used"]],
            "Regular hours": [f"{x:,.0f}" for x in per["regular_hours_available"]],
            "Overtime hours used": [f"{x:,.0f}" for x in per["overtime_hours"]],
            "Utilisation": [pct(u) if pd.notna(u) else "–" for u in util],
        },
        index=per["period"],
    )
    st.dataframe(table.T)
else:
    st.warning(f"The current what-if has no feasible plan: {result.message}")

st.subheader("Workforce, costs and limits")
st.caption("Edit the values, then apply: every page plans with them.")
with st.form("cap_edit", border=False):
    wf_df = st.data_editor(
        workforce_frame(s),
        hide_index=True,
        disabled=["Setting", "Unit"],
        key="cap_workforce",
        column_config={"Value": st.column_config.NumberColumn(min_value=0.0, format="%g")},
    )
    fam_df = st.data_editor(
        families_frame(s),
        hide_index=True,
        num_rows="fixed",
        key="cap_families",
    )
    applied = st.form_submit_button("Apply to the plan", type="primary")
if applied:
    try:
        new = edited_scenario(s, wf_df, fam_df)
    except InputError as exc:
        show_input_error(exc, "These values cannot be planned")
    else:
        source = st.session_state.scenario_source
        set_scenario(new, source if "capacity edited" in source else f"{source} (capacity edited)")
        st.toast("Applied: every page now plans with these values.", icon=":material/check:")
        st.rerun()

resources_section(s, result)
calendar_section(s)
