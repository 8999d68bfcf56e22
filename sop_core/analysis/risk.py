"""The plan under uncertain demand: demand paths drawn from the forecast's intervals, the
fixed plan run against each (what ships, what is backlogged, what is left), and each
re-planned; the spread of fill rate, cost and peak backlog, the chance the plan meets its
service target, and the extra safety stock per family that would reach it.

The draws: demand of family f in period t is D_{f,t} + σ_{f,t} · e_{f,t}, floored at 0,
where σ is the 80 % interval's half-width ÷ 1.2816 (the normal's 90th percentile) and
e_f follows an AR(1) across periods with correlation ρ (e_{f,1} = z_1,
e_{f,t} = ρ e_{f,t−1} + √(1 − ρ²) z_t, z standard normal, independent between families);
seeded, so one seed gives the same paths.

    risk(scenario, sd, draws=1000, rho=0.5, seed=7)   # -> RiskRun
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
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
from sop_core.demand.parallel import Progress
from sop_core.engine.lp import FixedPlan, ModelData, model_data
from sop_core.engine.planner import PlanResult
from sop_core.model.scenario import Scenario

#: The standard normal's 90th percentile: an 80 % interval is ± this many σ.
Z80 = 1.2815515655446004
#: Quantiles the summary reports.
QUANTILES = (0.05, 0.5, 0.95)


def sd_from_interval(lower: np.ndarray, upper: np.ndarray) -> np.ndarray:
    """σ of each forecast from its 80 % interval: (upper − lower) ÷ 2 ÷ 1.2816."""
    lo, up = np.asarray(lower, dtype=float), np.asarray(upper, dtype=float)
    if lo.shape != up.shape:
        raise InputError(
            Problem("upper", f"must have the shape of lower {lo.shape}, got {up.shape}")
        )
    return np.maximum(up - lo, 0.0) / (2 * Z80)


def draw_paths(demand: np.ndarray, sd: np.ndarray, draws: int, rho: float, seed: int) -> np.ndarray:
    """``draws`` demand paths, (draws, F, T): D + σ · e with AR(1) errors across periods
    (module docstring), floored at 0."""
    if draws < 1:
        raise InputError(Problem("draws", f"must be at least 1, got {draws}"))
    if not (-1 < rho < 1):
        raise InputError(Problem("rho", f"must be between −1 and 1 (exclusive), got {rho}"))
    D = np.asarray(demand, dtype=float)
    F, T = D.shape
    z = np.random.default_rng(seed).standard_normal((draws, F, T))
    e = np.empty_like(z)
    e[..., 0] = z[..., 0]
    keep, new = rho, np.sqrt(1 - rho * rho)
    for t in range(1, T):
        e[..., t] = keep * e[..., t - 1] + new * z[..., t]
    return np.maximum(D + np.asarray(sd, dtype=float) * e, 0.0)


@dataclass(frozen=True)
class FixedRun:
    """The fixed plan (production and subcontracting as planned) against demand paths:
    per draw and family and period the ``inventory`` and ``backlog`` left
    ((draws, F, T)); per draw its ``fill_rate``, ``cost`` and ``peak_backlog``."""

    inventory: np.ndarray
    backlog: np.ndarray
    fill_rate: np.ndarray
    cost: np.ndarray
    peak_backlog: np.ndarray


def run_fixed(plan: PlanResult, d: ModelData, paths: np.ndarray) -> FixedRun:
    """What the plan's supply leaves against each demand path: the net stock
    N_t = N_{t−1} + P_t + C_t − D'_t from N_0 = I_0 − S_0, inventory max(N, 0), backlog
    max(−N, 0) (backlog served first in, first out, as the plan's fill rate counts it).

    Its cost: what the plan spends on labour, materials, subcontracting and resource
    overtime (fixed), plus holding, backorder and below-safety-stock costs of what is
    left. (A plan holding stock and backlog of one family at once, which only free
    backlog allows, is netted here: stock ships to the backlog.)"""
    v = plan.values.v
    supply = v["P"] + v["C"]
    net = (d.I0 - d.S0)[None, :, None] + np.cumsum(supply[None] - paths, axis=2)
    inv, back = np.maximum(net, 0.0), np.maximum(-net, 0.0)
    demand = paths.sum(axis=(1, 2))
    late = np.minimum(paths, back).sum(axis=(1, 2))
    fill = np.where(demand > 0, 1.0 - late / np.where(demand > 0, demand, 1.0), 1.0)
    fixed = sum(
        cost
        for key, cost in plan.cost_breakdown.items()
        if key not in ("holding", "backorders", "safety_stock_shortfall")
    )
    below = np.maximum(d.safety[None] - inv, 0.0)
    varying = (
        np.einsum("f,nft->n", d.cost_I, inv)
        + np.einsum("f,nft->n", d.cost_S, back)
        + np.einsum("f,nft->n", d.cost_B, below)
    )
    return FixedRun(inv, back, fill, fixed + varying, back.sum(axis=1).max(axis=1))


def extra_safety_stock(
    plan: PlanResult, d: ModelData, run: FixedRun, probability: float
) -> np.ndarray:
    """(F,) units of extra stock each family would need at the start so that, in
    ``probability`` of the paths, it backlogs no more than the plan does in any period.

    With net stocks N (the plan's) and N' (a path's), x more units at the start make
    N' + x, which backlogs no more than the plan where N' + x ≥ min(N, 0): per path
    x = max(0, max_t (min(N_t, 0) − N'_t)); then its ``probability`` quantile."""
    planned = plan_net(plan)
    drawn = run.inventory - run.backlog  # (n, F, T)
    need = np.maximum(np.minimum(planned, 0.0)[None] - drawn, 0.0).max(axis=2)  # (n, F)
    return np.quantile(need, probability, axis=0)


def plan_net(plan: PlanResult) -> np.ndarray:
    """The plan's net stock I − S per family and period, (F, T)."""
    return plan.values.v["I"] - plan.values.v["S"]


def _with_demand(s: Scenario, demand: np.ndarray) -> Scenario:
    fams = [
        f.model_copy(update={"demand": row.tolist()})
        for f, row in zip(s.families, demand, strict=True)
    ]
    return s.model_copy(update={"families": fams})


def _replan_chunk(
    shared: tuple[Scenario, Start | None, FixedPlan | None], chunk: list
) -> list[Outcome]:
    base, start, fixed = shared
    return [Outcome.of(solve_from(_with_demand(base, dem), start, fixed)) for dem in chunk]


@dataclass(frozen=True)
class RiskRun:
    """The plan against ``draws`` demand paths: ``fixed`` (the plan as it stands) and
    ``replans`` (one :class:`Outcome` per path, the plan made again knowing the path)."""

    plan: PlanResult = field(repr=False)
    paths: np.ndarray = field(repr=False)
    fixed: FixedRun = field(repr=False)
    replans: tuple[Outcome, ...] = field(repr=False)
    service_target: float
    probability: float
    extra_safety_stock: np.ndarray
    families: tuple[str, ...]
    seed: int
    rho: float

    @property
    def draws(self) -> int:
        return int(self.paths.shape[0])

    @property
    def p_meets_target(self) -> float:
        """Share of the paths on which the fixed plan's fill rate reaches the target."""
        return float(np.mean(self.fixed.fill_rate >= self.service_target - 1e-12))

    @property
    def replan_cost(self) -> np.ndarray:
        """Re-planned cost per path (NaN where no feasible plan exists)."""
        return np.array([np.nan if o.total_cost is None else o.total_cost for o in self.replans])

    @property
    def replan_fill_rate(self) -> np.ndarray:
        return np.array([np.nan if o.fill_rate is None else o.fill_rate for o in self.replans])

    @property
    def replan_infeasible(self) -> float:
        """Share of the paths no feasible plan can meet (within the scenario's limits)."""
        return float(np.mean([not o.optimal for o in self.replans])) if self.replans else 0.0

    def summary(self) -> dict[str, dict[str, float]]:
        """Mean and the :data:`QUANTILES` of each measure, by its key in the vocabulary."""
        measures = {
            "fixed_fill_rate": self.fixed.fill_rate,
            "fixed_cost": self.fixed.cost,
            "fixed_peak_backlog": self.fixed.peak_backlog,
            "replan_fill_rate": self.replan_fill_rate,
            "replan_cost": self.replan_cost,
        }
        out: dict[str, dict[str, float]] = {}
        for key, x in measures.items():
            x = x[np.isfinite(x)]
            if not x.size:
                continue
            row = {"mean": float(x.mean())}
            row.update({f"p{round(q * 100)}": float(np.quantile(x, q)) for q in QUANTILES})
            out[key] = row
        return out


#: The statistics of :func:`summary_frame`, in words.
STATISTICS = {"mean": "mean", "p5": "5th percentile", "p50": "median", "p95": "95th percentile"}
#: The per-path columns of :func:`paths_frame`.
PATH_COLUMNS = (
    "draw",
    "fixed_fill_rate",
    "fixed_cost",
    "fixed_peak_backlog",
    "replan_fill_rate",
    "replan_cost",
)


def headline(run: RiskRun) -> dict[str, float | int]:
    """The run in a few fields (by key): draws, seed, ρ, the service target and the
    chance the fixed plan meets it, the share of paths no plan can meet."""
    return {
        "draws": run.draws,
        "seed": run.seed,
        "rho": run.rho,
        "service_target": run.service_target,
        "p_meets_target": run.p_meets_target,
        "replan_infeasible": run.replan_infeasible,
    }


def summary_frame(run: RiskRun) -> pd.DataFrame:
    """One row per statistic (``statistic`` in words), one column per measure by key."""
    s = run.summary()
    rows = [
        {"statistic": words, **{k: v[key] for k, v in s.items()}}
        for key, words in STATISTICS.items()
    ]
    return pd.DataFrame(rows, columns=["statistic", *s])


def safety_stock_frame(run: RiskRun) -> pd.DataFrame:
    """Per family the extra safety stock for the run's probability."""
    return pd.DataFrame(
        {"family": list(run.families), "extra_safety_stock": run.extra_safety_stock}
    )


def paths_frame(run: RiskRun) -> pd.DataFrame:
    """One row per demand path (:data:`PATH_COLUMNS`): the fixed plan and the re-plan."""
    n = run.draws
    replanned = bool(run.replans)
    return pd.DataFrame(
        {
            "draw": np.arange(1, n + 1),
            "fixed_fill_rate": run.fixed.fill_rate,
            "fixed_cost": run.fixed.cost,
            "fixed_peak_backlog": run.fixed.peak_backlog,
            "replan_fill_rate": run.replan_fill_rate if replanned else np.nan,
            "replan_cost": run.replan_cost if replanned else np.nan,
        },
        columns=PATH_COLUMNS,
    )


def risk(
    scenario: Scenario,
    sd: np.ndarray,
    *,
    fixed: FixedPlan | None = None,
    draws: int = 1000,
    rho: float = 0.5,
    seed: int = 7,
    service_target: float = 0.95,
    probability: float = 0.95,
    replan: bool = True,
    scheduler: str | None = None,
    backend: Backend = "auto",
    workers: int | None = None,
    progress: Progress | None = None,
    cancel: Cancel = None,
) -> RiskRun:
    """The plan of ``scenario`` against ``draws`` demand paths drawn with σ ``sd`` ((F, T)
    units; :func:`sd_from_interval` turns forecast intervals into it), re-planned on each
    unless ``replan`` is False; ``fixed``: what the time fence holds, in the plan and in
    every re-plan (the sweep's options are
    :func:`~sop_core.analysis.sweep.run_sweep`'s)."""
    for name, x in (("service_target", service_target), ("probability", probability)):
        if not (0 <= x <= 1):
            raise InputError(Problem(name, f"must be a share between 0 and 1, got {x}"))
    d = model_data(scenario, fixed)
    sd = np.broadcast_to(np.asarray(sd, dtype=float), d.D.shape)
    if not np.all(np.isfinite(sd)) or np.any(sd < 0):
        raise InputError(Problem("sd", "must be finite and ≥ 0 for every family and period"))
    plan, start = base_start(scenario, fixed)
    if not plan.optimal:
        raise NoFeasiblePlan(plan.message)
    paths = draw_paths(d.D, sd, draws, rho, seed)
    ran = run_fixed(plan, d, paths)
    replans: list[Outcome] = []
    if replan:
        replans = run_sweep(
            _replan_chunk,
            (scenario, start, fixed),
            list(paths),
            scheduler=scheduler,
            backend=backend,
            workers=workers,
            progress=progress,
            cancel=cancel,
        )
    return RiskRun(
        plan=plan,
        paths=paths,
        fixed=ran,
        replans=tuple(replans),
        service_target=service_target,
        probability=probability,
        extra_safety_stock=extra_safety_stock(plan, d, ran, probability),
        families=tuple(scenario.family_names),
        seed=seed,
        rho=rho,
    )
