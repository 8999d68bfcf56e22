"""Invariants of every plan, over random valid scenarios (hypothesis)."""

from __future__ import annotations

import numpy as np
import pytest
from factories import scenarios, slider_change
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from sop_core.engine.lp import shortfall_cost
from sop_core.engine.planner import Planner, PlanResult, solve
from sop_core.model.scenario import Scenario, with_changes

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _tol(*arrays: np.ndarray) -> float:
    scale = max([1.0] + [float(np.max(np.abs(a))) for a in arrays if np.size(a)])
    return 1e-6 * scale


def check_plan(s: Scenario, r: PlanResult) -> None:
    """Every equation and bound of the model holds in the reported plan."""
    T = s.horizon
    wf, p = s.workforce, r.periods
    W, H, L, O = (p[c].to_numpy() for c in ("workforce", "hires", "layoffs", "overtime_hours"))
    tol = _tol(W, H, L, O)
    prev = np.concatenate([[wf.initial], W[:-1]])
    assert np.allclose(W, prev + H - L, atol=tol), "workforce balance"
    for name, x in (("W", W), ("H", H), ("L", L), ("O", O)):
        assert np.all(x >= -tol), f"{name} ≥ 0"
    if wf.min_workers is not None:
        assert np.all(wf.min_workers - tol <= W)
    if wf.max_workers is not None:
        assert np.all(wf.max_workers + tol >= W)
    if wf.max_hires is not None:
        assert np.all(wf.max_hires + tol >= H)
    if wf.max_layoffs is not None:
        assert np.all(wf.max_layoffs + tol >= L)
    if s.policy.strategy == "level":
        assert np.allclose(H[1:], 0, atol=tol) and np.allclose(L[1:], 0, atol=tol)
    if wf.max_overtime_hours_per_worker is not None:
        assert np.all(wf.max_overtime_hours_per_worker * W + tol >= O), "overtime limit"
    fam = r.families
    used = np.zeros(T)
    for family in s.families:
        rows = fam[fam["family"] == family.name]
        P, C, I, S, D, B = (
            rows[c].to_numpy()
            for c in (
                "production",
                "subcontract",
                "inventory",
                "backorder",
                "demand",
                "below_safety_stock",
            )
        )
        t2 = _tol(P, C, I, S, D)
        assert np.allclose(D, family.demand)
        net_prev = np.concatenate(
            [[family.initial_inventory - family.initial_backorder], (I - S)[:-1]]
        )
        assert np.allclose(I - S, net_prev + P + C - D, atol=t2), "inventory balance"
        for x in (P, C, I, S, B):
            assert np.all(x >= -t2)
        safety = np.array(family.safety_stock_series(T))
        assert np.all(safety - t2 <= I + B), "safety stock target (soft)"
        assert I[-1] >= family.ending_inventory_min - t2, "ending inventory"
        target = safety.copy()
        target[-1] = max(target[-1], family.ending_inventory_min)
        if family.max_subcontract is not None:
            assert np.all(family.max_subcontract + t2 >= C)
        if not family.backorders_allowed or s.policy.strategy == "chase":
            assert np.allclose(S, 0, atol=t2)
        if not s.policy.ending_backorders_allowed:
            assert S[-1] == pytest.approx(0, abs=t2)
        if s.policy.strategy == "chase":
            assert np.allclose(I, target, atol=t2)
        used += family.labor_hours_per_unit * P
    assert np.allclose(p["hours_used"], used, atol=tol)
    for k, res in enumerate(s.resources):
        load = sum(
            f.resource_hours.get(res.name, 0.0)
            * fam[fam["family"] == f.name]["production"].to_numpy()
            for f in s.families
        )
        rows = r.resources[r.resources["resource"] == res.name]
        extra = rows["overtime_hours"].to_numpy()
        available = np.array(res.hours_series(T, s.working_day_factors()))
        assert np.all(extra <= np.array(res.overtime_series(T)) + tol), "resource overtime"
        assert np.all(load <= available + extra + _tol(load, available)), "resource capacity"
        assert np.allclose(rows["load"], load, atol=_tol(load)), k
    regular = wf.regular_hours_per_worker * np.array(s.working_day_factors())
    assert np.all(used <= regular * W + O + _tol(used)), "labour capacity"


