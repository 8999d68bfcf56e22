"""Launches and phase-outs: product development's page. Add a new family that sells like
an existing one, end a family, and see what the plan makes of them."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from pages._access import explain, guarded
from pages._common import ensure_entry_point, show_input_error, solve_whatif
from pages._portfolio import portfolio_review
from pages._workspace import current_scenario, flash, perform, state, workbench
from sop_core.base.errors import InputError
from sop_core.base.fields import header, label, term
from sop_core.base.text import md_escape
from sop_core.model.whatif import WhatIf
from sop_core.process.portfolio import parse_shares
from sop_core.services import portfolio

ensure_entry_point()

#: the plan's columns shown for the launches and phase-outs
PLAN_COLUMNS = ("period", "family", "demand", "production", "subcontract", "inventory")
SIZES = {"volume": "Units in its first 12 months", "factor": "Factor on the like-family"}
NONE = "(none)"


def done(change: portfolio.PortfolioChange | None, what: str) -> None:
    """Flash what a portfolio action did and rerun (a refusal was flashed already)."""
    if change is None:
        return
    logged = " Its assumptions are in this month's cycle log." if change.assumption else ""
    flash("success", f"{what}: {md_escape(change.said)}.{logged}")
    st.rerun()


def act(action) -> portfolio.PortfolioChange | None:
    """Run a portfolio service as this person; the company's new state becomes the
    session's."""
    result = perform(lambda wb, company, who: (lambda c: (c.state, c))(action(wb, company, who)))
    return None if result is None else result[1]


def plan_of_portfolio(families: list[str]) -> pd.DataFrame:
    """The plan as it stands for ``families``: demand (after launches and phase-outs),
    production, subcontracting and stock per period."""
    result = solve_whatif(current_scenario(), WhatIf())
    if not result.optimal:
        return pd.DataFrame()
    fam = result.families
    rows = fam[fam["family"].isin(families)][list(PLAN_COLUMNS)]
    return rows.rename(columns={k: header(k) for k in PLAN_COLUMNS})


st.title("Launches and phase-outs")
st.caption(
    "A launch is a new family that sells like one you have: its demand is that family's "
    "plan demand (its forecast) scaled and ramped up from its first month, and it may take "
    "part of another family's demand. A phase-out ends a family: it sells until its last "
    "period, the plan runs its stock down to the last-time-buy quantity and makes nothing "
    "after it; a replacement takes its demand. Both go to the demand review."
)
ws = state()
scenario = current_scenario()
families, periods = scenario.family_names, scenario.period_labels

has_any = portfolio_review(ws.name, link=False, empty="No launch or phase-out yet.")
if has_any:
    ours = []  # the launches and phase-outs, and the families they take from or give to
    for f in scenario.families:
        if f.launch is not None:
            ours += [f.name, *([f.launch.cannibalise] if f.launch.cannibalise else [])]
        if f.phase_out is not None:
            ours += [f.name, *([f.phase_out.replacement] if f.phase_out.replacement else [])]
    planned = plan_of_portfolio(list(dict.fromkeys(ours)))
    st.subheader("In the plan")
    if planned.empty:
        st.caption("No plan fits as it stands: see the Plan page.")
    else:
        st.dataframe(
            planned,
            hide_index=True,
            placeholder="",
            column_config={  # whole units, as the vocabulary shows units
                header(k): st.column_config.NumberColumn(
                    header(k), help=term(k).help or None, format="%,.0f"
                )
                for k in PLAN_COLUMNS
                if term(k).kind == "units"
            },
        )

if has_any:
    effects = portfolio.portfolio_effects(workbench(), ws.name)
    if not effects.empty:
        st.subheader("The demand they change")
        st.caption(
            "Where a launch takes demand from a family, or a phase-out ends one (and its "
            "replacement takes it): the consensus against the demand the plan meets."
        )
        cols = {"family": "family", "period": "period", "consensus": "portfolio.consensus",
                "planned": "portfolio.planned", "change": "portfolio.change"}  # fmt: skip
        st.dataframe(
            effects.rename(columns={c: header(k) for c, k in cols.items()}),
            hide_index=True,
            placeholder="",
            column_config={
                header(k): st.column_config.NumberColumn(
                    header(k), help=term(k).help or None, format="%,.0f"
                )
                for k in list(cols.values())[2:]
            },
        )

