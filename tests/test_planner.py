"""The planning engine on published optima and on tiny cases checkable by hand."""

from __future__ import annotations

import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from factories import red_tomato, red_tomato_dict, tiny

from sop_core.engine.planner import FAMILY_COLUMNS, PERIOD_COLUMNS, Planner, solve
from sop_core.model.scenario import parse_scenario, with_changes


def col(result, name, family=None):
    frame = result.families if family is not None or name in FAMILY_COLUMNS[2:] else result.periods
    if family is not None:
        frame = frame[frame["family"] == family]
    return frame[name].to_numpy()


# --- the textbook: Chopra & Meindl, Red Tomato Tools ------------------------------------


def test_red_tomato_lp_optimum_to_the_cent():
    result = solve(red_tomato())
    assert result.status == "optimal"
    assert result.total_cost == pytest.approx(422_275, abs=0.005)


def test_red_tomato_integer_workforce_optimum_to_the_cent():
    result = solve(red_tomato(integer_workforce=True))
    assert result.total_cost == pytest.approx(422_660, abs=0.005)
    assert np.allclose(col(result, "workforce"), np.round(col(result, "workforce")))


def test_red_tomato_plan_matches_the_book():
    result = solve(red_tomato())
    # lay off about 15.4 workers in January, then a level 2,583.3 units a month
    assert col(result, "layoffs")[0] == pytest.approx(15.4167, abs=1e-3)
    assert col(result, "production") == pytest.approx([2583.33] * 6, abs=0.01)
    assert col(result, "backorder")[3] == pytest.approx(266.67, abs=0.01)  # April
    assert col(result, "inventory")[-1] == pytest.approx(500)  # ending minimum
    k = result.kpis
    assert k["revenue"] == pytest.approx(640_000)
    assert k["margin"] == pytest.approx(640_000 - 422_275, abs=0.01)
    assert k["fill_rate"] == pytest.approx(1 - 266.6667 / 16_000, abs=1e-6)
    assert k["peak_backlog"] == pytest.approx(266.67, abs=0.01)
    assert sum(result.cost_breakdown.values()) == pytest.approx(result.total_cost)


def test_result_frames_have_the_documented_columns():
    result = solve(red_tomato())
    assert tuple(result.periods.columns) == PERIOD_COLUMNS
    assert tuple(result.families.columns) == FAMILY_COLUMNS
    assert list(result.periods["period"]) == ["Jan", "Feb", "Mar", "Apr", "May", "Jun"]


# --- hand-checkable features -------------------------------------------------------------
# tiny(): one worker with 10 regular hours, no overtime, 1 hour per unit, material $1,
# holding $1, backorder $2, subcontract $5; hiring/layoffs $1000 (so the worker stays).


def test_capacity_is_used_before_subcontracting():
    result = solve(tiny([15]))
    assert col(result, "production") == pytest.approx([10])
    assert col(result, "subcontract") == pytest.approx([5])
    assert result.total_cost == pytest.approx(10 * 1 + 5 * 5)


def test_subcontract_cap_makes_it_infeasible_and_the_diagnosis_says_by_how_much():
    result = solve(tiny([15], workforce={"max_workers": 1}, max_subcontract=3))
    assert result.status == "infeasible"
    assert result.total_cost is None
    # 10 made + 3 bought leaves 2 units = 2 labour hours short in period 1
    assert result.diagnosis == [
        "1: 2 labour hours short with at most 1 worker (the workforce ceiling) and no "
        "overtime, subcontracting at its cap for F0"
    ]
    assert result.conflicts[0].amount == pytest.approx(2)


def test_backlog_is_cheaper_than_subcontracting_when_allowed():
    # period 1 needs 15, period 2 only 5: carry 5 units of backlog ($2) rather than buy ($5)
    result = solve(tiny([15, 5]))
    assert col(result, "backorder") == pytest.approx([5, 0])
    assert col(result, "subcontract") == pytest.approx([0, 0])
    assert result.kpis["fill_rate"] == pytest.approx(1 - 5 / 20)


def test_backorders_off_forces_subcontracting():
    result = solve(tiny([15, 5], backorders_allowed=False))
    assert col(result, "backorder") == pytest.approx([0, 0])
    assert col(result, "subcontract") == pytest.approx([5, 0])
    assert result.kpis["fill_rate"] == pytest.approx(1.0)


