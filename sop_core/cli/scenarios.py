"""``python -m sop_core scenarios list|show|import|export|approve|status``: the scenario
store from a shell.

The database is ``--database-url URL``, else ``$SOP_DATABASE_URL``, else the SQLite file
``data/scenarios.sqlite`` (see :func:`sop_core.services.workbench.connect`).

- ``list [--format table|json|csv]``: every scenario with its status, latest version,
  author, time and total cost (``--json``: the same as ``--format json``).
- ``show NAME [--version N] [--format table|json|csv]``: one version's details, KPIs and
  version history (``--json`` as for list; csv: field, value rows).
- ``import FILE [--name NAME] [--author WHO] [--note TEXT] [--provenance JSON] [--no-solve]``:
  validate a scenario file, solve it for its KPIs (when the planner is available) and
  save it: a new scenario, or the next version when the name already exists.
- ``export NAME [--version N] [-o FILE]``: the scenario file's JSON on stdout, or in FILE.
- ``approve NAME [--version N]``: that version (default: the latest) becomes its
  company's approved plan; the one approved before goes back to proposed. Executives
  only (``--as``): a refusal exits 2 with the Scenarios page's sentence.
- ``status NAME draft|proposed|approved``: set the status (``approved``: approve the
  latest version); only an executive changes an approved scenario's status.

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

import pandas as pd

from sop_core.base.errors import InputError, Problem
from sop_core.base.fields import MISSING, label, show_value
from sop_core.cli.common import (
    actor_of,
    emit,
    emit_one,
    format_option,
    opened,
    said,
    store_options,
    write_output,
)
from sop_core.model.scenario import load_scenario
from sop_core.model.whatif import WhatIf
from sop_core.services import plans, scenarios

Handler = Callable[[argparse.Namespace], int]

#: a scenario's statuses (:data:`sop_core.store.scenarios.Status`)
STATUSES = ("draft", "proposed", "approved")


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``scenarios`` command and its list/show/import/export/approve/status
    subcommands."""
    common, fmt = store_options(), format_option()
    parser = subparsers.add_parser(
        "scenarios",
        help="list, show, import, export, approve saved scenarios and set their status",
        description="The scenario store: saved, versioned what-if scenarios.",
    )
    sub = parser.add_subparsers(dest="scenarios_command", required=True, metavar="SUBCOMMAND")

    p = sub.add_parser(
        "list", parents=[common, fmt], help="list scenarios with status, author and total cost"
    )
    _json_alias(p)
    p.set_defaults(func=_cmd_list)

    p = sub.add_parser("show", parents=[common, fmt], help="show one scenario's details")
    p.add_argument("name", metavar="NAME", help="the scenario's name")
    p.add_argument("--version", type=int, default=None, metavar="N", help="default: latest")
    _json_alias(p)
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

    p = sub.add_parser(
        "approve",
        parents=[common, fmt],
        help="approve a version as its company's plan (executives only)",
        description="Approve a version of a scenario as its company's plan; the scenario "
        "approved before goes back to proposed. Only an executive may (see --as).",
    )
    p.add_argument("name", metavar="NAME", help="the scenario's name")
    p.add_argument(
        "--version", type=int, default=None, metavar="N", help="the version (default: latest)"
    )
    p.set_defaults(func=_cmd_approve)

    p = sub.add_parser(
        "status",
        parents=[common, fmt],
        help="set a scenario's status: draft, proposed or approved",
        description="Set a scenario's status. approved approves its latest version (as "
        "approve does); only an executive approves, or changes an approved scenario's status.",
    )
    p.add_argument("name", metavar="NAME", help="the scenario's name")
    p.add_argument("status", choices=STATUSES, metavar="STATUS", help=" | ".join(STATUSES))
    p.set_defaults(func=_cmd_status)


def _json_alias(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--json",
        dest="format",
        action="store_const",
        const="json",
        default=argparse.SUPPRESS,
        help="the same as --format json",
    )


def _money(value: float | None) -> str:
    return MISSING if value is None else f"{value:,.2f}"


def _iso(value: Any) -> str:
    return value.isoformat() if value is not None else None  # type: ignore[return-value]


