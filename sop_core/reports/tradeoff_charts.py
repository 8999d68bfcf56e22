"""The trade-offs' charts as Vega-Lite (Altair), for the Executive page and the meeting
pack: the frontier (total cost against a second aim, the plan and its what-ifs marked),
the tornado (each input's cost range, ranked) and the risk run's spread (one measure over
the demand paths, the target marked). Titles from the vocabulary
(:mod:`sop_core.base.fields`); each function takes plain frames (the analysis's
``frame``/``tornado_frame``/``paths_frame``) and returns the chart.
"""

from __future__ import annotations

import altair as alt
import pandas as pd

from sop_core.base.fields import header, label, term

#: Axis formats of the vocabulary's kinds (d3-format).
AXIS_FORMATS = {"money": "$,.0f", "rate": ".1%", "units": ",.0f", "workers": ",.2~f"}
FRONTIER_COLOUR, PLAN_COLOUR, KEPT_COLOUR = "#1f77b4", "#d62728", "#ff7f0e"


def _fmt(key: str) -> str:
    return AXIS_FORMATS.get(term(key).kind, ",.2~f")


def frontier_chart(
    points: pd.DataFrame,
    aim: str,
    *,
    marks: pd.DataFrame | None = None,
    height: int = 300,
) -> alt.LayerChart:
    """Total cost against ``aim``: the frontier's points (``level``, ``total_cost``,
    ``marginal_price`` as :meth:`Frontier.frame` gives them) as a line with dots, and
    ``marks`` (``name``, ``level``, ``total_cost``: the plan as it stands, the kept
    what-ifs) as labelled red dots."""
    x = alt.X(
        "level:Q", title=header(aim), axis=alt.Axis(format=_fmt(aim)), scale=alt.Scale(zero=False)
    )
    y = alt.Y(
        "total_cost:Q",
        title=header("total_cost"),
        axis=alt.Axis(format="$~s"),
        scale=alt.Scale(zero=False),
    )
    tips = [
        alt.Tooltip("point:Q", title=label("point")),
        alt.Tooltip("level:Q", title=label(aim), format=_fmt(aim)),
        alt.Tooltip("total_cost:Q", title=label("total_cost"), format="$,.0f"),
        alt.Tooltip("marginal_price:N", title=label("marginal_price")),
    ]
    base = alt.Chart(points.dropna(subset=["total_cost"])).encode(x=x, y=y)
    curve = base.mark_line(color=FRONTIER_COLOUR) + base.mark_point(
        filled=True, size=70, color=FRONTIER_COLOUR
    ).encode(tooltip=tips)
    layers: list = [curve]
    if marks is not None and not marks.empty:
        m = alt.Chart(marks)
        tip = [
            alt.Tooltip("name:N", title="Plan"),
            alt.Tooltip("total_cost:Q", title=label("total_cost"), format="$,.0f"),
        ]
        layers.append(
            m.mark_point(filled=True, size=120, color=PLAN_COLOUR, shape="diamond").encode(
                x=x, y=y, tooltip=tip
            )
        )
        layers.append(m.mark_text(align="left", dx=8, dy=-8).encode(x=x, y=y, text="name:N"))
    return alt.layer(*layers).properties(
        height=height, title=f"{label('total_cost')} against {label(aim).lower()}"
    )


def tornado_chart(bars: pd.DataFrame, base_cost: float, *, top: int = 12) -> alt.LayerChart:
    """Each input's total cost with it moved down and up (``parameter``, ``cost_low``,
    ``cost_high`` as :func:`tornado_frame` gives them, in rank order), the ``top`` first,
    as bars around the plan's cost (a rule)."""
    df = bars.head(top).dropna(subset=["cost_low", "cost_high"]).copy()
    df["rank"] = range(len(df))
    df["from"] = df[["cost_low", "cost_high"]].min(axis=1)
    df["to"] = df[["cost_low", "cost_high"]].max(axis=1)
    y = alt.Y("parameter:N", sort=alt.SortField("rank"), title=None, axis=alt.Axis(labelLimit=0))
    tips = [
        alt.Tooltip("parameter:N", title=label("parameter")),
        alt.Tooltip("cost_low:Q", title=label("cost_low"), format="$,.0f"),
        alt.Tooltip("cost_high:Q", title=label("cost_high"), format="$,.0f"),
    ]
    bar = (
        alt.Chart(df)
        .mark_bar()
        .encode(
            y=y,
            x=alt.X(
                "from:Q",
                title=header("total_cost"),
                axis=alt.Axis(format="$~s"),
                scale=alt.Scale(zero=False),
            ),
            x2="to:Q",
            tooltip=tips,
        )
    )
    rule = (
        alt.Chart(pd.DataFrame({"base": [base_cost]})).mark_rule(color="#111111").encode(x="base:Q")
    )
    return alt.layer(bar, rule).properties(
        height=40 + 24 * len(df), title="What moves the total cost most"
    )


def risk_chart(paths: pd.DataFrame, measure: str, *, target: float | None = None) -> alt.LayerChart:
    """How ``measure`` (a column of :func:`paths_frame`: fixed_fill_rate, fixed_cost, …)
    spreads over the demand paths, as a histogram; ``target`` as a rule (the service
    target on a fill rate)."""
    df = paths[[measure]].dropna()
    hist = (
        alt.Chart(df)
        .mark_bar()
        .encode(
            x=alt.X(
                f"{measure}:Q",
                bin=alt.Bin(maxbins=30),
                title=header(measure),
                axis=alt.Axis(format=_fmt(measure)),
            ),
            y=alt.Y("count():Q", title=label("draws")),
        )
    )
    layers = [hist]
    if target is not None:
        layers.append(
            alt.Chart(pd.DataFrame({"target": [target]}))
            .mark_rule(color=PLAN_COLOUR, strokeDash=[4, 3])
            .encode(x="target:Q")
        )
    return alt.layer(*layers).properties(height=220, title=label(measure))
