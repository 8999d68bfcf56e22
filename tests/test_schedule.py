"""The weekly master schedule: a hand-checkable two-SKU case, invariants over random
plans (hypothesis), defaults and the validation messages."""

from __future__ import annotations

import io

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from sop_core.base.errors import InputError
from sop_core.engine.planner import solve
from sop_core.model.scenario import Scenario, parse_scenario, with_changes
from sop_core.schedule.demand import read_sku_split, sku_demand, with_skus
from sop_core.schedule.stock import read_sku_stock, validate_sku_stock
from sop_core.schedule.tables import LOAD_COLUMNS, MONTH_COLUMNS, SKU_COLUMNS, WEEK_COLUMNS
from sop_core.schedule.weekly import schedule

SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def one_month(**family: object) -> Scenario:
    """February 2027 (four whole Monday-to-Sunday weeks): one family, demand 280,
    40 in stock, no backlog at the end; 30 workers of 10 free hours make 240 units."""
    fam = {
        "name": "F",
        "demand": [280],
        "labor_hours_per_unit": 1,
        "material_cost": 1,
        "holding_cost": 1,
        "backorder_cost": 2,
        "subcontract_cost": 5,
        "initial_inventory": 40,
    }
    fam.update(family)
    return parse_scenario(
        {
            "name": "one month",
            "periods": ["2027-02"],
            "workforce": {
                "initial": 30,
                "regular_hours_per_worker": 10,
                "regular_cost_per_worker": 0,
                "overtime_cost_per_hour": 0,
                "max_overtime_hours_per_worker": 0,
                "hire_cost": 1000,
                "layoff_cost": 1000,
            },
            "families": [fam],
        }
    )


TWO_SKUS = pd.DataFrame(
    {"family": "F", "sku": ["A", "B"], "period": "2027-02", "demand": [140.0, 140.0]}
)


def made(result, sku: str) -> list[float]:
    return result.weeks.loc[result.weeks["sku"] == sku, "made"].tolist()


# --------------------------------------------------------------------------- by hand


def test_two_skus_by_hand():
    """240 units over four weeks (60 a week); A starts with 40, B with nothing; both
    sell 5 a day. Week 1: equal run-out τ with (5τ − 40) + 5τ = 60, so τ = 10 days:
    A gets 10, B 50, both end the week with 15 (3 days of cover). Then 30 each."""
    s = one_month()
    plan = solve(s)
    assert plan.families["production"].tolist() == pytest.approx([240])
    stock = pd.DataFrame({"sku": ["A", "B"], "on_hand": [40, 0], "safety_stock": [0, 0]})
    out = schedule(plan, s, TWO_SKUS, stock)
    assert out.week_labels == ["2027-02-01", "2027-02-08", "2027-02-15", "2027-02-22"]
    assert made(out, "A") == [10, 30, 30, 30]
    assert made(out, "B") == [50, 30, 30, 30]
    a = out.weeks[out.weeks["sku"] == "A"]
    assert a["stock"].tolist() == pytest.approx([15, 10, 5, 0])
    assert a["cover_weeks"].iloc[0] == pytest.approx(3 / 7)
    assert out.load["load_hours"].tolist() == [60, 60, 60, 60]
    assert out.load["capacity_hours"].tolist() == pytest.approx([75, 75, 75, 75])
    assert out.skus["weeks_short"].tolist() == [0, 0]


def test_two_skus_proportional_baseline_leaves_b_short():
    """The forecast-share split gives each 30 a week: B, which started empty, runs a
    backlog of 5 more each week while A keeps its 40 extra."""
    s = one_month()
    stock = pd.DataFrame({"sku": ["A", "B"], "on_hand": [40, 0]})
    out = schedule(solve(s), s, TWO_SKUS, stock, method="proportional")
    assert made(out, "A") == made(out, "B") == [30, 30, 30, 30]
    b = out.weeks[out.weeks["sku"] == "B"]
    assert b["stock"].tolist() == pytest.approx([-5, -10, -15, -20])
    assert b["shortfall"].tolist() == pytest.approx([5, 10, 15, 20])


