"""Shared UI helpers of the workbench pages: session state, the what-if, formatting, charts.

Presentation only: every number shown comes from ``sop_core``.

Shared session-state keys (initialised once in ``app.py``):

``scenario``         the current base scenario (demand = the consensus forecast)
``scenario_source``  where it came from, for the sidebar ("Embedded sample: …")
``planners``         shape -> :class:`~sop_core.planner.Planner`, this session's compiled models
``whatif``           the Plan page's last what-if settings (a :class:`WhatIf` as a dict)
``whatifs``          what-ifs kept in this session: name -> WhatIf dict, for the Executive page
"""

from __future__ import annotations

import math
import os
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import altair as alt
import numpy as np
import pandas as pd
import streamlit as st

from sop_core import exports
from sop_core.errors import InputError
from sop_core.planner import KPI_LABELS, Planner, PlanResult
from sop_core.scenario import STRATEGIES, Scenario, load_scenario, with_changes

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data"
SAMPLE_FILES = ("sample_company.json", "red_tomato.json")

# URL / widget keys of the what-if; a shared link like ?overtime=15&safety_months=1 reproduces it
WHATIF_KEYS = ("overtime", "workers_min", "workers_max", "safety_months", "strategy")

SOURCE_COLOURS = {
    "Regular time": "#1f77b4",
    "Overtime": "#ff7f0e",
    "Subcontracting": "#9467bd",
    "Demand (consensus)": "#111111",
    "Inventory": "#2ca02c",
    "Backlog": "#d62728",
}
COST_NAMES = {
    "regular_labour": "Regular labour",
    "overtime": "Overtime",
    "hiring": "Hiring",
    "layoffs": "Layoffs",
    "materials": "Materials",
    "holding": "Holding stock",
    "backorders": "Backorders",
    "subcontracting": "Subcontracting",
}
STRATEGY_NAMES = {"optimal": "Optimal (cost)", "level": "Level workforce", "chase": "Chase demand"}


# --------------------------------------------------------------------------- scenario


@st.cache_resource(max_entries=4)
def _sample_scenario(path: str, mtime: float) -> Scenario:
    return load_scenario(path)


def sample_path() -> Path:
    """The embedded sample: the sample company when present, else Red Tomato Tools.

    ``$SOP_SAMPLE_SCENARIO`` (a scenario file) replaces it, e.g. for the latency benchmark."""
    override = os.environ.get("SOP_SAMPLE_SCENARIO", "").strip()
    if override:
        return Path(override)
    for name in SAMPLE_FILES:
        if (DATA / name).is_file():
            return DATA / name
    raise FileNotFoundError(f"none of {SAMPLE_FILES} in {DATA}")


def sample_scenario() -> tuple[Scenario, str]:
    """The embedded sample scenario (validated once per process) and its source label.

    Scenarios are immutable (pydantic models copied by ``with_changes``), so sharing the
    cached object between sessions is safe."""
    path = sample_path()
    label = f"data/{path.name}" if path.parent == DATA else str(path)
    return _sample_scenario(str(path), path.stat().st_mtime), f"Embedded sample: {label}"


def init_session() -> None:
    """Set the shared session keys once (called by ``app.py`` on every run)."""
    if "scenario" not in st.session_state:
        scenario, source = sample_scenario()
        st.session_state.scenario = scenario
        st.session_state.scenario_source = source
    st.session_state.setdefault("baseline", st.session_state.scenario)
    st.session_state.setdefault("planners", {})
    st.session_state.setdefault("whatif", None)
    st.session_state.setdefault("whatifs", {})


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


def current_scenario() -> Scenario:
    init_session()
    return st.session_state.scenario


def set_scenario(scenario: Scenario, source: str) -> None:
    """Make ``scenario`` the one every page plans; kept what-ifs stay (they are settings)."""
    st.session_state.scenario = scenario
    st.session_state.scenario_source = source
    st.session_state.whatif = None


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


