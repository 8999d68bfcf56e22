"""The fan-out of a sweep: a batch of independent re-solves run in chunks, in this
process, on the local process pool or on a dask.distributed cluster, with progress and
cancel.

Every trade-off (a frontier's levels, a tornado's bars, a risk run's demand paths) is a
list of items and a module-level function that solves a chunk of them with one
:class:`~sop_core.engine.planner.Planner` per worker (kept per thread, by shape, and
warm-started from the base plan's basis for every item). The chunks are cut the same way
whatever runs them, and each item starts from the same basis, so the local pool, a dask
cluster and this process give the same numbers.

    results = run_sweep(solve_chunk, shared, items, scheduler=None, progress=bar, cancel=ev)
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, wait
from dataclasses import dataclass
from functools import cached_property
from typing import Any, Literal, TypeVar

import highspy

from sop_core.base.errors import InputError, Problem
from sop_core.demand.parallel import Progress, batches, default_workers, executor_for
from sop_core.engine.lp import FixedPlan, ShapeKey, shape_key
from sop_core.engine.planner import Planner, PlanResult
from sop_core.model.scenario import Scenario

T = TypeVar("T")
R = TypeVar("R")
S = TypeVar("S")

Backend = Literal["auto", "sequential", "processes"]
#: Items per chunk by default: small enough for the progress bar to move and for
#: cancel to be heard, large enough that a worker's planner pays off.
CHUNK = 25
#: Below this many items "auto" runs in this process: a pool's start and hand-over cost
#: more than a few dozen warm re-solves of milliseconds each.
IN_PROCESS_BELOW = 64
#: Planners kept per thread (one per scenario shape).
KEPT_PLANNERS = 4


class NoFeasiblePlan(InputError):
    """The plan to trade off has no feasible solution (field ``scenario``): nothing to
    sweep. The command line exits 1 on it, as for any plan that is not feasible."""

    def __init__(self, message: str) -> None:
        super().__init__(Problem("scenario", f"has no feasible plan: {message}"))


class Cancelled(Exception):
    """The sweep was cancelled between chunks (the finished ones are dropped)."""


@dataclass(frozen=True)
class Outcome:
    """What a sweep keeps of one re-solved plan: its status, total cost and the KPIs a
    trade-off shows (small, so it travels cheaply back from a worker)."""

    status: str
    total_cost: float | None
    fill_rate: float | None
    average_inventory: float | None
    peak_backlog: float | None

    @property
    def optimal(self) -> bool:
        return self.status == "optimal"

    @classmethod
    def of(cls, plan: PlanResult) -> Outcome:
        k = plan.kpis if plan.optimal else {}
        return cls(
            plan.status,
            plan.total_cost if plan.optimal else None,
            k.get("fill_rate"),
            k.get("average_inventory"),
            k.get("peak_backlog"),
        )


@dataclass(frozen=True)
class Start:
    """A basis to warm-start every item from (HiGHS's basis statuses, as ints so that it
    pickles): the base plan's. The HiGHS basis is made from them once per process."""

    col_status: tuple[int, ...]
    row_status: tuple[int, ...]

    @classmethod
    def of(cls, planner: Planner) -> Start | None:
        b = planner.highs.getBasis()
        if not b.valid:
            return None
        return cls(tuple(int(x) for x in b.col_status), tuple(int(x) for x in b.row_status))

    @cached_property
    def basis(self) -> highspy.HighsBasis:
        """The HiGHS basis of these statuses (made on first use, not pickled)."""
        b = highspy.HighsBasis()
        b.col_status = [highspy.HighsBasisStatus(x) for x in self.col_status]
        b.row_status = [highspy.HighsBasisStatus(x) for x in self.row_status]
        b.valid = True
        return b

    def __getstate__(self) -> dict[str, Any]:
        return {"col_status": self.col_status, "row_status": self.row_status}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)

    def set_on(self, planner: Planner) -> None:
        """Make this basis the one the next solve of ``planner`` starts from."""
        h = planner.highs
        if len(self.col_status) != h.getNumCol() or len(self.row_status) != h.getNumRow():
            return
        h.setBasis(self.basis)


_LOCAL = threading.local()


