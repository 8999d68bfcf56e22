"""Plan: move the levers, the plan re-solves live on the compiled model.

The sliders are bound to the URL (``?overtime=15&safety_months=1``), so a copied link
reproduces the what-if. Everything below the levers lives in one ``st.fragment``: a
slider move reruns the fragment only, which re-solves the session's compiled model warm.
"""

from __future__ import annotations

import math
import time
from collections import OrderedDict

import pandas as pd
import streamlit as st

from pages._access import explain, guarded
from pages._common import (
    COST_NAMES,
    balance_chart,
    download_buttons,
    ensure_entry_point,
    kpi_tiles,
    plan_table,
    planner_for,
)
from pages._supply import fence_note, fenced_balance_chart, time_fence
from pages._workspace import (
    approved_plan,
    author,
    confirm,
    confirmation,
    current_scenario,
    set_state,
    state,
    workbench,
)
from sop_core.base.errors import InputError
from sop_core.base.text import md_escape
from sop_core.engine.kpis import money
from sop_core.engine.planner import PlanResult
from sop_core.engine.results import shadow_price_sentences
from sop_core.model.scenario import STRATEGIES, Scenario
from sop_core.model.whatif import AIM_KEYS, WHATIF_KEYS, WhatIf, whatif_from_params
from sop_core.reports.charts import cost_chart, strategies_chart, strategies_table
from sop_core.services import plans

ensure_entry_point()


def lever_ranges(s: Scenario) -> dict[str, float]:
    """Slider bounds wide enough for any sensible what-if on this scenario."""
    wf = s.workforce
    peak_hours = max(
        sum(f.demand[t] * f.labor_hours_per_unit for f in s.families) for t in range(s.horizon)
    )
    peak_workers = peak_hours / wf.regular_hours_per_worker
    top = max(wf.initial, peak_workers, wf.max_workers or 0, wf.min_workers or 0) * 1.5
    step = 1 if top < 200 else 5 if top < 1000 else 10
    top = step * math.ceil(top / step)
    ot = wf.max_overtime_hours_per_worker
    ot_top = max(40.0, 2 * (ot or 0.0))
    return {"workers_top": float(top), "workers_step": float(step), "overtime_top": ot_top}


def baseline_result(
    s: Scenario, scenario: Scenario, result: PlanResult, approved: PlanResult | None = None
) -> PlanResult:
    """The scenario's own plan, solved once per scenario and kept in the session.

    ``result`` is the plan of ``scenario`` (the what-if); when the levers leave the
    scenario as it is, as on a first visit, it is the baseline too: no second solve."""
    cached = st.session_state.get("plan_baseline")
    if cached is not None and cached[0] is s:
        return cached[1]
    baseline = result if scenario == s else plans.solve_plan(s, approved, planner=planner_for(s))
    st.session_state.plan_baseline = (s, baseline)
    return baseline


def restore_levers(defaults: dict[str, object]) -> None:
    """Coming back from another page: put the levers where the user left them."""
    saved = st.session_state.get("whatif") or {}
    if saved.get("aim") and "aim" not in st.query_params:  # the point held, kept too
        st.query_params.update({k: str(saved[k]) for k in AIM_KEYS})
    for key in WHATIF_KEYS:
        value = saved.get(key)
        if key not in st.session_state and key not in st.query_params and value is not None:
            if key == "workers_max" and not math.isfinite(value):
                continue
            if value != defaults[key]:
                st.session_state[key] = value


def set_levers(whatif: WhatIf, top: float) -> None:
    """Move the sliders to ``whatif`` (a button's callback: before the widgets are drawn);
    no ceiling is the slider's right end."""
    ss = st.session_state
    for key in ("overtime", "workers_min", "safety_months"):
        value = getattr(whatif, key)
        if value is not None:
            ss[key] = float(value)
    if whatif.workers_max is not None:
        ss["workers_max"] = float(min(whatif.workers_max, top))


def found_fix(s: Scenario, approved: PlanResult | None, whatif: WhatIf, result: PlanResult):
    """:func:`sop_core.services.plans.one_click_fix` (up to a few dozen solves), once per
    scenario, fence and what-if in this session: a rerun of the same infeasible what-if
    (another widget moved) does not search again."""
    key = (id(s), id(approved), tuple(sorted(whatif.to_dict().items())))
    kept = st.session_state.get("plan_fix_found")
    if kept is None or kept[0] != key:
        kept = (key, plans.one_click_fix(s, approved, whatif, result, planner=planner_for(s)))
        st.session_state.plan_fix_found = kept
    return kept[1]


