"""SKU launches and phase-outs, checked by hand: what the family plan meets, how the
weekly schedule splits it, and what it makes of an SKU that ends.

Acme sells Pumps, two SKUs: P-6 sells 6 a month and P-4 4 (shares 0.6 and 0.4); the
family's consensus is 20, 10, 10 over January to March 2027. Hiring is free and a worker
costs $1 a month, so the plan makes exactly the demand it meets each month.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from factories import ACME_MONTHS, acme_scenario

from sop_core.base.errors import InputError
from sop_core.engine.planner import solve
from sop_core.model.portfolio import planned_demand, set_aside, sku_mix
from sop_core.model.scenario import Scenario, parse_scenario, period_position
from sop_core.schedule.demand import sku_demand
from sop_core.schedule.weekly import schedule

FORECAST = pd.DataFrame(
    [
        {"family": "Pumps", "sku": sku, "period": p, "forecast": units}
        for p in ACME_MONTHS
        for sku, units in (("P-6", 6.0), ("P-4", 4.0))
    ]
)


def acme(**pumps: object) -> Scenario:
    """Acme's plan with these fields added to Pumps."""
    data = acme_scenario([20.0, 10.0, 10.0]).model_dump(mode="json")
    data["families"][0].update(pumps)
    return parse_scenario(data)


#: P-9 from February like P-6 (12, 6, 6 as the schedule splits the plan): × 0.5, full
#: after 2 months, half of it from P-4: 6 × 0.5 × (½, 1) = 1.5, 3
LAUNCH = {
    "sku": "P-9",
    "start": "2027-02",
    "like": "P-6",
    "factor": 0.5,
    "ramp_months": 2,
    "cannibalise": "P-4",
    "cannibalise_share": 0.5,
    "demand": [0.0, 1.5, 3.0],
}
#: the consensus split 0.6 / 0.4: P-6 and P-4's demand
SPLIT = np.array([[12.0, 6.0, 6.0], [8.0, 4.0, 4.0]])
#: P-4 ends in February (its demand 8, 4, 4)
PHASE_OUT = {"sku": "P-4", "end_period": "2027-02", "demand": [8.0, 4.0, 4.0]}


def sku_rows(s: Scenario) -> dict[str, list[float]]:
    out = sku_demand(s, FORECAST)
    return {
        sku: part.set_index("period").loc[ACME_MONTHS, "demand"].round(9).tolist()
        for sku, part in out.groupby("sku")
    }


def test_a_launch_adds_its_demand_less_what_it_takes_from_a_sibling() -> None:
    s = acme(sku_launches=[LAUNCH])
    # 10 + 1.5 × (1 − 0.5), 10 + 3 × (1 − 0.5)
    assert planned_demand(s)[0].tolist() == [20.0, 10.75, 11.5]
    assert sku_rows(s) == {
        "P-6": [12.0, 6.0, 6.0],
        "P-4": [8.0, 3.25, 2.5],  # 4 − 0.5 × 1.5, 4 − 0.5 × 3
        "P-9": [0.0, 1.5, 3.0],
    }


def test_cannibalisation_moves_units_between_skus_and_keeps_the_total() -> None:
    s = acme(sku_launches=[{**LAUNCH, "cannibalise_share": 1.0}])
    skus, rows = sku_mix(s.families[0], ACME_MONTHS, ["P-6", "P-4"], SPLIT)
    assert skus == ["P-6", "P-4", "P-9"]
    assert rows.sum(axis=0).tolist() == [20.0, 10.0, 10.0]  # all of it from P-4
    assert rows[1].tolist() == [8.0, 2.5, 1.0]
    assert planned_demand(s)[0].tolist() == [20.0, 10.0, 10.0]


def test_a_sibling_gives_no_more_than_it_sells() -> None:
    s = acme(sku_launches=[{**LAUNCH, "demand": [0.0, 10.0, 10.0], "cannibalise_share": 1.0}])
    _, rows = sku_mix(s.families[0], ACME_MONTHS, ["P-6", "P-4"], SPLIT)
    assert rows[1].tolist() == [8.0, 0.0, 0.0]


def test_a_phase_out_ends_the_skus_demand_and_the_familys_loses_it() -> None:
    s = acme(sku_phase_outs=[PHASE_OUT])
    assert planned_demand(s)[0].tolist() == [20.0, 10.0, 6.0]
    assert sku_rows(s) == {"P-6": [12.0, 6.0, 6.0], "P-4": [8.0, 4.0, 0.0]}


def test_a_replacement_takes_the_ended_demand_and_the_family_keeps_it() -> None:
    s = acme(sku_phase_outs=[{**PHASE_OUT, "replacement": "P-6"}])
    assert planned_demand(s)[0].tolist() == [20.0, 10.0, 10.0]
    assert sku_rows(s) == {"P-6": [12.0, 6.0, 10.0], "P-4": [8.0, 4.0, 0.0]}


