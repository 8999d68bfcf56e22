"""Forecast value added: did the consensus overrides, and the statistical model, help?

Each S&OP cycle freezes its forecasts when the demand review is signed off. Against the
sales that then happened, this module scores per family and cycle three forecasts:

- ``statistical``: the model's forecast, as frozen;
- ``consensus``: the forecast after the demand review's overrides, as frozen;
- ``naive``: the last actual: every month the cycle forecasts gets the sales of the month
  before the cycle's first forecast month (what was known when the cycle met).

Accuracy (:func:`sop_core.accuracy.error_measures`, errors e = forecast − actual pooled
over the cycle's months that have sales; fractions, 0.12 = 12 %):
``mape`` = mean(|e| ÷ actual) over months with sales > 0, ``bias`` = Σe ÷ Σactual
(positive: over-forecast).

Value added, in MAPE points (positive: the later step made the forecast better):
``fva_consensus`` = MAPE of statistical − MAPE of consensus (did the overrides help?),
``fva_statistical`` = MAPE of naive − MAPE of statistical (did the model beat the last
actual?).

Inputs (``period`` and ``cycle`` are months "YYYY-MM"):

:data:`SNAPSHOT_COLUMNS` — the frozen forecasts: cycle, family, period, statistical,
consensus (units), one row per cycle, family and forecast month.

``sales`` — actual sales per family and month, columns family, period, sales (as
:func:`sop_core.sop_sheet.monthly_sales` makes them from the history).

:data:`FVA_COLUMNS` — :func:`forecast_value_added`'s frame, one row per cycle and family
(and, with ``total``, one per cycle for all families pooled, family ``ALL``)::

    cycle, family
    months                 forecast months scored (with sales)
    mape_statistical, mape_consensus, mape_naive
    bias_statistical, bias_consensus, bias_naive
    fva_consensus, fva_statistical
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sop_core.accuracy import error_measures
from sop_core.errors import InputError, Problem

SNAPSHOT_COLUMNS = ("cycle", "family", "period", "statistical", "consensus")
FORECASTS = ("statistical", "consensus", "naive")
FVA_COLUMNS = (
    "cycle",
    "family",
    "months",
    *(f"mape_{f}" for f in FORECASTS),
    *(f"bias_{f}" for f in FORECASTS),
    "fva_consensus",
    "fva_statistical",
)
#: The family label of the rows that pool every family of a cycle.
ALL = "ALL"


def _check(frame: pd.DataFrame, wanted: tuple[str, ...], name: str) -> None:
    missing = [c for c in wanted if c not in frame.columns]
    if missing:
        raise InputError(
            Problem(name, f"missing column(s) {', '.join(missing)}; needs {', '.join(wanted)}")
        )


def _previous_month(period: str) -> str:
    return str(pd.Period(period, freq="M") - 1)


def scored_points(snapshots: pd.DataFrame, sales: pd.DataFrame) -> pd.DataFrame:
    """The points scored: each snapshot row with a sale, with its naive forecast.

    Columns cycle, family, period, statistical, consensus, naive, actual. A month without
    a sale in ``sales`` is left out; a naive forecast without the sale it needs is NaN.
    """
    _check(snapshots, SNAPSHOT_COLUMNS, "snapshots")
    _check(sales, ("family", "period", "sales"), "sales")
    actual = sales.set_index(["family", "period"])["sales"]
    snap = snapshots[list(SNAPSHOT_COLUMNS)].copy()
    first = snap.groupby(["cycle", "family"])["period"].transform("min")
    known = [_previous_month(p) for p in first]
    snap["naive"] = actual.reindex(list(zip(snap["family"], known, strict=True))).to_numpy()
    keys = list(zip(snap["family"], snap["period"], strict=True))
    snap["actual"] = actual.reindex(keys).to_numpy()
    snap = snap.dropna(subset=["actual"])
    return snap.sort_values(["cycle", "family", "period"], kind="stable").reset_index(drop=True)


def forecast_value_added(
    snapshots: pd.DataFrame, sales: pd.DataFrame, *, total: bool = True
) -> pd.DataFrame:
    """MAPE and bias of the statistical, consensus and naive forecasts per cycle and
    family, and the value each step added (columns :data:`FVA_COLUMNS`; the rules are in
    the module docstring). Cycles and families with no month to score are left out."""
    points = scored_points(snapshots, sales)
    groups: list[tuple[str, str, pd.DataFrame]] = [
        (str(c), str(f), g) for (c, f), g in points.groupby(["cycle", "family"], sort=True)
    ]
    if total:
        groups += [(str(c), ALL, g) for c, g in points.groupby("cycle", sort=True)]
    rows = []
    for cycle, family, g in groups:
        row: dict[str, object] = {"cycle": cycle, "family": family, "months": len(g)}
        y = g["actual"].to_numpy(float)
        for name in FORECASTS:
            f = g[name].to_numpy(float)
            if np.isnan(f).any():
                row[f"mape_{name}"] = row[f"bias_{name}"] = np.nan
                continue
            m = error_measures(y, f)
            row[f"mape_{name}"], row[f"bias_{name}"] = m["mape"], m["bias"]
        row["fva_consensus"] = row["mape_statistical"] - row["mape_consensus"]  # type: ignore[operator]
        row["fva_statistical"] = row["mape_naive"] - row["mape_statistical"]  # type: ignore[operator]
        rows.append(row)
    out = pd.DataFrame(rows, columns=list(FVA_COLUMNS))
    if total and len(out):
        out["_all"] = out["family"] == ALL
        out = out.sort_values(["cycle", "_all", "family"], kind="stable").drop(columns="_all")
    return out.reset_index(drop=True)
