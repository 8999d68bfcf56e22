"""The family plan as the schedule reads it, and its supply spread over the week buckets.

Time phasing (step 1 of :mod:`sop_core.schedule.weekly`): a family's monthly production
P (and subcontracted supply C) is spread over the month's buckets in proportion to their
working days, so every week carries the same share of the month's load as of the
month's capacity. In whole units, a family's supply up to the end of every bucket is
the plan's, rounded to the nearest unit (halves up): running totals.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from sop_core.engine.planner import PlanResult
from sop_core.model.scenario import Scenario
from sop_core.schedule.weeks import Calendar


@dataclass(frozen=True)
class FamilyPlan:
    """A solved plan's families (F) × months (T), in the scenario's order."""

    production: np.ndarray  # (F, T) ≥ 0
    subcontract: np.ndarray  # (F, T) ≥ 0
    stock: np.ndarray  # (F, T) inventory − backorder at each month's end
    hours: np.ndarray  # (F,) labour hours per unit
    capacity: np.ndarray  # (T,) regular + overtime hours; inf when overtime is unlimited


def family_plan(plan: PlanResult, scenario: Scenario) -> FamilyPlan:
    """The family plan of ``plan`` (a solved plan of ``scenario``)."""
    labels = scenario.period_labels
    names = scenario.family_names
    F, T = len(names), len(labels)
    fp = plan.families.set_index(["family", "period"])
    idx = pd.MultiIndex.from_product([names, labels])
    P = fp.loc[idx, "production"].to_numpy(dtype=float).reshape(F, T).clip(min=0.0)
    C = fp.loc[idx, "subcontract"].to_numpy(dtype=float).reshape(F, T).clip(min=0.0)
    net = (fp.loc[idx, "inventory"] - fp.loc[idx, "backorder"]).to_numpy(dtype=float)
    hours = np.array([f.labor_hours_per_unit for f in scenario.families])
    per = plan.periods.set_index("period").loc[labels]
    cap_month = per["regular_hours_available"].to_numpy(dtype=float) + per[
        "overtime_hours_available"
    ].to_numpy(dtype=float)
    cap_month = np.where(np.isnan(cap_month), np.inf, cap_month)
    return FamilyPlan(
        production=P, subcontract=C, stock=net.reshape(F, T), hours=hours, capacity=cap_month
    )


def bucket_supply(
    fp: FamilyPlan, cal: Calendar, whole_units: bool
) -> tuple[np.ndarray, np.ndarray]:
    """Each family's production and its whole supply (production + subcontract) per
    bucket (F, B): the month's plan by the bucket's share of its working days."""
    supply_p = fp.production[:, cal.b_month] * cal.b_share[None, :]
    supply_c = fp.subcontract[:, cal.b_month] * cal.b_share[None, :]
    if whole_units:
        supply_p, supply_c = _running_round(supply_p), _running_round(supply_c)
    return supply_p, supply_p + supply_c


def _running_round(e: np.ndarray) -> np.ndarray:
    """Whole units whose running totals along the last axis are e's, rounded (halves up)."""
    r = np.floor(np.cumsum(e, axis=-1) + 0.5 + 1e-9)
    return np.diff(r, axis=-1, prepend=0.0)


__all__ = ["FamilyPlan", "bucket_supply", "family_plan"]
