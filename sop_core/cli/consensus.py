"""``python -m sop_core consensus …``: the demand review's consensus from a shell.

- ``show COMPANY [--section demand|adjustments]``: the plan's demand per family and
  period, and the consensus adjustments (``--format csv`` prints one of them).
- ``adjust COMPANY FAMILY PERIOD CHANGE --comment TEXT [--unit units|%]``: add one
  adjustment (PERIOD ``all`` for every period).
- ``hand-over COMPANY [--history-from-store] [--model M] [--horizon N] [--adjust ADJ.csv]``:
  forecast the company's stored sales history, apply its adjustments (or those of
  ADJ.csv, which then become the company's) and hand the consensus over to the plan, as
  the Demand page's *Use the consensus forecast in the plan* does; prints the consensus
  and the notes.

Every change is one undoable, audited action of :mod:`sop_core.services.consensus`; a
refusal (a missing right, an unknown family, a change that makes demand negative) exits
2 with the sentence.
"""

from __future__ import annotations

import argparse
import io
import json
import sys
from pathlib import Path

import pandas as pd

from sop_core.base.errors import InputError, Problem
from sop_core.base.fields import label, show_value
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
from sop_core.demand.choice import model_name
from sop_core.demand.consensus import ADJUSTMENT_COLUMNS
from sop_core.demand.forecast import MODEL_CHOICES, label_periods
from sop_core.process.workspace import WorkspaceState, describe
from sop_core.services import companies, consensus

SECTIONS = ("demand", "adjustments")
#: the consensus columns a hand-over prints (long format, for programs)
CONSENSUS_COLUMNS = ("family", "period", "forecast", "adjusted", "comment")


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``consensus`` command and its subcommands."""
    parents = [store_options(), format_option()]
    parser = subparsers.add_parser(
        "consensus",
        help="the plan's demand, consensus adjustments and the hand-over to the plan",
        description="The demand review's consensus: the plan's demand, the adjustments to "
        "the statistical forecast, and the hand-over of the adjusted forecast to the plan.",
    )
    sub = parser.add_subparsers(dest="consensus_command", required=True, metavar="SUBCOMMAND")

    p = sub.add_parser(
        "show", parents=parents, help="the plan's demand per family and period, the adjustments"
    )
    company_argument(p)
    p.add_argument(
        "--section",
        choices=SECTIONS,
        default=None,
        help="only this part (needed with --format csv, which prints one table)",
    )
    p.set_defaults(func=_cmd_show)

    p = sub.add_parser(
        "adjust",
        parents=parents,
        help="add a consensus adjustment to a family's forecast",
        description="Add a change to a family's statistical forecast in one period or all; "
        "the adjusted forecast is what the next hand-over puts in the plan.",
    )
    company_argument(p)
    p.add_argument("family", metavar="FAMILY", help="the family")
    p.add_argument("period", metavar="PERIOD", help="the month (YYYY-MM), or all")
    p.add_argument(
        "change",
        metavar="UNITS",
        help="the change in units a period (e.g. 500 or -200), or in %% with --unit %%",
    )
    p.add_argument("--comment", required=True, metavar="TEXT", help="why (shown beside the number)")
    p.add_argument(
        "--unit",
        choices=consensus.UNITS,
        default="units",
        help="units (default) or %% of the statistical forecast",
    )
    p.set_defaults(func=_cmd_adjust)

    p = sub.add_parser(
        "hand-over",
        parents=parents,
        help="forecast the stored history, adjust it and hand it over to the plan",
        description="Forecast the company's sales history as kept in the store, apply the "
        "consensus adjustments and make the result the plan's demand and periods (one "
        "undoable action; the model is recorded).",
    )
    company_argument(p)
    p.add_argument(
        "--history-from-store",
        action="store_true",
        help="forecast the sales history the company uses, as kept in the store (the "
        "default, and the only source: upload a new history first to forecast another)",
    )
    p.add_argument(
        "--model",
        default="auto",
        choices=MODEL_CHOICES,
        metavar="MODEL",
        help="the statistical model: auto (default: per family the best in a backtest), "
        "prophet, ets, naive (same period last season), intermittent, or a variant "
        f"({', '.join(MODEL_CHOICES[5:])})",
    )
    p.add_argument(
        "--horizon",
        type=int,
        default=None,
        metavar="N",
        help="periods to forecast (default: the plan's number of periods)",
    )
    p.add_argument(
        "--adjust",
        metavar="ADJ.csv",
        default=None,
        help="adjustments to use (columns family, period, change, unit, comment); they "
        "replace the company's, in the same transaction",
    )
    p.add_argument(
        "--workers",
        type=int,
        default=1,
        metavar="N",
        help="processes fitting the forecast (default 1: this one)",
    )
    p.set_defaults(func=_cmd_hand_over)


# --------------------------------------------------------------------------- show


def plan_periods(state: WorkspaceState) -> list[str]:
    """The plan's period labels ("1".."T" until a forecast is handed over)."""
    periods = (state.value("plan") or {}).get("periods")
    if periods:
        return [str(p) for p in periods]
    horizon = len(state.families[0].value["demand"]) if state.families else 0
    return [str(t) for t in range(1, horizon + 1)]


