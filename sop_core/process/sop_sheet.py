"""The family S&OP sheet: per family, the last months and the horizon, plan against actual.

The practitioners' one-page view of a family: for the ``past_months`` months before the
plan's first month and for every month of the plan, the forecast against actual sales
(their difference and its running sum), production, inventory and backlog as planned
against as they turned out, the units subcontracted as planned (production and
subcontracting are the supply), and the days of cover.

Inputs (``period`` is the month "YYYY-MM" everywhere, as the plan's labels are written):

- ``history``: the sales history (:mod:`sop_core.demand.history`, monthly; SKUs are summed into
  their family): the actual sales.
- ``plan``: the current plan, one row per family and month with columns family, period,
  demand (the forecast the plan uses), production, inventory, backorder and optionally
  subcontract (the columns of :attr:`sop_core.engine.results.PlanResult.families`).
- ``past_plans``: earlier plans' rows, the same columns as ``plan`` plus an optional
  ``plan`` column naming the plan (a cycle's month "YYYY-MM", or any label that sorts in
  the order the plans were made). When several earlier plans give a month, the latest
  plan made before that month counts (the latest of all when none was made before it).
- ``actuals``: optional, what was made and held (:data:`ACTUALS_COLUMNS`, read by
  :func:`read_actuals`).

:data:`SHEET_COLUMNS` — :func:`sop_sheet`'s frame, one row per family and month, past
months first::

    family, period
    phase               "past" (before the plan's first month) or "plan"
    forecast            the demand forecast for the month: the plan's for the horizon,
                        the earlier plan's for a past month (NaN when none gave it)
    actual_sales        units sold (the history; NaN when it has no row)
    difference          actual_sales − forecast (positive: sold more than forecast)
    cum_difference      the difference summed from the first past month (NaN from the
                        first month without one)
    production_plan, production_actual
    subcontract_plan    units bought from subcontractors as planned (NaN when the plan
                        has no subcontract column)
    inventory_plan, inventory_actual      units at the end of the month
    inventory_target    the safety stock the plan aims for at the month's end (NaN when
                        the plan has no safety_stock column)
    backlog_plan, backlog_actual          units owed to customers at the end of the month
    days_of_cover       inventory (actual when known, else planned) ÷ the next month's
                        forecast per calendar day
                        (:func:`sop_core.engine.scorecard.days_of_cover`, the one definition),
                        i.e. inventory ÷ next month's forecast
                        × the next month's days (the month's own forecast and days for the
                        last month); NaN when that forecast is 0 or unknown

In the plan's months the rows balance: production_plan + subcontract_plan − forecast =
Δ inventory_plan − Δ backlog_plan (the plan's demand is its forecast);
:func:`balance_statement` says so for the whole horizon, in words, for a page.

:func:`sheet_table` turns one family's rows into the sheet's layout: the measures of
:data:`SHEET_ROWS` as rows (in that order, with those labels), the months as columns;
:func:`sheet_display` is the same table as people read it (text: units whole with
thousands separators, days of cover in whole days, blank where there is no value).
"""

from __future__ import annotations

import calendar
from pathlib import Path
from typing import IO

import numpy as np
import pandas as pd

from sop_core.base.errors import InputError, Problem
from sop_core.base.fields import show_value
from sop_core.base.text import noun, plural
from sop_core.demand.history import MAX_BYTES, family_totals
from sop_core.engine.scorecard import days_of_cover
from sop_core.process.monthly import is_month_label, read_monthly_table, validate_monthly_table

