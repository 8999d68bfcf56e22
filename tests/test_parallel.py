"""One code path for in-process, local pool and dask: same results, ordered, with progress."""

from __future__ import annotations

import threading
from pathlib import Path

import pandas as pd
import pytest

from sop_core.demand.forecast import ETS_MODULE, forecast, make_tasks, preload_for
from sop_core.demand.history import read_history
from sop_core.demand.parallel import batches, run_batches, shared_pool, start_method_for

DATA = Path(__file__).resolve().parent.parent / "data"


def _square_all(xs: list[int]) -> list[int]:
    return [x * x for x in xs]


def _fail_on_seven(xs: list[int]) -> list[int]:
    if 7 in xs:
        raise ValueError("seven")
    return xs


def test_batches_cover_every_item_once() -> None:
    parts = batches(10, 4)
    assert [len(r) for r in parts] == [3, 3, 2, 2]
    assert [i for r in parts for i in r] == list(range(10))
    assert batches(2, 8) == [range(0, 1), range(1, 2)]


@pytest.mark.parametrize("backend", ["sequential", "processes"])
def test_results_keep_item_order_and_progress_reaches_total(backend: str) -> None:
    seen: list[tuple[int, int]] = []
    out = run_batches(
        _square_all,
        list(range(23)),
        backend=backend,
        workers=2,
        progress=lambda d, n: seen.append((d, n)),
    )
    assert out == [x * x for x in range(23)]
    assert seen[0] == (0, 23) and seen[-1] == (23, 23)
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)


def test_errors_in_workers_reach_the_caller() -> None:
    with pytest.raises(ValueError, match="seven"):
        run_batches(_fail_on_seven, list(range(10)), backend="processes", workers=2)


def test_start_method_suits_the_process() -> None:
    assert start_method_for("spawn") == "spawn"
    assert start_method_for("auto") == ("fork" if threading.active_count() == 1 else "forkserver")
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:  # another thread runs: forking would copy its held locks
        assert start_method_for("auto") == "forkserver"
    finally:
        stop.set()
        other.join()


def test_shared_pool_is_kept_and_forkserver_workers_compute() -> None:
    pool = shared_pool(2, start_method="forkserver", preload=["sop_core.demand.parallel"])
    assert shared_pool(2, start_method="forkserver") is pool
    assert pool.submit(_square_all, [3, 4]).result(timeout=120) == [9, 16]


def test_a_kept_pool_is_reused_although_its_own_manager_thread_runs() -> None:
    import sop_core.demand.parallel

    assert run_batches(_square_all, [1, 2, 3], backend="processes", workers=2) == [1, 4, 9]
    kept = dict(sop_core.demand.parallel._POOLS)
    assert threading.active_count() > 1  # the pool's manager thread
    assert run_batches(_square_all, [4], backend="processes", workers=2) == [16]
    assert kept == sop_core.demand.parallel._POOLS


@pytest.mark.parametrize("backend", ["sequential", "processes"])
def test_forecast_progress_counts_series(backend: str) -> None:
    history = read_history(DATA / "sample_history.csv")
    history = history[history["family"].isin(["Watering", "Hand Tools", "Power Tools"])]
    seen: list[tuple[int, int]] = []
    forecast(history, model="naive", backend=backend, workers=2, progress=lambda *p: seen.append(p))
    assert seen[0] == (0, 3) and seen[-1] == (3, 3)
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)
    if backend == "sequential":
        assert seen == [(0, 3), (1, 3), (2, 3), (3, 3)]


def test_workers_preload_only_the_libraries_the_models_need() -> None:
    history = read_history(DATA / "sample_history.csv")
    tasks = make_tasks(history, model="prophet")[0]
    assert preload_for(tasks) == ("sop_core.demand.forecast", "cmdstanpy")
    tasks = make_tasks(history, model="auto")[0]
    assert set(preload_for(tasks)) == {"sop_core.demand.forecast", ETS_MODULE, "cmdstanpy"}
    assert preload_for(make_tasks(history, model="naive")[0]) == ("sop_core.demand.forecast",)


def test_forecast_on_a_forkserver_pool_equals_sequential(monkeypatch) -> None:
    import sop_core.demand.parallel

    monkeypatch.setattr(sop_core.demand.parallel, "START_METHOD", "forkserver")
    history = read_history(DATA / "sample_history.csv")
    history = history[history["family"].isin(["Watering", "Hand Tools"])]
    options = dict(horizon=3, model="ets", seed=1, origins=2)
    pool = forecast(history, backend="processes", workers=2, **options)
    sequential = forecast(history, backend="sequential", **options)
    pd.testing.assert_frame_equal(pool.forecast, sequential.forecast)
    pd.testing.assert_frame_equal(pool.accuracy, sequential.accuracy)
    assert pool.accuracy.groupby("family")["chosen"].sum().tolist() == [1, 1]


@pytest.mark.slow
def test_dask_local_cluster_gives_the_same_numbers_as_the_local_pool() -> None:
    from distributed import Client, LocalCluster

    history = read_history(DATA / "sample_history.csv")
    history = history[history["family"] == "Watering"]  # 3 SKUs
    options = dict(horizon=6, model="auto", level="sku", seed=3, origins=1)
    pool = forecast(history, backend="processes", workers=2, **options)
    progress: list[int] = []
    with (
        LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster,
        Client(cluster) as client,
    ):
        remote = forecast(
            history, scheduler=client, progress=lambda d, n: progress.append(d), **options
        )
        by_address = forecast(
            history, scheduler=cluster.scheduler_address, **{**options, "model": "naive"}
        )
    assert len(pool.forecast) == 3 * 6
    pd.testing.assert_frame_equal(remote.forecast, pool.forecast, rtol=1e-9)
    pd.testing.assert_frame_equal(remote.accuracy, pool.accuracy, rtol=1e-9)
    naive = forecast(history, backend="processes", workers=2, **{**options, "model": "naive"})
    pd.testing.assert_frame_equal(by_address.forecast, naive.forecast, rtol=1e-9)
    assert progress[-1] == 3
    sequential = forecast(history, backend="sequential", **options)
    pd.testing.assert_frame_equal(sequential.forecast, pool.forecast, rtol=1e-9)
