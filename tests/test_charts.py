"""The charts of sop_core.reports.charts, built from tiny plans and frames: the data each
draws, its encodings, and its titles in words."""

from __future__ import annotations

from typing import Any

import altair as alt
import pandas as pd
from factories import tiny, tiny_with_line

from sop_core.engine.planner import solve
from sop_core.process.business_plan import budget_gap
from sop_core.reports.charts import (
    balance_spec,
    capacity_chart,
    forecast_chart,
    gap_chart,
    rough_cut_chart,
    rough_cut_frame,
    scenario_costs_chart,
    scenario_lines_chart,
    scenario_lines_frame,
    schedule_made_chart,
    schedule_stock_chart,
    time_fence_spec,
)


def layers(chart: alt.TopLevelMixin) -> list[tuple[dict[str, Any], list[dict[str, Any]]]]:
    """Each layer of ``chart`` (or the chart itself) with the rows of its data."""
    spec = chart.to_dict()
    datasets = spec.get("datasets", {})
    out = []
    for layer in spec.get("layer", [spec]):
        data = layer.get("data", spec.get("data", {}))
        out.append((layer, datasets.get(data.get("name"), data.get("values", []))))
    return out


def tooltip_titles(layer: dict[str, Any]) -> list[str]:
    """What the tooltip calls each of its fields (its title, else the field's name)."""
    return [t.get("title", t["field"]) for t in layer["encoding"]["tooltip"]]


# --------------------------------------------------------------------------- supply review


def test_capacity_chart_draws_the_hours_used_against_regular_and_overtime_capacity():
    s = tiny([10, 25], workforce={"max_overtime_hours_per_worker": 5})  # 10 h + 5 h overtime
    (bars, used), (lines, caps) = layers(capacity_chart(solve(s), s.period_labels))
    assert bars["mark"]["type"] == "bar" and lines["mark"]["type"] == "line"
    assert [r["Hours used by the plan"] for r in used] == [15.0, 15.0]
    assert {(r["period"], r["capacity"], r["hours"]) for r in caps} == {
        ("1", "Regular capacity", 10.0),
        ("2", "Regular capacity", 10.0),
        ("1", "Regular + overtime capacity", 15.0),
        ("2", "Regular + overtime capacity", 15.0),
    }
    y = bars["encoding"]["y"]
    assert (y["title"], y["axis"]["format"]) == ("Labour hours per period", ",.0f")
    assert bars["encoding"]["x"]["sort"] == ["1", "2"]
    assert lines["encoding"]["color"]["field"] == "capacity"
    assert tooltip_titles(lines) == ["Period", "Capacity", "Hours"]


def test_rough_cut_chart_stacks_each_familys_load_against_the_resources_hours():
    s = tiny_with_line([[6, 8], [0, 0]], hours=8, overtime=3)  # F1 never loads the line
    result = solve(s)
    assert rough_cut_frame(result, "Line 1")["family"].unique().tolist() == ["F0"]
    (bars, load), (lines, caps) = layers(rough_cut_chart(result, "Line 1", s.period_labels))
    assert [(r["period"], r["family"], r["hours"]) for r in load] == [
        ("1", "F0", 6.0),
        ("2", "F0", 8.0),
    ]
    assert {(r["capacity"], r["hours"]) for r in caps} == {
        ("Available", 8.0),
        ("Available + overtime allowed", 11.0),
    }
    y = bars["encoding"]["y"]
    assert (y["aggregate"], y["field"]) == ("sum", "hours")  # stacked by family
    assert (y["title"], y["axis"]["format"]) == ("Line 1: hours per period", ",.0f")
    assert bars["encoding"]["color"]["title"] == "Load by family"
    assert tooltip_titles(bars) == ["Period", "Family", "Load"]
    assert lines["encoding"]["strokeDash"]["field"] == "capacity"


def test_time_fence_shades_the_frozen_periods_of_the_balance_chart():
    periods = ["2027-01", "2027-02", "2027-03"]
    spec = balance_spec(tuple(periods), "Units per period", False, 380)
    fenced = time_fence_spec(spec, periods, 2)
    shade, *rest = fenced["layer"]
    assert rest == spec["layer"] and len(spec["layer"]) == 2  # the chart's own, untouched
    assert shade["mark"]["type"] == "rect"
    assert [r["period"] for r in shade["data"]["values"]] == ["2027-01", "2027-02"]
    assert shade["encoding"]["x"]["sort"] == periods
    assert shade["encoding"]["tooltip"][0]["title"] == "Time fence"


