"""``python -m sop_core cycle …``: a company's monthly S&OP cycle from a shell.

- ``start COMPANY [--month YYYY-MM]``: start the month's cycle (default: this month),
  every step open; open assumptions and decisions are carried from the cycle before.
- ``status COMPANY [--month M] [--format table|json|csv]``: the five steps (owner,
  status, who signed off when, whom each waits for), the recommended and approved plan,
  the comments and the assumptions and decisions.
- ``sign-off COMPANY STEP [--month M] [--comment TEXT] [--recommend NAME[@VERSION] …]
  [--approve NAME[@VERSION]] [--statistical-model MODEL | --no-statistical]``: sign off
  a step (final), in order, by its owner.
- ``comment COMPANY STEP TEXT [--month M]``: a comment on a step.
- ``log COMPANY assumption|decision TEXT --owner WHO [--family F] [--due YYYY-MM-DD]``:
  log an assumption or a decision (carried to later cycles until closed).
- ``close COMPANY ENTRY_ID [--month M]``: close an open assumption or decision.

``--month`` defaults to the company's current cycle: this month's, else the newest
before it. What the sign-offs freeze:

- the **demand review** freezes the consensus (the plan's demand per family and period)
  and, as the Cycle page does, the statistical forecast it was adjusted from: the
  company's stored sales history forecast over the plan's horizon with the model
  recorded when the consensus was handed to the plan (else ``auto``), or
  ``--statistical-model``; a company without a history freezes the consensus alone, and
  so does ``--no-statistical`` (nothing fitted). A history that cannot be forecast is a
  warning on stderr; the sign-off goes on with the consensus alone, as on the page.
- the **supply review** freezes the ``--recommend``\\ ed scenario versions (one or more;
  ``NAME`` alone: its latest version);
- the **executive meeting** approves ``--approve`` (default: the only recommended
  version) as the cycle's plan.

A refused action (not the step's owner, out of order, already signed off, an unknown
company or month) exits 2 with the sentence the Cycle page shows.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date
from typing import Any

import pandas as pd

from sop_core.base.access import Actor
from sop_core.base.errors import InputError, Problem
from sop_core.base.text import plural
from sop_core.cli.common import (
    actor_of,
    company_argument,
    emit,
    format_option,
    opened,
    records,
    said,
    store_options,
)
from sop_core.demand.forecast import MODEL_CHOICES
from sop_core.process.cycle import (
    STEP_KEYS,
    Cycle,
    check_month,
    log_frame,
    month_of,
    step_def,
    steps_frame,
)
from sop_core.services import companies, cycles
from sop_core.services.workbench import Workbench

LOG_KINDS = ("assumption", "decision")
STEP_HELP = "the step: " + ", ".join(f"{d} ({step_def(d).label.lower()})" for d in STEP_KEYS)


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``cycle`` command and its start/status/sign-off/comment/log/close
    subcommands."""
    store, fmt = store_options(), format_option()
    parser = subparsers.add_parser(
        "cycle",
        help="start a company's monthly S&OP cycle, sign off its steps, log and close",
        description="A company's monthly S&OP cycle: five steps signed off in order, each "
        "by its owner; assumptions and decisions carried until closed.",
    )
    sub = parser.add_subparsers(dest="cycle_command", required=True, metavar="SUBCOMMAND")

    p = sub.add_parser(
        "start",
        parents=[store, fmt],
        help="start the month's cycle",
        description="Start the company's cycle of a month, every step open; open "
        "assumptions and decisions are carried from the cycle before.",
    )
    company_argument(p)
    p.add_argument(
        "--month", metavar="YYYY-MM", default=None, help="the cycle's month (default: this month)"
    )
    p.set_defaults(func=_cmd_start)

    p = sub.add_parser(
        "status",
        parents=[store, fmt],
        help="where the cycle stands: steps, plan, comments, log",
        description="The cycle's five steps (owner, status, who signed off when, whom each "
        "waits for), the recommended and approved plan, the comments and the assumptions "
        "and decisions. --format csv prints the steps only; json prints everything.",
    )
    company_argument(p)
    _month(p)
    p.set_defaults(func=_cmd_status)

    p = sub.add_parser(
        "sign-off",
        parents=[store, fmt],
        help="sign off a step (final, in order, by its owner)",
        description="Sign off a step of the cycle. The demand review freezes the consensus "
        "and the statistical forecast of the company's sales history; the supply review "
        "the recommended scenario versions; the executive meeting approves the plan.",
    )
    company_argument(p)
    _step(p)
    _month(p)
    p.add_argument("--comment", default="", metavar="TEXT", help="a comment kept with the sign-off")
    p.add_argument(
        "--recommend",
        action="append",
        default=None,
        metavar="NAME[@VERSION]",
        help="supply review: a scenario version it recommends (repeat for several; "
        "NAME alone: its latest version)",
    )
    p.add_argument(
        "--approve",
        default=None,
        metavar="NAME[@VERSION]",
        help="executive meeting: the recommended version it approves as the plan "
        "(default: the only recommended one)",
    )
    stat = p.add_mutually_exclusive_group()
    stat.add_argument(
        "--statistical-model",
        choices=MODEL_CHOICES,
        default=None,
        metavar="MODEL",
        help="demand review: the model of the statistical forecast frozen with the "
        "consensus (default: the one recorded when the consensus was handed to the plan, "
        f"else auto); one of {', '.join(MODEL_CHOICES)}",
    )
    stat.add_argument(
        "--no-statistical",
        action="store_true",
        help="demand review: freeze the consensus alone (no forecast fitted)",
    )
    p.set_defaults(func=_cmd_sign_off)

    p = sub.add_parser(
        "comment", parents=[store, fmt], help="comment on a step", description="Comment on a step."
    )
    company_argument(p)
    _step(p)
    p.add_argument("text", metavar="TEXT", help="the comment")
    _month(p)
    p.set_defaults(func=_cmd_comment)

    p = sub.add_parser(
        "log",
        parents=[store, fmt],
        help="log an assumption or a decision",
        description="Log an assumption the plan rests on, or a decision taken; it is carried "
        "to every later cycle until someone closes it.",
    )
    company_argument(p)
    p.add_argument("kind", choices=LOG_KINDS, metavar="KIND", help="assumption or decision")
    p.add_argument("text", metavar="TEXT", help="the assumption, or what was decided")
    p.add_argument(
        "--owner",
        required=True,
        metavar="WHO",
        help="who owns the assumption, or who took the decision",
    )
    p.add_argument(
        "--family", default=None, metavar="F", help="the family it concerns (default: all)"
    )
    p.add_argument(
        "--due", default=None, metavar="YYYY-MM-DD", help="a decision's due date (default: none)"
    )
    _month(p)
    p.set_defaults(func=_cmd_log)

    p = sub.add_parser(
        "close",
        parents=[store, fmt],
        help="close an open assumption or decision",
        description="Close an open assumption or decision: it is no longer carried.",
    )
    company_argument(p)
    p.add_argument(
        "entry", type=int, metavar="ENTRY_ID", help="its number (cycle status lists them)"
    )
    _month(p)
    p.set_defaults(func=_cmd_close)