def listing_frame(rows: list[scenarios.ScenarioSummary]) -> pd.DataFrame:
    """The scenario list with its field keys and exact values (JSON, CSV)."""
    columns = [
        "name",
        "status",
        "latest_version",
        "approved_version",
        "author",
        "saved_at",
        "note",
        "total_cost",
    ]
    frame = pd.DataFrame(
        [
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
        ],
        columns=columns,
    )
    return frame.astype({"approved_version": "Int64"})  # a whole number, or none


def listing_table(rows: list[scenarios.ScenarioSummary]) -> pd.DataFrame:
    """The scenario list for people: the status says which version is approved when it
    is not the latest, the time in UTC, the note's first line."""
    return pd.DataFrame(
        {
            "name": [r.name for r in rows],
            "status": [
                f"approved v{r.approved_version}"
                if r.status == "approved" and r.approved_version != r.latest_version
                else r.status
                for r in rows
            ],
            "version": [r.latest_version for r in rows],
            "author": [r.author for r in rows],
            "saved_at": [f"{r.saved_at:%Y-%m-%d %H:%M} UTC" for r in rows],
            "total_cost": pd.array([r.total_cost for r in rows], dtype="Float64"),
            "note": [r.note.splitlines()[0][:40] if r.note else "" for r in rows],
        }
    )


def _cmd_list(args: argparse.Namespace) -> int:
    with opened(args) as wb:
        rows = scenarios.scenarios_of(wb)
        where = wb.url
    if args.format != "table":
        emit(listing_frame(rows), args.format)
        return 0
    if not rows:
        print(f"no scenarios in {where}; add one with: python -m sop_core scenarios import FILE")
        return 0
    emit(listing_table(rows), "table", keys={"name": "scenario"})
    return 0


def show_record(item: scenarios.StoredScenario, versions: list[Any]) -> dict[str, Any]:
    """One version of a scenario with its field keys and exact values (JSON)."""
    return {
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


def show_fields(record: dict[str, Any]) -> dict[str, Any]:
    """:func:`show_record` as field, value rows (CSV): the scenario's own fields, each KPI
    as ``kpis.KEY`` and each cost as ``cost_breakdown.KEY``, the provenance as JSON text
    (the scenario file itself: ``scenarios export``)."""
    flat = {
        k: v for k, v in record.items() if k not in ("scenario", "versions", "kpis", "provenance")
    }
    flat.pop("cost_breakdown")
    flat["provenance"] = json.dumps(record["provenance"] or {}, ensure_ascii=False)
    for group in ("kpis", "cost_breakdown"):
        for key, value in (record[group] or {}).items():
            flat[f"{group}.{key}"] = value
    return flat


def _cmd_show(args: argparse.Namespace) -> int:
    with opened(args) as wb:
        item = scenarios.open_scenario(wb, args.name, args.version)
        versions = scenarios.versions(wb, item.name)
    if args.format == "json":
        print(json.dumps(show_record(item, versions), indent=2, ensure_ascii=False))
        return 0
    if args.format == "csv":
        emit_one(show_fields(show_record(item, versions)), "csv")
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
            print(f"  {label(key):<28} {show_value(key, value) or MISSING}")
    if item.cost_breakdown:
        print("Cost breakdown:")
        for key, value in item.cost_breakdown.items():
            print(f"  {label(key):<28} {show_value(key, value) or MISSING}")
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
    out = write_output(args.output, text.encode("utf-8"))
    print(f"wrote scenario {item.name!r} version {item.version} to {out}")
    return 0


def _cmd_approve(args: argparse.Namespace) -> int:
    with opened(args) as wb:
        scenarios.approve(wb, args.name, author=actor_of(args), version=args.version)
        item = scenarios.open_scenario(wb, args.name)
    said(
        f"approved scenario {item.name!r} version {item.approved_version} as its company's "
        "plan; the scenario approved before, if any, is proposed again",
        args.format,
        name=item.name,
        status=item.status,
        approved_version=item.approved_version,
        approved_by=item.approved_by,
    )
    return 0


def _cmd_status(args: argparse.Namespace) -> int:
    with opened(args) as wb:
        before = scenarios.open_scenario(wb, args.name)
        scenarios.set_status(wb, args.name, args.status, author=actor_of(args))
        item = scenarios.open_scenario(wb, args.name)
    what = f" (version {item.approved_version})" if item.status == "approved" else ""
    said(
        f"scenario {item.name!r} is now {item.status}{what}; it was {before.status}",
        args.format,
        name=item.name,
        status=item.status,
        before=before.status,
        approved_version=item.approved_version,
    )
    return 0