# --------------------------------------------------------------------------- demand review


def monthly_history() -> pd.DataFrame:
    """48 months of family A in two SKUs (10 + 1 a month, growing by 1) and family B."""
    months = pd.date_range("2023-01-01", periods=48, freq="MS")
    n = len(months)
    return pd.DataFrame(
        {
            "period": [*months, *months, *months],
            "family": ["A"] * (2 * n) + ["B"] * n,
            "sku": ["a1"] * n + ["a2"] * n + ["b1"] * n,
            "demand": [10.0 + i for i in range(n)] + [1.0] * n + [500.0] * n,
        }
    )


def test_forecast_chart_draws_history_forecast_band_and_consensus_of_one_family():
    forecast = pd.DataFrame(
        {
            "period": pd.to_datetime(["2027-01-01", "2027-02-01"] * 2),
            "family": ["A", "A", "B", "B"],
            "forecast": [60.0, 62.0, 500.0, 500.0],
            "lower": [50.0, 51.0, 400.0, 400.0],
            "upper": [70.0, 73.0, 600.0, 600.0],
            "adjusted": [66.0, 68.2, 500.0, 500.0],
        }
    )
    (band, interval), (line, rows) = layers(forecast_chart(monthly_history(), forecast, "A"))
    assert band["mark"]["type"] == "area"
    assert [(r["lower"], r["upper"]) for r in interval] == [(50.0, 70.0), (51.0, 73.0)]
    y = band["encoding"]["y"]
    assert (y["field"], band["encoding"]["y2"]["field"]) == ("lower", "upper")
    assert (y["title"], y["axis"]["format"]) == ("Units per period", ",.0f")
    history = [r for r in rows if r["series"] == "History"]
    assert len(history) == 37  # the last three years, to the month
    assert history[-1]["units"] == 10.0 + 47 + 1.0  # both SKUs of the last month
    assert [r["units"] for r in rows if r["series"] == "Statistical forecast"] == [60.0, 62.0]
    assert [r["units"] for r in rows if r["series"] == "Consensus (plan uses)"] == [66.0, 68.2]
    colour = line["encoding"]["color"]["scale"]
    assert colour["domain"] == ["History", "Statistical forecast", "Consensus (plan uses)"]
    assert line["encoding"]["x"]["axis"]["format"] == "%b %Y"
    assert tooltip_titles(line) == ["Period", "Series", "Units"]


def test_forecast_chart_without_a_forecast_shows_the_history_alone():
    (_, interval), (_, rows) = layers(forecast_chart(monthly_history(), None, "B"))
    assert interval == []
    assert {r["series"] for r in rows} == {"History"}
    assert {r["units"] for r in rows} == {500.0}


# --------------------------------------------------------------------------- business plan


def test_gap_chart_draws_each_familys_cumulative_revenue_gap_in_dollars():
    plan = pd.DataFrame(
        {
            "family": ["A", "A", "B"],
            "period": ["2027-01", "2027-02", "2027-01"],
            "sales": [10.0, 10.0, 5.0],
            "revenue": [1000.0, 900.0, 500.0],
        }
    )
    budget = pd.DataFrame(
        {
            "family": ["A", "A", "B"],
            "period": ["2027-01", "2027-02", "2027-01"],
            "units": [10.0, 12.0, 5.0],
            "revenue": [1100.0, 1200.0, 400.0],
        }
    )
    (layer, rows), *more = layers(gap_chart(budget_gap(plan, budget)))
    assert more == [] and layer["mark"]["type"] == "line"
    assert [(r["family"], r["gap_revenue"], r["cum_gap_revenue"]) for r in rows] == [
        ("A", -100.0, -100.0),
        ("A", -300.0, -400.0),
        ("B", 100.0, 100.0),
    ]
    y = layer["encoding"]["y"]
    assert (y["field"], y["title"], y["axis"]["format"]) == (
        "cum_gap_revenue",
        "Cumulative gap to budget ($)",
        "$,.0f",
    )
    assert layer["encoding"]["color"]["field"] == "family"
    assert tooltip_titles(layer) == ["Family", "Period", "Gap in the month", "Cumulative gap"]


