"""Executive: one balance chart a board can read from across the room, five KPIs, and
this session's what-ifs against the baseline (and the approved plan, when there is one);
below, the business plan section (:mod:`pages._business_plan`): the gap to the budget.

``?present=1`` (the Present button) hides the sidebar and every control, in large type.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from pages._access import current_actor, why_not
from pages._business_plan import business_plan_section
from pages._common import (
    balance_chart,
    ensure_entry_point,
    kpi_tiles,
    present_css,
    session_whatif,
    show_input_error,
    solve_whatif,
)
from pages._common import (
    presenting as is_presenting,
)
from pages._pack import meeting_pack_section
from pages._scorecard import plan_card, scorecard_section, scorecard_strip
from pages._tradeoffs import tradeoffs_section
from pages._workspace import approved_scenario, current_scenario, state, workbench
from sop_core.base.errors import InputError
from sop_core.base.text import md_escape
from sop_core.engine.kpis import money, pct, units
from sop_core.engine.planner import PlanResult
from sop_core.model.scenario import same_plan
from sop_core.model.whatif import WHATIF_KEYS, WhatIf, whatif_from_dict
from sop_core.reports.charts import cost_chart
from sop_core.services import cycles
from sop_core.services.pack import build_pack
from sop_core.services.scenarios import open_scenario

ensure_entry_point()

presenting = is_presenting()
s = current_scenario()
whatif = session_whatif(s)
baseline = solve_whatif(s, WhatIf())
result = baseline if whatif.apply(s) == s else solve_whatif(s, whatif)  # no second solve

#: Presentation mode fits a 1280×720 projector without scrolling: the balance chart's plot
#: height and the comparison table's rows (more scroll inside the table), below the
#: scorecard's strip of the five aims.
PRESENT_CHART_HEIGHT, PRESENT_TABLE_ROWS = 300, 3
#: the cost chart's height there [px] (its bars closer together than on the page)
PRESENT_COST_HEIGHT = 130  # four bars, each labelled
#: The comparison's columns in presentation mode (the table shares its row with the chart).
PRESENT_COLUMNS = ["Scenario", "Total cost", "Fill rate", "Margin"]

title = f"{md_escape(s.name)}: supply vs demand"
if presenting:
    present_css()
    if len(title) > 45:  # a long scenario name: smaller type, so that it fits two lines
        st.html("<style>h1 { font-size: 1.6rem !important; }</style>")
    tradeoffs_shown = st.query_params.get("show") == "tradeoffs"
    head, other, leave = st.columns([6, 1, 1], vertical_alignment="bottom")
    head.title("Trade-offs: what a better plan costs" if tradeoffs_shown else title)
    other.page_link(  # in the app, in this tab (a Markdown link opens another)
        "pages/executive.py",
        label="The decision" if tradeoffs_shown else "Trade-offs",
        query_params={"present": "1"} if tradeoffs_shown else {"present": "1", "show": "tradeoffs"},
    )
    leave.markdown("[Exit presentation](executive)")
    if tradeoffs_shown:  # the projected trade-offs: the frontier, large, and its prices
        tradeoffs_section(presenting=True)
        st.stop()
else:
    st.title(title)
st.caption(
    f"{md_escape(s.period_labels[0])} – {md_escape(s.period_labels[-1])} · "
    f"what-if: {md_escape(whatif.describe(s))} · "
    f"baseline: the scenario as planned"
)

if not result.optimal:
    st.error(f"**This what-if has no feasible plan.** {md_escape(result.message)}")
    more = [line for line in result.diagnosis if line not in result.message]  # said once
    if more:
        st.markdown("\n".join(f"- {md_escape(line)}" for line in more[:6]))
    result = baseline
    st.info("Showing the baseline plan instead.")
if not result.optimal:
    st.stop()

kpi_tiles(result, baseline, large=presenting)
planned = whatif.apply(s) if result is not baseline else s
if presenting:  # the five aims under the tiles: the room sees where the plan stands
    scorecard_strip(plan_card(planned, result), large=True)
if not presenting:
    balance_chart(result, s.period_labels, height=430, key="exec_balance")


def comparison_rows(named: dict[str, PlanResult], base: PlanResult) -> pd.DataFrame:
    rows = []
    for label, res in named.items():
        if not res.optimal:
            rows.append({"Scenario": label, "Total cost": "infeasible"})
            continue
        k = res.kpis
        delta = (res.total_cost or 0) - (base.total_cost or 0)
        rows.append(
            {
                "Scenario": label,
                "Total cost": money(res.total_cost),
                "vs baseline": "–"
                if abs(delta) < 0.5
                else ("+" if delta > 0 else "−") + money(abs(delta)),
                "Fill rate": pct(k.get("fill_rate")),
                "Avg inventory": units(k.get("average_inventory")),
                "Workforce change": units(k.get("workforce_changes")),
                "Margin": money(k.get("margin")),
            }
        )
    return pd.DataFrame(rows)


named: dict[str, PlanResult] = {"Baseline": baseline}
if whatif.describe(s) != "as in the scenario":
    named["Current what-if"] = result
for label, kept in state().whatifs.items():
    named[label] = solve_whatif(s, whatif_from_dict(kept.get("settings")))
approved_note = None
try:
    approved = approved_scenario()
except Exception as exc:  # the store is optional for this page: say so, don't fail
    approved, approved_note = None, f"Scenario store not available ({exc.__class__.__name__})."
if approved is not None:
    if same_plan(approved.scenario, s):  # the baseline is the approved plan: one row
        named = {f"Baseline (approved: {approved.label})": baseline, **named}
        del named["Baseline"]
    else:
        named[f"Approved: {approved.label}"] = solve_whatif(approved.scenario, WhatIf())

# the month's cycle: the versions its supply review recommended are the decision to take
cycle = None
try:
    cycle = cycles.current_cycle(workbench(), state().name)
except Exception as exc:  # the cycle is optional for this page: say so, don't fail
    approved_note = (approved_note or "") + f" Cycle not available ({exc.__class__.__name__})."
recommended = {f"Recommended: {n} v{v}": (n, v) for n, v in (cycle.recommended if cycle else [])}
for label, (n, v) in list(recommended.items()):
    if approved is not None and (approved.name, approved.version) == (n, v):
        continue  # the approved version is compared once, as approved (still a choice below)
    try:
        named[label] = solve_whatif(open_scenario(workbench(), n, v).scenario, WhatIf())
    except InputError:  # deleted since it was recommended: it cannot be approved either
        del recommended[label]


def decision_box(compact: bool = False) -> None:
    """The executive decision of this month's cycle: approve one recommended version
    (recorded on the cycle, and the store's approved scenario). ``compact``: for the
    projected page (the recommended plans' figures beside the choice)."""
    if cycle is None or not recommended:
        return
    step = cycle.step("executive")
    if step.signed_off:
        plan = cycle.plan
        st.success(
            f"{md_escape(cycle.label)}: the executive meeting approved "
            f"**{md_escape(plan[0])} v{plan[1]}** ({md_escape(step.signed_off_by)})."
            if plan
            else f"{md_escape(cycle.label)}: the executive meeting is signed off."
        )
        return
    st.markdown(f"**Decision for the {md_escape(cycle.label)}**: approve one recommended plan.")
    if compact:  # what each costs and earns, on the projected page
        offered = {
            label.removeprefix("Recommended: "): res
            for label, res in named.items()
            if label in recommended or label.startswith("Approved: ")
        }
        table = comparison_rows(offered, baseline).rename(columns={"Scenario": "Plan"})
        st.dataframe(
            table[[c for c in ("Plan", "Total cost", "Fill rate", "Margin") if c in table]],
            hide_index=True,
            height=38 + 35 * min(len(table), PRESENT_TABLE_ROWS),
        )
    blocked = why_not("signoff_executive") or cycle.why_not_sign_off("executive")
    if compact and blocked:
        return  # the room sees the choice; who may take it does so at their seat
    c1, c2 = st.columns([3, 2], vertical_alignment="bottom")
    pick = c1.selectbox("Recommended plan", list(recommended), key="exec_decision_pick")
    if c2.button(
        "Approve for the cycle",
        type="primary",
        icon=":material/verified:",
        key="exec_decision_go",
        disabled=bool(blocked),
        help=blocked,
    ):
        try:
            cycles.sign_off(
                workbench(),
                state().name,
                cycle.month,
                "executive",
                author=current_actor(),
                approve=recommended[pick],
            )
        except InputError as exc:
            show_input_error(exc, "Not approved")
        else:
            st.rerun()
    if blocked:
        st.caption(f":material/lock: {blocked}")


deciding = cycle is not None and bool(recommended) and not cycle.step("executive").signed_off

if presenting:  # the decision view: chart on the left, comparison and costs on the right
    left, right = st.columns([3, 2], gap="medium")
    with left:
        balance_chart(
            result, s.period_labels, large=True, height=PRESENT_CHART_HEIGHT, key="exec_balance"
        )
    with right:
        decision_box(compact=True)  # the decision the meeting is for, or the one taken
        if not deciding:
            st.markdown("**What-ifs vs the baseline**")
            table = comparison_rows(named, baseline)
            st.dataframe(
                table[[c for c in PRESENT_COLUMNS if c in table.columns]],
                hide_index=True,
                height=38 + 35 * min(len(table), PRESENT_TABLE_ROWS),  # header + rows [px]
            )
            st.markdown("**Where the money goes**")
            st.altair_chart(
                cost_chart(result, large=True, top=4).properties(height=PRESENT_COST_HEIGHT)
            )
else:
    decision_box()
    left, right = st.columns([3, 2], gap="large")
    with left:
        st.subheader("What-ifs vs the baseline")
        st.dataframe(comparison_rows(named, baseline), hide_index=True, width="stretch")
        if approved_note:
            st.caption(approved_note)
        if len(named) == 1:
            st.caption("Keep what-ifs from the Plan page to compare them here.")
    with right:
        st.subheader("Where the money goes")
        st.altair_chart(cost_chart(result))

if not presenting:
    params = "&".join(f"{k}={st.query_params[k]}" for k in WHATIF_KEYS if k in st.query_params)
    saved = st.session_state.get("whatif") or {}
    if not params and saved:
        params = "&".join(
            f"{k}={v}" for k, v in saved.items() if v is not None and v != float("inf")
        )
    st.link_button(
        "Present (full screen, large type)",
        f"executive?present=1{'&' + params if params else ''}",
        icon=":material/slideshow:",
    )
    st.divider()
    scorecard_section(planned, result)
    st.divider()
    tradeoffs_section()
    st.divider()
    business_plan_section(
        planned,
        result,
        demand_review_signed_off=cycle is None or cycle.step("demand").signed_off,
    )
    st.divider()
    shown_as = "Current what-if" if result is not baseline else "Baseline"
    others = {k: v for k, v in named.items() if v is not result}
    pack_title = f"{pd.Timestamp.now(tz='UTC'):%Y-%m} S&OP meeting pack"
    meeting_pack_section(
        lambda progress: build_pack(
            workbench(),
            state().name,
            planned,
            result,
            title=pack_title,
            plan_name=shown_as,
            alternatives=others,
            progress=progress,
        ),
        title=pack_title,
        fingerprint=(
            shown_as,
            result.total_cost,
            tuple((k, v.total_cost) for k, v in others.items()),
        ),
    )