def test_ending_backorders_are_refused_unless_allowed():
    strict = solve(tiny([5, 15]))
    assert col(strict, "backorder")[-1] == pytest.approx(0)
    loose = solve(tiny([5, 15], policy={"ending_backorders_allowed": True}))
    assert col(loose, "backorder")[-1] == pytest.approx(5)  # $2 beats $5 of subcontracting


def test_safety_stock_is_a_target_paid_for_when_missed():
    # the default penalty is $1.50 a unit short per period (halfway between $1 holding
    # and $2 backorder): in period 1 holding 3 units ($1 each) beats it; in the last
    # period 3 extra units would cost $1 material + $1 holding each, so it is missed
    result = solve(tiny([4, 4], safety_stock=3))
    assert col(result, "inventory") == pytest.approx([3, 0])
    assert col(result, "below_safety_stock") == pytest.approx([0, 3])
    assert result.total_cost == pytest.approx(8 + 3 + 3 * 1.5)
    assert result.cost_breakdown["safety_stock_shortfall"] == pytest.approx(4.5)
    assert list(result.periods["safety_stock_met"]) == [1.0, 0.0]
    assert result.kpis["safety_stock_met"] == pytest.approx(0.5)


def test_safety_stock_met_counts_only_the_family_periods_with_a_target():
    # F0 has a target of 3: met in period 1, missed in period 2 (as above); F1 has none,
    # so it is not counted: 1 of the 2 family-periods with a target is met
    result = solve(tiny([[4, 4], [1, 1]], safety_stock=(3, 0)))
    assert col(result, "below_safety_stock", "F0") == pytest.approx([0, 3])
    assert list(result.periods["safety_stock_met"]) == [1.0, 0.0]  # F0 alone each period
    assert result.kpis["safety_stock_met"] == pytest.approx(0.5)  # not 3 of 4
    # no target in the plan: nothing to meet (None, not 100 %), NaN in every period
    none = solve(tiny([4, 4]))
    assert none.kpis["safety_stock_met"] is None
    assert none.periods["safety_stock_met"].isna().all()
    assert none.to_dict()["kpis"]["safety_stock_met"] is None
    # a target in period 2 only: period 1 has nothing to count
    later = solve(tiny([4, 4], safety_stock=[0, 3]))
    assert math.isnan(later.periods["safety_stock_met"][0])
    assert later.periods["safety_stock_met"][1] == 0.0
    assert later.kpis["safety_stock_met"] == 0.0


def test_a_dear_shortfall_holds_safety_stock_every_period():
    result = solve(tiny([4, 4], safety_stock=3, safety_stock_shortfall_cost=10))
    assert col(result, "inventory") == pytest.approx([3, 3])
    assert col(result, "production") == pytest.approx([7, 4])
    assert result.kpis["safety_stock_met"] == pytest.approx(1.0)


def test_no_customer_is_backlogged_to_fill_the_warehouse():
    # 10 hours a period make 10 units, demand is 10: stock of 5 could only be had by
    # holding 5 units while 5 customers wait ($1 + $2 a period); short of stock costs $1.50
    result = solve(tiny([10, 10], safety_stock=5, subcontract_cost=50))
    assert col(result, "backorder") == pytest.approx([0, 0])
    assert col(result, "below_safety_stock") == pytest.approx([5, 5])
    assert result.kpis["fill_rate"] == pytest.approx(1.0)


def test_safety_stock_per_period_list():
    result = solve(tiny([4, 4, 4], safety_stock=[0, 5, 1], safety_stock_shortfall_cost=10))
    assert col(result, "inventory") == pytest.approx([0, 5, 1])


def test_ending_inventory_minimum():
    result = solve(tiny([4, 4], ending_inventory_min=6))
    assert col(result, "inventory") == pytest.approx([0, 6])


def test_min_workers_keeps_idle_workers():
    wf = {"initial": 3, "hire_cost": 0, "layoff_cost": 0, "regular_cost_per_worker": 2}
    free = solve(tiny([10], workforce=wf))
    assert col(free, "workforce") == pytest.approx([1])
    floor = solve(tiny([10], workforce={**wf, "min_workers": 2}))
    assert col(floor, "workforce") == pytest.approx([2])
    assert floor.total_cost - free.total_cost == pytest.approx(2)


