"""The scorecard of the five aims: each measure on a 3-period case computed by hand, the
targets' statuses, and the views people read.

The hand case: one family, months 2027-01 (31 days), 2027-02 (28), 2027-03 (31), demand
100, 250, 100; one worker who can make exactly 150 units a month (no overtime, no
subcontracting, no backlog at the end). The year's demand (450) equals the capacity, so
the plan is forced: production 150, 150, 150; inventory 50, 0, 0; backlog 0, 50, 0.
"""

from __future__ import annotations

import math

import pandas as pd
import pytest
from factories import HAND_MONTHS as MONTHS
from factories import hand_case
from hypothesis import given
from hypothesis import strategies as st

from sop_core.base.errors import InputError
from sop_core.engine.planner import solve
from sop_core.engine.scorecard import (
    ALL,
    MEASURES,
    change_share,
    days_of_cover,
    measures_of,
    period_days,
    plan_scorecard,
    status,
)
from sop_core.model.scenario import parse_scenario
from sop_core.model.targets import Targets
from sop_core.process.scorecard import compare_scorecards, family_table, scorecard, scorecard_table


def test_the_measures_of_the_hand_case_by_hand():
    D, P = [100.0, 250.0, 100.0], [150.0, 150.0, 150.0]
    I, S = [50.0, 0.0, 0.0], [0.0, 50.0, 0.0]
    days = period_days(MONTHS)
    assert list(days) == [31, 28, 31]
    # cover: 50 ÷ (250 / 28) = 5.6 days in January; nothing in stock after
    assert days_of_cover(I, D, days) == pytest.approx([5.6, 0.0, 0.0])
    m = measures_of(*(pd.Series(x).to_numpy() for x in (D, P, I, S)), days)
    assert m["fill_rate"] == pytest.approx(1 - 50 / 450)
    assert m["average_backlog"] == pytest.approx(50 / 3)
    assert m["days_of_cover"] == pytest.approx(5.6 / 3)
    # a year's demand 450 / 90 days × 365 = 1,825 ÷ average stock 50 / 3 = 109.5 turns
    assert m["inventory_turns"] == pytest.approx(109.5)
    # Little's law: average backlog 50 / 3 ÷ 5 units a day = 3 1/3 days
    assert m["customer_lead_time"] == pytest.approx(10 / 3)
    assert m["production_change"] == 0.0


def test_stability_is_the_mean_change_over_the_mean_level():
    # production 100, 150, 125: changes 50 and 25, mean 37.5 ÷ mean 125 = 30 %
    assert change_share([100, 150, 125]) == pytest.approx(0.3)
    # workforce 10, 12, 11: changes 2 and 1, mean 1.5 ÷ mean 11
    assert change_share([10, 12, 11]) == pytest.approx(1.5 / 11)
    assert math.isnan(change_share([5])) and math.isnan(change_share([0, 0]))


def test_the_last_month_covers_with_its_own_demand_and_none_without_demand():
    assert days_of_cover([0, 62], [10, 31], [30, 31]) == pytest.approx([0.0, 62.0])
    assert math.isnan(days_of_cover([5, 5], [3, 0], [30, 31])[0])


