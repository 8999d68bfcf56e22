"""Cost against a second aim: the cheapest plan at each level of fill rate, average
inventory or workforce stability, each point a real optimal plan.

The aim is one extra column ``z`` on the planner's compiled HiGHS model, tied to the plan
by the rows of its ``add_*`` function below, and moved by changing its upper bound: a
21-point frontier is 21 warm re-solves of one model, not 21 builds. The rows live here,
not in the block table of :mod:`sop_core.engine.lp`: they are no part of a plan, only of
the question asked of it.

    frontier(scenario, "fill_rate", points=21)   # -> Frontier: points, marginal prices
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable
from dataclasses import dataclass, field

import highspy
import numpy as np
import pandas as pd

from sop_core.analysis.sweep import Backend, Cancel, NoFeasiblePlan, run_sweep
from sop_core.base.errors import InputError, Problem
from sop_core.base.fields import format_number, term
from sop_core.demand.parallel import Progress
from sop_core.engine.lp import FixedPlan, Layout, ModelData, model_data, new_highs
from sop_core.engine.planner import Planner, PlanResult
from sop_core.engine.results import assemble_result, empty_result
from sop_core.model.scenario import Scenario

INF = float("inf")


def add_backlog_aim(h: highspy.Highs, lay: Layout, d: ModelData) -> int:
    """z = Σ_f Σ_t S_{f,t}: the backlog carried, in unit-periods. Fill rate ≥ x is
    z ≤ (1 − x) · Σ D (backlog served first in, first out: unserved demand of t is
    min(D_t, S_t) ≤ S_t, so the bound guarantees the fill rate, exactly when no period's
    backlog exceeds its demand)."""
    z = _add_column(h)
    cols = lay.col["S"].ravel()
    _add_row(h, 0.0, 0.0, np.append(cols, z), np.append(np.ones(cols.size), -1.0))
    return z


def add_inventory_aim(h: highspy.Highs, lay: Layout, d: ModelData) -> int:
    """T · z = Σ_f Σ_t I_{f,t}: z is the average inventory (units at the end of a
    period, over the periods)."""
    z = _add_column(h)
    cols = lay.col["I"].ravel()
    _add_row(h, 0.0, 0.0, np.append(cols, z), np.append(np.ones(cols.size), -float(d.T)))
    return z


def add_stability_aim(h: highspy.Highs, lay: Layout, d: ModelData) -> int:
    """H_t + L_t ≤ z for every t: z is the largest change of the workforce from one
    period to the next (workers hired plus laid off at the start of a period)."""
    z = _add_column(h)
    for t in range(d.T):
        cols = np.array([lay.col["H"][t], lay.col["L"][t], z])
        _add_row(h, -INF, 0.0, cols, np.array([1.0, 1.0, -1.0]))
    return z


def _add_column(h: highspy.Highs) -> int:
    h.addVar(0.0, INF)
    return int(h.getNumCol()) - 1


def _add_row(h: highspy.Highs, lo: float, up: float, cols: np.ndarray, vals: np.ndarray) -> None:
    h.addRow(lo, up, int(cols.size), cols.astype(np.int32), vals.astype(float))


@dataclass(frozen=True)
class Aim:
    """A second aim of a plan: ``key`` names it in the vocabulary; ``up_is_good``: more of
    it is better (fill rate) or less (inventory, workforce change); ``add`` ties its
    column z to the plan; ``bound``/``level`` turn a level into z's upper bound and back;
    ``of`` measures it on a plan (the level a plan reaches)."""

    key: str
    up_is_good: bool
    add: Callable[[highspy.Highs, Layout, ModelData], int]
    bound: Callable[[float, ModelData], float]
    level: Callable[[float, ModelData], float]
    of: Callable[[PlanResult], float]


def _backlog_level(result: PlanResult) -> float:
    """1 − Σ S ÷ Σ D of a plan: the fill rate its backlog guarantees (see add_backlog_aim)."""
    fam = result.families
    demand = float(fam["demand"].sum())
    return 1.0 - float(fam["backorder"].sum()) / demand if demand > 0 else 1.0


def _largest_change(result: PlanResult) -> float:
    p = result.periods
    return float((p["hires"] + p["layoffs"]).max())


def _total_demand(d: ModelData) -> float:
    return float(d.D.sum())


AIMS: dict[str, Aim] = {
    a.key: a
    for a in (
        Aim(
            "fill_rate",
            True,
            add_backlog_aim,
            lambda x, d: (1.0 - x) * _total_demand(d),
            lambda z, d: 1.0 - z / _total_demand(d) if _total_demand(d) > 0 else 1.0,
            _backlog_level,
        ),
        Aim(
            "average_inventory",
            False,
            add_inventory_aim,
            lambda x, d: x,
            lambda z, d: z,
            lambda r: float(r.kpis["average_inventory"] or 0.0),
        ),
        Aim(
            "largest_workforce_change",
            False,
            add_stability_aim,
            lambda x, d: x,
            lambda z, d: z,
            _largest_change,
        ),
    )
}


#: The columns of :meth:`Frontier.frame`.
FRONTIER_COLUMNS = (
    "point",
    "level",
    "total_cost",
    "step_cost",
    "fill_rate",
    "average_inventory",
    "largest_workforce_change",
    "marginal_price",
)


@dataclass(frozen=True)
class FrontierPoint:
    """One optimal plan of the frontier: ``level`` the aim held (as its constraint),
    ``cost`` the plan's total cost, ``plan`` the plan itself; ``settings`` reproduce it
    (:func:`plan_at`)."""

    aim: str
    level: float
    cost: float | None
    plan: PlanResult = field(repr=False, compare=False)

    @property
    def optimal(self) -> bool:
        return self.plan.optimal

    @property
    def settings(self) -> dict[str, object]:
        """What reproduces this point: the aim and its level (``plan_at``)."""
        return {"aim": self.aim, "level": self.level}


@dataclass(frozen=True)
class Frontier:
    """The points of one aim, from the plan's own level to the best reachable."""

    aim: str
    base: PlanResult = field(repr=False, compare=False)
    points: tuple[FrontierPoint, ...]
    periods_per_year: int | None
    horizon: int

    def marginal_prices(self) -> list[str]:
        """Between each pair of neighbouring optimal points, what the step costs, in
        words: "From 97.0% to 98.0% fill rate costs $12,400 a year"."""
        done = [p for p in self.points if p.optimal]
        return [
            marginal_sentence(self.aim, a.level, b.level, b.cost - a.cost, self.per_year)
            for a, b in itertools.pairwise(done)
        ]

    def frame(self) -> pd.DataFrame:
        """One row per point, by field key: ``point`` (1..n), ``level`` (the aim held,
        shown as the aim), ``total_cost``, ``step_cost`` (over the point before), the
        KPIs the plan reaches (``fill_rate``, ``average_inventory``,
        ``largest_workforce_change``) and ``marginal_price`` (the step in words)."""
        rows, before, sentences = [], None, iter(["", *self.marginal_prices()])
        for i, p in enumerate(self.points, start=1):
            k = p.plan.kpis if p.optimal else {}
            rows.append(
                {
                    "point": i,
                    "level": p.level,
                    "total_cost": p.cost,
                    "step_cost": None if before is None or p.cost is None else p.cost - before,
                    "fill_rate": k.get("fill_rate"),
                    "average_inventory": k.get("average_inventory"),
                    "largest_workforce_change": _largest_change(p.plan) if p.optimal else None,
                    "marginal_price": next(sentences, "") if p.optimal else "",
                }
            )
            before = p.cost if p.cost is not None else before
        return pd.DataFrame(rows, columns=FRONTIER_COLUMNS)

    @property
    def per_year(self) -> float | None:
        """Periods per year ÷ periods of the plan: turns a plan's cost into a year's."""
        return self.periods_per_year / self.horizon if self.periods_per_year else None


