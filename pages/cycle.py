"""Cycle (the home page): where this month's S&OP cycle stands and what waits for whom.

The five steps in order, their status, who signed off when, comments; the person's own
pending steps first, with sign-off buttons (disabled with the reason when the person
lacks the role or the step above is not signed off); the assumptions and decisions log.
The rules and what a sign-off freezes are in :mod:`sop_core.process.cycle` and
:mod:`sop_core.services.cycles`; this page reads widgets, calls them and draws.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pandas as pd
import streamlit as st

from pages._access import current_actor, explain, guarded, why_not
from pages._common import ensure_entry_point, show_input_error, solve_whatif
from pages._forecast import frozen_statistical
from pages._fva import fva_section
from pages._monthly import monthly_table_section
from pages._pack import meeting_pack_section
from pages._portfolio import portfolio_review
from pages._stored import solved_version
from pages._workspace import (
    STEP_PAGES,
    company_history,
    confirm,
    confirmation,
    current_scenario,
    flash,
    state,
    workbench,
)
from sop_core.base.errors import InputError, StoreUnavailable
from sop_core.base.text import md_escape
from sop_core.engine.planner import PlanResult
from sop_core.model.scenario import Scenario
from sop_core.model.whatif import WhatIf
from sop_core.process.cycle import (
    STATUS_WORDS,
    Cycle,
    Step,
    consensus_frame,
    log_frame,
    month_of,
    pending_for,
    step_def,
    steps_frame,
)
from sop_core.process.sop_sheet import balance_statement, sheet_display, sop_sheet
from sop_core.reports.charts import family_sheet_chart_spec
from sop_core.reports.meeting_pack import PLAN_COLUMNS
from sop_core.services import cycles
from sop_core.services.pack import company_pack, pack_versions, version_name
from sop_core.services.scenarios import scenarios_of

ensure_entry_point()

ws = state()
actor = current_actor()
this_month = month_of()
try:
    wb = workbench()
    months = cycles.months(wb, ws.name)
except (StoreUnavailable, InputError) as exc:
    st.error(f"The store cannot be opened: {md_escape(exc)}")
    st.stop()

st.title("Monthly S&OP cycle")
st.caption(
    f"{md_escape(ws.name)} · data gathering → demand review → supply review → "
    "pre-meeting / financial reconciliation → executive meeting. Each step is signed off "
    "by its owner, in order; a sign-off is final."
)


def attempt(
    action: Callable[[], object],
    refused: str,
    succeeded: str,
    place: str | None = None,
    next_step: tuple[str, str] | None = None,
) -> None:
    """A button's store call: on success, ``succeeded`` is said after the page reruns,
    beside the button (``place``, with the ``next_step`` as a link) or at the top; a
    refusal is shown under ``refused`` with the store's reasons."""
    try:
        action()
    except InputError as exc:
        show_input_error(exc, refused)
    else:
        if place is None:
            flash("success", succeeded)
        else:
            confirm(place, succeeded, next_step)
        st.rerun()


def after(step_key: str) -> tuple[str, str]:
    """The link to what follows the sign-off of ``step_key``: the next step's page, or
    once the executive has signed, the meeting pack below."""
    keys = [s.key for s in cycle.steps]
    at = keys.index(step_key)
    if at + 1 < len(keys):
        nxt = keys[at + 1]
        return STEP_PAGES[nxt]
    return ("pages/home.py", "where we stand, on the Home page")


# ----------------------------------------------------------------- start a cycle
if this_month not in months:
    with st.container(border=True):
        if months:
            st.info(f"The month has changed: the latest cycle is the {months[-1]} cycle.")
        else:
            st.info(f"{md_escape(ws.name)} has no S&OP cycle yet.")
        explain("cycle")
        if st.button(
            f"Start the {this_month} cycle",
            type="primary",
            icon=":material/event_repeat:",
            key="cycle_start",
            **guarded("cycle"),
        ):

            def start() -> None:
                cycles.start_cycle(wb, ws.name, this_month, author=actor)
                st.session_state["cycle_month"] = this_month  # show the new cycle

            attempt(
                start,
                "Not started",
                f"Started the {this_month} cycle; open assumptions and decisions carried.",
            )
if not months:
    st.stop()

shown_month = st.selectbox(
    "Cycle",
    list(reversed(months)),
    format_func=lambda m: f"{m} cycle",
    key="cycle_month",
)
cycle: Cycle = cycles.cycle_of(wb, ws.name, shown_month)
#: the cycles before the shown one, oldest first, read once per run (the sheet's earlier
#: plans, last month's line, forecast value added)
before: list[Cycle] = cycles.history_of(wb, ws.name, cycle.month)