def test_two_skus_minimum_batch():
    """A's batch is 20: its 10 in week 1 is too small, so B gets all 60 (A ends with 5,
    B with 25). Week 2: 5u − 5 + 5u − 25 = 60 gives u = 9 days: A 40, B 20."""
    s = one_month()
    stock = pd.DataFrame({"sku": ["A", "B"], "on_hand": [40, 0], "min_batch": [20, None]})
    out = schedule(solve(s), s, TWO_SKUS, stock)
    assert made(out, "A") == [0, 40, 30, 30]
    assert made(out, "B") == [60, 20, 30, 30]
    assert out.skus["batch_misses"].tolist() == [0, 0]


def test_batch_larger_than_the_week_is_reported():
    s = one_month()
    stock = pd.DataFrame({"sku": ["A", "B"], "on_hand": [40, 0], "min_batch": [100, 100]})
    out = schedule(solve(s), s, TWO_SKUS, stock)
    assert out.weeks.groupby("week")["made"].sum().tolist() == [60, 60, 60, 60]
    assert out.skus["batch_misses"].sum() == 4  # one SKU takes each week's 60 < 100
    assert any("minimum batch" in n for n in out.notes)


def test_safety_stock_kept_first():
    """B's safety stock 35 makes it need 35 more than A at equal run-out time."""
    s = one_month()
    stock = pd.DataFrame({"sku": ["A", "B"], "on_hand": [0, 0], "safety_stock": [0, 35]})
    out = schedule(solve(s), s, TWO_SKUS, stock)
    # week 1: 5τ + (35 + 5τ) = 60 → τ = 2.5 days: A 12.5, B 47.5, rounded by remainders
    assert made(out, "A")[0] + made(out, "B")[0] == 60
    assert made(out, "B")[0] - made(out, "A")[0] == pytest.approx(35, abs=1)


def test_weeks_straddling_months_and_partial_output():
    """Nov 2026 starts on a Sunday: the first week has one day of the plan; the week of
    30 Nov is split between two months' plans. ``weeks`` keeps the first N rows only."""
    s = parse_scenario(
        {
            **one_month().model_dump(),
            "periods": ["2026-11", "2026-12"],
            "families": [{**one_month().families[0].model_dump(), "demand": [300, 310]}],
        }
    )
    demand = pd.DataFrame(
        {
            "family": "F",
            "sku": ["A", "A", "B", "B"],
            "period": ["2026-11", "2026-12"] * 2,
            "demand": [100.0, 110.0, 200.0, 200.0],
        }
    )
    plan = solve(s)
    out = schedule(plan, s, demand, weeks=3, firm_weeks=2)
    assert out.week_labels == ["2026-10-26", "2026-11-02", "2026-11-09"]
    assert out.load["days"].tolist() == [1, 7, 7]
    assert out.weeks.groupby("sku")["firm"].apply(list).tolist() == [[True, True, False]] * 2
    full = schedule(plan, s, demand)
    assert full.load["days"].sum() == 61
    assert full.week_labels[5] == "2026-11-30"  # 1 day of November, 6 of December
    nov = plan.families["production"].iloc[0]
    assert full.load["load_hours"].iloc[5] == pytest.approx(
        nov / 30 + (610 - 40 - nov) * 6 / 31, abs=2
    )


def test_working_days_shape_the_weeks():
    """No work on weekends: the production of a week is 5/20 of February's."""
    s = one_month()

    def weekdays(days: pd.DatetimeIndex) -> np.ndarray:
        return (days.day_of_week < 5).astype(float)

    out = schedule(solve(s), s, TWO_SKUS, working_days=weekdays)
    assert out.load["capacity_hours"].tolist() == pytest.approx([75] * 4)
    assert out.load["load_hours"].tolist() == [60] * 4


# --------------------------------------------------------------------------- sample


