"""Launches and phase-outs in numbers: a new family's demand, and the demand the plan meets.

A **launch** (:class:`~sop_core.model.scenario.Launch`) sells like an existing family
(the like-item) scaled and ramped up. Its demand in period t, with s its start and
k = t − s the months since it started::

    L_t = 0                                  for t < s
    L_t = scale × like_t × ramp_k            for t ≥ s

``like_t`` is the like-item's plan demand in t (the consensus forecast handed to the plan:
the like-item's *forecast*, so its seasonal shape and trend over the horizon), ``ramp_k``
the share of full demand in the k-th month (linear: min(1, (k + 1) / N) over N
``ramp_months``; or the given ``ramp_shares``, then 1), and ``scale`` the ``factor``, or
for a ``volume`` V over the first 12 months the factor that makes those months sum to V:
scale = V / Σ_{k<12} like_{s+k} × ramp_k. When the horizon holds only n < 12 months after
the start, those n months carry V × n / 12.

**Cannibalisation**: a launch that takes ``cannibalise_share`` c of its demand from family
G moves min(G_t, c × L_t) units per period out of G's demand (the launch keeps its own
L_t: those units are now bought as the launch). **Phase-out**
(:class:`~sop_core.model.scenario.PhaseOut`): after its end period a family's demand is
0; with a replacement, the replacement's demand gains it. :func:`planned_demand` applies
both to the families' stored demand; the LP plans that (:mod:`sop_core.engine.lp`).

**SKUs** (:class:`~sop_core.model.scenario.SkuLaunch`,
:class:`~sop_core.model.scenario.SkuPhaseOut`) live inside a family. An SKU launch's
demand L_t is worked out as above when it is entered, on its like-SKU's demand, and kept;
the family's demand gains (1 − c) × L_t, c its share taken from a sibling SKU (those
units were the family's already). An SKU's phase-out adds its last-time buy to the
family's demand in its end period (the plan makes it then; the SKU ends that period
holding it), and after it the SKU's demand D_t stops: the family's demand loses
min(family_t, D_t), unless a sibling SKU replaces it (the family keeps it).
:func:`sku_mix` applies the same to the SKUs' own demand, which the weekly schedule
splits the family plan by (:mod:`sop_core.schedule.demand`).
"""

from __future__ import annotations

import numpy as np

from sop_core.base.errors import InputError, Problem
from sop_core.base.fields import label
from sop_core.model.scenario import Family, Launch, Scenario, period_position

#: months over which a launch's ``volume`` is given
VOLUME_MONTHS = 12


def ramp(launch: Launch, months: int) -> np.ndarray:
    """The share of full demand in each of a launch's first ``months`` months (k = 0, 1,
    …): its ``ramp_shares`` then 1, or linear min(1, (k + 1) / ramp_months)."""
    k = np.arange(months, dtype=float)
    if launch.ramp_shares:
        shares = np.ones(months)
        given = np.asarray(launch.ramp_shares[:months], dtype=float)
        shares[: len(given)] = given
        return shares
    return np.minimum(1.0, (k + 1) / launch.ramp_months)


def launch_scale(launch: Launch, like: np.ndarray, start: int) -> float:
    """The factor on the like-item's demand: ``factor``, or the one that makes the first
    12 months the horizon holds (n of them) sum to ``volume`` × n / 12. ``start``: the
    launch's index in ``like``'s periods (below 0: it started before them).
    :class:`InputError` when the like-item has no demand there to shape it."""
    if launch.factor is not None:
        return float(launch.factor)
    first, last = max(start, 0), min(start + VOLUME_MONTHS, len(like))
    n = max(last - first, 0)
    if n == 0:
        return 0.0  # its first 12 months are all outside these periods
    shaped = float(np.dot(like[first:last], ramp(launch, last - start)[first - start :]))
    if shaped <= 0:
        raise InputError(
            Problem(
                label("launch.like"),
                f"{launch.like!r} has no demand in the launch's first months; pick a "
                "like-family that sells then, or give a factor instead of a volume",
            )
        )
    return float(launch.volume or 0.0) * n / VOLUME_MONTHS / shaped


def launch_curve(launch: Launch, like: list[float] | np.ndarray, start: int) -> np.ndarray:
    """L_t = scale × like_t × ramp_{t−s} for t ≥ s, 0 before (the module docstring), on
    ``like``'s periods, the launch starting at index ``start`` of them (below 0: before
    the first; at or beyond their count: after the last, all 0)."""
    like = np.asarray(like, dtype=float)
    out = np.zeros(len(like))
    first = max(start, 0)
    if first >= len(like):
        return out
    scale = launch_scale(launch, like, start)
    out[first:] = scale * like[first:] * ramp(launch, len(like) - start)[first - start :]
    return out


def launch_demand(launch: Launch, like: list[float] | np.ndarray, periods: list[str]) -> np.ndarray:
    """The launch's demand on the plan's ``periods`` (its start one of them): see
    :func:`launch_curve`; ``like``: the like-item's demand per period."""
    return launch_curve(launch, like, position(periods, launch.start))


