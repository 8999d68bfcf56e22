"""``forecast`` and ``accuracy`` commands: demand forecasts from a sales history.

    python -m sop_core forecast HISTORY [--horizon N] [--model auto|prophet|ets|naive]
        [--level family|sku] [--format table|json|csv] [--scheduler ADDRESS]
        [--workers N] [--freq MS|W] [--fill-gaps] [--seed N]
    python -m sop_core accuracy HISTORY [--holdout N] [--origins N] [--model ...]
        [--level family|sku] [--format table|json|csv] [--scheduler ADDRESS]

HISTORY is a .csv or .xlsx file (see :mod:`sop_core.demand.history`). Results go to stdout;
progress and notes go to stderr. ``forecast`` also says why each series got its model
(the backtest score, the runner-up, a tie kept for the simpler model, the interval's
source): a second table on stdout in the table format, ``why:`` lines on stderr with
``--format json|csv``. ``accuracy`` backtests at the forecast's rolling origins
(:data:`sop_core.demand.accuracy.DEFAULT_ORIGINS`) unless ``--origins`` says otherwise.
Invalid input raises :class:`InputError` (exit 2).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pandas as pd

from sop_core.base.errors import InputError, Problem
from sop_core.demand.accuracy import DEFAULT_ORIGINS

FORMATS = ("table", "json", "csv")


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``forecast`` and ``accuracy`` commands."""
    fc = subparsers.add_parser(
        "forecast",
        help="forecast each family (or SKU) of a sales history",
        description="Forecast each family (or SKU) of a sales history (.csv or .xlsx).",
    )
    _common(fc)
    fc.add_argument("--horizon", type=int, default=12, help="periods to forecast (default 12)")
    fc.set_defaults(func=run_forecast)

    acc = subparsers.add_parser(
        "accuracy",
        help="backtest table: MAPE, WAPE, bias and MASE per family and model",
        description="Rolling-origin backtest of every candidate model per family (or SKU).",
    )
    _common(acc)
    acc.add_argument(
        "--holdout", type=int, default=None, help="periods forecast at each origin (default 12)"
    )
    acc.add_argument(
        "--origins",
        type=int,
        default=DEFAULT_ORIGINS,
        help=f"backtest origins (default {DEFAULT_ORIGINS}, as the forecast's)",
    )
    acc.set_defaults(func=run_accuracy)


def _common(p: argparse.ArgumentParser) -> None:
    p.add_argument("history", metavar="HISTORY", help="sales history, .csv or .xlsx")
    p.add_argument(
        "--model",
        default="auto",
        help="auto (default: best by backtest), prophet, ets, naive, or a variant name",
    )
    p.add_argument(
        "--level",
        default="family",
        choices=("family", "sku"),
        help="forecast each product family (default) or each SKU of the history",
    )
    p.add_argument(
        "--format",
        default="table",
        choices=FORMATS,
        dest="fmt",
        help="table for people (default), json or csv for programs",
    )
    p.add_argument("--scheduler", default=None, help="dask scheduler address (tcp://host:8786)")
    p.add_argument("--workers", type=int, default=None, help="local worker processes")
    p.add_argument("--freq", default=None, help="MS (monthly) or W (weekly); detected if absent")
    p.add_argument("--fill-gaps", action="store_true", help="fill missing periods with 0")
    p.add_argument("--seed", type=int, default=0, help="seed of the models (default 0)")
    p.add_argument("--quiet", action="store_true", help="no progress bar")


class _Bar:
    """A progress bar on stderr (tqdm), fed by the forecast's progress callback."""

    def __init__(self, enabled: bool, desc: str) -> None:
        self.enabled, self.desc = enabled, desc
        self.bar: Any = None

    def __call__(self, done: int, total: int) -> None:
        if not self.enabled:
            return
        if self.bar is None:
            from tqdm import tqdm

            self.bar = tqdm(total=total, desc=self.desc, unit="series", file=sys.stderr)
        self.bar.update(done - self.bar.n)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


def _load(args: argparse.Namespace) -> pd.DataFrame:
    from sop_core.demand.history import read_history

    return read_history(args.history, freq=args.freq, fill_gaps=args.fill_gaps)


def _check_positive(name: str, value: int | None, limit: int) -> None:
    if value is not None and not 1 <= value <= limit:
        raise InputError(
            Problem(f"--{name}", f"must be a whole number from 1 to {limit:,}, got {value}")
        )


