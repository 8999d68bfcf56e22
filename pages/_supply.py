"""Supply-review parts of the pages: rough-cut capacity per resource and the working-day
calendar (Capacity), the planning time fence and its shading of the balance chart (Plan).
Presentation only: every number comes from ``sop_core``."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from pages._common import balance_spec
from pages._workspace import approved_plan
from sop_core.base.fields import MISSING, header, label, show_value
from sop_core.base.text import plural
from sop_core.engine.lp import FixedPlan
from sop_core.engine.planner import PlanResult
from sop_core.model.scenario import Scenario
from sop_core.reports.charts import (
    balance_frame,
    balance_title,
    rough_cut_chart,
    time_fence_spec,
)
from sop_core.services import plans


def utilisation_table(result: PlanResult, resource: str) -> pd.DataFrame:
    """One column per period: load, hours available, overtime used, utilisation and what
    one more hour would save ($0 where the resource has hours to spare), each shown as
    its kind (hours whole, utilisation to 0.1 %, dollars to the cent)."""
    res = result.resources
    res = res[res["resource"] == resource]
    res = res.assign(hour_value=res["hour_value"].mask(res["hour_value"].abs() < 0.005, 0.0))
    rows = {  # the label says "hours" where the header would add it again
        "load": header("load"),
        "hours_available": label("hours_available"),
        "overtime_hours": header("overtime_hours"),
        "utilisation": label("utilisation"),
        "hour_value": label("hour_value"),
    }
    return pd.DataFrame(
        {name: [show_value(k, x) for x in res[k]] for k, name in rows.items()},
        index=res["period"],
    ).T


def resources_section(s: Scenario, result: PlanResult) -> None:
    """Rough-cut capacity: per resource, the plan's load by family against the hours."""
    st.subheader("Rough-cut capacity per resource")
    if not s.resources:
        st.caption(
            "This scenario has no resources besides the workforce. Add lines, machines or a "
            "critical supplier under `resources` in the scenario file, with each family's "
            "`resource_hours`, to check their load here."
        )
        return
    if not result.optimal:
        st.caption("No feasible plan: the load cannot be shown.")
        return
    st.caption(
        "Bars: hours the current plan loads on the resource, by family. Lines: hours "
        "available (scaled by the working days), and with the overtime allowed."
    )
    for k, res in enumerate(s.resources):
        st.markdown(f"**{res.name}**")
        st.altair_chart(rough_cut_chart(result, res.name, s.period_labels), key=f"rcc_{k}")
        st.dataframe(utilisation_table(result, res.name))


def calendar_frame(s: Scenario) -> pd.DataFrame:
    """One column per period: weekdays, public holidays, shutdown days, working days and
    the share of a standard period's hours they give."""
    days = s.period_days()
    factors = s.working_day_factors()
    return pd.DataFrame(
        {
            "Weekdays": [str(p.weekdays) if p.weekdays else MISSING for p in days],
            "Public holidays": [
                ", ".join(h.split(" ", 1)[1] for h in p.holidays) or MISSING for p in days
            ],
            "Shutdown days": [str(p.shutdown_days) if p.shutdown_days else MISSING for p in days],
            "Working days": [f"{p.working_days:g}" for p in days],
            "Hours vs a standard period": [f"{k:.0%}" for k in factors],
        },
        index=[p.period for p in days],
    ).T


def calendar_section(s: Scenario) -> None:
    """The working-day calendar behind the period's regular and resource hours."""
    st.subheader("Working-day calendar")
    if s.calendar is None:
        st.caption(
            "Every period has the same hours. Add a `calendar` to the scenario file (a "
            "country for its public holidays, plant shutdown dates) to scale regular and "
            "resource hours by the working days of each period."
        )
        return
    where = f"public holidays of {s.calendar.country}" if s.calendar.country else "no holidays"
    st.caption(
        f"Weekdays less {where} and the plant's shutdown days; regular labour hours and "
        "resource hours given as one number scale with the working days."
    )
    st.dataframe(calendar_frame(s))


# --------------------------------------------------------------------------- time fence


def time_fence(s: Scenario) -> FixedPlan | None:
    """What the company's time fence holds for ``s`` (:func:`sop_core.services.plans.time_fence`
    with this company's approved plan)."""
    return plans.time_fence(s, approved_plan())


def fence_note(s: Scenario, fixed: FixedPlan | None) -> str | None:
    """One line saying what the fence holds, or why it holds nothing."""
    k = min(s.policy.frozen_periods, s.horizon)
    if not k:
        return None
    labels = s.period_labels
    span = labels[0] if k == 1 else f"{labels[0]} – {labels[k - 1]}"
    if fixed is None:
        return (
            f"Time fence of {plural(k, 'period')} ({span}): no approved plan yet, "
            "nothing is frozen."
        )
    return (
        f"Time fence: production and subcontracting in {span} are frozen as in the last "
        "approved plan (shaded); the levers move the periods after it."
    )


def fenced_balance_chart(
    result: PlanResult,
    periods: list[str],
    frozen: int,
    *,
    family: str | None = None,
    key: str | None = None,
) -> None:
    """The Plan page's balance chart with the frozen periods shaded."""
    spec = balance_spec(tuple(periods), balance_title(family), False, 380)
    spec = time_fence_spec(spec, periods, frozen)
    st.vega_lite_chart(balance_frame(result, family), spec, key=key)