ACTUALS_COLUMNS = ("family", "period", "production", "inventory", "backlog")
PLAN_COLUMNS = ("family", "period", "demand", "production", "inventory", "backorder")
SHEET_COLUMNS = (
    "family",
    "period",
    "phase",
    "forecast",
    "actual_sales",
    "difference",
    "cum_difference",
    "production_plan",
    "production_actual",
    "subcontract_plan",
    "inventory_plan",
    "inventory_actual",
    "inventory_target",
    "backlog_plan",
    "backlog_actual",
    "days_of_cover",
)
#: The sheet's rows as displayed: (column of :data:`SHEET_COLUMNS`, label).
SHEET_ROWS: tuple[tuple[str, str], ...] = (
    ("forecast", "Forecast"),
    ("actual_sales", "Actual sales"),
    ("difference", "Difference (actual − forecast)"),
    ("cum_difference", "Cumulative difference"),
    ("production_plan", "Production plan"),
    ("production_actual", "Production actual"),
    ("subcontract_plan", "Subcontracting plan"),
    ("inventory_plan", "Inventory plan"),
    ("inventory_actual", "Inventory actual"),
    ("inventory_target", "Inventory target (safety stock)"),
    ("backlog_plan", "Backlog plan"),
    ("backlog_actual", "Backlog actual"),
    ("days_of_cover", "Days of cover"),
)
#: the vocabulary key (:data:`sop_core.base.fields.TERMS`) each row's values are shown as
#: (all units: whole, with thousands separators); days of cover are shown in whole days
ROW_KEYS: dict[str, str] = {
    "forecast": "forecast",
    "actual_sales": "sales",
    "difference": "demand",
    "cum_difference": "demand",
    "production_plan": "production",
    "production_actual": "production",
    "subcontract_plan": "subcontract",
    "inventory_plan": "inventory",
    "inventory_actual": "inventory",
    "inventory_target": "safety_stock",
    "backlog_plan": "backorder",
    "backlog_actual": "backorder",
}


def read_actuals(
    source: str | Path | bytes | IO[bytes],
    *,
    filename: str | None = None,
    max_bytes: int = MAX_BYTES,
) -> pd.DataFrame:
    """Read and validate actual production, inventory and backlog per family and month
    from a .csv or .xlsx file (columns :data:`ACTUALS_COLUMNS`; see
    :mod:`sop_core.process.monthly` for the format and the messages)."""
    return read_monthly_table(
        source, ACTUALS_COLUMNS[2:], "actuals", filename=filename, max_bytes=max_bytes
    )


def validate_actuals(raw: pd.DataFrame, *, first_row: int = 2) -> pd.DataFrame:
    """Validate a raw actuals table (as :func:`read_actuals` does a file's)."""
    return validate_monthly_table(raw, ACTUALS_COLUMNS[2:], "actuals", first_row=first_row)


def _month(label: str) -> pd.Period:
    if not is_month_label(str(label)):
        raise InputError(
            Problem("plan.period", f"the S&OP sheet is monthly: must be YYYY-MM, got {label!r}")
        )
    return pd.Period(label, freq="M")


def _check_columns(frame: pd.DataFrame, wanted: tuple[str, ...], name: str) -> None:
    missing = [c for c in wanted if c not in frame.columns]
    if missing:
        raise InputError(
            Problem(
                name,
                f"missing {noun(len(missing), 'column')} {', '.join(missing)}; "
                f"needs {', '.join(wanted)}",
            )
        )


def monthly_sales(history: pd.DataFrame) -> pd.DataFrame:
    """Actual sales per family and month (columns family, period "YYYY-MM", sales) from a
    validated monthly history.

    Raises:
        InputError: when the history is weekly.
    """
    totals = family_totals(history)
    stamps = pd.DatetimeIndex(totals["period"])
    if len(stamps) and not bool(stamps.is_month_start.all()):
        raise InputError(
            Problem("history", "the S&OP sheet is monthly; upload a monthly sales history")
        )
    return pd.DataFrame(
        {
            "family": totals["family"].to_numpy(),
            "period": stamps.strftime("%Y-%m"),
            "sales": totals["demand"].to_numpy(float),
        }
    )


def _latest_plan(past_plans: pd.DataFrame) -> pd.DataFrame:
    """One row per family and month: the latest plan made before the month (else the
    latest of all); without a ``plan`` column the rows must already be one per month."""
    if "plan" not in past_plans.columns:
        dup = past_plans.duplicated(["family", "period"])
        if dup.any():
            row = past_plans[dup].iloc[0]
            raise InputError(
                Problem(
                    "past_plans",
                    f"family {row['family']!r}, period {row['period']} appears more than "
                    "once; add a plan column saying which plan each row comes from",
                )
            )
        return past_plans
    frame = past_plans.assign(_before=past_plans["plan"].astype(str) < past_plans["period"])
    frame = frame.sort_values(["family", "period", "_before", "plan"], kind="stable")
    return frame.groupby(["family", "period"], sort=False).tail(1).drop(columns="_before")


