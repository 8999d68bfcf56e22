"""``python -m sop_core audit list|export``: the audit trail from a shell.

- ``list [--company C] [--kind K] [--key KEY] [--limit N] [--format table|json|csv]``:
  every change saved, newest first; the table for people (fields by their labels, before
  and after in words, as the Audit page shows them), JSON and CSV for programs (field
  keys, the exact values).
- ``export -o FILE.csv|FILE.xlsx`` with the same filters: the exact values under
  readable headers, as the Audit page's downloads.

``--kind`` takes the kinds of object of the Audit page (:data:`KINDS`); with ``--kind
family`` and ``--company``, ``--key`` may name the family instead of its key.
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from typing import Any

import pandas as pd

from sop_core.base.errors import InputError, Problem
from sop_core.base.text import plural
from sop_core.cli.common import (
    emit,
    format_option,
    opened,
    output_path,
    store_options,
    write_output,
)
from sop_core.reports.exports import frame_csv, frames_excel
from sop_core.services import companies
from sop_core.services.audit import audit_records, audit_trail
from sop_core.services.workbench import Workbench

#: the kinds of object in the trail, by key, with the Audit page's words for them
KINDS: dict[str, str] = {
    "family": "Families",
    "workforce": "Workforce",
    "policy": "Policy",
    "adjustment": "Consensus adjustments",
    "plan": "Plan demand",
    "history": "Sales history",
    "setting": "Resources and calendar",
    "whatif": "Kept what-ifs",
    "budget": "Business plan",
    "actual": "Actuals",
    "scenario": "Scenarios",
    "company": "Companies",
    "cycle": "Monthly cycles",
}
#: the widest a cell of the table for people gets (longer text ends in "…")
CELL_MAX = 48
SUFFIXES = (".csv", ".xlsx")


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``audit`` command and its list/export subcommands."""
    store, fmt, filters = store_options(), format_option(), _filters()
    parser = subparsers.add_parser(
        "audit",
        help="list or export the audit trail: who changed what, when, from what to what",
        description="The audit trail: every change saved in the store, newest first. The "
        "database refuses to change or delete its rows.",
    )
    sub = parser.add_subparsers(dest="audit_command", required=True, metavar="SUBCOMMAND")

    p = sub.add_parser(
        "list",
        parents=[store, filters, fmt],
        help="print the trail, newest first",
        description="Print the trail, newest first: a table in words (as the Audit page), "
        "or JSON or CSV with field keys and the exact values.",
    )
    p.set_defaults(func=_cmd_list)

    p = sub.add_parser(
        "export",
        parents=[store, filters],
        help="write the trail to a CSV or Excel file",
        description="Write the trail to a CSV or Excel file: the exact values under "
        "readable headers, as the Audit page's downloads.",
    )
    p.add_argument(
        "-o",
        "--output",
        required=True,
        metavar="FILE",
        help="the file to write: FILE.csv (UTF-8) or FILE.xlsx (Excel)",
    )
    p.set_defaults(func=_cmd_export)


def _filters() -> argparse.ArgumentParser:
    """A parent parser with the trail's filters."""
    p = argparse.ArgumentParser(add_help=False)
    p.add_argument(
        "--company", default=None, metavar="C", help="this company's changes (default: all)"
    )
    p.add_argument(
        "--kind",
        choices=KINDS,
        default=None,
        metavar="K",
        help="one kind of object (default: every kind): "
        + ", ".join(f"{k} ({v.lower()})" for k, v in KINDS.items()),
    )
    p.add_argument(
        "--key",
        default=None,
        metavar="KEY",
        help="one object: a scenario's name, a cycle's month (YYYY-MM), a family's key "
        "(or its name, with --kind family and --company)",
    )
    p.add_argument(
        "--limit",
        type=int,
        default=None,
        metavar="N",
        help="at most N changes, the newest (default: all)",
    )
    return p


# --------------------------------------------------------------------------- filters


@dataclass(frozen=True)
class Filters:
    """Which rows of the trail: as :func:`audit_trail` takes them (None: no filter)."""

    company: str | None = None
    kind: str | None = None
    key: str | None = None
    limit: int | None = None
    asked: str | None = None  #: the key as given (a family's name, for its key)

    def query(self) -> dict[str, Any]:
        """The keyword arguments of :func:`audit_trail` and :func:`audit_records`."""
        return {"company": self.company, "kind": self.kind, "key": self.key, "limit": self.limit}

    def words(self) -> str:
        """The filters in words: "in Acme, scenarios, key Base"."""
        parts = [f"in {self.company}" if self.company else "in all companies"]
        if self.kind:
            parts.append(KINDS[self.kind].lower())
        if self.key:
            parts.append(f"key {self.asked or self.key}")
        return ", ".join(parts)


def trail_filters(wb: Workbench, args: argparse.Namespace) -> Filters:
    """The filters of ``args``; an unknown company or a limit below 1 is bad input naming
    the option."""
    if args.limit is not None and args.limit < 1:
        raise InputError(Problem("--limit", f"must be a whole number ≥ 1, got {args.limit}"))
    company = args.company.strip() if args.company is not None else None
    if company is not None:
        names = companies.company_names(wb)
        if company not in names:
            known = ", ".join(repr(n) for n in names) or "none yet"
            raise InputError(
                Problem("--company", f"{args.company!r} not found; companies: {known}")
            )
    key = args.key
    if key is not None and args.kind == "family" and company is not None:
        key = companies.company_state(wb, company).family_key(key) or key
    return Filters(company, args.kind, key, args.limit, asked=args.key)


def _cell(value: object) -> str:
    text = " ".join(str(value).split())
    return text if len(text) <= CELL_MAX else text[: CELL_MAX - 1] + "…"


def words_table(trail: pd.DataFrame) -> str:
    """The trail in words (:func:`audit_trail`, already headed in the vocabulary) as a
    text table, text left-aligned, each cell on one line and at most :data:`CELL_MAX`
    characters wide."""
    cells = trail.map(_cell)
    widths = {c: max([len(str(c)), *(len(v) for v in cells[c])]) for c in cells.columns}
    lines = ["  ".join(str(c).ljust(widths[c]) for c in cells.columns).rstrip()]
    for row in cells.itertuples(index=False):
        lines.append(
            "  ".join(v.ljust(widths[c]) for c, v in zip(cells.columns, row, strict=True)).rstrip()
        )
    return "\n".join(lines)


# --------------------------------------------------------------------------- commands


def _cmd_list(args: argparse.Namespace) -> int:
    with opened(args) as wb:
        filters = trail_filters(wb, args)
        read = audit_trail if args.format == "table" else audit_records
        trail = read(wb, **filters.query())
    if args.format != "table":
        emit(trail, args.format)
    elif trail.empty:
        print(f"no changes recorded {filters.words()}")
    else:
        print(words_table(trail))
        print(f"{plural(len(trail), 'change')} {filters.words()}, newest first.")
    return 0


def _cmd_export(args: argparse.Namespace) -> int:
    out = output_path(args.output, SUFFIXES)
    with opened(args) as wb:
        filters = trail_filters(wb, args)
        trail = audit_trail(wb, exact=True, **filters.query())
    data = (
        frame_csv(trail) if out.suffix.lower() == ".csv" else frames_excel({"Audit trail": trail})
    )
    write_output(out, data)
    print(f"wrote {plural(len(trail), 'change')} {filters.words()} to {out}")
    return 0