def test_the_last_time_buy_is_made_in_the_end_period_and_not_sold() -> None:
    s = acme(sku_phase_outs=[{**PHASE_OUT, "last_time_buy": 3}])
    assert planned_demand(s)[0].tolist() == [20.0, 13.0, 6.0]
    assert set_aside(s)[0].tolist() == [0.0, 3.0, 0.0]
    assert sku_rows(s) == {"P-6": [12.0, 6.0, 6.0], "P-4": [8.0, 4.0, 0.0]}


@pytest.mark.parametrize("method", ["runout", "proportional"])
@pytest.mark.parametrize("buy", [0, 3])
def test_the_schedule_makes_nothing_after_the_end_and_ends_with_the_last_time_buy(
    method: str, buy: int
) -> None:
    s = acme(sku_phase_outs=[{**PHASE_OUT, "last_time_buy": buy}])
    plan = solve(s)
    assert plan.optimal
    # the plan makes what it meets: 20, 10 + the last-time buy, 6
    made = plan.families.set_index("period")["production"].round(6)
    assert made.tolist() == [20.0, 10.0 + buy, 6.0]
    out = schedule(plan, s, sku_demand(s, FORECAST), method=method)  # type: ignore[arg-type]
    weeks = out.weeks[out.weeks["sku"] == "P-4"]
    march = weeks["week"] >= "2027-03-01"
    assert weeks.loc[march, "made"].abs().max() < 1e-9
    feb_end = weeks.loc[weeks["week"] < "2027-03-01", "stock"].iloc[-1]
    if method == "runout":  # it aims at the last-time buy; the proportional split does not
        assert feb_end == pytest.approx(buy, abs=1e-9)
        assert weeks.loc[march, "stock"].to_numpy() == pytest.approx(buy, abs=1e-9)
    note = next(n for n in out.notes if n.startswith("P-4 is phased out"))
    assert f"ends that month with {feb_end:,.0f} units in stock (last-time buy {buy})" in note
    # the family's totals are the plan's
    assert out.months["scheduled_production"].tolist() == made.tolist()


def test_the_schedule_makes_the_launch() -> None:
    s = acme(sku_launches=[LAUNCH])
    plan = solve(s)
    out = schedule(plan, s, sku_demand(s, FORECAST))
    new = out.weeks[out.weeks["sku"] == "P-9"]
    assert new.loc[new["week"] < "2027-02-01", "made"].sum() == 0
    assert new["made"].sum() == pytest.approx(4.5, abs=1)  # 1.5 + 3, in whole units
    assert new["demand"].sum() == pytest.approx(4.5)


def test_a_family_launch_without_skus_is_scheduled_as_one_sku_of_its_name() -> None:
    data = acme_scenario([20.0, 10.0, 10.0]).model_dump(mode="json")
    trail = {**data["families"][0], "name": "Trail", "demand": [0.0, 5.0, 10.0]}
    trail["launch"] = {"start": "2027-02", "like": "Pumps", "factor": 0.5, "ramp_months": 2}
    data["families"].append(trail)
    s = parse_scenario(data)
    out = schedule(solve(s), s, sku_demand(s, FORECAST))
    rows = out.weeks[out.weeks["family"] == "Trail"]
    assert set(rows["sku"]) == {"Trail"}
    assert rows["demand"].sum() == pytest.approx(15.0)


@pytest.mark.parametrize(
    ("change", "where", "words"),
    [
        ({"sku_launches": [{**LAUNCH, "like": "P-9"}]}, "sku_launches[0].like", "another SKU"),
        ({"sku_launches": [LAUNCH, LAUNCH]}, "sku_launches[1].sku", "launched twice"),
        ({"sku_launches": [{**LAUNCH, "demand": [1.0]}]}, "sku_launches[0].demand", "3 values"),
        ({"sku_launches": [{**LAUNCH, "start": "Dec"}]}, "sku_launches[0].start", "periods"),
        ({"sku_phase_outs": [{**PHASE_OUT, "replacement": "P-4"}]}, "replacement", "another"),
        ({"sku_phase_outs": [{**PHASE_OUT, "end_period": "May"}]}, "end_period", "'May'"),
    ],
)
def test_a_bad_sku_launch_or_phase_out_is_named(change: dict, where: str, words: str) -> None:
    with pytest.raises(InputError) as err:
        acme(**change)
    text = str(err.value)
    assert where in text and words in text


def test_a_period_outside_a_rolled_horizon_keeps_its_place() -> None:
    labels = ["2027-03", "2027-04", "2027-05"]
    assert period_position(labels, "2027-04") == 1
    assert period_position(labels, "2027-02") == -1  # the month before the first
    assert period_position(labels, "2026-12") == -3
    assert period_position(labels, "2027-07") == 4
    assert period_position(labels, "May") is None
    assert period_position(["Q1", "Q2"], "Q3") is None  # not months: only its own labels
    # a phase-out that ended before the horizon: nothing left to sell, nothing set aside
    s = acme(sku_phase_outs=[{**PHASE_OUT, "end_period": "2026-12", "last_time_buy": 5}])
    assert planned_demand(s)[0].tolist() == [12.0, 6.0, 6.0]
    assert set_aside(s)[0].tolist() == [0.0, 0.0, 0.0]