def planner_for(scenario: Scenario) -> Planner:
    """This thread's planner for ``scenario``'s shape (made on first use, then kept)."""
    kept: dict[ShapeKey, Planner] = getattr(_LOCAL, "planners", None) or {}
    _LOCAL.planners = kept
    key = shape_key(scenario)
    found = kept.pop(key, None)
    if found is None:
        found = Planner(scenario)
    kept[key] = found  # most recently used last
    while len(kept) > KEPT_PLANNERS:
        kept.pop(next(iter(kept)))
    return found


def solve_from(
    scenario: Scenario, start: Start | None, fixed: FixedPlan | None = None
) -> PlanResult:
    """Solve ``scenario`` (inside the time fence ``fixed``) on this thread's planner, warm
    from ``start`` (the same start for every item: the answer does not depend on what
    this worker solved before)."""
    planner = planner_for(scenario)
    # forget what the last solve left (its basis, its pricing weights): the solve starts
    # from ``start`` alone, so it ends at the same optimum whatever this worker did before
    planner.highs.clearSolver()
    if start is not None and not scenario.policy.integer_workforce:
        start.set_on(planner)
    return planner.solve(scenario, fixed)


def base_start(
    scenario: Scenario, fixed: FixedPlan | None = None
) -> tuple[PlanResult, Start | None]:
    """The base plan (inside the time fence ``fixed``) and its basis, the start of every
    item of a sweep."""
    planner = planner_for(scenario)
    planner.highs.clearSolver()
    plan = planner.solve(scenario, fixed)
    return plan, Start.of(planner) if plan.optimal else None


Cancel = Callable[[], bool] | threading.Event | None


def cancelled(cancel: Cancel) -> bool:
    """Whether ``cancel`` (an Event or a callable) asks the sweep to stop."""
    if cancel is None:
        return False
    if isinstance(cancel, threading.Event):
        return cancel.is_set()
    return bool(cancel())


def _chunk_call(fn: Callable[[S, list[T]], list[R]], shared: S, chunk: list[T]) -> list[R]:
    return fn(shared, chunk)


def run_sweep(
    fn: Callable[[S, list[T]], list[R]],
    shared: S,
    items: Sequence[T],
    *,
    scheduler: str | Any | None = None,
    backend: Backend = "auto",
    workers: int | None = None,
    chunk_size: int = CHUNK,
    progress: Progress | None = None,
    cancel: Cancel = None,
) -> list[R]:
    """``fn(shared, chunk)`` over chunks of ``items``, results in item order.

    ``fn`` is a module-level function (it is pickled to the workers) returning one
    result per item; ``shared`` goes with every chunk (the base scenario, the start).
    ``scheduler``: a dask scheduler address or ``distributed.Client`` (then dask runs
    it); else ``backend``: "processes" (the local pool), "sequential" (this process)
    or "auto" (the pool from :data:`IN_PROCESS_BELOW` items on). ``progress(done,
    total)`` after each chunk; ``cancel`` (an Event or a callable) is checked before
    each chunk is handed out and after each finishes: the sweep raises
    :class:`Cancelled`."""
    total = len(items)
    if progress is not None:
        progress(0, total)
    if total == 0:
        return []
    if scheduler is None and backend == "auto":
        backend = "processes" if total >= IN_PROCESS_BELOW else "sequential"
    ranges = batches(total, -(-total // max(1, chunk_size)))
    results: list[Any] = [None] * total
    done = 0
    slots = 2 * (workers or default_workers()) if scheduler is None else 64
    with executor_for(scheduler, backend=backend, workers=workers) as ex:
        todo = list(ranges)
        running: dict[Any, range] = {}
        try:
            while todo or running:
                while todo and len(running) < slots:
                    if cancelled(cancel):
                        raise Cancelled
                    r = todo.pop(0)
                    running[ex.submit(_chunk_call, fn, shared, [items[i] for i in r])] = r
                finished, _ = wait(list(running), return_when=FIRST_COMPLETED)
                for fut in sorted(finished, key=lambda f: running[f].start):
                    r = running.pop(fut)
                    for i, res in zip(r, fut.result(), strict=True):
                        results[i] = res
                    done += len(r)
                    if progress is not None:
                        progress(done, total)
                if cancelled(cancel):
                    raise Cancelled
        finally:
            for fut in running:
                fut.cancel()
    return results
