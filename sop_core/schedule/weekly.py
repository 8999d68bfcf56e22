"""The weekly master schedule: the family plan, disaggregated into SKUs and weeks.

The aggregate plan says how much of each *family* to make (and buy in) each month; the
master schedule says which *SKU* each production line makes each *week*, inside it.
:func:`schedule` runs the method below, step by step, and returns a :class:`Schedule`;
the steps live in the package's other modules, one job each:

- :mod:`~sop_core.schedule.weeks`: the calendar (buckets, weeks, the time fence);
- :mod:`~sop_core.schedule.plan`: the family plan, and its supply per bucket (1);
- :mod:`~sop_core.schedule.demand`: SKU demand, from a forecast or a history, per bucket;
- :mod:`~sop_core.schedule.stock`: the SKU stock table and its defaults;
- :mod:`~sop_core.schedule.allocate`: each bucket's split over the SKUs (2, 3; rounding);
- :mod:`~sop_core.schedule.tables`: the result tables.

Method: equal run-out times (Hax & Meal's disaggregation rule)
----------------------------------------------------------------
Time is cut into buckets: a calendar week (Monday to Sunday) inside one month; a week
that straddles two months is two buckets, so that every bucket draws on exactly one
month of the family plan.

1. *Time phasing.* A family's monthly production P (and subcontracted supply C) is spread
   over the month's buckets in proportion to their working days: every week carries the
   same share of the month's load as of the month's capacity, so a week's labour hours
   never exceed its share of the month's hours (the plan keeps Σ_f h_f·P_f ≤ R·W + O).
2. *SKU split.* Each bucket's family quantity Q goes to the SKUs so that they all run out
   at the same time τ: SKU s receives x_s = max(0, ss_s + D_s(t0, τ) − N_s), where N_s is
   its stock before the bucket, ss_s its safety stock and D_s(t0, τ) its forecast demand
   from the bucket's start t0 until τ; τ is the one time at which Σ_s x_s = Q (found
   by bracketing and false position, all families at once). SKUs that are short get
   stock first; a surplus goes where it lasts equally long. τ may lie before t0: then
   even the safety stocks cannot all be kept, and the shortfall is spread as equal days
   of demand.
3. *Minimum batches.* A SKU whose share in a bucket is above zero but below its
   ``min_batch`` gets a whole batch if it would otherwise end the bucket below safety
   stock (the neediest first, while the family's quantity lasts), else nothing yet (its
   need grows until it is worth a batch); the others share the rest as in 2. If no SKU
   is left to take the rest, it goes on top of a batch, or, when there is none (the
   family's quantity is smaller than every batch), to the neediest SKU, and the
   schedule reports the batch it could not keep. Batches add cycle stock that the
   family plan does not hold, so other SKUs may dip below safety stock: the schedule
   shows where.

Why this method: it needs no solver (vectorised numpy: 5,000 SKUs × 52 weeks in well
under a second, see ``benchmarks/schedule_speed.py``), family totals are exact by
construction, and it does what a scheduler asks of a family plan: keep every SKU above
its safety stock while the family's stock allows, and when it does not, share the
shortfall fairly instead of starving some SKUs. A per-family LP (minimise shortfall
below safety stock) would make the same choices on most weeks but costs a solve per
family, and minimum batches would make it a MIP. The proportional split (every SKU gets
its forecast share of each week, ``method="proportional"``) is the baseline: it ignores
stock, so SKUs that start short stay short.

Rounding (``whole_units=True``): running totals. A family's production up to the end of
every bucket is the plan's, rounded to the nearest unit (halves up); a month's total is
therefore the plan's running total rounded at the month's end minus the same at the
previous month's end, within one unit of the plan's (exact when the plan is in whole
units), and a week's within one unit of its exact share. Each bucket's whole quantity is
split over the SKUs by largest remainders (Hamilton), which keeps the sum exact.
Subcontracted units are rounded the same way; within a SKU's receipt the made part is
the largest-remainder share of the family's made units.

Inputs
------
- the family plan: an optimal :class:`~sop_core.engine.planner.PlanResult` of the scenario
  (``families`` frame: production, subcontract, inventory, backorder, safety_stock;
  ``periods`` frame: regular and overtime hours available). Periods are months
  labelled "YYYY-MM"; other labels need ``start`` (the first month).
- SKU demand: a frame with columns family, sku, period ("YYYY-MM", one of the plan's
  periods), demand [units / month]; :func:`~sop_core.schedule.demand.sku_demand` makes
  it from a SKU-level forecast (:func:`sop_core.demand.forecast.forecast` with
  ``level="sku"``), scaled per family and month to the scenario's (consensus) family
  demand. A month's demand is spread evenly over its calendar days. SKUs of a family
  the plan does not have are not scheduled; the notes name them.
- SKU stock (optional, :func:`~sop_core.schedule.stock.read_sku_stock`; CSV or Excel),
  one row per SKU: sku, family, on_hand, safety_stock, min_batch. Blank cells and SKUs
  not in the table take the defaults: the family's initial inventory and safety stock
  split by the SKUs' demand shares, no minimum batch (:mod:`sop_core.schedule.stock`).
- ``working_days(days) -> weights``: the working fraction of each calendar day (1 = a
  full day). The default, :func:`~sop_core.schedule.weeks.calendar_days`, counts every
  day; a plant calendar (the resources issue's) plugs in here and changes both the time
  phasing and the capacity.

Results (:class:`Schedule`)
---------------------------
``weeks``    one row per SKU and week: family, sku, week (its Monday, "YYYY-MM-DD"),
             days (of the plan's horizon in that week), demand, made, bought, stock (at
             the week's end; negative is backlog), safety_stock, shortfall (units below
             safety stock at the week's end), cover_weeks (weeks the stock lasts against
             the forecast from the week's end; inf when no demand follows), firm (inside
             the time fence). Balance: stock = previous stock + made + bought − demand.
``load``     one row per week: week, days, capacity_hours (the week's working-day share
             of each month's regular plus overtime hours; inf when overtime is
             unlimited), load_hours (Σ labour hours per unit × made), utilisation.
``months``   one row per family and month: the plan's production and subcontract, what
             the schedule makes and buys in, the plan's and the SKUs' stock at the end.
``skus``     one row per SKU: its stock data, demand, made, bought, end_stock,
             min_cover_weeks, weeks_short (weeks ending a unit or more below safety
             stock; any amount when not in whole units), max_shortfall, batch_misses
             (weeks made below min_batch because the family's quantity was smaller than
             every batch).
``notes``    plain sentences: the defaults used, SKUs not scheduled (of a family the
             plan does not have), SKUs short, batches missed.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from sop_core.base.errors import InputError, Problem
from sop_core.engine.planner import PlanResult
from sop_core.model.scenario import Scenario
from sop_core.schedule.allocate import METHODS, Allocation, Fill, Method, allocate
from sop_core.schedule.demand import SkuDemand, sku_buckets
from sop_core.schedule.plan import FamilyPlan, bucket_supply, family_plan
from sop_core.schedule.stock import (
    SkuStock,
    ending_notes,
    ending_stock,
    sku_ends,
    sku_stock,
)
from sop_core.schedule.tables import (
    load_table,
    months_table,
    sku_notes,
    sku_table,
    week_totals,
    weeks_table,
)
from sop_core.schedule.weeks import Calendar, WorkingDays, calendar_days, plan_months, week_calendar


@dataclass(frozen=True)
class Schedule:
    """A SKU × week schedule inside a family plan; see the module docstring."""

    weeks: pd.DataFrame
    load: pd.DataFrame
    months: pd.DataFrame
    skus: pd.DataFrame
    method: str
    whole_units: bool
    notes: list[str] = field(default_factory=list)

    @property
    def week_labels(self) -> list[str]:
        return list(self.load["week"])

    def table(self, family: str, value: str = "made") -> pd.DataFrame:
        """One family's ``value`` (a column of ``weeks``) as SKU rows × week columns."""
        part = self.weeks[self.weeks["family"] == family]
        out = part.pivot(index="sku", columns="week", values=value)
        return out[[w for w in self.week_labels if w in out.columns]]


