"""The business plan (the annual budget) and the plan in money: the gap between them and
the exceptions a meeting has to see.

Frames (long format, one row per family and month; ``period`` is the month as "YYYY-MM",
as the plan's period labels are written):

:data:`BUSINESS_PLAN_COLUMNS` — the business plan, as read by :func:`read_business_plan`::

    family   str     product family
    period   str     month, "YYYY-MM"
    units    float   units the budget sells in the month, ≥ 0
    revenue  float   revenue the budget expects in the month [$], ≥ 0

:data:`MONEY_COLUMNS` — the plan in money, from :func:`plan_money`::

    family, period
    sales          units shipped: demand + backlog before − backlog after
                   (the backlog is served first in, first out)
    price          [$ / unit] (NaN: the family has no price)
    revenue        sales × price [$] (NaN without a price)
    supply_cost    what the month's supply of the family costs [$] (rule below)
    unit_cost      the family's cost per unit supplied over the horizon [$ / unit]
    cost_of_goods  sales × unit_cost [$]
    gross_margin   revenue − cost_of_goods [$]
    carrying_cost  holding + backorder costs of the family in the month [$]
    inventory      units in stock at the end of the month
    inventory_value  inventory × unit_cost [$]

**Cost of goods, the rule.** The plan's costs are split over families and months as they
arise: materials (material cost × units made) and subcontracting (price × units bought)
belong to their family; the workforce's cost of a month (regular pay of the workers
employed, overtime, hiring and layoffs) is split over the families by their share of the
labour hours used that month (labour hours per unit × units made; equally when nothing
is made); a resource's overtime by each family's share of its load. That is the month's
``supply_cost``. A family's ``unit_cost`` is its supply cost over the horizon ÷ the units
it supplied (made + bought); when it supplies nothing, its material cost plus its labour
hours at the regular rate (regular pay ÷ regular hours per worker). Cost of goods and
inventory are valued at that unit cost. Holding and backorder costs are period costs
(``carrying_cost``), not cost of goods, and the safety-stock shortfall penalty is a
planning device, not money spent: so Σ supply_cost + Σ carrying_cost + the shortfall
penalty = the plan's total cost.

:data:`GAP_COLUMNS` — the gap to the business plan, from :func:`budget_gap`::

    family, period
    plan_units, budget_units, gap_units          gap = plan − budget (negative: below)
    cum_gap_units                                the gap summed from the first month
    plan_revenue, budget_revenue, gap_revenue, cum_gap_revenue   the same in $

:data:`EXCEPTION_COLUMNS` — what the meeting must see, from :func:`meeting_exceptions`::

    kind     below_budget | stock_above_target | resource_over_capacity |
             demand_review_open | not_in_budget (in words: :data:`EXCEPTION_NAMES`)
    family   the family (or the resource, for resource_over_capacity; "" when none)
    period   the month ("" when none)
    message  the exception in plain words, with its figures
    stake    the money at stake in that month, $ (NaN when it has none): the revenue
             below the business plan; the carrying cost (holding $ / unit / period) of
             the stock above its target; the overtime cost of a resource's hours above
             its capacity

:func:`ranked_exceptions` groups them per kind and family (or resource) over their
months, largest money at stake first (:data:`RANKED_COLUMNS`): what the meeting pack
and the Home page show.
"""

from __future__ import annotations

import io
import math
from itertools import pairwise
from pathlib import Path
from typing import IO, Any

import numpy as np
import pandas as pd

from sop_core.base.errors import InputError, Problem
from sop_core.base.fields import MISSING
from sop_core.demand.history import MAX_BYTES
from sop_core.engine.kpis import money, units
from sop_core.engine.results import PlanResult
from sop_core.model.scenario import Scenario
from sop_core.process.monthly import is_month_label, read_monthly_table, validate_monthly_table

