"""The charts of sop_core.reports.charts, built from tiny plans and frames: the data each
draws, its encodings, and its titles in words."""

from __future__ import annotations

from typing import Any

import altair as alt
from factories import tiny

from sop_core.engine.planner import solve
from sop_core.reports.charts import capacity_chart


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