# ----------------------------------------------------------------- where it stands
signed = sum(s.signed_off for s in cycle.steps)
st.progress(signed / len(cycle.steps), text=f"{signed} of {len(cycle.steps)} steps signed off")
nxt = cycle.next_step
if nxt is None:
    name, version = cycle.plan or ("?", 0)
    st.success(f"The {cycle.label} is complete: the plan is **{md_escape(name)} v{version}**.")
mine = pending_for(cycle, actor)
yours_now = nxt is not None and any(s.key == nxt.key for s in mine)
if nxt is not None and not yours_now:
    st.markdown(f"**Waiting for the {nxt.owner}:** {nxt.label.lower()}.")
later = ", ".join(s.label.lower() for s in mine if nxt is None or s.key != nxt.key)
if yours_now:
    assert nxt is not None
    st.markdown(
        f"**Waiting for you:** {nxt.label.lower()}" + (f"; yours later: {later}." if later else ".")
    )
elif later:
    st.markdown(f"**Yours, later:** {later}.")
previous = before[-1] if before else None
if previous is not None:
    plan = previous.plan
    st.caption(
        f"Last month ({previous.label}): plan "
        + (f"**{md_escape(plan[0])} v{plan[1]}**" if plan else "not approved")
        + f" · {sum(s.signed_off for s in previous.steps)} of 5 steps signed off"
    )

frame = steps_frame(cycle, actor)
st.dataframe(
    frame.assign(signed_off_at=frame["signed_off_at"].dt.strftime("%Y-%m-%d %H:%M UTC").fillna(""))[
        ["label", "owner", "status", "signed_off_by", "signed_off_at", "waiting_for", "comments"]
    ],
    hide_index=True,
    column_config={
        "label": "Step",
        "owner": "Owner",
        "status": "Status",
        "signed_off_by": "Signed off by",
        "signed_off_at": "When",
        "waiting_for": "Waiting for",
        "comments": st.column_config.NumberColumn("Comments", format="%d"),
    },
    key="cycle_steps",
)


# ----------------------------------------------------------------- each step
def scenario_options() -> dict[str, tuple[str, int]]:
    return {
        f"{s.name} v{s.latest_version}": (s.name, s.latest_version)
        for s in scenarios_of(wb, ws.name)
    }


def frozen(step: Step) -> None:
    """What the step's sign-off froze."""
    d = step_def(step.key)
    if d.freezes == "consensus" and cycle.snapshot("consensus") is not None:
        snap = cycle.snapshot("consensus")
        long = consensus_frame(snap.content).rename(
            columns={"units": "Consensus", "statistical": "Statistical"}
        )
        kinds = ["Consensus"] + (["Statistical"] if long["Statistical"].notna().any() else [])
        wide = long.melt(
            id_vars=["family", "position"], value_vars=kinds, var_name="forecast"
        ).pivot(index=["family", "forecast"], columns="position", values="value")
        wide.columns = snap.content["periods"]
        st.caption(
            "Forecasts frozen at the sign-off (units): the consensus"
            + (" and the statistical forecast before the overrides:" if len(kinds) > 1 else ":")
        )
        st.dataframe(wide, key=f"cycle_consensus_{step.key}")
    elif d.freezes == "recommended" and cycle.recommended:
        st.caption(
            "Recommended: " + ", ".join(f"**{md_escape(n)} v{v}**" for n, v in cycle.recommended)
        )
    elif d.freezes == "approved" and cycle.plan:
        st.caption(f"Approved plan: **{md_escape(cycle.plan[0])} v{cycle.plan[1]}**")


