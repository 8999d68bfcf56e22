"""The Executive page's "Trade-offs" section: what one more point of fill rate costs,
what moves the plan most, and how likely the plan is to hold under uncertain demand.

One render function, :func:`tradeoffs_section`, for the page to call (and presentation
mode, with ``presenting=True``: no controls, the frontier alone). It reads the company's
plan as it stands through :mod:`sop_core.services.tradeoffs` and draws the charts of
:mod:`sop_core.reports.tradeoff_charts`. Results are kept in the session per company
revision and settings (a bounded cache), so a rerun of the page does not re-solve them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pandas as pd
import streamlit as st

from pages._common import number_column
from pages._workspace import state, workbench
from sop_core.analysis.frontier import AIMS, HEADLINE_AIMS, Frontier, headline_frontier
from sop_core.analysis.risk import headline, paths_frame, safety_stock_frame, summary_frame
from sop_core.analysis.sensitivity import tornado_frame
from sop_core.base.errors import InputError
from sop_core.base.fields import header, label, show_value
from sop_core.base.text import md_escape
from sop_core.reports.charts import cost_chart
from sop_core.reports.tradeoff_charts import frontier_chart, risk_chart, tornado_chart
from sop_core.services import plans, tradeoffs

#: Results kept per session (company, revision, what, settings).
KEPT = 8
KEY = "tradeoffs_cache"


def _kept(key: tuple, make: Callable[[], Any]) -> Any:
    """``make()`` once per ``key`` in this session (the newest :data:`KEPT` kept)."""
    cache: dict = st.session_state.setdefault(KEY, {})
    if key not in cache:
        cache[key] = make()
        while len(cache) > KEPT:
            cache.pop(next(iter(cache)))
    return cache[key]


def _company_key() -> tuple[str, int]:
    s = state()
    return (s.name, s.revision)


def _marks(aim: str) -> pd.DataFrame:
    """The plan as it stands and the kept what-ifs, at their level of ``aim``."""
    wb, company = workbench(), state().name
    rows = []
    names = [None, *state().whatifs]
    for name in names[:6]:
        try:
            plan = plans.company_plan(wb, company, name)
        except InputError:
            continue
        if plan.result.optimal:
            rows.append(
                {
                    "name": "Plan as it stands" if name is None else name,
                    "level": AIMS[aim].of(plan.result),
                    "total_cost": plan.result.total_cost,
                }
            )
    return pd.DataFrame(rows, columns=["name", "level", "total_cost"])


def _company_frontier(aim: str, points: int) -> Frontier:
    """The company's frontier against ``aim`` (kept per company revision)."""
    company = _company_key()
    return _kept(
        (*company, "frontier", aim, points),
        lambda: tradeoffs.frontier_of(workbench(), company[0], aim, points=points),
    )[1]


def _frontier(presenting: bool) -> None:
    aims = list(AIMS)
    if presenting:  # the meeting's frontier: cost against service, else against inventory
        points = 21
        try:
            aim = headline_frontier(lambda a: _company_frontier(a, points)).aim
        except InputError:
            aim = HEADLINE_AIMS[0]  # said below
    else:
        left, right = st.columns([2, 1])
        aim = left.selectbox(
            "Second aim", aims, format_func=label, key="tradeoffs_aim",
            help="The plan's cost against this: the cheapest plan at each level",
        )  # fmt: skip
        points = right.slider("Points", 5, 41, 21, step=2, key="tradeoffs_points")
    company = _company_key()
    try:
        f = _company_frontier(aim, points)
        marks = _kept((*company, "marks", aim), lambda: _marks(aim))
    except InputError as exc:
        st.warning(md_escape(str(exc)))
        return
    frame = f.frame()
    st.altair_chart(frontier_chart(frame, aim, marks=marks), width="stretch")
    sentences = f.marginal_prices()
    if len(f.points) == 1:
        st.caption(
            f"The plan is already at the best {label(aim).lower()} it can reach: "
            f"{show_value(aim, f.points[0].level)}."
        )
    elif sentences:
        dearest = max(range(len(sentences)), key=lambda i: frame["step_cost"].iloc[i + 1])
        st.markdown(
            f"- {md_escape(sentences[0])}\n- {md_escape(sentences[-1])}"
            + (f"\n- Dearest step: {md_escape(sentences[dearest])}" if len(sentences) > 2 else "")
        )
    if presenting:
        return
    chosen = st.selectbox(
        "Open a point",
        list(range(len(f.points))),
        format_func=lambda i: (
            f"Point {i + 1}: {show_value(aim, f.points[i].level)} "
            f"{label(aim).lower()}, {show_value('total_cost', f.points[i].cost)}"
        ),
        key="tradeoffs_point",
    )
    point = f.points[chosen]
    if point.optimal:
        k = point.plan.kpis
        cols = st.columns(3)
        for col, key in zip(cols, ("total_cost", "fill_rate", "average_inventory"), strict=True):
            col.metric(label(key), show_value(key, k[key]))
        st.page_link(
            "pages/plan.py",
            label="Open this plan on the Plan page",
            icon=":material/open_in_new:",
            query_params={"aim": aim, "aim_level": repr(float(point.level))},
            help="The Plan page holds it there: move the levers around it, keep it as a what-if",
        )
        st.altair_chart(cost_chart(point.plan), width="stretch")


