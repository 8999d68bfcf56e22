"""The family S&OP sheet on a case small enough to check by hand."""

from __future__ import annotations

import math
import re

import pandas as pd
import pytest

from sop_core.base.errors import InputError
from sop_core.demand.history import validate_history
from sop_core.process.sop_sheet import (
    ACTUALS_COLUMNS,
    SHEET_COLUMNS,
    SHEET_ROWS,
    balance_statement,
    read_actuals,
    sheet_display,
    sheet_table,
    sop_sheet,
)

NAN = float("nan")


def _history() -> pd.DataFrame:
    # family A sold 10, 12 and 8 in January to March (two SKUs in February)
    raw = pd.DataFrame(
        [
            ("2027-01", "A", "a1", 10),
            ("2027-02", "A", "a1", 7),
            ("2027-02", "A", "a2", 5),
            ("2027-03", "A", "a1", 8),
            ("2027-03", "A", "a2", 0),
            ("2027-01", "A", "a2", 0),
        ],
        columns=["period", "family", "sku", "demand"],
    )
    return validate_history(raw)


def _plan() -> pd.DataFrame:
    return pd.DataFrame(
        [("A", "2027-04", 10, 15, 5, 0), ("A", "2027-05", 20, 15, 0, 0)],
        columns=["family", "period", "demand", "production", "inventory", "backorder"],
    )


def _plan_with_subcontracting() -> pd.DataFrame:
    # starts with 100 in stock: April makes 397.3551 and buys 100.25 in against a
    # forecast of 234.6 (263.0051 more in stock); May is 500 short (136.9949 owed)
    rows = [
        ("A", "2027-04", 234.6, 397.3551, 100.25, 363.0051, 0.0),
        ("A", "2027-05", 2000.0, 1500.0, 0.0, 0.0, 136.9949),
    ]
    cols = ["family", "period", "demand", "production", "subcontract", "inventory", "backorder"]
    return pd.DataFrame(rows, columns=cols)


def _past_plans() -> pd.DataFrame:
    rows = [
        ("2026-12", "A", "2027-01", 11, 11, 1, 0),
        ("2026-12", "A", "2027-02", 11, 11, 1, 0),
        ("2026-12", "A", "2027-03", 11, 11, 1, 0),
        ("2027-02", "A", "2027-03", 9, 8, 2, 1),  # made later, before March: it counts
        ("2027-03", "A", "2027-03", 100, 100, 0, 0),  # made in March itself: too late
    ]
    cols = ["plan", "family", "period", "demand", "production", "inventory", "backorder"]
    return pd.DataFrame(rows, columns=cols)


def _actuals() -> pd.DataFrame:
    return read_actuals(
        b"family,period,production,inventory,backlog\nA,2027-02,12,3,0\n", filename="a.csv"
    )


def test_the_sheet_by_hand() -> None:
    sheet = sop_sheet(_history(), _plan(), past_plans=_past_plans(), actuals=_actuals())
    assert list(sheet.columns) == list(SHEET_COLUMNS)
    assert sheet["period"].tolist() == ["2027-01", "2027-02", "2027-03", "2027-04", "2027-05"]
    assert sheet["phase"].tolist() == ["past"] * 3 + ["plan"] * 2

    def col(name: str) -> list[float]:
        return sheet[name].tolist()

    assert col("forecast") == [11, 11, 9, 10, 20]
    assert col("actual_sales")[:3] == [10, 12, 8]
    assert all(math.isnan(x) for x in col("actual_sales")[3:])
    assert col("difference")[:3] == [-1, 1, -1]
    assert col("cum_difference")[:3] == [-1, 0, -1]
    assert col("production_plan") == [11, 11, 8, 15, 15]
    assert col("inventory_plan") == [1, 1, 2, 5, 0]
    assert col("backlog_plan") == [0, 0, 1, 0, 0]
    assert col("production_actual")[1] == 12 and math.isnan(col("production_actual")[0])
    assert col("inventory_actual")[1] == 3
    # cover: stock ÷ (the next month's forecast per day); actual stock when known
    expected = [1 / (11 / 28), 3 / (9 / 31), 2 / (10 / 30), 5 / (20 / 31), 0 / (20 / 31)]
    assert col("days_of_cover") == pytest.approx(expected)