def planned_demand(scenario: Scenario) -> np.ndarray:
    """(F, T) the demand the plan meets: each family's stored demand, less what launches
    take from it (cannibalisation), and after a phase-out's end period 0 (its demand
    added to the replacement's, when it has one)."""
    names = scenario.family_names
    labels = scenario.period_labels
    demand = np.array([f.demand for f in scenario.families], dtype=float)
    stored = demand.copy()
    for j, fam in enumerate(scenario.families):
        ln = fam.launch
        if ln is not None and ln.cannibalise is not None and ln.cannibalise_share > 0:
            g = names.index(ln.cannibalise)
            taken = np.minimum(demand[g], ln.cannibalise_share * stored[j])
            demand[g] -= taken
    for j, fam in enumerate(scenario.families):
        demand[j] = family_after_skus(fam, labels, demand[j])
    for j, fam in enumerate(scenario.families):
        po = fam.phase_out
        if po is None:
            continue
        after = min(max(position(labels, po.end_period) + 1, 0), len(labels))
        if po.replacement is not None:
            demand[names.index(po.replacement), after:] += demand[j, after:]
        demand[j, after:] = 0.0
    return demand


def set_aside(scenario: Scenario) -> np.ndarray:
    """(F, T) the units of each family's planned demand that are SKU last-time buys:
    made in an SKU's end period and held, not sold (0 after a family's own phase-out)."""
    labels = scenario.period_labels
    out = np.zeros((len(scenario.families), len(labels)))
    for j, fam in enumerate(scenario.families):
        for po in fam.sku_phase_outs:
            end = position(labels, po.end_period)
            if 0 <= end < len(labels):
                out[j, end] += po.last_time_buy
        if fam.phase_out is not None:
            out[j, max(position(labels, fam.phase_out.end_period) + 1, 0) :] = 0.0
    return out


def sold_demand(scenario: Scenario) -> np.ndarray:
    """(F, T) what each family's SKUs sell: the demand the plan meets less the SKU
    last-time buys it makes and holds (:func:`set_aside`); the weekly schedule splits
    this over the SKUs."""
    return planned_demand(scenario) - set_aside(scenario)


def family_after_skus(fam: Family, labels: list[str], demand: np.ndarray) -> np.ndarray:
    """Family ``fam``'s ``demand`` (T,) after its SKU launches and phase-outs: + (1 − c)
    × L_t per SKU launch (c its share taken from a sibling, 0 without one); per SKU
    phase-out + its last-time buy in its end period (made then and set aside), and
    after it − min(demand_t, D_t) unless a sibling replaces it."""
    out = np.asarray(demand, dtype=float).copy()
    for ln in fam.sku_launches:
        kept = 1.0 - (ln.cannibalise_share if ln.cannibalise is not None else 0.0)
        out += kept * np.asarray(ln.demand, dtype=float)
    for po in fam.sku_phase_outs:
        end = position(labels, po.end_period)
        if 0 <= end < len(labels):
            out[end] += po.last_time_buy
        if po.replacement is None:
            after = max(end + 1, 0)
            ended = np.asarray(po.demand, dtype=float)[after:]
            out[after:] -= np.minimum(out[after:], ended)
    return out


def sku_mix(
    fam: Family, labels: list[str], skus: list[str], demand: np.ndarray
) -> tuple[list[str], np.ndarray]:
    """The SKUs of family ``fam`` and their ``demand`` (S, T) after its SKU launches and
    phase-outs: each launch a row of its L_t (its sibling's row less min(sibling_t,
    c × L_t)); after an SKU's end period its row is 0, its units added to its
    replacement's row. A launch whose SKU already has a row replaces that row."""
    rows = dict(zip(skus, np.asarray(demand, dtype=float).copy(), strict=True))
    for ln in fam.sku_launches:
        curve = np.asarray(ln.demand, dtype=float)
        if ln.cannibalise is not None and ln.cannibalise in rows:
            sib = rows[ln.cannibalise]
            rows[ln.cannibalise] = sib - np.minimum(sib, ln.cannibalise_share * curve)
        rows[ln.sku] = curve.copy()
    for po in fam.sku_phase_outs:
        if po.sku not in rows:
            continue
        after = max(position(labels, po.end_period) + 1, 0)
        ended = rows[po.sku][after:].copy()
        rows[po.sku][after:] = 0.0
        if po.replacement is not None and po.replacement in rows:
            rows[po.replacement][after:] += ended
    names = list(rows)
    return names, np.vstack([rows[n] for n in names]) if names else np.zeros((0, len(labels)))


def position(labels: list[str], period: str) -> int:
    """``period``'s index on the plan's ``labels``; a month before the first is below 0,
    one after the last at or beyond their count
    (:func:`~sop_core.model.scenario.period_position`; the scenario checked it is one)."""
    at = period_position(list(labels), period)
    if at is None:
        raise ValueError(f"{period!r} is not a period of the plan")
    return at


def end_index(scenario: Scenario) -> list[int | None]:
    """Per family, the index of its phase-out's end period (None: no phase-out; below 0:
    it ended before the plan's first period; at or beyond their count: after the last)."""
    labels = scenario.period_labels
    return [
        position(labels, f.phase_out.end_period) if f.phase_out is not None else None
        for f in scenario.families
    ]
