"""``python -m sop_core solve SCENARIO.json [--strategy S] [--integer] [--fence-from APPROVED.json]
[--format F]``.

The planning time fence (``policy.frozen_periods`` k) holds the first k periods'
production and subcontracting at the approved plan's: ``--fence-from`` names that plan's
scenario file (e.g. the approved scenario exported from the Scenarios page), which is
solved and matched by period label and family name as in the app. Without it a fence
holds nothing, and the command says so on stderr.

Exit 0 with an optimal plan, 1 when no plan is feasible (the diagnosis says why, in
figures), 2 for invalid input (raised as InputError, printed by :mod:`sop_core.cli.main`).
"""

from __future__ import annotations

import argparse
import json
import sys

import pandas as pd

from sop_core.base.text import neutralise_frame
from sop_core.engine.kpis import KPIS, money, show
from sop_core.engine.planner import PlanResult
from sop_core.model.scenario import STRATEGIES, Scenario, load_scenario, with_changes
from sop_core.reports.exports import COST_LABELS
from sop_core.reports.meeting_pack import readable, shown
from sop_core.services import plans


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "solve",
        help="cost-optimal aggregate plan of a scenario file",
        description="Solve a scenario file's aggregate plan and print it.",
    )
    p.add_argument("scenario", metavar="SCENARIO.json", help="scenario file (JSON)")
    p.add_argument("--strategy", choices=STRATEGIES, help="override the file's policy.strategy")
    p.add_argument(
        "--integer", action="store_true", help="whole workers, hires and layoffs (a MIP)"
    )
    p.add_argument(
        "--fence-from",
        metavar="APPROVED.json",
        help="the approved plan's scenario file: the time fence (policy.frozen_periods) "
        "holds its production and subcontracting",
    )
    p.add_argument(
        "--format",
        choices=("table", "json", "csv"),
        default="table",
        help="table for people (default), json or csv for programs",
    )
    p.set_defaults(func=run_solve)


def run_solve(args: argparse.Namespace) -> int:
    scenario = load_scenario(args.scenario)
    changes: dict[str, object] = {}
    if args.strategy:
        changes["strategy"] = args.strategy
    if args.integer:
        changes["integer_workforce"] = True
    if changes:
        scenario = with_changes(scenario, **changes)
    approved = None
    if args.fence_from:
        approved = plans.approved_plan_of(load_scenario(args.fence_from))
        if not approved.optimal:
            print(
                f"{args.fence_from}: the approved plan has no feasible plan itself "
                f"({approved.message}); the fence holds nothing",
                file=sys.stderr,
            )
    elif scenario.policy.frozen_periods:
        print(
            f"policy.frozen_periods is {scenario.policy.frozen_periods} but no approved plan "
            "was given (--fence-from APPROVED.json): the fence holds nothing",
            file=sys.stderr,
        )
    result = plans.solve_plan(scenario, approved)
    out = sys.stdout
    if args.format == "json":
        json.dump(result.to_dict(), out, indent=2)
        out.write("\n")
    elif args.format == "csv":
        if result.optimal:
            neutralise_frame(plan_table(result)).to_csv(out, index=False)
        else:
            print(result.message, file=sys.stderr)
    else:
        out.write(format_table(scenario, result))
    return 0 if result.optimal else 1


def plan_table(result: PlanResult) -> pd.DataFrame:
    """One row per family and period, with that period's workforce columns alongside."""
    return result.families.merge(result.periods, on="period", how="left", sort=False)


def format_table(scenario: Scenario, result: PlanResult) -> str:
    """The plan for people: cost, KPIs, the period and family tables, or the diagnosis."""
    policy = f"strategy {result.strategy}" + (
        ", integer workforce" if result.integer_workforce else ""
    )
    lines = [f"{scenario.name}: {result.status} ({policy})"]
    if not result.optimal:
        lines.append(result.message)
        lines += [f"  - {d}" for d in result.diagnosis]
        return "\n".join(lines) + "\n"
    lines.append(f"Total cost: {money(result.total_cost)}")
    lines.append("")
    lines.append("Cost breakdown")
    width = max(len(COST_LABELS.get(k, k)) for k in result.cost_breakdown) + 2
    lines += [
        f"  {COST_LABELS.get(k, k):<{width}}{money(v):>14}"
        for k, v in result.cost_breakdown.items()
    ]
    lines.append("")
    lines.append("KPIs")
    kpis = [(KPIS[k].label, show(k, v)) for k, v in result.kpis.items() if k != "total_cost"]
    width = max(len(name) for name, _ in kpis) + 2
    lines += [f"  {name:<{width}}{value:>14}" for name, value in kpis]
    with pd.option_context("display.width", 250, "display.max_columns", 30):
        for title, frame in (("Per period", result.periods), ("Per family", result.families)):
            table = readable(shown(frame, {c: c for c in frame.columns}))
            lines += ["", title, table.to_string(index=False)]
    return "\n".join(lines) + "\n"
