"""The scorecard of a plan: the five aims of S&OP measured, per plan and per family.

S&OP exists for better customer service, lower inventory, shorter customer lead times,
stable production and a management handle on the business. This module measures the
first four from a plan (the fifth needs the business plan: :mod:`sop_core.process.scorecard`)
and judges each measure against the company's targets (:mod:`sop_core.model.targets`).

The definitions (D demand, P production, I inventory and S backlog at the end of period
t, W the workforce; d(t) the calendar days of period t: of its month when the label is
"YYYY-MM", else 365 / 12)::

    fill_rate          1 − Σ min(D(t), S(t)) ÷ Σ D(t)    (backlog is served first in,
                       first out, so the backlog at the end of t is t's newest demand)
    average_backlog    Σ S(t) ÷ T                                        [units]
    days_of_cover      mean over t of I(t) ÷ (D(t+1) ÷ d(t+1)), the last period with its
                       own D and d; periods whose demand is 0 are left out  [days]
    inventory_turns    (Σ D ÷ Σ d × 365) ÷ (Σ I ÷ T)                     [turns / year]
    customer_lead_time (Σ S ÷ T) ÷ (Σ D ÷ Σ d): Little's law, the average wait of an
                       order is the backlog over the rate orders arrive    [days]
    production_change  mean over t ≥ 2 of |P(t) − P(t−1)| ÷ (Σ P ÷ T)    [share]
    workforce_change   mean over t ≥ 2 of |W(t) − W(t−1)| ÷ (Σ W ÷ T)    [share]
                       (the workforce is shared: the plan's row only)

The plan's row sums the families per period first (its inventory is all families'
inventory). :func:`days_of_cover` is the one definition of days of cover: the family
S&OP sheet (:mod:`sop_core.process.sop_sheet`) uses it too.

:data:`SCORECARD_COLUMNS` — the tidy table, one row per scope and measure::

    family        a family's name, or :data:`ALL` for the whole plan
    aim           service | inventory | lead_time | stability | handle (:data:`AIMS`)
    measure       a key of :data:`MEASURES` (its label, unit and definition: the
                  vocabulary, :data:`sop_core.base.fields.TERMS`)
    value         the measure (NaN when it has none, e.g. turns with no stock)
    target_low    the least the target allows (NaN: no bound)
    target_high   the most the target allows (NaN: no bound)
    status        met | not met | no target | no value (:data:`STATUSES`)
"""

from __future__ import annotations

import calendar
import math
import re
from collections.abc import Sequence

import numpy as np
import pandas as pd

from sop_core.engine.results import PlanResult
from sop_core.model.scenario import Scenario
from sop_core.model.targets import Targets

#: the whole plan's rows (all families together)
ALL = "All families"
#: the five aims of S&OP, in the order the scorecard reads them: key -> words
AIMS: dict[str, str] = {
    "service": "Customer service",
    "inventory": "Inventory",
    "lead_time": "Customer lead time",
    "stability": "Production stability",
    "handle": "Management handle",
}
#: every measure -> its aim, in the scorecard's order (the last two: the business plan's)
MEASURES: dict[str, str] = {
    "fill_rate": "service",
    "average_backlog": "service",
    "days_of_cover": "inventory",
    "inventory_turns": "inventory",
    "customer_lead_time": "lead_time",
    "production_change": "stability",
    "workforce_change": "stability",
    "plan_revenue": "handle",
    "gross_margin_share": "handle",
}
#: what a measure's status reads
STATUSES: tuple[str, ...] = ("met", "not met", "no target", "no value")
SCORECARD_COLUMNS: tuple[str, ...] = (
    "family",
    "aim",
    "measure",
    "value",
    "target_low",
    "target_high",
    "status",
)
#: days of a period whose label is not a month ("YYYY-MM")
DAYS_PER_PERIOD = 365.0 / 12.0
_MONTH = re.compile(r"(\d{4})-(\d{2})")


