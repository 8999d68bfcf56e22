"""The plan under uncertain demand: zero-width intervals reproduce the plan exactly, one
seed gives one set of numbers, the fixed plan's run is checkable by hand."""

from __future__ import annotations

import numpy as np
import pytest
from factories import red_tomato, scenarios, tiny
from hypothesis import assume, given, settings

from sop_core.analysis.risk import (
    Z80,
    draw_paths,
    extra_safety_stock,
    risk,
    run_fixed,
    sd_from_interval,
)
from sop_core.base.errors import InputError
from sop_core.engine.lp import model_data
from sop_core.engine.planner import solve


@pytest.mark.parametrize("make", [red_tomato, lambda: tiny([10, 12, 8])])
def test_zero_width_intervals_reproduce_the_plan_exactly(make) -> None:
    s = make()
    d = model_data(s)
    run = risk(s, np.zeros_like(d.D), draws=4, backend="sequential")
    plan = solve(s)
    v = plan.values.v
    assert np.array_equal(run.paths, np.broadcast_to(d.D, run.paths.shape))
    for k in range(4):
        np.testing.assert_allclose(run.fixed.inventory[k], v["I"], atol=1e-7)
        np.testing.assert_allclose(run.fixed.backlog[k], v["S"], atol=1e-7)
    assert run.fixed.cost == pytest.approx([plan.total_cost] * 4, rel=1e-9)
    assert run.fixed.fill_rate == pytest.approx([plan.kpis["fill_rate"]] * 4, abs=1e-9)
    assert run.fixed.peak_backlog == pytest.approx([plan.kpis["peak_backlog"]] * 4, abs=1e-6)
    assert run.replan_cost == pytest.approx([plan.total_cost] * 4, rel=1e-9)
    assert run.extra_safety_stock == pytest.approx(np.zeros(d.F), abs=1e-7)


def test_same_seed_same_numbers() -> None:
    s = red_tomato()
    sd = 0.15 * model_data(s).D
    a = risk(s, sd, draws=30, seed=11, backend="sequential")
    b = risk(s, sd, draws=30, seed=11, backend="sequential")
    c = risk(s, sd, draws=30, seed=12, backend="sequential")
    assert np.array_equal(a.paths, b.paths)
    assert np.array_equal(a.fixed.cost, b.fixed.cost)
    assert np.array_equal(a.replan_cost, b.replan_cost, equal_nan=True)
    assert a.summary() == b.summary()
    assert not np.array_equal(a.paths, c.paths)


def test_the_fixed_plan_by_hand() -> None:
    # one worker makes 5 a period against demand 5, 5; demand comes in at 7, 3: two
    # units wait one period ($2 each), fill rate 1 − 2/10; then 7 of 3: 0 left
    s = tiny([5, 5])
    plan, d = solve(s), model_data(s)
    assert plan.values.v["P"].tolist() == [[5.0, 5.0]]
    run = run_fixed(plan, d, np.array([[[7.0, 3.0]], [[4.0, 6.0]]]))
    assert run.backlog.tolist() == [[[2.0, 0.0]], [[0.0, 0.0]]]
    assert run.inventory.tolist() == [[[0.0, 0.0]], [[1.0, 0.0]]]
    assert run.fill_rate.tolist() == pytest.approx([0.8, 1.0])
    # $10 materials, plus $4 of backlog on the first path and $1 of holding on the second
    assert run.cost.tolist() == pytest.approx([14.0, 11.0])
    assert run.peak_backlog.tolist() == [2.0, 0.0]
    # 2 more units at the start keep the first path on plan; the second needs none
    assert extra_safety_stock(plan, d, run, 1.0).tolist() == [2.0]
    assert extra_safety_stock(plan, d, run, 0.0).tolist() == [0.0]


def test_extra_safety_stock_reaches_its_probability() -> None:
    s = red_tomato()
    d = model_data(s)
    run = risk(s, 0.2 * d.D, draws=200, seed=3, probability=0.9, replan=False)
    x = run.extra_safety_stock
    # the same supply with x more units at the start backlogs no more than the plan in
    # at least 90 % of the paths
    net = run.fixed.inventory - run.fixed.backlog + x[None, :, None]
    planned = run.plan.values.v["I"] - run.plan.values.v["S"]
    ok = np.all(net >= np.minimum(planned, 0)[None] - 1e-9, axis=(1, 2))
    assert ok.mean() >= 0.9
    assert np.all(x > 0)


def test_paths_have_the_stated_spread_and_correlation() -> None:
    D = np.full((1, 24), 100.0)
    paths = draw_paths(D, np.full_like(D, 10.0), 4000, rho=0.6, seed=1)
    e = (paths - 100.0) / 10.0
    assert e.std() == pytest.approx(1.0, abs=0.03)
    lag1 = np.corrcoef(e[:, 0, :-1].ravel(), e[:, 0, 1:].ravel())[0, 1]
    assert lag1 == pytest.approx(0.6, abs=0.03)
    assert np.all(draw_paths(D, np.full_like(D, 500.0), 50, 0.0, 1) >= 0)


def test_sd_from_the_80_percent_interval() -> None:
    assert sd_from_interval(np.array([80.0]), np.array([120.0])) == pytest.approx([20 / Z80])
    assert pytest.approx(15.606, abs=1e-3) == 20 / Z80


def test_service_target_probability() -> None:
    s = tiny([10, 12, 8])
    run = risk(s, np.full((1, 3), 2.0), draws=100, seed=5, service_target=0.9, replan=False)
    assert run.p_meets_target == pytest.approx(float(np.mean(run.fixed.fill_rate >= 0.9)))
    assert 0 < run.p_meets_target < 1


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"draws": 0}, "draws: must be at least 1, got 0"),
        ({"rho": 1.0}, "rho: must be between"),
        ({"service_target": 95}, "service_target: must be a share between 0 and 1, got 95"),
    ],
)
def test_bad_input_names_the_field(kwargs, message) -> None:
    with pytest.raises(InputError, match=message):
        risk(tiny([5, 5]), np.ones((1, 2)), **kwargs)


@settings(max_examples=40, deadline=None)
@given(scenarios())
def test_any_plan_without_spread_costs_what_it_costs(s) -> None:
    plan = solve(s)
    assume(plan.optimal and not s.policy.integer_workforce)
    # a plan that holds stock and backlog of one family at once (only when backlog is
    # free) is netted by the run: it ships what it has
    v = plan.values.v
    assume(float(np.minimum(v["I"], v["S"]).max(initial=0.0)) <= 1e-9)
    run = risk(s, np.zeros((len(s.families), s.horizon)), draws=2, backend="sequential")
    assert run.fixed.cost == pytest.approx([plan.total_cost] * 2, rel=1e-7, abs=1e-6)
    assert np.all(run.fixed.fill_rate >= plan.kpis["fill_rate"] - 1e-9)
    assert run.replan_cost == pytest.approx([plan.total_cost] * 2, rel=1e-7, abs=1e-6)
