"""The fan-out: the local pool, a dask cluster and this process give the same numbers for
the same seed; progress moves chunk by chunk; cancel stops between chunks."""

from __future__ import annotations

import threading
from pathlib import Path

import numpy as np
import pytest
from factories import red_tomato

from sop_core.analysis.frontier import frontier
from sop_core.analysis.risk import draw_paths, risk
from sop_core.analysis.sensitivity import tornado
from sop_core.analysis.sweep import Cancelled, base_start, planner_for, run_sweep, solve_from
from sop_core.engine.lp import model_data
from sop_core.engine.planner import Planner
from sop_core.model.scenario import Scenario, load_scenario


@pytest.fixture(scope="module")
def dask_client():
    distributed = pytest.importorskip("distributed")
    cluster = distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None
    )
    client = distributed.Client(cluster)
    yield client
    client.close()
    cluster.close()


def with_demand(s: Scenario, demand: np.ndarray) -> Scenario:
    fams = [
        f.model_copy(update={"demand": list(row)})
        for f, row in zip(s.families, demand, strict=True)
    ]
    return s.model_copy(update={"families": fams})


def risk_numbers(**how) -> tuple[np.ndarray, ...]:
    s = red_tomato()
    run = risk(s, 0.2 * model_data(s).D, draws=90, seed=4, **how)
    return run.fixed.cost, run.replan_cost, run.replan_fill_rate


def test_dask_the_local_pool_and_this_process_agree(dask_client) -> None:
    here = risk_numbers(backend="sequential")
    pool = risk_numbers(backend="processes", workers=2)
    on_dask = risk_numbers(scheduler=dask_client)
    for a, b, c in zip(here, pool, on_dask, strict=True):
        assert np.array_equal(a, b, equal_nan=True)
        assert np.array_equal(a, c, equal_nan=True)
    assert np.isfinite(here[1]).all()


def test_tornado_and_frontier_on_dask_agree(dask_client) -> None:
    s = red_tomato()
    here, there = tornado(s, backend="sequential"), tornado(s, scheduler=dask_client)
    assert [(b.assumption, b.low, b.high) for b in here.bars] == [
        (b.assumption, b.low, b.high) for b in there.bars
    ]
    f = frontier(s, "average_inventory", 9, backend="sequential")
    g = frontier(s, "average_inventory", 9, scheduler=dask_client)
    assert [p.cost for p in f.points] == [p.cost for p in g.points]


def _double(shared: int, chunk: list[int]) -> list[int]:
    return [shared * x for x in chunk]


def test_progress_moves_chunk_by_chunk() -> None:
    seen: list[tuple[int, int]] = []
    out = run_sweep(
        _double,
        2,
        list(range(10)),
        backend="sequential",
        chunk_size=4,
        progress=lambda *a: seen.append(a),
    )
    assert out == [2 * x for x in range(10)]
    assert seen == [(0, 10), (4, 10), (7, 10), (10, 10)]


def test_cancel_stops_between_chunks() -> None:
    stop = threading.Event()
    seen: list[int] = []

    def progress(done: int, total: int) -> None:
        seen.append(done)
        if done >= 3:
            stop.set()

    with pytest.raises(Cancelled):
        run_sweep(_double, 1, list(range(30)), backend="sequential", chunk_size=3,
                  progress=progress, cancel=stop)  # fmt: skip
    assert seen[-1] < 30
    with pytest.raises(Cancelled):
        run_sweep(_double, 1, [1, 2], backend="sequential", cancel=lambda: True)


def test_an_items_plan_does_not_depend_on_what_the_worker_solved_before() -> None:
    s = load_scenario(Path(__file__).resolve().parent.parent / "data" / "sample_company.json")
    d = model_data(s)
    paths = draw_paths(d.D, 0.2 * d.D, 3, 0.5, seed=9)
    _, start = base_start(s)
    after = [solve_from(with_demand(s, p), start) for p in paths][-1]
    planner_for(s).highs.clearSolver()
    fresh_planner = Planner(s)
    start.set_on(fresh_planner)
    alone = fresh_planner.solve(with_demand(s, paths[-1]))
    assert np.array_equal(after.values.v["P"], alone.values.v["P"])
    assert after.kpis == alone.kpis
