"""The aggregate-planning LP (Chopra & Meindl's, with families sharing one workforce and
a few rough-cut resources).

Indices: periods t = 1..T, families f = 0..F-1, resources r = 0..R-1. Variables:

    W_t  workers                H_t  hired at the start of t    L_t  laid off at the start of t
    O_t  overtime hours         P_f_t  units made in house      C_f_t  units subcontracted
    I_f_t  inventory at the end of t                            S_f_t  backlog at the end of t
    B_f_t  units below the safety stock at the end of t (a soft target, paid at a penalty)
    OR_r_t overtime hours on resource r in t

The model reads top to bottom like the textbook: :func:`model_data` turns a scenario into
numbers (the strategy, every limit, the calendar and the time fence become bounds),
:func:`build_problem` declares the variables and then calls one ``add_*`` function per
constraint family, each stating its equation in its docstring.

The LP is described once more, as data, in :data:`COLUMNS` and :data:`ROWS`: one entry per
block of variables or constraints (its name, what it is indexed by, where its numbers come
from in :class:`ModelData`, which of its coefficients a what-if may change, and whether
the infeasibility diagnosis may relax it). :class:`Layout`, the planner's pushes, its
shadow prices and its diagnosis all derive from these two tables; ``tests/test_lp.py``
checks that pushing a scenario's numbers gives the LP that PuLP builds for it. Adding a
constraint family is one ``add_*`` function, one entry in :data:`ROWS` and its numbers.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property

import highspy
import numpy as np
import pulp

from sop_core.model.portfolio import end_index, planned_demand
from sop_core.model.scenario import Scenario

INF = float("inf")
#: (T, F, overtime limited, R): scenarios with the same key share one compiled model.
ShapeKey = tuple[int, int, bool, int]
Vars = dict[str, dict]


@dataclass(frozen=True)
class FixedPlan:
    """Production and subcontracting of the first periods, fixed by the planning time
    fence (from the last approved plan): (F, k) units each, for the scenario's families
    and first periods; NaN leaves a cell free (e.g. a family the approved plan lacked)."""

    production: np.ndarray
    subcontract: np.ndarray


@dataclass(frozen=True)
class ModelData:
    """Every number of the LP for one scenario. Arrays are (T,) per period, (F,) per
    family, (F, T) per family and period, (R, T) per resource and period; ``inf`` means
    unlimited."""

    T: int
    F: int
    W0: float  # workers before period 1
    R: np.ndarray  # (T,) regular hours per worker in each period (the calendar scales them)
    M: float  # max overtime hours per worker per period (inf: unlimited)
    cost_W: float  # regular cost per worker per period
    cost_O: float  # overtime cost per hour
    cost_H: float  # hiring cost per worker
    cost_L: float  # layoff cost per worker
    W_lb: np.ndarray  # (T,) min workers
    W_ub: np.ndarray  # (T,) max workers
    H_ub: np.ndarray  # (T,) max hires (0 after period 1 for the level strategy)
    L_ub: np.ndarray  # (T,) max layoffs (idem)
    integer: bool  # W, H, L whole numbers
    hours: np.ndarray  # (F,) labour hours per unit, h_f
    cost_P: np.ndarray  # (F,) material cost per unit made
    cost_I: np.ndarray  # (F,) holding cost per unit per period
    cost_S: np.ndarray  # (F,) backorder cost per unit per period
    cost_C: np.ndarray  # (F,) subcontracting cost per unit
    cost_B: np.ndarray  # (F,) penalty per unit below safety stock per period
    D: np.ndarray  # (F, T) demand
    I0: np.ndarray  # (F,) initial inventory
    S0: np.ndarray  # (F,) initial backlog
    safety: np.ndarray  # (F, T) safety stock (a soft target: I + B ≥ safety)
    I_lb: np.ndarray  # (F, T) 0; at T the ending minimum; chase: the target
    I_ub: np.ndarray  # (F, T) inf, or the chase target
    S_ub: np.ndarray  # (F, T) 0 where backlog is not allowed, else inf
    P_lb: np.ndarray  # (F, T) 0, or the fenced production
    P_ub: np.ndarray  # (F, T) inf, or the fenced production
    C_lb: np.ndarray  # (F, T) 0, or the fenced subcontracting
    C_ub: np.ndarray  # (F, T) max subcontract, or the fenced subcontracting
    res_hours: np.ndarray  # (R, F) hours of resource r per unit of family f
    res_avail: np.ndarray  # (R, T) hours of resource r available in t
    OR_ub: np.ndarray  # (R, T) max overtime hours of resource r in t
    cost_OR: np.ndarray  # (R,) overtime cost per hour of resource r
    frozen: int = 0  # periods fixed by the time fence (0: none)

    @property
    def n_res(self) -> int:
        return int(self.res_avail.shape[0])

    @property
    def dims(self) -> dict[str, int]:
        return {"t": self.T, "f": self.F, "r": self.n_res}


def _limit(x: float | None) -> float:
    return INF if x is None else float(x)


def shape_key(scenario: Scenario) -> ShapeKey:
    """Scenarios with the same key share one compiled model: (T, F, overtime limited, R)."""
    T, F = scenario.shape
    limited = scenario.workforce.max_overtime_hours_per_worker is not None
    return (T, F, limited, len(scenario.resources))


def shortfall_cost(holding: float, backorder: float, given: float | None) -> float:
    """The penalty per unit below safety stock per period: ``given``, or by default halfway
    between holding and backorder cost (dearer than holding, so stock is built when it
    can be; cheaper than a backorder, so no customer waits to fill the warehouse)."""
    return float(given) if given is not None else (holding + backorder) / 2


def model_data(s: Scenario, fixed: FixedPlan | None = None) -> ModelData:
    """Turn a scenario (with its policy, calendar and resources) into the LP's numbers.

    ``fixed``: the plan the time fence holds (``policy.frozen_periods``); without it
    nothing is fixed."""
    T, F = s.shape
    wf, fams, strategy = s.workforce, s.families, s.policy.strategy
    # one array per kind of number, built in a single call each: a slider move pays for this
    per_family = np.array(
        [
            (
                f.labor_hours_per_unit,
                f.material_cost,
                f.holding_cost,
                f.backorder_cost,
                f.subcontract_cost,
                f.initial_inventory,
                f.initial_backorder,
                f.ending_inventory_min,
                _limit(f.max_subcontract),
                0.0 if f.backorders_allowed else 1.0,
                shortfall_cost(f.holding_cost, f.backorder_cost, f.safety_stock_shortfall_cost),
            )
            for f in fams
        ],
        dtype=float,
    ).T
    hours, cost_P, cost_I, cost_S, cost_C, I0, S0, ending_min, max_sub, no_backlog, cost_B = (
        per_family
    )
    per_period = (
        np.array(
            [
                float(wf.min_workers or 0.0),
                _limit(wf.max_workers),
                _limit(wf.max_hires),
                _limit(wf.max_layoffs),
            ]
        )
        .repeat(T)
        .reshape(4, T)
    )
    W_lb, W_ub, H_ub, L_ub = per_period
    if strategy == "level":  # the workforce is set in period 1 and then held
        H_ub[1:] = 0.0
        L_ub[1:] = 0.0
    safety = np.array([f.safety_stock_series(T) for f in fams], dtype=float)
    I_lb = np.zeros((F, T))
    I_lb[:, -1] = ending_min
    S_ub = np.full((F, T), INF)
    S_ub[no_backlog > 0] = 0.0
    if not s.policy.ending_backorders_allowed:
        S_ub[:, -1] = 0.0
    if strategy == "chase":  # production follows demand: stock at its target, no backlog
        I_lb = np.maximum(I_lb, safety)
        I_ub = I_lb.copy()
        S_ub[:] = 0.0
    else:
        I_ub = np.full((F, T), INF)
    P_lb, P_ub = np.zeros((F, T)), np.full((F, T), INF)
    C_lb, C_ub = np.zeros((F, T)), max_sub.repeat(T).reshape(F, T)
    k = min(s.policy.frozen_periods, T) if fixed is not None else 0
    if k:  # the time fence: what the approved plan made and bought (NaN: not fixed)
        for lb, ub, values in ((P_lb, P_ub, fixed.production), (C_lb, C_ub, fixed.subcontract)):
            given = np.full((F, k), np.nan)
            v = np.asarray(values, dtype=float)[:, :k]
            given[:, : v.shape[1]] = v
            at = ~np.isnan(given)
            lb[:, :k][at] = given[at]
            ub[:, :k][at] = given[at]
    safety = phase_out_bounds(s, safety, I_lb, I_ub, S_ub, P_ub, C_ub)
    days = np.asarray(s.working_day_factors(), dtype=float)
    res = s.resources
    names = [r.name for r in res]
    res_hours = np.zeros((len(res), F))
    for j, f in enumerate(fams):
        for name, h in f.resource_hours.items():
            res_hours[names.index(name), j] = h
    res_avail = np.array([r.hours_series(T, days) for r in res], dtype=float).reshape(-1, T)
    OR_ub = np.array([r.overtime_series(T) for r in res], dtype=float).reshape(-1, T)
    return ModelData(
        T=T,
        F=F,
        W0=float(wf.initial),
        R=float(wf.regular_hours_per_worker) * days,
        M=_limit(wf.max_overtime_hours_per_worker),
        cost_W=float(wf.regular_cost_per_worker),
        cost_O=float(wf.overtime_cost_per_hour),
        cost_H=float(wf.hire_cost),
        cost_L=float(wf.layoff_cost),
        W_lb=W_lb,
        W_ub=W_ub,
        H_ub=H_ub,
        L_ub=L_ub,
        integer=s.policy.integer_workforce,
        hours=hours,
        cost_P=cost_P,
        cost_I=cost_I,
        cost_S=cost_S,
        cost_C=cost_C,
        cost_B=cost_B,
        D=planned_demand(s),
        I0=I0,
        S0=S0,
        safety=safety,
        I_lb=I_lb,
        I_ub=I_ub,
        S_ub=S_ub,
        P_lb=P_lb,
        P_ub=P_ub,
        C_lb=C_lb,
        C_ub=C_ub,
        res_hours=res_hours,
        res_avail=res_avail,
        OR_ub=OR_ub,
        cost_OR=np.array([r.overtime_cost_per_hour for r in res], dtype=float),
        frozen=k,
    )


def phase_out_bounds(
    s: Scenario,
    safety: np.ndarray,
    I_lb: np.ndarray,
    I_ub: np.ndarray,
    S_ub: np.ndarray,
    P_ub: np.ndarray,
    C_ub: np.ndarray,
) -> np.ndarray:
    """A phased-out family as bounds on the columns it already has (no row of its own),
    for its end period e and last-time-buy quantity LTB (in place; returns the safety
    stock, 0 from e on):

        I_{f,t} = LTB and S_{f,t} = 0 for t ≥ e   (it ends with the stock stated, no backlog)
        P_{f,t} = C_{f,t} = 0 for t > e            (nothing made or bought that cannot be sold)

    A family that ended before the horizon (e < 0, its plan rolled on) has P = C = 0 in
    every period and keeps the stock it has; one that ends after it has no bounds.

    Its demand after e is 0 (:func:`sop_core.model.portfolio.planned_demand`), so the
    inventory balance holds I at LTB after e. Bounds, not rows: the compiled model keeps
    its shape when an end period is set, moved or cleared, and the planner's warm re-solve
    pushes the changed bounds like any other (:mod:`sop_core.engine.planner`)."""
    safety = safety.copy()
    T = safety.shape[1]
    for f, e in enumerate(end_index(s)):
        if e is None or e >= T:  # none, or it ends after the horizon
            continue
        if e < 0:  # it ended before the horizon: nothing made, its stock left as it is
            P_ub[f, :] = 0.0
            C_ub[f, :] = 0.0
            safety[f, :] = 0.0
            continue
        ltb = float(s.families[f].phase_out.last_time_buy)
        I_lb[f, e:] = ltb
        I_ub[f, e:] = ltb
        S_ub[f, e:] = 0.0
        P_ub[f, e + 1 :] = 0.0
        C_ub[f, e + 1 :] = 0.0
        safety[f, e:] = 0.0
    return safety


# --- the model, in the textbook's order -------------------------------------------------


def _bound(x: float) -> float | None:
    return None if np.isinf(x) else float(x)


def _row(prob: pulp.LpProblem, terms: list[tuple], sense: int, rhs: float, name: str) -> None:
    """Add Σ coef·var (sense) rhs. Explicit (variable, coefficient) lists build several
    times faster in PuLP than operator arithmetic on numpy numbers."""
    expr = pulp.LpAffineExpression([(var, float(c)) for var, c in terms])
    prob.addConstraint(pulp.LpConstraint(expr, sense, name, float(rhs)))


EQ, LE, GE = pulp.LpConstraintEQ, pulp.LpConstraintLE, pulp.LpConstraintGE


def add_variables(prob: pulp.LpProblem, d: ModelData) -> Vars:
    """Declare every block of :data:`COLUMNS` with its textbook name and bounds
    (W_t, …, P_f_t, …, OR_r_t)."""
    v: Vars = {}
    for b in COLUMNS:
        cat = pulp.LpInteger if b.integer and d.integer else pulp.LpContinuous
        sets = [range(d.dims[i]) if i != "t" else range(1, d.T + 1) for i in b.index]
        v[b.name] = prob.add_variable_dicts(
            b.name, sets[0] if len(sets) == 1 else tuple(sets), lowBound=0, cat=cat
        )
        lower = np.broadcast_to(b.lower(d), b.shape(d.dims))
        upper = np.broadcast_to(b.upper(d), b.shape(d.dims))
        for pos in np.ndindex(*b.shape(d.dims)):
            var = v[b.name]
            for i in pos[:-1]:
                var = var[i]
            var = var[pos[-1] + 1]
            var.lowBound, var.upBound = _bound(lower[pos]), _bound(upper[pos])
    return v


def add_workforce_balance(prob: pulp.LpProblem, v: Vars, d: ModelData) -> None:
    """W_t = W_{t-1} + H_t − L_t, with W_0 the initial workforce."""
    W, H, L = v["W"], v["H"], v["L"]
    _row(prob, [(W[1], 1), (H[1], -1), (L[1], 1)], EQ, d.W0, "workforce_balance_1")
    for t in range(2, d.T + 1):
        terms = [(W[t], 1), (W[t - 1], -1), (H[t], -1), (L[t], 1)]
        _row(prob, terms, EQ, 0, f"workforce_balance_{t}")


def add_labour_capacity(prob: pulp.LpProblem, v: Vars, d: ModelData) -> None:
    """Σ_f h_f · P_{f,t} ≤ R_t · W_t + O_t: hours used fit regular time plus overtime."""
    for t in range(1, d.T + 1):
        used = [(v["P"][f][t], d.hours[f]) for f in range(d.F)]
        terms = [*used, (v["W"][t], -d.R[t - 1]), (v["O"][t], -1)]
        _row(prob, terms, LE, 0, f"labour_capacity_{t}")


def add_overtime_limit(prob: pulp.LpProblem, v: Vars, d: ModelData) -> None:
    """O_t ≤ M · W_t: overtime is capped per worker (only when M is finite)."""
    if np.isinf(d.M):
        return
    for t in range(1, d.T + 1):
        _row(prob, [(v["O"][t], 1), (v["W"][t], -d.M)], LE, 0, f"overtime_limit_{t}")


def add_inventory_balance(prob: pulp.LpProblem, v: Vars, d: ModelData) -> None:
    """I_{f,t} − S_{f,t} = I_{f,t−1} − S_{f,t−1} + P_{f,t} + C_{f,t} − D_{f,t},
    starting from I_{f,0} = initial inventory and S_{f,0} = initial backorder."""
    P, I, S, C = v["P"], v["I"], v["S"], v["C"]
    for f in range(d.F):
        for t in range(1, d.T + 1):
            terms = [(I[f][t], 1), (S[f][t], -1), (P[f][t], -1), (C[f][t], -1)]
            if t == 1:
                rhs = d.I0[f] - d.S0[f] - d.D[f, 0]
            else:
                terms += [(I[f][t - 1], -1), (S[f][t - 1], 1)]
                rhs = -d.D[f, t - 1]
            _row(prob, terms, EQ, rhs, f"inventory_balance_{f}_{t}")


def add_safety_stock_target(prob: pulp.LpProblem, v: Vars, d: ModelData) -> None:
    """I_{f,t} + B_{f,t} ≥ SS_{f,t}: stock below its safety target is allowed, each unit
    short paid at the shortfall penalty (so no customer is backlogged to fill stock)."""
    I, B = v["I"], v["B"]
    for f in range(d.F):
        for t in range(1, d.T + 1):
            terms = [(I[f][t], 1), (B[f][t], 1)]
            _row(prob, terms, GE, d.safety[f, t - 1], f"safety_stock_target_{f}_{t}")


def add_resource_capacity(prob: pulp.LpProblem, v: Vars, d: ModelData) -> None:
    """Σ_f k_{r,f} · P_{f,t} ≤ A_{r,t} + OR_{r,t}: each rough-cut resource's load (hours
    per unit k times units made) fits its available hours plus its overtime."""
    for r in range(d.n_res):
        for t in range(1, d.T + 1):
            terms = [(v["P"][f][t], d.res_hours[r, f]) for f in range(d.F)]
            terms.append((v["OR"][r][t], -1))
            _row(prob, terms, LE, d.res_avail[r, t - 1], f"resource_capacity_{r}_{t}")


def set_total_cost(prob: pulp.LpProblem, v: Vars, d: ModelData) -> None:
    """min Σ_t [c_W W_t + c_O O_t + c_H H_t + c_L L_t
    + Σ_f (c_P P_{f,t} + c_I I_{f,t} + c_S S_{f,t} + c_C C_{f,t} + c_B B_{f,t})
    + Σ_r c_OR_r OR_{r,t}]."""
    terms = []
    for b in COLUMNS:
        cost = np.broadcast_to(b.cost(d), b.shape(d.dims))
        for pos in np.ndindex(*cost.shape):
            var = v[b.name]
            for i in pos[:-1]:
                var = var[i]
            terms.append((var[pos[-1] + 1], float(cost[pos])))
    prob.setObjective(pulp.LpAffineExpression(terms))


def build_problem(d: ModelData) -> tuple[pulp.LpProblem, Vars]:
    """The whole LP for these numbers, as a PuLP problem and its variables."""
    prob = pulp.LpProblem("aggregate_plan", pulp.LpMinimize)
    v = add_variables(prob, d)
    for block in ROWS:
        block.add(prob, v, d)
    set_total_cost(prob, v, d)
    return prob, v


# --- the LP described once, as data ---------------------------------------------------------

Numbers = Callable[[ModelData], "np.ndarray | float"]


def _zero(d: ModelData) -> float:
    return 0.0


def _inf(d: ModelData) -> float:
    return INF


@dataclass(frozen=True)
class ColBlock:
    """A block of variables: ``index`` is "t", "ft" or "rt" (period; family × period;
    resource × period); ``lower``, ``upper`` and ``cost`` give its numbers (broadcast to
    the block's shape); ``category`` names its cost in the breakdown; ``integer``: whole
    numbers when the policy asks for an integer workforce; ``relax_lower``/``relax_upper``:
    the diagnosis's penalty per unit for breaking a finite bound (None: never)."""

    name: str
    index: str
    lower: Numbers
    upper: Numbers
    cost: Numbers
    category: str
    integer: bool = False
    relax_lower: float | None = None
    relax_upper: float | None = None

    def shape(self, dims: dict[str, int]) -> tuple[int, ...]:
        return tuple(dims[i] for i in self.index)


@dataclass(frozen=True)
class Coef:
    """Coefficients of a row block on a column block that a what-if may change: for every
    combination of the letters ``over`` (e.g. "rft"), the row at (its letters) times the
    column at (its letters) has coefficient ``value(d)`` (broadcast to ``over``'s shape)."""

    column: str
    over: str
    value: Numbers


@dataclass(frozen=True)
class RowBlock:
    """A block of constraints: built by ``add``; ``bounds(d)`` gives (lower, upper) of its
    rows; ``coefs`` its parametric coefficients; ``present(key)`` whether a model of that
    :data:`ShapeKey` has it;
    ``relax``: the diagnosis's penalty per unit of right-hand side it may add (None:
    never)."""

    name: str
    index: str
    add: Callable[[pulp.LpProblem, Vars, ModelData], None]
    bounds: Callable[[ModelData], tuple[np.ndarray | float, np.ndarray | float]]
    coefs: tuple[Coef, ...] = ()
    present: Callable[[ShapeKey], bool] = lambda key: True
    relax: float | None = None

    def shape(self, dims: dict[str, int]) -> tuple[int, ...]:
        return tuple(dims[i] for i in self.index)


def _workforce_rhs(d: ModelData) -> tuple[np.ndarray, np.ndarray]:
    rhs = np.zeros(d.T)
    rhs[0] = d.W0
    return rhs, rhs


def _inventory_rhs(d: ModelData) -> tuple[np.ndarray, np.ndarray]:
    """I_{f,0} − S_{f,0} − D_{f,1} in the first period, −D_{f,t} after."""
    rhs = -d.D
    rhs[:, 0] += d.I0 - d.S0
    return rhs, rhs


#: Penalties of the diagnosis's elastic re-solve, per unit of violation. Hours are the
#: cheapest to relax, so a shortage is explained as hours short wherever extra hours would
#: cure it; stock targets and backlog bans give next; then workforce bounds, and
#: hiring/layoff caps last (so a clash is told as the bound, with the caps in the sentence).
PENALTY_HOURS, PENALTY_UNITS, PENALTY_WORKERS, PENALTY_CHANGES = 1.0, 1e3, 1e4, 2e4

COLUMNS: tuple[ColBlock, ...] = (
    ColBlock("W", "t", lambda d: d.W_lb, lambda d: d.W_ub, lambda d: d.cost_W,
             "regular_labour", True, PENALTY_WORKERS, PENALTY_WORKERS),
    # O is capped by the overtime rows (O_t ≤ M·W_t), not by a column bound
    ColBlock("O", "t", _zero, _inf, lambda d: d.cost_O, "overtime"),
    ColBlock("H", "t", _zero, lambda d: d.H_ub, lambda d: d.cost_H, "hiring", True,
             relax_upper=PENALTY_CHANGES),
    ColBlock("L", "t", _zero, lambda d: d.L_ub, lambda d: d.cost_L, "layoffs", True,
             relax_upper=PENALTY_CHANGES),
    ColBlock("P", "ft", lambda d: d.P_lb, lambda d: d.P_ub, lambda d: d.cost_P[:, None],
             "materials"),
    ColBlock("I", "ft", lambda d: d.I_lb, lambda d: d.I_ub, lambda d: d.cost_I[:, None],
             "holding", relax_lower=PENALTY_UNITS, relax_upper=PENALTY_UNITS),
    ColBlock("S", "ft", _zero, lambda d: d.S_ub, lambda d: d.cost_S[:, None], "backorders",
             relax_upper=PENALTY_UNITS),
    ColBlock("C", "ft", lambda d: d.C_lb, lambda d: d.C_ub, lambda d: d.cost_C[:, None],
             "subcontracting"),
    ColBlock("B", "ft", _zero, _inf, lambda d: d.cost_B[:, None], "safety_stock_shortfall"),
    ColBlock("OR", "rt", _zero, lambda d: d.OR_ub, lambda d: d.cost_OR[:, None],
             "resource_overtime"),
)  # fmt: skip

ROWS: tuple[RowBlock, ...] = (
    RowBlock("workforce_balance", "t", add_workforce_balance, _workforce_rhs),
    RowBlock(
        "labour_capacity", "t", add_labour_capacity, lambda d: (-INF, 0.0),
        coefs=(Coef("P", "ft", lambda d: d.hours[:, None]), Coef("W", "t", lambda d: -d.R)),
        relax=PENALTY_HOURS,
    ),
    RowBlock(
        "overtime_limit", "t", add_overtime_limit, lambda d: (-INF, 0.0),
        coefs=(Coef("W", "t", lambda d: -d.M),), present=lambda key: key[2],
    ),
    RowBlock("inventory_balance", "ft", add_inventory_balance, _inventory_rhs),
    RowBlock("safety_stock_target", "ft", add_safety_stock_target, lambda d: (d.safety, INF)),
    RowBlock(
        "resource_capacity", "rt", add_resource_capacity, lambda d: (-INF, d.res_avail),
        coefs=(Coef("P", "rft", lambda d: d.res_hours[:, :, None]),), relax=PENALTY_HOURS,
    ),
)  # fmt: skip

#: Column blocks of the compiled model, in order (also the cost categories' order).
BLOCKS = tuple(b.name for b in COLUMNS)
#: Row blocks, in the order ``build_problem`` adds them.
ROW_BLOCKS = tuple(b.name for b in ROWS)
COLUMN = {b.name: b for b in COLUMNS}
ROW = {b.name: b for b in ROWS}


def dims_of(key: ShapeKey) -> dict[str, int]:
    T, F, _, R = key
    return {"t": T, "f": F, "r": R}


def block_order(v: Vars) -> list[pulp.LpVariable]:
    """The variables block by block (:data:`COLUMNS`), each block in index order
    (families or resources one after another, periods within).

    Columns in this order make every block a contiguous slice of the compiled model, so a
    re-solve writes its arrays by concatenation and reads the plan back as views."""
    out: list[pulp.LpVariable] = []

    def walk(x: object) -> None:
        if isinstance(x, dict):
            for y in x.values():
                walk(y)
        else:
            out.append(x)

    for name in BLOCKS:
        walk(v[name])
    return out


_banner_shown = False


#: HiGHS threads per solve. Our LPs are small (a few thousand columns at most); HiGHS's
#: parallel workers cost more in start-up and hand-over than they save (a re-solve takes
#: about half the time on one thread), and a server solving for several sessions at once
#: is better served by one thread each. HiGHS's scheduler is process-wide: every Highs we
#: make asks for the same count.
HIGHS_THREADS = 1


def new_highs() -> highspy.Highs:
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


def compile_to_highs(
    prob: pulp.LpProblem, highs: highspy.Highs, columns: list[pulp.LpVariable] | None = None
) -> tuple[dict, dict]:
    """Pass a PuLP problem to an in-process HiGHS model in one call (row-wise matrix).

    ``columns`` orders the variables (default: PuLP's own order); rows keep the order they
    were added in. Returns the column index of each variable and the row index of each
    constraint, by name. PuLP's own HiGHS adapter adds columns and rows one call at a time;
    one ``passModel`` is several times faster and keeps the first solve cheap."""
    variables = prob.variables() if columns is None else columns
    col = {var.name: j for j, var in enumerate(variables)}
    if len(col) != len(prob.variables()):
        raise ValueError("columns must list each of the problem's variables once")
    lp = highspy.HighsLp()
    lp.num_col_ = len(variables)
    lp.col_lower_ = np.array([-INF if x.lowBound is None else x.lowBound for x in variables])
    lp.col_upper_ = np.array([INF if x.upBound is None else x.upBound for x in variables])
    cost = np.zeros(len(variables))
    for var, c in prob.objective.items():
        cost[col[var.name]] = c
    lp.col_cost_ = cost
    constraints = prob.constraints()
    row = {c.name: i for i, c in enumerate(constraints)}
    starts, index, value, lower, upper = [0], [], [], [], []
    for c in constraints:
        for var, coef in c.items():
            if coef != 0:
                index.append(col[var.name])
                value.append(coef)
        starts.append(len(index))
        lb, ub = c.getLb(), c.getUb()
        lower.append(-INF if lb is None else lb)
        upper.append(INF if ub is None else ub)
    lp.num_row_ = len(constraints)
    lp.row_lower_, lp.row_upper_ = np.array(lower), np.array(upper)
    lp.a_matrix_.format_ = highspy.MatrixFormat.kRowwise
    lp.a_matrix_.num_col_, lp.a_matrix_.num_row_ = lp.num_col_, lp.num_row_
    lp.a_matrix_.start_ = np.array(starts, dtype=np.int32)
    lp.a_matrix_.index_ = np.array(index, dtype=np.int32)
    lp.a_matrix_.value_ = np.array(value, dtype=float)
    if any(x.cat == pulp.LpInteger for x in variables):
        lp.integrality_ = [
            highspy.HighsVarType.kInteger
            if x.cat == pulp.LpInteger
            else highspy.HighsVarType.kContinuous
            for x in variables
        ]
    highs.passModel(lp)
    return col, row


# --- the same numbers on the compiled model's flat arrays -------------------------------


def _names(prefix: str, index: str, dims: dict[str, int]) -> list[str]:
    """Textbook names of a block's columns or rows, in index order (periods from 1)."""
    shape = tuple(dims[i] for i in index)
    return [
        prefix + "".join(f"_{p + 1 if i == 't' else p}" for i, p in zip(index, pos, strict=True))
        for pos in np.ndindex(*shape)
    ]


@dataclass(frozen=True)
class Layout:
    """Where each block of :data:`COLUMNS` and :data:`ROWS` sits in a model compiled in
    block order: ``col``/``row`` give the indices (shaped by the block's index; a block
    the model lacks, like the overtime rows when overtime is unlimited, is empty),
    ``col_slice``/``row_slice`` the contiguous runs."""

    key: ShapeKey
    n_cols: int
    n_rows: int
    col: dict[str, np.ndarray]
    row: dict[str, np.ndarray]
    col_slice: dict[str, slice]
    row_slice: dict[str, slice]

    @property
    def T(self) -> int:
        return self.key[0]

    @property
    def F(self) -> int:
        return self.key[1]

    @property
    def dims(self) -> dict[str, int]:
        return dims_of(self.key)

    @classmethod
    def blocked(cls, key: ShapeKey, present: dict[str, bool] | None = None) -> Layout:
        """The layout of ``build_problem``'s LP compiled with :func:`block_order` columns;
        ``present``: which row blocks the model has (default: as :func:`row_presence`)."""
        dims = dims_of(key)
        present = present or row_presence(key)

        def runs(blocks, keep) -> tuple[dict, dict, int]:
            idx, slices, start = {}, {}, 0
            for b in blocks:
                shape = b.shape(dims) if keep(b) else (0,) * len(b.index)
                n = int(np.prod(shape))
                slices[b.name] = slice(start, start + n)
                idx[b.name] = np.arange(start, start + n).reshape(shape)
                start += n
            return idx, slices, start

        col, cs, n_cols = runs(COLUMNS, lambda b: True)
        row, rs, n_rows = runs(ROWS, lambda b: present[b.name])
        return cls(key, n_cols, n_rows, col, row, cs, rs)

    def check(self, col: dict[str, int], row: dict[str, int]) -> None:
        """Raise if the compiled model's names (as :func:`compile_to_highs` returned them)
        are not where this layout says they are."""
        dims = self.dims
        cols = [n for b in COLUMNS for n in _names(b.name, b.index, dims)]
        rows = [n for b in ROWS if self.row[b.name].size for n in _names(b.name, b.index, dims)]
        if list(col) != cols or list(row) != rows:
            raise ValueError("the compiled model is not in block order")

    @cached_property
    def coef_positions(self) -> dict[tuple[str, int], tuple[np.ndarray, np.ndarray]]:
        """(row block, coef number) → (rows, cols) of each parametric coefficient, flat."""
        dims, out = self.dims, {}
        for b in ROWS:
            if not self.row[b.name].size:
                continue
            for k, c in enumerate(b.coefs):
                grids = dict(zip(c.over, np.indices([dims[i] for i in c.over]), strict=True))
                rows = self.row[b.name][tuple(grids[i] for i in b.index)]
                cols = self.col[c.column][tuple(grids[i] for i in COLUMN[c.column].index)]
                out[(b.name, k)] = (rows.ravel().astype(np.int32), cols.ravel().astype(np.int32))
        return out


def row_presence(key: ShapeKey) -> dict[str, bool]:
    """Which row blocks a model of this shape has (the overtime rows need a finite M)."""
    return {b.name: bool(b.present(key)) for b in ROWS}


def col_numbers(b: ColBlock, d: ModelData) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(lower, upper, cost) of one column block, flat."""
    shape = b.shape(d.dims)
    return tuple(np.broadcast_to(fn(d), shape).ravel() for fn in (b.lower, b.upper, b.cost))


def row_numbers(b: RowBlock, d: ModelData) -> tuple[np.ndarray, np.ndarray]:
    """(lower, upper) of one row block, flat."""
    shape = b.shape(d.dims)
    return tuple(np.broadcast_to(x, shape).ravel() for x in b.bounds(d))


def coef_values(b: RowBlock, k: int, d: ModelData) -> np.ndarray:
    """The values of a row block's ``k``-th parametric coefficient, flat."""
    c = b.coefs[k]
    return np.broadcast_to(c.value(d), tuple(d.dims[i] for i in c.over)).ravel()


__all__ = [
    "BLOCKS",
    "COLUMNS",
    "ROWS",
    "ROW_BLOCKS",
    "FixedPlan",
    "Layout",
    "ModelData",
    "block_order",
    "build_problem",
    "compile_to_highs",
    "model_data",
    "shape_key",
]