def test_sample_company_defaults_add_up():
    from pathlib import Path

    from sop_core.demand.forecast import forecast
    from sop_core.demand.history import read_history
    from sop_core.model.scenario import load_scenario

    data = Path(__file__).resolve().parent.parent / "data"
    s = load_scenario(data / "sample_company.json")
    fc = forecast(
        read_history(data / "sample_history.csv"),
        level="sku",
        model="naive",
        horizon=s.horizon,
        backend="sequential",
    ).forecast
    demand = sku_demand(s, fc)
    sums = demand.groupby(["family", "period"])["demand"].sum()
    for fam in s.families:
        assert sums.loc[fam.name].tolist() == pytest.approx(fam.demand)
    out = schedule(solve(s), s, demand)
    assert tuple(out.weeks.columns) == WEEK_COLUMNS
    assert tuple(out.load.columns) == LOAD_COLUMNS
    assert tuple(out.months.columns) == MONTH_COLUMNS
    assert tuple(out.skus.columns) == SKU_COLUMNS
    check_invariants(s, solve(s), out, demand)
    # defaults: on hand splits the family's initial stock
    on_hand = out.skus.groupby("family", sort=False)["on_hand"].sum()
    assert on_hand.tolist() == pytest.approx([f.initial_inventory for f in s.families])


# --------------------------------------------------------------------------- properties


def check_invariants(s: Scenario, plan, out, demand, *, stock_given: bool = False) -> None:
    whole = out.whole_units
    w = out.weeks
    # no negative quantity
    assert (w["made"] >= -1e-9).all() and (w["bought"] >= -1e-9).all()
    if whole:
        assert (w["made"] == np.round(w["made"])).all()
        assert (w["bought"] == np.round(w["bought"])).all()
    # family totals per month: exact (running-total rounding of the plan's)
    m = out.months
    for col, sched in (
        ("plan_production", "scheduled_production"),
        ("plan_subcontract", "scheduled_subcontract"),
    ):
        for _, g in m.groupby("family", sort=False):
            if whole:
                running = np.floor(np.cumsum(g[col].to_numpy()) + 0.5 + 1e-9)
                target = np.diff(running, prepend=0.0)
                assert g[sched].tolist() == target.tolist()
                assert np.all(np.abs(g[sched].to_numpy() - g[col].to_numpy()) < 1 + 1e-9)
            else:
                assert g[sched].to_numpy() == pytest.approx(g[col].to_numpy(), abs=1e-6)
    # the weeks add up to the months (weeks inside one month here are all of them)
    assert w["made"].sum() == pytest.approx(m["scheduled_production"].sum())
    # weekly capacity: within the week's share, up to one unit per family when rounding
    slack = sum(f.labor_hours_per_unit for f in s.families) if whole else 1e-6
    load = out.load
    assert (load["load_hours"] <= load["capacity_hours"] * (1 + 1e-9) + slack).all()
    # SKU balance: stock = previous stock + made + bought − demand
    for _, g in w.groupby("sku", sort=False):
        on_hand = out.skus.set_index("sku").loc[g["sku"].iloc[0], "on_hand"]
        prev = np.r_[on_hand, g["stock"].to_numpy()[:-1]]
        assert g["stock"].to_numpy() == pytest.approx(
            prev + g["made"].to_numpy() + g["bought"].to_numpy() - g["demand"].to_numpy(),
            abs=1e-6,
        )
    assert w["demand"].sum() == pytest.approx(demand["demand"].sum())
    # with the default stock, the SKUs' stock is the family's, up to the rounding (made
    # and bought in are each within half a unit of the plan's running totals)
    if not stock_given:
        assert m["scheduled_stock"].to_numpy() == pytest.approx(
            m["plan_stock"].to_numpy(), abs=1 + 1e-6 if whole else 1e-6
        )
    # shortfall is what is below safety stock
    assert w["shortfall"].to_numpy() == pytest.approx(
        np.maximum(0, w["safety_stock"] - w["stock"]).to_numpy()
    )


