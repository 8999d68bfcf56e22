"""Shared UI helpers of the workbench pages: session state, the what-if, formatting, charts.

Presentation only: every number shown comes from ``sop_core``.

Shared session-state keys (the company's are documented in :mod:`pages._workspace`):

``planners``         shape -> :class:`~sop_core.planner.Planner`, this session's compiled models
``whatif``           the Plan page's last what-if settings (a :class:`WhatIf` as a dict)
"""

from __future__ import annotations

from typing import Any

import altair as alt
import numpy as np
import pandas as pd
import streamlit as st

from sop_core import exports
from sop_core.errors import InputError
from sop_core.kpis import KPIS, TILES, delta, delta_colour, show
from sop_core.planner import KPI_LABELS, Planner, PlanResult
from sop_core.scenario import Scenario
from sop_core.text import md_escape
from sop_core.whatif import WHATIF_KEYS, WhatIf, whatif_from_params

SOURCE_COLOURS = {
    "Regular time": "#1f77b4",
    "Overtime": "#ff7f0e",
    "Subcontracting": "#9467bd",
    "Demand (consensus)": "#111111",
    "Inventory": "#2ca02c",
    "Backlog": "#d62728",
}
COST_NAMES = exports.COST_LABELS  # one table of cost names: pages and downloads


# --------------------------------------------------------------------------- session


def ensure_entry_point() -> None:
    """Run this page through ``app.py`` even on a server's very first visit to its URL.

    Streamlit 1.67 treats an app with a ``pages/`` folder as an old-style multipage app
    until the entry file has called ``st.navigation`` once in the process: a first visit
    straight to ``/capacity`` would run the page alone (no sidebar, no shared state, the
    folder's helper modules listed as pages). Clear that flag and rerun through app.py.
    Proposed proper fix: rename ``pages/`` to ``views/`` (see the report)."""
    from streamlit import config
    from streamlit.runtime.pages_manager import PagesManager

    # AppTest resets the flag before every run, so a rerun there would only drop clicks
    if config.get_option("global.appTest"):
        return
    if getattr(PagesManager, "uses_pages_directory", False):
        PagesManager.uses_pages_directory = False
        st.rerun()


def presenting() -> bool:
    """Presentation mode: ``?present=1`` in the URL (wide, large type, no controls)."""
    return st.query_params.get("present") in ("1", "true", "yes")


def planner_for(scenario: Scenario) -> Planner:
    """This session's compiled model for the scenario's shape (built once per shape).

    A Planner holds a mutable HiGHS model, so it lives in the session, never in a
    process-wide cache; a session runs one script at a time."""
    planners: dict[Any, Planner] = st.session_state.setdefault("planners", {})
    for planner in planners.values():
        if planner.accepts(scenario):
            return planner
    if len(planners) >= 4:
        planners.pop(next(iter(planners)))
    planner = Planner(scenario)
    planners[planner.key] = planner
    return planner


# --------------------------------------------------------------------------- the what-if


def session_whatif(scenario: Scenario) -> WhatIf:
    """The what-if the Executive page shows: the URL's if it names one (bad values
    ignored), else the Plan page's."""
    if any(k in st.query_params for k in WHATIF_KEYS):
        return whatif_from_params(st.query_params.to_dict())
    saved = st.session_state.get("whatif")
    return WhatIf(**saved) if saved else WhatIf()


# --------------------------------------------------------------------------- formatting


def kpi_tiles(result: PlanResult, baseline: PlanResult | None = None, *, large: bool = False):
    """The KPI tiles (:data:`sop_core.kpis.TILES`), each with its change vs the baseline:
    the arrow follows the sign, the colour whether that change is good."""
    cols = st.columns(len(TILES))
    base = baseline.kpis if baseline is not None and baseline.optimal else {}
    for col, key in zip(cols, TILES, strict=True):
        value = result.kpis.get(key)
        col.metric(
            KPIS[key].label,
            show(key, value, compact=True),
            delta=delta(key, value, base.get(key), compact=True) if base else None,
            delta_color=delta_colour(key),
            help=f"{KPI_LABELS.get(key, key)}: {show(key, value)}",
            border=True,
        )