BUSINESS_PLAN_COLUMNS = ("family", "period", "units", "revenue")
MONEY_COLUMNS = (
    "family",
    "period",
    "sales",
    "price",
    "revenue",
    "supply_cost",
    "unit_cost",
    "cost_of_goods",
    "gross_margin",
    "carrying_cost",
    "inventory",
    "inventory_value",
)
GAP_COLUMNS = (
    "family",
    "period",
    "plan_units",
    "budget_units",
    "gap_units",
    "cum_gap_units",
    "plan_revenue",
    "budget_revenue",
    "gap_revenue",
    "cum_gap_revenue",
)
ANNUAL_GAP_COLUMNS = (
    "family",
    "plan_units",
    "budget_units",
    "gap_units",
    "plan_revenue",
    "budget_revenue",
    "gap_revenue",
)
EXCEPTION_COLUMNS = ("kind", "family", "period", "message", "stake")
RANKED_COLUMNS = ("kind", "family", "months", "stake", "message")
#: each kind of exception, as people read it
EXCEPTION_NAMES: dict[str, str] = {
    "demand_review_open": "Demand review open",
    "below_budget": "Below budget",
    "stock_above_target": "Stock above target",
    "resource_over_capacity": "Resource over 100 %",
    "not_in_budget": "Not in the budget",
}
EXCEPTION_KINDS = tuple(EXCEPTION_NAMES)


# --------------------------------------------------------------------------- reading


def read_business_plan(
    source: str | Path | bytes | IO[bytes],
    *,
    filename: str | None = None,
    max_bytes: int = MAX_BYTES,
) -> pd.DataFrame:
    """Read and validate a business plan from a .csv or .xlsx file (first sheet).

    The file has a header row with columns family, period, units, revenue (case and
    surrounding spaces ignored, other columns ignored), then one row per family and
    month. Rows are numbered as in a spreadsheet (the header is row 1).

    Returns:
        The validated plan, columns :data:`BUSINESS_PLAN_COLUMNS`.

    Raises:
        InputError: every problem, each naming the row, the column, the value and the fix.
    """
    return read_monthly_table(
        source, BUSINESS_PLAN_COLUMNS[2:], "business plan", filename=filename, max_bytes=max_bytes
    )


def validate_business_plan(raw: pd.DataFrame, *, first_row: int = 2) -> pd.DataFrame:
    """Validate a raw business plan table (cells as text, numbers or dates); see
    :func:`sop_core.process.monthly.validate_monthly_table` for the checks and messages.

    Returns:
        Columns :data:`BUSINESS_PLAN_COLUMNS`, sorted by family and period.
    """
    return validate_monthly_table(
        raw, BUSINESS_PLAN_COLUMNS[2:], "business plan", first_row=first_row
    )


def business_plan_template(scenario: Scenario) -> pd.DataFrame:
    """A business plan to fill in: the scenario's families and months, units prefilled
    with the plan's demand and revenue with demand × price (0 without a price).

    Raises:
        InputError: when the scenario's periods are not months ("YYYY-MM").
    """
    labels = scenario.period_labels
    bad = [p for p in labels if not is_month_label(p)]
    if bad:
        raise InputError(
            Problem(
                "periods",
                f"a business plan is monthly; the scenario's periods must be months "
                f"(YYYY-MM), got {bad[0]!r}",
            )
        )
    rows = [
        {
            "family": f.name,
            "period": label,
            "units": float(d),
            "revenue": float(d) * (f.price or 0.0),
        }
        for f in scenario.families
        for label, d in zip(labels, f.demand, strict=True)
    ]
    return pd.DataFrame(rows, columns=list(BUSINESS_PLAN_COLUMNS))


def write_business_plan(plan: pd.DataFrame, filename: str = "business_plan.csv") -> bytes:
    """A business plan (or its template) as the bytes of a .csv or .xlsx file that
    :func:`read_business_plan` reads back."""
    frame = plan[list(BUSINESS_PLAN_COLUMNS)]
    if Path(filename).suffix.lower() == ".xlsx":
        buf = io.BytesIO()
        with pd.ExcelWriter(buf, engine="openpyxl") as writer:
            frame.to_excel(writer, sheet_name="Business plan", index=False)
        return buf.getvalue()
    return frame.to_csv(index=False).encode("utf-8")


# --------------------------------------------------------------------------- the plan in money