def infeasible_view(
    s: Scenario, whatif: WhatIf, result: PlanResult, approved: PlanResult | None
) -> None:
    """Why no plan fits, said once, the change of one lever that makes it fit (found by
    solving it) as a button, and the best plan with the limits relaxed, marked as such."""
    st.error(f"**No feasible plan with these levers.** {md_escape(result.message)}")
    more = [line for line in result.diagnosis if line not in result.message]
    if more:
        st.markdown("\n".join(f"- {md_escape(line)}" for line in more[:8]))
    fix = found_fix(s, approved, whatif, result)
    if fix is not None:
        st.button(
            fix.label,
            type="primary",
            icon=":material/build:",
            key="plan_fix",
            on_click=set_levers,
            args=(fix.whatif, lever_ranges(s)["workers_top"]),
            help="Moves that lever; the plan is solved again at once.",
        )
    else:
        st.info("No change of one lever makes it feasible: loosen the limits named above.")
    relaxed = result.relaxed_plan
    if relaxed is not None:
        st.caption(
            "**Not a plan:** the chart shows the best plan with the limits relaxed as "
            "listed above, to see where it breaks."
        )
        balance_chart(relaxed, s.period_labels, key="plan_balance")


def levers(s: Scenario) -> WhatIf:
    wf = s.workforce
    r = lever_ranges(s)
    top = r["workers_top"]
    defaults = {
        "overtime": float(min(wf.max_overtime_hours_per_worker or r["overtime_top"], 1e9)),
        "workers_min": float(wf.min_workers or 0.0),
        "workers_max": float(min(wf.max_workers, top) if wf.max_workers is not None else top),
        "safety_months": 0.0,
        "strategy": s.policy.strategy,
    }
    restore_levers(defaults)
    overtime = st.slider(
        "Max overtime (hours per worker per period)",
        0.0,
        r["overtime_top"],
        defaults["overtime"],
        step=1.0,
        key="overtime",
        bind="query-params",
        format="%.0f h",
    )
    workers_min = st.slider(
        "Workforce floor (workers)",
        0.0,
        top,
        defaults["workers_min"],
        step=r["workers_step"],
        key="workers_min",
        bind="query-params",
        format="%.0f",
    )
    workers_max = st.slider(
        "Workforce ceiling (workers; right end = no limit)",
        0.0,
        top,
        defaults["workers_max"],
        step=r["workers_step"],
        key="workers_max",
        bind="query-params",
        format="%.0f",
    )
    safety = st.slider(
        "Safety stock (months of next period's demand; 0 = scenario's own)",
        0.0,
        3.0,
        0.0,
        step=0.25,
        key="safety_months",
        bind="query-params",
        format="%.2f",
    )
    strategy = st.radio(
        "Strategy",
        STRATEGIES,
        index=STRATEGIES.index(defaults["strategy"]),
        help="Optimal: lowest total cost. Level: a steady workforce. "
        "Chase: make each period's demand.",
        horizontal=True,
        key="strategy",
        bind="query-params",
    )
    held = whatif_from_params(st.query_params)  # a frontier point opened here, if any
    whatif = WhatIf(
        overtime=overtime,
        workers_min=workers_min,
        workers_max=math.inf if workers_max >= top and wf.max_workers is None else workers_max,
        safety_months=safety,
        strategy=strategy,
        aim=held.aim,
        aim_level=held.aim_level,
    )
    if whatif.held:
        st.info(
            f"**Held at a trade-off point:** the cheapest plan with {whatif.aim_words()} "
            "(a point of the Executive page's frontier), with the levers above.",
            icon=":material/timeline:",
        )
        st.button("Let go of it", key="plan_aim_off", on_click=let_go_of_the_aim)
    st.session_state.whatif = whatif.to_dict()
    return whatif


def let_go_of_the_aim() -> None:
    """Plan without the trade-off point again (a button's callback)."""
    for key in AIM_KEYS:
        st.query_params.pop(key, None)
    saved = st.session_state.get("whatif") or {}
    st.session_state.whatif = {**saved, "aim": None, "aim_level": None}


STRATEGIES_KEPT = 16
DETAILS = ("Cost breakdown", "Plan table", "Optimal vs level vs chase", "Shadow prices")


def compared_strategies(s: Scenario, whatif: WhatIf) -> dict[str, PlanResult]:
    """Optimal, level and chase plans of a what-if, solved once per what-if and scenario.

    Kept in the session (a Planner is per session); the strategy lever itself does not
    change the comparison, so it is not part of the key."""
    kept: OrderedDict = st.session_state.setdefault("plan_strategies", OrderedDict())
    key = (id(s), tuple(sorted((k, v) for k, v in whatif.changes().items() if k != "strategy")))
    hit = kept.get(key)
    if hit is not None and hit[0] is s:
        kept.move_to_end(key)
        return hit[1]
    scenario = whatif.apply(s)
    compared = planner_for(scenario).compare_strategies(scenario, time_fence(scenario))
    kept[key] = (s, compared)
    while len(kept) > STRATEGIES_KEPT:
        kept.popitem(last=False)
    return compared


