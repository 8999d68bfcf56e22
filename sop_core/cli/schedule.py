"""``python -m sop_core schedule SCENARIO.json HISTORY.csv [options]``: the weekly master
schedule of each SKU inside the scenario's cost-optimal family plan.

    python -m sop_core schedule SCENARIO.json HISTORY.csv [--weeks N]
        [--format table|json|csv] [--stock STOCK.csv|.xlsx] [--family NAME]
        [--method runout|proportional] [--model naive|ets|auto|...] [--start YYYY-MM]
        [--firm-weeks N]

HISTORY is a monthly sales history with a ``sku`` column (see :mod:`sop_core.demand.history`);
the SKU forecast only sets the mix inside each family, the scenario's demand sets the
totals. STOCK is an optional table sku, family, on_hand, safety_stock, min_batch (see
:mod:`sop_core.schedule.stock`; the method: :mod:`sop_core.schedule.weekly`). Exit 0 with
a schedule, 1 when the scenario has no feasible plan (the diagnosis says why), 2 for
invalid input.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

import pandas as pd

from sop_core.base.errors import InputError, Problem
from sop_core.demand.history import read_history
from sop_core.model.scenario import Scenario, load_scenario
from sop_core.schedule.allocate import METHODS
from sop_core.schedule.demand import sku_demand_from_history
from sop_core.schedule.stock import read_sku_stock
from sop_core.schedule.weekly import Schedule, schedule
from sop_core.services import plans


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "schedule",
        help="weekly SKU master schedule inside the family plan",
        description="Plan the scenario, then schedule each SKU week by week inside the "
        "family plan (equal run-out times; family totals exact).",
    )
    p.add_argument("scenario", metavar="SCENARIO.json", help="scenario file (JSON)")
    p.add_argument("history", metavar="HISTORY", help="monthly sales history with SKUs")
    p.add_argument("--weeks", type=int, default=None, help="show the first N weeks (default all)")
    p.add_argument(
        "--format",
        choices=("table", "json", "csv"),
        default="table",
        help="table for people (default), json or csv for programs",
    )
    p.add_argument("--stock", metavar="STOCK", help="SKU stock table, .csv or .xlsx")
    p.add_argument("--family", help="one family only")
    p.add_argument(
        "--method",
        choices=METHODS,
        default="runout",
        help="runout: SKUs run out at the same time (default); proportional: by forecast share",
    )
    p.add_argument(
        "--model", default="naive", help="SKU mix forecast model (default naive: last year's)"
    )
    p.add_argument("--start", help="first month (YYYY-MM) when the periods are not months")
    p.add_argument("--firm-weeks", type=int, default=0, help="weeks inside the time fence")
    p.set_defaults(func=run_schedule)


def run_schedule(args: argparse.Namespace) -> int:
    scenario = load_scenario(args.scenario)
    history = read_history(args.history)
    stock = read_sku_stock(args.stock) if args.stock else None
    if args.family is not None and args.family not in scenario.family_names:
        raise InputError(
            Problem(
                "--family",
                f"{args.family!r} is not a family of {scenario.name!r}; families: "
                f"{', '.join(scenario.family_names)}",
            )
        )
    plan = plans.solve_plan(scenario, None)  # a scenario file: no approved plan, no fence
    if not plan.optimal:
        print(f"{scenario.name}: {plan.status}: no family plan to schedule", file=sys.stderr)
        print(plan.message, file=sys.stderr)
        for line in plan.diagnosis:
            print(f"  - {line}", file=sys.stderr)
        return 1
    demand = sku_demand_from_history(scenario, history, model=args.model, start=args.start)
    result = schedule(
        plan,
        scenario,
        demand,
        stock,
        weeks=args.weeks,
        firm_weeks=args.firm_weeks,
        method=args.method,
        start=args.start,
    )
    weeks = result.weeks
    if args.family is not None:
        weeks = weeks[weeks["family"] == args.family]
    out = sys.stdout
    if args.format == "csv":
        weeks.to_csv(out, index=False)
    elif args.format == "json":
        json.dump(to_dict(scenario, result, args.family), out, indent=2)
        out.write("\n")
    else:
        out.write(format_table(scenario, result, args.family))
    for note in result.notes:
        print(f"note: {note}", file=sys.stderr)
    return 0


def _only(frame: pd.DataFrame, family: str | None) -> pd.DataFrame:
    return frame if family is None else frame[frame["family"] == family]


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """JSON-able rows: NaN and ±inf (unlimited capacity, endless cover) become null."""
    clean = frame.astype(object).where(frame.notna() & ~frame.isin([float("inf")]), None)
    return clean.to_dict(orient="records")


def to_dict(scenario: Scenario, result: Schedule, family: str | None = None) -> dict[str, Any]:
    """The schedule as JSON: weeks, load, months, skus (rows), notes."""
    return {
        "scenario": scenario.name,
        "method": result.method,
        "whole_units": result.whole_units,
        "weeks": _records(_only(result.weeks, family)),
        "load": _records(result.load),
        "months": _records(_only(result.months, family)),
        "skus": _records(_only(result.skus, family)),
        "notes": result.notes,
    }


def format_table(scenario: Scenario, result: Schedule, family: str | None = None) -> str:
    """For people: per family, units made per week and SKU; the SKU summary; the load."""
    labels = result.week_labels
    lines = [
        f"{scenario.name}: weekly schedule, {len(labels)} weeks ({labels[0]} – {labels[-1]}), "
        f"method {result.method}"
    ]
    names = [family] if family else scenario.family_names
    with pd.option_context("display.width", 200, "display.max_columns", 40):
        for name in names:
            made = result.table(name, "made").T
            short = result.table(name, "shortfall").T
            made.columns.name = None
            made.index.name = "week"
            mark = short >= 1
            shown = made.astype(int).astype(str).where(~mark, made.astype(int).astype(str) + "!")
            lines += ["", f"{name}: units made per week (! = below safety stock)"]
            lines.append(shown.to_string())
        skus = _only(result.skus, family).round(2)
        lines += ["", "Per SKU", skus.to_string(index=False)]
        lines += ["", "Weekly load (labour hours)", result.load.round(2).to_string(index=False)]
    return "\n".join(lines) + "\n"
