"""``python -m sop_core launches …`` and ``phase-out …``: product development's portfolio.

- ``launches list COMPANY``: the company's launches and phase-outs, their assumptions in
  words; ``--section effects``: where they change a family's demand, per period.
- ``launches add COMPANY NAME --start PERIOD --like FAMILY (--volume UNITS | --factor X)``
  with ``--ramp-months N`` or ``--ramp-shares 0.2,0.5``, ``--cannibalise FAMILY --share S``;
  with ``--family FAMILY``, NAME is a new SKU of that family and ``--like`` and
  ``--cannibalise`` name SKUs of it.
- ``launches remove COMPANY NAME [--family FAMILY]``.
- ``phase-out set COMPANY FAMILY [--sku SKU] --end PERIOD [--last-time-buy UNITS]
  [--replacement F]``: with ``--sku``, that SKU of the family ends and the replacement
  is an SKU of it.
- ``phase-out clear COMPANY FAMILY [--sku SKU]``.

Each change is one audited, undoable action of a product developer; with a cycle this
month, its assumptions go to the cycle's log. Bad input and a missing right exit 2.
"""

from __future__ import annotations

import argparse

from sop_core.cli.common import (
    actor_of,
    company_argument,
    emit,
    format_option,
    opened,
    said,
    store_options,
)
from sop_core.process.portfolio import parse_shares
from sop_core.services import portfolio