@st.composite
def cases(draw: st.DrawFn):
    T = draw(st.integers(1, 4))
    F = draw(st.integers(1, 3))
    first = draw(st.sampled_from(["2026-11", "2027-01", "2027-02", "2028-02"]))
    fams, rows = [], []
    for f in range(F):
        n = draw(st.integers(1, 4))
        sku_dem = draw(
            st.lists(
                st.lists(st.integers(0, 400).map(float), min_size=T, max_size=T),
                min_size=n,
                max_size=n,
            )
        )
        fams.append(
            {
                "name": f"F{f}",
                "demand": [float(sum(c)) for c in zip(*sku_dem, strict=True)],
                "labor_hours_per_unit": draw(st.sampled_from([0.0, 0.5, 1.0, 2.5])),
                "material_cost": 1,
                "holding_cost": draw(st.sampled_from([0.5, 1.0, 3.0])),
                "backorder_cost": draw(st.sampled_from([1.0, 4.0])),
                "subcontract_cost": draw(st.sampled_from([2.0, 6.0])),
                "initial_inventory": draw(st.integers(0, 300).map(float)),
                "initial_backorder": draw(st.sampled_from([0.0, 0.0, 25.0])),
                "safety_stock": draw(st.integers(0, 100).map(float)),
            }
        )
        for k, row in enumerate(sku_dem):
            rows += [
                {"family": f"F{f}", "sku": f"F{f}-S{k}", "period": None, "t": t, "demand": v}
                for t, v in enumerate(row)
            ]
    periods = [str(p) for p in pd.period_range(first, periods=T, freq="M")]
    s = parse_scenario(
        {
            "name": "random",
            "periods": periods,
            "workforce": {
                "initial": draw(st.integers(1, 40).map(float)),
                "regular_hours_per_worker": 20,
                "regular_cost_per_worker": draw(st.sampled_from([0.0, 30.0])),
                "overtime_cost_per_hour": 3,
                "max_overtime_hours_per_worker": draw(st.sampled_from([0.0, 5.0, None])),
                "hire_cost": draw(st.sampled_from([1.0, 50.0])),
                "layoff_cost": 10,
            },
            "families": fams,
            "policy": {"ending_backorders_allowed": True},
        }
    )
    demand = pd.DataFrame(rows).assign(period=lambda d: [periods[t] for t in d["t"]])
    demand = demand.drop(columns="t")
    stock = None
    if draw(st.booleans()):
        skus = demand["sku"].unique()
        stock = pd.DataFrame(
            {
                "sku": skus,
                "on_hand": draw(
                    st.lists(st.integers(0, 200).map(float), min_size=len(skus), max_size=len(skus))
                ),
                "safety_stock": draw(
                    st.lists(st.integers(0, 60).map(float), min_size=len(skus), max_size=len(skus))
                ),
                "min_batch": draw(
                    st.lists(
                        st.sampled_from([np.nan, 0.0, 25.0, 120.0]),
                        min_size=len(skus),
                        max_size=len(skus),
                    )
                ),
            }
        )
    whole = draw(st.booleans())
    method = draw(st.sampled_from(["runout", "runout", "proportional"]))
    weekdays_only = draw(st.booleans())
    return s, demand, stock, whole, method, weekdays_only


@SETTINGS
@given(cases())
def test_schedule_invariants(case):
    s, demand, stock, whole, method, weekdays_only = case
    plan = solve(s)
    assume(plan.optimal)

    def weekdays(days: pd.DatetimeIndex) -> np.ndarray:
        return (days.day_of_week < 5).astype(float)

    out = schedule(
        plan,
        s,
        demand,
        stock,
        whole_units=whole,
        method=method,
        working_days=weekdays if weekdays_only else (lambda d: np.ones(len(d))),
    )
    check_invariants(s, plan, out, demand, stock_given=stock is not None)
    if stock is not None and method == "runout":
        batch = stock.set_index("sku")["min_batch"].fillna(0)
        w = out.weeks.assign(batch=lambda d: d["sku"].map(batch))
        small = (w["made"] + w["bought"] > 1e-6) & (w["made"] + w["bought"] < w["batch"] - 1e-6)
        misses = out.skus.set_index("sku")["batch_misses"]
        assert small.groupby(w["sku"]).sum().reindex(misses.index).tolist() == misses.tolist()


