"""Solve the aggregate plan: a compiled model that re-solves in milliseconds, its results,
KPIs and shadow prices, and a diagnosis in figures when no plan is feasible.

    planner = Planner(scenario)          # PuLP builds the LP once; HiGHS holds it in process
    result = planner.solve(scenario)     # first solve
    result = planner.solve(what_if)      # same shape: only changed numbers are pushed,
                                         # HiGHS re-solves warm from the last basis
    solve(scenario)                      # one-off: build, solve, return

Result frames (one row per period / per family and period):

``PlanResult.periods``   period, workforce, hires, layoffs, overtime_hours,
                         regular_hours_available, overtime_hours_available (NaN: unlimited),
                         hours_used, labour_hour_value ($ saved by one more labour hour)
``PlanResult.families``  period, family, demand, production, subcontract, inventory, backorder,
                         safety_stock, demand_marginal_cost ($ one more unit of demand costs)

Shadow prices are the LP's duals, in money; an integer-workforce plan (a MIP) has none,
and reports NaN.
"""

from __future__ import annotations

import contextlib
import math
import os
import sys
from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import Any

import highspy
import numpy as np
import pandas as pd

from sop_core.lp import (
    BLOCKS,
    Layout,
    ModelData,
    ShapeKey,
    block_order,
    build_problem,
    cell_bounds,
    column_costs,
    compile_to_highs,
    inventory_rhs,
    model_data,
    period_bounds,
    shape_key,
)
from sop_core.scenario import STRATEGIES, Scenario, with_changes

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
    "demand_marginal_cost",
)
#: The variable behind each cost category, in COST_CATEGORIES order (the column blocks).
CATEGORY_VARIABLES = BLOCKS
COST_CATEGORIES = (
    "regular_labour",
    "overtime",
    "hiring",
    "layoffs",
    "materials",
    "holding",
    "backorders",
    "subcontracting",
)
#: KPI name -> what it means (units); the UI and the CLI label them from here.
KPI_LABELS: dict[str, str] = {
    "total_cost": "Total cost ($)",
    "fill_rate": "Fill rate: share of demand served in its own period",
    "average_inventory": "Average inventory (units, end of period)",
    "peak_inventory": "Peak inventory (units)",
    "peak_backlog": "Peak backlog (units)",
    "workforce_changes": "Workforce changes: hires + layoffs (workers)",
    "hires": "Hires (workers)",
    "layoffs": "Layoffs (workers)",
    "overtime_share": "Overtime share of hours used",
    "subcontract_share": "Subcontracted share of supply",
    "regular_utilisation": "Utilisation of regular hours",
    "revenue": "Revenue ($, priced families)",
    "margin": "Margin: revenue − total cost ($, when every family has a price)",
}
_TOL = 1e-6


@dataclass(frozen=True)
class Conflict:
    """One limit the plan cannot keep, in figures, as found by the elastic re-solve."""

    period: str
    family: str | None
    limit: str  # labour_hours | workforce_max | workforce_min | hires | layoffs | stock | backlog
    amount: float  # how far the limit has to give (hours, workers or units)
    message: str


@dataclass(frozen=True)
class _PlanValues:
    """What the result tables are made of: the variable values and the shadow prices
    (worked out from the row duals on first use: a slider move that shows only KPIs
    doesn't need them)."""

    scenario: Scenario
    data: ModelData
    v: dict[str, np.ndarray]
    row_dual: list[float] | None  # None: no duals (an integer plan)
    layout: Layout

    @cached_property
    def labels(self) -> list[str]:
        return self.scenario.period_labels

    @cached_property
    def names(self) -> list[str]:
        return self.scenario.family_names

    @cached_property
    def _prices(self) -> tuple[np.ndarray, np.ndarray]:
        return _shadow_prices(self.row_dual, self.layout, self.data)

    @property
    def labour_value(self) -> np.ndarray:
        """(T,) $ saved by one more labour hour in each period."""
        return self._prices[0]

    @property
    def demand_value(self) -> np.ndarray:
        """(F, T) $ one more unit of demand costs, per family and period."""
        return self._prices[1]