def period_days(labels: Sequence[str]) -> np.ndarray:
    """The calendar days of each period: its month's when the label is "YYYY-MM",
    else :data:`DAYS_PER_PERIOD`."""
    out = []
    for label in labels:
        m = _MONTH.fullmatch(str(label))
        if m and 1 <= int(m.group(2)) <= 12:
            out.append(float(calendar.monthrange(int(m.group(1)), int(m.group(2)))[1]))
        else:
            out.append(DAYS_PER_PERIOD)
    return np.array(out, dtype=float)


def days_of_cover(inventory: np.ndarray, demand: np.ndarray, days: np.ndarray) -> np.ndarray:
    """Per period (the last axis): inventory(t) ÷ (demand(t+1) ÷ days(t+1)), the last
    period with its own demand and days; NaN where that demand is 0 or unknown. The one
    definition of days of cover."""
    inventory, demand, days = (np.asarray(a, dtype=float) for a in (inventory, demand, days))
    ahead = np.concatenate([demand[..., 1:], demand[..., -1:]], axis=-1)
    ahead_days = np.concatenate([days[..., 1:], days[..., -1:]], axis=-1)
    per_day = ahead / ahead_days
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(per_day > 0, inventory / per_day, np.nan)


def fill_rate(demand: np.ndarray, backlog: np.ndarray) -> float:
    """1 − Σ min(D, S) ÷ Σ D (1 when there is no demand)."""
    total = float(np.sum(demand))
    return 1.0 - float(np.minimum(demand, backlog).sum()) / total if total > 0 else 1.0


def inventory_turns(inventory: np.ndarray, demand: np.ndarray, days: np.ndarray) -> float:
    """Annual demand (Σ D ÷ Σ d × 365) ÷ average inventory; NaN without stock."""
    stock = float(np.mean(inventory))
    yearly = float(np.sum(demand)) / float(np.sum(days)) * 365.0
    return yearly / stock if stock > 0 else math.nan


def lead_time(backlog: np.ndarray, demand: np.ndarray, days: np.ndarray) -> float:
    """Average backlog ÷ average demand per day [days] (Little's law); NaN without demand."""
    per_day = float(np.sum(demand)) / float(np.sum(days))
    return float(np.mean(backlog)) / per_day if per_day > 0 else math.nan


def change_share(levels: np.ndarray) -> float:
    """Mean |x(t) − x(t−1)| ÷ mean x: how much a level moves per period, as a share of
    it; NaN with fewer than two periods or a mean of 0."""
    levels = np.asarray(levels, dtype=float)
    mean = float(levels.mean()) if len(levels) else 0.0
    if len(levels) < 2 or mean <= 0:
        return math.nan
    return float(np.abs(np.diff(levels)).mean()) / mean


def measures_of(
    demand: np.ndarray,
    production: np.ndarray,
    inventory: np.ndarray,
    backlog: np.ndarray,
    days: np.ndarray,
) -> dict[str, float]:
    """The plan measures of one scope (a family, or all families summed per period),
    each a series over the periods."""
    cover = days_of_cover(inventory, demand, days)
    return {
        "fill_rate": fill_rate(demand, backlog),
        "average_backlog": float(np.mean(backlog)),
        "days_of_cover": float(np.nanmean(cover)) if np.isfinite(cover).any() else math.nan,
        "inventory_turns": inventory_turns(inventory, demand, days),
        "customer_lead_time": lead_time(backlog, demand, days),
        "production_change": change_share(production),
    }