def test_max_workers_and_overtime():
    wf = {"hire_cost": 0, "overtime_cost_per_hour": 1, "max_overtime_hours_per_worker": 4}
    wf |= {"max_workers": 2}
    result = solve(tiny([28], workforce=wf))
    # 2 workers × 10 h + 8 h overtime (4 each) = 28 units
    assert col(result, "workforce") == pytest.approx([2])
    assert col(result, "overtime_hours") == pytest.approx([8])
    assert col(result, "subcontract") == pytest.approx([0])


def test_hire_cap_spreads_hiring_over_periods():
    wf = {"hire_cost": 1, "max_hires": 1, "regular_cost_per_worker": 1}
    result = solve(tiny([10, 20, 30, 30], workforce=wf, subcontract_cost=1000))
    assert np.all(col(result, "hires") <= 1 + 1e-9)
    assert col(result, "workforce")[-1] == pytest.approx(3)


def test_layoff_cap():
    wf = {"initial": 5, "layoff_cost": 0, "max_layoffs": 2, "regular_cost_per_worker": 4}
    result = solve(tiny([10, 10, 10], workforce=wf))
    assert col(result, "layoffs") == pytest.approx([2, 2, 0])
    assert col(result, "workforce") == pytest.approx([3, 1, 1])


def test_level_strategy_holds_the_workforce_after_period_one():
    wf = {"hire_cost": 1, "layoff_cost": 1, "regular_cost_per_worker": 1}
    s = tiny([10, 30, 10], workforce=wf, subcontract_cost=1000, holding_cost=0.1)
    optimal = solve(s)
    level = solve(with_changes(s, strategy="level"))
    assert col(level, "hires")[1:] == pytest.approx([0, 0])
    assert col(level, "layoffs")[1:] == pytest.approx([0, 0])
    assert optimal.total_cost <= level.total_cost + 1e-6


def test_chase_strategy_keeps_stock_at_target_and_no_backlog():
    wf = {"hire_cost": 1, "layoff_cost": 1}
    s = tiny([10, 30, 10], workforce=wf, safety_stock=2, ending_inventory_min=4)
    chase = solve(with_changes(s, strategy="chase"))
    assert col(chase, "inventory") == pytest.approx([2, 2, 4])
    assert col(chase, "backorder") == pytest.approx([0, 0, 0])
    assert col(chase, "production") + col(chase, "subcontract") == pytest.approx([12, 30, 12])


def test_two_families_share_one_workforce():
    # 10 hours: A takes 1 h/unit, B 2 h/unit; demand A 4, B 4 needs 12 h: 2 h short.
    # Subcontracting A costs $5, B $100: buy 2 units of A.
    s = tiny([[4], [4]], labor_hours_per_unit=(1, 2), subcontract_cost=(5, 100))
    result = solve(s)
    assert col(result, "production", "F0") == pytest.approx([2])
    assert col(result, "subcontract", "F0") == pytest.approx([2])
    assert col(result, "production", "F1") == pytest.approx([4])
    assert col(result, "hours_used") == pytest.approx([10])


def test_three_families_hours_never_exceed_capacity():
    s = tiny(
        [[3, 5], [2, 2], [4, 1]],
        labor_hours_per_unit=(1, 2, 0.5),
        subcontract_cost=(5, 6, 7),
        workforce={"max_overtime_hours_per_worker": 2, "overtime_cost_per_hour": 3},
    )
    result = solve(s)
    used = col(result, "hours_used")
    cap = col(result, "regular_hours_available") + col(result, "overtime_hours")
    assert np.all(used <= cap + 1e-9)
    assert np.all(col(result, "overtime_hours") <= 2 + 1e-9)
    fam = result.families
    supplied = fam.groupby("family")[["production", "subcontract"]].sum().sum(axis=1)
    demand = fam.groupby("family")["demand"].sum()
    assert (supplied - demand).abs().max() == pytest.approx(0, abs=1e-6)


def test_initial_inventory_and_backorder_enter_the_first_balance():
    result = solve(tiny([5, 5], initial_inventory=3, initial_backorder=1))
    # period 1: I - S = 3 - 1 + P + C - 5
    fam = result.families
    net = fam["inventory"] - fam["backorder"]
    assert net.iloc[0] == pytest.approx(3 - 1 + fam["production"].iloc[0] - 5)


# --- shadow prices -------------------------------------------------------------------------


