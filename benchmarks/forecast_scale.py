"""Forecast scale: the automatic model with backtests on many SKU series of 60 months.

    .venv/bin/python benchmarks/forecast_scale.py [--series 10000] [--baseline 60]
        [--workers 2] [--dask]
    .venv/bin/python benchmarks/forecast_scale.py --families 1000 [--workers 2]

Synthetic SKUs (seeded): two in three are smooth (level, trend, yearly season, noise),
one in three intermittent (about half the months zero); 72 months are made, the
first 60 are the history and the last 12 are held out for the accuracy table.

Speed: every SKU goes through ``forecast(level="sku", model="auto")``, six
rolling-origin backtests included, on the **batched path** (the default there,
:mod:`sop_core.demand.batched`) on the local pool (and, with ``--dask``, on a dask
``LocalCluster`` of the same size; start-up not timed). The baseline, in the same run,
is the per-series path (``engine="series"``: one fit per series × candidate × origin,
ETS, seasonal ARIMA and Prophet included) on the first ``--baseline`` SKUs, its rate
stretched to 10,000 series. The issue's target: 10,000 series in under 180 s on a
2-core machine.

Accuracy (so that speed is not bought with it): on the 12 held-out months, MASE
(mean absolute error over the in-sample seasonal naive MAE of the history; lag 1 for
intermittent series) and the share of actuals inside the 80 % interval, for the
batched auto on every SKU and on the baseline's subsample, the per-series auto on that
subsample, and seasonal naive.

``--families N``: the family level instead: N families (the same synthetic series, one
family each, no SKU column) through ``forecast(level="family", model="auto")`` on the
local pool, timed with the progress callback: seconds in all, seconds until progress
first moved past 0, how many times it moved, and the held-out MASE and 80 % coverage.
The issue's target: 1,000 families in under 60 s on 2 cores, the progress bar moving
as the work goes (before, the family level fitted every family with the full
candidate set, one at a time, and the bar sat at 0 % for over a minute).
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

from sop_core.demand.forecast import forecast, is_intermittent  # noqa: E402

TARGET_SERIES = 10_000
HISTORY, HELD_OUT = 60, 12


def sku_history(n: int, months: int = 60, seed: int = 0) -> pd.DataFrame:
    """``n`` synthetic SKU series of ``months`` months (see the module docstring)."""
    rng = np.random.default_rng(seed)
    periods = pd.date_range("2021-01-01", periods=months, freq="MS")
    t = np.arange(months)
    frames = []
    for i in range(n):
        if i % 3 == 2:
            y = np.where(rng.random(months) < 0.5, rng.poisson(5, months) + 1, 0)
        else:
            level = rng.uniform(50, 500)
            season = 1 + rng.uniform(0.1, 0.4) * np.sin(2 * np.pi * (t + rng.integers(12)) / 12)
            y = level * (1 + rng.uniform(-0.005, 0.01) * t) * season
            y = np.maximum(0, y + rng.normal(0, 0.08 * level, months)).round()
        frames.append(
            pd.DataFrame(
                {"period": periods, "family": f"F{i % 10}", "sku": f"S{i:05d}", "demand": y}
            )
        )
    return pd.concat(frames, ignore_index=True)


def held_out_scores(
    result: pd.DataFrame, actual: np.ndarray, history: np.ndarray
) -> tuple[float, float, float]:
    """Mean and median MASE and the 80 % interval's coverage of ``result`` (forecast
    frame) against ``actual`` (SKUs × 12, in SKU order)."""
    result = result.sort_values("sku", kind="stable")
    fc = result["forecast"].to_numpy().reshape(actual.shape)
    lower = result["lower"].to_numpy().reshape(actual.shape)
    upper = result["upper"].to_numpy().reshape(actual.shape)
    mase = np.abs(fc - actual).mean(axis=1) / mase_scale(history)
    inside = (lower <= actual) & (actual <= upper)
    return float(np.mean(mase)), float(np.median(mase)), float(inside.mean())


def mase_scale(history: np.ndarray) -> np.ndarray:
    """In-sample seasonal naive MAE per SKU (lag 1 for intermittent ones)."""
    out = np.empty(len(history))
    for i, y in enumerate(history):
        lag = 1 if is_intermittent(y) else 12
        out[i] = np.mean(np.abs(y[lag:] - y[:-lag]))
    return out


def family_case(families: int, workers: int) -> None:
    """Time a family-level auto forecast of ``families`` families (see the docstring)."""
    full = sku_history(families, months=HISTORY + HELD_OUT).drop(columns="family")
    full = full.rename(columns={"sku": "family"})
    months = np.sort(full["period"].unique())
    history = full[full["period"].isin(months[:HISTORY])]
    matrix = full["demand"].to_numpy(float).reshape(families, HISTORY + HELD_OUT)
    past, actual = matrix[:, :HISTORY], matrix[:, HISTORY:]
    options = dict(horizon=HELD_OUT, model="auto", level="family", workers=workers)
    forecast(history[history["family"] == "S00000"], **options)  # warm the pool
    moved: list[float] = []
    t0 = time.perf_counter()

    def progress(done: int, total: int) -> None:
        if done > 0:
            moved.append(time.perf_counter() - t0)

    result = forecast(history, progress=progress, **options)
    seconds = time.perf_counter() - t0
    frame = result.forecast.rename(columns={"family": "sku"})
    mean, _, cover = held_out_scores(frame, actual, past)
    path = "batched" if any("batched path" in n for n in result.notes) else "one family at a time"
    print(
        f"{families:,} families × {HISTORY} months at the family level, model auto, "
        f"{workers} workers\n"
    )
    header = (
        f"{'path':22s} {'seconds':>8s} {'first progress':>15s} {'progress moves':>15s} "
        f"{'mean MASE':>10s} {'80% coverage':>13s}"
    )
    print(header)
    print("-" * len(header))
    first = f"{moved[0]:14.1f}s" if moved else f"{'never':>15s}"
    print(f"{path:22s} {seconds:8.1f} {first} {len(moved):15d} {mean:10.3f} {100 * cover:12.1f}%")
    chosen = result.choices["model"].value_counts()
    print("\nchoices: " + ", ".join(f"{m} {c}" for m, c in chosen.items()))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--series", type=int, default=TARGET_SERIES)
    parser.add_argument("--baseline", type=int, default=60, help="SKUs for the per-series path")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--dask", action="store_true", help="also on a dask LocalCluster")
    parser.add_argument(
        "--families", type=int, default=0, help="time N families at the family level instead"
    )
    args = parser.parse_args()
    if args.families:
        family_case(args.families, args.workers)
        return
    full = sku_history(args.series, months=HISTORY + HELD_OUT)
    months = np.sort(full["period"].unique())
    history = full[full["period"].isin(months[:HISTORY])]
    matrix = full["demand"].to_numpy(float).reshape(args.series, HISTORY + HELD_OUT)
    past, actual = matrix[:, :HISTORY], matrix[:, HISTORY:]
    sub_skus = [f"S{i:05d}" for i in range(min(args.baseline, args.series))]
    sub = history[history["sku"].isin(sub_skus)]
    k = len(sub_skus)

    options = dict(horizon=HELD_OUT, model="auto", level="sku")
    forecast(sub, workers=args.workers, **options)  # warm the pool (fork, imports)
    runs: list[tuple[str, int, float]] = []
    t0 = time.perf_counter()
    batched = forecast(history, workers=args.workers, **options)
    runs.append(
        (f"batched, local pool ({args.workers} workers)", args.series, time.perf_counter() - t0)
    )
    if args.dask:
        from distributed import Client, LocalCluster

        with (
            LocalCluster(
                n_workers=args.workers,
                threads_per_worker=1,
                processes=True,
                dashboard_address=None,
            ) as cluster,
            Client(cluster) as client,
        ):
            t0 = time.perf_counter()
            forecast(history, scheduler=client, **options)
            seconds = time.perf_counter() - t0
            runs.append(
                (f"batched, dask LocalCluster ({args.workers} workers)", args.series, seconds)
            )
    t0 = time.perf_counter()
    per_series = forecast(sub, workers=args.workers, engine="series", **options)
    runs.append((f"per-series, local pool (baseline, {k} SKUs)", k, time.perf_counter() - t0))

    print(f"{args.series:,} SKU series × {HISTORY} months, model auto with 6-origin backtests\n")
    header = f"{'path':46s} {'series':>7s} {'seconds':>8s} {'series/s':>9s} {'10,000 series':>14s}"
    print(header)
    print("-" * len(header))
    for name, n, seconds in runs:
        rate = n / seconds
        print(f"{name:46s} {n:7d} {seconds:8.1f} {rate:9.1f} {TARGET_SERIES / rate:13.0f}s")
    speedup = (runs[0][1] / runs[0][2]) / (runs[-1][1] / runs[-1][2])
    print(f"\nbatched vs per-series: {speedup:,.0f}× the series per second")

    naive_frame = pd.DataFrame(  # seasonal naive: last year again
        {"sku": np.repeat(history["sku"].unique(), HELD_OUT), "forecast": past[:, -12:].ravel()}
    ).assign(lower=np.nan, upper=np.nan)
    sub_fc = batched.forecast[batched.forecast["sku"].isin(sub_skus)]
    rows = [
        ("batched auto", args.series, held_out_scores(batched.forecast, actual, past)),
        ("batched auto (baseline's SKUs)", k, held_out_scores(sub_fc, actual[:k], past[:k])),
        (
            "per-series auto (baseline's SKUs)",
            k,
            held_out_scores(per_series.forecast, actual[:k], past[:k]),
        ),
        ("seasonal naive", args.series, held_out_scores(naive_frame, actual, past)),
    ]
    print(f"\naccuracy on the {HELD_OUT} held-out months (simulated SKUs)\n")
    header = (
        f"{'forecast':36s} {'series':>7s} {'mean MASE':>10s} {'median MASE':>12s} "
        f"{'80% coverage':>13s}"
    )
    print(header)
    print("-" * len(header))
    for name, n, (mean, median, cover) in rows:
        cov = "" if name == "seasonal naive" else f"{100 * cover:12.1f}%"
        print(f"{name:36s} {n:7d} {mean:10.3f} {median:12.3f} {cov:>13s}")
    chosen = batched.choices["model"].value_counts()
    print("\nbatched auto's choices: " + ", ".join(f"{m} {c}" for m, c in chosen.items()))


if __name__ == "__main__":
    main()
