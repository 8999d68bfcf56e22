"""``python -m sop_core business-plan …``: the annual budget kept with a company, and the
plan against it.

- ``upload COMPANY FILE``: a .csv or .xlsx with columns family, period (YYYY-MM), units,
  revenue replaces the company's business plan (one undoable, audited action; finance's).
- ``show COMPANY``: the business plan per family and month.
- ``gap COMPANY [--section year|months]``: the company's plan (solved inside its time
  fence, the approved plan holding the frozen periods) against the business plan: per
  family over the months both cover, and per family and month with the cumulative gap.
- ``exceptions COMPANY``: what the S&OP meeting has to see (a month below budget, stock
  above target, a resource over 100 %, a family missing from the budget, the demand
  review still open).

``gap`` and ``exceptions`` exit 1 when the company's plan has no feasible solution (the
diagnosis says why); bad input (no business plan to compare, a file with wrong rows, a
missing right) exits 2 with the sentence.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import pandas as pd

from sop_core.base.errors import InputError, Problem
from sop_core.base.fields import label, show_value
from sop_core.base.text import plural
from sop_core.cli.common import (
    actor_of,
    company_argument,
    emit,
    format_option,
    opened,
    records,
    said,
    store_options,
)
from sop_core.engine.planner import PlanResult
from sop_core.model.scenario import Scenario
from sop_core.process.business_plan import (
    EXCEPTION_NAMES,
    annual_gap,
    budget_gap,
    exceptions_against,
    plan_money,
    read_business_plan,
)
from sop_core.process.workspace import WorkspaceState
from sop_core.services import companies, cycles, monthly, plans, scenarios
from sop_core.services.workbench import Workbench

GAP_SECTIONS = ("year", "months")
#: the totals over the months the plan and the business plan both cover
TOTAL_FIELDS = ("plan_revenue", "budget_revenue", "gap_revenue", "gross_margin")


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``business-plan`` command and its subcommands."""
    parents = [store_options(), format_option()]
    parser = subparsers.add_parser(
        "business-plan",
        help="the annual budget per family and month, the gap to it, the exceptions",
        description="The business plan (the annual budget in units and revenue per family "
        "and month) kept with a company, the plan's gap to it and the meeting's exceptions.",
    )
    sub = parser.add_subparsers(dest="business_plan_command", required=True, metavar="SUBCOMMAND")

    p = sub.add_parser(
        "upload",
        parents=parents,
        help="replace the company's business plan with a file's",
        description="Read a .csv or .xlsx business plan (columns family, period as YYYY-MM, "
        "units, revenue in $) and make it the company's: rows matched by family and month "
        "change only what differs, rows the file lacks are removed. One undoable action.",
    )
    company_argument(p)
    p.add_argument("file", metavar="FILE", help="the business plan, .csv or .xlsx")
    p.set_defaults(func=_cmd_upload)

    p = sub.add_parser("show", parents=parents, help="the business plan per family and month")
    company_argument(p)
    p.set_defaults(func=_cmd_show)

    p = sub.add_parser(
        "gap",
        parents=parents,
        help="the plan against the business plan, per family over the year and per month",
        description="Solve the company's plan (inside its time fence) and compare its sales "
        "(units) and revenue ($) with the business plan over the months both cover.",
    )
    company_argument(p)
    p.add_argument(
        "--section",
        choices=GAP_SECTIONS,
        default=None,
        help="year: per family over the months both cover; months: per family and month "
        "(needed with --format csv, which prints one table)",
    )
    p.set_defaults(func=_cmd_gap)

    p = sub.add_parser(
        "exceptions",
        parents=parents,
        help="what the S&OP meeting has to see, in words",
        description="A family's month more than 2 % below budget, stock above its safety "
        "stock by more than a quarter of the month's demand, a resource loaded above 100 % "
        "of its hours, a planned family missing from the budget, the demand review open.",
    )
    company_argument(p)
    p.set_defaults(func=_cmd_exceptions)


# --------------------------------------------------------------------------- upload, show


def _cmd_upload(args: argparse.Namespace) -> int:
    path = Path(args.file)
    table = read_business_plan(path)
    with opened(args) as wb:
        before = companies.revision(wb, args.company)
        state = monthly.upload_table(
            wb, args.company, "budget", table, path.name, author=actor_of(args)
        )
    families, months = table["family"].nunique(), sorted(table["period"].unique())
    what = (
        f"{len(table):,} rows, {plural(families, 'family', 'families')}, {months[0]} – {months[-1]}"
    )
    saved = state.revision != before
    message = (
        f"{state.name}: business plan from {path.name}: {what}"
        if saved
        else f"{state.name}: nothing changed: the business plan in {path.name} is the one kept"
    )
    said(message, args.format, company=state.name, revision=state.revision, saved=saved)
    return 0