SECTIONS = ("changes", "effects")


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``launches`` and ``phase-out`` commands and their subcommands."""
    parents = [store_options(), format_option()]
    parser = subparsers.add_parser(
        "launches",
        help="new families: list, add, remove (product development)",
        description="A launch is a new family that sells like an existing one (its plan "
        "demand gives the shape), scaled, ramped up, and optionally taking part of its demand "
        "from another family.",
    )
    sub = parser.add_subparsers(dest="launches_command", required=True, metavar="SUBCOMMAND")

    p = sub.add_parser("list", parents=parents, help="the launches and phase-outs, in words")
    company_argument(p)
    p.add_argument(
        "--section",
        choices=SECTIONS,
        default="changes",
        help="changes: each launch and phase-out (default); effects: the demand they change, "
        "per family and period (units)",
    )
    p.set_defaults(func=_cmd_list)

    p = sub.add_parser(
        "add",
        parents=parents,
        help="add a launch",
        description="Add a new family: its demand is the like-family's plan demand × the "
        "scale × the ramp-up, from the start period.",
    )
    company_argument(p)
    p.add_argument("name", metavar="NAME", help="the new family's name (with --family: SKU code)")
    _sku_family_option(p)
    p.add_argument("--start", required=True, metavar="PERIOD", help="its first period of sales")
    p.add_argument(
        "--like", required=True, metavar="FAMILY", help="the family whose demand gives its shape"
    )
    size = p.add_mutually_exclusive_group(required=True)
    size.add_argument(
        "--volume", type=float, metavar="UNITS", help="units it sells in its first 12 months"
    )
    size.add_argument(
        "--factor", type=float, metavar="X", help="its demand as X × the like-family's"
    )
    p.add_argument(
        "--ramp-months",
        type=int,
        default=1,
        metavar="N",
        help="months to full demand, rising in equal steps (default 1: full from the start)",
    )
    p.add_argument(
        "--ramp-shares",
        metavar="S,S,…",
        default=None,
        help="or the share of full demand in each first month, e.g. 0.2,0.5 (then full)",
    )
    p.add_argument(
        "--cannibalise", metavar="FAMILY", default=None, help="the family it takes demand from"
    )
    p.add_argument(
        "--share",
        type=float,
        default=0.0,
        metavar="S",
        help="the share (0 to 1) of its demand taken from that family (default 0)",
    )
    p.set_defaults(func=_cmd_add)

    p = sub.add_parser("remove", parents=parents, help="remove a launch (undoable)")
    company_argument(p)
    p.add_argument("name", metavar="NAME", help="the launch's family (with --family: SKU code)")
    _sku_family_option(p)
    p.set_defaults(func=_cmd_remove)

    parser = subparsers.add_parser(
        "phase-out",
        help="end a family: set or clear its last period (product development)",
        description="A phased-out family sells until its last period and ends it with the "
        "last-time-buy stock; nothing is made after it; a replacement takes its demand.",
    )
    sub = parser.add_subparsers(dest="phase_out_command", required=True, metavar="SUBCOMMAND")
    p = sub.add_parser("set", parents=parents, help="set or move a family's phase-out")
    company_argument(p)
    p.add_argument("family", metavar="FAMILY", help="the family that ends (or the SKU's)")
    _sku_option(p)
    p.add_argument("--end", required=True, metavar="PERIOD", help="its last period of sales")
    p.add_argument(
        "--last-time-buy",
        type=float,
        default=0.0,
        metavar="UNITS",
        help="units in stock at the end of its last period (default 0: run it out)",
    )
    p.add_argument(
        "--replacement", metavar="FAMILY", default=None, help="the family that takes its demand"
    )
    p.set_defaults(func=_cmd_set)
    p = sub.add_parser("clear", parents=parents, help="take a family's phase-out back")
    company_argument(p)
    p.add_argument("family", metavar="FAMILY", help="the family (or the SKU's)")
    _sku_option(p)
    p.set_defaults(func=_cmd_clear)


def _sku_family_option(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--family",
        metavar="FAMILY",
        default=None,
        help="launch an SKU inside this family: NAME is the new SKU's code, --like and "
        "--cannibalise name SKUs of the family (needs a sales history by SKU)",
    )


def _sku_option(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--sku",
        metavar="SKU",
        default=None,
        help="an SKU of the family ends, not the family (--replacement names an SKU of it)",
    )


def _cmd_list(args: argparse.Namespace) -> int:
    with opened(args) as wb:
        if args.section == "effects":
            table = portfolio.portfolio_effects(wb, args.company)
            keys = {c: f"portfolio.{c}" for c in ("consensus", "planned", "change")}
            emit(table, args.format, keys=keys, empty="no launch or phase-out changes demand")
        else:
            emit(portfolio.portfolio(wb, args.company), args.format, empty="no launch or phase-out")
    return 0


def _report(change: portfolio.PortfolioChange, fmt: str) -> int:
    logged = (
        f" (assumption {change.assumption} in this month's cycle log)" if change.assumption else ""
    )
    said(
        f"{change.state.name}: {change.said}{logged}",
        fmt,
        company=change.state.name,
        revision=change.state.revision,
        assumption=change.assumption,
    )
    return 0


def _cmd_add(args: argparse.Namespace) -> int:
    launch = {
        "start": args.start,
        "like": args.like,
        "volume": args.volume,
        "factor": args.factor,
        "ramp_months": args.ramp_months,
        "ramp_shares": parse_shares(args.ramp_shares, "--ramp-shares") or None,
        "cannibalise": args.cannibalise,
        "cannibalise_share": args.share,
        "author": actor_of(args),
    }
    with opened(args) as wb:
        if args.family is not None:
            change = portfolio.add_sku_launch(wb, args.company, args.family, args.name, **launch)
        else:
            change = portfolio.add_launch(wb, args.company, args.name, **launch)
    return _report(change, args.format)


def _cmd_remove(args: argparse.Namespace) -> int:
    with opened(args) as wb:
        if args.family is not None:
            change = portfolio.remove_sku_launch(
                wb, args.company, args.family, args.name, author=actor_of(args)
            )
        else:
            change = portfolio.remove_launch(wb, args.company, args.name, author=actor_of(args))
    return _report(change, args.format)


def _cmd_set(args: argparse.Namespace) -> int:
    ending = {
        "end_period": args.end,
        "last_time_buy": args.last_time_buy,
        "replacement": args.replacement,
        "author": actor_of(args),
    }
    with opened(args) as wb:
        if args.sku is not None:
            change = portfolio.set_sku_phase_out(wb, args.company, args.family, args.sku, **ending)
        else:
            change = portfolio.set_phase_out(wb, args.company, args.family, **ending)
    return _report(change, args.format)


def _cmd_clear(args: argparse.Namespace) -> int:
    with opened(args) as wb:
        if args.sku is not None:
            change = portfolio.clear_sku_phase_out(
                wb, args.company, args.family, args.sku, author=actor_of(args)
            )
        else:
            change = portfolio.clear_phase_out(wb, args.company, args.family, author=actor_of(args))
    return _report(change, args.format)