def test_the_solved_hand_plan_has_the_hand_figures_and_statuses():
    s = parse_scenario(
        hand_case(
            fill_rate_min=0.95,
            cover_days_min=1,
            cover_days_max=10,
            lead_time_max=5,
            production_change_max=0.1,
            margin_min=0.5,
            revenue_tolerance=0.05,
        )
    )
    result = solve(s)
    assert result.optimal
    fam = result.families
    assert list(fam["production"].round(6)) == [150, 150, 150]
    assert list(fam["inventory"].round(6)) == [50, 0, 0]
    assert list(fam["backorder"].round(6)) == [0, 50, 0]
    budget = pd.DataFrame(
        {
            "family": ["Kayaks"] * 3,
            "period": MONTHS,
            "units": [100.0, 250.0, 100.0],
            "revenue": [1000.0, 2500.0, 1500.0],
        }
    )
    card = scorecard(s, result, budget)
    plan = card[card["family"] == ALL].set_index("measure")
    assert list(plan.index) == list(MEASURES)
    expected = {
        "fill_rate": (1 - 50 / 450, "not met"),
        "average_backlog": (50 / 3, "no target"),
        "days_of_cover": (5.6 / 3, "met"),
        "inventory_turns": (109.5, "no target"),
        "customer_lead_time": (10 / 3, "met"),
        "production_change": (0.0, "met"),
        "workforce_change": (0.0, "no target"),
        # sales 100, 200, 150 at $10 = $4,500 against 95 % of the budget's $5,000
        "plan_revenue": (4500.0, "not met"),
        # cost of goods: (3 months × $300 + 450 units × $1) = $1,350; margin 3,150 ÷ 4,500
        "gross_margin_share": (0.7, "met"),
    }
    for measure, (value, said) in expected.items():
        assert plan.loc[measure, "value"] == pytest.approx(value, abs=1e-6), measure
        assert plan.loc[measure, "status"] == said, measure
    assert plan.loc["plan_revenue", "target_low"] == pytest.approx(4750.0)
    # the family's rows: the same figures (one family), no workforce row, no backlog target
    kayaks = card[card["family"] == "Kayaks"].set_index("measure")
    assert "workforce_change" not in kayaks.index
    assert kayaks.loc["average_backlog", "status"] == "no target"
    assert kayaks.loc["customer_lead_time", "value"] == pytest.approx(10 / 3)


def test_without_targets_every_status_is_no_target_and_the_views_read_in_words():
    s = parse_scenario(hand_case())
    card = plan_scorecard(s, solve(s))
    assert set(card["status"]) == {"no target"}
    table = scorecard_table(scorecard(s, solve(s)))
    row = table.set_index("Measure").loc["Customer lead time (days)"]
    assert (row["Aim"], row["Value"], row["Target"], row["Status"]) == (
        "Customer lead time",
        "3.3",
        "",
        "no target",
    )
    wide = family_table(card)
    assert list(wide.columns) == ["Measure", ALL, "Kayaks"]
    side = compare_scorecards({"A": card, "B": card})
    assert list(side.columns) == ["Measure", "A", "B", "Target"]


def test_a_band_upside_down_is_refused_naming_the_field():
    with pytest.raises(InputError) as err:
        parse_scenario(hand_case(cover_days_min=30, cover_days_max=10))
    assert "targets.cover_days_max" in str(err.value)
    assert "fewest days of cover (30)" in str(err.value)
    with pytest.raises(InputError, match="fill_rate_min"):
        parse_scenario(hand_case(fill_rate_min=95))


@given(
    value=st.floats(0, 1e6),
    low=st.one_of(st.just(math.nan), st.floats(0, 1e6)),
    high=st.one_of(st.just(math.nan), st.floats(0, 1e6)),
)
def test_a_status_is_met_exactly_when_the_value_is_inside_the_band(value, low, high):
    said = status(value, low, high)
    if math.isnan(low) and math.isnan(high):
        assert said == "no target"
    else:
        slack = 1e-9 * max(1.0, value)  # the solver's rounding counts as inside
        inside = (math.isnan(low) or value >= low - slack) and (
            math.isnan(high) or value <= high + slack
        )
        assert said == ("met" if inside else "not met")


def test_targets_do_not_change_the_plan():
    from sop_core.model.scenario import same_plan

    a, b = parse_scenario(hand_case()), parse_scenario(hand_case(lead_time_max=2))
    assert same_plan(a, b) and b.targets == Targets(lead_time_max=2)


def test_scenarios_side_by_side_are_judged_against_the_same_targets():
    from sop_core.process.scorecard import scenario_scorecards

    s = parse_scenario(hand_case())
    bad = parse_scenario(
        {**hand_case(), "families": [{**hand_case()["families"][0], "demand": [1, 1, 999]}]}
    )
    side = scenario_scorecards(
        {"Hand": (s, solve(s)), "Too much": (bad, solve(bad))}, Targets(lead_time_max=5)
    ).set_index("Measure")
    assert side.loc["Customer lead time (days)", "Hand"] == "3.3 (met)"
    assert side.loc["Customer lead time (days)", "Target"] == "at most 5.0"
    assert (side["Too much"] == "no feasible plan").all()