def schedule(
    plan: PlanResult,
    scenario: Scenario,
    demand: pd.DataFrame,
    stock: pd.DataFrame | None = None,
    *,
    weeks: int | None = None,
    firm_weeks: int = 0,
    working_days: WorkingDays = calendar_days,
    whole_units: bool = True,
    method: Method = "runout",
    start: str | pd.Timestamp | None = None,
) -> Schedule:
    """Disaggregate ``plan`` (a solved plan of ``scenario``) into SKUs and weeks.

    Args:
        plan: an optimal plan of ``scenario``.
        scenario: the scenario planned (hours per unit, initial stock, safety stocks).
        demand: SKU demand per month, columns family, sku, period, demand
            (:func:`~sop_core.schedule.demand.sku_demand`).
        stock: optional SKU stock table
            (:func:`~sop_core.schedule.stock.validate_sku_stock`); defaults otherwise.
        weeks: keep the first ``weeks`` weeks in the results (all are computed).
        firm_weeks: weeks inside the time fence, marked ``firm``.
        working_days: working fraction of each day
            (see :func:`~sop_core.schedule.weeks.calendar_days`).
        whole_units: whole units, running-total rounding (see the module docstring).
        method: "runout" (equal run-out times) or "proportional" (forecast shares).
        start: first month when the plan's periods are not "YYYY-MM" labels.

    Raises:
        InputError: a plan that is not optimal, SKU demand that does not match the plan,
            a stock table naming a SKU in no family's demand or in another family than
            its own, or bad options; each names the field.
    """
    _check_options(plan, method, weeks, firm_weeks)
    notes: list[str] = []
    # the inputs, on the buckets' calendar
    cal = week_calendar(plan_months(scenario, start), working_days, notes, scenario.period_labels)
    fp = family_plan(plan, scenario)
    skus = sku_buckets(scenario, demand, cal, notes)
    held = sku_stock(scenario, skus.skus, skus.monthly, stock, skus.unplanned, notes)
    batch = np.ceil(held.min_batch - 1e-9) if whole_units else held.min_batch
    ends = sku_ends(scenario, skus.skus)
    held = ending_stock(held, ends)
    closed = ends.month[:, None] < cal.b_month[None, :]
    # steps 1–3, bucket by bucket
    split = _split(fp, cal, skus, held, batch, method, whole_units, closed)
    # the results, week by week
    wk = week_totals(cal, split, skus, held.safety_stock, weeks, firm_weeks)
    sku_rows = sku_table(held.table, wk, batch, whole_units)
    notes.extend(sku_notes(sku_rows))
    notes.extend(
        ending_notes(scenario.period_labels, skus.skus, ends, cal.b_month, split.end_stock)
    )
    names, labels = scenario.family_names, scenario.period_labels
    return Schedule(
        weeks=weeks_table(skus, cal, wk),
        load=load_table(cal, wk, skus.first, fp),
        months=months_table(names, labels, cal, split, skus.first, fp),
        skus=sku_rows.reset_index(drop=True),
        method=method,
        whole_units=whole_units,
        notes=notes,
    )


