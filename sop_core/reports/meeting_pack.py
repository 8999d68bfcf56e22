"""What goes into the S&OP meeting pack, in the order the executive meeting reads it.

:func:`meeting_sections` turns a plan and what surrounds it into the
:class:`~sop_core.reports.pack.Section` list that :func:`~sop_core.reports.pack.pack_pdf` and
:func:`~sop_core.reports.pack.pack_excel` lay out:

1. **The decision** (page 1, the pre-read): the decision asked, each plan's cost, margin,
   fill rate, inventory and workforce changes side by side, the business plan's revenue
   against the plan's, what changed since the last approved plan, the open decisions.
2. **Demand and supply**: the balance chart, and per period demand, supply by source,
   inventory and backlog.
3. **Scenarios compared**: each alternative's KPIs against the plan; **Trade-offs** (when
   given): the cost frontier against a second aim, its steps in words, and what moves
   the plan most (the tornado's largest swings).
4. **Gap to the business plan**: the cumulative revenue gap by month (a chart) and per
   family, in units and money, for the year (when a business plan is given; the page
   says so otherwise).
5. **Exceptions** for the meeting, per family over their months, ranked by the money at
   stake (:func:`sop_core.process.business_plan.ranked_exceptions`).
6. **Decisions needed** and **Assumptions** (from the cycle's log, when given).
7. **Forecast value added** (:mod:`sop_core.process.fva`, when given): did the overrides and
   the model help, per cycle and family.
8. One **family S&OP sheet** per family, a page each (:mod:`sop_core.process.sop_sheet`,
   when a history is given): the classic family chart (supply by source against demand,
   actual sales, inventory against its target, backlog) above the table of the last 3
   months and the horizon, and the statement that the plan adds up.

Each table keeps its numbers (the Excel pack's cells) and is printed as people read it
(the vocabulary's formats, :func:`sop_core.base.fields.show_value`): units whole, money to
the dollar, rates in %, blank where there is no value; a KPI a plan lacks reads
:data:`~sop_core.base.fields.MISSING`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd

from sop_core.analysis.frontier import Frontier
from sop_core.base.fields import MISSING, header, label, show_value
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
    ranked_exceptions,
)
from sop_core.process.fva import ALL, fva_report, fva_words
from sop_core.process.sop_sheet import (
    balance_statement,
    changes_since,
    sheet_display,
    sheet_table,
    sop_sheet,
)
from sop_core.reports.charts import balance_chart_spec, family_sheet_chart_spec, gap_chart
from sop_core.reports.pack import Section
from sop_core.reports.scorecard_pack import scorecard_sections
from sop_core.reports.tradeoff_charts import frontier_chart
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
    "safety_stock",
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


#: the figures page 1 compares, per plan
DECISION_KPIS = ("total_cost", "margin", "fill_rate", "average_inventory", "workforce_changes")


def decision_table(results: Mapping[str, PlanResult]) -> pd.DataFrame:
    """One row per plan: its headline figures (:data:`DECISION_KPIS`, as numbers) and its
    total cost against the first plan's (``vs_plan``, $)."""
    first = next(iter(results.values()))
    rows = []
    for name, res in results.items():
        row: dict[str, Any] = {"plan_name": name}
        for key in DECISION_KPIS:
            row[key] = res.kpis.get(key) if res.optimal else None
        cost, base = res.kpis.get("total_cost"), first.kpis.get("total_cost")
        row["vs_plan"] = None if cost is None or base is None else cost - base
        rows.append(row)
    return pd.DataFrame(rows)