def show_input_error(exc: InputError, what: str) -> None:
    st.error(f"{what}:\n\n" + "\n".join(f"- {md_escape(p)}" for p in exc.problems))


# --------------------------------------------------------------------------- balance


BALANCE_SERIES = {  # supply_by_source column -> (legend name, layer, stacking order)
    "regular": ("Regular time", "supply", 0),
    "overtime": ("Overtime", "supply", 1),
    "subcontract": ("Subcontracting", "supply", 2),
    "demand": ("Demand (consensus)", "level", 0),
    "inventory": ("Inventory", "level", 1),
    "backorder": ("Backlog", "level", 2),
}


def balance_frame(result: PlanResult, family: str | None = None) -> pd.DataFrame:
    """The balance chart's data: one row per period and series (units), long format.

    Columns: period, source (legend name), kind ("supply": stacked bars, "level": lines),
    order (stacking order), units. Built from :meth:`PlanResult.supply_by_source`."""
    df = result.supply_by_source(family)
    n = len(df)
    return pd.DataFrame(
        {
            "period": np.tile(df["period"].to_numpy(), len(BALANCE_SERIES)),
            "source": np.repeat([v[0] for v in BALANCE_SERIES.values()], n),
            "kind": np.repeat([v[1] for v in BALANCE_SERIES.values()], n),
            "order": np.repeat([v[2] for v in BALANCE_SERIES.values()], n),
            "units": np.concatenate([df[c].to_numpy(dtype=float) for c in BALANCE_SERIES]),
        }
    )


@st.cache_data(max_entries=32, show_spinner=False)
def balance_spec(periods: tuple[str, ...], y_title: str, large: bool, height: int) -> dict:
    """The balance chart's Vega-Lite spec without its data, built once per layout.

    Demand (line) against supply stacked by source, with inventory and backlog (dashed).
    A slider move changes only the data (:func:`balance_frame`): validating an Altair
    chart costs ~100 ms, more than the whole re-solve, so the spec is built once. The
    cache hands out a fresh copy on every call (Streamlit edits the spec it is given)."""
    colour = alt.Color(
        "source:N",
        title=None,
        scale=alt.Scale(domain=list(SOURCE_COLOURS), range=list(SOURCE_COLOURS.values())),
        legend=alt.Legend(  # large: two rows, so that the legend fits a projector's half
            orient="top",
            labelFontSize=16 if large else 13,
            symbolSize=200,
            columns=3 if large else alt.Undefined,
        ),
    )
    axis = alt.Axis(labelAngle=-45) if large else alt.Undefined
    x = alt.X("period:O", sort=list(periods), title=None, axis=axis)
    tooltip = ["period:O", "source:N", alt.Tooltip("units:Q", format=",.0f")]
    base = alt.Chart()  # the data comes with each render
    stacked = (
        base.transform_filter(alt.datum.kind == "supply")
        .mark_bar(opacity=0.9)
        .encode(
            x=x,
            y=alt.Y("sum(units):Q", title=y_title, stack="zero"),
            color=colour,
            order=alt.Order("order:Q"),
            tooltip=tooltip,
        )
    )
    dash = alt.StrokeDash(
        "source:N",
        scale=alt.Scale(
            domain=["Demand (consensus)", "Inventory", "Backlog"], range=[[1, 0], [8, 4], [3, 3]]
        ),
        legend=None,
    )
    line = (
        base.transform_filter(alt.datum.kind == "level")
        .mark_line(  # points only for projection: fewer marks to redraw on a slider move
            strokeWidth=5 if large else 3, point=alt.OverlayMarkDef(size=90) if large else False
        )
        .encode(x=x, y=alt.Y("units:Q"), color=colour, strokeDash=dash, tooltip=tooltip)
    )
    font = 16 if large else 13
    spec = (
        alt.layer(stacked, line)
        .properties(height=height)
        .configure_axis(labelFontSize=font, titleFontSize=font, grid=True)
        .configure_view(strokeWidth=0)
        .to_dict()
    )
    spec.pop("datasets", None)  # Altair names an empty dataset for data-less charts:
    for layer in spec["layer"]:  # drop it, so that the layers use the rendered data
        layer.pop("data", None)
    return spec


