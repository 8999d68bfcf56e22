"""Launches and phase-outs: the demand by hand, the plan by the real solver (HiGHS)."""

from __future__ import annotations

import json

import numpy as np
import pytest
from factories import tiny
from hypothesis import given, settings
from hypothesis import strategies as st

from sop_core.base.errors import InputError
from sop_core.engine.lp import model_data
from sop_core.engine.planner import Planner, solve
from sop_core.model.portfolio import launch_demand, planned_demand, ramp
from sop_core.model.scenario import Launch, parse_scenario

PERIODS = ["2027-01", "2027-02", "2027-03", "2027-04"]


def _with(scenario, periods=PERIODS, **families):
    """``scenario`` with periods and per-family extra fields (by family name)."""
    data = json.loads(scenario.to_json())
    data["periods"] = periods
    for fam in data["families"]:
        fam.update(families.get(fam["name"], {}))
    return parse_scenario(data)


def test_linear_ramp_and_given_shares():
    assert ramp(Launch(start="1", like="A", factor=1, ramp_months=4), 6).tolist() == [
        0.25, 0.5, 0.75, 1, 1, 1
    ]  # fmt: skip
    shares = Launch(start="1", like="A", factor=1, ramp_shares=[0.2, 0.6])
    assert ramp(shares, 4).tolist() == [0.2, 0.6, 1, 1]


def test_launch_is_like_times_factor_times_ramp():
    like = [100, 200, 300, 400]
    ln = Launch(start="2027-02", like="A", factor=0.5, ramp_months=2)
    # 0 before the start; then 0.5 × like × (1/2, 1, 1)
    assert launch_demand(ln, like, PERIODS).tolist() == [0, 50, 150, 200]


def test_launch_volume_is_its_first_twelve_months():
    periods = [f"2027-{m:02d}" for m in range(1, 13)] + ["2028-01"]
    like = [10.0] * 13
    ln = Launch(start="2027-02", like="A", volume=600, ramp_months=3)
    got = launch_demand(ln, like, periods)
    # 12 months from Feb 2027 to Jan 2028 sum to 600; ramp 1/3, 2/3, then full
    assert got.sum() == pytest.approx(600)
    full = 600 / (1 / 3 + 2 / 3 + 10)  # units per month at full rate
    assert got[1:4].tolist() == pytest.approx([full / 3, 2 * full / 3, full])


def test_volume_over_a_shorter_horizon_is_prorated():
    ln = Launch(start="2027-03", like="A", volume=1200)
    got = launch_demand(ln, [5, 5, 5, 5], PERIODS)
    assert got.tolist() == pytest.approx([0, 0, 100, 100])  # 2 months of 1,200 a year


def test_a_like_family_without_demand_cannot_shape_a_volume():
    ln = Launch(start="2027-03", like="A", volume=1200)
    with pytest.raises(InputError, match="Sells like: 'A' has no demand in the launch's first"):
        launch_demand(ln, [5, 5, 0, 0], PERIODS)


def test_cannibalisation_moves_units_and_keeps_the_total():
    base = tiny([[100, 100, 100, 100], [0, 40, 80, 80]])
    s = _with(
        base,
        F1={
            "launch": {"start": "2027-02", "like": "F0", "factor": 0.8,
                       "cannibalise": "F0", "cannibalise_share": 0.25},
        },
    )  # fmt: skip
    d = planned_demand(s)
    assert d[1].tolist() == [0, 40, 80, 80]  # the launch keeps its demand
    assert d[0].tolist() == [100, 90, 80, 80]  # F0 gives a quarter of it
    # fully cannibalising: the two families together sell what F0 alone did
    full = _with(base, F1={"launch": {"start": "2027-02", "like": "F0", "factor": 0.8,
                                      "cannibalise": "F0", "cannibalise_share": 1}})  # fmt: skip
    assert planned_demand(full).sum(axis=0).tolist() == [100, 100, 100, 100]


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.floats(0, 500), min_size=4, max_size=4),
    st.lists(st.floats(0, 500), min_size=4, max_size=4),
    st.floats(0, 1),
)
def test_cannibalised_units_leave_one_family_for_the_other(g, launch, share):
    s = _with(
        tiny([g, launch]),
        F1={"launch": {"start": "2027-01", "like": "F0", "factor": 1,
                       "cannibalise": "F0", "cannibalise_share": share}},
    )  # fmt: skip
    d = planned_demand(s)
    taken = np.asarray(g) - d[0]
    assert (d[0] >= 0).all()
    assert taken == pytest.approx(np.minimum(g, share * np.asarray(launch)))
    assert d.sum() == pytest.approx(sum(g) + sum(launch) - taken.sum())


def test_phase_out_demand_goes_to_its_replacement():
    s = _with(
        tiny([[10, 20, 30, 40], [5, 5, 5, 5]]),
        F0={"phase_out": {"end_period": "2027-02", "replacement": "F1"}},
    )
    d = planned_demand(s)
    assert d.tolist() == [[10, 20, 0, 0], [5, 5, 35, 45]]


def test_phase_out_leaves_no_production_after_its_end_and_the_stated_stock():
    # one worker of 10 h makes 10 units a period; demand 8 a period until Feb
    base = tiny([8, 8, 8, 8], initial_inventory=5)
    s = _with(base, F0={"phase_out": {"end_period": "2027-02", "last_time_buy": 6}})
    plan = solve(s)
    assert plan.optimal
    fam = plan.families
    assert fam["production"].tolist()[2:] == [0, 0]
    assert fam["subcontract"].tolist()[2:] == [0, 0]
    # 16 sold + 6 left − 5 at the start = 17 made, as late as 10 units a period allow
    assert fam["production"].tolist() == pytest.approx([7, 10, 0, 0])
    assert fam["inventory"].tolist() == pytest.approx([4, 6, 6, 6])
    assert fam["demand"].tolist() == [8, 8, 0, 0]


