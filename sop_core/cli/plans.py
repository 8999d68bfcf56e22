"""``python -m sop_core plans show|keep|export|push|schedule``: a company's plans from a
shell, as the store holds them.

- ``show COMPANY [--whatif NAME]``: the company's plan as it stands (or one of its kept
  what-ifs), solved inside the time fence of its approved plan: cost, KPIs, the period
  and family tables. Exit 1 with the diagnosis when no plan is feasible.
- ``keep COMPANY NAME [--overtime H] [--workers-min N] [--workers-max N]
  [--safety-months M] [--strategy S] [--note TEXT]``: keep a what-if of the plan as it
  stands (a draft scenario with the KPIs of its fenced plan; the supply planner's right).
- ``export COMPANY -o FILE.csv|.xlsx|.json [--approved|--current]``: the approved plan
  (or the plan as it stands), family × period, with the period's workforce, as a file.
- ``push COMPANY --to URL --table T [--if-exists fail|replace|append]``: the same rows
  written to a table of another database, in one transaction.
- ``schedule COMPANY (-o FILE | --to URL --table T)``: the weekly SKU schedule of the
  approved plan, from the company's stored sales history, as a file or a table.

The rows keep the fields' keys and exact values (the services: :mod:`sop_core.services.exports`).
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from collections.abc import Iterator, Mapping
from contextlib import contextmanager

import pandas as pd

from sop_core.base.errors import InputError, Problem
from sop_core.base.fields import label, show_value, term
from sop_core.base.text import neutralise_frame, plural
from sop_core.cli.common import (
    actor_of,
    format_option,
    opened,
    output_path,
    records,
    said,
    store_options,
    write_output,
)
from sop_core.cli.plan import format_table, plan_table
from sop_core.engine.planner import PlanResult
from sop_core.model.scenario import STRATEGIES
from sop_core.model.whatif import WhatIf
from sop_core.reports.exports import frame_csv, frames_excel
from sop_core.schedule.allocate import METHODS
from sop_core.services import companies, exports, plans
from sop_core.services.plans import CompanyPlan

FILE_TYPES = (".csv", ".xlsx", ".json")
#: a service's field -> the option that sets it, for the commands with such an option
WHICH = {"approved": "--approved"}
TARGET = {"to": "--to", "table": "--table", "if_exists": "--if-exists"}
SCHEDULE = {**WHICH, "start": "--start", "method": "--method", "firm_weeks": "--firm-weeks"}


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``plans`` command and its show/keep/export/push/schedule subcommands."""
    common, fmt = store_options(), format_option()
    parser = subparsers.add_parser(
        "plans",
        help="show, keep, export and push a company's plans",
        description="A company's plans as the store holds them: shown inside the time fence, "
        "what-ifs kept, the approved plan and its weekly SKU schedule exported.",
    )
    sub = parser.add_subparsers(dest="plans_command", required=True, metavar="SUBCOMMAND")

    p = sub.add_parser(
        "show",
        parents=[common, fmt],
        help="the company's plan (or a kept what-if): cost, KPIs, tables",
        description="Solve the company's plan as it stands, or one of its kept what-ifs, "
        "inside the time fence of its approved plan, and print it. Exit 1 when no plan is "
        "feasible (the diagnosis says why).",
    )
    p.add_argument("company", metavar="COMPANY", help="the company's name")
    p.add_argument(
        "--whatif", metavar="NAME", default=None, help="a what-if the company keeps (its levers)"
    )
    p.set_defaults(func=_cmd_show)

    p = sub.add_parser(
        "keep",
        parents=[common, fmt],
        help="keep a what-if of the company's plan",
        description="Keep a what-if of the company's plan as it stands: a draft scenario "
        "with the KPIs of its plan inside the time fence (a supply planner's right). "
        "A lever not given keeps the plan's own value.",
    )
    p.add_argument("company", metavar="COMPANY", help="the company's name")
    p.add_argument("name", metavar="NAME", help="the what-if's name (new to the company)")
    p.add_argument(
        "--overtime",
        type=float,
        metavar="H",
        help="max overtime [hours per worker per period]",
    )
    p.add_argument("--workers-min", type=float, metavar="N", help="workforce floor [workers]")
    p.add_argument("--workers-max", type=float, metavar="N", help="workforce ceiling [workers]")
    p.add_argument(
        "--safety-months",
        type=float,
        default=0.0,
        metavar="M",
        help="safety stock [months of the next period's demand]; 0 (default): the plan's own",
    )
    p.add_argument(
        "--strategy",
        choices=STRATEGIES,
        help="optimal (lowest cost), level (steady workforce) or chase (make each "
        "period's demand); default: the plan's own",
    )
    p.add_argument("--note", default="", help="a note kept with it (default: its levers in words)")
    p.set_defaults(func=_cmd_keep)

    which = _which_options()
    p = sub.add_parser(
        "export",
        parents=[common, which],
        help="write the approved plan's rows to a CSV, Excel or JSON file",
        description="The approved plan (or the plan as it stands), one row per family and "
        "period (demand, production, subcontracting, inventory, backlog [units]) with the "
        "period's workforce, hires, layoffs [workers] and overtime [hours]; field keys and "
        "exact values.",
    )
    p.add_argument("company", metavar="COMPANY", help="the company's name")
    p.add_argument(
        "-o",
        "--output",
        required=True,
        metavar="FILE",
        help="the file to write: .csv, .xlsx or .json by its ending",
    )
    p.set_defaults(func=_cmd_export)

    target = _target_options(required=True)
    p = sub.add_parser(
        "push",
        parents=[common, which, target],
        help="write the approved plan's rows to a table of another database",
        description="The rows of `plans export`, written to a table of another database "
        "(any SQLAlchemy URL) in one transaction: all of them or none.",
    )
    p.add_argument("company", metavar="COMPANY", help="the company's name")
    p.set_defaults(func=_cmd_push)

    p = sub.add_parser(
        "schedule",
        parents=[common, which, _target_options(required=False)],
        help="write the approved plan's weekly SKU schedule to a file or a table",
        description="The weekly SKU schedule of the approved plan (or the plan as it "
        "stands): each family's production split over its SKUs by their mix in the "
        "company's stored sales history, one row per SKU and week [units]. Give -o FILE, "
        "--to URL --table T, or both.",
    )
    p.add_argument("company", metavar="COMPANY", help="the company's name")
    p.add_argument("-o", "--output", metavar="FILE", help="the file to write: .csv, .xlsx or .json")
    p.add_argument(
        "--model",
        default="naive",
        help="the SKU mix forecast model (default naive: the same month last year)",
    )
    p.add_argument(
        "--method",
        choices=METHODS,
        default="runout",
        help="runout: SKUs run out at the same time (default); proportional: forecast shares",
    )
    p.add_argument(
        "--start", metavar="YYYY-MM", help="the plan's first month, when its periods are not months"
    )
    p.add_argument(
        "--firm-weeks",
        type=int,
        metavar="N",
        help="weeks inside the time fence [weeks] (default: the plan's frozen periods)",
    )
    p.set_defaults(func=_cmd_schedule)


