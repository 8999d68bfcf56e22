"""Many families at the family level: the batched path, its numbers and its progress."""

from __future__ import annotations

from concurrent.futures import Executor, Future
from typing import Any

import numpy as np
import pandas as pd
import pytest

from sop_core.base.errors import InputError
from sop_core.demand.forecast import (
    BATCHED_FAMILIES,
    batched_path,
    forecast,
    make_tasks,
    run_tasks,
)


def _rows(n: int, regular: int, intermittent: int) -> np.ndarray:
    """``regular`` seeded trend × season rows and ``intermittent`` spotty ones."""
    t = np.arange(n)
    rows = []
    for s in range(regular):
        rng = np.random.default_rng(s)
        season = 1 + 0.15 * np.sin(2 * np.pi * (t + s) / 12)
        rows.append((200 + 10 * s + 2 * t) * season + rng.normal(0, 8, n))
    for s in range(intermittent):
        rng = np.random.default_rng(100 + s)
        rows.append(np.where(rng.random(n) < 0.4, rng.poisson(6, n) + 1, 0).astype(float))
    return np.array(rows)


def _history(Y: np.ndarray) -> pd.DataFrame:
    """One family per row, each of one SKU of the same name."""
    periods = pd.date_range("2019-01-01", periods=Y.shape[1], freq="MS")
    return pd.concat(
        [
            pd.DataFrame(
                {"period": periods, "family": f"F{i:03d}", "sku": f"F{i:03d}", "demand": y}
            )
            for i, y in enumerate(Y)
        ],
        ignore_index=True,
    )


def test_beyond_a_few_dozen_families_auto_goes_batched() -> None:
    assert not batched_path("auto", "auto", "family", BATCHED_FAMILIES)
    assert batched_path("auto", "auto", "family", BATCHED_FAMILIES + 1)
    assert batched_path("auto", "auto", "sku", 1)
    assert not batched_path("series", "auto", "family", 1_000)  # the full set, if asked for
    assert not batched_path("auto", "ets", "family", 1_000)  # one model: fitted per family
    with pytest.raises(InputError, match="'batched' runs model 'auto' only"):
        batched_path("batched", "ets", "family", 1_000)


def test_many_families_get_the_sku_levels_numbers_and_progress_moves_per_batch() -> None:
    """140 families of one SKU each: the family level (on the pool) gives exactly the
    forecast, interval, model and reason of the SKU level (in this process), and the
    progress callback moves as each of several batches comes back."""
    history = _history(_rows(48, 100, 40))
    seen: list[tuple[int, int]] = []
    families = forecast(
        history.drop(columns="sku"),
        level="family",
        horizon=4,
        workers=2,
        progress=lambda done, total: seen.append((done, total)),
    )
    skus = forecast(history, level="sku", horizon=4, backend="sequential")
    assert families.notes[0].startswith(
        f"more than {BATCHED_FAMILIES} families, so 140 series forecast on the batched path"
    )
    cols = ["period", "forecast", "lower", "upper", "model"]
    pd.testing.assert_frame_equal(families.forecast[cols], skus.forecast[cols])
    assert families.forecast["family"].tolist() == skus.forecast["sku"].tolist()
    assert families.choices["reason"].tolist() == skus.choices["reason"].tolist()
    assert seen[0] == (0, 140) and seen[-1] == (140, 140)
    moves = [d for d, _ in seen if d > 0]
    assert len(moves) >= 3 and moves == sorted(moves)


def test_a_few_families_keep_the_full_candidate_set() -> None:
    history = _history(_rows(30, 3, 0)).drop(columns="sku")
    result = forecast(history, level="family", horizon=3, origins=1, backend="sequential")
    assert not any("batched" in note for note in result.notes)
    assert {"ets", "sarima", "prophet-additive"} <= set(result.accuracy["model"])


class _InOrder(Executor):
    """Runs each job as it is submitted, in this process, and logs it: the order in
    which a pool's queue would start them, without any timing."""

    def __init__(self) -> None:
        self.log: list[str] = []

    def submit(self, fn: Any, /, *args: Any, **kwargs: Any) -> Future:
        self.log.append(fn.__name__)
        future: Future = Future()
        future.set_result(fn(*args, **kwargs))
        return future


def test_a_few_families_progress_before_the_last_backtest_is_sent() -> None:
    """On the one-by-one path the final fits of the first series go ahead of the
    backtests not yet sent, so progress moves early, not only once every backtest has
    run (as when all backtests were queued at once); the numbers stay the same."""
    history = _history(_rows(30, 6, 0)).drop(columns="sku")
    tasks = make_tasks(history, horizon=3, model="naive", origins=1)[0]
    ex = _InOrder()
    out = run_tasks(
        tasks, ex, slots=1, progress=lambda done, total: ex.log.append(f"progress {done}")
    )
    backtests = [i for i, name in enumerate(ex.log) if name == "backtest_batch"]
    moved = ex.log.index(next(x for x in ex.log if x.startswith("progress") and x != "progress 0"))
    assert len(backtests) == 4 and moved < backtests[-1]
    assert ex.log[-1] == "progress 6"
    alone = forecast(history, horizon=3, model="naive", origins=1, backend="sequential")
    assert np.concatenate([r.mean for r in out]).tolist() == alone.forecast["forecast"].tolist()