def plan_money(scenario: Scenario, result: PlanResult) -> pd.DataFrame:
    """The plan in money per family and month (columns :data:`MONEY_COLUMNS`; the rule
    for cost of goods is in the module docstring).

    Raises:
        ValueError: when ``result`` is not an optimal plan (there is nothing to value).
    """
    if not result.optimal:
        raise ValueError(f"only an optimal plan has money figures (status {result.status})")
    fam, per = result.families, result.periods
    T, names = len(per), scenario.family_names
    F = len(names)
    if list(dict.fromkeys(fam["family"])) != names or list(per["period"]) != (
        scenario.period_labels
    ):
        raise ValueError("the plan was not made from this scenario (families or periods differ)")
    wf = scenario.workforce
    made = fam["production"].to_numpy(float).reshape(F, T)
    bought = fam["subcontract"].to_numpy(float).reshape(F, T)
    stock = fam["inventory"].to_numpy(float).reshape(F, T)
    backlog = fam["backorder"].to_numpy(float).reshape(F, T)
    demand = fam["demand"].to_numpy(float).reshape(F, T)
    by = {f.name: f for f in scenario.families}
    fams = [by[n] for n in names]
    before = np.column_stack([[f.initial_backorder for f in fams], backlog[:, :-1]])
    sales = demand + before - backlog

    hours = np.array([f.labor_hours_per_unit for f in fams])[:, None] * made
    labour = (
        per["workforce"].to_numpy(float) * wf.regular_cost_per_worker
        + per["overtime_hours"].to_numpy(float) * wf.overtime_cost_per_hour
        + per["hires"].to_numpy(float) * wf.hire_cost
        + per["layoffs"].to_numpy(float) * wf.layoff_cost
    )
    supply = (
        np.array([f.material_cost for f in fams])[:, None] * made
        + np.array([f.subcontract_cost for f in fams])[:, None] * bought
        + _shares(hours) * labour[None, :]
    )
    res = result.resources
    for j, r in enumerate(scenario.resources):
        k = np.array([f.resource_hours.get(r.name, 0.0) for f in fams])[:, None]
        overtime = res["overtime_hours"].to_numpy(float)[j * T : (j + 1) * T]
        supply += _shares(k * made) * (overtime * r.overtime_cost_per_hour)[None, :]

    supplied = (made + bought).sum(axis=1)
    standard = np.array(
        [f.material_cost + f.labor_hours_per_unit * _hour_rate(scenario) for f in fams]
    )
    unit_cost = np.where(
        supplied > 1e-9, supply.sum(axis=1) / np.where(supplied > 1e-9, supplied, 1.0), standard
    )
    price = np.array([np.nan if f.price is None else f.price for f in fams])
    revenue = sales * price[:, None]
    cogs = sales * unit_cost[:, None]
    carrying = (
        np.array([f.holding_cost for f in fams])[:, None] * stock
        + np.array([f.backorder_cost for f in fams])[:, None] * backlog
    )
    return pd.DataFrame(
        {
            "family": np.repeat(names, T),
            "period": list(per["period"]) * F,
            "sales": sales.ravel(),
            "price": np.repeat(price, T),
            "revenue": revenue.ravel(),
            "supply_cost": supply.ravel(),
            "unit_cost": np.repeat(unit_cost, T),
            "cost_of_goods": cogs.ravel(),
            "gross_margin": (revenue - cogs).ravel(),
            "carrying_cost": carrying.ravel(),
            "inventory": stock.ravel(),
            "inventory_value": (stock * unit_cost[:, None]).ravel(),
        },
        columns=list(MONEY_COLUMNS),
    )


def _shares(load: np.ndarray) -> np.ndarray:
    """(F, T) each family's share of a period's load; equal shares when nothing loads."""
    total = load.sum(axis=0)
    even = np.full_like(load, 1.0 / load.shape[0])
    return np.where(total[None, :] > 1e-9, load / np.where(total > 1e-9, total, 1.0), even)


def _hour_rate(scenario: Scenario) -> float:
    wf = scenario.workforce
    return wf.regular_cost_per_worker / wf.regular_hours_per_worker


# --------------------------------------------------------------------------- the gap