def recomputed_cost(s: Scenario, r: PlanResult) -> float:
    """The objective, recomputed from the plan tables and the scenario's costs."""
    wf, p = s.workforce, r.periods
    total = (
        wf.regular_cost_per_worker * p["workforce"].sum()
        + wf.overtime_cost_per_hour * p["overtime_hours"].sum()
        + wf.hire_cost * p["hires"].sum()
        + wf.layoff_cost * p["layoffs"].sum()
    )
    for res in s.resources:
        rows = r.resources[r.resources["resource"] == res.name]
        total += res.overtime_cost_per_hour * rows["overtime_hours"].sum()
    for family in s.families:
        rows = r.families[r.families["family"] == family.name]
        total += (
            family.material_cost * rows["production"].sum()
            + family.holding_cost * rows["inventory"].sum()
            + family.backorder_cost * rows["backorder"].sum()
            + family.subcontract_cost * rows["subcontract"].sum()
            + shortfall_cost(
                family.holding_cost, family.backorder_cost, family.safety_stock_shortfall_cost
            )
            * rows["below_safety_stock"].sum()
        )
    return float(total)


@SETTINGS
@given(scenarios())
def test_every_equation_and_bound_holds_and_cost_adds_up(s: Scenario) -> None:
    r = solve(s)
    assume(r.optimal)
    check_plan(s, r)
    assert r.total_cost == pytest.approx(recomputed_cost(s, r), rel=1e-9, abs=1e-6)
    assert sum(r.cost_breakdown.values()) == pytest.approx(r.total_cost)
    assert 0 <= r.kpis["fill_rate"] <= 1 + 1e-9


@SETTINGS
@given(scenarios())
def test_integer_workforce_plans_hold_too(s: Scenario) -> None:
    s = with_changes(s, integer_workforce=True)
    r = solve(s)
    assume(r.optimal)
    check_plan(s, r)
    W = r.periods["workforce"].to_numpy()
    assert np.allclose(W, np.round(W), atol=1e-6)


@SETTINGS
@given(scenarios(), st.integers(0, 5), st.integers(0, 30).map(float))
def test_warm_resolve_equals_a_cold_solve(s: Scenario, which: int, amount: float) -> None:
    changed = slider_change(s, which, amount)
    planner = Planner(s)
    assume(planner.accepts(changed))
    planner.solve(s)
    warm = planner.solve(changed)
    cold = solve(changed)
    assert warm.status == cold.status
    if cold.optimal:
        assert warm.total_cost == pytest.approx(cold.total_cost, rel=1e-7, abs=1e-6)
        check_plan(changed, warm)


@SETTINGS
@given(scenarios())
def test_optimal_is_never_worse_than_level_or_chase(s: Scenario) -> None:
    plans = Planner(s).compare_strategies(s)
    best = plans["optimal"]
    for name in ("level", "chase"):
        if plans[name].optimal:
            assert best.optimal
            assert best.total_cost <= plans[name].total_cost + 1e-6 * max(1, best.total_cost)


@SETTINGS
@given(scenarios(), st.integers(1, 5))
def test_fencing_a_plans_own_first_periods_keeps_its_cost_warm_or_cold(s: Scenario, k: int) -> None:
    """Fixing production and subcontracting of the first k periods at the optimal plan's
    own values keeps that plan optimal; warm on the compiled model or cold, the same."""
    from sop_core.engine.planner import fixed_from

    planner = Planner(s)
    free = planner.solve(s)
    assume(free.optimal)
    fenced = s.model_copy(
        update={"policy": s.policy.model_copy(update={"frozen_periods": min(k, s.horizon)})}
    )
    fixed = fixed_from(free, fenced)
    warm = planner.solve(fenced, fixed)
    cold = solve(fenced, fixed)
    assert warm.optimal and cold.optimal
    scale = max(1.0, abs(free.total_cost))
    assert warm.total_cost == pytest.approx(free.total_cost, rel=1e-6, abs=1e-6 * scale)
    assert cold.total_cost == pytest.approx(free.total_cost, rel=1e-6, abs=1e-6 * scale)
    check_plan(fenced, warm)
