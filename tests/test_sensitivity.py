"""The tornado: each bar is two fresh solves of the scenario with one input moved."""

from __future__ import annotations

import pytest
from factories import red_tomato, tiny, tiny_with_line

from sop_core.analysis.sensitivity import assumptions, tornado, vary
from sop_core.base.errors import InputError
from sop_core.engine.planner import fixed_from, solve
from sop_core.model.scenario import Scenario


def with_demand(s: Scenario, family: int, factor: float) -> Scenario:
    """``s`` with one family's demand scaled, built here, not by the module under test."""
    fams = list(s.families)
    fams[family] = fams[family].model_copy(
        update={"demand": [x * factor for x in fams[family].demand]}
    )
    return s.model_copy(update={"families": fams})


def bar_of(t, shown: str):
    (found,) = [b for b in t.bars if b.assumption.shown == shown]
    return found


def test_demand_bar_equals_two_fresh_solves() -> None:
    s = red_tomato()
    name = s.families[0].name
    t = tornado(s)
    bar = bar_of(t, f"Demand: {name}")
    low, high = solve(with_demand(s, 0, 0.9)), solve(with_demand(s, 0, 1.1))
    assert bar.low.total_cost == pytest.approx(low.total_cost, rel=1e-9)
    assert bar.high.total_cost == pytest.approx(high.total_cost, rel=1e-9)
    assert bar.low.fill_rate == pytest.approx(low.kpis["fill_rate"], abs=1e-9)
    assert bar.high.fill_rate == pytest.approx(high.kpis["fill_rate"], abs=1e-9)
    assert bar.cost_swing > 0  # more demand costs more


def test_demand_bar_by_hand() -> None:
    # one worker, 10 units a period, free labour, $1 material: demand 5 a period is made
    # in period; ±10 % of 10 units is 9 or 11 units of material
    t = tornado(tiny([5, 5]))
    bar = bar_of(t, "Demand: F0")
    assert (bar.low.total_cost, bar.high.total_cost) == pytest.approx((9.0, 11.0))
    assert bar.cost_swing == pytest.approx(2.0)


def test_every_input_has_a_bar_ranked_by_cost_swing() -> None:
    s = tiny_with_line([[6, 6], [3, 9]], hours=8, overtime=2)
    t = tornado(s, change=0.2)
    shown = {b.assumption.shown for b in t.bars}
    assert len(t.bars) == len(assumptions(s)) == 2 + 4 + 4 + 2 + 1
    assert {"Demand: F0", "Demand: F1", "Hours available: Line 1"} <= shown
    swings = [abs(b.cost_swing) for b in t.bars]
    assert swings == sorted(swings, reverse=True)
    # each moved input equals a fresh solve of the moved scenario
    for b in t.bars:
        for side, factor in ((b.low, 0.8), (b.high, 1.2)):
            fresh = solve(vary(s, b.assumption, factor))
            if fresh.optimal:
                assert side.total_cost == pytest.approx(fresh.total_cost, rel=1e-9, abs=1e-9)
            else:
                assert side.total_cost is None


def test_holding_cost_moves_every_family() -> None:
    s = red_tomato()
    a = next(x for x in assumptions(s) if x.name == "holding_cost")
    moved = vary(s, a, 1.1)
    assert [f.holding_cost for f in moved.families] == pytest.approx(
        [f.holding_cost * 1.1 for f in s.families]
    )
    assert s.families[0].holding_cost != moved.families[0].holding_cost  # a copy


def test_ranked_by_fill_rate() -> None:
    t = tornado(red_tomato(), rank_by="fill_rate")
    swings = [abs(b.fill_rate_swing) for b in t.bars]
    assert swings == sorted(swings, reverse=True)


def test_bad_change_names_the_field() -> None:
    with pytest.raises(InputError, match=r"change: must be a share between 0 and 1"):
        tornado(red_tomato(), change=10)


def test_the_time_fence_holds_in_every_bar() -> None:
    s = red_tomato(frozen_periods=2)
    approved = solve(with_demand(s, 0, 1.2))
    fixed = fixed_from(approved, s)
    t = tornado(s, fixed=fixed)
    assert t.base.total_cost == pytest.approx(solve(s, fixed).total_cost, rel=1e-9)
    assert t.base.total_cost != pytest.approx(solve(s).total_cost, rel=1e-6)
    bar = bar_of(t, f"Demand: {s.families[0].name}")
    assert bar.high.total_cost == pytest.approx(
        solve(with_demand(s, 0, 1.1), fixed).total_cost, rel=1e-9
    )
