"""Why no plan fits: an elastic re-solve that says which limits give, and by how much.

The relaxation reads from the block table of :mod:`sop_core.engine.lp` which bounds and rows may
give and at what penalty per unit; :func:`describe_violations` puts each violation of the
relaxed plan in plain words, in figures and by period.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import highspy
import numpy as np

from sop_core.engine.lp import COLUMNS, ROWS, Layout, ModelData, col_numbers, new_highs
from sop_core.model.scenario import Scenario
from sop_core.model.whatif import WhatIf

HARD = -1.0  # feasibilityRelaxation: a negative penalty keeps a bound or row hard
_TOL = 1e-6


@dataclass(frozen=True)
class Conflict:
    """One limit the plan cannot keep, in figures, as found by the elastic re-solve."""

    period: str
    family: str | None  # the family, or the resource for limit "resource_hours"
    limit: str  # labour_hours | resource_hours | workforce_max | workforce_min | hires |
    # layoffs | stock | backlog
    amount: float  # how far the limit has to give (hours, workers or units)
    message: str


def relaxed_plan(highs: highspy.Highs, lay: Layout, d: ModelData) -> np.ndarray | None:
    """Re-solve a copy of the infeasible LP with penalised violations of the limits the
    block table lets give (HiGHS's feasibility relaxation); the relaxed column values in
    block order, or None if even that fails."""
    h = new_highs()
    h.passModel(highs.getLp())  # the continuous LP: no integrality is copied
    n, m = lay.n_cols, lay.n_rows
    lower, upper, rhs = np.full(n, HARD), np.full(n, HARD), np.full(m, HARD)
    for b in COLUMNS:
        cols = lay.col_slice[b.name]
        lo, up, _ = col_numbers(b, d)
        if b.relax_lower is not None:
            lower[cols] = np.where(lo > 0, b.relax_lower, HARD)
        if b.relax_upper is not None:
            upper[cols] = np.where(np.isfinite(up), b.relax_upper, HARD)
    for r in ROWS:
        rows = lay.row[r.name]
        if r.relax is not None and rows.size:
            # a shortage is put in the latest period it can cure: where the lack bites
            later = 1 + 1e-3 * np.arange(d.T, 0, -1)
            rhs[rows] = r.relax * np.broadcast_to(later, rows.shape)
    h.feasibilityRelaxation(HARD, HARD, HARD, lower, upper, rhs)
    x = np.asarray(h.getSolution().col_value)
    return x if x.size == n else None


def _fmt(x: float) -> str:
    return f"{x:,.0f}" if abs(x - round(x)) < 0.05 or abs(x) >= 100 else f"{x:,.1f}"


def _plural(x: float, noun: str) -> str:
    return f"{_fmt(x)} {noun}" + ("" if _fmt(x) == "1" else "s")


#: The limits in the words of the Capacity and Plan pages.
LIMIT_NAMES = {
    "max_workers": "the workforce ceiling",
    "min_workers": "the workforce floor",
    "max_hires": "the hiring cap",
    "max_layoffs": "the layoff cap",
}


def _workforce_path(scenario: Scenario) -> str:
    wf = scenario.workforce
    start = f"starting from {_fmt(wf.initial)} workers"
    if wf.max_hires is not None:
        start += f", at most {_fmt(wf.max_hires)} hires a period"
    if wf.max_layoffs is not None:
        start += f", at most {_fmt(wf.max_layoffs)} layoffs a period"
    return start


def _overtime(d: ModelData) -> str:
    if not math.isfinite(d.M):
        return "unlimited overtime"
    return "no overtime" if d.M == 0 else f"{_fmt(d.M)} overtime hours each"


def _staff(d: ModelData, v: dict[str, np.ndarray], t: int, scenario: Scenario) -> str:
    """Why the workforce is what it is in period t, in words: the ceiling, the hiring cap
    (when every period up to t hired its most) or the level strategy."""
    W, H = v["W"], v["H"]
    if math.isfinite(d.W_ub[t]) and W[t] >= d.W_ub[t] - _TOL:
        return f"at most {_plural(W[t], 'worker')} (the workforce ceiling)"
    capped = np.isfinite(d.H_ub[: t + 1]) & (H[: t + 1] >= d.H_ub[: t + 1] - _TOL)
    if capped.all():
        if scenario.policy.strategy == "level" and t > 0:
            why = "the level strategy hires only in the first period"
        else:
            why = f"hiring is capped at {_fmt(d.H_ub[0])} a period"
        return (
            f"{_plural(W[t], 'worker')} ({why}: from {_plural(d.W0, 'worker')} that is all "
            "the workforce can reach by then)"
        )
    return _plural(W[t], "worker")


def describe_violations(
    scenario: Scenario, d: ModelData, v: dict[str, np.ndarray]
) -> list[Conflict]:
    """Compare the relaxed plan ``v`` with every limit and explain each one it breaks, in
    the words of the pages (no field names)."""
    labels, names = scenario.period_labels, scenario.family_names
    clash = np.flatnonzero(d.W_lb > d.W_ub + _TOL)
    if clash.size:  # a floor above the ceiling: nothing else needs saying
        t = int(clash[0])
        return [
            Conflict(
                labels[t],
                None,
                "workforce_floor_above_ceiling",
                float(d.W_lb[t] - d.W_ub[t]),
                f"The workforce floor ({_fmt(d.W_lb[t])}) is above the workforce ceiling "
                f"({_fmt(d.W_ub[t])}): lower the floor or raise the ceiling",
            )
        ]
    out: list[Conflict] = []
    W, O = v["W"], v["O"]
    level = scenario.policy.strategy == "level"
    start = _workforce_path(scenario)
    res_names = [r.name for r in scenario.resources]
    fence = " (inside the time fence: production and subcontracting as last approved)"
    for t, label in enumerate(labels):
        fenced = fence if t < d.frozen else ""
        short = float(d.hours @ v["P"][:, t] - d.R[t] * W[t] - O[t])
        if short > _TOL * max(1.0, d.R[t] * W[t]):
            capped = [
                names[f]
                for f in range(d.F)
                if math.isfinite(d.C_ub[f, t]) and v["C"][f, t] >= d.C_ub[f, t] - _TOL
            ]
            sub = f", subcontracting at its cap for {', '.join(capped)}" if capped else ""
            out.append(
                Conflict(
                    label,
                    None,
                    "labour_hours",
                    short,
                    f"{label}: {_fmt(short)} labour hours short with "
                    f"{_staff(d, v, t, scenario)} and {_overtime(d)}{sub}{fenced}",
                )
            )
        for r, res in enumerate(res_names):
            load = float(d.res_hours[r] @ v["P"][:, t])
            cap = float(d.res_avail[r, t] + v["OR"][r, t])
            if load - cap > _TOL * max(1.0, cap):
                ot = float(d.OR_ub[r, t])
                extra = f" and {_fmt(ot)} overtime hours" if ot > 0 else ""
                out.append(
                    Conflict(
                        label,
                        res,
                        "resource_hours",
                        load - cap,
                        f"{label}: {res} is {_fmt(load - cap)} hours short: the plan needs "
                        f"{_fmt(load)} hours, it has {_fmt(d.res_avail[r, t])}{extra}{fenced}",
                    )
                )
        for name, bound, limit, what in (
            ("W", d.W_ub, "workforce_max", "max_workers"),
            ("H", d.H_ub, "hires", "max_hires"),
            ("L", d.L_ub, "layoffs", "max_layoffs"),
        ):
            over = float(v[name][t] - bound[t])
            if over > _TOL:
                if level and name in "HL" and t > 0:
                    why = "the level strategy allows none after the first period"
                else:
                    why = f"{LIMIT_NAMES[what]} is {_fmt(bound[t])}"
                noun = {"W": "workers", "H": "hires", "L": "layoffs"}[name]
                out.append(
                    Conflict(
                        label,
                        None,
                        limit,
                        over,
                        f"{label}: needs {_fmt(v[name][t])} {noun} but {why}"
                        + (f" ({start})" if name == "W" else ""),
                    )
                )
        under = float(d.W_lb[t] - W[t])
        if under > _TOL:
            out.append(
                Conflict(
                    label,
                    None,
                    "workforce_min",
                    under,
                    f"{label}: can keep only {_fmt(W[t])} workers but the workforce floor is "
                    f"{_fmt(d.W_lb[t])} ({start})",
                )
            )
        for f in range(d.F):
            stock, backlog = float(v["I"][f, t]), float(v["S"][f, t])
            if d.I_lb[f, t] - stock > _TOL:
                target = "chase target" if math.isfinite(d.I_ub[f, t]) else "ending stock minimum"
                out.append(
                    Conflict(
                        label,
                        names[f],
                        "stock",
                        d.I_lb[f, t] - stock,
                        f"{label}: {names[f]} reaches {_fmt(stock)} units, below its {target} "
                        f"of {_fmt(d.I_lb[f, t])}",
                    )
                )
            if stock - d.I_ub[f, t] > _TOL:
                out.append(
                    Conflict(
                        label,
                        names[f],
                        "stock",
                        stock - d.I_ub[f, t],
                        f"{label}: {names[f]} holds {_fmt(stock)} units, above its chase target "
                        f"of {_fmt(d.I_ub[f, t])} (more stock than the demand takes)",
                    )
                )
            if backlog - d.S_ub[f, t] > _TOL:
                out.append(
                    Conflict(
                        label,
                        names[f],
                        "backlog",
                        backlog - d.S_ub[f, t],
                        f"{label}: {names[f]} would backlog {_fmt(backlog)} units where no "
                        f"backlog is allowed{fenced}",
                    )
                )
    return out


# --------------------------------------------------------------------------- fixes


@dataclass(frozen=True)
class Fix:
    """One change of the levers that may make an infeasible plan feasible."""

    label: str  #: what the button says ("Raise the workforce ceiling to 120 workers")
    whatif: WhatIf  #: the levers with the change made

    def then(self, other: Fix) -> Fix:
        """This change and then ``other`` (made on this one's levers), as one."""
        return Fix(f"{self.label} and {other.label[0].lower()}{other.label[1:]}", other.whatif)


def fix_candidates(conflicts: list[Conflict], scenario: Scenario, whatif: WhatIf) -> list[Fix]:
    """The lever changes worth trying for these conflicts, the likeliest first (the caller
    keeps the first one that solves). ``scenario`` is the what-if's own, before the levers.

    A floor above the ceiling: raise the ceiling to the floor. Too few workers allowed:
    the ceiling to what the relaxed plan needs. Too many kept: the floor down by as much.
    Stock below its target with extra safety stock asked: back to the scenario's own.
    Hours short: no workforce ceiling, then twice the overtime."""
    wf = scenario.workforce
    floor = whatif.workers_min if whatif.workers_min is not None else wf.min_workers or 0.0
    ceiling = whatif.workers_max if whatif.workers_max is not None else wf.max_workers
    ceiling = math.inf if ceiling is None else ceiling
    by_limit: dict[str, list[Conflict]] = {}
    for c in conflicts:
        by_limit.setdefault(c.limit, []).append(c)
    out: list[Fix] = []
    if "workforce_floor_above_ceiling" in by_limit:
        out.append(
            Fix(
                f"Raise the workforce ceiling to {_fmt(floor)} workers",
                replace(whatif, workers_max=float(floor)),
            )
        )
        out.append(
            Fix(
                f"Lower the workforce floor to {_fmt(ceiling)} workers",
                replace(whatif, workers_min=float(ceiling)),
            )
        )
    if "workforce_max" in by_limit and math.isfinite(ceiling):
        needed = math.ceil(ceiling + max(c.amount for c in by_limit["workforce_max"]))
        out.append(
            Fix(
                f"Raise the workforce ceiling to {_fmt(needed)} workers",
                replace(whatif, workers_max=float(needed)),
            )
        )
    if "workforce_min" in by_limit and floor > 0:
        lower = max(0.0, math.floor(floor - max(c.amount for c in by_limit["workforce_min"])))
        out.append(
            Fix(
                f"Lower the workforce floor to {_fmt(lower)} workers",
                replace(whatif, workers_min=float(lower)),
            )
        )
    if "stock" in by_limit and whatif.safety_months > 0:
        out.append(Fix("Keep the scenario's own safety stock", replace(whatif, safety_months=0.0)))
    if {"labour_hours", "resource_hours", "workforce_max"} & set(by_limit):
        if math.isfinite(ceiling):
            out.append(Fix("Lift the workforce ceiling", replace(whatif, workers_max=math.inf)))
        overtime = (
            whatif.overtime if whatif.overtime is not None else wf.max_overtime_hours_per_worker
        )
        more = max(2 * (overtime or 0.0), 20.0)
        out.append(
            Fix(
                f"Allow up to {_fmt(more)} overtime hours per worker",
                replace(whatif, overtime=float(more)),
            )
        )
    return out