st.subheader("Add a launch")
with st.form("portfolio_launch", border=False):
    c1, c2, c3 = st.columns(3)
    name = c1.text_input("New family", key="launch_name")
    start = c2.selectbox(label("launch.start"), periods, key="launch_start",
                         help=term("launch.start").help)  # fmt: skip
    like = c3.selectbox(label("launch.like"), families, key="launch_like",
                        help=term("launch.like").help)  # fmt: skip
    c4, c5, c6 = st.columns(3)
    size = c4.radio("Sized by", list(SIZES), format_func=SIZES.get, key="launch_size",
                    horizontal=True)  # fmt: skip
    amount = c5.number_input("Units or factor", min_value=0.0, value=0.0, step=1.0,
                             format="%g", key="launch_amount",
                             help=f"{term('launch.volume').help}; or a factor: "
                             "1 sells as much as the like-family")  # fmt: skip
    ramp = c6.number_input(label("launch.ramp_months"), min_value=1, max_value=36, value=1,
                           step=1, key="launch_ramp",
                           help=term("launch.ramp_months").help)  # fmt: skip
    shares_text = st.text_input(
        f"or {label('launch.ramp_shares').lower()} of its first months",
        key="launch_shares",
        placeholder="e.g. 20%, 50%, 80% (then full); blank: the ramp-up above",
    )
    c7, c8 = st.columns(2)
    takes = c7.selectbox(label("launch.cannibalise"), [NONE, *families], key="launch_takes",
                         help=term("launch.cannibalise").help)  # fmt: skip
    share = c8.number_input(f"{label('launch.cannibalise_share')} (%)", min_value=0.0,
                            max_value=100.0, value=0.0, step=5.0, format="%g",
                            key="launch_share",
                            help=term("launch.cannibalise_share").help)  # fmt: skip
    add = st.form_submit_button("Add the launch", type="primary", icon=":material/add:",
                                **guarded("portfolio"))  # fmt: skip
explain("portfolio")


def add_launch(shares: list[float]) -> None:
    """Add the launch the form describes (refused: said at the top of the page)."""
    change = act(
        lambda wb, company, who: portfolio.add_launch(
            wb, company, name, start=start, like=like,
            volume=amount if size == "volume" else None,
            factor=amount if size == "factor" else None,
            ramp_months=int(ramp), ramp_shares=shares or None,
            cannibalise=None if takes == NONE else takes,
            cannibalise_share=share / 100, author=who,
        )
    )  # fmt: skip
    done(change, "Added the launch")


if add:
    try:
        typed = parse_shares(shares_text, label("launch.ramp_shares"))
    except InputError as exc:
        show_input_error(exc, "Nothing added")
    else:
        if not amount:
            st.warning(f"Nothing added: type the {SIZES[size].lower()} first (0 sells nothing).")
        else:
            add_launch(typed)

launches = [f.name for f in scenario.families if f.launch is not None]
if launches:
    r1, r2 = st.columns([2, 1], vertical_alignment="bottom")
    gone = r1.selectbox("Launch", launches, key="launch_remove_name")
    if r2.button("Remove the launch", icon=":material/delete:", key="launch_remove",
                 **guarded("portfolio")):  # fmt: skip
        done(
            act(lambda wb, company, who: portfolio.remove_launch(wb, company, gone, author=who)),
            "Removed",
        )

st.subheader("Phase a family out")
with st.form("portfolio_phase_out", border=False):
    p1, p2, p3, p4 = st.columns(4)
    ending = p1.selectbox("Family", families, key="phase_family")
    end = p2.selectbox(label("phase_out.end_period"), periods, index=len(periods) - 1,
                       key="phase_end", help=term("phase_out.end_period").help)  # fmt: skip
    ltb = p3.number_input(f"{label('phase_out.last_time_buy')} (units)", min_value=0.0,
                          value=0.0, step=10.0, format="%g", key="phase_ltb",
                          help=term("phase_out.last_time_buy").help)  # fmt: skip
    instead = p4.selectbox(label("phase_out.replacement"), [NONE, *families],
                           key="phase_replacement",
                           help=term("phase_out.replacement").help)  # fmt: skip
    set_it = st.form_submit_button("Set the phase-out", type="primary",
                                   icon=":material/event_busy:",
                                   **guarded("portfolio"))  # fmt: skip
if set_it:
    change = act(
        lambda wb, company, who: portfolio.set_phase_out(
            wb, company, ending, end_period=end, last_time_buy=ltb,
            replacement=None if instead == NONE else instead, author=who,
        )
    )  # fmt: skip
    done(change, "Phase-out set")
ended = [f.name for f in scenario.families if f.phase_out is not None]
if ended:
    q1, q2 = st.columns([2, 1], vertical_alignment="bottom")
    back = q1.selectbox("Phased-out family", ended, key="phase_clear_name")
    if q2.button("Take the phase-out back", icon=":material/undo:", key="phase_clear",
                 **guarded("portfolio")):  # fmt: skip
        done(
            act(lambda wb, company, who: portfolio.clear_phase_out(wb, company, back, author=who)),
            "Phase-out taken back",
        )