def test_shadow_prices_in_money():
    # the 11th unit is bought at $5 instead of made for $1 with one hour: an hour saves $4
    result = solve(tiny([15]))
    assert col(result, "labour_hour_value") == pytest.approx([4])
    assert col(result, "demand_marginal_cost") == pytest.approx([5])  # bought in


def test_slack_capacity_has_no_labour_value():
    result = solve(tiny([4]))
    assert col(result, "labour_hour_value") == pytest.approx([0])
    assert col(result, "demand_marginal_cost") == pytest.approx([1])  # material only


def test_integer_plans_report_no_shadow_prices():
    result = solve(red_tomato(integer_workforce=True))
    assert np.isnan(col(result, "labour_hour_value")).all()
    assert result.to_dict()["periods"][0]["labour_hour_value"] is None


# --- infeasible plans: a diagnosis, never a traceback -----------------------------------------


def test_red_tomato_with_a_workforce_cap_names_the_month_and_the_hours():
    d = red_tomato_dict()
    d["workforce"]["max_workers"] = 60
    d["families"][0] |= {"max_subcontract": 0, "backorders_allowed": False}
    result = solve(parse_scenario(d))
    assert result.status == "infeasible"
    # by April 11,600 units are due; 1,000 in stock plus 4 × 2,550 made leaves 400 = 1,600 h
    assert result.diagnosis == [
        "Apr: 1,600 labour hours short with at most 60 workers (the workforce ceiling) and "
        "10 overtime hours each, subcontracting at its cap for Garden tools"
    ]
    assert "Apr: 1,600 labour hours short" in result.message


def test_layoff_cap_against_workforce_ceiling():
    d = red_tomato_dict()
    d["workforce"] |= {"max_workers": 70, "max_layoffs": 5}
    result = solve(parse_scenario(d))
    assert result.status == "infeasible"
    assert result.diagnosis == [
        "Jan: needs 75 workers but the workforce ceiling is 70 "
        "(starting from 80 workers, at most 5 layoffs a period)"
    ]


def test_level_strategy_with_unreachable_floor():
    # level sets the workforce in period 1; capped at 2 workers it cannot meet the peak
    s = tiny(
        [10, 40],
        workforce={"hire_cost": 0, "max_workers": 2},
        backorders_allowed=False,
        max_subcontract=0,
        policy={"strategy": "level"},
    )
    result = solve(s)
    assert result.status == "infeasible"
    assert any("labour hours short with at most 2 workers" in m for m in result.diagnosis)


def test_no_internal_field_names_in_any_diagnosis():
    d = red_tomato_dict()
    d["workforce"] |= {"max_workers": 70, "max_layoffs": 5, "min_workers": 60}
    text = " ".join(solve(parse_scenario(d)).diagnosis)
    assert text and not any(
        name in text for name in ("max_workers", "min_workers", "max_hires", "max_layoffs")
    )


def test_a_floor_above_the_ceiling_is_named_as_such():
    # the Plan page's sliders can cross: the what-if is not re-validated
    s = with_changes(red_tomato(), min_workers=80, max_workers=60)
    result = solve(s)
    assert result.status == "infeasible"
    assert result.diagnosis == [
        "The workforce floor (80) is above the workforce ceiling (60): lower the floor "
        "or raise the ceiling"
    ]


def test_when_hiring_caps_bind_the_diagnosis_says_so_not_raise_the_ceiling():
    # chase from 1 worker with at most 1 hire a period: 2 workers in period 1, 3 in
    # period 2; the 40 units of period 2 need 4 workers of 10 hours
    s = tiny(
        [10, 40],
        workforce={"hire_cost": 0, "max_hires": 1},
        max_subcontract=0,
        policy={"strategy": "chase"},
    )
    result = solve(s)
    assert result.status == "infeasible"
    assert result.diagnosis == [
        "2: 10 labour hours short with 3 workers (hiring is capped at 1 a period: from 1 "
        "worker that is all the workforce can reach by then) and no overtime, "
        "subcontracting at its cap for F0"
    ]
    assert "ceiling" not in result.message


