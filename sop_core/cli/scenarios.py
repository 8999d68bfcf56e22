"""``python -m sop_core scenarios list|show|import|export``: the scenario store from a shell.

The database is ``--database-url URL``, else ``$SOP_DATABASE_URL``, else the SQLite file
``data/scenarios.sqlite`` (see :func:`sop_core.services.workbench.connect`).

- ``list [--json]``: every scenario with its status, latest version, author and time.
- ``show NAME [--version N] [--json]``: one version's details, KPIs and version history.
- ``import FILE [--name NAME] [--author WHO] [--note TEXT] [--provenance JSON] [--no-solve]``:
  validate a scenario file, solve it for its KPIs (when the planner is available) and
  save it: a new scenario, or the next version when the name already exists.
- ``export NAME [--version N] [-o FILE]``: the scenario file's JSON on stdout, or in FILE.

Bad input (a missing file, an invalid scenario, an unknown name, an unreachable
database) raises :class:`~sop_core.base.errors.InputError`: exit code 2 with the message.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sop_core.base.errors import InputError, Problem
from sop_core.base.fields import MISSING
from sop_core.cli.common import actor_of, opened, store_options
from sop_core.model.scenario import load_scenario
from sop_core.model.whatif import WhatIf
from sop_core.services import plans, scenarios

Handler = Callable[[argparse.Namespace], int]


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``scenarios`` command and its list/show/import/export subcommands."""
    common = store_options()
    parser = subparsers.add_parser(
        "scenarios",
        help="list, show, import and export saved scenarios",
        description="The scenario store: saved, versioned what-if scenarios.",
    )
    sub = parser.add_subparsers(dest="scenarios_command", required=True, metavar="SUBCOMMAND")

    p = sub.add_parser("list", parents=[common], help="list scenarios with status and author")
    p.add_argument("--json", action="store_true", help="print JSON instead of a table")
    p.set_defaults(func=_cmd_list)

    p = sub.add_parser("show", parents=[common], help="show one scenario's details")
    p.add_argument("name", metavar="NAME")
    p.add_argument("--version", type=int, default=None, metavar="N", help="default: latest")
    p.add_argument("--json", action="store_true", help="print JSON instead of text")
    p.set_defaults(func=_cmd_show)

    p = sub.add_parser("import", parents=[common], help="save a scenario file in the store")
    p.add_argument("file", metavar="FILE", help="scenario .json file")
    p.add_argument("--name", default=None, help="store under this name (default: its name)")
    p.add_argument("--author", dest="actor", default=None, help="the same as --as")
    p.add_argument("--note", default="", help="a note kept with this version")
    p.add_argument(
        "--provenance",
        default=None,
        metavar="JSON",
        help='where the demand came from, e.g. \'{"history": "h.csv", "forecast": "auto"}\'',
    )
    p.add_argument("--no-solve", action="store_true", help="store without solving for KPIs")
    p.set_defaults(func=_cmd_import)

    p = sub.add_parser("export", parents=[common], help="print or write a scenario's JSON file")
    p.add_argument("name", metavar="NAME")
    p.add_argument("--version", type=int, default=None, metavar="N", help="default: latest")
    p.add_argument("-o", "--output", default=None, metavar="FILE", help="write to FILE")
    p.set_defaults(func=_cmd_export)


def _money(value: float | None) -> str:
    return MISSING if value is None else f"{value:,.2f}"


def _iso(value: Any) -> str:
    return value.isoformat() if value is not None else None  # type: ignore[return-value]


