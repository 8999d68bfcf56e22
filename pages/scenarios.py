"""Scenarios: save the current what-if, open, duplicate, rename, delete, approve,
import/export the scenario JSON, and compare 2–4 saved scenarios against the approved one."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from pages._access import explain, guarded
from pages._common import (
    ensure_entry_point,
    planner_for,
    session_whatif,
    show_input_error,
)
from pages._workspace import (
    approved_plan,
    commit,
    confirm,
    confirmation,
    current_scenario,
    flash,
    state,
    switch_company,
    workbench,
)
from pages._workspace import author as current_author
from sop_core.base.errors import InputError, StoreUnavailable
from sop_core.base.fields import MISSING
from sop_core.base.text import md_escape, noun, plural
from sop_core.engine.kpis import KPIS, money, show
from sop_core.engine.kpis import delta as kpi_delta
from sop_core.model.scenario import parse_scenario
from sop_core.model.whatif import WhatIf
from sop_core.process.scorecard import scenario_scorecards
from sop_core.process.workspace import replace_edits
from sop_core.reports import charts
from sop_core.reports.exports import slug
from sop_core.reports.workbook import read_workbook
from sop_core.services import companies, plans
from sop_core.services import scenarios as saved
from sop_core.services.audit import audit_trail
from sop_core.services.scenarios import StoreConflict
from sop_core.services.scorecard import targets_of

ensure_entry_point()


def kpi_table(kpis: pd.DataFrame, column: str) -> pd.DataFrame:
    """KPIs (rows) by scenario (columns), each formatted as the KPI table says; deltas
    with their sign."""
    wide = kpis.pivot_table(
        index="metric", columns="label", values=column, sort=False, dropna=False
    )
    out = pd.DataFrame(index=[KPIS[m].label if m in KPIS else m for m in wide.index])
    for label in wide.columns:
        values = wide[label].tolist()
        if column == "delta":
            out[label] = [
                kpi_delta(m, v, 0.0) or MISSING if pd.notna(v) else MISSING
                for m, v in zip(wide.index, values, strict=True)
            ]
        else:
            out[label] = [
                show(m, v) if pd.notna(v) else MISSING
                for m, v in zip(wide.index, values, strict=True)
            ]
    return out


st.title("Scenarios")
try:
    wb = workbench()
    listing = saved.listing(wb, state().name)
except (StoreUnavailable, InputError) as exc:
    st.error(f"The scenario store cannot be opened: {md_escape(exc)}")
    st.stop()

author = current_author()
s = current_scenario()
whatif = session_whatif(s)

# ----------------------------------------------------------------- save
with st.container(border=True):
    st.subheader("Save the current what-if")
    st.caption(
        f"{md_escape(s.name)} · what-if: {md_escape(whatif.describe(s))} · "
        f"company {md_escape(state().name)}"
    )
    c1, c2 = st.columns([1, 2])
    name = c1.text_input("Name", key="scen_save_name", value=s.name)
    note = c2.text_input("Note", key="scen_save_note", placeholder="what changed and why")
    exists = name.strip() in set(listing["name"])
    if exists:
        st.caption(f"“{md_escape(name.strip())}” exists: saving adds a new version of it.")
    explain("whatif")
    if st.button(
        "Save",
        type="primary",
        icon=":material/save:",
        key="scen_save",
        **guarded("whatif"),
    ):
        base = None
        if exists:
            base = int(listing.loc[listing["name"] == name.strip(), "latest_version"].iloc[0])
        try:  # stored with the KPIs of the fenced plan, as the Plan page shows it
            info = plans.save_scenario(
                wb,
                s,
                whatif,
                author=author,
                approved=approved_plan(),
                name=name.strip() or None,
                base_version=base,
                note=note,
                provenance={"company": state().name, "whatif": whatif.to_dict()},
                company=state().name,
            )
        except StoreConflict as exc:
            latest = (
                f" (now at v{exc.latest.version} by {md_escape(exc.latest.author)})"
                if exc.latest
                else ""
            )
            st.error(
                f"Not saved: someone saved “{md_escape(exc.name)}” first{latest}. "
                "Save again to add yours."
            )
        except InputError as exc:
            show_input_error(exc, "Not saved")
        else:
            st.success(f"Saved {md_escape(info.name)} v{info.version}.")
            listing = saved.listing(wb, state().name)

# ----------------------------------------------------------------- list and actions
st.subheader("Saved scenarios")
if listing.empty:
    st.info("No saved scenarios yet: save the current what-if above, or import a scenario file.")
else:
    shown = pd.DataFrame(
        {
            "Scenario": listing["name"],
            "Status": listing["status"].str.capitalize(),
            "Versions": listing["latest_version"],
            "Approved version": [
                f"v{v}" if pd.notna(v) else MISSING for v in listing["approved_version"]
            ],
            "Total cost": [money(x) if pd.notna(x) else MISSING for x in listing["total_cost"]],
            "Saved": listing["saved_at"].dt.strftime("%Y-%m-%d %H:%M"),
            "By": listing["author"],
            "Note": listing["note"],
        }
    )
    st.dataframe(shown, hide_index=True)

    names = list(listing["name"])
    chosen = st.selectbox("Scenario", names, key="scen_chosen")
    row = listing.loc[listing["name"] == chosen].iloc[0]
    a1, a2, a3, a4 = st.columns(4)
    if a1.button("Open in the plan", icon=":material/open_in_new:", key="scen_open"):
        version = saved.open_scenario(wb, chosen)
        if commit(replace_edits(state(), version.scenario), summary=f"opened {version.label}"):
            flash(
                "success",
                f"Opened {md_escape(version.label)}: every page plans it now (Undo takes it back).",
            )
        st.rerun()
    if a2.button(
        "Mark approved",
        icon=":material/verified:",
        key="scen_approve",
        **guarded("approve"),
    ):
        try:
            saved.approve(wb, chosen, author=author)
        except InputError as exc:
            show_input_error(exc, "Not approved")
        else:
            confirm(
                "scen_approve",
                f"{md_escape(chosen)} v{row['latest_version']} is the approved plan.",
                ("pages/cycle.py", "the meeting pack and the sign-off on the Cycle page"),
            )
            st.rerun()
    confirmation("scen_approve")
    a3.download_button(
        "Export JSON",
        data=lambda: saved.open_scenario(wb, chosen).scenario.to_json(),
        file_name=f"{slug(chosen) or 'scenario'}.json",
        mime="application/json",
        on_click="ignore",
        key="scen_export",
        icon=":material/download:",
    )
    with a4.popover("Delete…", icon=":material/delete:"):
        st.markdown(
            f"Delete **{md_escape(chosen)}** and {noun(row['latest_version'], 'its', 'all its')} "
            f"{plural(int(row['latest_version']), 'version')}?"
        )
        explain("delete")
        if st.button(
            "Yes, delete it",
            type="primary",
            key="scen_delete",
            **guarded("delete"),
        ):
            try:
                saved.delete(wb, chosen, author=author, expected_version=int(row["latest_version"]))
            except InputError as exc:
                show_input_error(exc, "Not deleted")
            else:
                st.toast(f"Deleted {md_escape(chosen)}.")
                st.rerun()
    explain("approve")
    with st.expander(f"Who changed {md_escape(chosen)}, and when"):
        trail = audit_trail(wb, kind="scenario", key=chosen, limit=50)
        st.dataframe(trail.drop(columns=["E-mail", "Company"]), hide_index=True)
        st.caption("The whole trail, with downloads: the Audit trail page.")
    d1, d2 = st.columns(2)
    with d1.form("scen_duplicate_form", border=False):
        new_name = st.text_input("Duplicate as", key="scen_dup_name")
        if st.form_submit_button(
            "Duplicate",
            icon=":material/content_copy:",
            **guarded("whatif"),
        ):
            try:
                saved.duplicate(wb, chosen, new_name, author=author)
            except InputError as exc:
                show_input_error(exc, "Not duplicated")
            else:
                st.toast(f"Duplicated {md_escape(chosen)} as {md_escape(new_name)}.")
                st.rerun()
    with d2.form("scen_rename_form", border=False):
        renamed = st.text_input("Rename to", key="scen_new_name")
        if st.form_submit_button("Rename", icon=":material/edit:", **guarded("whatif")):
            try:
                saved.rename(wb, chosen, renamed, author=author)
            except InputError as exc:
                show_input_error(exc, "Not renamed")
            else:
                st.toast(f"Renamed {md_escape(chosen)} to {md_escape(renamed)}.")
                st.rerun()

# ----------------------------------------------------------------- import
with st.expander("Import a scenario file (JSON)", icon=":material/upload_file:"):
    upload = st.file_uploader("Scenario file", type=["json"], key="scen_import")
    if upload is not None and st.button("Import", key="scen_import_go", **guarded("whatif")):
        try:
            info = plans.save_scenario(
                wb,
                parse_scenario(upload.getvalue()),
                WhatIf(),
                author=author,
                approved=approved_plan(),
                note=f"imported from {upload.name}",
                company=state().name,
            )
        except InputError as exc:
            show_input_error(exc, f"{md_escape(upload.name)} cannot be imported")
        else:
            st.toast(f"Imported {md_escape(info.name)} v{info.version}.")
            st.rerun()

# ----------------------------------------------------------------- the company workbook
with st.expander("The whole company as one Excel workbook", icon=":material/table_view:"):
    st.caption(
        "Sheets: Families, Plan demand, Workforce, Policy, History, Adjustments, What-ifs "
        "(columns as in the README). Edit it in Excel and import it as a new company."
    )
    ws = state()
    st.download_button(
        "Export this company (.xlsx)",
        data=lambda: companies.export_workbook(wb, ws.name),
        file_name=f"{slug(ws.name) or 'company'}.xlsx",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        on_click="ignore",
        key="scen_wb_export",
        icon=":material/download:",
    )
    book = st.file_uploader("Import a company workbook", type=["xlsx"], key="scen_wb_upload")
    new_company = st.text_input("New company's name", key="scen_wb_name")
    explain("company")
    if book is not None and st.button(
        "Import as a new company",
        key="scen_wb_go",
        **guarded("company"),
    ):
        try:
            content = read_workbook(book.getvalue(), book.name)
            companies.import_company(
                wb,
                new_company.strip() or book.name.rsplit(".", 1)[0],
                content,
                author=author,
            )
        except InputError as exc:
            show_input_error(exc, f"{md_escape(book.name)} cannot be imported")
        else:
            switch_company(new_company.strip() or book.name.rsplit(".", 1)[0])
            st.rerun()

# ----------------------------------------------------------------- compare
st.subheader("Compare")
if len(listing) < 2:
    st.caption("Save two or more scenarios to compare them.")
    st.stop()
picked = st.multiselect(
    "2 to 4 scenarios",
    list(listing["name"]),
    default=list(listing["name"])[:2],
    max_selections=4,
    key="scen_compare",
)
if len(picked) < 2:
    st.warning("Pick at least two scenarios to compare.")
    st.stop()
compared = saved.compare(wb, state().name, picked)
frame, opened, approved = compared.table, compared.versions, compared.approved
kpis = frame[frame["section"] == "kpi"]
st.markdown(
    "**KPIs side by side**"
    + (
        f" · deltas vs the approved plan **{md_escape(approved.label)}**"
        if approved
        else " · none approved"
    )
)
st.dataframe(kpi_table(kpis, "value"))
if approved is not None:
    st.caption(f"Change vs {md_escape(approved.label)}")
    st.dataframe(kpi_table(kpis, "delta"))

c1, c2 = st.columns(2)
with c1:
    st.markdown("**Cost breakdown**")
    st.altair_chart(charts.scenario_costs_chart(frame))
with c2:
    st.markdown("**Supply and inventory, overlaid** (all families, units)")
    solved = {
        v.label: plans.solve_plan(v.scenario, approved_plan(), planner=planner_for(v.scenario))
        for v in opened
    }
    for label, res in solved.items():
        if not res.optimal:
            st.warning(f"{md_escape(label)} has no feasible plan: {md_escape(res.message)}")
    if any(res.optimal for res in solved.values()):
        st.altair_chart(charts.scenario_lines_chart(solved))

st.markdown("**Scorecard of the five aims** (against the company's targets and business plan)")
st.dataframe(
    scenario_scorecards(
        {v.label: (v.scenario, solved[v.label]) for v in opened},
        targets_of(state()),
        state().business_plan if len(state().business_plan) else None,
    ),
    hide_index=True,
    key="scen_scorecard",
)
