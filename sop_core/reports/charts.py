"""The workbench's charts as Vega-Lite (Altair), for the pages and for the meeting pack.

Each chart is built here from plain data (a plan's result, a frame) and returned as an
Altair chart or a spec: the pages only draw it in the browser, and
:mod:`sop_core.reports.pack` renders the same specs to PNG on the server. One place for
each chart's shape, colours, data and words (titles from :mod:`sop_core.base.fields`;
units and hours whole, money in dollars).

- The plan: :func:`balance_frame` is the balance chart's data, long format (columns
  ``period``, ``source``, ``kind``, ``order``, ``units``), :func:`balance_spec` its spec
  without data, :func:`balance_chart_spec` with it, :func:`time_fence_spec` the frozen
  periods shaded; :func:`cost_chart`, :func:`strategies_chart`.
- Supply review: :func:`capacity_chart` (labour hours), :func:`rough_cut_chart` (one
  resource).
- Demand review: :func:`forecast_chart`.
- The business plan: :func:`gap_chart`.
- The weekly schedule: :func:`schedule_made_chart`, :func:`schedule_stock_chart`.
"""

from __future__ import annotations

import altair as alt
import numpy as np
import pandas as pd

from sop_core.base.fields import label
from sop_core.demand.history import family_totals
from sop_core.engine.kpis import money, pct, units
from sop_core.engine.planner import PlanResult
from sop_core.model.whatif import STRATEGY_NAMES
from sop_core.reports.exports import COST_LABELS

# --------------------------------------------------------------------------- the plan

SOURCE_COLOURS = {
    "Regular time": "#1f77b4",
    "Overtime": "#ff7f0e",
    "Subcontracting": "#9467bd",
    "Demand (consensus)": "#111111",
    "Inventory": "#2ca02c",
    "Backlog": "#d62728",
}

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


def balance_title(family: str | None = None) -> str:
    """The balance chart's y-axis title (the family's name when it shows one)."""
    return "Units per period" + (f" – {family}" if family else "")


