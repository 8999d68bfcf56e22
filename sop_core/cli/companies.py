"""``python -m sop_core companies list|create|copy|export|import``: the companies in the
store from a shell.

- ``list``: every company with its families, periods, history in use and revision.
- ``create NAME``: an empty company (the textbook workforce to review, no family yet).
- ``copy FROM NAME``: a new company holding a copy of FROM's plan (families, workforce,
  policy); its history, adjustments and what-ifs stay with FROM.
- ``export NAME -o FILE.xlsx``: the whole company as one Excel workbook.
- ``import FILE.xlsx --name NAME``: a new company from such a workbook (its history,
  adjustments and what-ifs too).

Each change is one action of the person ``--as`` (starting a company is the admin's), in
one transaction, on the audit trail. Bad input exits 2 with the sentence that says why.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

import pandas as pd

from sop_core.base.errors import InputError, Problem
from sop_core.base.text import plural
from sop_core.cli.common import (
    actor_of,
    emit,
    format_option,
    opened,
    output_path,
    said,
    store_options,
    write_output,
)
from sop_core.process.workspace import WorkspaceState
from sop_core.reports.workbook import read_workbook
from sop_core.services import companies

#: the columns ``companies list`` prints (headers from the vocabulary, else the words)
LIST_COLUMNS = ("company", "families", "periods", "history_file", "revision")


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``companies`` command and its list/create/copy/export/import subcommands."""
    common, fmt = store_options(), format_option()
    parser = subparsers.add_parser(
        "companies",
        help="list, create, copy, export and import companies",
        description="The companies in the store: each one's plan, history and tables.",
    )
    sub = parser.add_subparsers(dest="companies_command", required=True, metavar="SUBCOMMAND")

    p = sub.add_parser(
        "list",
        parents=[common, fmt],
        help="every company: families, periods, history in use, revision",
        description="Every company in the store, oldest first.",
    )
    p.set_defaults(func=_cmd_list)

    p = sub.add_parser(
        "create",
        parents=[common, fmt],
        help="start an empty company",
        description="Start an empty company: the textbook workforce to review, no family yet "
        "(upload a history to create its families). Needs the admin's right.",
    )
    p.add_argument("name", metavar="NAME", help="the new company's name")
    p.set_defaults(func=_cmd_create)

    p = sub.add_parser(
        "copy",
        parents=[common, fmt],
        help="start a company from a copy of another's plan",
        description="Start company NAME holding a copy of FROM's plan: its families, "
        "workforce and policy (not its history, adjustments or what-ifs). Needs the "
        "admin's right.",
    )
    p.add_argument("source", metavar="FROM", help="the company whose plan is copied")
    p.add_argument("name", metavar="NAME", help="the new company's name")
    p.set_defaults(func=_cmd_copy)

    p = sub.add_parser(
        "export",
        parents=[common, fmt],
        help="write a company as one Excel workbook",
        description="Write the whole company (master data, history, adjustments, what-ifs, "
        "business plan and actuals) as one .xlsx workbook, which companies import reads.",
    )
    p.add_argument("name", metavar="NAME", help="the company to export")
    p.add_argument(
        "-o", "--output", required=True, metavar="FILE.xlsx", help="the workbook to write"
    )
    p.set_defaults(func=_cmd_export)

    p = sub.add_parser(
        "import",
        parents=[common, fmt],
        help="start a company from an Excel workbook",
        description="Start company NAME from a workbook written by companies export (or typed "
        "in its columns): master data, history, adjustments and what-ifs, as one action. "
        "Needs the admin's right.",
    )
    p.add_argument("file", metavar="FILE.xlsx", help="the company workbook to read")
    p.add_argument("--name", required=True, metavar="NAME", help="the new company's name")
    p.set_defaults(func=_cmd_import)


# --------------------------------------------------------------------------- reading


def summary(state: WorkspaceState) -> dict[str, Any]:
    """One row of ``companies list``: the company's name, number of families, periods of
    its plan (None before it has any), the history in use (None: none) and revision."""
    periods = (state.value("plan") or {}).get("periods")
    horizon = len(periods) if periods else None
    if horizon is None and state.families:
        horizon = len(state.families[0].value.get("demand") or []) or None
    upload = state.history_upload
    return {
        "company": state.name,
        "families": len(state.families),
        "periods": horizon,
        "history_file": upload["name"] if upload else None,
        "revision": state.revision,
    }


def _cmd_list(args: argparse.Namespace) -> int:
    with opened(args) as wb:
        rows = [summary(companies.company_state(wb, n)) for n in companies.company_names(wb)]
        where = wb.where
    frame = pd.DataFrame(rows, columns=list(LIST_COLUMNS))
    emit(
        frame,
        args.format,
        empty=f"no companies in {where}; start one with: python -m sop_core companies create NAME",
    )
    return 0


# --------------------------------------------------------------------------- writing


def _cmd_create(args: argparse.Namespace) -> int:
    author = actor_of(args)
    with opened(args) as wb:
        state = companies.start_company(wb, args.name, author=author)
    said(
        f"started company {state.name!r}: the textbook workforce to review, no family yet "
        f"(upload a history: python -m sop_core history upload {_arg(state.name)} FILE)",
        args.format,
        company=state.name,
        revision=state.revision,
    )
    return 0


def _cmd_copy(args: argparse.Namespace) -> int:
    author = actor_of(args)
    with opened(args) as wb:
        plan = companies.company_state(wb, args.source).scenario()
        state = companies.start_company(
            wb, args.name, author=author, copy_of=plan, copied_from=args.source
        )
    said(
        f"started company {state.name!r} as a copy of the plan of {args.source!r}: "
        f"{plural(len(plan.families), 'family', 'families')}, {plural(plan.horizon, 'period')}",
        args.format,
        company=state.name,
        copied_from=args.source,
        families=len(plan.families),
        periods=plan.horizon,
        revision=state.revision,
    )
    return 0


def _cmd_export(args: argparse.Namespace) -> int:
    out = output_path(args.output, (".xlsx",))
    with opened(args) as wb:
        data = companies.export_workbook(wb, args.name)
    write_output(out, data)
    said(
        f"wrote company {args.name!r} to {out} ({len(data):,} bytes)",
        args.format,
        company=args.name,
        file=str(out),
        bytes=len(data),
    )
    return 0


def _cmd_import(args: argparse.Namespace) -> int:
    path = Path(args.file)
    if not path.is_file():
        raise InputError(
            Problem(
                args.file,
                "no such file; give the path of a company workbook (.xlsx) written by "
                "companies export",
            )
        )
    company = read_workbook(path.read_bytes(), path.name)
    author = actor_of(args)
    with opened(args) as wb:
        state = companies.import_company(wb, args.name, company, author=author)
    rows = len(company.history) if company.history is not None else 0
    history = f", a history of {plural(rows, 'row')}" if rows else ""
    said(
        f"imported {path.name} as company {state.name!r}: "
        f"{plural(len(state.families), 'family', 'families')}{history}, "
        f"{plural(len(company.whatifs), 'what-if')}",
        args.format,
        company=state.name,
        file=path.name,
        families=len(state.families),
        whatifs=len(company.whatifs),
        revision=state.revision,
    )
    return 0


def _arg(text: str) -> str:
    """``text`` as one shell argument (quoted when it has a space or a quote)."""
    if text and all(c.isalnum() or c in "-_.@" for c in text):
        return text
    return "'" + text.replace("'", "'\\''") + "'"