def test_phase_out_defaults_to_running_the_stock_down_to_zero():
    s = _with(tiny([8, 8, 8, 8], initial_inventory=30), F0={"phase_out": {"end_period": "2027-03"}})
    # 30 in stock and 24 to sell: the 6 left cannot reach the stated 0, so no plan fits
    assert not solve(s).optimal
    s = _with(tiny([8, 8, 8, 8], initial_inventory=20), F0={"phase_out": {"end_period": "2027-03"}})
    fam = solve(s).families
    assert fam["production"].tolist() == pytest.approx([0, 0, 4, 0])  # 24 − 20, made last
    assert fam["inventory"].tolist() == pytest.approx([12, 4, 0, 0])


def test_moving_the_end_period_warm_resolves_to_a_fresh_build():
    base = tiny([[8, 8, 8, 8], [2, 2, 2, 2]])
    first = _with(base, F0={"phase_out": {"end_period": "2027-03", "last_time_buy": 1}})
    moved = _with(base, F0={"phase_out": {"end_period": "2027-01", "replacement": "F1"}})
    planner = Planner(first)
    planner.solve(first)
    warm = planner.solve(moved)
    fresh = solve(moved)
    assert warm.optimal and fresh.optimal
    assert warm.total_cost == pytest.approx(fresh.total_cost)
    assert warm.families["production"].tolist() == pytest.approx(
        fresh.families["production"].tolist()
    )
    assert warm.families["production"].tolist()[1:4] == [0, 0, 0]
    cleared = planner.solve(base.model_copy(update={"periods": PERIODS}))
    assert cleared.total_cost == pytest.approx(solve(base).total_cost)


def test_phase_out_is_bounds_not_rows():
    base = _with(tiny([8, 8, 8, 8]))
    ended = _with(tiny([8, 8, 8, 8]), F0={"phase_out": {"end_period": "2027-02"}})
    a, b = model_data(base), model_data(ended)
    assert a.T == b.T and a.F == b.F
    assert b.P_ub[0].tolist() == [np.inf, np.inf, 0, 0]
    assert b.I_ub[0].tolist() == [np.inf, 0, 0, 0]
    assert b.D[0].tolist() == [8, 8, 0, 0]


@pytest.mark.parametrize(
    ("fields", "where", "says"),
    [
        ({"launch": {"start": "spring", "like": "F0", "factor": 1}}, "launch.start",
         "must be one of the plan's periods (2027-01, 2027-02, 2027-03 … 2027-04), got 'spring'"),
        ({"launch": {"start": "2027-01", "like": "Nope", "factor": 1}}, "launch.like",
         "names 'Nope', not a family (known: 'F0', 'F1')"),
        ({"launch": {"start": "2027-01", "like": "F1", "factor": 1}}, "launch.like",
         "must be another family than 'F1' itself"),
        ({"launch": {"start": "2027-01", "like": "F0"}}, "launch.volume",
         "give either the volume of its first 12 months or a factor"),
        ({"launch": {"start": "2027-01", "like": "F0", "factor": 1, "cannibalise_share": 0.3}},
         "launch.cannibalise", "name the family it takes demand from"),
        ({"phase_out": {"end_period": "13"}}, "phase_out.end_period",
         "must be one of the plan's periods"),
        ({"phase_out": {"end_period": "2027-01", "replacement": "F1"}},
         "phase_out.replacement", "must be another family"),
        ({"launch": {"start": "2027-03", "like": "F0", "factor": 1},
          "phase_out": {"end_period": "2027-02"}}, "phase_out.end_period",
         "before the launch in '2027-03'; end it at or after its launch"),
    ],
)  # fmt: skip
def test_bad_launches_and_phase_outs_name_the_field_the_value_and_the_fix(fields, where, says):
    with pytest.raises(InputError) as err:
        _with(tiny([[1, 1, 1, 1], [1, 1, 1, 1]]), F1=fields)
    text = str(err.value)
    assert f"families[1].{where}" in text
    assert says in text


@settings(max_examples=25, deadline=None)
@given(
    st.integers(0, 3),
    st.integers(0, 3),
    st.floats(0, 20),
    st.booleans(),
)
def test_a_moved_phase_out_warm_resolves_to_the_fresh_plan(first, moved, ltb, replaced):
    base = tiny([[8, 9, 7, 8], [2, 3, 2, 3]], initial_inventory=4)
    end = {"end_period": PERIODS[first], "last_time_buy": 1}
    a = _with(base, F0={"phase_out": end})
    again = {"end_period": PERIODS[moved], "last_time_buy": ltb}
    if replaced:
        again["replacement"] = "F1"
    b = _with(base, F0={"phase_out": again})
    planner = Planner(a)
    planner.solve(a)
    warm, fresh = planner.solve(b), solve(b)
    assert warm.status == fresh.status
    if fresh.optimal:
        assert warm.total_cost == pytest.approx(fresh.total_cost, rel=1e-9, abs=1e-6)
        made = warm.families[warm.families["family"] == "F0"]["production"].tolist()
        assert made[moved + 1 :] == [0] * (3 - moved)