def _step(p: argparse.ArgumentParser) -> None:
    p.add_argument("step", choices=STEP_KEYS, metavar="STEP", help=STEP_HELP)


def _month(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--month",
        metavar="YYYY-MM",
        default=None,
        help="the cycle's month (default: the current cycle: this month's, else the newest "
        "before it)",
    )


# --------------------------------------------------------------------------- inputs


def checked_month(value: str) -> str:
    """``--month`` as ``YYYY-MM``; bad input names the option."""
    try:
        return check_month(value)
    except InputError as exc:
        raise InputError([Problem("--month", p.message) for p in exc.problems]) from None


def month_of_cycle(wb: Workbench, company: str, given: str | None) -> str:
    """The month of ``--month``, else of the company's current cycle; a company without
    one is bad input naming ``--month`` and the fix."""
    if given is not None:
        return checked_month(given)
    current = cycles.current_cycle(wb, company)
    if current is not None:
        return current.month
    known = cycles.months(wb, company)
    if known:
        raise InputError(
            Problem(
                "--month",
                f"{company} has no cycle up to {month_of()}; its cycles: {', '.join(known)}; "
                "give --month",
            )
        )
    raise InputError(
        Problem(
            "--month",
            f"{company} has no cycle yet; start one with: python -m sop_core cycle start "
            f"{_quoted(company)}",
        )
    )