def _check_options(plan: PlanResult, method: str, weeks: int | None, firm_weeks: int) -> None:
    """Raises InputError: a plan that is not optimal, or a bad option."""
    if not plan.optimal:
        raise InputError(
            Problem("plan", f"is {plan.status}; only a feasible plan can be scheduled")
        )
    if method not in METHODS:
        raise InputError(Problem("method", f"must be one of {', '.join(METHODS)}, got {method!r}"))
    if weeks is not None and weeks < 1:
        raise InputError(Problem("weeks", f"must be ≥ 1, got {weeks}"))
    if firm_weeks < 0:
        raise InputError(Problem("firm_weeks", f"must be ≥ 0, got {firm_weeks}"))


def _split(
    fp: FamilyPlan,
    cal: Calendar,
    skus: SkuDemand,
    held: SkuStock,
    batch: np.ndarray,
    method: Method,
    whole_units: bool,
    closed: np.ndarray,
) -> Allocation:
    """Steps 1–3: the family plan spread over the buckets (time phasing), then each
    bucket's family quantity split over its SKUs, bucket after bucket (none to an SKU
    ``closed`` in it: phased out)."""
    supply_p, supply = bucket_supply(fp, cal, whole_units)
    fill = Fill.of_demand(skus.grid, skus.daily, cal, skus.fam, len(skus.first))
    return allocate(
        fill,
        supply_p,
        supply,
        skus.buckets,
        cal,
        held.on_hand,
        held.safety_stock,
        batch,
        method=method,
        whole_units=whole_units,
        closed=closed,
    )


__all__ = ["Schedule", "schedule"]