@SETTINGS
@given(
    st.lists(
        st.tuples(
            st.integers(1, 60),  # demand weight
            st.integers(0, 150),  # on hand
            st.integers(0, 40),  # safety stock
        ),
        min_size=1,
        max_size=5,
    )
)
def test_safety_stock_kept_whenever_the_week_allows(skus):
    """If a week's family quantity covers what every SKU needs to end it at safety stock,
    every SKU ends it at or above its safety stock (no batches; continuous units).
    February 2027: four whole weeks of 60 units each; the SKUs sell 280 in the month."""
    s = one_month()
    weights = np.array([w for w, _, _ in skus], dtype=float)
    names = [f"S{k}" for k in range(len(skus))]
    demand = pd.DataFrame(
        {"family": "F", "sku": names, "period": "2027-02", "demand": 280 * weights / weights.sum()}
    )
    stock = pd.DataFrame(
        {
            "sku": names,
            "on_hand": [float(h) for _, h, _ in skus],
            "safety_stock": [float(ss) for _, _, ss in skus],
        }
    )
    out = schedule(solve(s), s, demand, stock, whole_units=False)
    w = out.weeks
    prev = stock.set_index("sku")["on_hand"]
    for week in out.week_labels:
        now = w[w["week"] == week].set_index("sku")
        need = np.maximum(0, now["safety_stock"] - (prev - now["demand"])).sum()
        if now["made"].sum() >= need - 1e-9:
            # up to the 1e-7-per-day tie-break ramp that keeps the split unique
            assert (now["stock"] >= now["safety_stock"] - 1e-4).all()
        prev = now["stock"]


# --------------------------------------------------------------------------- messages


def test_stock_table_messages():
    csv = b"SKU,On hand,safety_stock,min_batch\nA,12,x,\nB,-3,0,5\nA,1,1,1\n"
    with pytest.raises(InputError) as exc:
        read_sku_stock(csv, filename="stock.csv")
    text = str(exc.value)
    assert "row 2, column safety_stock: must be a number ≥ 0, got 'x'" in text
    assert "row 3, column on_hand: must be a number ≥ 0, got '-3'" in text
    assert "row 4, column sku: 'A' is listed again (also row 2)" in text
    with pytest.raises(InputError, match="has no sku column"):
        read_sku_stock(b"item,on_hand\nA,1\n", filename="stock.csv")
    table = read_sku_stock(io.BytesIO(b"sku,on_hand\nA,12\nB,\n"), filename="s.csv")
    assert table["on_hand"].iloc[0] == 12 and np.isnan(table["on_hand"].iloc[1])


def test_stock_table_unknown_sku_and_family():
    s = one_month()
    stock = validate_sku_stock(pd.DataFrame({"sku": ["A", "Z"], "family": ["G", None]}))
    with pytest.raises(InputError) as exc:
        schedule(solve(s), s, TWO_SKUS, stock)
    text = str(exc.value)
    assert "stock row 1, column family: 'A' belongs to 'F' in the history, got 'G'" in text
    assert "stock row 2, column sku: 'Z' is in no family's SKU history" in text


def test_blank_family_cells_take_the_sku_history_family():
    """A blank family cell is as if the column were absent for that row: the SKU's
    family is the history's, and its blank on_hand and safety_stock take the defaults
    (40 in stock and a safety stock of 20, split by the SKUs' equal demand)."""
    s = one_month(safety_stock=20)
    plan = solve(s)
    defaults = schedule(plan, s, TWO_SKUS).skus.set_index("sku")
    assert defaults.loc["A", ["on_hand", "safety_stock"]].tolist() == [20, 10]
    csv = b"sku,family,on_hand,safety_stock\nA,,,\nB,F,30,5\n"
    for stock in (
        read_sku_stock(csv, filename="stock.csv"),
        pd.DataFrame({"sku": ["A", "B"], "family": [None, "F"], "on_hand": [None, 30]}),
        pd.DataFrame({"sku": ["A", "B"], "family": pd.array([pd.NA, " F "], dtype="string")}),
    ):
        skus = schedule(plan, s, TWO_SKUS, stock).skus.set_index("sku")
        assert skus.loc["A", "family"] == "F"
        assert skus.loc["A", ["on_hand", "safety_stock"]].tolist() == [20, 10]
    skus = schedule(plan, s, TWO_SKUS, read_sku_stock(csv, filename="stock.csv")).skus
    assert skus.set_index("sku").loc["B", ["on_hand", "safety_stock"]].tolist() == [30, 5]


def test_wrong_family_is_refused_naming_the_file_row():
    """The row is the file's (header = row 1), as in the table's other messages."""
    s = one_month()
    stock = read_sku_stock(b"sku,family,on_hand\nA,,5\nB,G,3\n", filename="stock.csv")
    with pytest.raises(InputError) as exc:
        schedule(solve(s), s, TWO_SKUS, stock)
    assert str(exc.value) == (
        "stock row 3, column family: 'B' belongs to 'F' in the history, got 'G'; "
        "write 'F' or leave the cell blank"
    )


