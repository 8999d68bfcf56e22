"""Supply-review parts of the pages: rough-cut capacity per resource and the working-day
calendar (Capacity), the planning time fence and its shading of the balance chart (Plan).
Presentation only: every number comes from ``sop_core``."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from pages._access import guarded
from pages._common import balance_spec
from pages._workspace import approved_plan, flash, perform
from sop_core.base.fields import MISSING, header, label, show_value
from sop_core.base.text import md_escape, plural
from sop_core.engine.lp import FixedPlan
from sop_core.engine.planner import PlanResult
from sop_core.model.scenario import Scenario
from sop_core.reports.charts import (
    balance_frame,
    balance_title,
    rough_cut_chart,
    time_fence_spec,
)
from sop_core.services import capacity, plans


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


def resource_editor(s: Scenario) -> None:
    """Add, change or remove a rough-cut resource (a line, a machine, a key supplier): its
    hours, overtime and overtime cost, and each family's hours per unit on it; saved as
    one undoable action (:func:`sop_core.services.capacity.set_resource`)."""
    new = "New resource…"
    with st.expander("Edit resources", icon=":material/precision_manufacturing:"):
        names = [r.name for r in s.resources]
        pick = st.selectbox("Resource", [*names, new], key="res_pick")
        res = next((r for r in s.resources if r.name == pick), None)
        with st.form(f"res_form_{pick}", border=False):
            name = st.text_input("Resource name", value="" if res is None else res.name)
            hours = res.hours_series(s.horizon) if res is not None else [0.0]
            c1, c2, c3 = st.columns(3)
            avail = c1.number_input(
                "Hours available per period", 0.0, value=float(hours[0]), step=10.0
            )
            ot = res.overtime_hours_max if res is not None else 0.0
            overtime = c2.number_input(
                "Overtime hours per period",
                0.0,
                value=float(ot[0] if isinstance(ot, list) else ot),
                step=10.0,
            )
            cost = c3.number_input(
                "Overtime $ / h",
                0.0,
                value=float(res.overtime_cost_per_hour if res is not None else 0.0),
                step=1.0,
            )
            st.caption("Hours per unit of each family on it (0: not on it)")
            loads = {
                f.name: st.number_input(
                    f.name,
                    0.0,
                    value=float((f.resource_hours or {}).get(pick, 0.0)),
                    step=0.1,
                    key=f"res_load_{pick}_{f.name}",
                )
                for f in s.families
            }
            save = st.form_submit_button("Save the resource", type="primary", **guarded("settings"))
        if save:
            saved = perform(
                lambda wb, company, who: capacity.set_resource(
                    wb,
                    company,
                    name,
                    hours=avail,
                    overtime=overtime,
                    overtime_cost=cost,
                    loads=loads,
                    author=who,
                )
            )
            if saved is not None:
                flash("success", f"Saved resource {md_escape(name)}; undo takes it back.")
            st.rerun()
        if res is not None and st.button(
            f"Remove {pick}", key=f"res_remove_{pick}", **guarded("settings")
        ):
            perform(
                lambda wb, company, who: capacity.remove_resource(wb, company, pick, author=who)
            )
            st.rerun()


def resources_section(s: Scenario, result: PlanResult) -> None:
    """Rough-cut capacity: per resource, the plan's load by family against the hours."""
    st.subheader("Rough-cut capacity per resource")
    resource_editor(s)
    if not s.resources:
        st.caption(
            "No resources besides the workforce yet. Add a line, a machine or a critical "
            "supplier (Edit resources) to check its load here."
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


def calendar_editor(s: Scenario) -> None:
    """The working-day calendar's country, region and shutdown days per month, saved as
    one undoable action (:func:`sop_core.services.capacity.set_calendar`)."""
    cal = s.calendar
    with st.expander("Edit the calendar", icon=":material/calendar_month:"):
        with st.form("cal_form", border=False):
            c1, c2 = st.columns(2)
            country = c1.text_input(
                "Country (ISO code, for its public holidays)",
                value=(cal.country or "") if cal else "",
                placeholder="DE, FR, US, GB…",
            )
            region = c2.text_input(
                "State or province (optional)", value=(cal.subdivision or "") if cal else ""
            )
            months = [p for p in s.period_labels if len(p) == 7 and p[4] == "-"]
            days = {p.period: p.shutdown_days for p in s.period_days()} if cal else {}
            shut = st.data_editor(
                pd.DataFrame(
                    {
                        "Month": pd.Series(months, dtype=object),
                        "Shutdown days": pd.Series([days.get(m, 0) for m in months], dtype=int),
                    }
                ),
                hide_index=True,
                disabled=["Month"],
                column_config={
                    "Shutdown days": st.column_config.NumberColumn(min_value=0, step=1, format="%d")
                },
                key="cal_shutdowns",
            )
            save = st.form_submit_button("Save the calendar", type="primary", **guarded("settings"))
        if save:
            saved = perform(
                lambda wb, company, who: capacity.set_calendar(
                    wb,
                    company,
                    country=country.strip(),
                    subdivision=region.strip(),
                    shutdowns={
                        m: int(d) for m, d in zip(shut["Month"], shut["Shutdown days"], strict=True)
                    },
                    author=who,
                )
            )
            if saved is not None:
                flash("success", "Saved the calendar; undo takes it back.")
            st.rerun()
        if cal is not None and st.button("No calendar", key="cal_clear", **guarded("settings")):
            perform(lambda wb, company, who: capacity.clear_calendar(wb, company, author=who))
            st.rerun()


def calendar_section(s: Scenario) -> None:
    """The working-day calendar behind the period's regular and resource hours."""
    st.subheader("Working-day calendar")
    calendar_editor(s)
    if s.calendar is None:
        st.caption(
            "Every period has the same hours. Set a country for its public holidays and the "
            "plant's shutdown days (Edit the calendar) to scale regular and resource hours "
            "by the working days of each period."
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