def _which_options() -> argparse.ArgumentParser:
    """``--approved`` (default) or ``--current``: which of the company's plans."""
    p = argparse.ArgumentParser(add_help=False)
    group = p.add_mutually_exclusive_group()
    group.add_argument(
        "--approved",
        dest="approved",
        action="store_true",
        default=True,
        help="the company's approved plan (default)",
    )
    group.add_argument(
        "--current",
        dest="approved",
        action="store_false",
        help="the company's plan as it stands, inside the time fence",
    )
    return p


def _target_options(*, required: bool) -> argparse.ArgumentParser:
    """``--to URL --table T [--if-exists …]``: a table of another database."""
    p = argparse.ArgumentParser(add_help=False)
    p.add_argument(
        "--to",
        required=required,
        metavar="URL",
        help="SQLAlchemy URL of the database to write to, e.g. "
        "postgresql+psycopg://user:password@host:5432/dbname",
    )
    p.add_argument(
        "--table", required=required, metavar="T", help="the table to write (schema.table allowed)"
    )
    p.add_argument(
        "--if-exists",
        choices=exports.IF_EXISTS,
        default="fail",
        help="when the table exists: fail (default), replace it, or append to it",
    )
    return p


# --------------------------------------------------------------------------- helpers


@contextmanager
def named_options(
    options: Mapping[str, str], hints: Mapping[str, str] | None = None
) -> Iterator[None]:
    """Problems raised inside name the command's ``options`` (a service's field -> the
    option that sets it) instead of the services' fields; ``hints`` adds words to a
    field's problem."""
    try:
        yield
    except InputError as exc:
        raise InputError(
            [
                Problem(options.get(p.field, p.field), p.message + (hints or {}).get(p.field, ""))
                for p in exc.problems
            ]
        ) from None


def file_type(path: str, option: str = "-o", types: tuple[str, ...] = FILE_TYPES) -> str:
    """The type of file ``path`` names by its ending (checked: :func:`output_path`)."""
    return output_path(path, types, option).suffix.lower()


