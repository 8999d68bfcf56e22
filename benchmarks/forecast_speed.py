"""Forecast speed: the sample company with ``auto``, and 500 SKU series with Prophet.

    .venv/bin/python benchmarks/forecast_speed.py [--series 500] [--repeat 3] [--skip-dask]

1. The sample company's families with ``auto`` (rolling-origin backtests of five
   candidates included), cold: a fresh Python process that imports everything.
2. The same in a process that runs other threads, as the web app does: sequential
   (warm) vs the local pool, whose first call starts a fork server (pool start-up
   included), vs the kept pool.
3. ``--series`` synthetic SKU series of 60 months, one Prophet fit each
   (``prophet-multiplicative``, no backtest), sequential vs the local process pool vs
   a dask ``LocalCluster`` (2 workers, 1 thread each; cluster start-up not timed).

Each time is the best of ``--repeat`` runs (the machine may be shared); the pool's
first call is one run by nature. Targets on a 2-core machine: (1) under 5 s,
(3) under 15 s for the parallel backends.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

COLD = """
import time
t0 = time.perf_counter()
from sop_core.demand.history import read_history
from sop_core.demand.forecast import forecast
h = read_history("data/sample_history.csv")
r = forecast(h, horizon=12, model="auto")
print(time.perf_counter() - t0, len(r.forecast))
"""

THREADED = """
import threading, time
threading.Thread(target=threading.Event().wait, daemon=True).start()  # a server's threads
from sop_core.demand.history import read_history
from sop_core.demand.forecast import forecast
h = read_history("data/sample_history.csv")
forecast(h, horizon=12, model="auto", backend="sequential")  # imports, as after a first page
times = []
for backend in ["sequential"] * REPEAT + ["processes"] * (REPEAT + 1):
    t = time.perf_counter()
    forecast(h, horizon=12, model="auto", backend=backend, workers=2)
    times.append(time.perf_counter() - t)
seq, first, kept = min(times[:REPEAT]), times[REPEAT], min(times[REPEAT + 1 :])
print(seq, first, kept)
"""


def synthetic_skus(n: int, months: int = 60, seed: int = 7) -> pd.DataFrame:
    """``n`` SKU series with trend, yearly season and noise (long format)."""
    rng = np.random.default_rng(seed)
    periods = pd.date_range("2021-01-01", periods=months, freq="MS")
    t = np.arange(months)
    frames = []
    for i in range(n):
        level = rng.uniform(50, 500)
        y = level * (1 + rng.uniform(-0.01, 0.03) * t / 12)
        y *= 1 + rng.uniform(0.1, 0.5) * np.cos(2 * np.pi * (t - rng.integers(12)) / 12)
        y *= rng.lognormal(0, 0.08, months)
        frames.append(
            pd.DataFrame(
                {"period": periods, "family": f"F{i % 20:02d}", "sku": f"S{i:04d}", "demand": y}
            )
        )
    return pd.concat(frames, ignore_index=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--series", type=int, default=500)
    parser.add_argument("--repeat", type=int, default=3, help="runs per time (best kept)")
    parser.add_argument("--skip-dask", action="store_true")
    args = parser.parse_args()
    rows: list[tuple[str, str, float]] = []

    best: list[float] = []
    for _ in range(args.repeat):
        proc = subprocess.run(
            [sys.executable, "-c", COLD], cwd=ROOT, capture_output=True, text=True, check=True
        )
        best.append(float(proc.stdout.split()[0]))
    rows.append(("sample company, 5 families, auto + backtests, cold", "local pool", min(best)))
    proc = subprocess.run(
        [sys.executable, "-c", THREADED.replace("REPEAT", str(args.repeat))],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    seq, first, kept = (float(x) for x in proc.stdout.split())
    label = "sample company, auto, warm process with threads"
    rows.append((label, "sequential", seq))
    rows.append((label, "local pool, first call (forkserver)", first))
    rows.append((label, "local pool, kept", kept))

    from sop_core.demand.forecast import forecast

    history = synthetic_skus(args.series)
    options = dict(horizon=12, model="prophet-multiplicative", level="sku", backtest=False)
    label = f"{args.series} SKU series x 60 months, Prophet"
    forecast(history[history["sku"] == "S0000"], backend="sequential", **options)  # warm imports
    results = {}

    def measure(name: str, **kwargs: object) -> None:
        times = []
        for _ in range(args.repeat):
            t = time.perf_counter()
            results[name] = forecast(history, **kwargs, **options)
            times.append(time.perf_counter() - t)
        rows.append((label, name, min(times)))

    measure("sequential", backend="sequential")
    measure("local pool (2 processes)", backend="processes", workers=2)
    if not args.skip_dask:
        from distributed import Client, LocalCluster

        with (
            LocalCluster(
                n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
            ) as cluster,
            Client(cluster) as client,
        ):
            client.run(lambda: __import__("sop_core.demand.models").models.warm_up())
            measure("dask LocalCluster (2 workers)", scheduler=client)
    ref = results["sequential"].forecast
    same = all(np.allclose(r.forecast["forecast"], ref["forecast"]) for r in results.values())

    width = max(len(r[0]) for r in rows)
    print(f"{'workload':<{width}}  {'backend':<36} {'seconds':>8}")
    for what, backend, seconds in rows:
        print(f"{what:<{width}}  {backend:<36} {seconds:8.2f}")
    print(f"same numbers on every backend: {same}")


if __name__ == "__main__":
    main()