def demand_frame(state: WorkspaceState) -> pd.DataFrame:
    """The plan's demand, long: family, period, demand [units]."""
    periods = plan_periods(state)
    rows = [
        {"family": str(i.value["name"]), "period": p, "demand": float(d)}
        for i in state.families
        for p, d in zip(periods, i.value["demand"], strict=False)
    ]
    return pd.DataFrame(rows, columns=["family", "period", "demand"])


def wide(frame: pd.DataFrame, value: str, field: str) -> str:
    """A long frame (family, period, ``value``) as families × periods, each number as the
    vocabulary shows ``field``."""
    if frame.empty:
        return "none"
    table = frame.pivot(index="family", columns="period", values=value)
    table = table[list(dict.fromkeys(frame["period"]))].loc[list(dict.fromkeys(frame["family"]))]
    shown = table.map(lambda v: show_value(field, v))
    shown.index.name, shown.columns.name = None, label("family")
    return shown.to_string()


def adjustments_frame(state: WorkspaceState) -> pd.DataFrame:
    """The consensus adjustments: family, period (None: all), change, unit, comment."""
    return state.adjustments[list(ADJUSTMENT_COLUMNS)]


def adjustments_table(frame: pd.DataFrame) -> str:
    """The adjustments for people: a blank period reads "all"."""
    out = io.StringIO()
    shown = frame.assign(period=["all" if pd.isna(p) or not p else p for p in frame["period"]])
    emit(shown, "table", out=out, empty="none")
    return out.getvalue().rstrip()


def _cmd_show(args: argparse.Namespace) -> int:
    with opened(args) as wb:
        state = companies.company_state(wb, args.company)
    frames = {"demand": demand_frame(state), "adjustments": adjustments_frame(state)}
    if args.format == "csv":
        if not args.section:
            raise InputError(
                Problem("--section", "--format csv prints one table; choose demand or adjustments")
            )
        emit(frames[args.section], "csv")
        return 0
    sections = [args.section] if args.section else list(SECTIONS)
    if args.format == "json":
        data = {
            "company": state.name,
            "revision": state.revision,
            "forecast_model": state.forecast_model,
            "periods": plan_periods(state),
            **{s: records(frames[s]) for s in sections},
        }
        json.dump(data, sys.stdout, indent=2, ensure_ascii=False)
        sys.stdout.write("\n")
        return 0
    model = state.forecast_model
    made = (
        f"the consensus forecast ({model_name(model)})" if model else "no forecast handed over yet"
    )
    print(f"{state.name} (revision {state.revision})")
    if "demand" in sections:
        print(f"\nPlan demand (units): {made}\n{wide(frames['demand'], 'demand', 'demand')}")
    if "adjustments" in sections:
        print(f"\nConsensus adjustments\n{adjustments_table(frames['adjustments'])}")
    return 0