def columns_sheet(rows: pd.DataFrame) -> pd.DataFrame:
    """What each column of ``rows`` is, from the vocabulary: field, label, unit."""
    return pd.DataFrame(
        {
            "Field": [str(c) for c in rows.columns],
            "Label": [label(str(c)) for c in rows.columns],
            "Unit": [term(str(c)).unit for c in rows.columns],
        }
    )


def file_bytes(rows: pd.DataFrame, suffix: str, sheet: str) -> bytes:
    """``rows`` as a file of type ``suffix``: CSV (UTF-8 with BOM) or JSON (a list of
    records, ±inf as null) with field keys and exact values; Excel with the rows on
    ``sheet`` and a "Columns" sheet saying what each column is and its unit."""
    if suffix == ".csv":
        return frame_csv(rows)
    if suffix == ".xlsx":
        return frames_excel({sheet: rows, "Columns": columns_sheet(rows)})
    finite = rows.replace([math.inf, -math.inf], math.nan)
    return (json.dumps(records(finite), indent=2, ensure_ascii=False) + "\n").encode("utf-8")


def plan_words(plan: CompanyPlan) -> str:
    """The plan in words, with its company: "Acme's approved plan Base v2"."""
    return f"{plan.company}'s {plan.label}"


def fence_words(plan: CompanyPlan) -> str:
    """What the time fence held in ``plan``, in one sentence ("" without a fence)."""
    k = plan.scenario.policy.frozen_periods
    if not k or plan.stored is not None:
        return ""
    periods = plural(k, "period")
    approved = plan.fence.approved
    if approved is None:
        return f"Time fence: {periods}, but nothing is approved, so it holds nothing."
    if plan.held is None:
        return (
            f"Time fence: {periods}, but the approved plan {approved.label} is not "
            "feasible, so it holds nothing."
        )
    shown = ", ".join(plan.scenario.period_labels[:k])
    verb = "holds" if len(plan.scenario.period_labels[:k]) == 1 else "hold"
    return (
        f"Time fence: {shown} {verb} the production and subcontracting of the approved "
        f"plan {approved.label}."
    )


def infeasible(plan: CompanyPlan) -> int:
    """Say on stderr that ``plan`` has no feasible plan, and why; exit code 1."""
    result: PlanResult = plan.result
    print(f"{plan_words(plan)}: {result.status}, no feasible plan", file=sys.stderr)
    print(result.message, file=sys.stderr)
    for line in result.diagnosis:
        print(f"  - {line}", file=sys.stderr)
    return 1


def _hint_current(what: str) -> dict[str, str]:
    return {"approved": f", or give --current to {what} the plan as it stands"}


# --------------------------------------------------------------------------- commands


def _cmd_show(args: argparse.Namespace) -> int:
    with opened(args) as wb, named_options({"whatif": "--whatif"}):
        plan = plans.company_plan(wb, args.company, args.whatif)
    result = plan.result
    if args.format == "json":
        approved = plan.fence.approved
        out = {
            "company": plan.company,
            "plan": plan.label,
            "whatif": None if args.whatif is None else plan.whatif.to_dict(),
            "approved": None if approved is None else approved.label,
            "frozen_periods": 0 if plan.held is None else plan.scenario.policy.frozen_periods,
            **result.to_dict(),
        }
        json.dump(out, sys.stdout, indent=2, ensure_ascii=False)
        sys.stdout.write("\n")
    elif args.format == "csv":
        if result.optimal:
            neutralise_frame(plan_table(result)).to_csv(
                sys.stdout, index=False, lineterminator="\n"
            )
        else:
            infeasible(plan)
    else:
        lines = [f"{plan.company}: {plan.label}"]
        if fence_words(plan):
            lines.append(fence_words(plan))
        sys.stdout.write("\n".join(lines) + "\n" + format_table(plan.scenario, result))
    return 0 if result.optimal else 1


def _amount(value: float | None, option: str, unit: str) -> float | None:
    """A lever's number: missing, or finite and ≥ 0; else refused naming ``option``."""
    if value is None:
        return None
    if not math.isfinite(value) or value < 0:
        raise InputError(Problem(option, f"must be a number ≥ 0 ({unit}), got {value:g}"))
    return value