def decision_section(
    scenario: Scenario,
    result: PlanResult,
    *,
    plan_name: str,
    alternatives: Mapping[str, PlanResult],
    decision: str | None,
    gap: pd.DataFrame | None,
    decisions: pd.DataFrame | None,
    past_plans: pd.DataFrame | None,
) -> Section:
    """Page 1, the pre-read: the decision asked, what each plan costs and earns against
    the others and the business plan, what changed since the last approved plan, and the
    open decisions with their owners."""
    span = f"{scenario.period_labels[0]} – {scenario.period_labels[-1]}"
    if decision:
        asked = decision
    elif len(alternatives) == 1:
        asked = f"approve {plan_name} or {next(iter(alternatives))}"
    elif alternatives:
        asked = f"approve {plan_name} or one of its {len(alternatives)} alternatives"
    else:
        asked = f"approve {plan_name}"
    said = f"Decision asked: {asked}."
    if not decision and plan_name.endswith(" (approved)"):  # the meeting has decided
        others = ", ".join(alternatives) or "none"
        chosen = plan_name.removesuffix(" (approved)")
        said = f"Decision taken: {chosen} is approved (against {others})."
    text = [
        said,
        f"{plan_name}: {len(scenario.families)} families over {scenario.horizon} months ({span}).",
    ]
    if not result.optimal:
        text.append(f"This plan is not feasible: {result.message}")
    if gap is not None and len(gap):
        plan_rev, budget_rev = gap["plan_revenue"].sum(), gap["budget_revenue"].sum()
        text.append(
            f"Against the business plan over the {gap['period'].nunique()} months both cover: "
            f"revenue {show_value('plan_revenue', plan_rev)} against "
            f"{show_value('budget_revenue', budget_rev)}, a gap of "
            f"{show_value('gap_revenue', plan_rev - budget_rev)}."
        )
    if past_plans is not None and result.optimal:
        changed = changes_since(result.families, past_plans)
        if len(changed):
            demand = changed["demand"].sum() - changed["demand_before"].sum()
            made = changed["production"].sum() - changed["production_before"].sum()
            months = int(changed["months"].max())
            moved = changed.assign(
                d=(changed["demand"] - changed["demand_before"]).abs()
            ).sort_values("d", ascending=False)
            text.append(
                f"Since the last approved plan, over the {plural(months, 'month')} both cover: "
                f"demand {signed_units(demand)}, production {signed_units(made)}; the largest "
                f"change in demand is {moved['family'].iloc[0]}'s."
            )
    if decisions is not None and len(decisions):
        lines = [decision_words(row) for row in decisions.head(5).to_dict("records")]
        text.append(f"Open decisions ({len(decisions)}): " + "; ".join(lines) + ".")
    table = decision_table({plan_name: result, **alternatives})
    vs = f"Cost vs {plan_name} ($)"
    table = table.rename(columns={"plan_name": "Plan", "vs_plan": vs})
    table = table.rename(columns={k: header(k) for k in DECISION_KPIS})
    keys = {header(k): k for k in DECISION_KPIS} | {vs: "total_cost"}
    display = shown(table, {c: k for c, k in keys.items() if c != vs})
    display[vs] = [
        MISSING
        if pd.isna(v)
        else ("+" if v > 0.5 else "−" if v < -0.5 else "") + show_value("total_cost", abs(v))
        for v in table[vs]
    ]
    return Section(
        "The decision",
        text=text,
        table=table,
        display=display,
        number_formats=formats(keys),
        sheet="Decision",
    )


#: the tornado's columns in the pack -> the field they are shown as
TORNADO_KEYS = {
    "cost_low": "total_cost",
    "cost_high": "total_cost",
    "cost_swing": "total_cost",
    "fill_rate_low": "fill_rate",
    "fill_rate_high": "fill_rate",
}
#: the tornado's bars the pack lists (the largest swings)
TORNADO_ROWS = 10


def tradeoffs_section(frontier: Frontier, tornado: pd.DataFrame) -> Section:
    """The trade-offs page: what a better plan costs (the cost frontier against a second
    aim, its steps in words) and what moves the plan most (the tornado's largest swings:
    total cost and fill rate with each input moved down and up)."""
    aim = label(frontier.aim).lower()
    prices = frontier.marginal_prices()
    text = [
        f"The cheapest plan at each level of {aim}, from the plan's own to the best it reaches."
    ]
    if len(frontier.points) == 1:
        text.append(f"The plan is already at the best {aim} it can reach.")
    elif prices:
        text += [f"{prices[0]}.", f"{prices[-1]}."]
    top = tornado.head(TORNADO_ROWS)
    if len(top):
        change = float(top["change_pct"].iloc[0])
        text.append(
            f"What moves the plan most, each input moved by ±{change:g} %: "
            f"{top['parameter'].iloc[0]} (cost {show_value('total_cost', top['cost_low'].iloc[0])} "
            f"to {show_value('total_cost', top['cost_high'].iloc[0])})."
        )
    table = top.drop(columns=["change_pct"]).rename(columns={"parameter": header("parameter")})
    keys = {header(c): k for c, k in TORNADO_KEYS.items()}
    table = table.rename(columns={c: header(c) for c in TORNADO_KEYS})
    chart = frontier_chart(frontier.frame(), frontier.aim)
    return Section(
        "Trade-offs",
        text=text,
        chart=chart.properties(width=900, height=170).to_dict(),
        table=table,
        display=shown(table, keys),
        number_formats=formats(keys),
        sheet="Trade-offs",
    )