def balance_spec(periods: tuple[str, ...], y_title: str, large: bool, height: int) -> dict:
    """The balance chart's Vega-Lite spec without its data, built once per layout.

    Demand (line) against supply stacked by source, with inventory and backlog (dashed).
    A slider move changes only the data (:func:`balance_frame`): validating an Altair
    chart costs ~100 ms, more than the whole re-solve, so the pages build it once per
    layout (a cache that hands out a fresh copy: Streamlit edits the spec it is given).
    :func:`balance_chart_spec` adds the data, for a chart rendered on the server."""
    colour = alt.Color(
        "source:N",
        title=None,
        scale=alt.Scale(domain=list(SOURCE_COLOURS), range=list(SOURCE_COLOURS.values())),
        legend=alt.Legend(  # large: two rows, so that the legend fits a projector's half
            labelLimit=0,  # every label whole: no "Backlo…"
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


def balance_chart_spec(
    result: PlanResult,
    periods: list[str],
    *,
    family: str | None = None,
    large: bool = False,
    height: int = 380,
    width: int | None = None,
) -> dict:
    """The balance chart with its data inline (for a chart rendered on the server)."""
    spec = balance_spec(tuple(periods), balance_title(family), large, height)
    frame = balance_frame(result, family)
    spec["data"] = {"values": frame.to_dict(orient="records")}
    if width is not None:
        spec["width"] = width
    return spec


def time_fence_spec(spec: dict, periods: list[str], frozen: int) -> dict:
    """The balance chart's ``spec`` (:func:`balance_spec`) with its first ``frozen``
    periods shaded grey: the time fence, frozen as in the last approved plan. A new
    dict; ``spec`` is left as it was."""
    shade = {
        "data": {"values": [{"period": p, "fence": "Frozen"} for p in periods[:frozen]]},
        "mark": {"type": "rect", "color": "#7f7f7f", "opacity": 0.18},
        "encoding": {
            "x": {"field": "period", "type": "ordinal", "sort": list(periods)},
            "tooltip": [{"field": "fence", "type": "nominal", "title": "Time fence"}],
        },
    }
    return {**spec, "layer": [shade, *spec["layer"]]}


def cost_chart(result: PlanResult, *, large: bool = False, top: int | None = None) -> alt.Chart:
    """The plan's costs by category, as horizontal bars ($); with ``top``, the largest
    ``top`` categories and the rest summed as "Other" (a projected page has room for a
    few labelled bars, not for ten)."""
    df = pd.DataFrame(
        {
            "category": [COST_LABELS.get(k, k) for k in result.cost_breakdown],
            "cost": list(result.cost_breakdown.values()),
        }
    )
    df = df[df["cost"].abs() > 0.5].sort_values("cost", ascending=False)
    if top is not None and len(df) > top:
        rest = pd.DataFrame({"category": ["Other"], "cost": [df["cost"].iloc[top - 1 :].sum()]})
        df = pd.concat([df.iloc[: top - 1], rest], ignore_index=True)
    font = 15 if large else 12
    return (
        alt.Chart(df)
        .mark_bar()
        .encode(
            y=alt.Y("category:N", sort="-x", title=None, axis=alt.Axis(labelOverlap=False)),
            x=alt.X("cost:Q", title=None, axis=alt.Axis(format="$~s")),
            tooltip=["category:N", alt.Tooltip("cost:Q", format="$,.0f")],
        )
        .properties(height=min(30 + 26 * len(df), 216) if large else 40 + 28 * len(df))
        .configure_axis(labelFontSize=font, titleFontSize=font, labelLimit=0)  # no "…" labels
    )


def strategies_table(results: dict[str, PlanResult]) -> pd.DataFrame:
    """Optimal, level and chase side by side: cost and the KPIs that tell them apart."""
    rows = []
    for name, res in results.items():
        k = res.kpis
        rows.append(
            {
                "Strategy": STRATEGY_NAMES[name],
                "Total cost": money(res.total_cost) if res.optimal else "infeasible",
                "Fill rate": pct(k.get("fill_rate")),
                "Avg inventory": units(k.get("average_inventory")),
                "Hires + layoffs": units(k.get("workforce_changes")),
                "Overtime share": pct(k.get("overtime_share")),
                "Subcontracted": pct(k.get("subcontract_share")),
            }
        )
    return pd.DataFrame(rows)


def strategies_chart(results: dict[str, PlanResult]) -> alt.Chart:
    """Each strategy's total cost as a bar split by cost category (named as everywhere)."""
    rows = [
        {"strategy": STRATEGY_NAMES[name], "category": COST_LABELS.get(cat, cat), "cost": value}
        for name, res in results.items()
        if res.optimal
        for cat, value in res.cost_breakdown.items()
    ]
    df = pd.DataFrame(rows)
    return (
        alt.Chart(df)
        .mark_bar()
        .encode(
            x=alt.X("sum(cost):Q", title="Total cost ($)", axis=alt.Axis(format="~s")),
            y=alt.Y("strategy:N", title=None),
            color=alt.Color("category:N", title="Cost", legend=alt.Legend(labelLimit=0)),
            tooltip=["strategy:N", "category:N", alt.Tooltip("sum(cost):Q", format="$,.0f")],
        )
        .properties(height=170)
    )


# --------------------------------------------------------------------------- scenarios compared


#: the series of the overlaid comparison: supply_by_source column(s) -> legend name
COMPARED_SERIES = {"supply": "Supply", "inventory": "Inventory", "demand": "Demand (consensus)"}


def scenario_costs_chart(comparison: pd.DataFrame) -> alt.Chart:
    """The cost breakdown of compared scenarios: one bar per scenario, stacked by cost
    category (the ``cost`` rows of
    :func:`~sop_core.store.scenarios.comparison_frame`: ``label``, ``metric``, ``value``)."""
    costs = comparison[comparison["section"] == "cost"].assign(
        category=lambda d: d["metric"].map(lambda m: COST_LABELS.get(m, m))
    )
    return (
        alt.Chart(costs)
        .mark_bar()
        .encode(
            x=alt.X("value:Q", title="Cost", axis=alt.Axis(format="$~s")),
            y=alt.Y("label:N", title=None),
            color=alt.Color("category:N", title=None, legend=alt.Legend(labelLimit=0)),
            tooltip=[
                alt.Tooltip("label:N", title="Scenario"),
                alt.Tooltip("category:N", title="Cost"),
                alt.Tooltip("value:Q", title="Amount", format="$,.0f"),
            ],
        )
        .properties(height=60 + 40 * costs["label"].nunique())
    )


def scenario_lines_frame(results: dict[str, PlanResult]) -> pd.DataFrame:
    """Supply (all sources), inventory and demand per period of each plan, all families
    together, long (``period``, ``scenario``, ``series``, ``value``); plans without a
    feasible plan are left out."""
    lines = []
    for name, res in results.items():
        if not res.optimal:
            continue
        df = res.supply_by_source()
        df = df.assign(supply=df["regular"] + df["overtime"] + df["subcontract"], scenario=name)
        long = df.melt(["period", "scenario"], list(COMPARED_SERIES), "series")
        lines.append(long.assign(series=long["series"].map(COMPARED_SERIES)))
    if not lines:
        return pd.DataFrame(columns=["period", "scenario", "series", "value"])
    return pd.concat(lines, ignore_index=True)


def scenario_lines_chart(results: dict[str, PlanResult]) -> alt.Chart:
    """The compared plans overlaid: a colour per scenario, a dash per series (supply,
    inventory, demand), units per period."""
    return (
        alt.Chart(scenario_lines_frame(results))
        .mark_line(point=True)
        .encode(
            x=alt.X("period:O", title=None, sort=None),
            y=alt.Y("value:Q", title="Units", axis=alt.Axis(format=",.0f")),
            color=alt.Color(
                "scenario:N", title=None, legend=alt.Legend(labelLimit=0, orient="top")
            ),
            strokeDash=alt.StrokeDash("series:N", title=None),
            tooltip=[
                alt.Tooltip("scenario:N", title="Scenario"),
                alt.Tooltip("series:N", title="Series"),
                alt.Tooltip("period:O", title="Period"),
                alt.Tooltip("value:Q", title="Units", format=",.0f"),
            ],
        )
        .properties(height=300)
    )


# --------------------------------------------------------------------------- supply review


def capacity_chart(result: PlanResult, periods: list[str]) -> alt.LayerChart:
    """Labour hours the plan uses per period (bars) against the workforce's regular hours
    and regular plus the overtime allowed (lines); hours whole."""
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
            y=alt.Y(
                "Hours used by the plan:Q",
                title="Labour hours per period",
                axis=alt.Axis(format=",.0f"),
            ),
            tooltip=[
                alt.Tooltip("period:O", title=label("period")),
                alt.Tooltip("Hours used by the plan:Q", format=",.0f"),
            ],
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
                legend=alt.Legend(orient="top", labelLimit=0),
            ),
            strokeDash=alt.StrokeDash("capacity:N", legend=None),
            tooltip=[
                alt.Tooltip("period:O", title=label("period")),
                alt.Tooltip("capacity:N", title="Capacity"),
                alt.Tooltip("hours:Q", format=",.0f", title="Hours"),
            ],
        )
    )
    return alt.layer(bars, caps).properties(height=340)


