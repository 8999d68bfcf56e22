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
"""

from __future__ import annotations

import numpy as np

from sop_core.base.errors import InputError, Problem
from sop_core.base.fields import label
from sop_core.model.scenario import Launch, Scenario

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
    return launch_curve(launch, like, periods.index(launch.start))


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
        po = fam.phase_out
        if po is None:
            continue
        after = labels.index(po.end_period) + 1
        if po.replacement is not None:
            demand[names.index(po.replacement), after:] += demand[j, after:]
        demand[j, after:] = 0.0
    return demand


def end_index(scenario: Scenario) -> list[int | None]:
    """Per family, the index of its phase-out's end period (None: no phase-out)."""
    labels = scenario.period_labels
    return [
        labels.index(f.phase_out.end_period) if f.phase_out is not None else None
        for f in scenario.families
    ]