def step_panel(step: Step) -> None:
    d = step_def(step.key)
    with st.container(border=True):
        head = f"**{step.position}. {step.label}** · {step.owner} · {STATUS_WORDS[step.status]}"
        if step.signed_off and step.signed_off_at is not None:
            head += (
                f" by {md_escape(step.signed_off_by or '')} on "
                f"{step.signed_off_at:%Y-%m-%d %H:%M} UTC"
            )
        st.markdown(head)
        frozen(step)
        if step.key == "demand":
            portfolio_review(ws.name, caption="Launches and phase-outs in this review:")
        for c in step.comments:
            st.caption(f"{c.at:%d %b %H:%M} · {md_escape(c.author)}: {md_escape(c.text)}")
        if step.signed_off:
            return
        lacks = why_not(d.action)
        blocked = lacks or cycle.why_not_sign_off(step.key)
        kwargs: dict = {}
        if d.freezes == "recommended":
            options = scenario_options()
            picked = st.multiselect(
                "Recommended scenario versions",
                list(options),
                key=f"cycle_rec_{step.key}",
                disabled=bool(blocked),
                placeholder="save scenarios on the Scenarios page first"
                if not options
                else "choose one or more",
            )
            kwargs["recommended"] = [options[p] for p in picked]
        elif d.freezes == "approved":
            options = {f"{n} v{v}": (n, v) for n, v in cycle.recommended}
            pick = st.radio(
                "Scenario to approve",
                list(options) or ["(none recommended yet)"],
                key=f"cycle_approve_{step.key}",
                disabled=bool(blocked) or not options,
            )
            kwargs["approve"] = options.get(pick)
        comment = st.text_input(
            "Comment", key=f"cycle_comment_{step.key}", placeholder="optional note"
        )
        c1, c2, c3 = st.columns(3)
        if c1.button(
            f"Sign off {step.label.lower()}",
            type="primary",
            icon=":material/task_alt:",
            key=f"cycle_signoff_{step.key}",
            disabled=bool(blocked),
            help=blocked,
        ):
            if d.freezes == "consensus":  # the statistical forecast is frozen with it
                kwargs["statistical"] = frozen_statistical()
            attempt(
                lambda: cycles.sign_off(
                    wb, ws.name, cycle.month, step.key, author=actor, comment=comment, **kwargs
                ),
                "Not signed off",
                f"Signed off: {step.label.lower()}.",
                place="cycle_signoff",
                next_step=after(step.key),
            )
        if step.status == "open" and c2.button(
            "Mark in review",
            icon=":material/rate_review:",
            key=f"cycle_review_{step.key}",
            **guarded(d.action),
        ):
            attempt(
                lambda: cycles.mark_in_review(wb, ws.name, cycle.month, step.key, author=actor),
                "Not changed",
                f"{step.label} is in review.",
            )
        if c3.button(
            "Add comment",
            icon=":material/comment:",
            key=f"cycle_add_comment_{step.key}",
            **guarded("cycle_log"),
        ):
            attempt(
                lambda: cycles.comment(wb, ws.name, cycle.month, step.key, comment, author=actor),
                "Not saved",
                "Comment saved.",
            )
        if blocked:
            st.caption(f":material/lock: {blocked}")


st.subheader("Steps")
confirmation("cycle_signoff")  # where the signed step's panel was: the person's own first
own = [s for s in cycle.steps if s in mine]  # the person's own pending steps first
for step in own + [s for s in cycle.steps if s not in own]:
    step_panel(step)

# ----------------------------------------------------------------- the log
st.subheader("Assumptions and decisions")
st.caption("Open entries are carried to every later cycle until someone closes them.")
log = log_frame(cycle)
if log.empty:
    st.caption("Nothing logged yet.")
else:
    st.dataframe(
        log.drop(columns=["closed_month"]),
        hide_index=True,
        column_config={
            "id": st.column_config.NumberColumn("#", format="%d"),
            "kind": "Kind",
            "text": "What",
            "owner": "Owner / decided by",
            "family": "Family",
            "due": st.column_config.DateColumn("Due"),
            "status": "Status",
            "raised": "Raised in",
            "carried": st.column_config.CheckboxColumn("Carried"),
            "closed_by": "Closed by",
        },
        key="cycle_log_table",
        placeholder="",  # an assumption has no due date: blank, not "None"
    )
locked = why_not("cycle_log")
with st.container(border=True):
    c1, c2 = st.columns([1, 3])
    kind = c1.radio("Log", ["assumption", "decision"], key="cycle_log_kind", horizontal=True)
    what = c2.text_input(
        "The assumption" if kind == "assumption" else "What was decided", key="cycle_log_text"
    )
    c3, c4, c5 = st.columns(3)
    owner = c3.text_input(
        "Owner" if kind == "assumption" else "Decided by", value=actor.name, key="cycle_log_owner"
    )
    family = c4.selectbox("Family", ["(all)", *ws.family_names], key="cycle_log_family")
    due: date | None = None
    if kind == "decision":
        due = c5.date_input("Due", value=None, key="cycle_log_due")
    if st.button(
        f"Add {kind}",
        icon=":material/add:",
        key="cycle_log_add",
        **guarded("cycle_log"),
    ):
        args = {"owner": owner, "family": None if family == "(all)" else family}
        if kind == "assumption":
            attempt(
                lambda: cycles.add_assumption(wb, ws.name, cycle.month, what, author=actor, **args),
                "Not logged",
                "Logged the assumption.",
            )
        else:
            attempt(
                lambda: cycles.add_decision(
                    wb, ws.name, cycle.month, what, due=due, author=actor, **args
                ),
                "Not logged",
                "Logged the decision.",
            )
    open_ids = log.loc[log["status"] == "open", ["id", "kind", "text"]]
    if not open_ids.empty:
        labels = {
            f"#{r.id} {r.kind}: {r.text[:60]}": int(r.id) for r in open_ids.itertuples(index=False)
        }
        c6, c7 = st.columns([3, 1])
        pick = c6.selectbox("Close an open entry", list(labels), key="cycle_log_close_pick")
        if c7.button(
            "Close it",
            icon=":material/check:",
            key="cycle_log_close",
            **guarded("cycle_log"),
        ):
            attempt(
                lambda: cycles.close_entry(wb, ws.name, cycle.month, labels[pick], author=actor),
                "Not closed",
                "Closed.",
            )
    if locked:
        st.caption(f":material/lock: {locked}")


