"""The schedule's result tables: weeks, load, months and SKUs, from what each bucket got.

The columns are described under "Results" in :mod:`sop_core.schedule.weekly`; a week's
quantities are the sums of its buckets (a week that straddles two months is two), its
stock the stock at the end of its last bucket.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from sop_core.base.text import noun, plural
from sop_core.schedule.allocate import Allocation
from sop_core.schedule.demand import SkuDemand
from sop_core.schedule.plan import FamilyPlan
from sop_core.schedule.weeks import Calendar

WEEK_COLUMNS = (
    "family",
    "sku",
    "week",
    "days",
    "demand",
    "made",
    "bought",
    "stock",
    "safety_stock",
    "shortfall",
    "cover_weeks",
    "firm",
)
LOAD_COLUMNS = ("week", "days", "capacity_hours", "load_hours", "utilisation")
MONTH_COLUMNS = (
    "family",
    "period",
    "plan_production",
    "scheduled_production",
    "plan_subcontract",
    "scheduled_subcontract",
    "plan_stock",
    "scheduled_stock",
)
SKU_COLUMNS = (
    "family",
    "sku",
    "on_hand",
    "safety_stock",
    "min_batch",
    "demand",
    "made",
    "bought",
    "end_stock",
    "min_cover_weeks",
    "weeks_short",
    "max_shortfall",
    "batch_misses",
)


@dataclass(frozen=True)
class WeekTotals:
    """Each SKU's weeks (S, W), of which the first ``shown`` go in the tables."""

    first: np.ndarray  # (W,) first bucket of each week (a week's buckets are consecutive)
    demand: np.ndarray
    made: np.ndarray
    got: np.ndarray  # made plus bought in
    stock: np.ndarray  # at the week's end
    safety_stock: np.ndarray  # at the week's end
    cover: np.ndarray  # weeks the stock lasts from the week's end
    firm: np.ndarray  # (W,) inside the time fence
    shown: int


def week_totals(
    cal: Calendar,
    split: Allocation,
    skus: SkuDemand,
    ss: np.ndarray,
    weeks: int | None,
    firm_weeks: int,
) -> WeekTotals:
    """The buckets summed by week; ``weeks``: how many are shown (None: all)."""
    W = len(cal.weeks)
    wk_first = np.searchsorted(cal.b_week, np.arange(W))
    wk_last = np.r_[wk_first[1:], len(cal.b_start)] - 1
    stock_w = split.end_stock[:, wk_last]
    t_end = cal.b_end[wk_last].astype(float)
    return WeekTotals(
        first=wk_first,
        demand=np.add.reduceat(skus.buckets, wk_first, axis=1),
        made=np.add.reduceat(split.made, wk_first, axis=1),
        got=np.add.reduceat(split.got, wk_first, axis=1),
        stock=stock_w,
        safety_stock=ss[:, cal.b_month[wk_last]],
        cover=_cover(skus.grid, skus.daily[:, -1], stock_w, t_end),
        firm=np.arange(W) < firm_weeks,
        shown=W if weeks is None else min(weeks, W),
    )


def weeks_table(skus: SkuDemand, cal: Calendar, wk: WeekTotals) -> pd.DataFrame:
    """One row per SKU and week shown (columns :data:`WEEK_COLUMNS`)."""
    shown, S = wk.shown, len(skus.fam)
    return pd.DataFrame(
        {
            "family": np.repeat(skus.skus["family"].to_numpy(), shown),
            "sku": np.repeat(skus.skus["sku"].to_numpy(), shown),
            "week": np.tile(cal.weeks[:shown], S),
            "days": np.tile(cal.week_days[:shown], S).astype(int),
            "demand": wk.demand[:, :shown].ravel(),
            "made": wk.made[:, :shown].ravel(),
            "bought": (wk.got - wk.made)[:, :shown].ravel(),
            "stock": wk.stock[:, :shown].ravel(),
            "safety_stock": wk.safety_stock[:, :shown].ravel(),
            "shortfall": np.maximum(0.0, wk.safety_stock - wk.stock)[:, :shown].ravel(),
            "cover_weeks": wk.cover[:, :shown].ravel(),
            "firm": np.tile(wk.firm[:shown], S),
        }
    )


def load_table(cal: Calendar, wk: WeekTotals, first: np.ndarray, fp: FamilyPlan) -> pd.DataFrame:
    """One row per week shown (columns :data:`LOAD_COLUMNS`); ``first``: each family's
    first SKU."""
    W, shown = len(cal.weeks), wk.shown
    fam_made_w = np.add.reduceat(wk.made, first, axis=0)  # (F, W)
    cap_b = np.where(cal.b_share > 0, fp.capacity[cal.b_month], 0.0) * cal.b_share
    cap_w = np.add.reduceat(cap_b, wk.first)
    load_w = fp.hours @ fam_made_w
    return pd.DataFrame(
        {
            "week": cal.weeks[:shown],
            "days": cal.week_days[:shown].astype(int),
            "capacity_hours": cap_w[:shown],
            "load_hours": load_w[:shown],
            "utilisation": np.divide(
                load_w, cap_w, out=np.zeros(W), where=np.isfinite(cap_w) & (cap_w > 0)
            )[:shown],
        }
    )