@dataclass(frozen=True)
class PlanResult:
    """A solved (or diagnosed) plan; tables and KPIs are empty unless status is optimal.

    ``periods`` and ``families`` are built on first access, so a slider move that only
    shows cost and KPIs does not pay for them."""

    status: str  # optimal | infeasible | unbounded | error
    strategy: str
    integer_workforce: bool
    total_cost: float | None
    cost_breakdown: dict[str, float]
    kpis: dict[str, float | None]
    conflicts: list[Conflict] = field(default_factory=list)
    message: str = ""
    values: _PlanValues | None = field(default=None, repr=False, compare=False)

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
                "demand_marginal_cost": x.demand_value.ravel(),
            }
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
        """JSON-able: status, total_cost, cost_breakdown, kpis, periods, families, diagnosis."""
        return {
            "status": self.status,
            "strategy": self.strategy,
            "integer_workforce": self.integer_workforce,
            "total_cost": _clean(self.total_cost),
            "cost_breakdown": {k: _clean(v) for k, v in self.cost_breakdown.items()},
            "kpis": {k: _clean(v) for k, v in self.kpis.items()},
            "periods": _records(self.periods),
            "families": _records(self.families),
            "diagnosis": self.diagnosis,
            "message": self.message,
        }


def _clean(x: Any) -> Any:
    if isinstance(x, (float, np.floating)):
        return None if not math.isfinite(x) else round(float(x), 6)
    if isinstance(x, np.integer):
        return int(x)
    return x


def _records(df: pd.DataFrame) -> list[dict[str, Any]]:
    return [{k: _clean(v) for k, v in row.items()} for row in df.to_dict(orient="records")]


_banner_shown = False


#: HiGHS threads per solve. Our LPs are small (a few thousand columns at most); HiGHS's
#: parallel workers cost more in start-up and hand-over than they save (a re-solve takes
#: about half the time on one thread), and a server solving for several sessions at once
#: is better served by one thread each. HiGHS's scheduler is process-wide: every Highs we
#: make asks for the same count.
HIGHS_THREADS = 1


def _new_highs() -> highspy.Highs:
    """A silent, single-threaded Highs. HiGHS prints a banner on stdout at its first
    construction in a process, which would corrupt ``--format json`` output: silence it."""
    global _banner_shown
    if _banner_shown:
        h = highspy.Highs()
    else:
        with _stdout_silenced():
            h = highspy.Highs()
        _banner_shown = True
    h.setOptionValue("output_flag", False)
    h.setOptionValue("threads", HIGHS_THREADS)
    return h


def _run(h: highspy.Highs) -> None:
    """``h.run()``; if HiGHS's process-wide scheduler was started with another thread count
    (by a Highs made outside this module), solve with that count instead of failing."""
    if h.run() == highspy.HighsStatus.kError and (
        h.getModelStatus() == highspy.HighsModelStatus.kNotset
    ):
        h.setOptionValue("threads", 0)  # 0: whatever the running scheduler uses
        h.run()


@contextlib.contextmanager
def _stdout_silenced():
    sys.stdout.flush()
    saved, devnull = os.dup(1), os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 1)
        yield
    finally:
        os.dup2(saved, 1)
        os.close(saved)
        os.close(devnull)


