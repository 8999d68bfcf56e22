"""The aggregate-planning LP (Chopra & Meindl's, with families sharing one workforce).

Indices: periods t = 1..T, families f = 0..F-1. Variables, textbook names:

    W_t  workers                H_t  hired at the start of t    L_t  laid off at the start of t
    O_t  overtime hours         P_f_t  units made in house      C_f_t  units subcontracted
    I_f_t  inventory at the end of t                            S_f_t  backlog at the end of t

The model reads top to bottom like the textbook: :func:`model_data` turns a scenario into
numbers (the strategy and every limit become bounds), :func:`build_problem` declares the
variables and then calls one ``add_*`` function per constraint family, each stating its
equation in its docstring. Everything that a what-if may change (bounds, costs, right-hand
sides and the three parametric coefficients h_f, R and M) is in :class:`ModelData`;
the structure depends only on :func:`shape_key`. :func:`period_bounds`, :func:`cell_bounds`,
:func:`column_costs` and :func:`inventory_rhs` map the same numbers onto the compiled
model's flat arrays, so a re-solve never rebuilds the model (``tests/test_lp.py`` checks
that both give the same LP).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import highspy
import numpy as np
import pulp

from sop_core.scenario import Scenario

INF = float("inf")
ShapeKey = tuple[int, int, bool]
Vars = dict[str, dict]


@dataclass(frozen=True)
class ModelData:
    """Every number of the LP for one scenario. Arrays are (T,) per period, (F,) per
    family or (F, T) per family and period; ``inf`` means unlimited."""

    T: int
    F: int
    W0: float  # workers before period 1
    R: float  # regular hours per worker per period
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
    D: np.ndarray  # (F, T) demand
    I0: np.ndarray  # (F,) initial inventory
    S0: np.ndarray  # (F,) initial backlog
    safety: np.ndarray  # (F, T) safety stock
    I_lb: np.ndarray  # (F, T) safety stock; at T also the ending minimum; chase: target
    I_ub: np.ndarray  # (F, T) inf, or the chase target
    S_ub: np.ndarray  # (F, T) 0 where backlog is not allowed, else inf
    C_ub: np.ndarray  # (F, T) max subcontract


def _limit(x: float | None) -> float:
    return INF if x is None else float(x)


def shape_key(scenario: Scenario) -> ShapeKey:
    """Scenarios with the same key share one compiled model: (T, F, overtime limited)."""
    T, F = scenario.shape
    return (T, F, scenario.workforce.max_overtime_hours_per_worker is not None)


def model_data(s: Scenario) -> ModelData:
    """Turn a scenario (with its policy) into the LP's numbers."""
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
            )
            for f in fams
        ],
        dtype=float,
    ).T
    hours, cost_P, cost_I, cost_S, cost_C, I0, S0, ending_min, max_sub, no_backlog = per_family
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
    I_lb = safety.copy()
    I_lb[:, -1] = np.maximum(I_lb[:, -1], ending_min)
    S_ub = np.full((F, T), INF)
    S_ub[no_backlog > 0] = 0.0
    if not s.policy.ending_backorders_allowed:
        S_ub[:, -1] = 0.0
    if strategy == "chase":  # production follows demand: stock at its target, no backlog
        I_ub = I_lb.copy()
        S_ub[:] = 0.0
    else:
        I_ub = np.full((F, T), INF)
    return ModelData(
        T=T,
        F=F,
        W0=float(wf.initial),
        R=float(wf.regular_hours_per_worker),
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
        D=np.array([f.demand for f in fams], dtype=float),
        I0=I0,
        S0=S0,
        safety=safety,
        I_lb=I_lb,
        I_ub=I_ub,
        S_ub=S_ub,
        C_ub=max_sub.repeat(T).reshape(F, T),
    )


# --- the model, in the textbook's order -------------------------------------------------


def _bound(x: float) -> float | None:
    return None if np.isinf(x) else float(x)


def _row(prob: pulp.LpProblem, terms: list[tuple], sense: int, rhs: float, name: str) -> None:
    """Add Σ coef·var (sense) rhs. Explicit (variable, coefficient) lists build several
    times faster in PuLP than operator arithmetic on numpy numbers."""
    expr = pulp.LpAffineExpression([(var, float(c)) for var, c in terms])
    prob.addConstraint(pulp.LpConstraint(expr, sense, name, float(rhs)))


EQ, LE = pulp.LpConstraintEQ, pulp.LpConstraintLE