def _cmd_list(args: argparse.Namespace) -> int:
    with opened(args) as wb:
        rows = scenarios.scenarios_of(wb)
        where = wb.url
    if args.json:
        out = [
            {
                "name": r.name,
                "status": r.status,
                "latest_version": r.latest_version,
                "approved_version": r.approved_version,
                "author": r.author,
                "saved_at": _iso(r.saved_at),
                "note": r.note,
                "total_cost": r.total_cost,
            }
            for r in rows
        ]
        print(json.dumps(out, indent=2, ensure_ascii=False))
        return 0
    if not rows:
        print(f"no scenarios in {where}; add one with: python -m sop_core scenarios import FILE")
        return 0
    table = [("NAME", "STATUS", "VERSION", "AUTHOR", "SAVED (UTC)", "TOTAL COST", "NOTE")]
    for r in rows:
        status = r.status
        if r.status == "approved" and r.approved_version != r.latest_version:
            status = f"approved v{r.approved_version}"
        table.append(
            (
                r.name,
                status,
                str(r.latest_version),
                r.author,
                r.saved_at.strftime("%Y-%m-%d %H:%M"),
                _money(r.total_cost),
                r.note.splitlines()[0][:40] if r.note else "",
            )
        )
    widths = [max(len(row[i]) for row in table) for i in range(len(table[0]))]
    for row in table:
        print("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip())
    return 0


def _cmd_show(args: argparse.Namespace) -> int:
    with opened(args) as wb:
        item = scenarios.open_scenario(wb, args.name, args.version)
        versions = scenarios.versions(wb, item.name)
    if args.json:
        out = {
            "name": item.name,
            "version": item.version,
            "latest_version": item.latest_version,
            "status": item.status,
            "approved_version": item.approved_version,
            "approved_by": item.approved_by,
            "approved_at": _iso(item.approved_at),
            "author": item.author,
            "saved_at": _iso(item.created_at),
            "note": item.note,
            "provenance": item.provenance,
            "solve_status": item.solve_status,
            "kpis": item.kpis,
            "cost_breakdown": item.cost_breakdown,
            "scenario": json.loads(item.scenario.to_json()),
            "versions": [
                {
                    "version": v.version,
                    "author": v.author,
                    "saved_at": _iso(v.created_at),
                    "note": v.note,
                }
                for v in versions
            ],
        }
        print(json.dumps(out, indent=2, ensure_ascii=False))
        return 0
    sc = item.scenario
    status = item.status
    if item.status == "approved":
        status += f" (version {item.approved_version}, by {item.approved_by})"
    print(f"Scenario:   {item.name}")
    print(f"Status:     {status}")
    print(
        f"Version:    {item.version} of {item.latest_version}, saved by {item.author} "
        f"at {item.created_at:%Y-%m-%d %H:%M} UTC"
    )
    if item.note:
        print(f"Note:       {item.note}")
    print(
        f"Shape:      {sc.horizon} periods ({', '.join(sc.period_labels)}), "
        f"families: {', '.join(sc.family_names)}; strategy {sc.policy.strategy}"
    )
    print(f"Provenance: {json.dumps(item.provenance, ensure_ascii=False) or '{}'}")
    if item.kpis is None:
        print("KPIs:       not solved")
    else:
        print(f"KPIs ({item.solve_status or 'solved'}):")
        for key, value in item.kpis.items():
            print(f"  {key:<28} {_money(value)}")
    if item.cost_breakdown:
        print("Cost breakdown:")
        for key, value in item.cost_breakdown.items():
            print(f"  {key:<28} {_money(value)}")
    print("Versions:")
    for v in versions:
        mark = "*" if v.version == item.version else " "
        print(
            f" {mark}v{v.version:<4} {v.created_at:%Y-%m-%d %H:%M}  {v.author}  {v.note}".rstrip()
        )
    return 0


def _provenance(text: str | None, path: Path) -> dict[str, Any]:
    if text is None:
        return {"imported_from": path.name}
    shown = text if len(text) <= 60 else text[:57] + "..."
    try:
        value = json.loads(text)
    except (json.JSONDecodeError, RecursionError) as exc:
        raise InputError(
            Problem(
                "--provenance",
                f"not valid JSON ({getattr(exc, 'msg', 'nested too deep')}), got {shown!r}; "
                'give an object such as \'{"history": "h.csv", "forecast": "auto"}\'',
            )
        ) from None
    if not isinstance(value, dict):
        raise InputError(Problem("--provenance", f"must be a JSON object {{...}}, got {shown!r}"))
    return value


def _cmd_import(args: argparse.Namespace) -> int:
    path = Path(args.file)
    scenario = load_scenario(path)
    provenance = _provenance(args.provenance, path)
    author = actor_of(args)
    with opened(args) as wb:
        name = args.name if args.name is not None else scenario.name
        existing = name.strip() in scenarios.scenario_names(wb)
        base = scenarios.open_scenario(wb, name.strip()).version if existing else None

        def save(solve: bool) -> Any:
            return plans.save_scenario(
                wb,
                scenario,
                WhatIf(),
                author=author,
                approved=None,  # a scenario of no company: no approved plan, no fence
                name=args.name,
                base_version=base,
                note=args.note,
                provenance=provenance,
                solve=solve,
            )

        try:
            saved = save(not args.no_solve)
        except InputError:
            raise
        except Exception as exc:  # a planner bug must not stop the scenario being kept
            print(
                f"warning: could not solve for KPIs ({exc}); stored without them", file=sys.stderr
            )
            saved = save(False)
    how = f"as version {saved.version} (earlier versions kept)" if existing else "as version 1"
    cost = f"; total cost {_money(saved.total_cost)}" if saved.total_cost is not None else ""
    print(f"imported {path} into scenario {saved.name!r} {how}{cost}")
    return 0


def _cmd_export(args: argparse.Namespace) -> int:
    with opened(args) as wb:
        item = scenarios.open_scenario(wb, args.name, args.version)
    text = item.scenario.to_json() + "\n"
    if args.output is None:
        sys.stdout.write(text)
        return 0
    out = Path(args.output)
    if out.is_dir():
        raise InputError(Problem("-o", f"{str(out)!r} is a directory; give a file name"))
    if not out.parent.is_dir():
        raise InputError(
            Problem(
                "-o",
                f"directory {str(out.parent)!r} does not exist; create it or choose another path",
            )
        )
    try:
        out.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise InputError(Problem("-o", f"cannot write {str(out)!r}: {exc.strerror}")) from None
    print(f"wrote scenario {item.name!r} version {item.version} to {out}")
    return 0