def heaters(n: int) -> pd.DataFrame:
    """SKU demand of a family 'Heaters' that the one-month plan does not have."""
    return pd.DataFrame(
        {"family": "Heaters", "sku": [f"HT-{i}" for i in range(1, n + 1)], "period": "2027-02"}
    ).assign(demand=10.0)


def test_skus_of_a_family_the_plan_lacks_are_reported_not_scheduled():
    s = one_month()
    plan = solve(s)
    demand = pd.concat([heaters(3), TWO_SKUS], ignore_index=True)
    out = schedule(plan, s, demand)
    note = "3 SKUs of family 'Heaters', which the plan does not have, are not scheduled: "
    assert note + "HT-1, HT-2, HT-3" in out.notes
    assert set(out.skus["sku"]) == set(out.weeks["sku"]) == {"A", "B"}
    out = schedule(plan, s, pd.concat([heaters(7), TWO_SKUS]))
    assert any(n.startswith("7 SKUs of family 'Heaters'") for n in out.notes)
    assert "HT-1, HT-2, HT-3, HT-4, HT-5 …" in " ".join(out.notes)


def test_sku_forecast_keeps_the_skus_of_other_families_for_the_report():
    """sku_demand reconciles the plan's families and passes the others on (as forecast)
    so that the schedule can say they are not scheduled."""
    s = one_month()
    fc = pd.concat([heaters(2), TWO_SKUS]).rename(columns={"demand": "forecast"})
    demand = sku_demand(s, fc)
    assert demand.groupby("family")["demand"].sum().to_dict() == {"F": 280, "Heaters": 20}
    out = schedule(solve(s), s, demand)
    assert (
        "2 SKUs of family 'Heaters', which the plan does not have, are not scheduled: "
        "HT-1, HT-2" in out.notes
    )
    assert set(out.skus["sku"]) == {"A", "B"}


def test_stock_table_skus_outside_the_plan():
    """A stock row of a SKU of another family (in the history, or by its family cell) is
    reported with that family's SKUs; a SKU in no history and of no other family is
    refused (most likely a typo), naming the row."""
    s = one_month()
    plan = solve(s)
    demand = pd.concat([heaters(1), TWO_SKUS])
    stock = read_sku_stock(
        b"sku,family,on_hand\nA,,5\nHT-1,,3\nHT-9,Heaters,2\nFN-1,Fans,1\n",
        filename="stock.csv",
    )
    out = schedule(plan, s, demand, stock)
    assert (
        "2 SKUs of family 'Heaters', which the plan does not have, are not scheduled: "
        "HT-1, HT-9" in out.notes
    )
    assert (
        "1 SKU of family 'Fans', which the plan does not have, is not scheduled: FN-1" in out.notes
    )
    assert "1 SKU not in the stock table uses the default stock data." in out.notes
    assert out.skus.set_index("sku")["on_hand"].to_dict() == {"A": 5, "B": 20}
    bad = read_sku_stock(b"sku,family\nA,\nHT-1,Fans\nZ,\n", filename="stock.csv")
    with pytest.raises(InputError) as exc:
        schedule(plan, s, demand, bad)
    text = str(exc.value)
    assert (
        "stock row 3, column family: 'HT-1' belongs to 'Heaters' in the history, got 'Fans'" in text
    )
    assert "stock row 4, column sku: 'Z' is in no family's SKU history" in text


def test_sku_forecast_must_cover_families_and_periods():
    s = one_month()
    fc = pd.DataFrame(
        {"family": "G", "sku": "A", "period": pd.to_datetime(["2027-02-01"]), "forecast": [1.0]}
    )
    with pytest.raises(InputError, match=r"families\[0\].name: family 'F' has no SKUs"):
        sku_demand(s, fc)
    fc["family"] = "F"
    fc["period"] = pd.to_datetime(["2027-03-01"])
    with pytest.raises(
        InputError, match="periods: the SKU forecast of 'F' has no value for 2027-02"
    ):
        sku_demand(s, fc)