# --------------------------------------------------------------------------- adjust


def _cmd_adjust(args: argparse.Namespace) -> int:
    period = (
        None if args.period.strip().casefold() in consensus.ALL_PERIODS else args.period.strip()
    )
    with opened(args) as wb:
        state, edits = consensus.add_adjustment(
            wb,
            args.company,
            args.family,
            period,
            args.change,
            unit=args.unit,
            comment=args.comment,
            author=actor_of(args),
        )
    lines = [f"{state.name}: {describe(e, state)}" for e in edits]
    periods = plan_periods(state)
    if period is not None and period not in periods:
        lines.append(
            f"note: {period} is not a period of the plan now ({periods[0]} – {periods[-1]}); "
            "the adjustment applies if the next forecast covers it"
            if periods
            else f"note: the plan has no periods yet; {period} applies if the forecast covers it"
        )
    said(
        "\n".join(lines),
        args.format,
        company=state.name,
        revision=state.revision,
        adjustment=edits[-1].after if edits else None,
    )
    return 0


# --------------------------------------------------------------------------- hand-over


def read_adjustments(path: str) -> pd.DataFrame:
    """An adjustments file (.csv) as text cells; missing or unreadable: bad input naming
    ``--adjust``."""
    file = Path(path)
    if not file.is_file():
        raise InputError(
            Problem(
                "--adjust",
                f"{path}: no such file; give a .csv of family, period, change, unit, comment",
            )
        )
    try:
        frame = pd.read_csv(file, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        raise InputError(Problem("--adjust", f"{path}: not a readable CSV ({exc})")) from None
    frame.columns = [str(c).strip().lower() for c in frame.columns]
    return frame


def _cmd_hand_over(args: argparse.Namespace) -> int:
    if args.horizon is not None and not 1 <= args.horizon <= 520:
        raise InputError(
            Problem("--horizon", f"must be a whole number from 1 to 520, got {args.horizon}")
        )
    if not 1 <= args.workers <= 256:
        raise InputError(
            Problem("--workers", f"must be a whole number from 1 to 256, got {args.workers}")
        )
    table = None if args.adjust is None else read_adjustments(args.adjust)
    try:
        with opened(args) as wb:
            state, made, notes = consensus.hand_over_consensus(
                wb,
                args.company,
                model=args.model,
                horizon=args.horizon,
                adjustments=table,
                adjustments_name=Path(args.adjust).name if args.adjust else "",
                workers=args.workers,
                author=actor_of(args),
            )
    except InputError as exc:  # name the file's rows as a file's
        if args.adjust and any(p.field.startswith("row ") for p in exc.problems):
            raise InputError(
                [Problem(f"--adjust {args.adjust} {p.field}", p.message) for p in exc.problems]
            ) from None
        raise
    fc = made.forecast.assign(period=label_periods(made.forecast["period"], made.freq))
    out = fc[list(CONSENSUS_COLUMNS)]
    periods = list(dict.fromkeys(out["period"]))
    families = list(dict.fromkeys(out["family"]))
    message = (
        f"{state.name}: the plan now uses the consensus forecast ({model_name(made.model)}) "
        f"of {made.history_name}: {len(families)} families, {periods[0]} – {periods[-1]}"
    )
    all_notes = [*made.notes, *notes]
    if args.format == "json":
        said(
            message,
            "json",
            company=state.name,
            revision=state.revision,
            model=made.model,
            history=made.history_name,
            consensus=records(out),
            notes=all_notes,
        )
        return 0
    if args.format == "csv":
        print(message, file=sys.stderr)
        for note in all_notes:
            print(f"note: {note}", file=sys.stderr)
        emit(out, "csv")
        return 0
    print(message)
    print(f"\nConsensus (units)\n{wide(out, 'adjusted', 'adjusted')}")
    for note in all_notes:
        print(f"note: {note}")
    return 0