def budget_gap(plan: pd.DataFrame, budget: pd.DataFrame) -> pd.DataFrame:
    """The gap to the business plan per family and month (columns :data:`GAP_COLUMNS`).

    Args:
        plan: the plan in money (:func:`plan_money`: family, period, sales, revenue).
        budget: the business plan (:data:`BUSINESS_PLAN_COLUMNS`).

    Months and families in both only: the plan's horizon cut to the months the budget
    covers (:func:`meeting_exceptions` names the families the budget lacks). The
    cumulative gap runs over the months in order, per family.
    """
    # plain arrays and a dict rather than a merge and a groupby: the page shows this
    # on every run, and pandas' overhead is most of the time at these sizes
    budget_at = {
        key: i
        for i, key in enumerate(
            zip(budget["family"].to_numpy(object), budget["period"].to_numpy(object), strict=True)
        )
    }
    fam, per = plan["family"].to_numpy(object), plan["period"].to_numpy(object)
    pairs = [(i, budget_at.get(key)) for i, key in enumerate(zip(fam, per, strict=True))]
    pairs.sort(key=lambda ij: (fam[ij[0]], per[ij[0]]))
    take = np.array([i for i, j in pairs if j is not None], dtype=int)
    give = np.array([j for _, j in pairs if j is not None], dtype=int)
    out = {
        "family": fam[take],
        "period": per[take],
        "plan_units": plan["sales"].to_numpy(float)[take],
        "budget_units": budget["units"].to_numpy(float)[give],
        "plan_revenue": plan["revenue"].to_numpy(float)[take],
        "budget_revenue": budget["revenue"].to_numpy(float)[give],
    }
    out["gap_units"] = out["plan_units"] - out["budget_units"]
    out["gap_revenue"] = out["plan_revenue"] - out["budget_revenue"]
    starts = _group_starts(out["family"])
    for col in ("units", "revenue"):  # a running sum per family (NaN stays NaN onwards)
        out[f"cum_gap_{col}"] = _group_cumsum(out[f"gap_{col}"], starts)
    return pd.DataFrame(out, columns=list(GAP_COLUMNS))


def _group_starts(keys: np.ndarray) -> np.ndarray:
    """Where each run of equal ``keys`` starts (``keys`` sorted)."""
    if not len(keys):
        return np.zeros(0, dtype=int)
    change = np.ones(len(keys), dtype=bool)
    change[1:] = keys[1:] != keys[:-1]
    return np.flatnonzero(change)


def _group_cumsum(values: np.ndarray, starts: np.ndarray) -> np.ndarray:
    bounds = [*starts.tolist(), len(values)]
    parts = [np.cumsum(values[a:b]) for a, b in pairwise(bounds)]
    return np.concatenate(parts) if parts else np.zeros(0)


def annual_gap(gap: pd.DataFrame) -> pd.DataFrame:
    """Per family, the plan, the budget and their difference over all months of ``gap``
    (columns :data:`ANNUAL_GAP_COLUMNS`), each total summed from the monthly figures
    (revenue NaN for a family without a price)."""
    fam = gap["family"].to_numpy(object)
    if len(fam) > 1 and not bool(np.all(fam[1:] >= fam[:-1])):
        gap = gap.sort_values("family", kind="stable")
        fam = gap["family"].to_numpy(object)
    starts = _group_starts(fam)
    out: dict[str, np.ndarray] = {"family": fam[starts]}
    for col in ("plan_units", "budget_units", "plan_revenue", "budget_revenue"):
        values = gap[col].to_numpy(float)
        out[col] = np.add.reduceat(values, starts) if len(values) else np.zeros(0)
    out["gap_units"] = out["plan_units"] - out["budget_units"]
    out["gap_revenue"] = out["plan_revenue"] - out["budget_revenue"]
    return pd.DataFrame(out, columns=list(ANNUAL_GAP_COLUMNS))


# --------------------------------------------------------------------------- exceptions