def test_an_infeasible_result_carries_the_best_plan_with_relaxed_limits():
    d = red_tomato_dict()
    d["workforce"]["max_workers"] = 60
    d["families"][0] |= {"max_subcontract": 0, "backorders_allowed": False}
    result = solve(parse_scenario(d))
    assert result.status == "infeasible" and result.kpis == {}
    relaxed = result.relaxed_plan
    assert relaxed is not None and relaxed.status == "relaxed" and not relaxed.optimal
    # the relaxed plan is the real plan but for the 1,600 hours the diagnosis names
    hours = relaxed.periods["hours_used"] - relaxed.periods["regular_hours_available"]
    extra = (hours - relaxed.periods["overtime_hours"]).clip(lower=0)
    assert extra.sum() == pytest.approx(1600, abs=1e-3)
    assert relaxed.kpis["fill_rate"] == pytest.approx(1.0)


def test_chase_with_too_much_initial_stock():
    s = tiny([2, 2], initial_inventory=10, policy={"strategy": "chase"})
    result = solve(s)
    assert result.status == "infeasible"
    assert result.diagnosis[0] == (
        "1: F0 holds 8 units, above its chase target of 0 (more stock than the demand takes)"
    )


def test_ending_stock_beyond_capacity_is_infeasible_but_safety_stock_only_falls_short():
    s = tiny([5], workforce={"max_workers": 1}, safety_stock=50, max_subcontract=0)
    short = solve(s)
    # in the last period a unit of stock costs $1 material + $1 holding, more than the $1.50
    assert short.optimal and col(short, "below_safety_stock") == pytest.approx([50])
    s = tiny([5], workforce={"max_workers": 1}, ending_inventory_min=50, max_subcontract=0)
    result = solve(s)
    assert result.status == "infeasible"
    assert result.conflicts[0].limit == "labour_hours"
    assert result.conflicts[0].amount == pytest.approx(45)


def test_infeasible_then_feasible_on_the_same_compiled_model():
    base = tiny([15], workforce={"max_workers": 1}, max_subcontract=10)
    planner = Planner(base)
    assert planner.solve(base).optimal
    tight = parse_scenario(
        {**base.model_dump(), "families": [{**base.families[0].model_dump(), "max_subcontract": 1}]}
    )
    assert planner.solve(tight).status == "infeasible"
    again = planner.solve(base)
    assert again.optimal and math.isclose(again.total_cost, solve(base).total_cost)


def test_planner_refuses_another_shape():
    planner = Planner(tiny([1, 2]))
    with pytest.raises(ValueError, match="differs from the compiled"):
        planner.solve(tiny([1, 2, 3]))


def test_strategy_comparison_on_one_model():
    s = red_tomato()
    plans = Planner(s).compare_strategies(s)
    assert set(plans) == {"optimal", "level", "chase"}
    assert plans["optimal"].total_cost == pytest.approx(422_275, abs=0.005)
    assert plans["chase"].total_cost >= plans["optimal"].total_cost
    assert plans["level"].total_cost >= plans["optimal"].total_cost - 1e-6


def test_supply_by_source_splits_production_by_overtime_share():
    wf = {"hire_cost": 0, "overtime_cost_per_hour": 1, "max_overtime_hours_per_worker": 4}
    wf |= {"max_workers": 2}
    s = tiny([[14], [14]], workforce=wf, labor_hours_per_unit=(1, 1), subcontract_cost=(5, 6))
    result = solve(s)
    # 28 hours used: 20 regular + 8 overtime; 28 units made, none bought
    both = result.supply_by_source()
    assert both[["regular", "overtime", "subcontract"]].iloc[0].tolist() == pytest.approx(
        [20, 8, 0]
    )
    one = result.supply_by_source("F0")
    assert one[["regular", "overtime", "demand"]].iloc[0].tolist() == pytest.approx([10, 4, 14])
    with pytest.raises(ValueError, match="'Nope' is not in this plan"):
        result.supply_by_source("Nope")
    assert (
        solve(tiny([15], workforce={"max_workers": 1}, max_subcontract=0)).supply_by_source().empty
    )


def test_plans_even_when_another_highs_started_the_scheduler_with_more_threads():
    """HiGHS's thread scheduler is process-wide: a Highs made elsewhere with its default
    thread count must not make our single-threaded solves fail. In a fresh process, as
    the scheduler lives as long as the process does."""
    script = """
import highspy
other = highspy.Highs()
other.setOptionValue("output_flag", False)
other.addVar(0.0, 1.0)
other.run()  # starts the scheduler with HiGHS's default thread count
from factories import red_tomato
from sop_core.engine.planner import solve
result = solve(red_tomato())
print(result.status, round(result.total_cost, 2))
"""
    root = Path(__file__).resolve().parent.parent
    out = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        cwd=root,
        env={"PYTHONPATH": f"{root}:{root / 'tests'}"},
        check=True,
    )
    assert out.stdout.split()[-2:] == ["optimal", "422275.0"]