def signed_units(x: float) -> str:
    """A change in units with its sign: "+1,234 units", "−56 units", "no change"."""
    if abs(x) < 0.5:
        return "no change"
    return ("+" if x > 0 else "−") + show_value("demand", abs(x)) + " units"


def decision_words(row: Mapping[str, Any]) -> str:
    """An open decision in words: what ("text", else "decision"), who owns it and when it
    is due, each left out when blank: "Hire 5 for the peak (Eve, due 2027-01-15)"."""
    what = next((row[k] for k in ("text", "decision") if given(row.get(k))), "a decision")
    extra = [str(row["owner"])] if given(row.get("owner")) else []
    if given(row.get("due")):
        due = row["due"]
        extra.append(f"due {due:%Y-%m-%d}" if hasattr(due, "strftime") else f"due {due}")
    return f"{what} ({', '.join(extra)})" if extra else str(what)


def given(value: Any) -> bool:
    """Whether ``value`` says something: not None, NaN, NaT or blank text."""
    if value is None:
        return False
    try:
        if pd.isna(value):
            return False
    except (TypeError, ValueError):
        pass
    return bool(str(value).strip())


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
    tradeoffs: tuple[Frontier, pd.DataFrame] | None = None,
) -> list:
    """The pack's sections (see the module docstring) for the plan ``result`` of
    ``scenario``, named ``plan_name``; the optional inputs add their sections.
    ``tradeoffs`` (a cost frontier and the tornado's frame) make the trade-offs page.
    ``past_plans`` and ``actuals`` go to the family sheets
    (:func:`sop_core.process.sop_sheet.sop_sheet`): earlier cycles' plans and what was made, held
    and owed."""
    sections: list[Section] = []
    alternatives = dict(alternatives or {})
    gap = None
    if budget is not None and result.optimal:
        gap = budget_gap(plan_money(scenario, result), budget)
    sections.append(
        decision_section(
            scenario,
            result,
            plan_name=plan_name,
            alternatives=alternatives,
            decision=decision,
            gap=gap,
            decisions=decisions,
            past_plans=past_plans,
        )
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
    sections += scorecard_sections(scenario, result, plan_name=plan_name, budget=budget)
    if alternatives:
        sections.append(
            Section(
                "Scenarios compared",
                text=[f"{plan_name} against {plural(len(alternatives), 'alternative')}."],
                table=kpi_table({plan_name: result, **alternatives}),
                sheet="Scenarios",
            )
        )
    if tradeoffs is not None:
        sections.append(tradeoffs_section(*tradeoffs))
    if gap is not None:
        year = annual_gap(gap)
        sections.append(
            table_section(
                "Gap to the business plan",
                readable(year),
                GAP_KEYS,
                text=[
                    "The plan's revenue against the business plan: the gap summed month by "
                    "month (chart), and per family over the months both cover (table)."
                ],
                chart=gap_chart(gap).properties(width=900, height=200).to_dict(),
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
            ranked = ranked_exceptions(exceptions)
            named = ranked.assign(kind=ranked["kind"].map(EXCEPTION_NAMES))
            at_stake = ranked["stake"].sum()
            sections.append(
                table_section(
                    "Exceptions",
                    readable(named),
                    {header("stake"): "stake"},
                    text=[
                        f"{plural(len(exceptions), 'exception')} in "
                        f"{plural(len(ranked), 'group')} (a kind, for a family or a "
                        f"resource, over its months), the most money at stake first: "
                        f"{show('total_cost', at_stake)} in all."
                    ],
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
        opening = {f.name: f for f in scenario.families}
        for family in dict.fromkeys(plan["family"]):
            table = sheet_table(sheet, family).reset_index(names="")
            sections.append(
                Section(
                    f"Family S&OP sheet: {family}",
                    text=[
                        f"The last 3 months ({past}, shaded) and the horizon (the plan), in "
                        "units; days of cover: the stock ÷ the next month's demand per day."
                    ],
                    chart=family_sheet_chart_spec(sheet, family, height=190, width=900),
                    table=table,
                    display=sheet_display(sheet, family).reset_index(names=""),
                    number_formats={month: NUMBER_FORMATS["units"] for month in table.columns[1:]},
                    sheet=f"Sheet {family}",
                    notes=[
                        balance_statement(
                            sheet,
                            family,
                            opening_inventory=opening[family].initial_inventory,
                            opening_backlog=opening[family].initial_backorder,
                        )
                    ],
                    new_page=True,
                )
            )
    return sections
