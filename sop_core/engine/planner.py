"""Solve the aggregate plan: a compiled model that re-solves in milliseconds.

    planner = Planner(scenario)          # PuLP builds the LP once; HiGHS holds it in process
    result = planner.solve(scenario)     # first solve
    result = planner.solve(what_if)      # same shape: only changed numbers are pushed,
                                         # HiGHS re-solves warm from the last basis
    solve(scenario)                      # one-off: build, solve, return

What is pushed, read back and relaxed is derived from the block table of
:mod:`sop_core.engine.lp`. The results (tables, KPIs, shadow prices) are in
:mod:`sop_core.engine.results`, the diagnosis of an infeasible plan in
:mod:`sop_core.engine.diagnosis`;
their public names are re-exported here.
"""

from __future__ import annotations

from dataclasses import replace

import highspy
import numpy as np

from sop_core.engine.diagnosis import Conflict, describe_violations, relaxed_plan
from sop_core.engine.lp import (
    COLUMNS,
    ROWS,
    FixedPlan,
    Layout,
    ModelData,
    ShapeKey,
    block_order,
    build_problem,
    coef_values,
    col_numbers,
    compile_to_highs,
    model_data,
    new_highs,
    row_numbers,
    shape_key,
)
from sop_core.engine.results import (
    COST_CATEGORIES,
    FAMILY_COLUMNS,
    KPI_LABELS,
    PERIOD_COLUMNS,
    RESOURCE_COLUMNS,
    PlanResult,
    assemble_result,
    empty_result,
    split_blocks,
)
from sop_core.model.scenario import STRATEGIES, Scenario, with_changes


def _run(h: highspy.Highs) -> None:
    """``h.run()``; if HiGHS's process-wide scheduler was started with another thread count
    (by a Highs made outside this module), solve with that count instead of failing."""
    if h.run() == highspy.HighsStatus.kError and (
        h.getModelStatus() == highspy.HighsModelStatus.kNotset
    ):
        h.setOptionValue("threads", 0)  # 0: whatever the running scheduler uses
        h.run()