# --------------------------------------------------------------------------- weekly schedule


def schedule_weeks() -> pd.DataFrame:
    """Three weeks of two SKUs of family A (s2 ends week 2 below its safety stock), and
    one SKU of family B."""
    return pd.DataFrame(
        {
            "family": ["A"] * 6 + ["B"] * 3,
            "sku": ["s1", "s1", "s1", "s2", "s2", "s2", "b", "b", "b"],
            "week": ["2027-01-04", "2027-01-11", "2027-01-18"] * 3,
            "made": [10.0, 0.0, 12.0, 5.0, 5.0, 0.0, 99.0, 99.0, 99.0],
            "stock": [20.0, 14.0, 18.0, 8.0, 2.5, 4.0, 50.0, 50.0, 50.0],
            "safety_stock": [10.0] * 3 + [4.0] * 3 + [0.0] * 3,
            "shortfall": [0.0, 0.0, 0.0, 0.0, 1.5, 0.0, 0.0, 0.0, 0.0],
            "cover_weeks": [3.0, 2.0, 2.5, 1.6, 0.5, 0.8, 9.0, 9.0, 9.0],
        }
    )


def test_schedule_made_chart_stacks_units_made_by_sku_in_the_weeks_shown():
    weeks = ["2027-01-11", "2027-01-18"]
    [(layer, rows)] = layers(schedule_made_chart(schedule_weeks(), "A", weeks))
    assert layer["mark"]["type"] == "bar" and layer["title"] == "Units made per week"
    assert [(r["sku"], r["week"], r["made"]) for r in rows] == [
        ("s1", "2027-01-11", 0.0),
        ("s1", "2027-01-18", 12.0),
        ("s2", "2027-01-11", 5.0),
        ("s2", "2027-01-18", 0.0),
    ]
    enc = layer["encoding"]
    assert enc["x"]["sort"] == weeks
    assert (enc["y"]["field"], enc["y"]["stack"], enc["y"]["title"]) == ("made", "zero", "Units")
    assert enc["y"]["axis"]["format"] == ",.0f"
    assert (enc["color"]["field"], enc["color"]["title"]) == ("sku", "SKU")
    assert tooltip_titles(layer) == ["Week", "SKU", "Units made"]


def test_schedule_stock_chart_marks_the_weeks_that_end_below_safety_stock():
    weeks = ["2027-01-04", "2027-01-11", "2027-01-18"]
    (line, stock), (points, short) = layers(schedule_stock_chart(schedule_weeks(), "A", weeks))
    assert line["mark"]["type"] == "line" and len(stock) == 6
    assert line["encoding"]["y"]["axis"]["format"] == ",.0f"
    assert tooltip_titles(line) == ["Week", "SKU", "Stock", "Safety stock", "Weeks of cover"]
    assert points["mark"]["color"] == "#d62728"
    assert [(r["sku"], r["week"], r["stock"]) for r in short] == [("s2", "2027-01-11", 2.5)]
    assert tooltip_titles(points) == ["Week", "SKU", "Below safety stock"]


# --------------------------------------------------------------------------- scenarios compared


def test_scenario_costs_chart_stacks_each_scenarios_costs_under_their_names():
    comparison = pd.DataFrame(
        {
            "section": ["cost", "cost", "cost", "kpi"],
            "label": ["A v1", "A v1", "B v2", "A v1"],
            "metric": ["holding", "regular_time", "holding", "total_cost"],
            "value": [100.0, 900.0, 250.0, 1000.0],
        }
    )
    [(bars, rows)] = layers(scenario_costs_chart(comparison))
    assert sorted((r["label"], r["value"]) for r in rows) == [
        ("A v1", 100.0),
        ("A v1", 900.0),
        ("B v2", 250.0),
    ]  # the KPI row is not a cost
    assert "holding" not in {r["category"] for r in rows}  # the category in words
    assert bars["encoding"]["x"]["axis"]["format"] == "$~s"
    assert tooltip_titles(bars) == ["Scenario", "Cost", "Amount"]


