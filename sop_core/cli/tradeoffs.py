"""``python -m sop_core frontier|sensitivity|risk COMPANY``: the trade-offs of a
company's plan from a shell (the services: :mod:`sop_core.services.tradeoffs`).

- ``frontier COMPANY --aim fill_rate|average_inventory|largest_workforce_change``: the
  cheapest plan at each level of the aim, from the plan's own to the best reachable,
  and what each step costs in words.
- ``sensitivity COMPANY [--change PCT]``: the tornado: total cost and fill rate with each
  input moved down and up, the largest swing first.
- ``risk COMPANY [--draws N] [--cv X]``: the plan against demand paths drawn from the
  forecast's intervals (or ``--cv``), fixed and re-planned; ``--format csv`` gives one
  row per path.

Each reads the plan as it stands (``--whatif NAME``: with a kept what-if;
``--scenario NAME``: a saved scenario) inside the time fence; ``--scheduler ADDRESS``
runs the sweep on a dask cluster. Exit 1 when the plan has no feasible solution."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sop_core.analysis.frontier import AIMS
from sop_core.analysis.risk import headline, paths_frame, safety_stock_frame, summary_frame
from sop_core.analysis.sensitivity import tornado_frame
from sop_core.analysis.sweep import NoFeasiblePlan
from sop_core.base.errors import InputError, Problem
from sop_core.base.fields import label
from sop_core.cli.common import (
    emit,
    emit_one,
    format_option,
    opened,
    records,
    store_options,
)
from sop_core.services import tradeoffs

#: a service's field -> the option that sets it
OPTIONS = {
    "aim": "--aim",
    "points": "--points",
    "change": "--change",
    "rank_by": "--rank-by",
    "draws": "--draws",
    "rho": "--rho",
    "cv": "--cv",
    "service_target": "--target",
    "probability": "--probability",
    "scheduler": "--scheduler",
    "whatif": "--whatif",
    "scenario": "--scenario",
}
EXIT_INFEASIBLE = 1


def _subject_options() -> argparse.ArgumentParser:
    """COMPANY, --whatif, --scenario, --scheduler, --quiet."""
    p = argparse.ArgumentParser(add_help=False)
    p.add_argument("company", metavar="COMPANY", help="the company's name")
    p.add_argument(
        "--whatif", metavar="NAME", default=None, help="a what-if the company keeps (its levers)"
    )
    p.add_argument(
        "--scenario", metavar="NAME", default=None, help="a saved scenario instead of the plan"
    )
    p.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        default=None,
        help="dask scheduler address (tcp://host:8786); default: this machine",
    )
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    return p


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``frontier``, ``sensitivity`` and ``risk`` commands."""
    parents = [store_options(), format_option(), _subject_options()]
    p = subparsers.add_parser(
        "frontier",
        parents=parents,
        help="cost against a second aim: the cheapest plan at each level",
        description="The cheapest plan at each level of a second aim (fill rate, average "
        "inventory or the largest workforce change), from the plan's own level to the best "
        "reachable, each a real optimal plan; and what each step costs, in words.",
    )
    p.add_argument(
        "--aim", choices=list(AIMS), default="fill_rate", help="the second aim (default fill_rate)"
    )
    p.add_argument("--points", type=int, default=21, help="points on the curve (default 21)")
    p.add_argument(
        "--from",
        dest="start",
        type=float,
        default=None,
        help="first level [share for fill rate, units, workers]; default the plan's own",
    )
    p.add_argument(
        "--to",
        dest="end",
        type=float,
        default=None,
        help="last level (same unit); default the best reachable",
    )
    p.set_defaults(func=_cmd_frontier)

    p = subparsers.add_parser(
        "sensitivity",
        parents=parents,
        help="the tornado: what moves cost and fill rate most",
        description="Total cost and fill rate with each input (each family's demand, each "
        "cost rate, hours per unit, hours per worker, each resource's hours) moved down and "
        "up, the largest swing first.",
    )
    p.add_argument(
        "--change", type=float, default=10.0, help="how far each input moves [%%] (default 10)"
    )
    p.add_argument(
        "--rank-by",
        choices=("total_cost", "fill_rate"),
        default="total_cost",
        help="rank by the swing in total cost (default) or fill rate",
    )
    p.set_defaults(func=_cmd_sensitivity)

    p = subparsers.add_parser(
        "risk",
        parents=parents,
        help="the plan under uncertain demand: fill rate, cost, backlog spread",
        description="Demand paths drawn from the forecast's 80 %% intervals (correlated "
        "month to month), the plan run fixed against each and re-planned: the spread of "
        "fill rate, cost and peak backlog, the chance the plan meets its service target, "
        "the extra safety stock per family. --format csv: one row per path.",
    )
    p.add_argument("--draws", type=int, default=1000, help="demand paths (default 1000)")
    p.add_argument("--seed", type=int, default=7, help="seed of the draws (default 7)")
    p.add_argument(
        "--rho", type=float, default=0.5, help="month-to-month correlation (default 0.5)"
    )
    p.add_argument(
        "--cv",
        type=float,
        default=None,
        help="σ as a share of demand (0.1 = 10 %%); default the forecast's intervals",
    )
    p.add_argument(
        "--target", type=float, default=95.0, help="service target: fill rate [%%] (default 95)"
    )
    p.add_argument(
        "--probability",
        type=float,
        default=95.0,
        help="chance the extra safety stock should reach [%%] (default 95)",
    )
    p.add_argument("--no-replan", action="store_true", help="run the fixed plan only")
    p.set_defaults(func=_cmd_risk)