def test_months_of_cover_never_lowers_the_sample_companys_fill_rate():
    """Every position of the Plan page's months-of-cover lever (0 to 3 in quarters)."""
    from sop_core.model.scenario import load_scenario

    s = load_scenario(Path(__file__).resolve().parent.parent / "data" / "sample_company.json")
    planner = Planner(s)
    base = planner.solve(s).kpis["fill_rate"]
    for months in np.arange(0.25, 3.01, 0.25):
        result = planner.solve(with_changes(s, safety_stock_months=float(months)))
        assert result.optimal
        assert result.kpis["fill_rate"] >= base - 1e-9, months


# --- rough-cut resources ------------------------------------------------------------------
# tiny() with 100 regular hours per worker, so labour never binds: the resource does.

ROOMY = {"regular_hours_per_worker": 100}


def line(hours, **more):
    return [{"name": "Line 1", "hours_available": hours, **more}]


def with_resources(scenario, resources, *hours):
    """``scenario`` with ``resources`` and per-family ``resource_hours`` dicts."""
    fams = [
        f.model_copy(update={"resource_hours": h})
        for f, h in zip(scenario.families, hours, strict=True)
    ]
    return parse_scenario(
        {
            **scenario.model_dump(),
            "families": [f.model_dump() for f in fams],
            "resources": resources,
        }
    )


def test_a_resource_caps_production_and_the_rest_is_bought_in():
    s = with_resources(tiny([15], workforce=ROOMY), line(8), {"Line 1": 1})
    result = solve(s)
    assert col(result, "production") == pytest.approx([8])
    assert col(result, "subcontract") == pytest.approx([7])
    assert result.total_cost == pytest.approx(8 * 1 + 7 * 5)
    res = result.resources
    assert list(res["load"]) == pytest.approx([8]) and list(res["utilisation"]) == [1.0]
    # one more hour of the line makes one more unit instead of buying it: $5 − $1
    assert list(res["hour_value"]) == pytest.approx([4])


def test_hours_per_unit_weigh_the_load_of_each_family():
    # F0 takes 2 line hours a unit, F1 none: the 8 hours make 4 of F0; F1 is made freely
    s = with_resources(tiny([[6], [6]], workforce=ROOMY), line(8), {"Line 1": 2}, {})
    result = solve(s)
    assert col(result, "production", "F0") == pytest.approx([4])
    assert col(result, "production", "F1") == pytest.approx([6])
    load = result.resource_load()
    assert list(load["hours"]) == pytest.approx([8, 0])


def test_resource_overtime_is_used_when_cheaper_than_buying():
    s = with_resources(
        tiny([15], workforce=ROOMY),
        line(8, overtime_hours_max=3, overtime_cost_per_hour=2),
        {"Line 1": 1},
    )
    result = solve(s)
    assert col(result, "production") == pytest.approx([11])  # 8 + 3 overtime hours
    assert list(result.resources["overtime_hours"]) == pytest.approx([3])
    assert result.cost_breakdown["resource_overtime"] == pytest.approx(6)
    assert result.total_cost == pytest.approx(11 * 1 + 3 * 2 + 4 * 5)


def test_resource_hours_per_period():
    s = with_resources(tiny([10, 10], workforce=ROOMY), line([4, 10]), {"Line 1": 1})
    result = solve(s)
    # 4 made and 6 bought in period 1 ($5 each) beats making ahead: nothing can be
    assert col(result, "production") == pytest.approx([4, 10])
    assert list(result.resources["hours_available"]) == [4, 10]


def test_old_files_without_resources_have_no_resource_rows_or_costs():
    result = solve(red_tomato())
    assert "resource_overtime" not in result.cost_breakdown
    assert result.resources.empty
    assert "resources" not in result.to_dict()