def details(view: str | None, s: Scenario, whatif: WhatIf, result: PlanResult) -> None:
    """The one detail view the user chose; the others cost nothing on a slider move."""
    if view == "Cost breakdown":
        c1, c2 = st.columns([2, 1])
        c1.altair_chart(cost_chart(result))
        c2.dataframe(
            pd.DataFrame(
                {"Cost": [money(v) for v in result.cost_breakdown.values()]},
                index=[COST_NAMES.get(k, k) for k in result.cost_breakdown],
            ),
        )
    elif view == "Plan table":
        st.dataframe(plan_table(result), hide_index=True, height=320)
        download_buttons(result, s, whatif, key="plan_dl")
    elif view == "Optimal vs level vs chase":
        compared = compared_strategies(s, whatif)
        st.dataframe(strategies_table(compared), hide_index=True)
        st.altair_chart(strategies_chart(compared))
    elif view == "Shadow prices":
        sentences = shadow_price_sentences(result)
        if sentences:
            st.markdown("\n".join(f"- {line}" for line in sentences))
        else:
            st.write("No labour or resource hour is scarce: one more would save nothing.")
    else:
        st.caption("Pick a view above to see more of the plan.")


@st.fragment
def live_plan() -> None:
    """Levers, KPI tiles, the balance chart and the chosen detail view.

    A lever move reruns this fragment only: one warm re-solve, the tiles, the chart's data
    (its spec is cached) and the open detail view, if any. It holds as few elements as it
    can, since the browser redraws each of them on every move. The tiles span the page
    above levers and chart (written after the solve, into a container placed first); the
    status line under them is written last, so it changes when the whole update is sent."""
    started = time.perf_counter()
    s = current_scenario()
    tiles = st.container()  # full width above levers and chart, so the figures fit
    left, right = st.columns([1, 3], gap="large")
    with left:
        whatif = levers(s)
    scenario = whatif.apply(s)
    approved = approved_plan()
    t0 = time.perf_counter()  # fixed: the first periods as last approved, if fenced
    result, fixed = plans.solve_fenced(s, approved, whatif, planner=planner_for(scenario))
    solve_ms = 1000 * (time.perf_counter() - t0)
    baseline = baseline_result(s, scenario, result, approved)
    with right:
        if not result.optimal:  # no tiles: there is no plan to put figures on
            status = tiles.container(key="plan_status")
            infeasible_view(s, whatif, result, approved)
        else:
            with tiles:
                kpi_tiles(result, baseline)
                status = st.container(key="plan_status")
            families = ["All families", *s.family_names]
            family = st.selectbox("Show", families, key="plan_family", label_visibility="collapsed")
            note = fence_note(scenario, fixed)
            if note:
                st.caption(note)
            if fixed is not None:
                fenced_balance_chart(
                    result,
                    s.period_labels,
                    scenario.policy.frozen_periods,
                    family=None if family == families[0] else family,
                    key="plan_balance",
                )
            else:
                balance_chart(
                    result,
                    s.period_labels,
                    family=None if family == families[0] else family,
                    key="plan_balance",
                )
    if result.optimal:
        view = st.segmented_control(
            "Details",
            DETAILS,
            default="Shadow prices",
            key="plan_view",
            help="Each view is computed only while it is shown.",
        )
        details(view, s, whatif, result)
    run = st.session_state.get("plan_runs", 0) + 1
    st.session_state.plan_runs = run
    status.caption(
        f"What-if: {whatif.describe(s)} · plan solved in {solve_ms:.1f} ms · page updated "
        f"in {1000 * (time.perf_counter() - started):.0f} ms · run {run}"
    )


def keep_current_whatif() -> None:
    """Name the current what-if and keep it: a draft in the scenario store, listed on the
    Executive and Scenarios pages, undoable (outside the fragment: a rare click may rerun
    the page, a slider move should not redraw these)."""
    with st.popover("Keep this what-if…", icon=":material/bookmark_add:"):
        name = st.text_input(
            "Name this what-if", key="plan_whatif_name", placeholder="e.g. More OT"
        )
        note = st.text_input("Why (optional)", key="plan_whatif_note")
        explain("whatif")
        if st.button(
            "Keep it",
            key="plan_keep",
            icon=":material/bookmark_add:",
            **guarded("whatif"),
        ):
            s = current_scenario()
            whatif = WhatIf(**(st.session_state.whatif or {}))
            label = name.strip() or f"{s.name} – what-if {len(state().whatifs) + 1}"
            try:  # stored with the KPIs of the plan shown: the same fenced solve
                new, _ = plans.keep_whatif(
                    workbench(),
                    state().name,
                    label,
                    s,
                    whatif,
                    author=author(),
                    approved=approved_plan(),
                    note=note.strip(),
                    planner=planner_for(whatif.apply(s)),
                )
            except InputError as exc:
                st.error("Not kept: " + "; ".join(p.message for p in exc.problems))
            else:
                set_state(new)
                confirm(
                    "plan_keep",
                    f"Kept “{md_escape(label)}”.",
                    ("pages/executive.py", "compare it with the plan on the Executive page"),
                )
    confirmation("plan_keep")


st.title("Plan")
st.caption(
    "The S&OP workbench balances your forecast demand per product family with capacity "
    "in the cheapest plan: move a lever and it re-plans at once; the URL keeps the "
    "levers, so a copied link shares the what-if."
)
keep_current_whatif()
live_plan()