def version_ref(raw: str, option: str) -> tuple[str, int] | str:
    """``NAME`` or ``NAME@VERSION`` as the store takes it: the name (its latest version)
    or (name, version); bad input names ``option``."""
    text = raw.strip()
    name, sep, tail = text.rpartition("@")
    if not sep:
        if not text:
            raise InputError(Problem(option, "is empty; give NAME or NAME@VERSION"))
        return text
    if not name.strip() or not tail.isdigit() or int(tail) < 1:
        raise InputError(
            Problem(option, f"give NAME or NAME@VERSION with a version 1, 2, …, got {raw!r}")
        )
    return name.strip(), int(tail)


def due_date(raw: str | None, kind: str) -> date | None:
    """``--due`` as a date; only a decision has one."""
    if raw is None:
        return None
    if kind != "decision":
        raise InputError(Problem("--due", "only a decision has a due date; drop --due"))
    try:
        return date.fromisoformat(raw.strip())
    except ValueError:
        raise InputError(
            Problem("--due", f"must be a date YYYY-MM-DD such as 2027-03-31, got {raw!r}")
        ) from None


def checked_family(wb: Workbench, company: str, family: str | None) -> str | None:
    """``--family`` when the company plans it; else bad input listing its families."""
    if family is None or not family.strip():
        return None
    names = companies.company_state(wb, company).family_names
    if family.strip() not in names:
        listed = ", ".join(repr(n) for n in names) or "none yet"
        raise InputError(
            Problem("--family", f"{family!r} is not a family of {company}; its families: {listed}")
        )
    return family.strip()


def _only_for(args: argparse.Namespace) -> None:
    """The step options given to the step they belong to, else bad input naming them."""
    wrong = [
        ("--recommend", "supply", args.recommend),
        ("--approve", "executive", args.approve),
        ("--statistical-model", "demand", args.statistical_model),
        ("--no-statistical", "demand", args.no_statistical),
    ]
    for option, step, value in wrong:
        if value and args.step != step:
            label = step_def(step).label.lower()
            raise InputError(
                Problem(option, f"belongs to the {label} (STEP {step}), not to {args.step}")
            )


def _quoted(text: str) -> str:
    return f"'{text}'" if any(c.isspace() for c in text) else text


def _versions(items: list[tuple[str, int]]) -> str:
    return ", ".join(f"{n} v{v}" for n, v in items)


# --------------------------------------------------------------------------- commands


def _cmd_start(args: argparse.Namespace) -> int:
    month = checked_month(args.month) if args.month is not None else None
    with opened(args) as wb:
        cycle = cycles.start_cycle(wb, args.company, month, author=actor_of(args))
    carried = [e for e in cycle.log if e.status == "open"]
    first = cycle.steps[0]
    said(
        f"Started the {cycle.label} of {cycle.company}: "
        f"{plural(len(cycle.steps), 'step')} open, first {first.label.lower()} "
        f"(the {first.owner}'s); carried "
        f"{plural(len(carried), 'open assumption or decision', 'open assumptions and decisions')}.",
        args.format,
        company=cycle.company,
        month=cycle.month,
        carried=[e.id for e in carried],
    )
    return 0


def _steps_table(cycle: Cycle) -> pd.DataFrame:
    """The steps for people: label, owner, status in words, who and when (text, UTC),
    whom it waits for, the number of comments."""
    frame = steps_frame(cycle)
    when = frame["signed_off_at"].dt.strftime("%Y-%m-%d %H:%M UTC").fillna("")
    return frame.assign(signed_off_at=when)[
        ["label", "owner", "status", "signed_off_by", "signed_off_at", "waiting_for", "comments"]
    ]


