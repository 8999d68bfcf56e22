"""The what-if model: changes applied to a scenario, URL parameters, saved form."""

from __future__ import annotations

import math

import pytest
from factories import DATA, red_tomato

from sop_core.model.whatif import WhatIf, whatif_from_dict, whatif_from_params


def test_levers_change_the_scenario_as_named() -> None:
    s = red_tomato()
    out = WhatIf(overtime=15, workers_max=70, safety_months=1, strategy="level").apply(s)
    assert out.workforce.max_overtime_hours_per_worker == 15
    assert out.workforce.max_workers == 70
    assert out.policy.strategy == "level"
    assert out.families[0].safety_stock_series(6)[0] == s.families[0].demand[1]


def test_url_parameters_ignore_bad_values() -> None:
    w = whatif_from_params(
        {"overtime": "15", "workers_min": "-3", "strategy": "nonsense", "safety_months": "inf"}
    )
    assert w == WhatIf(overtime=15.0)


def test_saved_form_is_json_safe_and_round_trips() -> None:
    w = WhatIf(overtime=12, workers_max=math.inf, safety_months=0.5, strategy="chase")
    saved = w.to_dict()
    assert saved["workers_max"] is None  # no ceiling: the scenario's own (none)
    back = whatif_from_dict(saved)
    assert back.apply(red_tomato()) == w.apply(red_tomato())
    assert whatif_from_dict(None) == WhatIf()


def test_a_frontier_point_held_as_a_whatif_is_that_plan():
    from sop_core.analysis.frontier import frontier
    from sop_core.model.scenario import load_scenario
    from sop_core.model.whatif import whatif_from_dict, whatif_from_params
    from sop_core.services.plans import solve_plan

    scenario = load_scenario(DATA / "sample_company.json")
    point = frontier(scenario, "average_inventory", 5).points[2]
    held = whatif_from_params({"aim": "average_inventory", "aim_level": repr(point.level)})
    assert held.held and held.aim_level == point.level
    assert held.describe(scenario) == f"average inventory at most {point.level:,.0f} units"
    plan = solve_plan(scenario, None, held)  # the one fenced solve holds the aim
    assert plan.total_cost == pytest.approx(point.cost, rel=1e-9)
    assert plan.kpis["average_inventory"] <= point.level + 1e-6
    assert solve_plan(scenario, None).total_cost < plan.total_cost  # it costs something
    # kept and read back, the point stays held; a bad aim or level is no aim
    assert whatif_from_dict(held.to_dict()) == held
    assert not whatif_from_params({"aim": "happiness", "aim_level": "1"}).held
    assert not whatif_from_params({"aim": "fill_rate", "aim_level": "1.5"}).held
    assert not whatif_from_dict({"aim": "fill_rate", "aim_level": None}).held