def whatif_of(args: argparse.Namespace) -> WhatIf:
    """The levers of ``plans keep``, checked: numbers ≥ 0, the floor at most the ceiling."""
    low = _amount(args.workers_min, "--workers-min", "workers")
    high = _amount(args.workers_max, "--workers-max", "workers")
    if low is not None and high is not None and low > high:
        raise InputError(
            Problem(
                "--workers-min",
                f"{low:g} workers is above the ceiling --workers-max {high:g}; lower the "
                "floor or raise the ceiling",
            )
        )
    return WhatIf(
        overtime=_amount(args.overtime, "--overtime", "hours per worker per period"),
        workers_min=low,
        workers_max=high,
        safety_months=_amount(args.safety_months, "--safety-months", "months") or 0.0,
        strategy=args.strategy,
    )


def _cmd_keep(args: argparse.Namespace) -> int:
    whatif = whatif_of(args)
    author = actor_of(args)
    with opened(args) as wb:
        state = companies.company_state(wb, args.company)
        scenario = state.scenario()
        fence = plans.company_fence(wb, args.company)
        state, result = plans.keep_whatif(
            wb,
            args.company,
            args.name,
            scenario,
            whatif,
            author=author,
            approved=fence.plan,
            note=args.note,
        )
    stored = state.whatifs[args.name.strip()]["scenario"]
    levers = whatif.describe(scenario)
    if result.optimal:
        outcome = (
            f"total cost {show_value('total_cost', result.total_cost)}, "
            f"fill rate {show_value('fill_rate', result.kpis.get('fill_rate'))}"
        )
    else:
        outcome = f"no feasible plan ({result.message})"
    said(
        f"kept what-if {args.name.strip()!r} of {state.name} ({levers}): {outcome}; "
        f"saved as draft scenario {stored!r}",
        args.format,
        company=state.name,
        whatif=args.name.strip(),
        scenario=stored,
        settings=whatif.to_dict(),
        status=result.status,
        total_cost=result.total_cost,
    )
    return 0


def _cmd_export(args: argparse.Namespace) -> int:
    suffix = file_type(args.output)
    with opened(args) as wb, named_options(WHICH, _hint_current("export")):
        got = exports.plan_rows(wb, args.company, approved=args.approved)
    if not got.plan.result.optimal:
        return infeasible(got.plan)
    out = write_output(args.output, file_bytes(got.rows, suffix, "Plan"))
    print(f"wrote {len(got.rows):,} rows of {plan_words(got.plan)} to {out}")
    return 0


def _push(rows: pd.DataFrame, args: argparse.Namespace) -> str:
    """Push ``rows`` to ``--to``/``--table``; where they went, in words."""
    with named_options(TARGET):
        exports.push_rows(rows, args.to, args.table, if_exists=args.if_exists)
    how = {"replace": ", replaced", "append": ", appended"}.get(args.if_exists, "")
    return f"table {args.table!r} in {exports.masked(args.to)}{how}"


def _cmd_push(args: argparse.Namespace) -> int:
    with opened(args) as wb, named_options(WHICH, _hint_current("push")):
        got = exports.plan_rows(wb, args.company, approved=args.approved)
    if not got.plan.result.optimal:
        return infeasible(got.plan)
    where = _push(got.rows, args)
    print(f"wrote {len(got.rows):,} rows of {plan_words(got.plan)} to {where}")
    return 0


def _cmd_schedule(args: argparse.Namespace) -> int:
    if args.output is None and args.to is None:
        raise InputError(Problem("-o", "give -o FILE.csv|.xlsx|.json, --to URL --table T, or both"))
    if (args.to is None) != (args.table is None):
        given, missing = ("--to", "--table") if args.to else ("--table", "--to")
        raise InputError(Problem(missing, f"{given} needs {missing} too"))
    suffix = file_type(args.output) if args.output else None
    with opened(args) as wb, named_options(SCHEDULE, _hint_current("schedule")):
        got = exports.schedule_rows(
            wb,
            args.company,
            approved=args.approved,
            model=args.model,
            method=args.method,
            start=args.start,
            firm_weeks=args.firm_weeks,
        )
    if got.schedule is None:
        return infeasible(got.plan)
    made = got.schedule
    weeks = plural(len(made.week_labels), "week")
    skus = plural(made.weeks["sku"].nunique(), "SKU")
    what = (
        f"of the weekly SKU schedule of {plan_words(got.plan)} ({weeks}, {skus}; mix from "
        f"{got.history_name or 'the stored history'})"
    )
    if suffix is not None:
        out = write_output(args.output, file_bytes(got.rows, suffix, "Schedule"))
        print(f"wrote {len(got.rows):,} rows {what} to {out}")
    if args.to is not None:
        print(f"wrote {len(got.rows):,} rows {what} to {_push(got.rows, args)}")
    for note in made.notes:
        print(f"note: {note}", file=sys.stderr)
    return 0


__all__ = ["file_bytes", "file_type", "named_options", "register"]