def _steps_exact(cycle: Cycle, actor: Actor) -> pd.DataFrame:
    """The steps for programs: :func:`steps_frame` with the status as its key."""
    frame = steps_frame(cycle, actor)
    return frame.assign(status=[s.status for s in cycle.steps])


def _log_table(cycle: Cycle) -> pd.DataFrame:
    frame = log_frame(cycle).drop(columns=["closed_month"])
    frame["due"] = [d.isoformat() if d is not None else "" for d in frame["due"]]
    return frame


def _headline(cycle: Cycle) -> str:
    signed = sum(s.signed_off for s in cycle.steps)
    head = f"{cycle.company}, {cycle.label}: {signed} of {len(cycle.steps)} steps signed off"
    nxt = cycle.next_step
    if nxt is None:
        return head + "; complete."
    return head + f"; waiting for the {nxt.owner}: {nxt.label.lower()}."


def _status_json(cycle: Cycle, actor: Actor) -> dict[str, Any]:
    plan = cycle.plan
    return {
        "company": cycle.company,
        "month": cycle.month,
        "complete": cycle.complete,
        "next_step": cycle.next_step.key if cycle.next_step else None,
        "recommended": [{"name": n, "version": v} for n, v in cycle.recommended],
        "plan": {"name": plan[0], "version": plan[1]} if plan else None,
        "steps": records(_steps_exact(cycle, actor)),
        "comments": [
            {"step": c.step, "text": c.text, "author": c.author, "at": c.at.isoformat()}
            for s in cycle.steps
            for c in s.comments
        ],
        "log": records(log_frame(cycle)),
        "started_by": cycle.created_by,
        "started_at": cycle.created_at.isoformat(),
    }


def _cmd_status(args: argparse.Namespace) -> int:
    actor = actor_of(args)
    with opened(args) as wb:
        cycle = cycles.cycle_of(wb, args.company, month_of_cycle(wb, args.company, args.month))
    if args.format == "json":
        json.dump(_status_json(cycle, actor), sys.stdout, indent=2, ensure_ascii=False)
        sys.stdout.write("\n")
        return 0
    if args.format == "csv":
        emit(_steps_exact(cycle, actor), "csv")
        return 0
    print(_headline(cycle))
    emit(_steps_table(cycle), "table", keys={"label": "step"})
    if cycle.recommended:
        print(f"Recommended: {_versions(cycle.recommended)}")
    print(f"Plan approved: {_versions([cycle.plan]) if cycle.plan else 'none yet'}")
    notes = [(s, c) for s in cycle.steps for c in s.comments]
    if notes:
        print("Comments:")
        for s, c in notes:
            print(f"  {c.at:%Y-%m-%d %H:%M} UTC · {c.author} · {s.label.lower()}: {c.text}")
    print("Assumptions and decisions:")
    emit(
        _log_table(cycle),
        "table",
        keys={"id": "entry", "raised": "raised_in"},
        empty="nothing logged yet",
    )
    return 0


def _statistical(
    wb: Workbench, args: argparse.Namespace, month: str, actor: Actor
) -> pd.DataFrame | None:
    """The statistical forecast to freeze with the consensus (demand review), fitted only
    when the sign-off can go ahead (a refusal is the service's, said without a fit); a
    history that cannot be forecast is a warning, as on the page."""
    if args.step != "demand" or args.no_statistical:
        return None
    cycle = cycles.cycle_of(wb, args.company, month)
    if not actor.may(step_def("demand").action) or cycle.why_not_sign_off("demand"):
        return None
    try:
        return cycles.statistical_forecast(wb, args.company, args.statistical_model)
    except InputError as exc:
        print(
            "warning: the statistical forecast is not frozen with the consensus: "
            + "; ".join(str(p) for p in exc.problems),
            file=sys.stderr,
        )
        return None