def balance_chart(
    result: PlanResult,
    periods: list[str],
    *,
    family: str | None = None,
    large: bool = False,
    height: int = 380,
    key: str | None = None,
) -> None:
    """Show the balance chart of ``result``: supply by source against demand, in units."""
    y_title = "Units per period" + (f" – {family}" if family else "")
    spec = balance_spec(tuple(periods), y_title, large, height)
    st.vega_lite_chart(balance_frame(result, family), spec, key=key)


def cost_chart(result: PlanResult, *, large: bool = False) -> alt.Chart:
    df = pd.DataFrame(
        {
            "category": [COST_NAMES.get(k, k) for k in result.cost_breakdown],
            "cost": list(result.cost_breakdown.values()),
        }
    )
    df = df[df["cost"].abs() > 0.5]
    font = 15 if large else 12
    return (
        alt.Chart(df)
        .mark_bar()
        .encode(
            y=alt.Y("category:N", sort="-x", title=None),
            x=alt.X("cost:Q", title=None, axis=alt.Axis(format="$~s")),
            tooltip=["category:N", alt.Tooltip("cost:Q", format="$,.0f")],
        )
        .properties(height=min(30 + 26 * len(df), 216) if large else 40 + 28 * len(df))
        .configure_axis(labelFontSize=font, titleFontSize=font, labelLimit=0)  # no "…" labels
    )


# --------------------------------------------------------------------------- downloads


def plan_table(result: PlanResult) -> pd.DataFrame:
    """The plan as one readable table (see :func:`sop_core.exports.plan_table`)."""
    return exports.plan_table(result)


def whatif_settings(scenario: Scenario, whatif: WhatIf) -> pd.DataFrame:
    """The downloads' what-if block: the levers as applied to ``scenario``."""
    months = whatif.safety_months
    safety = f"{months:g} months of cover" if months > 0 else "as in the scenario"
    return exports.whatif_settings(
        whatif.apply(scenario), whatif.describe(scenario), {"Safety stock": safety}
    )


def download_buttons(result: PlanResult, scenario: Scenario, whatif: WhatIf, key: str) -> None:
    """CSV and Excel downloads of the what-if's plan, built only when clicked."""
    stem = exports.file_stem(scenario.name, whatif.describe(scenario))
    c1, c2 = st.columns(2)
    c1.download_button(
        "Download plan (CSV)",
        data=lambda: exports.plan_csv(result, whatif_settings(scenario, whatif)),
        file_name=f"{stem}.csv",
        mime="text/csv",
        on_click="ignore",
        key=f"{key}_csv",
        icon=":material/download:",
    )
    c2.download_button(
        "Download plan (Excel)",
        data=lambda: exports.plan_excel(result, whatif_settings(scenario, whatif)),
        file_name=f"{stem}.xlsx",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        on_click="ignore",
        key=f"{key}_xlsx",
        icon=":material/table_view:",
    )


def present_css() -> None:
    """Large type for projection (a room reads 20 px+ text, not 14 px) that still fits a
    1280×720 projector: no blank header above the title, tiles that hold their values."""
    st.html(
        """<style>
        [data-testid="stHeader"] { display: none; }
        [data-testid="stMetricValue"] { font-size: 2.6rem !important; }
        [data-testid="stMetricLabel"] p { font-size: 1.2rem !important; }
        [data-testid="stMetricDelta"] { font-size: 1.1rem !important; }
        .stMainBlockContainer { padding: 1rem 2.5rem; max-width: 100%; }
        h1 { font-size: 2.2rem !important; padding: 0 !important; overflow: hidden;
             display: -webkit-box; -webkit-box-orient: vertical; -webkit-line-clamp: 2; }
        p, li { font-size: 1.2rem; }
        </style>"""
    )


def solve_whatif(scenario: Scenario, whatif: WhatIf) -> PlanResult:
    """The plan of ``whatif`` on ``scenario``, inside the time fence if it has one (the
    same plan the Plan page shows)."""
    from pages._supply import time_fence  # _supply draws with this module's helpers

    planned = whatif.apply(scenario)
    return planner_for(planned).solve(planned, time_fence(planned))
