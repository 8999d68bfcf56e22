"""The trade-offs' charts: the data drawn, the encodings, the titles in words."""

from __future__ import annotations

import pandas as pd
from factories import red_tomato

from sop_core.analysis.frontier import frontier
from sop_core.analysis.risk import paths_frame, risk
from sop_core.analysis.sensitivity import tornado, tornado_frame
from sop_core.engine.lp import model_data
from sop_core.reports.tradeoff_charts import frontier_chart, risk_chart, tornado_chart


def layer_data(spec: dict) -> list[list[dict]]:
    """The rows each layer draws (inline datasets)."""
    sets = spec.get("datasets", {})
    out = []
    for layer in spec["layer"]:
        name = (layer.get("data") or spec.get("data") or {}).get("name")
        out.append(sets.get(name, []))
    return out


def test_frontier_chart_draws_the_points_and_marks_the_plan() -> None:
    f = frontier(red_tomato(), "average_inventory", points=5)
    marks = pd.DataFrame(
        {
            "name": ["Plan as it stands"],
            "level": [f.points[0].level],
            "total_cost": [f.points[0].cost],
        }
    )
    spec = frontier_chart(f.frame(), f.aim, marks=marks).to_dict()
    assert spec["title"] == "Total cost against average inventory"
    curve, _, text = spec["layer"]
    line = curve["layer"][0]
    assert line["encoding"]["x"]["title"] == "Average inventory (units)"
    assert line["encoding"]["y"]["title"] == "Total cost ($)"
    drawn = layer_data(spec)
    assert [round(r["total_cost"], 6) for r in drawn[0]] == [round(p.cost, 6) for p in f.points]
    assert drawn[1][0]["name"] == "Plan as it stands"
    assert text["encoding"]["text"]["field"] == "name"


def test_tornado_chart_ranks_the_bars_around_the_plan() -> None:
    t = tornado(red_tomato())
    frame = tornado_frame(t)
    spec = tornado_chart(frame, t.base.total_cost, top=5).to_dict()
    bars, rule = layer_data(spec)
    assert [b["parameter"] for b in bars] == frame["parameter"].head(5).tolist()
    assert all(b["from"] <= b["to"] for b in bars)
    assert rule == [{"base": t.base.total_cost}]
    assert spec["layer"][0]["encoding"]["y"]["sort"] == {"field": "rank"}


def test_risk_chart_bins_a_measure_and_marks_the_target() -> None:
    s = red_tomato()
    run = risk(s, 0.2 * model_data(s).D, draws=50, replan=False)
    spec = risk_chart(paths_frame(run), "fixed_fill_rate", target=0.95).to_dict()
    hist, _ = spec["layer"]
    assert hist["encoding"]["x"]["bin"] == {"maxbins": 30}
    assert hist["encoding"]["x"]["title"] == "Fill rate, plan as fixed"
    assert hist["encoding"]["y"]["title"] == "Demand paths"
    assert len(layer_data(spec)[0]) == 50
    assert layer_data(spec)[1] == [{"target": 0.95}]