class Planner:
    """The compiled model for one scenario shape, re-solved in place on every change.

    Not thread-safe: give each session (or thread) its own planner.
    """

    def __init__(self, scenario: Scenario) -> None:
        self.key: ShapeKey = shape_key(scenario)
        data = model_data(scenario)
        self.problem, self.vars = build_problem(data)
        self.highs: highspy.Highs = _new_highs()
        self.highs.setOptionValue("mip_rel_gap", 0.0)
        cols, rows = compile_to_highs(self.problem, self.highs, block_order(self.vars))
        self.layout = Layout.blocked(*self.key)
        self.layout.check(cols, rows)
        lay = self.layout
        # what HiGHS holds now, group by group, to send only what a what-if changes
        self._data = data
        self._period_bounds = period_bounds(data, lay)
        self._cell_bounds = cell_bounds(data, lay)
        self._costs = column_costs(data)
        self._inventory_rhs = inventory_rhs(data)
        self._first_cell = lay.col_slice["P"].start  # W, O, H, L before; P, I, S, C from
        self._period_cols = np.arange(self._first_cell, dtype=np.int32)
        self._cell_cols = np.arange(self._first_cell, lay.n_cols, dtype=np.int32)
        self._inventory_rows = lay.row["inventory_balance"].ravel().astype(np.int32)
        # the coefficients a what-if may change, as plain ints for changeCoeff
        self._labour_rows: list[int] = lay.row["labour_capacity"].tolist()
        self._overtime_rows: list[int] = lay.row["overtime_limit"].tolist()
        self._W_cols: list[int] = lay.col["W"].tolist()
        self._P_cols: list[list[int]] = lay.col["P"].tolist()
        self._int_cols = np.concatenate([lay.col[n] for n in ("W", "H", "L")]).astype(np.int32)

    def accepts(self, scenario: Scenario) -> bool:
        """True if ``scenario`` has this planner's shape (and so re-solves in place)."""
        return shape_key(scenario) == self.key

    def solve(self, scenario: Scenario) -> PlanResult:
        """Solve ``scenario`` (of this planner's shape), warm from the previous solve."""
        if not self.accepts(scenario):
            raise ValueError(
                f"scenario shape {shape_key(scenario)} differs from the compiled {self.key}; "
                "make a new Planner"
            )
        data = model_data(scenario)
        self._push(data)
        _run(self.highs)
        status = self.highs.getModelStatus()
        if status == highspy.HighsModelStatus.kOptimal:
            return self._result(scenario, data)
        if status in (
            highspy.HighsModelStatus.kInfeasible,
            highspy.HighsModelStatus.kUnboundedOrInfeasible,
        ):
            return self._infeasible(scenario, data)
        kind = "unbounded" if status == highspy.HighsModelStatus.kUnbounded else "error"
        return _empty(scenario, kind, f"HiGHS ended with {self.highs.modelStatusToString(status)}")

    def compare_strategies(self, scenario: Scenario) -> dict[str, PlanResult]:
        """Optimal, level and chase plans of one scenario, on this compiled model."""
        return {s: self.solve(with_changes(scenario, strategy=s)) for s in STRATEGIES}

    # -- pushing changes ----------------------------------------------------------------

    def _push(self, new: ModelData) -> None:
        """Send only what changed since the last solve to HiGHS (the basis is kept).

        Each group of numbers is compared with what HiGHS holds; a group that differs is
        rebuilt and only its changed entries are pushed (a slider move touches one)."""
        old, lay = self._data, self.layout
        if _changed(
            (new.W_lb, new.W_ub, new.H_ub, new.L_ub), (old.W_lb, old.W_ub, old.H_ub, old.L_ub)
        ):
            bounds = period_bounds(new, lay)
            self._send_bounds(self._period_cols, self._period_bounds, bounds)
            self._period_bounds = bounds
        if _changed(
            (new.I_lb, new.I_ub, new.S_ub, new.C_ub), (old.I_lb, old.I_ub, old.S_ub, old.C_ub)
        ):
            bounds = cell_bounds(new, lay)
            self._send_bounds(self._cell_cols, self._cell_bounds, bounds)
            self._cell_bounds = bounds
        if _unit_costs(new) != _unit_costs(old) or _changed(_cell_costs(new), _cell_costs(old)):
            costs = column_costs(new)
            cols = np.flatnonzero(costs != self._costs).astype(np.int32)
            self.highs.changeColsCost(cols.size, cols, costs[cols])
            self._costs = costs
        if new.W0 != old.W0:  # workforce_balance_1: W_1 − H_1 + L_1 = W_0
            row = int(lay.row["workforce_balance"][0])
            self.highs.changeRowBounds(row, new.W0, new.W0)
        if _changed((new.D, new.I0, new.S0), (old.D, old.I0, old.S0)):
            rhs = inventory_rhs(new)
            at = np.flatnonzero(rhs != self._inventory_rhs)
            self.highs.changeRowsBounds(at.size, self._inventory_rows[at], rhs[at], rhs[at])
            self._inventory_rhs = rhs
        self._push_coefficients(new, old)
        self._data = new

    def _push_coefficients(self, new: ModelData, old: ModelData) -> None:
        """h_f on P and −R on W in the labour rows, −M on W in the overtime rows, and
        the integrality of W, H, L."""
        h = self.highs
        for f in np.flatnonzero(new.hours != old.hours).tolist():
            h_f = float(new.hours[f])
            for row, col in zip(self._labour_rows, self._P_cols[f], strict=True):
                h.changeCoeff(row, col, h_f)
        if new.R != old.R:
            for row, col in zip(self._labour_rows, self._W_cols, strict=True):
                h.changeCoeff(row, col, -new.R)
        if new.M != old.M:
            for row, col in zip(self._overtime_rows, self._W_cols, strict=True):
                h.changeCoeff(row, col, -new.M)
        if new.integer != old.integer:
            kind = (
                highspy.HighsVarType.kInteger if new.integer else highspy.HighsVarType.kContinuous
            )
            n = self._int_cols.size
            h.changeColsIntegrality(n, self._int_cols, np.array([kind] * n))

    def _send_bounds(self, cols: np.ndarray, old: np.ndarray, new: np.ndarray) -> None:
        """Push the (2, n) lower/upper bounds ``new`` of columns ``cols`` where they differ
        from ``old``."""
        at = np.flatnonzero((new != old).any(axis=0))
        if at.size:
            lower, upper = new[:, at]
            self.highs.changeColsBounds(at.size, cols[at], lower, upper)

    # -- reading a solution -------------------------------------------------------------

    def _result(self, scenario: Scenario, d: ModelData) -> PlanResult:
        sol = self.highs.getSolution()
        x = np.asarray(sol.col_value)
        # every variable is ≥ 0: drop the solver's tolerance-sized negatives (and −0.0)
        np.maximum(x, 0.0, out=x)
        x += 0.0
        lay = self.layout
        duals = None if d.integer or not sol.dual_valid else sol.row_dual
        per_period = x[: self._first_cell].reshape(4, d.T)  # W, O, H, L: views into x
        per_cell = x[self._first_cell :].reshape(4, d.F, d.T)  # P, I, S, C
        return assemble_result(scenario, d, per_period, per_cell, duals, lay)

    def _infeasible(self, scenario: Scenario, d: ModelData) -> PlanResult:
        conflicts = diagnose(self.highs, self.layout, d, scenario)
        if not conflicts:
            msg = "No feasible plan, and no single limit explains it."
        else:
            msg = "No feasible plan: " + "; ".join(c.message for c in conflicts[:3])
            if len(conflicts) > 3:
                msg += f"; and {len(conflicts) - 3} more"
        return replace(_empty(scenario, "infeasible", msg), conflicts=conflicts)