def meeting_exceptions(
    scenario: Scenario,
    result: PlanResult,
    gap: pd.DataFrame | None = None,
    *,
    demand_review_signed_off: bool = True,
    budget_tolerance: float = 0.02,
    stock_tolerance: float = 0.25,
    utilisation_limit: float = 1.0,
) -> pd.DataFrame:
    """The exceptions for the meeting (columns :data:`EXCEPTION_COLUMNS`), in this order:

    - ``demand_review_open``: ``demand_review_signed_off`` is false (the cycle's demand
      review is not signed off yet);
    - ``below_budget``: a family's month sells more than ``budget_tolerance`` (a share
      of the budget) fewer units, or less revenue, than the business plan (``gap``);
    - ``stock_above_target``: a family ends a month with more than its safety stock
      target (the scenario's, as the plan used it) plus ``stock_tolerance`` × that
      month's demand;
    - ``resource_over_capacity``: a resource's load is above ``utilisation_limit`` ×
      its available hours (the plan's rough-cut load: it needs overtime);
    - ``not_in_budget``: a family of the plan with no row in the business plan (only
      with a ``gap``).

    Each row's ``stake`` is its money at stake (the module docstring).
    """
    rows: list[dict[str, Any]] = []
    if not demand_review_signed_off:
        rows.append(
            _row(
                "demand_review_open",
                "",
                "",
                "The demand review is not signed off: this plan rests on a forecast that "
                "sales and marketing have not agreed yet.",
            )
        )
    if gap is not None:
        rows += _below_budget(gap, budget_tolerance)
    if result.optimal:
        holding = {f.name: f.holding_cost for f in scenario.families}
        rows += _stock_above_target(result.families, stock_tolerance, holding)
        rate = {r.name: r.overtime_cost_per_hour for r in scenario.resources}
        rows += _over_capacity(result.resources, utilisation_limit, rate)
    if gap is not None:
        budgeted = set(gap["family"])
        for name in scenario.family_names:
            if name not in budgeted:
                rows.append(
                    _row(
                        "not_in_budget",
                        name,
                        "",
                        f"{name} is planned but has no row in the business plan for these "
                        "months: add it to the business plan, or check its name there.",
                    )
                )
    return pd.DataFrame(rows, columns=list(EXCEPTION_COLUMNS))


def _row(
    kind: str, family: str, period: str, message: str, stake: float = math.nan
) -> dict[str, Any]:
    return {"kind": kind, "family": family, "period": period, "message": message, "stake": stake}


def _flagged(frame: pd.DataFrame, mask: np.ndarray) -> list[Any]:
    """The rows of ``frame`` where ``mask`` holds, as tuples with named fields."""
    rows = frame[mask]
    return list(rows.astype(object).itertuples(index=False)) if len(rows) else []


def _below_budget(gap: pd.DataFrame, tolerance: float) -> list[dict[str, Any]]:
    out = []
    units_short = -gap["gap_units"] > tolerance * gap["budget_units"] + 1e-6
    money_short = -gap["gap_revenue"] > tolerance * gap["budget_revenue"] + 1e-6  # NaN: False
    for r in _flagged(gap, (units_short | money_short).to_numpy(bool)):
        short_units = -r.gap_units > tolerance * r.budget_units + 1e-6
        short_money = (
            not math.isnan(r.gap_revenue) and -r.gap_revenue > tolerance * r.budget_revenue + 1e-6
        )
        parts = []
        if short_units:
            share = f" ({-r.gap_units / r.budget_units:.0%})" if r.budget_units > 0 else ""
            parts.append(
                f"sells {units(r.plan_units)} units, {units(-r.gap_units)}{share} below "
                f"the budget of {units(r.budget_units)}"
            )
        if short_money:
            parts.append(
                f"revenue {money(r.plan_revenue)} is {money(-r.gap_revenue)} below the "
                f"budget of {money(r.budget_revenue)}"
            )
        cum = money(r.cum_gap_revenue) if not math.isnan(r.cum_gap_revenue) else MISSING
        out.append(
            _row(
                "below_budget",
                r.family,
                r.period,
                f"{r.family} in {r.period}: {'; '.join(parts)} (cumulative gap "
                f"{units(r.cum_gap_units)} units, {cum}).",
                max(-r.gap_revenue, 0.0) if not math.isnan(r.gap_revenue) else math.nan,
            )
        )
    return out