class Planner:
    """The compiled model for one scenario shape, re-solved in place on every change.

    Not thread-safe: give each session (or thread) its own planner.
    """

    def __init__(self, scenario: Scenario, fixed: FixedPlan | None = None) -> None:
        self.key: ShapeKey = shape_key(scenario)
        data = model_data(scenario, fixed)
        self.problem, self.vars = build_problem(data)
        self.highs: highspy.Highs = new_highs()
        self.highs.setOptionValue("mip_rel_gap", 0.0)
        cols, rows = compile_to_highs(self.problem, self.highs, block_order(self.vars))
        self.layout = Layout.blocked(self.key)
        self.layout.check(cols, rows)
        lay = self.layout
        # what HiGHS holds now, block by block, to send only what a what-if changes
        self._data = data
        self._cols = {b.name: col_numbers(b, data) for b in COLUMNS}
        self._rows = {b.name: row_numbers(b, data) for b in ROWS if lay.row[b.name].size}
        self._coefs = {key: coef_values(_ROW[key[0]], key[1], data) for key in lay.coef_positions}
        self._col_index = {b.name: lay.col[b.name].ravel().astype(np.int32) for b in COLUMNS}
        self._row_index = {name: lay.row[name].ravel().astype(np.int32) for name in self._rows}
        self._int_cols = np.concatenate(
            [self._col_index[b.name] for b in COLUMNS if b.integer]
        ).astype(np.int32)

    def accepts(self, scenario: Scenario) -> bool:
        """True if ``scenario`` has this planner's shape (and so re-solves in place)."""
        return shape_key(scenario) == self.key

    def solve(self, scenario: Scenario, fixed: FixedPlan | None = None) -> PlanResult:
        """Solve ``scenario`` (of this planner's shape), warm from the previous solve.

        ``fixed``: the production and subcontracting the time fence holds for the first
        ``scenario.policy.frozen_periods`` periods (the last approved plan's)."""
        if not self.accepts(scenario):
            raise ValueError(
                f"scenario shape {shape_key(scenario)} differs from the compiled {self.key}; "
                "make a new Planner"
            )
        data = model_data(scenario, fixed)
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
        return empty_result(
            scenario, kind, f"HiGHS ended with {self.highs.modelStatusToString(status)}"
        )

    def compare_strategies(
        self, scenario: Scenario, fixed: FixedPlan | None = None
    ) -> dict[str, PlanResult]:
        """Optimal, level and chase plans of one scenario, on this compiled model."""
        return {s: self.solve(with_changes(scenario, strategy=s), fixed) for s in STRATEGIES}

    # -- pushing changes ----------------------------------------------------------------

    def _push(self, new: ModelData) -> None:
        """Send only what changed since the last solve to HiGHS (the basis is kept).

        Block by block (:data:`~sop_core.engine.lp.COLUMNS`,
        :data:`~sop_core.engine.lp.ROWS`), the new
        bounds, costs, right-hand sides and parametric coefficients are compared with what
        HiGHS holds and only the entries that differ are pushed."""
        h = self.highs
        for b in COLUMNS:
            lo, up, cost = col_numbers(b, new)
            old_lo, old_up, old_cost = self._cols[b.name]
            idx = self._col_index[b.name]
            if not (np.array_equal(lo, old_lo) and np.array_equal(up, old_up)):
                at = np.flatnonzero((lo != old_lo) | (up != old_up))
                h.changeColsBounds(at.size, idx[at], lo[at], up[at])
            if not np.array_equal(cost, old_cost):
                at = np.flatnonzero(cost != old_cost)
                h.changeColsCost(at.size, idx[at], cost[at])
            self._cols[b.name] = (lo, up, cost)
        for name, (old_lo, old_up) in self._rows.items():
            lo, up = row_numbers(_ROW[name], new)
            if not (np.array_equal(lo, old_lo) and np.array_equal(up, old_up)):
                at = np.flatnonzero((lo != old_lo) | (up != old_up))
                h.changeRowsBounds(at.size, self._row_index[name][at], lo[at], up[at])
            self._rows[name] = (lo, up)
        for key, (rows, cols) in self.layout.coef_positions.items():
            values, old = coef_values(_ROW[key[0]], key[1], new), self._coefs[key]
            if not np.array_equal(values, old):
                at = np.flatnonzero(values != old).tolist()
                for row, col, value in zip(
                    rows[at].tolist(), cols[at].tolist(), values[at].tolist(), strict=True
                ):
                    h.changeCoeff(row, col, value)
                self._coefs[key] = values
        if new.integer != self._data.integer:
            kind = (
                highspy.HighsVarType.kInteger if new.integer else highspy.HighsVarType.kContinuous
            )
            n = self._int_cols.size
            h.changeColsIntegrality(n, self._int_cols, np.array([kind] * n))
        self._data = new

    # -- reading a solution -------------------------------------------------------------

    def _result(self, scenario: Scenario, d: ModelData) -> PlanResult:
        sol = self.highs.getSolution()
        x = np.asarray(sol.col_value)
        # every variable is ≥ 0: drop the solver's tolerance-sized negatives (and −0.0)
        np.maximum(x, 0.0, out=x)
        x += 0.0
        duals = None if d.integer or not sol.dual_valid else sol.row_dual
        return assemble_result(scenario, d, x, duals, self.layout)

    def _infeasible(self, scenario: Scenario, d: ModelData) -> PlanResult:
        x = relaxed_plan(self.highs, self.layout, d)
        conflicts, relaxed = [], None
        if x is not None:
            np.maximum(x, 0.0, out=x)
            conflicts = describe_violations(scenario, d, split_blocks(x, self.layout))
            relaxed = replace(assemble_result(scenario, d, x, None, self.layout), status="relaxed")
        if not conflicts:
            msg = "No feasible plan, and no single limit explains it."
        else:
            msg = "No feasible plan: " + "; ".join(c.message for c in conflicts[:3])
            if len(conflicts) > 3:
                msg += f"; and {len(conflicts) - 3} more"
        return replace(
            empty_result(scenario, "infeasible", msg), conflicts=conflicts, relaxed_plan=relaxed
        )


_ROW = {b.name: b for b in ROWS}


def diagnose(highs: highspy.Highs, lay: Layout, d: ModelData, scenario: Scenario) -> list[Conflict]:
    """The conflicts of an infeasible model, from its elastic re-solve."""
    x = relaxed_plan(highs, lay, d)
    if x is None:
        return []
    return describe_violations(scenario, d, split_blocks(x, lay))


def fixed_from(approved: PlanResult, scenario: Scenario) -> FixedPlan | None:
    """The time fence of ``scenario`` from the approved plan: production and subcontracting
    of its first ``policy.frozen_periods`` periods, matched by period label and family name
    (a period or family the approved plan lacks stays free). None without a fence or an
    approved plan."""
    k = min(scenario.policy.frozen_periods, scenario.horizon)
    if not k or not approved.optimal:
        return None
    fam = approved.families
    made = fam.pivot(index="family", columns="period", values="production")
    bought = fam.pivot(index="family", columns="period", values="subcontract")
    labels = scenario.period_labels[:k]
    names = scenario.family_names

    def pick(table) -> np.ndarray:
        return table.reindex(index=names, columns=labels).to_numpy(dtype=float)

    return FixedPlan(production=pick(made), subcontract=pick(bought))


def solve(scenario: Scenario, fixed: FixedPlan | None = None) -> PlanResult:
    """Build, solve and return the plan of one scenario (a fresh compiled model)."""
    return Planner(scenario, fixed).solve(scenario, fixed)


__all__ = [
    "COST_CATEGORIES",
    "FAMILY_COLUMNS",
    "KPI_LABELS",
    "PERIOD_COLUMNS",
    "RESOURCE_COLUMNS",
    "Conflict",
    "FixedPlan",
    "PlanResult",
    "Planner",
    "fixed_from",
    "solve",
]