def test_days_of_cover_is_stock_over_the_next_months_daily_forecast() -> None:
    # 310 units at the end of April; May's forecast is 620 over 31 days = 20 a day, so
    # the stock lasts 310 ÷ 20 = 15.5 days; May (the last month) against itself: 155 ÷
    # (620 ÷ 31) = 7.75 days; a month without a forecast after it has no cover
    plan = pd.DataFrame(
        [("A", "2027-04", 300, 0, 310, 0), ("A", "2027-05", 620, 0, 155, 0)],
        columns=["family", "period", "demand", "production", "inventory", "backorder"],
    )
    sheet = sop_sheet(_history(), plan, past_months=1)
    assert sheet["days_of_cover"].tolist()[1:] == pytest.approx([15.5, 7.75])
    assert math.isnan(sheet["days_of_cover"].tolist()[0])  # March: nothing planned
    shown = sheet_display(sheet, "A").loc["Days of cover"].tolist()
    assert shown == ["", "16", "8"]  # whole days, not 0


def test_the_sheet_as_people_read_it_has_whole_units_and_blanks() -> None:
    sheet = sop_sheet(
        _history(), _plan_with_subcontracting(), past_plans=_past_plans(), actuals=_actuals()
    )
    shown = sheet_display(sheet, "A")
    numbers = sheet_table(sheet, "A")
    assert shown.index.tolist() == numbers.index.tolist() == [l for _, l in SHEET_ROWS]
    assert shown.columns.tolist() == numbers.columns.tolist()
    cells = [c for row in shown.to_numpy() for c in row]
    assert all(isinstance(c, str) for c in cells)
    assert not any(c in ("None", "nan", "NaN", "<NA>") for c in cells)
    assert all(re.fullmatch(r"(−?\d{1,3}(,\d{3})*)?", c) for c in cells), cells  # whole
    assert shown.loc["Forecast", "2027-05"] == "2,000"  # thousands separated
    assert shown.loc["Forecast", "2027-04"] == "235"  # 234.6, to the unit
    assert shown.loc["Production plan", "2027-04"] == "397"  # not 397.3551
    assert shown.loc["Subcontracting plan"].tolist() == ["", "", "", "100", "0"]
    assert shown.loc["Production actual", "2027-01"] == ""  # no actual: blank, not None
    assert shown.loc["Difference (actual − forecast)", "2027-01"] == "−1"
    assert shown.loc["Backlog plan", "2027-05"] == "137"
    # the numbers stay numbers for computing
    assert numbers.loc["Production plan", "2027-04"] == pytest.approx(397.3551)
    assert numbers.loc["Subcontracting plan", "2027-05"] == 0.0
    with pytest.raises(InputError, match="'B' is not in the sheet"):
        sheet_display(sheet, "B")


def test_the_plans_months_balance() -> None:
    # production + subcontracting − forecast = Δ inventory − Δ backlog, from 100 in stock
    sheet = sop_sheet(_history(), _plan_with_subcontracting())
    plan = sheet[sheet["phase"] == "plan"]
    supply = plan["production_plan"] + plan["subcontract_plan"] - plan["forecast"]
    stock = plan["inventory_plan"] - plan["backlog_plan"]
    change = stock.diff().fillna(stock.iloc[0] - 100.0)
    assert supply.tolist() == pytest.approx(change.tolist())


def test_the_statement_says_the_plan_adds_up_from_its_opening_stock() -> None:
    # made 1,897.3551 + bought 100.25 − sold 2,234.6 = −236.9949: stock 100 → 0 and
    # backlog 0 → 136.9949, a change of −100 − 136.9949
    sheet = sop_sheet(_history(), _plan_with_subcontracting())
    said = balance_statement(sheet, "A", opening_inventory=100.0, opening_backlog=0.0)
    assert said == (
        "It adds up over the 2 months: production 1,897 + subcontracting 100 − demand "
        "2,235 = −237 units; inventory went from 100 to 0 (−100) and backlog from 0 to "
        "137 (+137)."
    )
    # from another opening stock it cannot: the statement says by how much
    off = balance_statement(sheet, "A", opening_inventory=90.0, opening_backlog=0.0)
    assert off.startswith("It does not add up over the 2 months, by 10 units: ")
    # the plan's inventory target is carried as the sheet's row
    targeted = sop_sheet(_history(), _plan().assign(safety_stock=[4.0, 6.0]))
    assert targeted["inventory_target"].tolist()[3:] == [4.0, 6.0]
    assert sop_sheet(_history(), _plan())["inventory_target"].isna().all()
    with pytest.raises(InputError, match="'B' is not in the sheet"):
        balance_statement(sheet, "B", opening_inventory=0.0, opening_backlog=0.0)