def rough_cut_frame(result: PlanResult, resource: str) -> pd.DataFrame:
    """Per period, the hours each family loads on ``resource``: period, family, hours."""
    load = result.resource_load()
    load = load[load["resource"] == resource][["period", "family", "hours"]]
    used = load.groupby("family")["hours"].transform("sum") > 0
    return load[used]  # families that never load it stay out of the legend


def rough_cut_chart(result: PlanResult, resource: str, periods: list[str]) -> alt.LayerChart:
    """Rough-cut capacity of one resource: the load by family (stacked bars) against the
    hours available and available plus overtime allowed (lines); hours whole."""
    res = result.resources
    res = res[res["resource"] == resource]
    caps = pd.DataFrame(
        {
            "period": list(res["period"]) * 2,
            "capacity": ["Available"] * len(res) + ["Available + overtime allowed"] * len(res),
            "hours": list(res["hours_available"])
            + list(res["hours_available"] + res["overtime_hours_max"]),
        }
    )
    x = alt.X("period:O", sort=periods, title=None)
    bars = (
        alt.Chart(rough_cut_frame(result, resource))
        .mark_bar(opacity=0.85)
        .encode(
            x=x,
            y=alt.Y(
                "sum(hours):Q",
                title=f"{resource}: hours per period",
                axis=alt.Axis(format=",.0f"),
            ),
            color=alt.Color(
                "family:N", title="Load by family", legend=alt.Legend(labelLimit=0, orient="top")
            ),
            tooltip=[
                alt.Tooltip("period:O", title=label("period")),
                alt.Tooltip("family:N", title=label("family")),
                alt.Tooltip("sum(hours):Q", format=",.0f", title=label("load")),
            ],
        )
    )
    lines = (
        alt.Chart(caps)
        .mark_line(strokeWidth=3, point=True, color="#111111")
        .encode(
            x=x,
            y="hours:Q",
            strokeDash=alt.StrokeDash(
                "capacity:N", title=None, legend=alt.Legend(orient="top", labelLimit=0)
            ),
            tooltip=[
                alt.Tooltip("period:O", title=label("period")),
                alt.Tooltip("capacity:N", title="Capacity"),
                alt.Tooltip("hours:Q", format=",.0f", title="Hours"),
            ],
        )
    )
    return alt.layer(bars, lines).resolve_scale(color="independent").properties(height=300)


