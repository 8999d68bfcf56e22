"""What moves the plan most: total cost and fill rate with each assumption moved down
and up by a stated share (default ±10 %), ranked (the tornado).

The assumptions: each family's demand; each cost rate (the workforce's regular, overtime,
hiring and layoff costs; the families' material, holding, backorder and subcontracting
costs, each for every family at once); labour hours per unit (every family); regular
hours per worker (the hours available); each resource's hours available. Each bar is
two re-solves of the compiled model (:mod:`sop_core.analysis.sweep`).

    tornado(scenario, change=0.10)   # -> Tornado: bars, largest cost swing first
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import pandas as pd

from sop_core.analysis.sweep import (
    Backend,
    Cancel,
    NoFeasiblePlan,
    Outcome,
    Start,
    base_start,
    run_sweep,
    solve_from,
)
from sop_core.base.errors import InputError, Problem
from sop_core.base.fields import label
from sop_core.demand.parallel import Progress
from sop_core.engine.lp import FixedPlan
from sop_core.engine.planner import PlanResult
from sop_core.model.scenario import Scenario

#: The workforce's cost rates, moved one at a time.
WORKFORCE_RATES = (
    "regular_cost_per_worker",
    "overtime_cost_per_hour",
    "hire_cost",
    "layoff_cost",
)
#: The families' cost rates, each moved for every family at once.
FAMILY_RATES = ("material_cost", "holding_cost", "backorder_cost", "subcontract_cost")


@dataclass(frozen=True)
class Assumption:
    """One input the tornado moves: ``kind`` is "demand" (of family ``index``),
    "workforce" or "family_rate" (the field ``name``), "labour_hours", "hours" or
    "resource" (of resource ``index``); ``shown`` is how it reads."""

    kind: str
    name: str
    index: int
    shown: str


def assumptions(s: Scenario) -> list[Assumption]:
    """Every input the tornado moves, in a stable order."""
    out = [
        Assumption("demand", "demand", i, f"{label('demand')}: {f.name}")
        for i, f in enumerate(s.families)
    ]
    out += [Assumption("workforce", k, -1, label(k)) for k in WORKFORCE_RATES]
    out += [Assumption("family_rate", k, -1, label(k)) for k in FAMILY_RATES]
    out.append(
        Assumption("labour_hours", "labor_hours_per_unit", -1, label("labor_hours_per_unit"))
    )
    out.append(
        Assumption("hours", "regular_hours_per_worker", -1, label("regular_hours_per_worker"))
    )
    out += [
        Assumption("resource", "hours_available", r, f"{label('hours_available')}: {res.name}")
        for r, res in enumerate(s.resources)
    ]
    return out


def _scaled(value: float | list[float], factor: float) -> float | list[float]:
    if isinstance(value, list):
        return [x * factor for x in value]
    return value * factor


def vary(s: Scenario, a: Assumption, factor: float) -> Scenario:
    """A copy of ``s`` with assumption ``a`` multiplied by ``factor``."""
    if a.kind in ("workforce", "hours"):
        wf = s.workforce.model_copy(update={a.name: getattr(s.workforce, a.name) * factor})
        return s.model_copy(update={"workforce": wf})
    if a.kind == "resource":
        res = list(s.resources)
        r = res[a.index]
        res[a.index] = r.model_copy(update={"hours_available": _scaled(r.hours_available, factor)})
        return s.model_copy(update={"resources": res})
    field = "demand" if a.kind == "demand" else a.name
    fams = [
        f.model_copy(update={field: _scaled(getattr(f, field), factor)})
        if a.kind != "demand" or i == a.index
        else f
        for i, f in enumerate(s.families)
    ]
    return s.model_copy(update={"families": fams})


@dataclass(frozen=True)
class Bar:
    """One assumption's bar: the plan with it moved down (``low``) and up (``high``)."""

    assumption: Assumption
    low: Outcome
    high: Outcome

    @property
    def cost_swing(self) -> float:
        """Total cost up − down; infinite when either side has no feasible plan."""
        if self.low.total_cost is None or self.high.total_cost is None:
            return math.inf
        return self.high.total_cost - self.low.total_cost

    @property
    def fill_rate_swing(self) -> float:
        """Fill rate up − down; infinite when either side has no feasible plan."""
        if self.low.fill_rate is None or self.high.fill_rate is None:
            return math.inf
        return self.high.fill_rate - self.low.fill_rate


@dataclass(frozen=True)
class Tornado:
    """The bars, the largest swing first (an assumption that makes the plan infeasible
    on either side ranks at the top)."""

    change: float
    base: PlanResult
    bars: tuple[Bar, ...]


#: The columns of :meth:`Tornado.frame`.
TORNADO_COLUMNS = (
    "parameter",
    "change_pct",
    "cost_low",
    "cost_high",
    "cost_swing",
    "fill_rate_low",
    "fill_rate_high",
)


def tornado_frame(t: Tornado) -> pd.DataFrame:
    """One row per bar, in rank order, by field key (:data:`TORNADO_COLUMNS`); an
    infeasible side is blank, its swing too."""
    rows = [
        {
            "parameter": b.assumption.shown,
            "change_pct": 100 * t.change,
            "cost_low": b.low.total_cost,
            "cost_high": b.high.total_cost,
            "cost_swing": b.cost_swing if math.isfinite(b.cost_swing) else None,
            "fill_rate_low": b.low.fill_rate,
            "fill_rate_high": b.high.fill_rate,
        }
        for b in t.bars
    ]
    return pd.DataFrame(rows, columns=TORNADO_COLUMNS)


def _solve_chunk(
    shared: tuple[Scenario, Start | None, FixedPlan | None], chunk: list
) -> list[Outcome]:
    base, start, fixed = shared
    return [Outcome.of(solve_from(vary(base, a, f), start, fixed)) for a, f in chunk]


def tornado(
    scenario: Scenario,
    change: float = 0.10,
    *,
    fixed: FixedPlan | None = None,
    scheduler: str | None = None,
    backend: Backend = "auto",
    workers: int | None = None,
    rank_by: str = "total_cost",
    progress: Progress | None = None,
    cancel: Cancel = None,
) -> Tornado:
    """Total cost and fill rate with each assumption moved by ±``change`` (a share: 0.10
    is ±10 %), ranked by the size of the swing in ``rank_by`` ("total_cost" or
    "fill_rate"); ``fixed``: what the time fence holds (kept as it is in every bar).
    The sweep's options are :func:`~sop_core.analysis.sweep.run_sweep`'s."""
    if rank_by not in ("total_cost", "fill_rate"):
        raise InputError(Problem("rank_by", f"must be total_cost or fill_rate, got {rank_by!r}"))
    if not (0 < change < 1):
        raise InputError(
            Problem("change", f"must be a share between 0 and 1 (0.10 is ±10 %), got {change}")
        )
    base, start = base_start(scenario, fixed)
    if not base.optimal:
        raise NoFeasiblePlan(base.message)
    found = assumptions(scenario)
    items = [(a, f) for a in found for f in (1 - change, 1 + change)]
    out = run_sweep(
        _solve_chunk,
        (scenario, start, fixed),
        items,
        scheduler=scheduler,
        backend=backend,
        workers=workers,
        progress=progress,
        cancel=cancel,
    )
    bars = [Bar(a, out[2 * i], out[2 * i + 1]) for i, a in enumerate(found)]
    swing = Bar.cost_swing if rank_by == "total_cost" else Bar.fill_rate_swing
    bars.sort(key=lambda b: -abs(swing.fget(b)))
    return Tornado(change, base, tuple(bars))