def _unit_costs(d: ModelData) -> tuple[float, float, float, float]:
    return (d.cost_W, d.cost_O, d.cost_H, d.cost_L)


def _cell_costs(d: ModelData) -> tuple[np.ndarray, ...]:
    return (d.cost_P, d.cost_I, d.cost_S, d.cost_C)


def _changed(new: tuple[np.ndarray, ...], old: tuple[np.ndarray, ...]) -> bool:
    """True if any array differs from its counterpart. Raw bytes are compared: one
    memory compare each, cheaper than array operations (a −0.0 for a 0.0 only costs a
    needless push)."""
    return any(a.tobytes() != b.tobytes() for a, b in zip(new, old, strict=True))


def solve(scenario: Scenario) -> PlanResult:
    """Build, solve and return the plan of one scenario (a fresh compiled model)."""
    return Planner(scenario).solve(scenario)


def _empty(scenario: Scenario, status: str, message: str) -> PlanResult:
    return PlanResult(
        status=status,
        strategy=scenario.policy.strategy,
        integer_workforce=scenario.policy.integer_workforce,
        total_cost=None,
        cost_breakdown={},
        kpis={},
        message=message,
    )


def _shadow_prices(
    duals: list[float] | None, lay: Layout, d: ModelData
) -> tuple[np.ndarray, np.ndarray]:
    """($ saved by one more labour hour per period, $ cost of one more unit of demand).

    HiGHS reports y = ∂cost/∂rhs. The labour row is Σ h P − R W − O ≤ 0, so one more hour
    saves −y; the inventory row's right-hand side is −D_{f,t} + …, so ∂cost/∂D = −y."""
    if duals is None:
        return np.full(d.T, np.nan), np.full((d.F, d.T), np.nan)
    duals = np.asarray(duals)
    labour = -duals[lay.row_slice["labour_capacity"]] + 0.0
    demand = -duals[lay.row_slice["inventory_balance"]].reshape(d.F, d.T) + 0.0
    return labour, demand