def shown_level(aim: str, value: float) -> str:
    """A level of an aim as a person reads it ("97.0%", "8,023", "2.5"): its number in
    the vocabulary's kind of the aim."""
    return format_number(term(aim).kind, value)


def marginal_sentence(
    aim: str, start: float, end: float, cost: float, per_year: float | None
) -> str:
    """ "From 97.0% to 98.0% fill rate costs $12,400 a year"; "From 8,023 to 7,643 units
    of average inventory saves …"; "… over the plan" when its periods are neither months
    nor weeks."""
    amount = cost * per_year if per_year else cost
    verb = "costs" if amount >= 0 else "saves"
    when = "a year" if per_year else "over the plan"
    t = term(aim)
    money = format_number("money", abs(amount))
    span = f"From {shown_level(aim, start)} to {shown_level(aim, end)}"
    what = t.label.lower() if not t.unit else f"{t.unit} of {t.label.lower()}"
    return f"{span} {what} {verb} {money} {when}"


def periods_per_year(labels: list[str]) -> int | None:
    """12 for month labels ("2027-01"), 52 for ISO weeks ("2027-W05"), else None."""
    if labels and all(len(x) == 7 and x[4] == "-" and x[:4].isdigit() for x in labels):
        return 12
    if labels and all(len(x) == 8 and x[4:6] == "-W" for x in labels):
        return 52
    return None


class AimModel:
    """A planner's compiled model with one aim's column added, re-solved at each level.

    Owns its :class:`Planner` (the aim's rows stay on its HiGHS model); not
    thread-safe."""

    def __init__(self, scenario: Scenario, aim: str, fixed: FixedPlan | None = None) -> None:
        if aim not in AIMS:
            known = ", ".join(AIMS)
            raise InputError(Problem("aim", f"must be one of {known}, got {aim!r}"))
        self.scenario, self.aim = scenario, AIMS[aim]
        self.planner = Planner(scenario, fixed)
        self.base = self.planner.solve(scenario, fixed)
        self.data = model_data(scenario, fixed)
        self.z = self.aim.add(self.planner.highs, self.planner.layout, self.data)

    def solve_at(self, level: float) -> PlanResult:
        """The cheapest plan whose aim reaches ``level`` (the aim's column bounded)."""
        h, d = self.planner.highs, self.data
        ub = self.aim.bound(level, d)
        h.changeColBounds(self.z, 0.0, max(0.0, ub))
        return run_and_read(h, self.planner.layout, self.scenario, d)

    def release(self) -> None:
        """Free the aim (its column unbounded), leaving the planner's plan as before."""
        self.planner.highs.changeColBounds(self.z, 0.0, INF)

    def best_level(self) -> float:
        """The best level the aim can reach at any cost (a copy of the model with the
        aim's column as the only cost)."""
        h = new_highs()
        h.passModel(self.planner.highs.getLp())
        n = int(h.getNumCol())
        cost = np.zeros(n)
        cost[self.z] = 1.0
        h.changeColsCost(n, np.arange(n, dtype=np.int32), cost)
        h.changeColBounds(self.z, 0.0, INF)
        h.run()
        if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
            return self.aim.of(self.base)
        return self.aim.level(float(h.getSolution().col_value[self.z]), self.data)