def plan_measures(scenario: Scenario, result: PlanResult) -> pd.DataFrame:
    """The plan measures of an optimal ``result`` of ``scenario``, per plan (first) and
    per family: columns family, aim, measure, value.

    Raises:
        ValueError: when ``result`` is not an optimal plan (there is nothing to measure).
    """
    if not result.optimal:
        raise ValueError(f"only an optimal plan has a scorecard (status {result.status})")
    fam, per = result.families, result.periods
    names = list(dict.fromkeys(fam["family"]))
    T = len(per)
    days = period_days(list(per["period"]))

    def grid(col: str) -> np.ndarray:
        return fam[col].to_numpy(float).reshape(len(names), T)

    D, P, I, S = grid("demand"), grid("production"), grid("inventory"), grid("backorder")
    rows: list[dict[str, object]] = []
    whole = measures_of(D.sum(0), P.sum(0), I.sum(0), S.sum(0), days)
    whole["workforce_change"] = change_share(per["workforce"].to_numpy(float))
    scopes = [(ALL, whole)] + [
        (name, measures_of(D[i], P[i], I[i], S[i], days)) for i, name in enumerate(names)
    ]
    for name, values in scopes:
        for measure, value in values.items():
            rows.append(
                {"family": name, "aim": MEASURES[measure], "measure": measure, "value": value}
            )
    return pd.DataFrame(rows, columns=["family", "aim", "measure", "value"])


def target_band(targets: Targets | None, measure: str, family: str) -> tuple[float, float]:
    """(low, high) the targets set for a plan measure (NaN: no bound). The backlog's
    target is in units of all families, so it holds for the plan's row only."""
    t = targets or Targets()
    nan = math.nan

    def given(x: float | None) -> float:
        return nan if x is None else float(x)

    if measure == "average_backlog":
        return (nan, given(t.backlog_max) if family == ALL else nan)
    return {
        "fill_rate": (given(t.fill_rate_min), nan),
        "days_of_cover": (given(t.cover_days_min), given(t.cover_days_max)),
        "inventory_turns": (given(t.turns_min), nan),
        "customer_lead_time": (nan, given(t.lead_time_max)),
        "production_change": (nan, given(t.production_change_max)),
        "workforce_change": (nan, given(t.workforce_change_max)),
        "gross_margin_share": (given(t.margin_min), nan),
    }.get(measure, (nan, nan))


def status(value: float, low: float, high: float, *, tolerance: float = 1e-9) -> str:
    """met | not met | no target (neither bound) | no value (a target, but no measure)."""
    if math.isnan(low) and math.isnan(high):
        return "no target"
    if value is None or math.isnan(value):
        return "no value"
    scale = tolerance * max(1.0, abs(value))
    ok = (math.isnan(low) or value >= low - scale) and (math.isnan(high) or value <= high + scale)
    return "met" if ok else "not met"


def judged(measures: pd.DataFrame, targets: Targets | None) -> pd.DataFrame:
    """``measures`` (family, aim, measure, value, and optional target_low/target_high
    already set, e.g. revenue's from the business plan) with the targets' bands where
    none is set, and each row's status (columns :data:`SCORECARD_COLUMNS`)."""
    out = measures.copy()
    for col in ("target_low", "target_high"):
        if col not in out.columns:
            out[col] = math.nan
    bands = [
        target_band(targets, m, f) if math.isnan(lo) and math.isnan(hi) else (lo, hi)
        for m, f, lo, hi in zip(
            out["measure"],
            out["family"],
            out["target_low"].to_numpy(float),
            out["target_high"].to_numpy(float),
            strict=True,
        )
    ]
    out["target_low"] = [b[0] for b in bands]
    out["target_high"] = [b[1] for b in bands]
    out["status"] = [
        status(float(v), lo, hi)
        for v, (lo, hi) in zip(out["value"].to_numpy(float), bands, strict=True)
    ]
    return out[list(SCORECARD_COLUMNS)].reset_index(drop=True)


def plan_scorecard(scenario: Scenario, result: PlanResult) -> pd.DataFrame:
    """The plan measures of ``result`` judged against ``scenario``'s targets
    (:data:`SCORECARD_COLUMNS`; the business plan's measures: :mod:`sop_core.process.scorecard`)."""
    return judged(plan_measures(scenario, result), scenario.targets)