def assemble_result(
    scenario: Scenario,
    d: ModelData,
    per_period: np.ndarray,
    per_cell: np.ndarray,
    row_dual: list[float] | None,
    layout: Layout,
) -> PlanResult:
    """Cost breakdown, KPIs and (lazily) tables and shadow prices of a solved plan.

    ``per_period`` holds W, O, H, L as (4, T) and ``per_cell`` P, I, S, C as (4, F, T),
    in :data:`BLOCKS` order; ``row_dual`` the LP's row duals (None for an integer plan)."""
    v = dict(zip(BLOCKS, (*per_period, *per_cell), strict=True))
    period_totals = per_period.sum(axis=1)  # W, O, H, L over the plan
    family_totals = per_cell.sum(axis=2)  # (4, F): P, I, S, C of each family
    spend = [
        *(period_totals * _unit_costs(d)).tolist(),
        *(family_totals * np.array(_cell_costs(d))).sum(axis=1).tolist(),
    ]
    totals = [*period_totals.tolist(), *family_totals.sum(axis=1).tolist()]
    breakdown = dict(zip(COST_CATEGORIES, spend, strict=True))
    total = math.fsum(spend)
    values = _PlanValues(scenario=scenario, data=d, v=v, row_dual=row_dual, layout=layout)
    return PlanResult(
        status="optimal",
        strategy=scenario.policy.strategy,
        integer_workforce=d.integer,
        total_cost=total,
        cost_breakdown=breakdown,
        kpis=compute_kpis(
            scenario, d, v, total, dict(zip(CATEGORY_VARIABLES, totals, strict=True))
        ),
        values=values,
    )