def months_table(
    names: list[str],
    labels: list[str],
    cal: Calendar,
    split: Allocation,
    first: np.ndarray,
    fp: FamilyPlan,
) -> pd.DataFrame:
    """One row per family and month (columns :data:`MONTH_COLUMNS`): plan and schedule."""
    F, T, B = len(names), len(labels), len(cal.b_start)
    mo_first = np.searchsorted(cal.b_month, np.arange(T))
    mo_last = np.r_[mo_first[1:], B] - 1
    fam_made_m = np.add.reduceat(np.add.reduceat(split.made, first, axis=0), mo_first, axis=1)
    fam_got_m = np.add.reduceat(np.add.reduceat(split.got, first, axis=0), mo_first, axis=1)
    fam_stock_m = np.add.reduceat(split.end_stock[:, mo_last], first, axis=0)
    return pd.DataFrame(
        {
            "family": np.repeat(names, T),
            "period": np.tile(labels, F),
            "plan_production": fp.production.ravel(),
            "scheduled_production": fam_made_m.ravel(),
            "plan_subcontract": fp.subcontract.ravel(),
            "scheduled_subcontract": (fam_got_m - fam_made_m).ravel(),
            "plan_stock": fp.stock.ravel(),
            "scheduled_stock": fam_stock_m.ravel(),
        }
    )


def sku_table(
    table: pd.DataFrame, wk: WeekTotals, batch: np.ndarray, whole_units: bool
) -> pd.DataFrame:
    """One row per SKU (columns :data:`SKU_COLUMNS`): its stock data ``table`` and its
    weeks shown; ``batch``: the minimum batches the schedule kept to."""
    shown = wk.shown
    misses = ((wk.got > 1e-6) & (wk.got < batch[:, None] - 1e-6))[:, :shown].sum(axis=1)
    short = np.maximum(0.0, wk.safety_stock - wk.stock)[:, :shown]
    return table.assign(
        demand=wk.demand[:, :shown].sum(axis=1),
        made=wk.made[:, :shown].sum(axis=1),
        bought=(wk.got - wk.made)[:, :shown].sum(axis=1),
        end_stock=wk.stock[:, shown - 1],
        min_cover_weeks=wk.cover[:, :shown].min(axis=1),
        weeks_short=(short >= (1.0 if whole_units else 1e-6)).sum(axis=1),
        max_shortfall=short.max(axis=1),
        batch_misses=misses.astype(int),
    )[list(SKU_COLUMNS)]


def sku_notes(skus: pd.DataFrame) -> list[str]:
    """Sentences on the SKU table: SKUs short in some week, batches missed."""
    notes = []
    n_short = int((skus["weeks_short"] > 0).sum())
    if n_short:
        notes.append(
            f"{n_short} of {len(skus)} SKUs fall a unit or more below safety stock in some "
            "week: the family plan's stock does not cover every SKU's safety stock then."
        )
    misses = skus["batch_misses"].to_numpy()
    if misses.any():
        missed = int((misses > 0).sum())
        notes.append(
            f"{plural(missed, 'SKU')} made below {noun(missed, 'its', 'their')} minimum batch "
            "in some week: "
            "the family's quantity that week was smaller than every batch."
        )
    return notes


def _cover(grid: np.ndarray, end_rate: np.ndarray, stock: np.ndarray, t: np.ndarray) -> np.ndarray:
    """Weeks each SKU's ``stock`` (S, W) lasts from day ``t`` (W,) against its forecast;
    0 when the stock is not positive, inf when no demand follows."""
    S, n = grid.shape
    D = n - 1
    k = t.astype(np.int64)
    start = grid[:, k]  # (S, W)
    target = start + np.maximum(stock, 0.0)
    top = grid[:, -1][:, None]
    inside = target <= top
    # first day index whose cumulative demand reaches the target, row by row
    span = float(grid[:, -1].max()) + 1.0
    offsets = (np.arange(S) * span)[:, None]
    flat = (grid + offsets).ravel()
    pos = np.searchsorted(flat, (np.minimum(target, top) + offsets).ravel(), side="left")
    pos = pos.reshape(S, -1) - (np.arange(S) * n)[:, None]
    pos = np.clip(pos, 1, D)
    prev = np.take_along_axis(grid, pos - 1, axis=1)
    nxt = np.take_along_axis(grid, pos, axis=1)
    step = nxt - prev
    day = np.where(step > 0, pos - 1 + (target - prev) / np.where(step > 0, step, 1.0), pos)
    rate = end_rate[:, None]
    beyond = D + np.divide(target - top, rate, out=np.full_like(target, np.inf), where=rate > 0)
    days = np.where(inside, day, beyond) - t[None, :]
    days = np.where(stock > 0, np.maximum(days, 0.0), 0.0)
    return days / 7.0


__all__ = [
    "LOAD_COLUMNS",
    "MONTH_COLUMNS",
    "SKU_COLUMNS",
    "WEEK_COLUMNS",
    "WeekTotals",
    "load_table",
    "months_table",
    "sku_notes",
    "sku_table",
    "week_totals",
    "weeks_table",
]