def run_and_read(h: highspy.Highs, lay: Layout, scenario: Scenario, d: ModelData) -> PlanResult:
    """Solve ``h`` as it stands and read the plan (the first ``lay.n_cols`` columns); an
    infeasible or failed solve is a plan without values."""
    h.run()
    status = h.getModelStatus()
    if status != highspy.HighsModelStatus.kOptimal:
        return empty_result(scenario, "infeasible", h.modelStatusToString(status))
    sol = h.getSolution()
    x = np.asarray(sol.col_value)[: lay.n_cols].copy()
    np.maximum(x, 0.0, out=x)
    x += 0.0
    duals = None if d.integer or not sol.dual_valid else np.asarray(sol.row_dual)[: lay.n_rows]
    return assemble_result(scenario, d, x, duals, lay)


def levels(start: float, end: float, points: int) -> list[float]:
    """``points`` evenly spaced levels from ``start`` to ``end`` (both included)."""
    if points < 1:
        raise InputError(Problem("points", f"must be at least 1, got {points}"))
    if points == 1 or math.isclose(start, end, rel_tol=1e-12, abs_tol=1e-12):
        return [start]
    return [float(x) for x in np.linspace(start, end, points)]


def _frontier_chunk(
    shared: tuple[Scenario, str, FixedPlan | None], chunk: list[float]
) -> list[PlanResult]:
    """The plans of a chunk of levels, warm one after the other on one aim model."""
    scenario, aim, fixed = shared
    model = AimModel(scenario, aim, fixed)
    return [model.solve_at(x) for x in chunk]


def frontier(
    scenario: Scenario,
    aim: str,
    points: int = 21,
    *,
    start: float | None = None,
    end: float | None = None,
    fixed: FixedPlan | None = None,
    scheduler: str | None = None,
    backend: Backend = "auto",
    workers: int | None = None,
    progress: Progress | None = None,
    cancel: Cancel = None,
) -> Frontier:
    """The cheapest plan at ``points`` levels of ``aim``, from ``start`` (default: the
    plan's own level) to ``end`` (default: the best reachable; fill rate at most 100%),
    inside the time fence ``fixed`` (None: no fence).

    The levels are a sweep (:func:`~sop_core.analysis.sweep.run_sweep`, whose options
    the keywords are): each chunk of them is solved warm on one model.
    Raises :class:`InputError` if the plan itself has no feasible solution."""
    model = AimModel(scenario, aim, fixed)
    if not model.base.optimal:
        raise NoFeasiblePlan(model.base.message)
    a = model.aim
    lo = a.of(model.base) if start is None else start
    hi = model.best_level() if end is None else end
    if a.key == "fill_rate":
        hi = min(hi, 1.0)
    # never past what the plan already reaches in the direction the aim is good
    hi = max(hi, lo) if a.up_is_good else min(hi, lo)
    lv = levels(lo, hi, points)
    plans = run_sweep(
        _frontier_chunk,
        (scenario, a.key, fixed),
        lv,
        scheduler=scheduler,
        backend=backend,
        workers=workers,
        progress=progress,
        cancel=cancel,
    )
    pts = tuple(FrontierPoint(a.key, x, p.total_cost, p) for x, p in zip(lv, plans, strict=True))
    return Frontier(
        a.key, model.base, pts, periods_per_year(scenario.period_labels), scenario.horizon
    )


#: the aims a meeting's frontier tries, in order: cost against service, and when the
#: plan already serves all its demand (a frontier of one point), cost against inventory
HEADLINE_AIMS: tuple[str, ...] = ("fill_rate", "average_inventory")


def headline_frontier(make: Callable[[str], Frontier]) -> Frontier:
    """The frontier a meeting sees first: ``make(aim)`` for each of :data:`HEADLINE_AIMS`
    in turn, the first with more than one point (else the last)."""
    for aim in HEADLINE_AIMS:
        found = make(aim)
        if len(found.points) > 1:
            break
    return found


def plan_at(
    scenario: Scenario, aim: str, level: float, fixed: FixedPlan | None = None
) -> PlanResult:
    """The plan of one frontier point, from its ``settings``: a fresh model."""
    return AimModel(scenario, aim, fixed).solve_at(level)