def compute_kpis(
    scenario: Scenario,
    d: ModelData,
    v: dict[str, np.ndarray],
    total_cost: float,
    sums: dict[str, float],
) -> dict[str, float | None]:
    """The KPIs of a plan (see :data:`KPI_LABELS`); ``sums`` holds each variable's total.

    Fill rate: backlog is served first in, first out, so the backlog at the end of t is
    the newest demand; unserved demand of period t is min(D_t, S_t)."""
    I, S, D = v["I"], v["S"], d.D
    stock, backlog = I.sum(axis=0), S.sum(axis=0)
    demand_by_family = D.sum(axis=1)
    demand = float(demand_by_family.sum())
    used = float(d.hours @ v["P"].sum(axis=1))
    regular = d.R * sums["W"]
    supply = sums["P"] + sums["C"]
    late = float(np.minimum(D, S).sum())
    prices = [f.price for f in scenario.families]
    delivered = (demand_by_family + d.S0 - S[:, -1]).tolist()
    revenue = sum(p * q for p, q in zip(prices, delivered, strict=True) if p is not None)
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
        "revenue": float(revenue) if any(p is not None for p in prices) else None,
        "margin": float(revenue) - total_cost if None not in prices else None,
    }


# --- infeasibility: an elastic re-solve that says which limits give, and by how much ------

#: Penalty per unit of violation. Labour hours are the cheapest to relax, so a shortage is
#: explained as "hours short" wherever extra hours would cure it; stock targets and
#: backlog bans give next; then workforce bounds, and hiring/layoff caps last (so a clash
#: between them is told as the bound, with the caps in the sentence). Negative: hard.
PENALTY_HOURS, PENALTY_UNITS, PENALTY_WORKERS, PENALTY_CHANGES, HARD = 1.0, 1e3, 1e4, 2e4, -1.0


def diagnose(highs: highspy.Highs, lay: Layout, d: ModelData, scenario: Scenario) -> list[Conflict]:
    """Re-solve a copy of the infeasible LP with penalised violations of the soft limits
    (HiGHS's feasibility relaxation) and describe each violation used, in figures."""
    h = _new_highs()
    h.passModel(highs.getLp())  # the continuous LP: no integrality is copied
    n, m, c = lay.n_cols, lay.n_rows, lay.col
    lower, upper, rhs = np.full(n, HARD), np.full(n, HARD), np.full(m, HARD)
    # a shortage is put in the latest period it can cure: where the lack of hours bites
    rhs[lay.row["labour_capacity"]] = PENALTY_HOURS * (1 + 1e-3 * np.arange(d.T, 0, -1))
    lower[c["I"]] = np.where(d.I_lb > 0, PENALTY_UNITS, HARD)
    upper[c["I"]] = np.where(np.isfinite(d.I_ub), PENALTY_UNITS, HARD)
    upper[c["S"]] = np.where(np.isfinite(d.S_ub), PENALTY_UNITS, HARD)
    lower[c["W"]] = np.where(d.W_lb > 0, PENALTY_WORKERS, HARD)
    upper[c["W"]] = np.where(np.isfinite(d.W_ub), PENALTY_WORKERS, HARD)
    for name, ub in (("H", d.H_ub), ("L", d.L_ub)):
        upper[c[name]] = np.where(np.isfinite(ub), PENALTY_CHANGES, HARD)
    h.feasibilityRelaxation(HARD, HARD, HARD, lower, upper, rhs)
    x = np.asarray(h.getSolution().col_value)
    if x.size != n:
        return []
    return describe_violations(scenario, d, {name: x[idx] for name, idx in c.items()})


def _fmt(x: float) -> str:
    return f"{x:,.0f}" if abs(x - round(x)) < 0.05 or abs(x) >= 100 else f"{x:,.1f}"


def _plural(x: float, noun: str) -> str:
    return f"{_fmt(x)} {noun}" + ("" if _fmt(x) == "1" else "s")