def _check_options(args: argparse.Namespace) -> None:
    """Options checked before any work, each error naming its option."""
    from sop_core.base.limits import MAX_PERIODS

    _check_positive("workers", args.workers, MAX_WORKERS)
    if not 0 <= args.seed < 2**32:
        raise InputError(
            Problem("--seed", f"must be a whole number from 0 to 2**32-1, got {args.seed}")
        )
    for name in ("horizon", "holdout"):
        if hasattr(args, name):
            _check_positive(name, getattr(args, name), MAX_PERIODS)
    if hasattr(args, "origins"):
        _check_positive("origins", args.origins, 100)


MAX_WORKERS = 256
"""Most local worker processes (--workers)."""

_OPTIONS = {
    "scheduler": "--scheduler",
    "freq": "--freq",
    "model": "--model",
    "horizon": "--horizon",
}


@contextmanager
def _options_named() -> Iterator[None]:
    """Name the command line's options (``--scheduler``) in the core's errors (``scheduler``)."""
    try:
        yield
    except InputError as exc:
        if not any(p.field in _OPTIONS for p in exc.problems):
            raise
        raise InputError(
            [Problem(_OPTIONS.get(p.field, p.field), p.message) for p in exc.problems]
        ) from None


def run_forecast(args: argparse.Namespace) -> int:
    from sop_core.demand.forecast import forecast, label_periods

    _check_options(args)
    with _options_named():
        history = _load(args)
    bar = _Bar(not args.quiet, "forecast")
    try:
        with _options_named():
            result = forecast(
                history,
                horizon=args.horizon,
                model=args.model,
                level=args.level,
                scheduler=args.scheduler,
                workers=args.workers,
                backtest=False,
                progress=bar,
                seed=args.seed,
            )
    finally:
        bar.close()
    out = result.forecast.copy()
    out["period"] = label_periods(out["period"], result.freq)
    for c in ("forecast", "lower", "upper"):
        out[c] = out[c].round(2)
    _emit(out, args.fmt)
    _reasons(result.choices, args.fmt)
    _notes(result.notes)
    return 0


def run_accuracy(args: argparse.Namespace) -> int:
    from sop_core.demand.forecast import accuracy_table

    _check_options(args)
    with _options_named():
        history = _load(args)
    bar = _Bar(not args.quiet, "backtest")
    try:
        with _options_named():
            result = accuracy_table(
                history,
                model=args.model,
                level=args.level,
                holdout=args.holdout,
                origins=args.origins,
                scheduler=args.scheduler,
                workers=args.workers,
                progress=bar,
                seed=args.seed,
            )
    finally:
        bar.close()
    table = result.accuracy.copy()
    if args.fmt == "table":
        for c in ("mape", "wape", "bias"):
            table[c] = table[c].map(lambda x: "" if pd.isna(x) else f"{100 * x:.1f}%")
        table["mase"] = table["mase"].map(lambda x: "" if pd.isna(x) else f"{x:.2f}")
        table["mae"] = table["mae"].map(lambda x: "" if pd.isna(x) else f"{x:.1f}")
        table["chosen"] = table["chosen"].map(lambda x: "*" if x else "")
    _emit(table, args.fmt)
    _notes(result.notes)
    return 0


def _emit(frame: pd.DataFrame, fmt: str) -> None:
    if fmt == "csv":
        from sop_core.base.text import neutralise_frame

        sys.stdout.write(neutralise_frame(frame).to_csv(index=False))  # no formulas in cells
    elif fmt == "json":
        records = json.loads(frame.to_json(orient="records", double_precision=6))
        sys.stdout.write(json.dumps(records, indent=1, ensure_ascii=False) + "\n")
    else:
        sys.stdout.write(frame.to_string(index=False) + "\n")


def _reasons(choices: pd.DataFrame, fmt: str) -> None:
    """Why each series got its model: a second table after the forecast on stdout
    (table format), else ``why:`` lines on stderr, so that a json or csv stdout stays
    one machine-readable document."""
    if choices.empty:
        return
    keys = [c for c in choices.columns if c not in ("model", "reason")]
    if fmt == "table":  # left-aligned: the reasons are sentences
        cells = choices.astype(str)
        width = {c: max(len(c), int(cells[c].str.len().max())) for c in cells.columns}
        rows = [list(cells.columns), *cells.itertuples(index=False)]
        lines = [
            "  ".join(v.ljust(width[c]) for c, v in zip(width, r, strict=True)).rstrip()
            for r in rows
        ]
        sys.stdout.write("\nmodel chosen per series, and why:\n" + "\n".join(lines) + "\n")
        return
    for row in choices.itertuples(index=False):
        label = ", ".join(str(getattr(row, k)) for k in keys)
        print(f"why: {label}: {row.model}: {row.reason}", file=sys.stderr)


def _notes(notes: list[str]) -> None:
    for note in notes:
        print(f"note: {note}", file=sys.stderr)
