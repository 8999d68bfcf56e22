"""``python -m sop_core actuals upload|pull|show``: a company's actuals from a shell.

The actuals are what was made and held per family and month: production, inventory and
backlog [units]. An upload (a .csv or .xlsx file with columns family, period, production,
inventory, backlog) or a pull (the same fields read from the company's own database, see
:mod:`sop_core.services.feeds`) replaces the company's actuals: rows matched by family
and month change only the cells that differ, new rows are added, rows it lacks are
removed; one undoable action audited under ``--as`` (the demand or supply planner's
right). ``show`` prints them.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from sop_core.base.text import plural
from sop_core.cli.common import actor_of, emit, format_option, opened, said, store_options
from sop_core.cli.history import options_named, source_of, source_options
from sop_core.process.monthly import read_monthly_table
from sop_core.process.workspace import MONTHLY_TABLES
from sop_core.services import companies, feeds, monthly

ACTUALS = MONTHLY_TABLES["actual"]


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``actuals`` command and its upload/pull/show subcommands."""
    common, fmt = store_options(), format_option()
    parser = subparsers.add_parser(
        "actuals",
        help="upload, pull and show a company's actual production, inventory and backlog",
        description="A company's actuals per family and month: production, inventory and "
        "backlog [units], from a file or the company's own database.",
    )
    sub = parser.add_subparsers(dest="actuals_command", required=True, metavar="SUBCOMMAND")

    p = sub.add_parser(
        "upload",
        parents=[common, fmt],
        help="replace a company's actuals with a file's",
        description="Read and validate an actuals file (.csv or .xlsx with columns family, "
        "period as YYYY-MM, production, inventory, backlog [units]) and make the company's "
        "actuals hold exactly its rows, as one undoable action.",
    )
    p.add_argument("company", metavar="COMPANY", help="the company the actuals are for")
    p.add_argument("file", metavar="FILE", help="the actuals file (.csv or .xlsx)")
    p.set_defaults(func=_cmd_upload)

    p = sub.add_parser(
        "pull",
        parents=[common, fmt, source_options(feeds.ACTUALS_FEED)],
        help="replace a company's actuals with rows from its own database",
        description="Read the actuals from another database (an ERP's) and take them in "
        "exactly as an uploaded file. Fields: family, period (a month), production, "
        "inventory, backlog [units].",
    )
    p.add_argument("company", metavar="COMPANY", help="the company the actuals are for")
    p.set_defaults(func=_cmd_pull)

    p = sub.add_parser(
        "show",
        parents=[common, fmt],
        help="print a company's actuals",
        description="The company's actuals, one row per family and month.",
    )
    p.add_argument("company", metavar="COMPANY", help="the company")
    p.set_defaults(func=_cmd_show)


def _cmd_upload(args: argparse.Namespace) -> int:
    path = Path(args.file)
    table = read_monthly_table(path, ACTUALS.values, ACTUALS.what)
    author = actor_of(args)
    with opened(args) as wb:
        before = companies.company_state(wb, args.company)
        state = monthly.upload_table(
            wb, args.company, ACTUALS.kind, table, path.name, author=author, based_on=before
        )
    _report(path.name, len(table), state.name, state.revision != before.revision, args.format)
    return 0


def _cmd_pull(args: argparse.Namespace) -> int:
    source = source_of(args)
    author = actor_of(args)
    with opened(args) as wb, options_named():
        pulled = feeds.pull_actuals(wb, args.company, source, author=author, name=args.name)
    _report(pulled.name, pulled.rows, pulled.state.name, pulled.changed, args.format)
    return 0


def _report(name: str, rows: int, company: str, changed: bool, fmt: str) -> None:
    """What an upload or a pull of the actuals says it did."""
    if changed:
        message = f"saved the actuals from {name} into {company!r}: {plural(rows, 'row')}"
    else:
        message = f"{name} holds the actuals of {company!r} as stored: nothing changed"
    said(message, fmt, company=company, name=name, rows=rows, changed=changed)


def _cmd_show(args: argparse.Namespace) -> int:
    with opened(args) as wb:
        actuals = companies.company_state(wb, args.company).actuals
    emit(
        actuals,
        args.format,
        empty=f"no actuals in {args.company!r} yet; upload them with: python -m sop_core "
        "actuals upload COMPANY FILE",
    )
    return 0
