"""Frontiers: each point is the optimum of the plan with its aim as a constraint (checked
against a fresh PuLP build with the constraint written here), and the curve is monotone."""

from __future__ import annotations

import itertools

import pulp
import pytest
from factories import red_tomato, scenarios, tiny
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from sop_core.analysis.frontier import (
    AIMS,
    frontier,
    marginal_sentence,
    periods_per_year,
    plan_at,
)
from sop_core.base.errors import InputError
from sop_core.engine.lp import build_problem, model_data
from sop_core.engine.planner import solve
from sop_core.model.scenario import Scenario


def fresh_cost(s: Scenario, aim: str, level: float) -> float:
    """The optimum of ``s`` with the aim as a constraint, built from scratch in PuLP."""
    d = model_data(s)
    prob, v = build_problem(d)
    if aim == "fill_rate":
        backlog = pulp.lpSum(v["S"][f][t] for f in range(d.F) for t in range(1, d.T + 1))
        prob += backlog <= (1 - level) * float(d.D.sum()) + 1e-9
    elif aim == "average_inventory":
        stock = pulp.lpSum(v["I"][f][t] for f in range(d.F) for t in range(1, d.T + 1))
        prob += stock <= level * d.T + 1e-9
    else:
        for t in range(1, d.T + 1):
            prob += v["H"][t] + v["L"][t] <= level + 1e-9
    status = prob.solve(pulp.HiGHS(msg=False))
    assert pulp.LpStatus[status] == "Optimal"
    return float(pulp.value(prob.objective))


def test_fill_rate_frontier_by_hand() -> None:
    # one worker, 10 h a period, 1 h a unit: period 2 is 2 units short. The plan
    # backlogs them one period ($2 each + $1 material); a 100% fill rate buys them in
    # ($5 each): each unit of backlog removed costs $2 more.
    s = tiny([10, 12, 8])
    f = frontier(s, "fill_rate", points=3)
    assert [p.level for p in f.points] == pytest.approx([28 / 30, 29 / 30, 1.0])
    assert [p.cost for p in f.points] == pytest.approx([34.0, 36.0, 38.0])
    assert f.points[-1].plan.kpis["fill_rate"] == pytest.approx(1.0)
    assert f.marginal_prices()[0] == "From 93.3% to 96.7% fill rate costs $2 over the plan"


@pytest.mark.parametrize("aim", list(AIMS))
def test_each_point_is_a_fresh_constrained_optimum(aim: str) -> None:
    s = red_tomato()
    f = frontier(s, aim, points=6)
    assert len(f.points) == 6
    assert f.points[0].cost == pytest.approx(f.base.total_cost, rel=1e-9)
    for p in f.points:
        assert p.optimal
        assert p.cost == pytest.approx(fresh_cost(s, aim, p.level), rel=1e-7, abs=1e-4)
        # the plan reaches the level it was held to
        reached = AIMS[aim].of(p.plan)
        if AIMS[aim].up_is_good:
            assert reached >= p.level - 1e-7
        else:
            assert reached <= p.level + 1e-6 * max(1.0, p.level)


@pytest.mark.parametrize("aim", list(AIMS))
def test_the_curve_is_monotone(aim: str) -> None:
    f = frontier(red_tomato(), aim, points=11)
    costs = [p.cost for p in f.points]
    assert all(b >= a - 1e-6 for a, b in itertools.pairwise(costs))
    lv = [p.level for p in f.points]
    steps = [b - a for a, b in itertools.pairwise(lv)]
    assert all(x > 0 for x in steps) if AIMS[aim].up_is_good else all(x < 0 for x in steps)
    # the aim is worth something: the last point costs more than the plan
    assert costs[-1] > costs[0] + 1


def test_a_point_reopens_from_its_settings() -> None:
    s = red_tomato()
    p = frontier(s, "average_inventory", points=5).points[2]
    again = plan_at(s, **p.settings)
    assert again.total_cost == pytest.approx(p.cost, rel=1e-9)


def test_fill_rate_stops_at_the_best_reachable_and_at_100_percent() -> None:
    f = frontier(red_tomato(), "fill_rate", points=4)
    assert f.points[-1].level == pytest.approx(1.0)
    # a plan already at 100%: one point, the plan itself
    g = frontier(tiny([5, 5]), "fill_rate", points=21)
    assert len(g.points) == 1 and g.marginal_prices() == []


def test_marginal_sentence_in_words() -> None:
    assert (
        marginal_sentence("fill_rate", 0.97, 0.98, 1033.33, 12 / 1)
        == "From 97.0% to 98.0% fill rate costs $12,400 a year"
    )
    assert marginal_sentence("average_inventory", 8000, 7000, -50, None) == (
        "From 8,000 to 7,000 units of average inventory saves $50 over the plan"
    )
    assert periods_per_year(["2027-01", "2027-02"]) == 12
    assert periods_per_year(["2027-W01"]) == 52
    assert periods_per_year(["Q1"]) is None


def test_an_unknown_aim_names_the_field() -> None:
    with pytest.raises(InputError, match="aim: must be one of fill_rate"):
        frontier(red_tomato(), "happiness")


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.filter_too_much])
@given(scenarios(), st.sampled_from(list(AIMS)))
def test_any_frontier_starts_at_the_plan_and_never_gets_cheaper(s: Scenario, aim: str) -> None:
    plan = solve(s)
    assume(plan.optimal)
    f = frontier(s, aim, points=5)
    assert f.points[0].cost == pytest.approx(plan.total_cost, rel=1e-6, abs=1e-6)
    costs = [p.cost for p in f.points]
    assert None not in costs
    assert all(b >= a - 1e-6 * max(1.0, abs(a)) for a, b in itertools.pairwise(costs))


def test_the_headline_frontier_is_fill_rate_unless_the_plan_already_serves_all():
    from types import SimpleNamespace

    from sop_core.analysis.frontier import headline_frontier

    asked: list[str] = []

    def make(points_of: dict[str, int]):
        def frontier_for(aim: str):
            asked.append(aim)
            return SimpleNamespace(aim=aim, points=[0] * points_of[aim])

        return frontier_for

    assert headline_frontier(make({"fill_rate": 5, "average_inventory": 9})).aim == "fill_rate"
    assert asked == ["fill_rate"]  # the second aim is not even computed
    at_best = headline_frontier(make({"fill_rate": 1, "average_inventory": 9}))
    assert at_best.aim == "average_inventory"