# --------------------------------------------------------------------------- demand review

FORECAST_SERIES = {  # the forecast chart's lines: legend name -> (colour, dash)
    "History": ("#1f77b4", [1, 0]),
    "Statistical forecast": ("#ff7f0e", [6, 3]),
    "Consensus (plan uses)": ("#111111", [1, 0]),
}


def forecast_chart(
    history: pd.DataFrame, forecast: pd.DataFrame | None, family: str
) -> alt.LayerChart:
    """One family's last three years of history, its statistical forecast with the 80 %
    band (shaded) and the consensus, in units per period.

    ``history``: the sales history (period, family, demand; SKUs are summed).
    ``forecast``: the forecast with the consensus (period, family, forecast, lower, upper,
    adjusted), or None for the history alone, shown while the forecast is being fitted."""
    h = family_totals(history[history["family"] == family])
    h = h[h["period"] >= h["period"].max() - pd.DateOffset(years=3)]
    if forecast is None:
        forecast = pd.DataFrame(
            {c: pd.Series(dtype=float) for c in ("forecast", "adjusted", "lower", "upper")}
        ).assign(period=pd.Series(dtype="datetime64[ns]"), family=pd.Series(dtype=str))
    f = forecast[forecast["family"] == family]
    x = alt.X("period:T", title=None, axis=alt.Axis(format="%b %Y"))
    band = (
        alt.Chart(f)
        .mark_area(opacity=0.25, color="#ff7f0e")
        .encode(
            x=x,
            y=alt.Y("lower:Q", title="Units per period", axis=alt.Axis(format=",.0f")),
            y2="upper:Q",
        )
    )
    lines = pd.concat(
        [
            h.assign(series="History").rename(columns={"demand": "units"}),
            f.assign(series="Statistical forecast").rename(columns={"forecast": "units"}),
            f.assign(series="Consensus (plan uses)").rename(columns={"adjusted": "units"}),
        ]
    )[["period", "units", "series"]]
    names = list(FORECAST_SERIES)
    line = (
        alt.Chart(lines)
        .mark_line(strokeWidth=3)
        .encode(
            x=x,
            y="units:Q",
            color=alt.Color(
                "series:N",
                title=None,
                scale=alt.Scale(domain=names, range=[c for c, _ in FORECAST_SERIES.values()]),
                legend=alt.Legend(labelLimit=0, orient="top"),
            ),
            strokeDash=alt.StrokeDash(
                "series:N",
                scale=alt.Scale(domain=names, range=[d for _, d in FORECAST_SERIES.values()]),
                legend=None,
            ),
            tooltip=[
                alt.Tooltip("period:T", format="%b %Y", title=label("period")),
                alt.Tooltip("series:N", title="Series"),
                alt.Tooltip("units:Q", format=",.0f", title=label("units")),
            ],
        )
    )
    return alt.layer(band, line).properties(height=340)


# --------------------------------------------------------------------------- business plan


