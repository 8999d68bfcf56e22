"""Audit trail: every change in the store, who made it and when, from what to what.

Filter by company, by kind of object (a family, the workforce, a scenario, …) and by
the object itself; fields by their labels, before and after in words
(:func:`sop_core.services.audit.audit_trail`); download what is shown as CSV or Excel, with
the exact values. The rows come from
``sop_audit``, which the database keeps append-only.
"""

from __future__ import annotations

import streamlit as st

from pages._workspace import state, workbench
from sop_core.base.text import md_escape, plural
from sop_core.reports.exports import frame_csv, frames_excel, slug
from sop_core.services.audit import audit_trail
from sop_core.services.scenarios import scenario_names

ws = state()
wb = workbench()
st.title("Audit trail")
st.caption(
    "Every change saved in the workbench, newest first: who, when, which object, before "
    "and after. The database refuses to change or delete these rows."
)

KINDS = {
    "Everything": None,
    "Families": "family",
    "Workforce": "workforce",
    "Policy": "policy",
    "Consensus adjustments": "adjustment",
    "Plan demand": "plan",
    "Sales history": "history",
    "Resources and calendar": "setting",
    "Kept what-ifs": "whatif",
    "Business plan": "budget",
    "Actuals": "actual",
    "Scenarios": "scenario",
    "Companies": "company",
    "Monthly cycles": "cycle",
}
c1, c2, c3 = st.columns([2, 2, 3])
everywhere = c1.toggle("All companies", value=False, key="audit_all")
kind_label = c2.selectbox("Objects", list(KINDS), key="audit_kind")
kind = KINDS[kind_label]
key = None
if kind == "family":
    families = {i.value.get("name", i.key): i.key for i in ws.families}
    pick = c3.selectbox("Family", ["All", *families], key="audit_family")
    key = families.get(pick)
elif kind == "scenario":
    pick = c3.selectbox("Scenario", ["All", *scenario_names(wb)], key="audit_scenario")
    key = None if pick == "All" else pick

company = None if everywhere else ws.name
shown = audit_trail(wb, company=company, kind=kind, key=key)
where = "all companies" if everywhere else md_escape(ws.name)
st.caption(f"{plural(len(shown), 'change')} in {where}.")
st.dataframe(shown, hide_index=True)
# the downloads keep the exact values (before and after as JSON), under the same headers
trail = audit_trail(wb, company=company, kind=kind, key=key, exact=True)
stem = slug(f"audit {'all' if everywhere else ws.name} {kind_label}")
d1, d2 = st.columns(2)
d1.download_button(
    "Download CSV", frame_csv(trail), f"{stem}.csv", "text/csv", icon=":material/download:"
)
d2.download_button(
    "Download Excel",
    frames_excel({"Audit trail": trail}),
    f"{stem}.xlsx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    icon=":material/download:",
)