def add_variables(prob: pulp.LpProblem, d: ModelData) -> Vars:
    """Declare W, H, L, O per period and P, I, S, C per family and period, with bounds."""
    ts, fs = range(1, d.T + 1), range(d.F)
    cat = pulp.LpInteger if d.integer else pulp.LpContinuous
    v: Vars = {
        "W": prob.add_variable_dicts("W", ts, lowBound=0, cat=cat),
        "H": prob.add_variable_dicts("H", ts, lowBound=0, cat=cat),
        "L": prob.add_variable_dicts("L", ts, lowBound=0, cat=cat),
        "O": prob.add_variable_dicts("O", ts, lowBound=0),
    }
    for name in ("P", "I", "S", "C"):
        v[name] = prob.add_variable_dicts(name, (fs, ts), lowBound=0)
    for t in ts:
        v["W"][t].lowBound, v["W"][t].upBound = float(d.W_lb[t - 1]), _bound(d.W_ub[t - 1])
        v["H"][t].upBound = _bound(d.H_ub[t - 1])
        v["L"][t].upBound = _bound(d.L_ub[t - 1])
        for f in fs:
            v["I"][f][t].lowBound = float(d.I_lb[f, t - 1])
            v["I"][f][t].upBound = _bound(d.I_ub[f, t - 1])
            v["S"][f][t].upBound = _bound(d.S_ub[f, t - 1])
            v["C"][f][t].upBound = _bound(d.C_ub[f, t - 1])
    return v


def add_workforce_balance(prob: pulp.LpProblem, v: Vars, d: ModelData) -> None:
    """W_t = W_{t-1} + H_t − L_t, with W_0 the initial workforce."""
    W, H, L = v["W"], v["H"], v["L"]
    _row(prob, [(W[1], 1), (H[1], -1), (L[1], 1)], EQ, d.W0, "workforce_balance_1")
    for t in range(2, d.T + 1):
        terms = [(W[t], 1), (W[t - 1], -1), (H[t], -1), (L[t], 1)]
        _row(prob, terms, EQ, 0, f"workforce_balance_{t}")


def add_labour_capacity(prob: pulp.LpProblem, v: Vars, d: ModelData) -> None:
    """Σ_f h_f · P_{f,t} ≤ R · W_t + O_t: hours used fit regular time plus overtime."""
    for t in range(1, d.T + 1):
        used = [(v["P"][f][t], d.hours[f]) for f in range(d.F)]
        _row(prob, [*used, (v["W"][t], -d.R), (v["O"][t], -1)], LE, 0, f"labour_capacity_{t}")


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


def set_total_cost(prob: pulp.LpProblem, v: Vars, d: ModelData) -> None:
    """min Σ_t [c_W W_t + c_O O_t + c_H H_t + c_L L_t
    + Σ_f (c_P P_{f,t} + c_I I_{f,t} + c_S S_{f,t} + c_C C_{f,t})]."""
    ts, fs = range(1, d.T + 1), range(d.F)
    terms = [
        (v[name][t], cost)
        for name, cost in (("W", d.cost_W), ("O", d.cost_O), ("H", d.cost_H), ("L", d.cost_L))
        for t in ts
    ]
    terms += [
        (v[name][f][t], float(cost[f]))
        for name, cost in (("P", d.cost_P), ("I", d.cost_I), ("S", d.cost_S), ("C", d.cost_C))
        for f in fs
        for t in ts
    ]
    prob.setObjective(pulp.LpAffineExpression(terms))


def build_problem(d: ModelData) -> tuple[pulp.LpProblem, Vars]:
    """The whole LP for these numbers, as a PuLP problem and its variables."""
    prob = pulp.LpProblem("aggregate_plan", pulp.LpMinimize)
    v = add_variables(prob, d)
    add_workforce_balance(prob, v, d)
    add_labour_capacity(prob, v, d)
    add_overtime_limit(prob, v, d)
    add_inventory_balance(prob, v, d)
    set_total_cost(prob, v, d)
    return prob, v


# --- the compiled model -------------------------------------------------------------------

#: Column blocks of the compiled model, in order (also the cost categories' order).
BLOCKS = ("W", "O", "H", "L", "P", "I", "S", "C")
#: Row blocks, in the order ``build_problem`` adds them.
ROW_BLOCKS = ("workforce_balance", "labour_capacity", "overtime_limit", "inventory_balance")


def block_order(v: Vars) -> list[pulp.LpVariable]:
    """The variables block by block (:data:`BLOCKS`), per period, families one after another.

    Columns in this order make every variable kind a contiguous slice of the compiled model,
    so a re-solve writes its arrays by concatenation and reads the plan back as views."""
    out: list[pulp.LpVariable] = []
    for name in BLOCKS:
        block = v[name]
        if name in "WOHL":
            out += block.values()
        else:
            for per_family in block.values():
                out += per_family.values()
    return out


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


