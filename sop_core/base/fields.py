"""The vocabulary: one table of every user-facing field (label, unit, kind, help), and
how a value of each kind is shown.

Tiles, tables, downloads, the change log, the audit trail, the meeting pack and the
command line read :data:`TERMS` (through :func:`label`, :func:`header`, :func:`show_value`
and :func:`format_number`), so a field is named and formatted the same everywhere and a
person never meets ``holding_cost``, ``None``, ``nan`` or 397.3551. The tables below
(:data:`WORKFORCE_FIELDS`, :data:`FAMILY_FIELDS`, :data:`POLICY_FIELDS`) are views of it
for the master data; scenario field names are in :mod:`sop_core.model.scenario`.

A value is shown at the precision its kind deserves: units, hours and counts whole,
money to the dollar, a cost per unit to the cent, rates to a tenth of a percent, workers
and factors to two decimals at most. A missing value is blank in a table's cell; where
a blank would read as nothing at all (a tile, a KPI a plan lacks, a figure in a
sentence) it is :data:`MISSING`, the one mark for it.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

Kind = Literal[
    "units",
    "money",
    "rate",
    "price",
    "hours",
    "workers",
    "factor",
    "count",
    "flag",
    "text",
    "days",
]

MINUS = "−"  # U+2212: a minus sign that reads as one in every font
#: what a missing value reads where a blank would not do (a tile, a KPI a plan lacks, a
#: figure in a sentence): U+2013, an en dash
MISSING = "–"


@dataclass(frozen=True)
class Term:
    """One user-facing field: its ``label`` ("Holding cost"), ``unit`` ("$ / unit /
    period", "" for none), how its values are shown (``kind``) and what it means
    (``help``, for a hover)."""

    key: str
    label: str
    unit: str
    kind: Kind
    help: str = ""
    #: a shorter label where room is scarce (a KPI tile at 1280 px), the full one on hover
    short: str = ""


def _terms(*terms: Term) -> dict[str, Term]:
    return {t.key: t for t in terms}


#: Every user-facing field, by its key in the scenario, the plan's tables and the KPIs.
TERMS: dict[str, Term] = _terms(
    # --- the workforce (master data)
    Term("initial", "Workers at the start", "workers", "workers"),
    Term("regular_hours_per_worker", "Regular hours per worker", "h / worker / period", "hours"),
    Term("regular_cost_per_worker", "Regular cost per worker", "$ / worker / period", "price"),
    Term("overtime_cost_per_hour", "Overtime cost", "$ / h", "price"),
    Term(
        "max_overtime_hours_per_worker", "Max overtime per worker", "h / worker / period", "hours"
    ),
    Term("hire_cost", "Hiring cost", "$ / worker", "price"),
    Term("layoff_cost", "Layoff cost", "$ / worker", "price"),
    Term("min_workers", "Workforce floor", "workers (blank: none)", "workers"),
    Term("max_workers", "Workforce ceiling", "workers (blank: none)", "workers"),
    Term("max_hires", "Max hires per period", "workers (blank: none)", "workers"),
    Term("max_layoffs", "Max layoffs per period", "workers (blank: none)", "workers"),
    # --- a product family (master data)
    Term("name", "Family", "", "text"),
    Term("labor_hours_per_unit", "Hours / unit", "h / unit", "factor"),
    Term("material_cost", "Material $ / unit", "$ / unit", "price"),
    Term("holding_cost", "Holding $ / unit / period", "$ / unit / period", "price"),
    Term("backorder_cost", "Backorder $ / unit / period", "$ / unit / period", "price"),
    Term("subcontract_cost", "Subcontract $ / unit", "$ / unit", "price"),
    Term("max_subcontract", "Max subcontract units / period", "units / period", "units"),
    Term("initial_inventory", "Initial inventory", "units", "units"),
    Term("initial_backorder", "Initial backlog", "units", "units"),
    Term("ending_inventory_min", "Min ending inventory", "units", "units"),
    Term("backorders_allowed", "Backlog allowed", "", "flag"),
    Term("price", "Price $ / unit", "$ / unit", "price"),
    Term(
        "safety_stock_shortfall_cost",
        "Below safety stock $ / unit / period (blank: default)",
        "$ / unit / period",
        "price",
    ),
    Term("history_names", "Names in histories", "", "text"),
    Term("needs_review", "Values to review", "", "flag"),
    # --- the policy (master data)
    Term("strategy", "Strategy", "", "text"),
    Term("integer_workforce", "Whole workers", "", "flag"),
    Term("ending_backorders_allowed", "Backlog allowed at the end", "", "flag"),
    Term("frozen_periods", "Frozen periods (time fence)", "periods", "count"),
    # --- the plan, per period
    Term("period", "Period", "", "text"),
    Term("workforce", "Workforce", "workers", "workers"),
    Term("hires", "Hires", "workers", "workers", "Hires (workers)"),
    Term("layoffs", "Layoffs", "workers", "workers", "Layoffs (workers)"),
    Term("overtime_hours", "Overtime", "hours", "hours"),
    Term("regular_hours_available", "Regular hours available", "", "hours"),
    Term("overtime_hours_available", "Overtime hours available", "", "hours"),
    Term("hours_used", "Hours used", "", "hours"),
    Term("labour_hour_value", "Value of one more labour hour", "$", "price"),
    # --- the plan, per family and period
    Term("family", "Family", "", "text"),
    Term("demand", "Demand", "units", "units"),
    Term("production", "Production", "units", "units"),
    Term("subcontract", "Subcontracted", "units", "units"),
    Term("inventory", "Inventory, end of period", "units", "units"),
    Term("backorder", "Backlog, end of period", "units", "units"),
    Term("safety_stock", "Safety stock", "units", "units"),
    Term("below_safety_stock", "Below safety stock", "units", "units"),
    Term("demand_marginal_cost", "Cost of one more unit of demand", "$", "price"),
    # --- the plan, per resource and period
    Term("resource", "Resource", "", "text"),
    Term("hours_available", "Hours available", "hours", "hours"),
    Term("overtime_hours_max", "Max overtime", "hours", "hours"),
    Term("load", "Load", "hours", "hours"),
    Term("utilisation", "Utilisation", "", "rate"),
    Term("hour_value", "Value of one more hour", "$", "price"),
    # --- the costs of a plan (the LP's column blocks' categories)
    Term("regular_labour", "Regular labour", "$", "money"),
    Term("overtime", "Overtime", "$", "money"),
    Term("hiring", "Hiring", "$", "money"),
    Term("materials", "Materials", "$", "money"),
    Term("holding", "Holding stock", "$", "money"),
    Term("backorders", "Backorders", "$", "money"),
    Term("subcontracting", "Subcontracting", "$", "money"),
    Term("safety_stock_shortfall", "Below safety stock", "$", "money"),
    Term("resource_overtime", "Resource overtime", "$", "money"),
    # --- the KPIs (short label for a tile; help: what it means)
    Term("total_cost", "Total cost", "$", "money", "Total cost ($)"),
    Term(
        "fill_rate", "Fill rate", "", "rate", "Fill rate: share of demand served in its own period"
    ),
    Term(
        "average_inventory",
        "Average inventory",
        "units",
        "units",
        "Average inventory (units, end of period)",
        "Avg. inventory",
    ),
    Term("peak_inventory", "Peak inventory", "units", "units", "Peak inventory (units)"),
    Term("peak_backlog", "Peak backlog", "units", "units", "Peak backlog (units)"),
    Term(
        "workforce_changes",
        "Workforce change",
        "workers",
        "workers",
        "Workforce changes: hires + layoffs (workers)",
        "Hires + layoffs",
    ),
    Term("overtime_share", "Overtime share", "", "rate", "Overtime share of hours used"),
    Term("subcontract_share", "Subcontracted", "", "rate", "Subcontracted share of supply"),
    Term("regular_utilisation", "Utilisation", "", "rate", "Utilisation of regular hours"),
    Term("revenue", "Revenue", "$", "money", "Revenue ($, priced families)"),
    Term(
        "margin",
        "Margin",
        "$",
        "money",
        "Margin: revenue − total cost ($, when every family has a price)",
    ),
    Term(
        "safety_stock_met",
        "Safety stock met",
        "",
        "rate",
        "Safety stock met: share of the family-periods with a target that are at or above it",
    ),
    # --- the scorecard of the five aims of S&OP (sop_core.engine.scorecard,
    # sop_core.process.scorecard): help is each measure's definition
    Term("aim", "Aim", "", "text", "The aim of S&OP the measure scores"),
    Term("measure", "Measure", "", "text"),
    Term("target", "Target", "", "text", "What the company wants (the scorecard's targets)"),
    Term("status", "Status", "", "text", "met, not met, or no target set"),
    Term(
        "average_backlog",
        "Average backlog",
        "units",
        "units",
        "Units owed to customers at the end of a period, averaged over the horizon",
        "Backlog",
    ),
    Term(
        "days_of_cover",
        "Days of cover",
        "days",
        "days",
        "Inventory at the end of a month ÷ the next month's demand per calendar day (the "
        "last month: its own), averaged over the months",
        "Cover (days)",
    ),
    Term(
        "inventory_turns",
        "Inventory turns",
        "turns / year",
        "factor",
        "Demand in a year (the horizon's demand per day × 365) ÷ the average inventory at "
        "the end of a period, both in units",
        "Turns",
    ),
    Term(
        "customer_lead_time",
        "Customer lead time",
        "days",
        "days",
        "Average days a customer order waits: average backlog ÷ average demand per day "
        "(Little's law); 0 when nothing is backlogged",
        "Lead time (days)",
    ),
    Term(
        "production_change",
        "Production change",
        "% of mean / period",
        "rate",
        "Average change in production from one period to the next, |P(t) − P(t−1)|, as a "
        "share of the mean production per period",
        "Production",
    ),
    Term(
        "workforce_change",
        "Workforce change per period",
        "% of mean / period",
        "rate",
        "Average change in the workforce from one period to the next, |W(t) − W(t−1)|, as "
        "a share of the mean workforce",
        "Workforce",
    ),
    Term(
        "gross_margin_share",
        "Gross margin %",
        "",
        "rate",
        "Gross margin (revenue − cost of goods) ÷ revenue, over the months the business "
        "plan covers (the horizon without one)",
        "Margin %",
    ),
    # the targets (a scenario's ``targets``, sop_core.model.targets): blank = no target
    Term("targets", "Scorecard targets", "", "text"),
    Term("targets.fill_rate_min", "Fill rate, at least", "", "rate"),
    Term("targets.backlog_max", "Average backlog, at most", "units", "units"),
    Term("targets.cover_days_min", "Days of cover, at least", "days", "days"),
    Term("targets.cover_days_max", "Days of cover, at most", "days", "days"),
    Term("targets.turns_min", "Inventory turns, at least", "turns / year", "factor"),
    Term("targets.lead_time_max", "Customer lead time, at most", "days", "days"),
    Term("targets.production_change_max", "Production change, at most", "% of mean", "rate"),
    Term("targets.workforce_change_max", "Workforce change, at most", "% of mean", "rate"),
    Term(
        "targets.revenue_tolerance",
        "Revenue below the business plan, at most",
        "% of its revenue",
        "rate",
        "How far revenue may fall short of the business plan and still meet it (blank: 0)",
    ),
    Term("targets.margin_min", "Gross margin %, at least", "", "rate"),
    # --- a kept what-if's levers (its ``settings``, sop_core.model.whatif.WhatIf): named
    # "settings.<lever>", as their keys alone name other fields ("overtime" is a cost)
    Term("settings.overtime", "Max overtime per worker", "h / worker / period", "factor"),
    Term("settings.workers_min", "Workforce floor", "workers", "workers"),
    Term("settings.workers_max", "Workforce ceiling", "workers", "workers"),
    Term("settings.safety_months", "Safety stock, months of cover", "months", "factor"),
    Term("settings.strategy", "Strategy", "", "text"),
    Term("settings.aim", "Held at (trade-off aim)", "", "text", "A frontier point's aim"),
    Term("settings.aim_level", "Aim level", "", "factor", "The level the plan is held at"),
    # --- the plan in money (per family and month; sop_core.process.business_plan.plan_money)
    Term("supply_cost", "Supply cost", "$", "money", "What the month's supply of the family costs"),
    Term("unit_cost", "Unit cost", "$ / unit", "price", "Supply cost over the horizon ÷ units"),
    Term("cost_of_goods", "Cost of goods", "$", "money", "Sales × unit cost"),
    Term("gross_margin", "Gross margin", "$", "money", "Revenue − cost of goods"),
    Term("carrying_cost", "Holding + backorder", "$", "money", "Holding and backorder costs"),
    Term("inventory_value", "Inventory value", "$", "money", "Inventory × unit cost"),
    # --- the gap to the business plan (plan − budget, per family and month or over the year)
    Term("plan_units", "Plan units", "units", "units", "Units the plan sells"),
    Term("budget_units", "Budget units", "units", "units", "Units the business plan sells"),
    Term("gap_units", "Gap units", "units", "units", "Plan − business plan; below 0: short"),
    Term("cum_gap_units", "Cumulative gap units", "units", "units", "The gap from the first month"),
    Term("plan_revenue", "Plan revenue", "$", "money", "Revenue of the plan's sales"),
    Term("budget_revenue", "Budget revenue", "$", "money", "Revenue the business plan expects"),
    Term("gap_revenue", "Gap revenue", "$", "money", "Plan − business plan; below 0: short"),
    Term("cum_gap_revenue", "Cumulative gap revenue", "$", "money", "The gap from the first month"),
    # --- the meeting's exceptions (sop_core.process.business_plan.ranked_exceptions)
    Term(
        "stake",
        "Money at stake",
        "$",
        "money",
        "What the exception is worth over its months: the revenue below the business plan, "
        "the holding cost of the stock above its target, the overtime cost of a resource's "
        "hours above its capacity",
    ),
    Term("months", "Months", "", "text"),
    Term("message", "What", "", "text"),
    # --- forecasts
    Term("forecast", "Forecast", "units", "units"),
    Term("lower", "Low (80 %)", "units", "units", "Lower end of the 80 % forecast interval"),
    Term("upper", "High (80 %)", "units", "units", "Upper end of the 80 % forecast interval"),
    Term("adjusted", "Consensus", "units", "units", "The forecast after the consensus changes"),
    Term("model", "Model", "", "text"),
    Term("sales", "Actual sales", "units", "units"),
    # --- the change log and the audit trail (consensus adjustments, the business plan and
    # the actuals, the plan item, a history upload, a saved scenario)
    Term("units", "Units", "", "units"),
    Term("backlog", "Backlog", "units", "units"),
    Term("periods", "Periods", "", "text"),
    Term("forecast_model", "Forecast model", "", "text"),
    Term("workforce_to_review", "Workforce to review", "", "flag"),
    Term("upload_id", "Upload", "", "text"),
    Term("rows", "Rows", "", "count"),
    Term("file", "File", "", "text"),
    Term("version", "Version", "", "count"),
    Term("versions", "Versions", "", "count"),
    Term("approved_version", "Approved version", "", "count"),
    Term("kpis", "KPIs", "", "text"),
    Term("comment", "Comment", "", "text", "Why the consensus differs from the forecast"),
    Term("change", "Change", "% or units", "factor", "+10 % or +500 units; 0 changes nothing"),
    Term("unit", "Unit", "", "text", "% of the forecast, or units"),
    Term("history_name", "In the file", "", "text", "The family's name in the uploaded history"),
    Term(
        "mapping_action",
        "Now",
        "",
        "text",
        "match: joins your family of that name; new: a family is created",
    ),
    # --- forecast accuracy (the backtest, errors pooled over its origins)
    Term("wape", "WAPE", "", "rate", "Weighted absolute % error: total |error| / total demand"),
    Term("mape", "MAPE", "", "rate", "Mean absolute % error, over periods with demand"),
    Term("bias", "Bias", "", "rate", "Total error / total demand; above 0: the forecast ran high"),
    Term(
        "mase",
        "MASE",
        "",
        "factor",
        "Mean absolute scaled error: below 1 beats the seasonal naive forecast",
    ),
    Term("chosen", "Used", "", "flag", "The model the family's forecast uses"),
    # --- launches and phase-outs (sop_core.model.portfolio)
    Term("launch", "Launch", "", "text", "A new family: when it starts, what it sells like"),
    Term("phase_out", "Phase-out", "", "text", "The family ends: its last period and stock"),
    Term("launch.start", "Launch period", "", "text", "The first period it sells in"),
    Term(
        "launch.like",
        "Sells like",
        "",
        "text",
        "The existing family whose plan demand (its forecast) gives the launch its shape",
    ),
    Term(
        "launch.volume",
        "First 12 months",
        "units",
        "units",
        "The units it is expected to sell in its first 12 months, ramp-up included",
    ),
    Term("launch.factor", "Factor on the like-family", "×", "factor"),
    Term(
        "launch.ramp_months",
        "Ramp-up",
        "months",
        "count",
        "Months from launch to full demand, rising in equal steps",
    ),
    Term("launch.ramp_shares", "Ramp-up shares", "", "rate"),
    Term(
        "launch.cannibalise",
        "Takes demand from",
        "",
        "text",
        "The family whose buyers will buy the launch instead",
    ),
    Term(
        "launch.cannibalise_share",
        "Share taken",
        "",
        "rate",
        "The share of the launch's demand that comes out of that family's",
    ),
    Term("phase_out.end_period", "Last period", "", "text", "The last period it sells in"),
    Term(
        "phase_out.last_time_buy",
        "Last-time-buy stock",
        "units",
        "units",
        "The stock it ends its last period with (for spares and late orders); 0 runs it out",
    ),
    Term(
        "phase_out.replacement",
        "Replaced by",
        "",
        "text",
        "The family that takes its demand after the last period",
    ),
    Term("sku_launches", "SKU launches", "", "text", "New SKUs of the family"),
    Term("sku_phase_outs", "SKU phase-outs", "", "text", "SKUs of the family that end"),
    Term("sku_launch", "SKU launch", "", "text", "A new SKU inside a family"),
    Term("sku_launch.sku", "New SKU", "", "text", "The new SKU's code"),
    Term(
        "sku_launch.like",
        "Sells like SKU",
        "",
        "text",
        "The family's SKU whose demand (as the schedule splits the plan) gives the launch "
        "its shape",
    ),
    Term(
        "sku_launch.cannibalise",
        "Takes demand from SKU",
        "",
        "text",
        "The family's SKU whose buyers will buy the new one instead",
    ),
    Term("sku_launch.demand", "Launch demand", "units", "units"),
    Term("sku_phase_out", "SKU phase-out", "", "text", "An SKU of the family ends"),
    Term("sku_phase_out.sku", "SKU", "", "text", "The SKU that ends"),
    Term(
        "sku_phase_out.replacement",
        "Replaced by SKU",
        "",
        "text",
        "The family's SKU that takes its demand after the last period",
    ),
    Term("sku_phase_out.demand", "Demand that ends", "units", "units"),
    Term("portfolio.kind", "Change", "", "text", "A launch or a phase-out, of a family or an SKU"),
    Term("portfolio.family", "Family", "", "text"),
    Term("portfolio.when", "From / until", "", "text"),
    Term("portfolio.what", "Assumptions", "", "text"),
    Term("portfolio.by", "Entered by", "", "text"),
    Term("portfolio.consensus", "Consensus demand", "units", "units"),
    Term(
        "portfolio.planned",
        "Planned demand",
        "units",
        "units",
        "The demand the plan meets: the consensus after launches take their share and "
        "phase-outs end",
    ),
    Term("portfolio.change", "Change by launches and phase-outs", "units", "units"),
    # --- trade-offs (sop_core.analysis: frontiers, the tornado, the plan under uncertain
    # demand)
    Term(
        "largest_workforce_change",
        "Largest workforce change",
        "workers",
        "workers",
        "Most workers hired plus laid off at the start of any one period",
    ),
    Term("aim", "Aim", "", "text", "What the plan is asked to reach besides its cost"),
    Term("level", "Level", "", "factor", "The level of the aim the plan is held to"),
    Term("step_cost", "Cost of the step", "$", "money", "Cost over the previous point"),
    Term("parameter", "Assumption", "", "text", "The input changed"),
    Term("change_pct", "Change", "%", "factor", "How much the input is moved, up and down"),
    Term("cost_low", "Total cost, input down", "$", "money"),
    Term("cost_high", "Total cost, input up", "$", "money"),
    Term("fill_rate_low", "Fill rate, input down", "", "rate"),
    Term("fill_rate_high", "Fill rate, input up", "", "rate"),
    Term("cost_swing", "Cost swing", "$", "money", "Total cost, input up − input down"),
    Term("draws", "Demand paths", "", "count", "Demand paths drawn from the forecast"),
    Term("seed", "Seed", "", "count", "Same seed, same paths"),
    Term("rho", "Month-to-month correlation", "", "factor", "AR(1) correlation of the errors"),
    Term("service_target", "Service target", "", "rate", "Fill rate the plan should reach"),
    Term(
        "p_meets_target",
        "Chance of meeting the target",
        "",
        "rate",
        "Share of demand paths on which the fixed plan reaches the service target",
    ),
    Term("fixed_fill_rate", "Fill rate, plan as fixed", "", "rate"),
    Term("fixed_cost", "Cost, plan as fixed", "$", "money"),
    Term("fixed_peak_backlog", "Peak backlog, plan as fixed", "units", "units"),
    Term("replan_fill_rate", "Fill rate, re-planned", "", "rate"),
    Term("replan_cost", "Cost, re-planned", "$", "money"),
    Term("statistic", "Statistic", "", "text"),
    Term("point", "Point", "", "count"),
    Term("marginal_price", "What the step costs", "", "text"),
    Term("replan_infeasible", "Paths no plan can meet", "", "rate"),
    Term(
        "extra_safety_stock",
        "Extra safety stock",
        "units",
        "units",
        "Extra stock a family would need to reach the target with the stated probability",
    ),
)


#: The KPIs of a plan, in the order tables list them (their terms are above).
KPI_KEYS: tuple[str, ...] = (
    "total_cost",
    "fill_rate",
    "average_inventory",
    "peak_inventory",
    "peak_backlog",
    "workforce_changes",
    "hires",
    "layoffs",
    "overtime_share",
    "subcontract_share",
    "regular_utilisation",
    "revenue",
    "margin",
    "safety_stock_met",
)


#: the second aims a plan can be held at (a cost frontier's point), in words
AIM_NAMES: dict[str, str] = {
    "fill_rate": "Fill rate",
    "average_inventory": "Average inventory",
    "largest_workforce_change": "Largest workforce change",
}
#: fields whose values are codes, and each code's name (show_value reads them in words)
VALUE_NAMES: dict[str, dict[str, str]] = {"aim": AIM_NAMES, "settings.aim": AIM_NAMES}


def term(key: str) -> Term:
    """The entry of ``key``; a key without one reads as words ("lead_time" → "Lead time")."""
    found = TERMS.get(key)
    if found is not None:
        return found
    return Term(key, str(key).replace("_", " ").strip().capitalize(), "", "text")


def label(key: str) -> str:
    """What ``key`` is called on screen ("Holding $ / unit / period")."""
    return term(key).label


def header(key: str) -> str:
    """A column header with its unit when the label lacks it ("Production (units)")."""
    t = term(key)
    if not t.unit or t.unit in t.label or "$" in t.label:
        return t.label
    return f"{t.label} ({t.unit})"


def _number(x: Any) -> float | None:
    if x is None or isinstance(x, bool | str):
        return None
    try:
        v = float(x)
    except (TypeError, ValueError):
        return None
    return v if math.isfinite(v) else None


def show_value(key: str, value: Any) -> str:
    """``value`` of field ``key`` as a person reads it: blank when missing, numbers at the
    precision of their kind ("1,235", "$1,234", "$2.50", "97.3%", "12.5"), flags as
    yes/no, lists joined with "; "."""
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        return "; ".join(show_value(key, v) for v in value)
    if isinstance(value, str) and key in VALUE_NAMES:  # a code's name in words
        return VALUE_NAMES[key].get(value, value)
    kind = term(key).kind
    if isinstance(value, bool):
        return "yes" if value else "no"
    if kind == "flag" or isinstance(value, str):
        return str(value)
    v = _number(value)
    if v is None:
        return ""
    # a number of a field the vocabulary does not know (or a text field): up to 2 decimals
    return format_number("factor" if kind == "text" else kind, v)


def format_number(kind: Kind, value: float) -> str:
    """A finite number of ``kind`` as a person reads it: money to the dollar ("$1,234"),
    a price to the cent where it has cents ("$2.50"), a rate to a tenth of a percent
    ("97.3%"), days to a tenth ("12.5"), workers and factors whole or to two decimals
    ("12.5"), units, hours and
    counts whole ("1,235"). A minus sign (U+2212) only where something nonzero is shown:
    never "−0"."""
    a = abs(value)
    if kind == "money":
        text = f"${a:,.0f}"
    elif kind == "price":
        text = f"${a:,.2f}" if a != round(a) else f"${a:,.0f}"
    elif kind == "rate":
        text = f"{100 * a:.1f}%"
    elif kind == "days":
        text = f"{a:,.1f}"
    elif kind in ("workers", "factor"):
        text = f"{a:,.2f}".rstrip("0").rstrip(".") if a != round(a) else f"{a:,.0f}"
    else:  # units, hours, counts: whole
        text = f"{a:,.0f}"
    shown_nonzero = any(c in "123456789" for c in text)
    return (MINUS if value < 0 and shown_nonzero else "") + text


def _number_or_missing(value: Any) -> bool:
    return value is None or (isinstance(value, numbers.Real) and not isinstance(value, bool))


def with_numbers(frame: Any, columns: Mapping[str, str]) -> Any:
    """A copy of ``frame`` whose columns of numeric fields (``columns``: field key →
    column name) hold floats, NaN where a value is missing: a table can then show every
    number in its format and a missing one blank (a column with no value at all would
    otherwise be text and read "None"). A column holding anything else is left as it is.
    For a table that is edited, NaN is read back as missing, as None was."""
    out = frame.copy()
    for key, col in columns.items():
        if term(key).kind in ("text", "flag") or col not in out.columns:
            continue
        if all(_number_or_missing(v) for v in out[col]):
            out[col] = out[col].astype(float)
    return out


#: (field, label, unit): the workforce settings, in the order a planner reads them
WORKFORCE_FIELDS: tuple[tuple[str, str, str], ...] = tuple(
    (k, TERMS[k].label, TERMS[k].unit)
    for k in (
        "initial",
        "regular_hours_per_worker",
        "regular_cost_per_worker",
        "overtime_cost_per_hour",
        "max_overtime_hours_per_worker",
        "hire_cost",
        "layoff_cost",
        "min_workers",
        "max_workers",
        "max_hires",
        "max_layoffs",
    )
)
#: field -> column label of the families table (per-period demand and safety stock lists
#: are in their own long table)
FAMILY_FIELDS: dict[str, str] = {
    k: TERMS[k].label
    for k in (
        "name",
        "labor_hours_per_unit",
        "material_cost",
        "holding_cost",
        "backorder_cost",
        "subcontract_cost",
        "max_subcontract",
        "initial_inventory",
        "initial_backorder",
        "ending_inventory_min",
        "backorders_allowed",
        "price",
        "safety_stock_shortfall_cost",
    )
}
#: field -> label of the policy settings
POLICY_FIELDS: dict[str, str] = {
    k: TERMS[k].label
    for k in ("strategy", "integer_workforce", "ending_backorders_allowed", "frozen_periods")
}

#: costs and prices, in the families and the workforce: finance's fields (see
#: :mod:`sop_core.base.access`); every other master-data field is capacity, the supply planner's
MONEY_FIELDS: frozenset[str] = frozenset(
    {
        "material_cost",
        "holding_cost",
        "backorder_cost",
        "subcontract_cost",
        "price",
        "safety_stock_shortfall_cost",
        "regular_cost_per_worker",
        "overtime_cost_per_hour",
        "hire_cost",
        "layoff_cost",
    }
)