def test_a_resource_short_is_named_with_its_hours():
    s = with_resources(tiny([15], workforce=ROOMY, max_subcontract=0), line(8), {"Line 1": 1})
    result = solve(s)
    assert result.status == "infeasible"
    c = result.conflicts[0]
    assert (c.limit, c.family, c.period) == ("resource_hours", "Line 1", "1")
    assert c.amount == pytest.approx(7)
    assert "Line 1" in c.message and "7 hours short" in c.message


def test_unknown_resource_names_are_refused_with_the_field():
    from sop_core.base.errors import InputError

    data = tiny([1]).model_dump()
    data["families"][0]["resource_hours"] = {"Press": 1}
    with pytest.raises(InputError, match=r"families\[0\]\.resource_hours.*'Press'"):
        parse_scenario(data)


def test_the_binding_resource_in_words():
    from sop_core.engine.results import binding_resources

    s = with_resources(tiny([15], workforce=ROOMY), line(8), {"Line 1": 1})
    assert binding_resources(solve(s)) == ["Line 1 is full in 1: one more hour saves $4.00"]
    roomy = with_resources(tiny([5], workforce=ROOMY), line(8), {"Line 1": 1})
    assert binding_resources(solve(roomy)) == []


# --- the planning time fence ----------------------------------------------------------------


def test_the_fence_fixes_production_and_subcontracting_of_the_first_periods():
    from sop_core.engine.lp import FixedPlan

    s = tiny([10, 10], policy={"frozen_periods": 1})
    fixed = FixedPlan(production=np.array([[4.0]]), subcontract=np.array([[0.0]]))
    result = solve(s, fixed)
    # period 1 makes the approved 4 and backlogs 6 ($2); period 2 makes 10 and buys the
    # 6 it cannot make ($5 each): no backlog may be left at the end
    assert col(result, "production") == pytest.approx([4, 10])
    assert col(result, "subcontract") == pytest.approx([0, 6])
    assert result.total_cost == pytest.approx(14 + 6 * 2 + 6 * 5)
    # without a fence, the same fixed plan changes nothing
    free = tiny([10, 10])
    assert solve(free, fixed).total_cost == pytest.approx(solve(free).total_cost)


def test_levers_cannot_move_the_fenced_periods():
    from sop_core.engine.lp import FixedPlan

    s = tiny([10, 10, 10], policy={"frozen_periods": 2}, workforce={"hire_cost": 0})
    fixed = FixedPlan(production=np.array([[7.0, 8.0]]), subcontract=np.array([[1.0, 0.0]]))
    planner = Planner(s)
    for overtime in (0, 5, 10):
        result = planner.solve(with_changes(s, max_overtime_hours_per_worker=overtime), fixed)
        assert col(result, "production")[:2] == pytest.approx([7, 8])
        assert col(result, "subcontract")[:2] == pytest.approx([1, 0])
    # and the fence lifted on the same compiled model plans freely again
    assert planner.solve(s).total_cost == pytest.approx(solve(s).total_cost)


def test_the_fence_is_read_from_the_approved_plan_by_period_and_family():
    from sop_core.engine.planner import fixed_from

    approved = solve(tiny([[10, 12], [3, 4]]))  # periods "1", "2"
    d = tiny([[12, 9], [4, 5]]).model_dump()
    d["periods"] = ["2", "3"]  # rolled one period on: period "2" is frozen
    d["policy"]["frozen_periods"] = 1
    s = parse_scenario(d)
    fixed = fixed_from(approved, s)
    made = approved.families.set_index(["family", "period"])["production"]
    assert fixed.production[:, 0] == pytest.approx([made["F0", "2"], made["F1", "2"]])
    result = solve(s, fixed)
    assert col(result, "production", "F0")[0] == pytest.approx(made["F0", "2"])


def test_a_fence_that_cannot_be_kept_is_named_in_the_diagnosis():
    from sop_core.engine.lp import FixedPlan

    # the approved plan made 14 in period 1, but this scenario has 10 hours a period
    s = tiny([10, 10], policy={"frozen_periods": 1}, workforce={"max_workers": 1})
    fixed = FixedPlan(production=np.array([[14.0]]), subcontract=np.array([[0.0]]))
    result = solve(s, fixed)
    assert result.status == "infeasible"
    assert result.diagnosis[0].startswith("1: 4 labour hours short with at most 1 worker")
    assert result.diagnosis[0].endswith(
        "(inside the time fence: production and subcontracting as last approved)"
    )