def sop_sheet(
    history: pd.DataFrame,
    plan: pd.DataFrame,
    *,
    past_plans: pd.DataFrame | None = None,
    actuals: pd.DataFrame | None = None,
    past_months: int = 3,
) -> pd.DataFrame:
    """The S&OP sheet of every family in ``plan`` (columns :data:`SHEET_COLUMNS`; inputs
    and the rules are in the module docstring)."""
    _check_columns(plan, PLAN_COLUMNS, "plan")
    if plan.empty:
        return pd.DataFrame(columns=list(SHEET_COLUMNS))
    month_of = {label: _month(label) for label in pd.unique(plan["period"])}
    plan_months = sorted(month_of.values())
    first = plan_months[0]
    past = [str(first - k) for k in range(past_months, 0, -1)]
    months = past + [str(p) for p in plan_months]
    families = list(dict.fromkeys(plan["family"]))
    grid = pd.DataFrame([(f, m) for f in families for m in months], columns=["family", "period"])
    grid["phase"] = np.where(grid["period"].isin(past), "past", "plan")
    key = ["family", "period"]

    now = _planned(plan).assign(
        period=plan["period"].map({k: str(v) for k, v in month_of.items()}).to_numpy()
    )
    before = now.iloc[0:0]
    if past_plans is not None and not past_plans.empty:
        _check_columns(past_plans, PLAN_COLUMNS, "past_plans")
        earlier = _latest_plan(past_plans[past_plans["period"].isin(past)])
        before = _planned(earlier)
    planned = pd.concat([before, now], ignore_index=True) if len(before) else now
    out = grid.merge(planned, on=key, how="left")

    sales = monthly_sales(history).rename(columns={"sales": "actual_sales"})
    out = out.merge(sales, on=key, how="left")
    if actuals is not None and not actuals.empty:
        _check_columns(actuals, ACTUALS_COLUMNS, "actuals")
        done = actuals[list(ACTUALS_COLUMNS)].rename(
            columns={
                "production": "production_actual",
                "inventory": "inventory_actual",
                "backlog": "backlog_actual",
            }
        )
        out = out.merge(done, on=key, how="left")
    else:
        for c in ("production_actual", "inventory_actual", "backlog_actual"):
            out[c] = np.nan

    out["difference"] = out["actual_sales"] - out["forecast"]
    # the running sum stops (NaN) at the first month without a difference
    gaps = out["difference"].isna().astype(int).groupby(out["family"]).cumsum()
    out["cum_difference"] = out["difference"].groupby(out["family"]).cumsum().where(gaps == 0)

    # the one definition of days of cover (the grid holds every family's months in order)
    shape = (len(families), len(months))
    stock = out["inventory_actual"].fillna(out["inventory_plan"]).to_numpy(float)
    days = np.array([_days(m) for m in months], dtype=float)
    cover = days_of_cover(
        stock.reshape(shape), out["forecast"].to_numpy(float).reshape(shape), days
    ).ravel()
    out["days_of_cover"] = cover
    return out[list(SHEET_COLUMNS)].reset_index(drop=True)


#: a plan's columns -> the sheet's
_PLANNED = {
    "demand": "forecast",
    "production": "production_plan",
    "subcontract": "subcontract_plan",
    "inventory": "inventory_plan",
    "safety_stock": "inventory_target",
    "backorder": "backlog_plan",
}


def _planned(plan: pd.DataFrame) -> pd.DataFrame:
    """A plan's rows in the sheet's columns (family, period, then :data:`_PLANNED`'s);
    subcontract_plan (inventory_target) is NaN when the plan has no subcontract
    (safety_stock) column."""
    out = plan.reindex(columns=["family", "period", *_PLANNED]).rename(columns=_PLANNED)
    return out.reset_index(drop=True)


def _days(period: str) -> int:
    p = pd.Period(period, freq="M")
    return calendar.monthrange(p.year, p.month)[1]


def sheet_table(sheet: pd.DataFrame, family: str) -> pd.DataFrame:
    """One family's sheet as displayed: the labels of :data:`SHEET_ROWS` as the index (in
    that order), the months as columns (past months first).

    Raises:
        InputError: when ``family`` is not in the sheet.
    """
    rows = sheet[sheet["family"] == family]
    if rows.empty:
        known = ", ".join(repr(f) for f in dict.fromkeys(sheet["family"])) or "none"
        raise InputError(Problem("family", f"{family!r} is not in the sheet (known: {known})"))
    table = rows.set_index("period")[[c for c, _ in SHEET_ROWS]].T
    table.index = pd.Index([label for _, label in SHEET_ROWS], name="measure")
    table.columns.name = None
    return table