def gap_chart(gap: pd.DataFrame) -> alt.Chart:
    """The plan's cumulative revenue gap to the business plan, one line per family ($).

    ``gap``: :func:`sop_core.process.business_plan.budget_gap` (family, period,
    gap_revenue: the month's, cum_gap_revenue: running over the months)."""
    return (
        alt.Chart(gap)
        .mark_line(point=True)
        .encode(
            x=alt.X("period:O", title=None),
            y=alt.Y(
                "cum_gap_revenue:Q",
                title="Cumulative gap to budget ($)",
                axis=alt.Axis(format="$,.0f"),
            ),
            color=alt.Color("family:N", title=None, legend=alt.Legend(labelLimit=0, orient="top")),
            tooltip=[
                alt.Tooltip("family:N", title=label("family")),
                alt.Tooltip("period:O", title=label("period")),
                alt.Tooltip("gap_revenue:Q", format="$,.0f", title="Gap in the month"),
                alt.Tooltip("cum_gap_revenue:Q", format="$,.0f", title="Cumulative gap"),
            ],
        )
        .properties(height=260)
    )


# --------------------------------------------------------------------------- family S&OP sheet

#: the family sheet chart's series: legend name -> (sheet column(s), mark, colour, dash)
FAMILY_SHEET_SERIES: dict[str, tuple[tuple[str, ...], str, str, list[int]]] = {
    "Production": (("production_actual", "production_plan"), "bar", "#1f77b4", [1, 0]),
    "Subcontracting": (("subcontract_plan",), "bar", "#9467bd", [1, 0]),
    "Demand (forecast)": (("forecast",), "line", "#111111", [1, 0]),
    "Actual sales": (("actual_sales",), "line", "#8c564b", [1, 0]),
    "Inventory": (("inventory_actual", "inventory_plan"), "line", "#2ca02c", [8, 4]),
    "Inventory target": (("inventory_target",), "line", "#98df8a", [2, 2]),
    "Backlog": (("backlog_actual", "backlog_plan"), "line", "#d62728", [3, 3]),
}


def family_sheet_frame(sheet: pd.DataFrame, family: str) -> pd.DataFrame:
    """The family S&OP chart's data, long format (columns period, phase, series, mark,
    order, units), from :func:`sop_core.process.sop_sheet.sop_sheet`'s rows of
    ``family``: per series of :data:`FAMILY_SHEET_SERIES`, its first column that has
    the month's value (what was made, held and owed when known, else the plan's); a
    month with no value has no row."""
    rows = sheet[sheet["family"] == family].reset_index(drop=True)
    parts = []
    for order, (name, (columns, mark, _, _)) in enumerate(FAMILY_SHEET_SERIES.items()):
        values = rows[columns[0]].astype(float)
        for other in columns[1:]:
            values = values.fillna(rows[other].astype(float))
        parts.append(
            pd.DataFrame(
                {
                    "period": rows["period"],
                    "phase": rows["phase"],
                    "series": name,
                    "mark": mark,
                    "order": order,
                    "units": values,
                }
            )
        )
    frame = pd.concat(parts, ignore_index=True)
    return frame[frame["units"].notna()].reset_index(drop=True)


def family_sheet_chart_spec(
    sheet: pd.DataFrame, family: str, *, height: int = 260, width: int | None = None
) -> dict:
    """The classic S&OP family chart, with its data inline (for the page and the pack):
    supply by source as stacked bars (production, subcontracting), demand, actual sales,
    inventory against its target and backlog as lines, over the last months (shaded:
    what happened) and the plan's horizon."""
    frame = family_sheet_frame(sheet, family)
    periods = list(dict.fromkeys(sheet.loc[sheet["family"] == family, "period"]))
    past = sorted(set(frame.loc[frame["phase"] == "past", "period"]))
    names = list(FAMILY_SHEET_SERIES)
    colour = alt.Color(
        "series:N",
        title=None,
        scale=alt.Scale(domain=names, range=[v[2] for v in FAMILY_SHEET_SERIES.values()]),
        legend=alt.Legend(labelLimit=0, orient="top"),
    )
    x = alt.X("period:O", sort=periods, title=None, axis=alt.Axis(labelAngle=-45))
    tooltip = [
        alt.Tooltip("period:O", title=label("period")),
        alt.Tooltip("series:N", title="Series"),
        alt.Tooltip("units:Q", format=",.0f", title="Units"),
    ]
    base = alt.Chart(frame)
    shade = (
        alt.Chart(pd.DataFrame({"period": past}))
        .mark_rect(color="#eeeeee")
        .encode(x=alt.X("period:O", sort=periods))
    )
    bars = (
        base.transform_filter(alt.datum.mark == "bar")
        .mark_bar(opacity=0.85)
        .encode(
            x=x,
            y=alt.Y("sum(units):Q", title=f"Units per month – {family}", stack="zero"),
            color=colour,
            order=alt.Order("order:Q"),
            tooltip=tooltip,
        )
    )
    dash = alt.StrokeDash(
        "series:N",
        scale=alt.Scale(domain=names, range=[v[3] for v in FAMILY_SHEET_SERIES.values()]),
        legend=None,
    )
    lines = (
        base.transform_filter(alt.datum.mark == "line")
        .mark_line(strokeWidth=2.5, point=alt.OverlayMarkDef(size=30))
        .encode(x=x, y=alt.Y("units:Q"), color=colour, strokeDash=dash, tooltip=tooltip)
    )
    layers = [shade, bars, lines] if past else [bars, lines]
    chart = alt.layer(*layers).properties(height=height).configure_view(strokeWidth=0)
    if width is not None:
        chart = chart.properties(width=width)
    return chart.to_dict()