@dataclass(frozen=True)
class Layout:
    """Where each variable and constraint sits in a model compiled in block order.

    Each block of :data:`BLOCKS` and :data:`ROW_BLOCKS` is a contiguous run: ``col`` and
    ``row`` give the indices ((T,) per period, (F, T) per family and period; the overtime
    rows are empty when overtime is unlimited), ``col_slice``/``row_slice`` the runs."""

    T: int
    F: int
    n_cols: int
    n_rows: int
    col: dict[str, np.ndarray]
    row: dict[str, np.ndarray]
    col_slice: dict[str, slice]
    row_slice: dict[str, slice]
    # constant runs of the flat arrays, made once per layout (a re-solve reuses them)
    zeros_OHL: np.ndarray = field(init=False, repr=False, compare=False)
    zeros_FT: np.ndarray = field(init=False, repr=False, compare=False)
    zeros_2FT: np.ndarray = field(init=False, repr=False, compare=False)
    inf_T: np.ndarray = field(init=False, repr=False, compare=False)
    inf_FT: np.ndarray = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        T, FT = self.T, self.F * self.T
        for name, value in (
            ("zeros_OHL", np.zeros(3 * T)),
            ("zeros_FT", np.zeros(FT)),
            ("zeros_2FT", np.zeros(2 * FT)),
            ("inf_T", np.full(T, INF)),
            ("inf_FT", np.full(FT, INF)),
        ):
            value.flags.writeable = False
            object.__setattr__(self, name, value)

    @classmethod
    def blocked(cls, T: int, F: int, overtime_limited: bool) -> Layout:
        """The layout of ``build_problem``'s LP compiled with :func:`block_order` columns."""
        sizes = {n: T if n in "WOHL" else F * T for n in BLOCKS}
        rows = {
            "workforce_balance": T,
            "labour_capacity": T,
            "overtime_limit": T if overtime_limited else 0,
            "inventory_balance": F * T,
        }

        def runs(counts: dict[str, int]) -> dict[str, slice]:
            out, start = {}, 0
            for name, n in counts.items():
                out[name] = slice(start, start + n)
                start += n
            return out

        cs, rs = runs(sizes), runs(rows)
        col = {n: np.arange(s.start, s.stop) for n, s in cs.items()}
        row = {n: np.arange(s.start, s.stop) for n, s in rs.items()}
        for n in "PISC":
            col[n] = col[n].reshape(F, T)
        row["inventory_balance"] = row["inventory_balance"].reshape(F, T)
        return cls(T, F, sum(sizes.values()), sum(rows.values()), col, row, cs, rs)

    def check(self, col: dict[str, int], row: dict[str, int]) -> None:
        """Raise if the compiled model's names (as :func:`compile_to_highs` returned them)
        are not where this layout says they are."""
        ts, fs = range(1, self.T + 1), range(self.F)
        cols = [f"{n}_{t}" for n in "WOHL" for t in ts]
        cols += [f"{n}_{f}_{t}" for n in "PISC" for f in fs for t in ts]
        rows = [f"{n}_{t}" for n in ROW_BLOCKS[:3] if self.row[n].size for t in ts]
        rows += [f"inventory_balance_{f}_{t}" for f in fs for t in ts]
        if list(col) != cols or list(row) != rows:
            raise ValueError("the compiled model is not in block order")


# Each function below gives one group of the compiled model's numbers; a re-solve
# recomputes and pushes only the groups whose ModelData fields changed.


def period_bounds(d: ModelData, lay: Layout) -> np.ndarray:
    """(2, 4T): lower and upper bounds of the W, O, H, L columns."""
    return np.concatenate(
        # O is capped by the overtime rows (O_t ≤ M·W_t), not by a column bound
        (d.W_lb, lay.zeros_OHL, d.W_ub, lay.inf_T, d.H_ub, d.L_ub)
    ).reshape(2, 4 * d.T)


def cell_bounds(d: ModelData, lay: Layout) -> np.ndarray:
    """(2, 4FT): lower and upper bounds of the P, I, S, C columns."""
    return np.concatenate(
        (
            lay.zeros_FT,
            d.I_lb.ravel(),
            lay.zeros_2FT,
            lay.inf_FT,
            d.I_ub.ravel(),
            d.S_ub.ravel(),
            d.C_ub.ravel(),
        )
    ).reshape(2, 4 * d.F * d.T)


def column_costs(d: ModelData) -> np.ndarray:
    """(n_cols,): each column's cost, c_W c_O c_H c_L per period, then c_P c_I c_S c_C."""
    per_period = (d.cost_W, d.cost_O, d.cost_H, d.cost_L)
    return np.concatenate((per_period, d.cost_P, d.cost_I, d.cost_S, d.cost_C)).repeat(d.T)


def inventory_rhs(d: ModelData) -> np.ndarray:
    """(FT,): right-hand side of the inventory balance rows: I_{f,0} − S_{f,0} − D_{f,1}
    in the first period, −D_{f,t} after."""
    rhs = -d.D
    rhs[:, 0] += d.I0 - d.S0
    return rhs.ravel()
