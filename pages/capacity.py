"""Capacity: the workforce, its costs and each family's hours, costs and limits, in
editable tables; labour hours the plan needs against regular and overtime capacity."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from pages._access import explain, guarded, locked_columns, may
from pages._common import (
    ensure_entry_point,
    session_whatif,
    solve_whatif,
)
from pages._edit import families_frame, family_edits, workforce_edits, workforce_frame
from pages._supply import calendar_section, resources_section
from pages._workspace import commit, saved_editor, state, stored_history, workbench
from sop_core.base.fields import FAMILY_FIELDS, header, show_value, term, with_numbers
from sop_core.base.text import md_escape, plural
from sop_core.engine.kpis import pct
from sop_core.process.workspace import (
    Edit,
    WorkspaceState,
    alias_edits,
    removal_problem,
    remove_family_edits,
)
from sop_core.reports.charts import capacity_chart

ensure_entry_point()

#: what a cell of the editable tables shows when empty (a limit of "none", a cost not given)
BLANK = ""


def family_columns() -> dict[str, st.column_config.NumberColumn]:
    """The families table's numbers: as typed, with thousands separators; the unit as help."""
    return {
        col: st.column_config.NumberColumn(
            help=term(k).help or term(k).unit or None, format="localized"
        )
        for k, col in FAMILY_FIELDS.items()
        if term(k).kind not in ("text", "flag")
    }


def review_banner(ws: WorkspaceState) -> None:
    """A new company's workforce and new families carry stated defaults until someone
    confirms them."""
    if (ws.value("plan") or {}).get("workforce_to_review"):
        st.warning(
            "The workforce has a new company's defaults, the textbook's: 80 workers of 160 "
            "regular hours at $640 a period, overtime $6/h up to 10 h each, hiring $300, "
            "layoffs $500. Type yours in the table below, then confirm.",
            icon=":material/rule:",
        )
        if st.button(
            "The workforce is right",
            key="cap_confirm_workforce",
            **guarded("capacity"),
        ):
            commit(
                [Edit("plan", "plan", True, False, field="workforce_to_review")],
                summary="confirmed the workforce",
            )
            st.rerun()
    pending = [i for i in ws.families if i.value.get("needs_review")]
    if not pending:
        return
    names = ", ".join(i.value["name"] for i in pending)
    shown = ", ".join(md_escape(i.value["name"]) for i in pending)
    st.warning(
        f"New families with default hours and costs: **{shown}**. The defaults are the "
        "median of your other families (or the textbook's: 4 h/unit, material $10, holding "
        "$2, backorder $5, subcontract $30, price $40). Check their rows below, then confirm.",
        icon=":material/rule:",
    )
    if st.button(
        "These values are right",
        key="cap_confirm",
        icon=":material/check:",
        **guarded("capacity"),
    ):
        commit(
            [Edit("family", i.key, True, False, field="needs_review") for i in pending],
            summary=f"confirmed the values of {names}",
        )
        st.rerun()


def history_names(ws: WorkspaceState) -> None:
    """See and remove the other names a family has in uploaded histories (a rename keeps
    the old name as one, so that the history still finds the family)."""
    named = {i.value["name"]: i for i in ws.families if i.value.get("history_names")}
    if not named:
        return
    with st.popover("Names in the sales history…", icon=":material/label:"):
        name = st.selectbox("Family", list(named), key="cap_alias_family")
        aliases = list(named[name].value["history_names"])
        keep = st.multiselect(
            f"Other names of {name} in uploaded histories",
            aliases,
            default=aliases,
            key=f"cap_alias_keep_{named[name].key}",
        )
        upload = ws.history_upload
        raw = stored_history(workbench().url, int(upload["upload_id"])) if upload else None
        dropped = set(aliases) - set(keep)
        used = set() if raw is None else set(raw["family"].astype(str)) & dropped
        if used:
            st.warning(
                f"The history in use calls it {', '.join(sorted(used))}: its sales there will "
                "no longer be planned for this family."
            )
        if st.button("Save the names", key="cap_alias_go", **guarded("capacity")):
            commit(alias_edits(ws, named[name].key, keep), summary=f"history names of {name}")
            st.rerun()


def remove_family(ws: WorkspaceState) -> None:
    """Remove a family, after saying what goes with it."""
    with st.popover("Remove a family…", icon=":material/delete:"):
        if not ws.families:
            st.write("No family to remove.")
            return
        keys = {i.value["name"]: i.key for i in ws.families}
        name = st.selectbox("Family", list(keys), key="cap_remove_family")
        said = []
        adjustments = int((ws.adjustments["family"] == name).sum())
        if adjustments:
            said.append(f"its {plural(adjustments, 'consensus adjustment')} go with it")
        if ws.history_upload:
            said.append("its sales history stays in the uploaded file but is no longer planned")
        st.write(
            f"Remove **{md_escape(name)}** from the plan? "
            + "; ".join(said)
            + ". Undo brings it back."
        )
        named = removal_problem(ws, keys[name])  # a launch or phase-out still names it
        if named is not None:
            st.caption(
                f":material/lock: {md_escape(named.message[:1].upper() + named.message[1:])}."
            )
        if st.button(
            "Yes, remove it",
            type="primary",
            key="cap_remove_go",
            **(guarded("capacity") if named is None else {"disabled": True, "help": named.message}),
        ):
            commit(remove_family_edits(ws, keys[name]), summary=f"removed family {name}")
            st.rerun()


st.title("Capacity")
ws = state()
s = st.session_state.get("scenario")
review_banner(ws)
if s is not None and not any(any(f.demand) for f in s.families):
    st.info(
        "The plan has no demand yet: every family's demand is 0 in periods "
        f"{s.period_labels[0]} – {s.period_labels[-1]} until the consensus forecast is "
        "handed over on the Demand page, so the plan below needs no hours.",
        icon=":material/info:",
    )
result = solve_whatif(s, session_whatif(s)) if s is not None else None

if result is not None and result.optimal:
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
    rows = per[["workforce", "hours_used", "regular_hours_available", "overtime_hours"]].assign(
        utilisation=util
    )
    table = pd.DataFrame(
        {header(k): [show_value(k, x) for x in rows[k]] for k in rows.columns},
        index=per["period"],
    )
    st.dataframe(table.T)
elif result is not None:
    st.warning(f"The current what-if has no feasible plan: {result.message}")
else:
    problem = st.session_state.get("scenario_problem")
    st.info(
        "Nothing to plan yet: " + "; ".join(p.message for p in problem.problems)
        if problem
        else "Nothing to plan yet."
    )

st.subheader("Workforce, costs and limits")
st.caption(
    "Every change is saved as you make it and planned at once; Undo in the sidebar takes "
    "it back. Add a family in the last row of its table."
)
explain("capacity")
explain("money")
saved_editor(
    "cap_workforce",
    workforce_frame(ws),
    lambda edited: workforce_edits(ws, edited),
    disabled=["Setting", "Unit"] if may("capacity") or may("money") else True,
    column_config={"Value": st.column_config.NumberColumn(min_value=0.0, format="localized")},
    placeholder=BLANK,
)
saved_editor(
    "cap_families",
    with_numbers(families_frame(ws), FAMILY_FIELDS),
    lambda edited: family_edits(ws, edited),
    num_rows="add" if may("capacity") else "fixed",
    disabled=locked_columns(FAMILY_FIELDS),
    column_config=family_columns(),
    placeholder=BLANK,
)
c1, c2 = st.columns(2)
with c1:
    remove_family(ws)
with c2:
    history_names(ws)

if s is not None and result is not None:
    resources_section(s, result)
if s is not None:
    calendar_section(s)