def test_without_past_plans_or_actuals_the_past_is_sales_only() -> None:
    sheet = sop_sheet(_history(), _plan(), past_months=2)
    assert sheet["period"].tolist() == ["2027-02", "2027-03", "2027-04", "2027-05"]
    assert sheet["actual_sales"].tolist()[:2] == [12, 8]
    assert sheet["forecast"].isna().tolist() == [True, True, False, False]
    assert sheet["cum_difference"].isna().all()  # nothing to compare with
    assert sheet["production_actual"].isna().all()
    assert sheet["days_of_cover"].tolist()[2:] == pytest.approx([5 / (20 / 31), 0])


def test_the_running_difference_stops_at_a_month_without_sales() -> None:
    history = _history()
    history = history[history["period"] != pd.Timestamp("2027-02-01")]
    sheet = sop_sheet(history, _plan(), past_plans=_past_plans())
    cum = sheet["cum_difference"].tolist()
    assert cum[0] == -1 and math.isnan(cum[1]) and math.isnan(cum[2])


def test_sheet_table_is_the_displayed_layout() -> None:
    sheet = sop_sheet(_history(), _plan(), past_plans=_past_plans(), actuals=_actuals())
    table = sheet_table(sheet, "A")
    assert table.index.tolist() == [label for _, label in SHEET_ROWS]
    assert table.columns.tolist() == ["2027-01", "2027-02", "2027-03", "2027-04", "2027-05"]
    assert table.loc["Difference (actual − forecast)", "2027-02"] == 1
    with pytest.raises(InputError, match=r"family: 'B' is not in the sheet \(known: 'A'\)"):
        sheet_table(sheet, "B")


def test_bad_inputs_say_what_to_fix() -> None:
    with pytest.raises(InputError, match=r"plan: missing column.*backorder"):
        sop_sheet(_history(), _plan().drop(columns="backorder"))
    twice = _past_plans().drop(columns="plan")
    with pytest.raises(InputError, match="past_plans: family 'A', period 2027-03 appears more"):
        sop_sheet(_history(), _plan(), past_plans=twice)
    weekly = validate_history(
        pd.DataFrame({"period": ["2027-01-04", "2027-01-11"], "family": "A", "demand": [1, 2]})
    )
    with pytest.raises(InputError, match="history: the S&OP sheet is monthly"):
        sop_sheet(weekly, _plan())
    with pytest.raises(InputError, match="the S&OP sheet is monthly: must be YYYY-MM, got 'Jan'"):
        sop_sheet(_history(), _plan().assign(period=["Jan", "Feb"]))


def test_actuals_are_validated_like_every_upload() -> None:
    with pytest.raises(InputError) as exc:
        read_actuals(b"family,period,production,inventory\nA,2027-01,1,1\n", filename="actuals.csv")
    assert [str(p) for p in exc.value.problems] == [
        "columns: missing column 'backlog'; the actuals needs columns family, period, "
        "production, inventory, backlog, found: family, period, production, inventory"
    ]
    with pytest.raises(InputError) as exc:
        read_actuals(
            b"family,period,production,inventory,backlog\nA,2027-01,x,1,-1\n", filename="a.csv"
        )
    assert [str(p) for p in exc.value.problems] == [
        "row 2, column production: must be a number ≥ 0, got 'x'",
        "row 2, column backlog: must be a number ≥ 0, got '-1'",
    ]
    assert list(_actuals().columns) == list(ACTUALS_COLUMNS)