def describe_violations(
    scenario: Scenario, d: ModelData, v: dict[str, np.ndarray]
) -> list[Conflict]:
    """Compare the relaxed plan ``v`` with every limit and explain each one it breaks."""
    labels, names, wf = scenario.period_labels, scenario.family_names, scenario.workforce
    out: list[Conflict] = []
    W, O = v["W"], v["O"]
    level = scenario.policy.strategy == "level"
    start = f"starting from {_fmt(wf.initial)} workers"
    if wf.max_hires is not None:
        start += f", at most {_fmt(wf.max_hires)} hires a period"
    if wf.max_layoffs is not None:
        start += f", at most {_fmt(wf.max_layoffs)} layoffs a period"
    for t, label in enumerate(labels):
        short = float(d.hours @ v["P"][:, t] - d.R * W[t] - O[t])
        if short > _TOL * max(1.0, d.R * W[t]):
            capped_staff = math.isfinite(d.W_ub[t]) and W[t] >= d.W_ub[t] - _TOL
            staff = ("at most " if capped_staff else "") + _plural(W[t], "worker")
            ot = (
                "unlimited overtime"
                if not math.isfinite(d.M)
                else "no overtime"
                if d.M == 0
                else f"{_fmt(d.M)} overtime hours each"
            )
            capped = [
                names[f]
                for f in range(d.F)
                if math.isfinite(d.C_ub[f, t]) and v["C"][f, t] >= d.C_ub[f, t] - _TOL
            ]
            sub = f", subcontracting at its cap for {', '.join(capped)}" if capped else ""
            out.append(
                Conflict(
                    label,
                    None,
                    "labour_hours",
                    short,
                    f"{label}: {_fmt(short)} labour hours short with {staff} and {ot}{sub}",
                )
            )
        for name, bound, limit, what in (
            ("W", d.W_ub, "workforce_max", "max_workers"),
            ("H", d.H_ub, "hires", "max_hires"),
            ("L", d.L_ub, "layoffs", "max_layoffs"),
        ):
            over = float(v[name][t] - bound[t])
            if over > _TOL:
                if level and name in "HL" and t > 0:
                    why = "the level strategy allows none after the first period"
                else:
                    why = f"{what} is {_fmt(bound[t])}"
                noun = {"W": "workers", "H": "hires", "L": "layoffs"}[name]
                out.append(
                    Conflict(
                        label,
                        None,
                        limit,
                        over,
                        f"{label}: needs {_fmt(v[name][t])} {noun} but {why}"
                        + (f" ({start})" if name == "W" else ""),
                    )
                )
        under = float(d.W_lb[t] - W[t])
        if under > _TOL:
            out.append(
                Conflict(
                    label,
                    None,
                    "workforce_min",
                    under,
                    f"{label}: can keep only {_fmt(W[t])} workers but min_workers is "
                    f"{_fmt(d.W_lb[t])} ({start})",
                )
            )
        for f in range(d.F):
            stock, backlog = float(v["I"][f, t]), float(v["S"][f, t])
            if d.I_lb[f, t] - stock > _TOL:
                target = "chase target" if math.isfinite(d.I_ub[f, t]) else "required stock"
                out.append(
                    Conflict(
                        label,
                        names[f],
                        "stock",
                        d.I_lb[f, t] - stock,
                        f"{label}: {names[f]} reaches {_fmt(stock)} units, below its {target} "
                        f"of {_fmt(d.I_lb[f, t])}",
                    )
                )
            if stock - d.I_ub[f, t] > _TOL:
                out.append(
                    Conflict(
                        label,
                        names[f],
                        "stock",
                        stock - d.I_ub[f, t],
                        f"{label}: {names[f]} holds {_fmt(stock)} units, above its chase target "
                        f"of {_fmt(d.I_ub[f, t])} (more stock than the demand takes)",
                    )
                )
            if backlog - d.S_ub[f, t] > _TOL:
                out.append(
                    Conflict(
                        label,
                        names[f],
                        "backlog",
                        backlog - d.S_ub[f, t],
                        f"{label}: {names[f]} would backlog {_fmt(backlog)} units where no "
                        "backlog is allowed",
                    )
                )
    return out


__all__ = [
    "COST_CATEGORIES",
    "FAMILY_COLUMNS",
    "KPI_LABELS",
    "PERIOD_COLUMNS",
    "Conflict",
    "PlanResult",
    "Planner",
    "solve",
]
