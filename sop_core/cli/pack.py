"""``python -m sop_core pack build COMPANY -o FILE.pdf [--excel FILE.xlsx] [--month YYYY-MM]``:
the meeting pack of a company's month from a shell.

The pack is the one the Cycle page builds: it presents the month's approved version,
else the first version its supply review recommended, else the company's plan as it
stands (each inside the time fence of the approved plan), against the other recommended
versions and the kept what-ifs, with the cycle's open decisions and assumptions, the
plans earlier cycles approved, the actuals as stored and the forecast value added
(:func:`sop_core.services.pack.company_pack`). Without ``--month``
it is this month's cycle, else the latest before it. Exit 1 when the company's plan is
not feasible (the pack is still written: it says so), 2 for invalid input.
"""

from __future__ import annotations

import argparse
import sys

from sop_core.base.text import plural
from sop_core.cli.common import opened, store_options, write_output
from sop_core.cli.plans import file_type, named_options
from sop_core.services.pack import company_pack


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``pack`` command and its ``build`` subcommand."""
    parser = subparsers.add_parser(
        "pack",
        help="build the meeting pack of a company's month (PDF and Excel)",
        description="The S&OP meeting pack: one PDF for the meeting, its tables as Excel.",
    )
    sub = parser.add_subparsers(dest="pack_command", required=True, metavar="SUBCOMMAND")
    p = sub.add_parser(
        "build",
        parents=[store_options()],
        help="write the meeting pack of a company's month",
        description="The company's plan as it stands against its kept what-ifs and the "
        "cycle's recommended versions, with the cycle's open decisions and assumptions: "
        "a PDF and, with --excel, its tables as a workbook.",
    )
    p.add_argument("company", metavar="COMPANY", help="the company's name")
    p.add_argument(
        "-o", "--output", required=True, metavar="FILE.pdf", help="the PDF file to write"
    )
    p.add_argument("--excel", metavar="FILE.xlsx", help="also write the pack's tables here")
    p.add_argument(
        "--month",
        metavar="YYYY-MM",
        help="the cycle's month (default: this month's cycle, else the latest before it)",
    )
    p.add_argument("--title", help="the pack's title (default: '<month> cycle: S&OP meeting pack')")
    p.set_defaults(func=_cmd_build)


def _cmd_build(args: argparse.Namespace) -> int:
    file_type(args.output, "-o", (".pdf",))
    if args.excel:
        file_type(args.excel, "--excel", (".xlsx",))
    with opened(args) as wb, named_options({"month": "--month"}):
        built = company_pack(wb, args.company, args.month, title=args.title)
    inputs = built.inputs
    pdf = write_output(args.output, built.pack.pdf)
    written = [str(pdf)]
    if args.excel:
        written.append(str(write_output(args.excel, built.pack.excel, "--excel")))
    cycle = inputs.cycle.label if inputs.cycle else "no cycle yet"
    print(
        f"wrote the meeting pack of {args.company} ({cycle}; "
        f"{plural(built.pack.sections, 'section')}; {inputs.plan_name} against "
        f"{plural(len(inputs.alternatives), 'alternative')}) to " + " and ".join(written)
    )
    for skipped in inputs.skipped:
        print(f"note: recommended {skipped} was deleted since; left out", file=sys.stderr)
    if not inputs.result.optimal:
        print(
            f"{inputs.plan_name}: {inputs.result.status}, no feasible plan "
            f"({inputs.result.message}); the pack says so",
            file=sys.stderr,
        )
        return 1
    return 0