def show_cell(column: str, value: object) -> str:
    """A value of the sheet's ``column`` as people read it: units whole with thousands
    separators (:func:`sop_core.base.fields.show_value`), days of cover in whole days,
    blank when there is none."""
    if column == "days_of_cover":
        days = pd.to_numeric(value, errors="coerce")
        return f"{days:,.0f}" if np.isfinite(days) else ""  # never negative
    return show_value(ROW_KEYS.get(column, column), value)


def sheet_display(sheet: pd.DataFrame, family: str) -> pd.DataFrame:
    """One family's sheet as people read it: :func:`sheet_table`'s layout, every value
    as text (:func:`show_cell`), blank where there is none. For display only: the
    numbers are :func:`sheet_table`'s.

    Raises:
        InputError: when ``family`` is not in the sheet.
    """
    table = sheet_table(sheet, family)
    shown = table.astype(object)
    for (column, _), label in zip(SHEET_ROWS, table.index, strict=True):
        shown.loc[label] = [show_cell(column, v) for v in table.loc[label]]
    return shown


def balance_statement(
    sheet: pd.DataFrame, family: str, *, opening_inventory: float, opening_backlog: float
) -> str:
    """That ``family``'s plan adds up over its months, in words for its page: production
    + subcontracting − demand = the change in inventory − the change in backlog, from
    the plan's opening stock and backlog (the scenario's initial inventory and backlog)
    to its last month's. Says by how much it does not, should it not (a tolerance of
    half a unit).

    Raises:
        InputError: when ``family`` is not in the sheet.
    """
    rows = sheet[(sheet["family"] == family) & (sheet["phase"] == "plan")]
    if rows.empty:
        sheet_table(sheet, family)  # names the families the sheet has
        return ""
    made = float(rows["production_plan"].sum())
    bought = float(rows["subcontract_plan"].fillna(0.0).sum())
    demand = float(rows["forecast"].sum())
    stock, owed = float(rows["inventory_plan"].iloc[-1]), float(rows["backlog_plan"].iloc[-1])
    flow = made + bought - demand
    change = (stock - opening_inventory) - (owed - opening_backlog)

    def n(x: float) -> str:
        return show_value("inventory", x)

    def signed(x: float) -> str:
        return ("+" if round(x) > 0 else "") + n(x)

    months = plural(len(rows), "month")
    said = (
        f"production {n(made)} + subcontracting {n(bought)} − demand {n(demand)} = "
        f"{signed(flow)} units; inventory went from {n(opening_inventory)} to {n(stock)} "
        f"({signed(stock - opening_inventory)}) and backlog from {n(opening_backlog)} to "
        f"{n(owed)} ({signed(owed - opening_backlog)})"
    )
    if abs(flow - change) <= 0.5:
        return f"It adds up over the {months}: {said}."
    return f"It does not add up over the {months}, by {n(abs(flow - change))} units: {said}."


def changes_since(plan: pd.DataFrame, past_plans: pd.DataFrame) -> pd.DataFrame:
    """What changed since the latest earlier plan (the highest ``plan`` label; all rows
    without the column), per family over the months both plans cover: columns family,
    months, demand_before, demand, production_before, production (units, summed). Empty
    when they share no month."""
    if past_plans is None or past_plans.empty:
        return pd.DataFrame(columns=list(CHANGE_COLUMNS))
    last = past_plans
    if "plan" in past_plans.columns:
        last = past_plans[past_plans["plan"].astype(str) == past_plans["plan"].astype(str).max()]
    keys = ["family", "period"]
    both = plan[[*keys, "demand", "production"]].merge(
        last[[*keys, "demand", "production"]], on=keys, suffixes=("", "_before")
    )
    if both.empty:
        return pd.DataFrame(columns=list(CHANGE_COLUMNS))
    out = both.groupby("family", sort=False).agg(
        months=("period", "nunique"),
        demand_before=("demand_before", "sum"),
        demand=("demand", "sum"),
        production_before=("production_before", "sum"),
        production=("production", "sum"),
    )
    return out.reset_index()[list(CHANGE_COLUMNS)]


CHANGE_COLUMNS = (
    "family",
    "months",
    "demand_before",
    "demand",
    "production_before",
    "production",
)