# ----------------------------------------------------------------- the meeting pack
def pack_plan() -> tuple[str, Scenario, PlanResult]:
    """The plan the month's pack presents (:func:`sop_core.services.pack.pack_versions`:
    the cycle's approved version, else the first recommended, else the company's plan as
    it stands), solved once per process: the family sheet below shows it."""
    for version in pack_versions(cycle):
        try:
            scenario, result = solved_version(*version)  # each solved once per process
        except InputError:  # deleted since: the pack goes without it
            continue
        return version_name(cycle, version), scenario, result
    s = current_scenario()
    return f"{s.name} (as planned)", s, solve_whatif(s, WhatIf())


plan_name, pack_scenario, pack_result = pack_plan()


# ----------------------------------------------------------------- the family S&OP sheet
def past_plans() -> pd.DataFrame | None:
    """The plans earlier cycles approved, one row per family and month, with the cycle's
    month in a ``plan`` column (:func:`sop_core.process.sop_sheet.sop_sheet`)."""
    frames = []
    for earlier in before:
        if earlier.plan is None:
            continue
        name, version = earlier.plan
        try:
            _, result = solved_version(name, version)  # solved once per process
        except InputError:
            continue  # deleted since: that month's plan is gone from the sheet
        if result.optimal:
            frames.append(result.families[list(PLAN_COLUMNS)].assign(plan=earlier.month))
    return pd.concat(frames, ignore_index=True) if frames else None


st.subheader("Family S&OP sheet")
history, _ = company_history()
stored_actuals = ws.actuals
actuals = None if stored_actuals.empty else stored_actuals
earlier = past_plans() if history is not None and pack_result.optimal else None
if history is None or not pack_result.optimal:
    st.caption("Upload the sales history on the Demand page to see the sheet.")
else:
    st.caption(
        f"{md_escape(plan_name)} for the horizon; the last 3 months against "
        + (
            "the plans earlier cycles approved"
            if earlier is not None
            else "actual sales (no earlier cycle approved a plan yet)"
        )
        + (
            "; production, inventory and backlog as entered below"
            if actuals is not None
            else "; enter actual production, inventory and backlog below to compare them"
        )
        + "."
    )
    try:
        sheet = sop_sheet(
            history,
            pack_result.families[list(PLAN_COLUMNS)],
            past_plans=earlier,
            actuals=actuals,
        )
    except InputError as exc:
        show_input_error(exc, "The sheet cannot be drawn")
    else:
        family_pick = st.selectbox(
            "Family", list(dict.fromkeys(sheet["family"])), key="cycle_sheet_family"
        )
        st.vega_lite_chart(
            spec=family_sheet_chart_spec(sheet, family_pick, height=280), key="cycle_sheet_chart"
        )
        shown = sheet_display(sheet, family_pick)  # text: whole units, blank where none
        st.dataframe(
            shown,
            key="cycle_sheet",
            column_config={
                month: st.column_config.TextColumn(alignment="right") for month in shown.columns
            },
        )
        opening = pack_scenario.families[pack_scenario.family_names.index(family_pick)]
        st.caption(
            balance_statement(
                sheet,
                family_pick,
                opening_inventory=opening.initial_inventory,
                opening_backlog=opening.initial_backorder,
            )
        )
label = "Actual production, inventory and backlog" + (
    f" ({len(actuals):,} rows)" if actuals is not None else ""
)
with st.expander(label, expanded=False):
    st.caption(
        "What was made, held and owed at each month's end, per family: gathered for the "
        "data-gathering step, compared with the plans in the sheet above."
    )
    monthly_table_section("actual")

fva = fva_section([*before, cycle])

st.divider()
meeting_pack_section(  # the month's pack, as `pack build` makes it
    lambda progress: company_pack(wb, ws.name, cycle.month, progress=progress).pack,
    title=f"{cycle.label}: S&OP meeting pack",
    fingerprint=(
        plan_name,
        pack_result.total_cost,
        tuple(pack_versions(cycle)),
        len(log),
        None if fva is None else len(fva),
    ),
    key="cycle_pack",
)

st.caption(
    f"{cycle.label} started by {md_escape(cycle.created_by)} on "
    f"{cycle.created_at:%Y-%m-%d %H:%M} UTC."
)