def _signed_words(cycle: Cycle, step: str, statistical: pd.DataFrame | None) -> str:
    """What the sign-off froze, in words (after "Signed off …")."""
    if step == "demand":
        consensus = cycle.consensus()
        families, periods = consensus["family"].nunique(), consensus["period"].nunique()
        froze = (
            f"; froze the consensus of {plural(families, 'family', 'families')} over "
            f"{plural(periods, 'period')}"
        )
        has_stat = statistical is not None and consensus["statistical"].notna().any()
        return froze + (
            " with the statistical forecast" if has_stat else " without a statistical forecast"
        )
    if step == "supply":
        return f"; recommended {_versions(cycle.recommended)}"
    if step == "executive" and cycle.plan:
        return f"; approved {_versions([cycle.plan])} as {cycle.company}'s plan"
    return ""


def _cmd_sign_off(args: argparse.Namespace) -> int:
    _only_for(args)
    recommended = [version_ref(r, "--recommend") for r in args.recommend or ()]
    approve = version_ref(args.approve, "--approve") if args.approve is not None else None
    actor = actor_of(args)
    with opened(args) as wb:
        month = month_of_cycle(wb, args.company, args.month)
        statistical = _statistical(wb, args, month, actor)
        cycle = cycles.sign_off(
            wb,
            args.company,
            month,
            args.step,
            author=actor,
            comment=args.comment,
            recommended=recommended or None,
            approve=approve,
            statistical=statistical,
        )
    step = cycle.step(args.step)
    plan = cycle.plan
    said(
        f"Signed off: {step.label.lower()} of the {cycle.label} of {cycle.company}"
        + _signed_words(cycle, args.step, statistical)
        + ".",
        args.format,
        company=cycle.company,
        month=cycle.month,
        step=step.key,
        status=step.status,
        signed_off_by=step.signed_off_by,
        signed_off_at=step.signed_off_at,
        recommended=[{"name": n, "version": v} for n, v in cycle.recommended],
        plan={"name": plan[0], "version": plan[1]} if plan else None,
    )
    return 0


def _cmd_comment(args: argparse.Namespace) -> int:
    with opened(args) as wb:
        month = month_of_cycle(wb, args.company, args.month)
        cycle = cycles.comment(wb, args.company, month, args.step, args.text, author=actor_of(args))
    step = cycle.step(args.step)
    said(
        f"Commented on the {step.label.lower()} of the {cycle.label} of {cycle.company}.",
        args.format,
        company=cycle.company,
        month=cycle.month,
        step=step.key,
        comments=len(step.comments),
    )
    return 0


def _cmd_log(args: argparse.Namespace) -> int:
    due = due_date(args.due, args.kind)
    author = actor_of(args)
    with opened(args) as wb:
        month = month_of_cycle(wb, args.company, args.month)
        family = checked_family(wb, args.company, args.family)
        if args.kind == "assumption":
            entry = cycles.add_assumption(
                wb, args.company, month, args.text, owner=args.owner, family=family, author=author
            )
        else:
            entry = cycles.add_decision(
                wb,
                args.company,
                month,
                args.text,
                owner=args.owner,
                due=due,
                family=family,
                author=author,
            )
    said(
        f"Logged {args.kind} {entry} in the {month} cycle of {args.company}; close it with: "
        f"python -m sop_core cycle close {_quoted(args.company)} {entry}",
        args.format,
        company=args.company,
        month=month,
        id=entry,
        kind=args.kind,
    )
    return 0


def _cmd_close(args: argparse.Namespace) -> int:
    with opened(args) as wb:
        month = month_of_cycle(wb, args.company, args.month)
        cycle = cycles.close_entry(wb, args.company, month, args.entry, author=actor_of(args))
    entry = next(e for e in cycle.log if e.id == args.entry)
    said(
        f"Closed {entry.kind} {entry.id} ({entry.text}) in the {cycle.label} of "
        f"{cycle.company}; it is no longer carried.",
        args.format,
        company=cycle.company,
        month=cycle.month,
        id=entry.id,
        kind=entry.kind,
        status=entry.status,
    )
    return 0
