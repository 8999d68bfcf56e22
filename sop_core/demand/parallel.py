"""Run many independent tasks in order-preserving batches: in process, on a local
process pool, or on a dask.distributed cluster, through one code path.

Every backend is a :class:`concurrent.futures.Executor` (dask's via
``Client.get_executor()``); :func:`run_batches` submits one future per batch, collects
them as they complete, reports progress after each, and returns the results in the
order of the items. The local pool is kept for the process's later runs
(:func:`shared_pool`) and starts its workers in a way that suits the process
(:data:`START_METHOD`: ``fork`` when single-threaded, else a fork server).
"""

from __future__ import annotations

import importlib
import multiprocessing
import os
import sys
import threading
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


def one_blas_thread() -> Any:
    """A context in which BLAS/OpenMP use one thread (threadpoolctl).

    The models multiply tiny matrices: threads do not speed them up, while each
    library's own pool of busy-waiting threads, times the worker processes, swamps the
    cores (on a loaded 2-core machine, one ETS run of benchmarks/forecast_accuracy.py
    took 31-74 s with OpenBLAS's default threads, 3 s with OMP_NUM_THREADS=1; a SARIMAX
    fit 12 s against 3.5 s). Parallelism comes from the worker processes.
    """
    from threadpoolctl import threadpool_limits

    return threadpool_limits(limits=1)


START_METHOD: str = "auto"
"""How the local pool starts its workers:

- ``fork``: a copy of this process, with everything it imported: the fastest start,
  but unsafe when other threads run (a copied lock held by another thread never
  opens again: a web server's threads, say);
- ``forkserver``: workers fork from a small single-threaded server process that
  imported the ``preload`` modules once; safe from a threaded server, costs one
  fresh Python (about the imports' time) the first time;
- ``spawn``: a fresh Python per worker;
- ``auto`` (default): ``fork`` on Linux when this process runs no other thread,
  else ``forkserver`` on Linux, else ``spawn``.

Except with ``fork``, the main module is imported again in each worker: scripts need
the ``if __name__ == "__main__":`` guard.
"""


def start_method_for(method: str | None = None) -> str:
    """The start method that ``method`` (default :data:`START_METHOD`) means here and now."""
    method = method or START_METHOD
    if method != "auto":
        return method
    if not sys.platform.startswith("linux"):
        return "spawn"  # pragma: no cover
    return "fork" if threading.active_count() == 1 else "forkserver"


_POOLS: dict[tuple[int, str], ProcessPoolExecutor] = {}
_POOLS_LOCK = threading.Lock()


def _mp_context(method: str, preload: Sequence[str] = ()) -> multiprocessing.context.BaseContext:
    """The multiprocessing context for ``method``; a forkserver imports ``preload``."""
    ctx = multiprocessing.get_context(method)
    if method == "forkserver" and preload:
        # takes effect when this process first starts its fork server (then fixed)
        ctx.set_forkserver_preload(list(preload))  # type: ignore[attr-defined]
    elif method == "fork":
        for name in preload:  # imported once here, inherited by every worker
            importlib.import_module(name)
    return ctx


def shared_pool(
    workers: int, *, start_method: str | None = None, preload: Sequence[str] = ()
) -> ProcessPoolExecutor:
    """A process-wide pool of ``workers`` processes, started on first use and kept.

    Reusing it saves the workers' start-up (a fresh Python, imports) on every call
    after the first; a pool whose worker died is replaced. Thread-safe.
    """
    with _POOLS_LOCK:
        if start_method in (None, "auto"):  # any kept pool of this size will do
            # (its own manager thread would otherwise turn "auto" into forkserver)
            live = [p for (n, _), p in _POOLS.items() if n == workers and _alive(p)]
            if live:
                return live[0]
        method = start_method_for(start_method)
        pool = _POOLS.get((workers, method))
        if pool is None or not _alive(pool):
            pool = ProcessPoolExecutor(max_workers=workers, mp_context=_mp_context(method, preload))
            _POOLS[(workers, method)] = pool
        return pool


def _alive(pool: ProcessPoolExecutor) -> bool:
    """Whether ``pool`` still takes work (not broken by a dead worker, not shut down)."""
    return not (getattr(pool, "_broken", False) or getattr(pool, "_shutdown_thread", False))


def shutdown_pools() -> None:
    """Stop every shared pool (their workers exit)."""
    with _POOLS_LOCK:
        pools = list(_POOLS.values())
        _POOLS.clear()
    for pool in pools:
        pool.shutdown(wait=True, cancel_futures=True)


CONNECT_TIMEOUT: float = 5.0
"""Seconds to wait for a dask scheduler to answer before giving up (distributed's own
default is 30 s: too long to learn that an address is wrong)."""


def connect(address: str, timeout: float | None = None) -> Any:
    """A ``distributed.Client`` of the scheduler at ``address``.

    Raises:
        InputError: naming ``scheduler`` when the address is malformed or nothing
            answers there within ``timeout`` seconds (default :data:`CONNECT_TIMEOUT`).
    """
    from distributed import Client

    from sop_core.base.errors import InputError, Problem

    wait = CONNECT_TIMEOUT if timeout is None else timeout
    fix = "give a dask scheduler's address such as tcp://host:8786, or none to run locally"
    if not isinstance(address, str) or not address.strip():
        raise InputError(Problem("scheduler", f"must be an address, got {address!r}; {fix}"))
    try:
        return Client(address, timeout=wait)
    except ValueError as exc:  # malformed: "::::", a missing port, an unknown scheme
        raise InputError(
            Problem("scheduler", f"{address!r} is not a scheduler address ({exc}); {fix}")
        ) from None
    except (OSError, TimeoutError) as exc:
        raise InputError(
            Problem(
                "scheduler",
                f"no dask scheduler answered at {address!r} within {wait:g} s "
                f"({type(exc).__name__}); start one there (`dask scheduler`), or leave the "
                "scheduler out to run locally",
            )
        ) from None


@contextmanager
def executor_for(
    scheduler: str | Any | None = None,
    *,
    backend: Backend = "processes",
    workers: int | None = None,
    preload: Sequence[str] = (),
    start_method: str | None = None,
    reuse: bool = True,
) -> Iterator[Executor]:
    """The executor for a run.

    Args:
        scheduler: a dask scheduler address ("tcp://host:8786") or a
            ``distributed.Client``; None for a local backend.
        backend: "sequential" (this process) or "processes" (local pool) when no
            scheduler is given.
        workers: local pool size (default: available CPUs).
        preload: modules the local workers start with: imported here before a
            ``fork``, or by the fork server (the first time this process starts one).
        start_method: "auto", "fork", "forkserver" or "spawn" (default
            :data:`START_METHOD`).
        reuse: keep the local pool for later runs (:func:`shared_pool`); False starts
            one for this run and stops it after.
    """
    if scheduler is not None:
        from distributed import Client

        own = not isinstance(scheduler, Client)
        client = connect(scheduler) if own else scheduler
        try:
            yield client.get_executor(pure=False)
        finally:
            if own:
                client.close()
        return
    n = workers or default_workers()
    if backend == "sequential" or n <= 1:
        yield InlineExecutor()
        return
    if reuse:
        yield shared_pool(n, start_method=start_method, preload=preload)
        return
    method = start_method_for(start_method)
    pool = ProcessPoolExecutor(max_workers=n, mp_context=_mp_context(method, preload))
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
        try:
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
        finally:  # a failed batch: the others not yet started are dropped
            for fut in futures:
                fut.cancel()
    return results  # type: ignore[return-value]
