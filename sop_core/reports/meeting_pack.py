"""What goes into the S&OP meeting pack, in the order the executive meeting reads it.

:func:`meeting_sections` turns a plan and what surrounds it into the
:class:`~sop_core.reports.pack.Section` list that :func:`~sop_core.reports.pack.pack_pdf` and
:func:`~sop_core.reports.pack.pack_excel` lay out:

1. **Summary**: the plan's KPIs (:mod:`sop_core.engine.kpis`), and the decision asked for.
2. **Demand and supply**: the balance chart, and per period demand, supply by source,
   inventory and backlog.
3. **Scenarios compared**: each alternative's KPIs against the plan.
4. **Gap to the business plan**: per family, in units and money, for the year (when a
   business plan is given; the page says so otherwise).
5. **Exceptions** for the meeting (:func:`sop_core.process.business_plan.meeting_exceptions`,
   each kind in words).
6. **Decisions needed** and **Assumptions** (from the cycle's log, when given).
7. **Forecast value added** (:mod:`sop_core.process.fva`, when given): did the overrides and
   the model help, per cycle and family.
8. One **family S&OP sheet** per family (:mod:`sop_core.process.sop_sheet`, when a history is
   given): the last 3 months and the horizon, supply (production and subcontracting)
   against demand, inventory and backlog.

Each table keeps its numbers (the Excel pack's cells) and is printed as people read it
(the vocabulary's formats, :func:`sop_core.base.fields.show_value`): units whole, money to
the dollar, rates in %, blank where there is no value; a KPI a plan lacks reads
:data:`~sop_core.base.fields.MISSING`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd

from sop_core.base.fields import MISSING, header, show_value
from sop_core.base.text import plural
from sop_core.engine.kpis import KPIS, show
from sop_core.engine.planner import PlanResult
from sop_core.model.scenario import Scenario
from sop_core.process.business_plan import (
    ANNUAL_GAP_COLUMNS,
    EXCEPTION_NAMES,
    annual_gap,
    budget_gap,
    meeting_exceptions,
    plan_money,
)
from sop_core.process.fva import ALL, fva_report, fva_words
from sop_core.process.sop_sheet import sheet_display, sheet_table, sop_sheet
from sop_core.reports.charts import balance_chart_spec
from sop_core.reports.pack import Section
from sop_core.reports.workbook import NUMBER_FORMATS, number_format

#: the KPIs of the summary and of the comparison, in order
PACK_KPIS: tuple[str, ...] = (
    "total_cost",
    "revenue",
    "margin",
    "fill_rate",
    "safety_stock_met",
    "average_inventory",
    "peak_backlog",
    "workforce_changes",
    "overtime_share",
    "subcontract_share",
)
PLAN_COLUMNS = (
    "family",
    "period",
    "demand",
    "production",
    "subcontract",
    "inventory",
    "backorder",
)
#: the balance table's columns -> the vocabulary's field (all units)
BALANCE_KEYS = {
    "Demand": "demand",
    "Regular": "production",
    "Overtime": "production",
    "Subcontract": "subcontract",
    "Inventory": "inventory",
    "Backlog": "backorder",
}
#: the gap table's columns (:func:`readable`'s) -> the field they are shown as
GAP_KEYS = {header(c): c for c in ANNUAL_GAP_COLUMNS if c != "family"}


def readable(frame: pd.DataFrame) -> pd.DataFrame:
    """Column names as the vocabulary heads them (:func:`sop_core.base.fields.header`):
    ``gap_revenue`` → "Gap revenue ($)"; a name it lacks reads as words ("due_date" →
    "Due date")."""
    return frame.rename(columns=lambda c: header(str(c)))


def shown(frame: pd.DataFrame, keys: Mapping[str, str] | None = None) -> pd.DataFrame:
    """``frame`` as people read it: the columns in ``keys`` as text, as the vocabulary
    shows that field (:func:`sop_core.base.fields.show_value`: blank where there is no
    value); the others as they are (the PDF prints them plainly, blank when missing)."""
    out = frame.astype(object).copy()
    for col, key in (keys or {}).items():
        out[col] = [show_value(key, v) for v in frame[col]]
    return out


def formats(keys: Mapping[str, str]) -> dict[str, str]:
    """The Excel number formats of the columns in ``keys`` (their fields' kinds)."""
    return {col: f for col, key in keys.items() if (f := number_format(key))}


def table_section(
    title: str,
    frame: pd.DataFrame,
    keys: Mapping[str, str] | None = None,
    *,
    text: Sequence[str] = (),
    chart: Mapping[str, Any] | None = None,
    sheet: str | None = None,
) -> Section:
    """A section with ``frame`` (its numbers kept for the Excel pack, with the number
    formats of ``keys``) printed as :func:`shown` has it."""
    keys = keys or {}
    return Section(
        title,
        text=text,
        chart=chart,
        table=frame,
        sheet=sheet,
        display=shown(frame, keys),
        number_formats=formats(keys),
    )


def kpi_table(results: Mapping[str, PlanResult]) -> pd.DataFrame:
    """One row per KPI of :data:`PACK_KPIS`, one column per plan (formatted text;
    :data:`~sop_core.base.fields.MISSING` for a KPI the plan does not have)."""
    rows = []
    for key in PACK_KPIS:
        row = {"KPI": KPIS[key].label}
        for name, result in results.items():
            value = result.kpis.get(key)
            row[name] = (
                "no plan" if not result.optimal else MISSING if value is None else show(key, value)
            )
        rows.append(row)
    return pd.DataFrame(rows)


def balance_table(result: PlanResult) -> pd.DataFrame:
    """Per period: demand, supply by source, inventory and backlog (units, whole)."""
    df = result.supply_by_source()
    return pd.DataFrame(
        {
            "Period": df["period"],
            "Demand": df["demand"].round(0),
            "Regular": df["regular"].round(0),
            "Overtime": df["overtime"].round(0),
            "Subcontract": df["subcontract"].round(0),
            "Inventory": df["inventory"].round(0),
            "Backlog": df["backorder"].round(0),
        }
    )


def meeting_sections(
    scenario: Scenario,
    result: PlanResult,
    *,
    plan_name: str,
    alternatives: Mapping[str, PlanResult] | None = None,
    budget: pd.DataFrame | None = None,
    history: pd.DataFrame | None = None,
    decisions: pd.DataFrame | None = None,
    assumptions: pd.DataFrame | None = None,
    demand_review_signed_off: bool = True,
    decision: str | None = None,
    past_plans: pd.DataFrame | None = None,
    actuals: pd.DataFrame | None = None,
    fva: pd.DataFrame | None = None,
) -> list:
    """The pack's sections (see the module docstring) for the plan ``result`` of
    ``scenario``, named ``plan_name``; the optional inputs add their sections.
    ``past_plans`` and ``actuals`` go to the family sheets
    (:func:`sop_core.process.sop_sheet.sop_sheet`): earlier cycles' plans and what was made, held
    and owed."""
    sections: list[Section] = []
    alternatives = dict(alternatives or {})
    summary = [
        f"Plan: {plan_name} ({len(scenario.families)} families, {scenario.horizon} periods, "
        f"{scenario.period_labels[0]} – {scenario.period_labels[-1]})."
    ]
    if decision:
        summary.append(f"Decision asked for: {decision}")
    if not result.optimal:
        summary.append(f"This plan is not feasible: {result.message}")
    sections.append(
        Section("Summary", text=summary, table=kpi_table({plan_name: result}), sheet="Summary")
    )
    if result.optimal:
        sections.append(
            table_section(
                "Demand and supply",
                balance_table(result),
                BALANCE_KEYS,
                text=[
                    "Supply by source (bars) against demand, inventory and backlog (lines), "
                    "in units."
                ],
                chart=balance_chart_spec(result, scenario.period_labels, height=300, width=900),
                sheet="Balance",
            )
        )
    if alternatives:
        sections.append(
            Section(
                "Scenarios compared",
                text=[f"{plan_name} against {plural(len(alternatives), 'alternative')}."],
                table=kpi_table({plan_name: result, **alternatives}),
                sheet="Scenarios",
            )
        )
    gap = None
    if budget is not None and result.optimal:
        gap = budget_gap(plan_money(scenario, result), budget)
        year = annual_gap(gap)
        sections.append(
            table_section(
                "Gap to the business plan",
                readable(year),
                GAP_KEYS,
                text=["Per family over the months both the plan and the business plan cover."],
                sheet="Gap to budget",
            )
        )
    elif budget is None:
        sections.append(
            Section(
                "Gap to the business plan",
                text=["No business plan was loaded for this cycle: no gap to report."],
            )
        )
    if result.optimal:
        exceptions = meeting_exceptions(
            scenario, result, gap, demand_review_signed_off=demand_review_signed_off
        )
        if len(exceptions):
            named = exceptions.assign(kind=exceptions["kind"].map(EXCEPTION_NAMES))
            sections.append(
                table_section(
                    "Exceptions",
                    readable(named),
                    text=[f"{plural(len(exceptions), 'exception')} for the meeting."],
                    sheet="Exceptions",
                )
            )
        else:
            sections.append(
                Section(
                    "Exceptions",
                    text=["No exceptions: on budget, stock on target, no resource over 100 %."],
                    sheet="Exceptions",
                )
            )
    for title, frame in (("Decisions needed", decisions), ("Assumptions", assumptions)):
        if frame is not None:
            sections.append(
                table_section(title, readable(frame), text=[f"{len(frame):,} open."])
                if len(frame)
                else Section(title, text=["Nothing open."])
            )
    if fva is not None:
        pooled = fva[fva["family"] == ALL].to_dict("records")
        sections.append(
            Section(
                "Forecast value added",
                text=[f"{row['cycle']} cycle, all families: {fva_words(row)}." for row in pooled]
                if len(fva)
                else ["Nothing scored yet: no frozen forecast month has sales yet."],
                table=fva_report(fva) if len(fva) else None,
                sheet="Forecast value added",
            )
        )
    if history is not None and result.optimal:
        plan = result.families[list(PLAN_COLUMNS)]
        sheet = sop_sheet(history, plan, past_plans=past_plans, actuals=actuals)
        past = "actuals against earlier cycles' plans" if past_plans is not None else "actual sales"
        for family in dict.fromkeys(plan["family"]):
            table = sheet_table(sheet, family).reset_index(names="")
            sections.append(
                Section(
                    f"Family S&OP sheet: {family}",
                    text=[
                        f"The last 3 months ({past}) and the horizon (the plan), in units; "
                        "days of cover: the stock ÷ the next month's demand per day."
                    ],
                    table=table,
                    display=sheet_display(sheet, family).reset_index(names=""),
                    number_formats={month: NUMBER_FORMATS["units"] for month in table.columns[1:]},
                    sheet=f"Sheet {family}",
                )
            )
    return sections
