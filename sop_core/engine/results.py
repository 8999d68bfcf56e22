"""A solved plan: its cost breakdown, KPIs, result tables and shadow prices.

Result frames (one row per period / per family and period / per resource and period):

``PlanResult.periods``   period, workforce, hires, layoffs, overtime_hours,
                         regular_hours_available, overtime_hours_available (NaN: unlimited),
                         hours_used, labour_hour_value ($ saved by one more labour hour),
                         safety_stock_met (share of the families with a safety-stock
                         target in the period that end it at or above it; NaN: none has one)
``PlanResult.families``  period, family, demand, production, subcontract, inventory, backorder,
                         safety_stock, below_safety_stock, demand_marginal_cost
                         ($ one more unit of demand costs)
``PlanResult.resources`` period, resource, hours_available, overtime_hours,
                         overtime_hours_max, load (hours), utilisation (load ÷ available),
                         hour_value ($ saved by one more hour of the resource)

Shadow prices are the LP's duals, in money; an integer-workforce plan (a MIP) has none,
and reports NaN. Everything is read off the block table of :mod:`sop_core.engine.lp`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from sop_core.base.fields import KPI_KEYS, TERMS
from sop_core.base.text import md_escape
from sop_core.engine.lp import COLUMNS, ROW, Layout, ModelData, col_numbers
from sop_core.model.scenario import Scenario

if TYPE_CHECKING:
    from sop_core.engine.diagnosis import Conflict

PERIOD_COLUMNS = (
    "period",
    "workforce",
    "hires",
    "layoffs",
    "overtime_hours",
    "regular_hours_available",
    "overtime_hours_available",
    "hours_used",
    "labour_hour_value",
    "safety_stock_met",
)
FAMILY_COLUMNS = (
    "period",
    "family",
    "demand",
    "production",
    "subcontract",
    "inventory",
    "backorder",
    "safety_stock",
    "below_safety_stock",
    "demand_marginal_cost",
)
RESOURCE_COLUMNS = (
    "period",
    "resource",
    "hours_available",
    "overtime_hours",
    "overtime_hours_max",
    "load",
    "utilisation",
    "hour_value",
)
#: Cost categories, one per column block (:data:`sop_core.engine.lp.COLUMNS`), in its order.
COST_CATEGORIES = tuple(b.category for b in COLUMNS)
#: The variable behind each cost category.
CATEGORY_VARIABLES = tuple(b.name for b in COLUMNS)
#: KPI name -> what it means (units), from the one vocabulary (:mod:`sop_core.base.fields`)
KPI_LABELS: dict[str, str] = {k: TERMS[k].help for k in KPI_KEYS}
_TOL = 1e-6


@dataclass(frozen=True)
class _PlanValues:
    """What the result tables are made of: the variable values by block and the shadow
    prices (worked out from the row duals on first use: a slider move that shows only
    KPIs doesn't need them)."""

    scenario: Scenario
    data: ModelData
    v: dict[str, np.ndarray]
    row_dual: Any  # None: no duals (an integer plan, or a relaxed infeasible one)
    layout: Layout

    @cached_property
    def labels(self) -> list[str]:
        return self.scenario.period_labels

    @cached_property
    def names(self) -> list[str]:
        return self.scenario.family_names

    def saved(self, row_block: str) -> np.ndarray:
        """$ saved by one more unit of each row's right-hand side (−y), shaped by the
        block's index; NaN without duals."""
        rows = self.layout.row[row_block]
        if self.row_dual is None:
            return np.full(ROW[row_block].shape(self.layout.dims), np.nan)
        return -np.asarray(self.row_dual)[rows] + 0.0

    @cached_property
    def labour_value(self) -> np.ndarray:
        """(T,) $ saved by one more labour hour in each period."""
        return self.saved("labour_capacity")

    @cached_property
    def demand_value(self) -> np.ndarray:
        """(F, T) $ one more unit of demand costs (the inventory row's rhs is −D)."""
        return self.saved("inventory_balance")

    @cached_property
    def resource_value(self) -> np.ndarray:
        """(R, T) $ saved by one more hour of each resource."""
        return self.saved("resource_capacity")


@dataclass(frozen=True)
class PlanResult:
    """A solved (or diagnosed) plan. ``status`` optimal: tables and KPIs of the plan;
    infeasible: ``conflicts`` say why, and ``relaxed_plan`` is the best plan with the
    limits relaxed as they say (status "relaxed": not a feasible plan, for showing only).

    ``periods``, ``families`` and ``resources`` are built on first access, so a slider
    move that only shows cost and KPIs does not pay for them."""

    status: str  # optimal | infeasible | unbounded | error | relaxed
    strategy: str
    integer_workforce: bool
    total_cost: float | None
    cost_breakdown: dict[str, float]
    kpis: dict[str, float | None]
    conflicts: list[Conflict] = field(default_factory=list)
    message: str = ""
    values: _PlanValues | None = field(default=None, repr=False, compare=False)
    relaxed_plan: PlanResult | None = field(default=None, repr=False, compare=False)

    @property
    def optimal(self) -> bool:
        return self.status == "optimal"

    @cached_property
    def periods(self) -> pd.DataFrame:
        """One row per period, columns :data:`PERIOD_COLUMNS`."""
        if self.values is None:
            return pd.DataFrame(columns=list(PERIOD_COLUMNS))
        x, d = self.values, self.values.data
        W = x.v["W"]
        targets, met = safety_targets_met(x.v["B"], d.safety)
        counted = targets.sum(axis=0)
        share = np.divide(met.sum(axis=0), counted, out=np.full(d.T, np.nan), where=counted > 0)
        return pd.DataFrame(
            {
                "period": x.labels,
                "workforce": W,
                "hires": x.v["H"],
                "layoffs": x.v["L"],
                "overtime_hours": x.v["O"],
                "regular_hours_available": d.R * W,
                "overtime_hours_available": d.M * W if math.isfinite(d.M) else np.nan,
                "hours_used": d.hours @ x.v["P"],
                "labour_hour_value": x.labour_value,
                "safety_stock_met": share,
            }
        )

    @cached_property
    def families(self) -> pd.DataFrame:
        """One row per family and period (family-major), columns :data:`FAMILY_COLUMNS`."""
        if self.values is None:
            return pd.DataFrame(columns=list(FAMILY_COLUMNS))
        x, d = self.values, self.values.data
        return pd.DataFrame(
            {
                "period": x.labels * d.F,
                "family": np.repeat(x.names, d.T),
                "demand": d.D.ravel(),
                "production": x.v["P"].ravel(),
                "subcontract": x.v["C"].ravel(),
                "inventory": x.v["I"].ravel(),
                "backorder": x.v["S"].ravel(),
                "safety_stock": d.safety.ravel(),
                "below_safety_stock": x.v["B"].ravel(),
                "demand_marginal_cost": x.demand_value.ravel(),
            }
        )

    @cached_property
    def resources(self) -> pd.DataFrame:
        """One row per resource and period (resource-major), :data:`RESOURCE_COLUMNS`."""
        if self.values is None or not self.values.data.n_res:
            return pd.DataFrame(columns=list(RESOURCE_COLUMNS))
        x, d = self.values, self.values.data
        load = d.res_hours @ x.v["P"]  # (R, T)
        avail = d.res_avail
        return pd.DataFrame(
            {
                "period": x.labels * d.n_res,
                "resource": np.repeat([r.name for r in x.scenario.resources], d.T),
                "hours_available": avail.ravel(),
                "overtime_hours": x.v["OR"].ravel(),
                "overtime_hours_max": d.OR_ub.ravel(),
                "load": load.ravel(),
                "utilisation": np.divide(
                    load, avail, out=np.full_like(load, np.nan), where=avail > 0
                ).ravel(),
                "hour_value": x.resource_value.ravel(),
            }
        )

    def resource_load(self) -> pd.DataFrame:
        """Hours each family loads on each resource per period: period, resource, family,
        hours (the rough-cut capacity chart's bars)."""
        columns = ["period", "resource", "family", "hours"]
        if self.values is None or not self.values.data.n_res:
            return pd.DataFrame(columns=columns)
        x, d = self.values, self.values.data
        load = d.res_hours[:, :, None] * x.v["P"][None, :, :]  # (R, F, T)
        R = d.n_res
        return pd.DataFrame(
            {
                "period": x.labels * (R * d.F),
                "resource": np.repeat([r.name for r in x.scenario.resources], d.F * d.T),
                "family": np.tile(np.repeat(x.names, d.T), R),
                "hours": load.ravel(),
            },
            columns=columns,
        )

    def supply_by_source(self, family: str | None = None) -> pd.DataFrame:
        """Per period, units by source against demand (all families, or one).

        Columns: period, regular, overtime, subcontract, demand, inventory, backorder.
        Production is split between regular time and overtime by the period's share of
        overtime in the hours used (the same share for every family)."""
        columns = ["period", "regular", "overtime", "subcontract", "demand", "inventory"]
        columns.append("backorder")
        if self.values is None:
            return pd.DataFrame(columns=columns)
        x, d = self.values, self.values.data
        if family is None:
            rows = slice(None)
        elif family in x.names:
            rows = [x.names.index(family)]
        else:
            raise ValueError(f"family {family!r} is not in this plan; known: {x.names}")
        used = d.hours @ x.v["P"]
        share = np.divide(x.v["O"], used, out=np.zeros(d.T), where=used > _TOL).clip(0, 1)
        made = x.v["P"][rows].sum(axis=0)
        return pd.DataFrame(
            {
                "period": x.labels,
                "regular": made * (1 - share),
                "overtime": made * share,
                "subcontract": x.v["C"][rows].sum(axis=0),
                "demand": d.D[rows].sum(axis=0),
                "inventory": x.v["I"][rows].sum(axis=0),
                "backorder": x.v["S"][rows].sum(axis=0),
            },
            columns=columns,
        )

    @property
    def diagnosis(self) -> list[str]:
        """Human sentences naming what conflicts, by period, in figures."""
        return [c.message for c in self.conflicts]

    def to_dict(self) -> dict[str, Any]:
        """JSON-able: status, total_cost, cost_breakdown, kpis, periods, families,
        resources (when the scenario has any), diagnosis."""
        out = {
            "status": self.status,
            "strategy": self.strategy,
            "integer_workforce": self.integer_workforce,
            "total_cost": _clean(self.total_cost),
            "cost_breakdown": {k: _clean(v) for k, v in self.cost_breakdown.items()},
            "kpis": {k: _clean(v) for k, v in self.kpis.items()},
            "periods": _records(self.periods) if self.optimal else [],
            "families": _records(self.families) if self.optimal else [],
            "diagnosis": self.diagnosis,
            "message": self.message,
        }
        if self.optimal and self.values is not None and self.values.data.n_res:
            out["resources"] = _records(self.resources)
        return out


def _money(x: float) -> str:
    return f"${x:,.2f}" if x < 100 else f"${x:,.0f}"


def binding_resources(result: PlanResult, limit: int = 3) -> list[str]:
    """The resources that bind, in words, dearest first: "Line 2 is full in 2027-04: one
    more hour saves $41". Empty without resources or duals (an integer plan)."""
    res = result.resources
    if res.empty:
        return []
    res = res.dropna(subset=["hour_value"])
    res = res[res["hour_value"] > 0.005].nlargest(limit, "hour_value")
    out = []
    for row in res.itertuples():
        full = "full" if row.overtime_hours <= _TOL else "full, overtime included"
        if row.overtime_hours > _TOL and row.overtime_hours < row.overtime_hours_max - _TOL:
            full = "full on regular hours and working overtime"
        out.append(
            f"{row.resource} is {full} in {row.period}: one more hour saves "
            f"{_money(row.hour_value)}"
        )
    return out


def _clean(x: Any) -> Any:
    if isinstance(x, (float, np.floating)):
        return None if not math.isfinite(x) else round(float(x), 6)
    if isinstance(x, np.integer):
        return int(x)
    if isinstance(x, np.bool_):
        return bool(x)
    return x


def _records(df: pd.DataFrame) -> list[dict[str, Any]]:
    return [{k: _clean(v) for k, v in row.items()} for row in df.to_dict(orient="records")]


def empty_result(scenario: Scenario, status: str, message: str) -> PlanResult:
    return PlanResult(
        status=status,
        strategy=scenario.policy.strategy,
        integer_workforce=scenario.policy.integer_workforce,
        total_cost=None,
        cost_breakdown={},
        kpis={},
        message=message,
    )


def split_blocks(x: np.ndarray, lay: Layout) -> dict[str, np.ndarray]:
    """The column values ``x`` as one array per column block, shaped by its index."""
    dims = lay.dims
    return {b.name: x[lay.col_slice[b.name]].reshape(b.shape(dims)) for b in COLUMNS}


def assemble_result(
    scenario: Scenario,
    d: ModelData,
    x: np.ndarray,
    row_dual: Any,
    layout: Layout,
) -> PlanResult:
    """Cost breakdown, KPIs and (lazily) tables and shadow prices of a solved plan
    (``x``: the column values in block order; ``row_dual``: None for an integer plan)."""
    v = split_blocks(x, layout)
    breakdown: dict[str, float] = {}
    sums: dict[str, float] = {}
    for b in COLUMNS:
        block = v[b.name]
        if not block.size:
            continue
        cost = col_numbers(b, d)[2]
        breakdown[b.category] = float(block.ravel() @ cost)
        sums[b.name] = float(block.sum())
    total = math.fsum(breakdown.values())
    values = _PlanValues(scenario=scenario, data=d, v=v, row_dual=row_dual, layout=layout)
    return PlanResult(
        status="optimal",
        strategy=scenario.policy.strategy,
        integer_workforce=d.integer,
        total_cost=total,
        cost_breakdown=breakdown,
        kpis=compute_kpis(scenario, d, v, total, sums),
        values=values,
    )


def safety_targets_met(below: np.ndarray, safety: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Which family-periods have a safety-stock target (``safety`` > 0), and which of
    those end at or above it (``below``, the units short, is 0 up to the solver's
    tolerance); both shaped as ``safety``."""
    targets = safety > _TOL
    return targets, targets & (below <= _TOL * np.maximum(1.0, safety))


def compute_kpis(
    scenario: Scenario,
    d: ModelData,
    v: dict[str, np.ndarray],
    total_cost: float,
    sums: dict[str, float],
) -> dict[str, float | None]:
    """The KPIs of a plan (see :data:`KPI_LABELS`); ``sums`` holds each variable's total.

    Fill rate: backlog is served first in, first out, so the backlog at the end of t is
    the newest demand; unserved demand of period t is min(D_t, S_t).

    Safety stock met: the share of the family-periods with a safety-stock target that end
    at or above it; None when the plan has no target at all (nothing to meet)."""
    I, S, D = v["I"], v["S"], d.D
    stock, backlog = I.sum(axis=0), S.sum(axis=0)
    demand_by_family = D.sum(axis=1)
    demand = float(demand_by_family.sum())
    used = float(d.hours @ v["P"].sum(axis=1))
    regular = float(d.R @ v["W"])
    supply = sums["P"] + sums["C"]
    late = float(np.minimum(D, S).sum())
    prices = [f.price for f in scenario.families]
    delivered = (demand_by_family + d.S0 - S[:, -1]).tolist()
    revenue = sum(p * q for p, q in zip(prices, delivered, strict=True) if p is not None)
    targets, met = safety_targets_met(v["B"], d.safety)
    return {
        "total_cost": total_cost,
        "fill_rate": 1.0 - late / demand if demand > 0 else 1.0,
        "average_inventory": sums["I"] / d.T,
        "peak_inventory": float(stock.max()),
        "peak_backlog": float(backlog.max()),
        "workforce_changes": sums["H"] + sums["L"],
        "hires": sums["H"],
        "layoffs": sums["L"],
        "overtime_share": sums["O"] / used if used > _TOL else 0.0,
        "subcontract_share": sums["C"] / supply if supply > _TOL else 0.0,
        "regular_utilisation": (used - sums["O"]) / regular if regular > _TOL else None,
        "safety_stock_met": float(met.sum() / targets.sum()) if targets.any() else None,
        "revenue": float(revenue) if any(p is not None for p in prices) else None,
        "margin": float(revenue) - total_cost if None not in prices else None,
    }


def shadow_price_sentences(result: PlanResult, limit: int = 4) -> list[str]:
    """The binding labour hours, in words: 'One more labour hour in Apr would save $12'.

    The ``limit`` most valuable hours, then the two dearest units of demand, each above
    half a cent. Read from the result's arrays, not its tables: building and ranking
    DataFrames took ~20 ms per slider move, 30× the re-solve (benchmarks/load.py)."""
    x = result.values
    if x is None or not result.optimal:
        return []
    out = [
        f"One more labour hour in **{md_escape(x.labels[t])}** would save **${value:,.2f}**."
        for t, value in largest(np.asarray(x.labour_value, dtype=float), limit)
    ]
    out += [f"{md_escape(line)}." for line in binding_resources(result)]
    periods = len(x.labels)
    out += [
        f"One more unit of **{md_escape(x.names[i // periods])}** demand in "
        f"**{md_escape(x.labels[i % periods])}** would cost **${value:,.2f}**."
        for i, value in largest(np.asarray(x.demand_value, dtype=float).ravel(), 2)
    ]
    return out


def largest(values: np.ndarray, n: int, floor: float = 0.005) -> list[tuple[int, float]]:
    """The ``n`` largest values above ``floor`` with their positions, first ones first
    among equals (as ``DataFrame.nlargest``); NaN never counts."""
    order = np.argsort(-np.nan_to_num(values, nan=-np.inf), kind="stable")
    return [(int(i), float(values[i])) for i in order[:n] if values[i] > floor]