def test_scenario_lines_sum_the_supply_sources_and_leave_out_an_infeasible_plan():
    feasible = solve(tiny([10, 25]))
    infeasible = solve(
        tiny([10, 25], max_subcontract=0, ending_inventory_min=100, workforce={"max_workers": 1})
    )
    frame = scenario_lines_frame({"A v1": feasible, "B v1": infeasible})
    assert set(frame["scenario"]) == {"A v1"}
    supply = frame[frame["series"] == "Supply"]["value"].sum()
    by_source = feasible.supply_by_source()
    assert supply == by_source[["regular", "overtime", "subcontract"]].to_numpy().sum()
    assert set(frame["series"]) == {"Supply", "Inventory", "Demand (consensus)"}
    [(lines, _)] = layers(scenario_lines_chart({"A v1": feasible}))
    assert lines["encoding"]["strokeDash"]["field"] == "series"


# --------------------------------------------------------------------------- whole labels


def legends(spec: Any) -> list[dict[str, Any]]:
    """Every legend a chart spec defines (in its encodings, at any depth)."""
    found = []
    if isinstance(spec, dict):
        for key, value in spec.items():
            if key == "legend" and isinstance(value, dict):
                found.append(value)
            else:
                found += legends(value)
    elif isinstance(spec, list):
        for value in spec:
            found += legends(value)
    return found


def test_no_chart_cuts_a_legend_label():
    s = tiny([10, 25], workforce={"max_overtime_hours_per_worker": 5})
    result = solve(s)
    specs = [
        balance_spec(tuple(s.period_labels), "Units", large, 300) for large in (False, True)
    ] + [
        capacity_chart(result, s.period_labels).to_dict(),
        scenario_lines_chart({"A v1": result}).to_dict(),
    ]
    found = [legend for spec in specs for legend in legends(spec)]
    assert found, "the charts have legends"
    assert all(legend.get("labelLimit") == 0 for legend in found), found


def test_the_family_sheet_chart_shows_what_happened_then_the_plan():
    from sop_core.process.sop_sheet import sop_sheet
    from sop_core.reports.charts import family_sheet_chart_spec, family_sheet_frame

    history = pd.DataFrame(
        {"period": ["2027-02", "2027-03"], "family": "A", "sku": "a", "demand": [7.0, 9.0]}
    )
    plan = pd.DataFrame(
        {
            "family": "A",
            "period": ["2027-04", "2027-05"],
            "demand": [10.0, 20.0],
            "production": [12.0, 15.0],
            "subcontract": [0.0, 3.0],
            "inventory": [2.0, 0.0],
            "backorder": [0.0, 0.0],
            "safety_stock": [2.0, 0.0],
        }
    )
    sheet = sop_sheet(history, plan, past_months=2)
    frame = family_sheet_frame(sheet, "A")
    got = {(r.series, r.period): r.units for r in frame.itertuples(index=False)}
    # supply by source, demand, sales, stock against its target, backlog: by hand
    assert got[("Production", "2027-05")] == 15 and got[("Subcontracting", "2027-05")] == 3
    assert got[("Demand (forecast)", "2027-04")] == 10
    assert got[("Actual sales", "2027-03")] == 9 and ("Actual sales", "2027-04") not in got
    assert got[("Inventory", "2027-04")] == 2 and got[("Inventory target", "2027-04")] == 2
    assert got[("Backlog", "2027-05")] == 0
    assert ("Production", "2027-02") not in got  # nothing known was made then
    spec = family_sheet_chart_spec(sheet, "A")
    shaded = spec["layer"][0]
    assert shaded["mark"]["type"] == "rect"  # the past months, shaded
    assert [r["period"] for r in spec["datasets"][shaded["data"]["name"]]] == [
        "2027-02",
        "2027-03",
    ]
    assert spec["layer"][1]["encoding"]["color"]["legend"]["labelLimit"] == 0


def test_the_projected_cost_chart_keeps_the_largest_categories_and_sums_the_rest():
    from sop_core.reports.charts import cost_chart

    result = solve(tiny_with_line([[30.0, 10.0]], overtime=5))
    costs = {k: v for k, v in result.cost_breakdown.items() if abs(v) > 0.5}
    assert len(costs) == 3  # materials $23, subcontracting $85, the line's overtime $14
    rows = cost_chart(result, top=2).to_dict()["datasets"]
    shown = next(iter(rows.values()))
    assert [r["category"] for r in shown][-1] == "Other" and len(shown) == 2
    assert shown[0]["cost"] == 85.0 and shown[1]["cost"] == 23.0 + 14.0  # nothing left out
    assert len(next(iter(cost_chart(result).to_dict()["datasets"].values()))) == 3
