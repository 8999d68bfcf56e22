"""Shared UI helpers of the workbench pages: session state, the what-if, formatting, charts.

Presentation only: every number shown comes from ``sop_core``.

Shared session-state keys (the company's are documented in :mod:`pages._workspace`):

``planners``         shape -> :class:`~sop_core.engine.planner.Planner`, this session's
                     compiled models
``whatif``           the Plan page's last what-if settings (a :class:`WhatIf` as a dict)
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from pages._workspace import approved_plan
from sop_core.base.errors import InputError
from sop_core.base.fields import header, term
from sop_core.base.text import md_escape
from sop_core.engine.kpis import KPIS, TILES, delta, delta_colour, show
from sop_core.engine.planner import KPI_LABELS, Planner, PlanResult
from sop_core.model.scenario import Scenario
from sop_core.model.whatif import WHATIF_KEYS, WhatIf, whatif_from_params
from sop_core.reports import charts, exports
from sop_core.reports.charts import balance_frame
from sop_core.services import plans

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
    """The KPI tiles (:data:`sop_core.engine.kpis.TILES`), each with its change vs the baseline:
    the arrow follows the sign, the colour whether that change is good."""
    cols = st.columns(len(TILES))
    base = baseline.kpis if baseline is not None and baseline.optimal else {}
    for col, key in zip(cols, TILES, strict=True):
        value = result.kpis.get(key)
        col.metric(
            KPIS[key].tile,
            show(key, value, compact=True),
            delta=delta(key, value, base.get(key), compact=True) if base else None,
            delta_color=delta_colour(key),
            help=f"{KPI_LABELS.get(key, key)}: {show(key, value)}",
            border=True,
        )


def show_input_error(exc: InputError, what: str) -> None:
    st.error(f"{what}:\n\n" + "\n".join(f"- {md_escape(p)}" for p in exc.problems))


# --------------------------------------------------------------------------- balance


@st.cache_data(max_entries=32, show_spinner=False)
def balance_spec(periods: tuple[str, ...], y_title: str, large: bool, height: int) -> dict:
    """:func:`sop_core.reports.charts.balance_spec`, built once per layout (the cache hands out a
    fresh copy on every call: Streamlit edits the spec it is given)."""
    return charts.balance_spec(periods, y_title, large, height)


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
    spec = balance_spec(tuple(periods), charts.balance_title(family), large, height)
    st.vega_lite_chart(balance_frame(result, family), spec, key=key)


# --------------------------------------------------------------------------- downloads


def plan_table(result: PlanResult) -> pd.DataFrame:
    """The plan as one readable table (see :func:`sop_core.reports.exports.plan_table`)."""
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


def number_column(key: str, **kwargs: Any) -> st.column_config.NumberColumn:
    """A grid column of the vocabulary's field ``key``: its header (with the unit), its
    help on hover, and its numbers as the field's kind is shown (units whole with
    thousands separators, money and prices in dollars)."""
    t = term(key)
    fmt = "dollar" if t.kind in ("money", "price") else "localized"
    return st.column_config.NumberColumn(header(key), help=t.help or None, format=fmt, **kwargs)


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
    """The plan of ``whatif`` on ``scenario``, inside the company's time fence (the one
    fenced solve, :func:`sop_core.services.plans.solve_plan`: the plan the Plan page shows)."""
    planned = whatif.apply(scenario)
    return plans.solve_plan(planned, approved_plan(), planner=planner_for(planned))
