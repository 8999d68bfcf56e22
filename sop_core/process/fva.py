"""Forecast value added: did the consensus overrides, and the statistical model, help?

Each S&OP cycle freezes its forecasts when the demand review is signed off. Against the
sales that then happened, this module scores per family and cycle three forecasts:

- ``statistical``: the model's forecast, as frozen;
- ``consensus``: the forecast after the demand review's overrides, as frozen;
- ``naive``: the last actual: every month the cycle forecasts gets the sales of the month
  before the cycle's first forecast month (what was known when the cycle met).

Accuracy (:func:`sop_core.demand.accuracy.error_measures`, errors e = forecast − actual pooled
over the cycle's months that have sales; fractions, 0.12 = 12 %):
``mape`` = mean(|e| ÷ actual) over months with sales > 0, ``bias`` = Σe ÷ Σactual
(positive: over-forecast).

Value added, in MAPE points (positive: the later step made the forecast better):
``fva_consensus`` = MAPE of statistical − MAPE of consensus (did the overrides help?),
``fva_statistical`` = MAPE of naive − MAPE of statistical (did the model beat the last
actual?).

Inputs (``period`` and ``cycle`` are months "YYYY-MM"):

:data:`SNAPSHOT_COLUMNS` — the frozen forecasts: cycle, family, period, statistical,
consensus (units), one row per cycle, family and forecast month; :func:`snapshot_frame`
makes it from the cycles' demand sign-offs.

``sales`` — actual sales per family and month, columns family, period, sales (as
:func:`sop_core.process.sop_sheet.monthly_sales` makes them from the history).

:data:`FVA_COLUMNS` — :func:`forecast_value_added`'s frame, one row per cycle and family
(and, with ``total``, one per cycle for all families pooled, family ``ALL``)::

    cycle, family
    months                 forecast months scored (with sales)
    mape_statistical, mape_consensus, mape_naive
    bias_statistical, bias_consensus, bias_naive
    fva_consensus, fva_statistical

:func:`fva_words` says a row in words ("the overrides improved MAPE by 3.1 points").
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import numpy as np
import pandas as pd

from sop_core.base.errors import InputError, Problem
from sop_core.base.fields import MISSING
from sop_core.base.text import noun
from sop_core.demand.accuracy import error_measures
from sop_core.process.cycle import Cycle
from sop_core.process.monthly import MONTH_LABEL, is_month_label

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
            Problem(
                name,
                f"missing {noun(len(missing), 'column')} {', '.join(missing)}; "
                f"needs {', '.join(wanted)}",
            )
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


# --------------------------------------------------------------------------- from the cycles


def snapshot_frame(cycles: Iterable[Cycle]) -> pd.DataFrame:
    """The frozen forecasts of ``cycles`` (their demand sign-offs' ``consensus``
    snapshots, :func:`sop_core.process.cycle.consensus_frame`) as :data:`SNAPSHOT_COLUMNS`:
    cycle (its month), family, period, statistical (NaN when none was frozen),
    consensus (units), one row per cycle, family and period.

    Only periods that are months ("YYYY-MM") can meet the sales: a plan whose periods
    are labels such as "Jan" gives no row (:func:`unscored_periods` lists them)."""
    frames = []
    for cycle in cycles:
        frozen = cycle.consensus()
        frozen = frozen[frozen["period"].astype(str).str.fullmatch(MONTH_LABEL)]
        if len(frozen):
            frames.append(
                pd.DataFrame(
                    {
                        "cycle": cycle.month,
                        "family": frozen["family"].astype(str).to_numpy(),
                        "period": frozen["period"].astype(str).to_numpy(),
                        "statistical": frozen["statistical"].to_numpy(float),
                        "consensus": frozen["units"].to_numpy(float),
                    }
                )
            )
    if not frames:
        return pd.DataFrame(
            {
                "cycle": pd.Series(dtype=object),
                "family": pd.Series(dtype=object),
                "period": pd.Series(dtype=object),
                "statistical": pd.Series(dtype=float),
                "consensus": pd.Series(dtype=float),
            }
        )
    return pd.concat(frames, ignore_index=True)[list(SNAPSHOT_COLUMNS)]


def unscored_periods(cycles: Iterable[Cycle]) -> list[str]:
    """The period labels of ``cycles``' frozen forecasts that are not months
    ("Jan", "W1", …): sales are kept per month, so these can never be scored."""
    labels: dict[str, None] = {}
    for cycle in cycles:
        for period in cycle.consensus()["period"].astype(str):
            if not is_month_label(period):
                labels[period] = None
    return list(labels)


def _points(value: float) -> str:
    shown = round(abs(value) * 100, 1)
    return f"{shown:.1f} point{'' if shown == 1 else 's'}"


def _number(row: Mapping[str, object], key: str) -> float:
    value = row.get(key)
    return float(value) if isinstance(value, int | float) else float("nan")


def fva_words(row: Mapping[str, object]) -> str:
    """One row of :func:`forecast_value_added` in words, e.g. "the overrides improved
    MAPE by 3.1 points; the model beat the naive forecast by 12.0 points" (changes
    under 0.05 points are "as it was")."""
    parts = []
    fc, fs = _number(row, "fva_consensus"), _number(row, "fva_statistical")
    if np.isnan(fc):
        parts.append("no statistical forecast was frozen to judge the overrides by")
    elif round(fc * 100, 1) == 0:
        parts.append("the overrides left MAPE as it was")
    else:
        verb = "improved" if fc > 0 else "worsened"
        parts.append(f"the overrides {verb} MAPE by {_points(fc)}")
    if not np.isnan(fs):
        if round(fs * 100, 1) == 0:
            parts.append("the model did as well as the naive forecast")
        elif fs > 0:
            parts.append(f"the model beat the naive forecast by {_points(fs)}")
        else:
            parts.append(f"the naive forecast beat the model by {_points(fs)}")
    return "; ".join(parts)


def fva_report(fva: pd.DataFrame) -> pd.DataFrame:
    """:func:`forecast_value_added`'s frame as text for print (the meeting pack): the
    pooled rows named "All families", MAPE and bias in % ("12.3%"), value added in
    signed MAPE points ("+3.1"), :data:`~sop_core.base.fields.MISSING` where there is no
    value, and each row in words."""

    def pct(value: float) -> str:
        return MISSING if pd.isna(value) else f"{value * 100:.1f}%"

    def points(value: float) -> str:
        return MISSING if pd.isna(value) else f"{value * 100:+.1f}"

    out = pd.DataFrame(
        {
            "Cycle": fva["cycle"],
            "Family": fva["family"].where(fva["family"] != ALL, "All families"),
            "Months": fva["months"],
        }
    )
    for kind in ("mape", "bias"):
        for name in FORECASTS:
            out[f"{kind.upper() if kind == 'mape' else 'Bias'} {name}"] = [
                pct(v) for v in fva[f"{kind}_{name}"]
            ]
    out["Overrides (MAPE points)"] = [points(v) for v in fva["fva_consensus"]]
    out["Model vs naive (MAPE points)"] = [points(v) for v in fva["fva_statistical"]]
    out["What it says"] = [fva_words(row) for row in fva.to_dict("records")]
    return out.reset_index(drop=True)