def test_sku_forecast_shares_and_zero_months():
    s = one_month()
    fc = pd.DataFrame(
        {
            "family": "F",
            "sku": ["A", "B"],
            "period": pd.to_datetime(["2027-02-01"] * 2),
            "forecast": [10.0, 30.0],
        }
    )
    assert sku_demand(s, fc)["demand"].tolist() == [70, 210]
    fc["forecast"] = 0.0
    assert sku_demand(s, fc)["demand"].tolist() == [140, 140]


def test_periods_need_months_or_a_start():
    s = parse_scenario({**one_month().model_dump(), "periods": ["Feb"]})
    with pytest.raises(InputError, match="periods: the schedule needs months labelled like"):
        schedule(solve(s), s, TWO_SKUS.assign(period="Feb"))
    out = schedule(solve(s), s, TWO_SKUS.assign(period="Feb"), start="2027-02")
    assert out.week_labels[0] == "2027-02-01"


def test_options_and_infeasible_plan():
    s = one_month()
    plan = solve(s)
    with pytest.raises(InputError, match="weeks: must be ≥ 1, got 0"):
        schedule(plan, s, TWO_SKUS, weeks=0)
    with pytest.raises(InputError, match="method: must be one of runout, proportional"):
        schedule(plan, s, TWO_SKUS, method="magic")  # type: ignore[arg-type]
    bad = with_changes(
        one_month(backorders_allowed=False, max_subcontract=0, demand=[900]), max_workers=30
    )
    result = solve(bad)
    assert not result.optimal
    with pytest.raises(InputError, match="plan: is infeasible"):
        schedule(result, bad, TWO_SKUS)


def test_weeks_inside_the_time_fence_are_firm_by_default() -> None:
    """Two frozen months from 2027-03-01 (a Monday): the weeks starting 1, 8, 15, 22 and
    29 March and 5, 12 and 19 April end by 30 April; the week of 26 April runs into May:
    8 whole weeks."""
    from sop_core.schedule.weeks import fence_weeks

    s = parse_scenario(
        {
            "periods": ["2027-03", "2027-04", "2027-05"],
            "workforce": {
                "initial": 1,
                "regular_hours_per_worker": 10,
                "regular_cost_per_worker": 0,
                "overtime_cost_per_hour": 0,
                "hire_cost": 0,
                "layoff_cost": 0,
            },
            "families": [
                {
                    "name": "A",
                    "demand": [1, 1, 1],
                    "labor_hours_per_unit": 1,
                    "material_cost": 0,
                    "holding_cost": 0,
                    "backorder_cost": 0,
                    "subcontract_cost": 0,
                }
            ],
            "policy": {"frozen_periods": 2},
        }
    )
    assert fence_weeks(s) == 8
    unfenced = s.model_copy(update={"policy": s.policy.model_copy(update={"frozen_periods": 0})})
    assert fence_weeks(unfenced) == 0


# --------------------------------------------------------------------------- no SKUs


def test_a_history_without_skus_is_one_sku_per_family_or_split_by_shares():
    history = pd.DataFrame(
        {
            "period": pd.to_datetime(["2026-01-01", "2026-01-01"]),
            "family": ["Pumps", "Valves"],
            "demand": [100.0, 40.0],
        }
    )
    alone = with_skus(history)
    assert list(alone["sku"]) == ["Pumps", "Valves"]
    split = pd.DataFrame({"sku": ["P-S", "P-L"], "family": ["Pumps", "Pumps"], "share": [3, 1]})
    divided = with_skus(history, split).set_index("sku")["demand"]
    assert divided.to_dict() == {"P-S": 75.0, "P-L": 25.0, "Valves": 40.0}  # 3:1, scaled


def test_an_sku_split_names_the_row_and_the_fix():
    bad = pd.DataFrame({"sku": ["P-S", ""], "family": ["Pumps", "Pumps"], "share": ["x", 0]})
    with pytest.raises(InputError) as caught:
        read_sku_split(bad)
    text = str(caught.value)
    assert "SKU split row 2, share: must be a number ≥ 0, got 'x'" in text
    assert "SKU split row 3, sku: is blank" in text
    with pytest.raises(InputError, match="missing column share"):
        read_sku_split(bad.drop(columns="share"))
