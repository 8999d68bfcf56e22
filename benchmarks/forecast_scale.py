"""Forecast scale: the automatic model with backtests on many SKU series of 60 months.

    .venv/bin/python benchmarks/forecast_scale.py [--series 200] [--workers 2] [--dask]

Synthetic SKUs (seeded): two in three are smooth (level, trend, yearly season, noise),
one in three intermittent (about half the months zero). Every SKU goes through
``forecast(level="sku", model="auto")``, backtests included, on the local pool (and,
with ``--dask``, on a dask ``LocalCluster`` of the same size; start-up not timed). The
table gives the wall time, series per second and that rate stretched to 10,000 series
(the issue's target: under 180 s on a 2-core machine).
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

from sop_core.forecast import forecast  # noqa: E402

TARGET_SERIES = 10_000


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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--series", type=int, default=200)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--dask", action="store_true", help="also on a dask LocalCluster")
    args = parser.parse_args()
    history = sku_history(args.series)
    runs: list[tuple[str, float]] = []
    options = dict(horizon=12, model="auto", level="sku")
    forecast(history[history["sku"] == "S00000"], workers=args.workers, **options)  # warm pool
    t0 = time.perf_counter()
    forecast(history, workers=args.workers, backend="processes", **options)
    runs.append((f"local pool ({args.workers} workers)", time.perf_counter() - t0))
    if args.dask:
        from distributed import Client, LocalCluster

        with (
            LocalCluster(n_workers=args.workers, threads_per_worker=1, processes=True) as cluster,
            Client(cluster) as client,
        ):
            t0 = time.perf_counter()
            forecast(history, scheduler=client, **options)
            runs.append((f"dask LocalCluster ({args.workers} workers)", time.perf_counter() - t0))
    print(f"{args.series} SKU series × 60 months, model auto with backtests\n")
    header = f"{'backend':34s} {'seconds':>8s} {'series/s':>9s} {'10,000 series':>14s}"
    print(header)
    print("-" * len(header))
    for name, seconds in runs:
        rate = args.series / seconds
        print(f"{name:34s} {seconds:8.1f} {rate:9.1f} {TARGET_SERIES / rate:13.0f}s")


if __name__ == "__main__":
    main()