# --------------------------------------------------------------------------- weekly schedule


def _family_weeks(frame: pd.DataFrame, family: str, weeks: list[str]) -> pd.DataFrame:
    return frame[(frame["family"] == family) & frame["week"].isin(weeks)]


def _sku_colour() -> alt.Color:
    return alt.Color(
        "sku:N",
        title="SKU",
        scale=alt.Scale(scheme="dark2"),
        legend=alt.Legend(labelLimit=0, orient="top"),
    )


def schedule_made_chart(frame: pd.DataFrame, family: str, weeks: list[str]) -> alt.Chart:
    """Units of ``family`` made per week in ``weeks`` (in that order), stacked by SKU.

    ``frame``: a schedule's weeks (:attr:`sop_core.schedule.weekly.Schedule.weeks`: family,
    sku, week, made, stock, safety_stock, shortfall, cover_weeks, …)."""
    return (
        alt.Chart(_family_weeks(frame, family, weeks), title="Units made per week")
        .mark_bar()
        .encode(
            x=alt.X("week:O", sort=weeks, title=None),
            y=alt.Y("made:Q", title=label("units"), stack="zero", axis=alt.Axis(format=",.0f")),
            color=_sku_colour(),
            tooltip=[
                alt.Tooltip("week:O", title="Week"),
                alt.Tooltip("sku:N", title="SKU"),
                alt.Tooltip("made:Q", format=",.0f", title="Units made"),
            ],
        )
        .properties(height=320)
    )


def schedule_stock_chart(frame: pd.DataFrame, family: str, weeks: list[str]) -> alt.LayerChart:
    """Each SKU of ``family``'s stock at the end of each week in ``weeks`` (lines), with a
    red point where it ends a unit or more below safety stock. ``frame``: as for
    :func:`schedule_made_chart`."""
    part = _family_weeks(frame, family, weeks)
    x = alt.X("week:O", sort=weeks, title=None)
    line = (
        alt.Chart(part, title="Stock at the week's end (red: below safety stock)")
        .mark_line()
        .encode(
            x=x,
            y=alt.Y("stock:Q", title=label("units"), axis=alt.Axis(format=",.0f")),
            color=_sku_colour(),
            tooltip=[
                alt.Tooltip("week:O", title="Week"),
                alt.Tooltip("sku:N", title="SKU"),
                alt.Tooltip("stock:Q", format=",.0f", title="Stock"),
                alt.Tooltip("safety_stock:Q", format=",.0f", title=label("safety_stock")),
                alt.Tooltip("cover_weeks:Q", format=".1f", title="Weeks of cover"),
            ],
        )
    )
    short = (
        alt.Chart(part[part["shortfall"] >= 1])
        .mark_point(color="#d62728", filled=True, size=80)
        .encode(
            x=x,
            y="stock:Q",
            tooltip=[
                alt.Tooltip("week:O", title="Week"),
                alt.Tooltip("sku:N", title="SKU"),
                alt.Tooltip("shortfall:Q", format=",.0f", title=label("below_safety_stock")),
            ],
        )
    )
    return alt.layer(line, short).properties(height=320)