def _cmd_show(args: argparse.Namespace) -> int:
    with opened(args) as wb:
        state = companies.company_state(wb, args.company)
    budget = state.business_plan
    if args.format == "table":
        print(f"{state.name}: business plan ({len(budget):,} rows)")
    emit(budget, args.format, empty="none yet: upload one with `business-plan upload`")
    return 0


# --------------------------------------------------------------------------- the plan


def current_plan(wb: Workbench, state: WorkspaceState) -> tuple[Scenario, PlanResult]:
    """The company's plan as the pages show it: its scenario solved inside the time fence
    its approved plan sets (nothing frozen without one)."""
    scenario = state.scenario()
    approved = plans.approved_plan(scenarios.approved_scenario(wb, state.name))
    return scenario, plans.solve_plan(scenario, approved)


def _infeasible(result: PlanResult) -> int:
    """Say why the plan has no solution (on stderr); exit 1."""
    print(f"error: the company's plan has no feasible solution: {result.message}", file=sys.stderr)
    for line in result.diagnosis:
        if line not in result.message:
            print(f"  - {line}", file=sys.stderr)
    return 1


def gap_of(state: WorkspaceState, scenario: Scenario, result: PlanResult) -> pd.DataFrame:
    """The gap per family and month (:data:`~sop_core.process.business_plan.GAP_COLUMNS`);
    refused when there is no business plan, or none in common with the plan."""
    budget = state.business_plan
    if budget.empty:
        raise InputError(
            Problem(
                "business plan",
                f"{state.name} has none yet; upload one with: business-plan upload "
                f"{state.name!r} FILE",
            )
        )
    gap = budget_gap(plan_money(scenario, result), budget)
    if gap.empty:
        labels = scenario.period_labels
        raise InputError(
            Problem(
                "business plan",
                f"no family and month in common with the plan ({labels[0]} – {labels[-1]}, "
                f"families {', '.join(scenario.family_names)}); check its family names and "
                "months",
            )
        )
    return gap


def _cmd_gap(args: argparse.Namespace) -> int:
    if args.format == "csv" and args.section is None:
        raise InputError(
            Problem("--section", "--format csv prints one table; choose year or months")
        )
    with opened(args) as wb:
        state = companies.company_state(wb, args.company)
        scenario, result = current_plan(wb, state)
    if not result.optimal:
        return _infeasible(result)
    gap = gap_of(state, scenario, result)
    money = plan_money(scenario, result)
    year = annual_gap(gap)
    covered = list(dict.fromkeys(gap["period"]))
    totals = {
        "plan_revenue": float(year["plan_revenue"].sum()),
        "budget_revenue": float(year["budget_revenue"].sum()),
        "gap_revenue": float(year["gap_revenue"].sum()),
        "gross_margin": float(money[money["period"].isin(covered)]["gross_margin"].sum()),
    }
    tables = {"year": year, "months": gap}
    if args.format == "csv":
        emit(tables[args.section], "csv")
        return 0
    sections = [args.section] if args.section else list(GAP_SECTIONS)
    if args.format == "json":
        data = {"company": state.name, "months_covered": covered, **totals}
        data.update({s: records(tables[s]) for s in sections})
        json.dump(data, sys.stdout, indent=2, ensure_ascii=False)
        sys.stdout.write("\n")
        return 0
    span = f"{covered[0]} – {covered[-1]}" if len(covered) > 1 else covered[0]
    print(f"{state.name}: the plan against the business plan over {len(covered)} months ({span})")
    print(" · ".join(f"{label(k)} {show_value(k, v)}" for k, v in totals.items()))
    titles = {"year": "Per family, over these months", "months": "Per family and month"}
    for s in sections:
        print(f"\n{titles[s]}")
        emit(tables[s], "table")
    return 0


def _cmd_exceptions(args: argparse.Namespace) -> int:
    with opened(args) as wb:
        state = companies.company_state(wb, args.company)
        scenario, result = current_plan(wb, state)
        cycle = cycles.current_cycle(wb, args.company)
    if not result.optimal:
        return _infeasible(result)
    review_done = cycle is None or cycle.step("demand").signed_off
    found = exceptions_against(
        scenario, result, state.business_plan, demand_review_signed_off=review_done
    )
    if args.format != "table":
        emit(found, args.format)
        return 0
    if found.empty:
        print(
            f"{state.name}: no exceptions: on budget, stock within target, no resource over 100 %"
        )
        return 0
    print(f"{state.name}: {len(found)} exceptions for the meeting")
    for kind, message in zip(found["kind"], found["message"], strict=True):
        print(f"- {EXCEPTION_NAMES[kind]}: {message}")
    if state.business_plan.empty:
        print("(no business plan yet: the gap to it is not checked)")
    return 0