def _tornado() -> None:
    change = st.slider("Move each input by ± (%)", 5, 30, 10, step=5, key="tradeoffs_change")
    company = _company_key()
    try:
        _, t = _kept(
            (*company, "tornado", change),
            lambda: tradeoffs.sensitivity_of(workbench(), company[0], change=change / 100),
        )
    except InputError as exc:
        st.warning(md_escape(str(exc)))
        return
    frame = tornado_frame(t)
    st.altair_chart(tornado_chart(frame, t.base.total_cost), width="stretch")
    config = {"parameter": st.column_config.TextColumn(header("parameter"))}
    config |= {c: number_column(c) for c in frame.columns if c not in ("parameter",)}
    shown = frame.drop(columns="change_pct")
    for c in ("fill_rate_low", "fill_rate_high"):
        shown[c] = shown[c].map(lambda x: show_value("fill_rate", x))
        config[c] = st.column_config.TextColumn(header(c))
    st.dataframe(shown, hide_index=True, column_config=config, key="tradeoffs_tornado")


def _risk() -> None:
    left, mid, right = st.columns(3)
    draws = left.select_slider("Demand paths", [100, 250, 500, 1000], 250, key="tradeoffs_draws")
    source = mid.radio(
        "Spread of demand",
        ["forecast", "share"],
        format_func=lambda x: "The forecast's 80 % intervals" if x == "forecast" else "A share",
        key="tradeoffs_source",
    )
    cv = (
        right.number_input("σ as % of demand", 1.0, 100.0, 10.0, key="tradeoffs_cv") / 100
        if source == "share"
        else None
    )
    target = st.slider("Service target (fill rate, %)", 80, 100, 95, key="tradeoffs_target")
    company = _company_key()
    key = (*company, "risk", draws, source, cv, target)
    cache = st.session_state.setdefault(KEY, {})
    if key not in cache and not st.button("Run", key="tradeoffs_run"):
        st.caption("Runs the plan against each path, and re-plans each: a few seconds.")
        return
    bar = st.progress(0.0, text="Demand paths")

    def progress(done: int, total: int) -> None:
        bar.progress(done / max(total, 1), text=f"Demand paths: {done:,} of {total:,}")

    try:
        _, run = _kept(
            key,
            lambda: tradeoffs.risk_of(
                workbench(), company[0], cv=cv, draws=draws, service_target=target / 100,
                progress=progress,
            ),
        )  # fmt: skip
    except InputError as exc:
        bar.empty()
        st.warning(md_escape(str(exc)))
        return
    bar.empty()
    head = headline(run)
    cols = st.columns(3)
    cols[0].metric(label("p_meets_target"), show_value("p_meets_target", head["p_meets_target"]))
    summary = summary_frame(run).set_index("statistic")
    cols[1].metric(
        "Median " + label("fixed_fill_rate").lower(),
        show_value("fill_rate", summary.loc["median", "fixed_fill_rate"]),
    )
    cols[2].metric(
        "95th percentile " + label("fixed_peak_backlog").lower(),
        show_value("units", summary.loc["95th percentile", "fixed_peak_backlog"]),
    )
    paths = paths_frame(run)
    a, b = st.columns(2)
    a.altair_chart(risk_chart(paths, "fixed_fill_rate", target=target / 100))
    b.altair_chart(risk_chart(paths, "replan_cost"))
    stock = safety_stock_frame(run)
    st.dataframe(
        stock,
        hide_index=True,
        column_config={
            "family": st.column_config.TextColumn(header("family")),
            "extra_safety_stock": number_column("extra_safety_stock"),
        },
        key="tradeoffs_stock",
    )


def tradeoffs_section(*, presenting: bool = False) -> None:
    """The section: the frontier; without ``presenting``, also the tornado and the risk
    run, each in a tab."""
    if presenting:  # the projected view's title says it
        _frontier(True)
        return
    st.subheader("Trade-offs")
    tabs = st.tabs(["Cost against a second aim", "What moves the plan most", "Uncertain demand"])
    with tabs[0]:
        _frontier(False)
    with tabs[1]:
        _tornado()
    with tabs[2]:
        _risk()
