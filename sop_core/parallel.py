"""Run many independent tasks in order-preserving batches: in process, on a local
process pool, or on a dask.distributed cluster, through one code path.

Every backend is a :class:`concurrent.futures.Executor` (dask's via
``Client.get_executor()``); :func:`run_batches` submits one future per batch, collects
them as they complete, reports progress after each, and returns the results in the
order of the items.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Executor, Future, ProcessPoolExecutor, as_completed
from contextlib import contextmanager
from typing import Any, Literal, TypeVar

T = TypeVar("T")
R = TypeVar("R")

Progress = Callable[[int, int], None]
"""``progress(done, total)``: items finished so far out of all items."""

Backend = Literal["auto", "sequential", "processes"]


class InlineExecutor(Executor):
    """An executor that runs each task at once, in this process (the sequential backend)."""

    def submit(self, fn: Callable[..., R], /, *args: Any, **kwargs: Any) -> Future[R]:
        fut: Future[R] = Future()
        try:
            fut.set_result(fn(*args, **kwargs))
        except BaseException as exc:  # handed to the caller by fut.result()
            fut.set_exception(exc)
        return fut


def default_workers() -> int:
    """Worker processes of the local pool: the CPUs this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


def _mp_context() -> multiprocessing.context.BaseContext:
    """Fork on Linux: workers start warm (models already imported) and nothing re-runs
    the main module (``python -m sop_core`` has no ``__main__`` guard); spawn elsewhere."""
    if sys.platform.startswith("linux"):
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context("spawn")  # pragma: no cover


@contextmanager
def executor_for(
    scheduler: str | Any | None = None,
    *,
    backend: Backend = "processes",
    workers: int | None = None,
) -> Iterator[Executor]:
    """The executor for a run.

    Args:
        scheduler: a dask scheduler address ("tcp://host:8786") or a
            ``distributed.Client``; None for a local backend.
        backend: "sequential" (this process) or "processes" (local pool) when no
            scheduler is given.
        workers: local pool size (default: available CPUs).
    """
    if scheduler is not None:
        from distributed import Client

        own = not isinstance(scheduler, Client)
        client = Client(scheduler) if own else scheduler
        try:
            yield client.get_executor(pure=False)
        finally:
            if own:
                client.close()
        return
    if backend == "sequential" or (workers or default_workers()) <= 1:
        yield InlineExecutor()
        return
    pool = ProcessPoolExecutor(max_workers=workers or default_workers(), mp_context=_mp_context())
    try:
        yield pool
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def batches(n: int, parts: int) -> list[range]:
    """Split ``range(n)`` into ``parts`` contiguous, nearly equal, non-empty ranges."""
    parts = max(1, min(parts, n))
    size, extra = divmod(n, parts)
    out, start = [], 0
    for i in range(parts):
        stop = start + size + (1 if i < extra else 0)
        out.append(range(start, stop))
        start = stop
    return out


def run_batches(
    fn: Callable[[list[T]], list[R]],
    items: Sequence[T],
    *,
    scheduler: str | Any | None = None,
    backend: Backend = "processes",
    workers: int | None = None,
    batch_size: int | None = None,
    progress: Progress | None = None,
) -> list[R]:
    """Apply ``fn`` to batches of ``items`` and return its results in item order.

    ``fn`` takes a list of items and returns one result per item; it must be a
    module-level function (it is pickled to worker processes). The batch size
    defaults to about four batches per worker, so progress moves and work balances.
    ``progress(done, total)`` is called in this process after each finished batch.
    """
    total = len(items)
    if progress is not None:
        progress(0, total)
    if total == 0:
        return []
    slots = workers or default_workers()
    parts = -(-total // batch_size) if batch_size else slots * 4
    ranges = batches(total, parts)
    results: list[R | None] = [None] * total
    done = 0
    with executor_for(scheduler, backend=backend, workers=workers) as ex:
        futures = {ex.submit(fn, [items[i] for i in r]): r for r in ranges}
        for fut in as_completed(futures):
            r = futures[fut]
            out = fut.result()
            if len(out) != len(r):
                raise RuntimeError(f"batch returned {len(out)} results for {len(r)} items")
            for i, res in zip(r, out, strict=True):
                results[i] = res
            done += len(r)
            if progress is not None:
                progress(done, total)
    return results  # type: ignore[return-value]