class _Bar:
    """A progress bar on stderr (tqdm), fed by the sweep's progress callback."""

    def __init__(self, enabled: bool, desc: str) -> None:
        self.enabled, self.desc, self.bar = enabled, desc, None

    def __call__(self, done: int, total: int) -> None:
        if not self.enabled:
            return
        if self.bar is None:
            from tqdm import tqdm

            self.bar = tqdm(total=total, desc=self.desc, unit="plan", file=sys.stderr)
        self.bar.update(done - self.bar.n)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


@contextmanager
def _run(args: argparse.Namespace, desc: str) -> Iterator[_Bar]:
    """A progress bar for the sweep; the core's field names turned into the options."""
    bar = _Bar(not args.quiet and args.format == "table", desc)
    try:
        yield bar
    except NoFeasiblePlan:
        raise
    except InputError as exc:
        raise InputError(
            [Problem(OPTIONS.get(p.field, p.field), p.message) for p in exc.problems]
        ) from None
    finally:
        bar.close()


def _infeasible(exc: NoFeasiblePlan) -> int:
    print(f"no feasible plan\n{exc}", file=sys.stderr)
    return EXIT_INFEASIBLE


def _dump(item: dict[str, Any]) -> None:
    json.dump(item, sys.stdout, indent=2, ensure_ascii=False)
    sys.stdout.write("\n")


def _cmd_frontier(args: argparse.Namespace) -> int:
    try:
        with opened(args) as wb, _run(args, "frontier") as bar:
            s, f = tradeoffs.frontier_of(
                wb,
                args.company,
                args.aim,
                whatif=args.whatif,
                scenario=args.scenario,
                points=args.points,
                start=args.start,
                end=args.end,
                scheduler=args.scheduler,
                progress=bar,
            )
    except NoFeasiblePlan as exc:
        return _infeasible(exc)
    frame = f.frame()
    if args.format == "json":
        _dump({"company": s.company, "plan": s.label, "aim": f.aim, "points": records(frame)})
    elif args.format == "csv":
        emit(frame, "csv")
    else:
        print(f"{s.company}, {s.label}: total cost against {label(f.aim).lower()}")
        emit(frame.drop(columns="marginal_price"), "table", keys={"level": f.aim})
        for sentence in f.marginal_prices():
            print(sentence)
    return 0


def _cmd_sensitivity(args: argparse.Namespace) -> int:
    try:
        with opened(args) as wb, _run(args, "tornado") as bar:
            s, t = tradeoffs.sensitivity_of(
                wb,
                args.company,
                whatif=args.whatif,
                scenario=args.scenario,
                change=args.change / 100,
                rank_by=args.rank_by,
                scheduler=args.scheduler,
                progress=bar,
            )
    except NoFeasiblePlan as exc:
        return _infeasible(exc)
    frame = tornado_frame(t)
    if args.format == "json":
        base = {"total_cost": t.base.total_cost, "fill_rate": t.base.kpis["fill_rate"]}
        _dump({"company": s.company, "plan": s.label, "base": base, "bars": records(frame)})
    elif args.format == "csv":
        emit(frame, "csv")
    else:
        print(f"{s.company}, {s.label}: each input ±{args.change:g} %")
        emit(frame.drop(columns="change_pct"), "table")
    return 0


def _cmd_risk(args: argparse.Namespace) -> int:
    try:
        with opened(args) as wb, _run(args, "demand paths") as bar:
            s, run = tradeoffs.risk_of(
                wb,
                args.company,
                whatif=args.whatif,
                scenario=args.scenario,
                cv=args.cv,
                draws=args.draws,
                rho=args.rho,
                seed=args.seed,
                service_target=args.target / 100,
                probability=args.probability / 100,
                replan=not args.no_replan,
                scheduler=args.scheduler,
                progress=bar,
            )
    except NoFeasiblePlan as exc:
        return _infeasible(exc)
    if args.format == "json":
        _dump(
            {
                "company": s.company,
                "plan": s.label,
                **headline(run),
                "summary": records(summary_frame(run)),
                "extra_safety_stock": records(safety_stock_frame(run)),
                "paths": records(paths_frame(run)),
            }
        )
    elif args.format == "csv":
        emit(paths_frame(run), "csv")
    else:
        print(f"{s.company}, {s.label}: {run.draws:,} demand paths")
        emit_one(headline(run), "table")
        print()
        emit(summary_frame(run), "table")
        print(f"\nExtra safety stock for a {args.probability:g} % chance:")
        emit(safety_stock_frame(run), "table")
    return 0