def _stock_above_target(
    families: pd.DataFrame, tolerance: float, holding: dict[str, float]
) -> list[dict[str, Any]]:
    out = []
    over = families["inventory"] - families["safety_stock"] > tolerance * families["demand"] + 1e-6
    for r in _flagged(families, over.to_numpy(bool)):
        excess = r.inventory - r.safety_stock
        cover = f", {excess / r.demand:.1f} months of this month's demand" if r.demand > 0 else ""
        out.append(
            _row(
                "stock_above_target",
                r.family,
                r.period,
                f"{r.family} ends {r.period} with {units(r.inventory)} units in stock, "
                f"{units(excess)} above its safety stock target of "
                f"{units(r.safety_stock)}{cover}.",
                excess * holding.get(r.family, math.nan),
            )
        )
    return out


def _over_capacity(
    resources: pd.DataFrame, limit: float, overtime_rate: dict[str, float]
) -> list[dict[str, Any]]:
    out = []
    over = resources["load"] > limit * resources["hours_available"] + 1e-6
    for r in _flagged(resources, over.to_numpy(bool)):
        share = (
            f"loaded at {r.load / r.hours_available:.0%}"
            if r.hours_available > 0
            else "loaded with no hours available"
        )
        out.append(
            _row(
                "resource_over_capacity",
                r.resource,
                r.period,
                f"{r.resource} is {share} in {r.period}: {units(r.load)} h against "
                f"{units(r.hours_available)} h available ({units(r.overtime_hours)} h of "
                "overtime).",
                max(r.load - r.hours_available, 0.0) * overtime_rate.get(r.resource, math.nan),
            )
        )
    return out


def exceptions_against(
    scenario: Scenario,
    result: PlanResult,
    budget: pd.DataFrame,
    *,
    demand_review_signed_off: bool = True,
) -> pd.DataFrame:
    """:func:`meeting_exceptions` of the plan, with its gap to the business plan
    ``budget`` (:data:`BUSINESS_PLAN_COLUMNS`; empty: no business plan, so no budget
    exceptions)."""
    gap = None if budget.empty else budget_gap(plan_money(scenario, result), budget)
    return meeting_exceptions(
        scenario, result, gap, demand_review_signed_off=demand_review_signed_off
    )


def _span(periods: list[str]) -> str:
    """The months of a group of exceptions in words: "2027-01", "2027-01 – 2027-06 (6
    months)", "" when none."""
    named = sorted(p for p in periods if p)
    if not named:
        return ""
    if len(named) == 1:
        return named[0]
    return f"{named[0]} – {named[-1]} ({len(named)} months)"


def ranked_exceptions(exceptions: pd.DataFrame) -> pd.DataFrame:
    """:func:`meeting_exceptions` grouped per kind and family (or resource), largest
    money at stake first (columns :data:`RANKED_COLUMNS`).

    A group's ``months`` names its months (:func:`_span`), its ``stake`` is their
    stakes' sum (NaN when none has one: such groups come last, in their order), its
    ``message`` the one month's, or for several "N months: …" with the month of the
    largest stake's message."""
    if exceptions.empty:
        return pd.DataFrame(columns=list(RANKED_COLUMNS))
    rows = []
    for (kind, family), group in exceptions.groupby(["kind", "family"], sort=False):
        stakes = group["stake"].astype(float)
        known = stakes.notna().any()
        worst = group.loc[stakes.idxmax()] if known else group.iloc[0]
        message = worst["message"]
        if len(group) > 1:
            message = f"{len(group)} months; the largest: {message}"
        rows.append(
            {
                "kind": kind,
                "family": family,
                "months": _span(list(group["period"])),
                "stake": float(stakes.sum()) if known else math.nan,
                "message": message,
            }
        )
    out = pd.DataFrame(rows, columns=list(RANKED_COLUMNS))
    order = np.lexsort((np.arange(len(out)), -out["stake"].fillna(-np.inf).to_numpy()))
    return out.iloc[order].reset_index(drop=True)
