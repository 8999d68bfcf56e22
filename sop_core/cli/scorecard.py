"""``python -m sop_core scorecard …``: the five aims of S&OP for a company's plan, and the
targets it is judged against.

- ``show COMPANY``: the company's plan (inside its time fence; ``--whatif NAME`` a kept
  what-if) scored: each measure's value, target and status, for the plan and per family
  (``--section plan|families``). Exit 1 when the plan has no feasible solution.
- ``targets COMPANY``: the company's targets; with options, sets those given (one
  undoable, audited action; executives'). ``none`` removes a target.
"""

from __future__ import annotations

import argparse
from typing import Any

from sop_core.base.errors import InputError, Problem
from sop_core.base.fields import label, term
from sop_core.cli.common import (
    actor_of,
    company_argument,
    emit,
    emit_one,
    format_option,
    opened,
    said,
    store_options,
)
from sop_core.cli.plans import infeasible
from sop_core.engine.scorecard import ALL
from sop_core.model.targets import SHARE_FIELDS, TARGET_FIELDS
from sop_core.process.scorecard import family_table, scorecard_table
from sop_core.services import companies
from sop_core.services.scorecard import company_scorecard, set_targets, targets_of

SECTIONS = ("plan", "families")
#: what a person types for "no target"
NONE_WORDS = frozenset({"none", "blank", "-", ""})


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``scorecard`` command and its subcommands."""
    parents = [store_options(), format_option()]
    parser = subparsers.add_parser(
        "scorecard",
        help="the five aims of S&OP for a company's plan, against its targets",
        description="Customer service, inventory, customer lead time, production stability "
        "and the management handle of a company's plan, against the targets it sets and "
        "its business plan.",
    )
    sub = parser.add_subparsers(dest="scorecard_command", required=True, metavar="SUBCOMMAND")

    p = sub.add_parser(
        "show",
        parents=parents,
        help="the company's plan scored: value, target and status of each measure",
        description="Solve the company's plan (inside its time fence) and score it: per "
        "plan and per family. Exit 1 when no plan is feasible.",
    )
    company_argument(p)
    p.add_argument("--whatif", metavar="NAME", default=None, help="score a kept what-if")
    p.add_argument(
        "--section",
        choices=SECTIONS,
        default=None,
        help="plan: the whole plan's measures; families: each family's (default: both; "
        "json and csv print every row of the tidy table)",
    )
    p.set_defaults(func=_cmd_show)

    p = sub.add_parser(
        "targets",
        parents=parents,
        help="show the company's targets, or set those given",
        description="Without options, the company's targets. With options, set those "
        "given (the others keep theirs): shares as 0.95 or 95%%, 'none' for no target.",
    )
    company_argument(p)
    for name in TARGET_FIELDS:
        key = f"targets.{name}"
        unit = "a share: 0.95 or 95%" if name in SHARE_FIELDS else f"[{term(key).unit}]"
        p.add_argument(
            "--" + name.replace("_", "-"),
            dest=name,
            metavar="X",
            default=None,
            help=f"{label(key)} ({unit}; none: no target)",
        )
    p.set_defaults(func=_cmd_targets)


def _cmd_show(args: argparse.Namespace) -> int:
    with opened(args) as wb:
        scored = company_scorecard(wb, args.company, args.whatif)
    if scored.card is None:
        return infeasible(scored.plan)
    card = scored.card
    if args.format != "table":
        rows = card if args.section is None else _section(card, args.section)
        emit(rows, args.format)
        return 0
    print(f"{scored.plan.company}: the scorecard of the {scored.plan.label}")
    if args.section in (None, "plan"):
        print()
        emit(scorecard_table(card, ALL), "table")
    if args.section in (None, "families"):
        print()
        emit(family_table(card), "table")
    return 0


def _section(card: Any, section: str) -> Any:
    whole = card["family"] == ALL
    return card[whole] if section == "plan" else card[~whole]


def target_value(name: str, raw: str) -> float | None:
    """A target typed on the command line: a number (a share also as "95%"), or none."""
    text = raw.strip().lower().replace(",", "")
    if text in NONE_WORDS:
        return None
    percent = text.endswith("%")
    try:
        value = float(text.rstrip("%").strip())
    except ValueError:
        option = "--" + name.replace("_", "-")
        raise InputError(
            Problem(option, f"must be a number or 'none', got {raw!r}; e.g. {option} 0.95")
        ) from None
    return value / 100.0 if percent else value


def _cmd_targets(args: argparse.Namespace) -> int:
    changes = {
        n: target_value(n, getattr(args, n)) for n in TARGET_FIELDS if getattr(args, n) is not None
    }
    with opened(args) as wb:
        if not changes:
            current = targets_of(companies.company_state(wb, args.company))
            emit_one({f"targets.{n}": getattr(current, n) for n in TARGET_FIELDS}, args.format)
            return 0
        state, edits = set_targets(wb, args.company, changes, author=actor_of(args))
    now = targets_of(state)
    said(
        f"{state.name}: targets set ({len(changes)} given)"
        if edits
        else f"{state.name}: the targets already were so; nothing changed",
        args.format,
        **{n: getattr(now, n) for n in TARGET_FIELDS},
    )
    return 0
