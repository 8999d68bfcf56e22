"""The business plan: reading it, the plan in money, the gap to it and the exceptions."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from factories import DATA, red_tomato, sample_with_lines, scenarios, tiny
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from sop_core.base.errors import InputError
from sop_core.engine.planner import solve
from sop_core.model.scenario import load_scenario, parse_scenario
from sop_core.process.business_plan import (
    BUSINESS_PLAN_COLUMNS,
    EXCEPTION_COLUMNS,
    GAP_COLUMNS,
    MONEY_COLUMNS,
    RANKED_COLUMNS,
    annual_gap,
    budget_gap,
    business_plan_template,
    exceptions_against,
    meeting_exceptions,
    plan_money,
    ranked_exceptions,
    read_business_plan,
    write_business_plan,
)


def _messages(text: str, filename: str = "b.csv") -> list[str]:
    with pytest.raises(InputError) as exc:
        read_business_plan(text.encode(), filename=filename)
    return [str(p) for p in exc.value.problems]


# --------------------------------------------------------------------------- reading


def test_reads_a_csv_business_plan_into_the_documented_frame() -> None:
    plan = read_business_plan(
        b"Family, Period ,Units,Revenue,note\n"
        b"B,2027-02,5,50,x\nA,2027-01-31,10,200,\nA,2027-02-01,12,240,\n",
        filename="b.csv",
    )
    assert list(plan.columns) == list(BUSINESS_PLAN_COLUMNS)
    assert plan.values.tolist() == [
        ["A", "2027-01", 10.0, 200.0],
        ["A", "2027-02", 12.0, 240.0],
        ["B", "2027-02", 5.0, 50.0],
    ]


@pytest.mark.parametrize("filename", ["bp.csv", "bp.xlsx"])
def test_the_template_round_trips_through_both_file_types(filename: str) -> None:
    s = load_scenario(DATA / "sample_company.json")
    template = business_plan_template(s)
    assert len(template) == len(s.families) * s.horizon
    garden = template[template["family"] == "Garden Tools"]
    assert garden["units"].tolist() == s.families[0].demand
    assert garden["revenue"].tolist() == [d * s.families[0].price for d in s.families[0].demand]
    back = read_business_plan(write_business_plan(template, filename), filename=filename)
    expected = template.sort_values(["family", "period"]).reset_index(drop=True)
    pd.testing.assert_frame_equal(back, expected, check_dtype=False)


def test_the_template_needs_monthly_periods() -> None:
    with pytest.raises(InputError, match=r"periods: a business plan is monthly.*got 'Jan'"):
        business_plan_template(red_tomato())


def test_a_missing_column_is_named_with_the_columns_found() -> None:
    assert _messages("family,period,units\nA,2027-01,1\n") == [
        "columns: missing column 'revenue'; the business plan needs columns family, period, "
        "units, revenue, found: family, period, units"
    ]


def test_every_bad_cell_is_named_by_row_column_and_value() -> None:
    messages = _messages(
        "family,period,units,revenue\n"
        ",2027-01,1,1\n"
        "A,2027-13,1,1\n"
        "A,2027-02-15,1,1\n"
        "A,2027-03,-4,1\n"
        "A,2027-04,1,lots\n"
    )
    assert messages == [
        "row 2, column family: must not be empty, got an empty cell",
        "row 3, column period: must be a date written YYYY-MM or YYYY-MM-DD, got '2027-13'",
        "row 4, column period: must be a month (YYYY-MM, or its first or last day), got "
        "'2027-02-15'",
        "row 5, column units: must be a number ≥ 0, got '-4'",
        "row 6, column revenue: must be a number ≥ 0, got 'lots'",
    ]


def test_a_family_and_month_given_twice_names_both_rows() -> None:
    assert _messages(
        "family,period,units,revenue\nA,2027-01,1,1\nB,2027-01,1,1\nA,2027-01,2,2\n"
    ) == [
        "rows 2 and 4: family 'A', period 2027-01 appears more than once; keep one row per "
        "family and month (add them up if they are parts of the same business plan)"
    ]


def test_empty_files_and_other_formats_are_refused_in_words() -> None:
    assert _messages("  \n") == [
        "b.csv: the file is empty; it needs a header row family,period,units,revenue and one "
        "row per family and month"
    ]
    assert _messages("family,period,units,revenue\n") == [
        "the file has a header but no data rows; add one row per family and month"
    ]
    assert _messages("x", filename="b.pdf") == ["b.pdf: must be a .csv or .xlsx file, got '.pdf'"]


# --------------------------------------------------------------------------- the plan in money


def _two_families():
    """Two workers of 10 h at $100 each per period, fully used: F0 takes 10 units × 1 h,
    F1 5 units × 2 h, so each carries half the $200 labour cost of a period."""
    return tiny(
        [[10, 10], [5, 5]],
        workforce={"initial": 2, "regular_cost_per_worker": 100},
        labor_hours_per_unit=(1, 2),
        price=(20, 30),
    )


def test_money_of_a_hand_checkable_plan() -> None:
    s = _two_families()
    m = plan_money(s, solve(s))
    assert list(m.columns) == list(MONEY_COLUMNS)
    f0 = m[m["family"] == "F0"].iloc[0]
    f1 = m[m["family"] == "F1"].iloc[0]
    # F0: material 1 × 10 + half of $200 labour = 110 for 10 units
    assert (f0.sales, f0.supply_cost, f0.unit_cost) == pytest.approx((10, 110, 11))
    assert (f0.revenue, f0.cost_of_goods, f0.gross_margin) == pytest.approx((200, 110, 90))
    # F1: material 1 × 5 + half of $200 = 105 for 5 units
    assert (f1.sales, f1.supply_cost, f1.unit_cost) == pytest.approx((5, 105, 21))
    assert (f1.revenue, f1.cost_of_goods, f1.gross_margin) == pytest.approx((150, 105, 45))
    assert m["inventory_value"].tolist() == pytest.approx([0, 0, 0, 0])


def test_sales_serve_the_backlog_and_stock_is_valued_at_unit_cost() -> None:
    # 10 units of capacity a period, nothing bought in: 15 wanted in period 1 leaves 5
    # waiting, shipped in period 2 with its 5 → sales 10 and 10
    s = tiny([15, 5], max_subcontract=0, price=3)
    m = plan_money(s, solve(s))
    assert m["sales"].tolist() == pytest.approx([10, 10])
    assert m["revenue"].tolist() == pytest.approx([30, 30])
    assert m["carrying_cost"].tolist() == pytest.approx([2 * 5, 0])  # backorder $2 × 5
    # stock built ahead is valued at the unit cost (free labour: material $1 a unit)
    s = tiny([5, 15], max_subcontract=0)
    m = plan_money(s, solve(s))
    assert m["inventory"].tolist() == pytest.approx([5, 0])
    assert m["inventory_value"].tolist() == pytest.approx([5, 0])
    assert m["revenue"].isna().all()  # no price, no revenue


@pytest.mark.parametrize("which", ["red_tomato", "sample_lines", "integer", "line"])
def test_money_accounts_for_every_dollar_of_the_plan(which: str, tmp_path: Path) -> None:
    if which == "red_tomato":
        s = red_tomato()
    elif which == "integer":
        s = red_tomato(integer_workforce=True)
    elif which == "line":
        s = _with_line([[6, 20], [9, 3]], overtime=5)
    else:
        s = load_scenario(sample_with_lines(tmp_path))
    r = solve(s)
    assert r.optimal
    m = plan_money(s, r)
    spent = m["supply_cost"].sum() + m["carrying_cost"].sum()
    shortfall = r.cost_breakdown.get("safety_stock_shortfall", 0.0)
    assert spent + shortfall == pytest.approx(r.total_cost, rel=1e-9)
    if r.kpis["revenue"] is not None:
        assert m["revenue"].sum() == pytest.approx(r.kpis["revenue"], rel=1e-9)
    # every unit supplied is costed: the units supplied × unit cost is the supply cost
    fam = r.families
    for name, grp in m.groupby("family"):
        supplied = fam.loc[fam["family"] == name, ["production", "subcontract"]].to_numpy().sum()
        assert grp["unit_cost"].iloc[0] * supplied == pytest.approx(grp["supply_cost"].sum())


def test_money_needs_the_scenario_the_plan_was_made_from() -> None:
    s = _two_families()
    other = tiny([[10, 10], [5, 5]], name=("F1", "F0"))
    with pytest.raises(ValueError, match="not made from this scenario"):
        plan_money(other, solve(s))


def test_an_infeasible_plan_has_no_money() -> None:
    s = tiny([50], {"max_hires": 0}, max_subcontract=0, backorders_allowed=False)
    r = solve(s)
    assert not r.optimal
    with pytest.raises(ValueError, match="only an optimal plan"):
        plan_money(s, r)


# --------------------------------------------------------------------------- the gap


def _budget(rows: list[tuple[str, str, float, float]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=list(BUSINESS_PLAN_COLUMNS))


def _monthly(demand: list[list[float]], workers: float = 10, **family) -> tuple:
    """A tiny scenario on the months of 2027 (10 h per worker, free labour) and its plan."""
    data = json.loads(tiny(demand, **family).to_json())
    data["periods"] = [f"2027-{m:02d}" for m in range(1, len(demand[0]) + 1)]
    data["workforce"]["initial"] = workers
    s = parse_scenario(data)
    return s, solve(s)


def test_gap_by_month_and_cumulative_by_hand() -> None:
    s, r = _monthly([[10, 10, 10]], price=2)
    budget = _budget(
        [("F0", "2027-01", 12, 24), ("F0", "2027-02", 9, 18), ("F0", "2027-03", 10, 30)]
    )
    gap = budget_gap(plan_money(s, r), budget)
    assert list(gap.columns) == list(GAP_COLUMNS)
    assert gap["gap_units"].tolist() == pytest.approx([-2, 1, 0])
    assert gap["cum_gap_units"].tolist() == pytest.approx([-2, -1, -1])
    assert gap["gap_revenue"].tolist() == pytest.approx([-4, 2, -10])
    assert gap["cum_gap_revenue"].tolist() == pytest.approx([-4, -2, -12])
    year = annual_gap(gap)
    assert year[["gap_units", "gap_revenue"]].values.tolist() == [[-1, -12]]


def test_the_gap_keeps_the_months_and_families_in_both() -> None:
    s, r = _monthly([[10, 10], [4, 4]], price=1)
    budget = _budget([("F0", "2027-02", 10, 10), ("F0", "2026-12", 99, 99), ("X", "2027-01", 1, 1)])
    gap = budget_gap(plan_money(s, r), budget)
    assert gap[["family", "period"]].values.tolist() == [["F0", "2027-02"]]


_cell = st.floats(min_value=0, max_value=1e6, allow_nan=False)


@settings(max_examples=60, deadline=None)
@given(
    st.integers(min_value=1, max_value=3),
    st.integers(min_value=1, max_value=12),
    st.data(),
)
def test_the_monthly_gaps_add_up_to_the_annual_gap(families: int, months: int, data) -> None:
    periods = [f"2027-{m:02d}" for m in range(1, months + 1)]
    keys = [(f"F{f}", p) for f in range(families) for p in periods]
    plan = pd.DataFrame(keys, columns=["family", "period"])
    plan["sales"] = data.draw(st.lists(_cell, min_size=len(keys), max_size=len(keys)))
    plan["revenue"] = data.draw(st.lists(_cell, min_size=len(keys), max_size=len(keys)))
    budget = pd.DataFrame(keys, columns=["family", "period"])
    budget["units"] = data.draw(st.lists(_cell, min_size=len(keys), max_size=len(keys)))
    budget["revenue"] = data.draw(st.lists(_cell, min_size=len(keys), max_size=len(keys)))
    order = data.draw(st.permutations(range(len(keys))))
    gap = budget_gap(plan.iloc[list(order)], budget)
    year = annual_gap(gap).set_index("family")
    shuffled = annual_gap(gap.iloc[::-1]).set_index("family")
    pd.testing.assert_frame_equal(shuffled, year, atol=1e-6)
    for name, grp in gap.groupby("family"):
        assert grp["period"].is_monotonic_increasing
        p, b = plan[plan["family"] == name], budget[budget["family"] == name]
        want_units = math.fsum(p["sales"]) - math.fsum(b["units"])
        want_money = math.fsum(p["revenue"]) - math.fsum(b["revenue"])
        for col, want in (("units", want_units), ("revenue", want_money)):
            tol = 1e-9 * months * 1e6 + 1e-9
            assert math.fsum(grp[f"gap_{col}"]) == pytest.approx(want, abs=tol)
            assert year.loc[name, f"gap_{col}"] == pytest.approx(want, abs=tol)
            assert grp[f"cum_gap_{col}"].iloc[-1] == pytest.approx(want, abs=tol)


# --------------------------------------------------------------------------- exceptions


def test_exceptions_below_budget_and_the_demand_review_hook() -> None:
    s, r = _monthly([[10, 10]], price=2)
    budget = _budget([("F0", "2027-01", 12, 24), ("F0", "2027-02", 10, 20)])
    gap = budget_gap(plan_money(s, r), budget)
    ex = meeting_exceptions(s, r, gap, demand_review_signed_off=False)
    assert list(ex.columns) == list(EXCEPTION_COLUMNS)
    assert ex["kind"].tolist() == ["demand_review_open", "below_budget"]
    assert ex.iloc[1].to_dict() == {
        "kind": "below_budget",
        "family": "F0",
        "period": "2027-01",
        "message": "F0 in 2027-01: sells 10 units, 2 (17%) below the budget of 12; revenue "
        "$20 is $4 below the budget of $24 (cumulative gap −2 units, −$4).",
        "stake": pytest.approx(4.0),  # the revenue below the budget
    }
    assert math.isnan(ex.iloc[0]["stake"])  # an open review is worth no sum
    # within the tolerance, and once the review is signed off: nothing to say
    assert meeting_exceptions(s, r, gap, budget_tolerance=0.2).empty


def test_exceptions_against_a_business_plan_or_none() -> None:
    s, r = _monthly([[10, 10]], price=2)
    budget = _budget([("F0", "2027-01", 12, 24), ("F0", "2027-02", 10, 20)])
    against = exceptions_against(s, r, budget)
    assert against["kind"].tolist() == ["below_budget"]  # the gap is computed for it
    assert exceptions_against(s, r, budget.iloc[0:0]).empty  # no budget: nothing below it


def test_exception_for_a_family_missing_from_the_budget() -> None:
    s, r = _monthly([[10], [5]])
    gap = budget_gap(plan_money(s, r), _budget([("F0", "2027-01", 10, 0)]))
    ex = meeting_exceptions(s, r, gap)
    assert ex[["kind", "family"]].values.tolist() == [["not_in_budget", "F1"]]


def test_exception_for_stock_above_its_target() -> None:
    # one worker, 10 units a period: 15 in period 2 needs 5 built ahead in period 1
    # (demand 5), a month of cover above a target of 0, more than the default quarter
    s, r = _monthly([[5, 15]], workers=1, max_subcontract=0)
    ex = meeting_exceptions(s, r)
    assert ex.values.tolist() == [
        [
            "stock_above_target",
            "F0",
            "2027-01",
            "F0 ends 2027-01 with 5 units in stock, 5 above its safety stock target of 0, "
            "1.0 months of this month's demand.",
            5.0,  # 5 units above the target, held a month at $1
        ]
    ]
    assert meeting_exceptions(s, r, stock_tolerance=1.0).empty


def _with_line(demand: list[list[float]], overtime: float) -> object:
    """tiny() with labour to spare and one line of 8 h (plus ``overtime`` h at $2 an
    hour) that every family loads at 1 h a unit: the line binds."""
    base = json.loads(tiny(demand, workforce={"regular_hours_per_worker": 100}).to_json())
    for fam in base["families"]:
        fam["resource_hours"] = {"Line 1": 1}
    base["resources"] = [
        {"name": "Line 1", "hours_available": 8, "overtime_hours_max": overtime,
         "overtime_cost_per_hour": 2}
    ]  # fmt: skip
    return parse_scenario(base)


def test_resource_overtime_is_costed_to_families_by_their_load() -> None:
    s = _with_line([[6], [9]], overtime=10)  # 15 units on 8 h: 7 h of overtime, $14
    m = plan_money(s, solve(s))
    # F0: material 6 + 6/15 of $14; F1: material 9 + 9/15 of $14
    assert m["supply_cost"].tolist() == pytest.approx([6 + 5.6, 9 + 8.4])


def test_exception_for_a_resource_loaded_over_its_hours() -> None:
    s = _with_line([[15]], overtime=3)  # 8 h + 3 h of overtime make 11, 4 are bought in
    ex = meeting_exceptions(s, solve(s))
    assert ex.values.tolist() == [
        [
            "resource_over_capacity",
            "Line 1",
            "1",
            "Line 1 is loaded at 138% in 1: 11 h against 8 h available (3 h of overtime).",
            6.0,  # 3 h above the line's 8 at $2 an hour
        ]
    ]
    assert meeting_exceptions(s, solve(s), utilisation_limit=1.4).empty


def test_exceptions_are_ranked_by_money_at_stake_per_family_over_their_months() -> None:
    ex = pd.DataFrame(
        [
            ("demand_review_open", "", "", "Review open.", math.nan),
            ("stock_above_target", "A", "2027-01", "A high in 01.", 5.0),
            ("below_budget", "B", "2027-02", "B short in 02.", 40.0),
            ("stock_above_target", "A", "2027-02", "A high in 02.", 7.0),
            ("below_budget", "B", "2027-01", "B short in 01.", 10.0),
            ("stock_above_target", "C", "2027-03", "C high in 03.", 30.0),
        ],
        columns=list(EXCEPTION_COLUMNS),
    )
    ranked = ranked_exceptions(ex)
    assert list(ranked.columns) == list(RANKED_COLUMNS)
    assert ranked[["kind", "family", "months"]].values.tolist() == [
        ["below_budget", "B", "2027-01 – 2027-02 (2 months)"],  # $50
        ["stock_above_target", "C", "2027-03"],  # $30
        ["stock_above_target", "A", "2027-01 – 2027-02 (2 months)"],  # $12
        ["demand_review_open", "", ""],  # no sum: last
    ]
    assert ranked["stake"].tolist()[:3] == [50.0, 30.0, 12.0]
    assert math.isnan(ranked["stake"].iloc[3])
    assert ranked["message"].tolist()[:3] == [
        "2 months; the largest: B short in 02.",
        "C high in 03.",
        "2 months; the largest: A high in 02.",
    ]
    assert ranked_exceptions(ex.iloc[0:0]).empty


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenarios())
def test_money_adds_up_on_random_plans(s) -> None:
    r = solve(s)
    assume(r.optimal)
    m = plan_money(s, r)
    spent = math.fsum(m["supply_cost"]) + math.fsum(m["carrying_cost"])
    shortfall = r.cost_breakdown.get("safety_stock_shortfall", 0.0)
    assert spent + shortfall == pytest.approx(r.total_cost, rel=1e-7, abs=1e-6)
    fam = r.families
    for f in s.families:
        rows, sold = fam[fam["family"] == f.name], m[m["family"] == f.name]
        shipped = rows["demand"].sum() + f.initial_backorder - rows["backorder"].iloc[-1]
        assert sold["sales"].sum() == pytest.approx(shipped, abs=1e-6)
        assert (sold["unit_cost"] >= -1e-9).all() and (sold["inventory_value"] >= -1e-6).all()
    if r.kpis["revenue"] is not None:
        assert math.fsum(m["revenue"].dropna()) == pytest.approx(r.kpis["revenue"], abs=1e-6)


def test_excel_dates_are_months_and_bad_cells_are_named(tmp_path: Path) -> None:
    import datetime as dt

    frame = pd.DataFrame(
        {
            "family": ["A", "A"],
            "period": [dt.datetime(2027, 1, 1), dt.datetime(2027, 2, 28)],
            "units": [10, "ten"],
            "revenue": [100, 200],
        }
    )
    path = tmp_path / "budget.xlsx"
    frame.to_excel(path, index=False)
    with pytest.raises(InputError) as exc:
        read_business_plan(path)
    assert [str(p) for p in exc.value.problems] == [
        "row 3, column units: must be a number ≥ 0, got 'ten'"
    ]
    frame.loc[1, "units"] = 20
    frame.to_excel(path, index=False)
    assert read_business_plan(path)["period"].tolist() == ["2027-01", "2027-02"]
    with pytest.raises(InputError, match=r"no such file; give a \.csv or \.xlsx business plan"):
        read_business_plan(tmp_path / "missing.csv")


_cells = st.one_of(
    st.text(max_size=10),
    st.sampled_from(["", " ", "1e308", "nan", "inf", "-1", "true", "0x10", "1_0", "=1+1"]),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.builds(lambda y, m: f"{y}-{m:02d}", st.integers(1600, 2300), st.integers(0, 13)),
    st.dates().map(str),
)


@st.composite
def _mutated_budget(draw: st.DrawFn) -> bytes:
    """A valid business plan file with a few cells, rows or separators replaced."""
    lines = ["family,period,units,revenue"] + [
        f"{fam},2027-{m:02d},{10 * m},{100 * m}" for fam in ("A", "B") for m in range(1, 13)
    ]
    for _ in range(draw(st.integers(1, 4))):
        i = draw(st.integers(0, len(lines) - 1))
        cols = lines[i].split(",")
        cols[draw(st.integers(0, 3))] = draw(_cells)
        if draw(st.integers(0, 5)) == 0:
            cols.append(draw(_cells))
        lines[i] = ",".join(cols)
    return ("\n".join(lines) + "\n").encode("utf-8", errors="surrogatepass")


@settings(max_examples=80, deadline=None)
@given(_mutated_budget())
def test_any_damaged_business_plan_is_read_or_refused_in_words(data: bytes) -> None:
    try:
        plan = read_business_plan(data, filename="budget.csv")
    except InputError as exc:
        assert exc.problems and all(str(p).strip() for p in exc.problems)
        return
    assert list(plan.columns) == list(BUSINESS_PLAN_COLUMNS)
    assert plan["period"].str.fullmatch(r"\d{4}-\d{2}").all()
    values = plan[["units", "revenue"]].to_numpy(float)
    assert np.isfinite(values).all() and (values >= 0).all()
    assert not plan.duplicated(["family", "period"]).any()