@dataclass(frozen=True)
class WhatIf:
    """The Plan page's levers. ``None`` keeps the scenario's own value."""

    overtime: float | None = None  # max overtime hours per worker per period
    workers_min: float | None = None
    workers_max: float | None = None  # None: unlimited
    safety_months: float = 0.0  # 0: the scenario's own safety stock
    strategy: str | None = None

    def changes(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        if self.overtime is not None:
            out["max_overtime_hours_per_worker"] = float(self.overtime)
        if self.workers_min is not None:
            out["min_workers"] = float(self.workers_min) if self.workers_min > 0 else None
        out_max = self.workers_max
        if out_max is not None:
            out["max_workers"] = float(out_max) if math.isfinite(out_max) else None
        if self.safety_months > 0:
            out["safety_stock_months"] = float(self.safety_months)
        if self.strategy is not None:
            out["strategy"] = self.strategy
        return out

    def apply(self, scenario: Scenario) -> Scenario:
        return with_changes(scenario, **self.changes())

    def describe(self, scenario: Scenario) -> str:
        wf = scenario.workforce
        parts = []
        if self.overtime is not None and self.overtime != wf.max_overtime_hours_per_worker:
            parts.append(f"overtime ≤ {self.overtime:g} h/worker")
        if self.workers_min is not None and (self.workers_min or None) != wf.min_workers:
            parts.append(f"≥ {self.workers_min:g} workers")
        if self.workers_max is not None and (
            (self.workers_max if math.isfinite(self.workers_max) else None) != wf.max_workers
        ):
            top = f"{self.workers_max:g}" if math.isfinite(self.workers_max) else "no limit"
            parts.append(f"≤ {top} workers")
        if self.safety_months > 0:
            parts.append(f"safety stock {self.safety_months:g} months")
        if self.strategy and self.strategy != scenario.policy.strategy:
            parts.append(STRATEGY_NAMES[self.strategy].lower())
        return ", ".join(parts) or "as in the scenario"

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def whatif_from_query(scenario: Scenario) -> WhatIf:
    """The what-if of a shared URL (?overtime=…&safety_months=…), ignoring bad values."""
    qp = st.query_params

    def num(key: str) -> float | None:
        try:
            value = float(qp[key])
        except (KeyError, ValueError):
            return None
        return value if math.isfinite(value) and value >= 0 else None

    strategy = qp.get("strategy")
    return WhatIf(
        overtime=num("overtime"),
        workers_min=num("workers_min"),
        workers_max=num("workers_max"),
        safety_months=num("safety_months") or 0.0,
        strategy=strategy if strategy in STRATEGIES else None,
    )


def session_whatif(scenario: Scenario) -> WhatIf:
    """The what-if the Executive page shows: the URL's if it names one, else the Plan page's."""
    if any(k in st.query_params for k in WHATIF_KEYS):
        return whatif_from_query(scenario)
    saved = st.session_state.get("whatif")
    return WhatIf(**saved) if saved else WhatIf()


# --------------------------------------------------------------------------- formatting


def money(x: float | None) -> str:
    if x is None or (isinstance(x, float) and not math.isfinite(x)):
        return "–"
    sign = "−" if x < 0 else ""
    x = abs(x)
    if x >= 10e6:
        return f"{sign}${x / 1e6:,.1f}M"
    return f"{sign}${x:,.0f}"


def pct(x: float | None) -> str:
    return "–" if x is None else f"{100 * x:.1f}%"


def units(x: float | None) -> str:
    return "–" if x is None else f"{x:,.0f}"


KPI_TILES = (
    ("total_cost", "Total cost", money, "inverse"),
    ("fill_rate", "Fill rate", pct, "normal"),
    ("average_inventory", "Average inventory", units, "off"),
    ("workforce_changes", "Workforce change", units, "inverse"),
    ("margin", "Margin", money, "normal"),
)


def _delta(key: str, value: float | None, base: float | None, fmt: Any) -> str | None:
    if value is None or base is None or abs(value - base) < 1e-6 * max(1.0, abs(base)):
        return None
    d = value - base
    if fmt is pct:
        return f"{100 * d:+.1f} pts"
    text = fmt(abs(d))
    return ("+" if d > 0 else "−") + text


def kpi_tiles(result: PlanResult, baseline: PlanResult | None = None, *, large: bool = False):
    """The five KPI tiles, each with its change vs the baseline plan."""
    cols = st.columns(len(KPI_TILES))
    base = baseline.kpis if baseline is not None and baseline.optimal else {}
    for col, (key, label, fmt, colour) in zip(cols, KPI_TILES, strict=True):
        value = result.kpis.get(key)
        col.metric(
            label,
            fmt(value),
            delta=_delta(key, value, base.get(key), fmt) if base else None,
            delta_color=colour,
            help=KPI_LABELS.get(key),
            border=True,
        )


def show_input_error(exc: InputError, what: str) -> None:
    st.error(f"{what}:\n\n" + "\n".join(f"- {p}" for p in exc.problems))


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
        legend=alt.Legend(orient="top", labelFontSize=18 if large else 13, symbolSize=200),
    )
    x = alt.X("period:O", sort=list(periods), title=None)
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
    font = 20 if large else 13
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
    font = 18 if large else 12
    return (
        alt.Chart(df)
        .mark_bar()
        .encode(
            y=alt.Y("category:N", sort="-x", title=None),
            x=alt.X("cost:Q", title="$", axis=alt.Axis(format="~s")),
            tooltip=["category:N", alt.Tooltip("cost:Q", format="$,.0f")],
        )
        .properties(height=40 + 28 * len(df))
        .configure_axis(labelFontSize=font, titleFontSize=font)
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
    """Large type for projection: a room reads 20 px+ text, not 14 px."""
    st.html(
        """<style>
        [data-testid="stMetricValue"] { font-size: 3.2rem !important; }
        [data-testid="stMetricLabel"] p { font-size: 1.5rem !important; }
        [data-testid="stMetricDelta"] { font-size: 1.3rem !important; }
        .stMainBlockContainer { padding-top: 1.5rem; max-width: 100%; }
        h1 { font-size: 3rem !important; }
        p, li { font-size: 1.3rem; }
        </style>"""
    )


# --------------------------------------------------------------------------- the store


@st.cache_resource(max_entries=2)
def _store(url: str):
    from sop_core.store import Store

    return Store(url)


def store_url() -> str | None:
    """The database URL from Streamlit secrets (``database_url``), if any."""
    try:
        return st.secrets.get("database_url")
    except Exception:  # no secrets file: the store uses $SOP_DATABASE_URL or SQLite
        return None


def get_store() -> Any:
    """The scenario store (thread-safe, shared by sessions); raises StoreUnavailable."""
    from sop_core.store import database_url

    return _store(database_url(store_url()))


def solve_whatif(scenario: Scenario, whatif: WhatIf) -> PlanResult:
    return planner_for(scenario).solve(whatif.apply(scenario))
