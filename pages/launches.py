"""Launches and phase-outs: product development's page. Add a new family that sells like
an existing one, end a family, and see what the plan makes of them."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from pages._access import explain, guarded
from pages._common import ensure_entry_point, show_input_error, solve_whatif
from pages._portfolio import portfolio_review
from pages._workspace import (
    confirm,
    confirmation,
    current_scenario,
    flash,
    perform,
    state,
    workbench,
)
from sop_core.base.errors import InputError
from sop_core.base.fields import header, label, show_value, term
from sop_core.base.text import md_escape
from sop_core.model.scenario import period_position
from sop_core.model.whatif import WhatIf
from sop_core.process.portfolio import parse_shares
from sop_core.services import portfolio

ensure_entry_point()

#: the plan's columns shown for the launches and phase-outs
PLAN_COLUMNS = ("period", "family", "demand", "production", "subcontract", "inventory")
SIZES = {"volume": "Units in its first 12 months", "factor": "Factor on the like-family"}
SKU_SIZES = {"volume": "Units in its first 12 months", "factor": "Factor on the like-SKU"}
NONE = "(none)"
LEVELS = ("Family", "SKU")
#: where the weekly schedule shows the new SKU mix (the next step after an SKU change)
SCHEDULE = ("pages/schedule.py", "see the SKUs' weekly schedule on the Schedule page")


def done(
    change: portfolio.PortfolioChange | None,
    what: str,
    place: str | None = None,
    next_step: tuple[str, str] | None = None,
) -> None:
    """Say what a portfolio action did (after ``what``, when given) and rerun: beside its
    form (``place``, see :func:`pages._workspace.confirm`) or else at the top of the page
    (a refusal was said already)."""
    if change is None:
        return
    logged = " Its assumptions are in this month's cycle log." if change.assumption else ""
    said = md_escape(change.said.rstrip("."))
    text = f"{what}: {said}.{logged}" if what else f"{said}.{logged}"
    if place is None:
        flash("success", text)
    else:
        confirm(place, text, next_step)
    st.rerun()


def act(action, refused=None) -> portfolio.PortfolioChange | None:
    """Run a portfolio service as this person; the company's new state becomes the
    session's; a refusal goes to ``refused`` (default: said at the top of the page)."""
    result = perform(
        lambda wb, company, who: (lambda c: (c.state, c))(action(wb, company, who)), refused
    )
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
    "after it; a replacement takes its demand. Both go to the demand review. At SKU level, "
    "the same for an item inside a family."
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
        if f.sku_launches or f.sku_phase_outs:
            ours.append(f.name)
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


def sku_demand_table() -> pd.DataFrame:
    """Per SKU launch its demand per period; per SKU phase-out the demand it ends (its
    demand after its last period, which its replacement sells instead when it has one).
    Units, shown whole as the vocabulary shows units; blank where nothing ends."""
    rows = []
    for f in scenario.families:
        for ln in f.sku_launches:
            shown = [show_value("sku_launch.demand", v) for v in ln.demand]
            rows.append([ln.sku, f.name, header("sku_launch.demand"), *shown])
        for po in f.sku_phase_outs:
            last = period_position(periods, po.end_period)
            shown = [show_value("sku_phase_out.demand", v) if t > last else ""
                     for t, v in enumerate(po.demand)]  # fmt: skip
            rows.append([po.sku, f.name, header("sku_phase_out.demand"), *shown])
    head = [label("sku_phase_out.sku"), header("portfolio.family"), header("portfolio.kind")]
    return pd.DataFrame(rows, columns=[*head, *periods])


def take_back(family: str, sku: str, launch: bool) -> None:
    """Take an SKU launch (``launch``) or phase-out back (refused: said beside the list)."""
    service = portfolio.remove_sku_launch if launch else portfolio.clear_sku_phase_out
    change = act(
        lambda wb, company, who: service(wb, company, family, sku, author=who),
        refused=lambda exc: show_input_error(exc, "Not taken back"),
    )
    done(change, "", "sku_back")


def sku_entered() -> None:
    """The SKU launches and phase-outs: their demand by period, a take-back for each."""
    st.subheader("SKU launches and phase-outs")
    confirmation("sku_back")
    items = [(f.name, ln.sku, True, f"launch from {ln.start}")
             for f in scenario.families for ln in f.sku_launches]  # fmt: skip
    items += [(f.name, po.sku, False, f"phase-out until {po.end_period}")
              for f in scenario.families for po in f.sku_phase_outs]  # fmt: skip
    if not items:
        st.caption("No SKU launch or phase-out yet.")
        return
    st.caption(
        "What each SKU launch sells per period (as its like-SKU sold when it was entered, "
        "scaled and ramped up), and what each SKU phase-out ends after its last period "
        "(its replacement sells it instead, when it has one)."
    )
    st.dataframe(sku_demand_table(), hide_index=True, placeholder="")
    for family, sku, launch, what in items:
        r1, r2 = st.columns([3, 1], vertical_alignment="center")
        r1.markdown(f"**{md_escape(sku)}** ({md_escape(family)}): SKU {what}")
        kind = "launch" if launch else "phase-out"
        if r2.button(f"Take back the {kind} of {sku}", icon=":material/undo:",
                     key=f"sku_back_{kind}_{family}_{sku}",
                     **guarded("portfolio")):  # fmt: skip
            take_back(family, sku, launch)


def launch_inputs(name: tuple[str, str, str | None], likes: list[str], what: str) -> dict:
    """The widgets of a launch's assumptions, inside a form: the new ``name`` (label, key,
    help), when it starts, which of ``likes`` it sells like, its size, its ramp-up and what
    it takes from another. ``what``: "family" (widget keys ``launch_…``, the vocabulary's
    ``launch.*``) or "sku" (``sku_…``, ``sku_launch.*``). Returns what was typed."""
    keys = "launch" if what == "family" else "sku_launch"
    prefix = "launch" if what == "family" else "sku"
    sizes = SIZES if what == "family" else SKU_SIZES
    like_word = "like-family" if what == "family" else "like-SKU"
    c1, c2, c3 = st.columns(3)
    typed: dict = {"sizes": sizes}
    typed["name"] = c1.text_input(name[0], key=name[1], help=name[2])
    typed["start"] = c2.selectbox(label("launch.start"), periods, key=f"{prefix}_start",
                                  help=term("launch.start").help)  # fmt: skip
    typed["like"] = c3.selectbox(label(f"{keys}.like"), likes, key=f"{prefix}_like",
                                 help=term(f"{keys}.like").help)  # fmt: skip
    c4, c5, c6 = st.columns(3)
    typed["size"] = c4.radio("Sized by", list(sizes), format_func=sizes.get,
                             key=f"{prefix}_size", horizontal=True)  # fmt: skip
    typed["amount"] = c5.number_input("Units or factor", min_value=0.0, value=0.0, step=1.0,
                                      format="%g", key=f"{prefix}_amount",
                                      help=f"{term('launch.volume').help}; or a factor: "
                                      f"1 sells as much as the {like_word}")  # fmt: skip
    typed["ramp"] = c6.number_input(label("launch.ramp_months"), min_value=1, max_value=36,
                                    value=1, step=1, key=f"{prefix}_ramp",
                                    help=term("launch.ramp_months").help)  # fmt: skip
    typed["shares"] = st.text_input(
        f"or {label('launch.ramp_shares').lower()} of its first months",
        key=f"{prefix}_shares",
        placeholder="e.g. 20%, 50%, 80% (then full); blank: the ramp-up above",
    )
    c7, c8 = st.columns(2)
    typed["takes"] = c7.selectbox(label(f"{keys}.cannibalise"), [NONE, *likes],
                                  key=f"{prefix}_takes",
                                  help=term(f"{keys}.cannibalise").help)  # fmt: skip
    typed["share"] = c8.number_input(f"{label('launch.cannibalise_share')} (%)",
                                     min_value=0.0, max_value=100.0, value=0.0, step=5.0,
                                     format="%g", key=f"{prefix}_share",
                                     help=term("launch.cannibalise_share").help)  # fmt: skip
    return typed


def launch_terms(typed: dict) -> dict | None:
    """What :func:`launch_inputs` read, as a launch service's keyword arguments; None
    (said on the page) when the ramp-up shares do not read or the size is 0."""
    try:
        shares = parse_shares(typed["shares"], label("launch.ramp_shares"))
    except InputError as exc:
        show_input_error(exc, "Nothing added")
        return None
    size, amount = typed["size"], typed["amount"]
    if not amount:
        st.warning(
            f"Nothing added: type the {typed['sizes'][size].lower()} first (0 sells nothing)."
        )
        return None
    return {
        "start": typed["start"],
        "like": typed["like"],
        "volume": amount if size == "volume" else None,
        "factor": amount if size == "factor" else None,
        "ramp_months": int(typed["ramp"]),
        "ramp_shares": shares or None,
        "cannibalise": None if typed["takes"] == NONE else typed["takes"],
        "cannibalise_share": typed["share"] / 100,
    }


def sku_launch_form(family: str, skus: list[str]) -> None:
    """The form for a new SKU of ``family`` that sells like one of its ``skus``."""
    st.subheader("Launch an SKU")
    code = (label("sku_launch.sku"), "sku_code", term("sku_launch.sku").help)
    with st.form("sku_launch_form", border=False):
        typed = launch_inputs(code, skus, "sku")
        add = st.form_submit_button("Add the SKU launch", type="primary", icon=":material/add:",
                                    **guarded("portfolio"))  # fmt: skip
    explain("portfolio")
    terms = launch_terms(typed) if add else None
    if terms is not None:
        change = act(
            lambda wb, company, who: portfolio.add_sku_launch(
                wb, company, family, typed["name"], **terms, author=who
            ),
            refused=lambda exc: show_input_error(exc, "Nothing added"),
        )
        done(change, "Added the SKU launch", "sku_launch", SCHEDULE)
    confirmation("sku_launch")


def sku_phase_out_form(family: str, skus: list[str]) -> None:
    """The form that ends one of ``family``'s ``skus``."""
    st.subheader("Phase an SKU out")
    with st.form("sku_phase_out_form", border=False):
        p1, p2, p3, p4 = st.columns(4)
        sku = p1.selectbox(label("sku_phase_out.sku"), skus, key="sku_end_sku",
                           help=term("sku_phase_out.sku").help)  # fmt: skip
        end = p2.selectbox(label("phase_out.end_period"), periods, index=len(periods) - 1,
                           key="sku_end", help=term("phase_out.end_period").help)  # fmt: skip
        ltb = p3.number_input(f"{label('phase_out.last_time_buy')} (units)", min_value=0.0,
                              value=0.0, step=10.0, format="%g", key="sku_ltb",
                              help=term("phase_out.last_time_buy").help)  # fmt: skip
        instead = p4.selectbox(label("sku_phase_out.replacement"), [NONE, *skus],
                               key="sku_replacement",
                               help=term("sku_phase_out.replacement").help)  # fmt: skip
        set_it = st.form_submit_button("Set the SKU phase-out", type="primary",
                                       icon=":material/event_busy:",
                                       **guarded("portfolio"))  # fmt: skip
    if set_it:
        change = act(
            lambda wb, company, who: portfolio.set_sku_phase_out(
                wb, company, family, sku, end_period=end, last_time_buy=ltb,
                replacement=None if instead == NONE else instead, author=who,
            ),
            refused=lambda exc: show_input_error(exc, "Nothing set"),
        )  # fmt: skip
        done(change, "SKU phase-out set", "sku_phase_out", SCHEDULE)
    confirmation("sku_phase_out")


def sku_level() -> None:
    """The SKU level: launch an SKU inside a family or phase one out (the family's SKUs
    are those of its sales history), and take either back."""
    st.caption(
        "An SKU launch is a new item inside a family that sells like one of its SKUs: that "
        "SKU's demand (as the weekly schedule splits the family's plan) scaled and ramped up "
        "from its first month; it may take part of a sibling SKU's demand. An SKU phase-out "
        "ends an SKU: the plan makes its last-time buy by its last period and nothing of it "
        "after; a replacement SKU takes its demand, else the family's demand loses it."
    )
    try:
        rows = portfolio.sku_demand_now(workbench(), ws.name)
    except InputError as exc:  # no history by SKU: say what to upload, and where
        st.info("\n\n".join(md_escape(p.message) for p in exc.problems), icon=":material/info:")
        st.page_link("pages/demand.py", label="Upload a sales history on the Demand page",
                     icon=":material/upload_file:")  # fmt: skip
    else:
        skus = {f: sorted(rows.loc[rows["family"] == f, "sku"].astype(str).unique())
                for f in families}  # fmt: skip
        skus = {f: s for f, s in skus.items() if s}
        if not skus:
            st.info("No family of the plan has SKUs in the sales history.")
        else:
            family = st.selectbox(label("family"), list(skus), key="sku_family",
                                  help="The family of the SKU; its SKUs are those its sales "
                                  "history names")  # fmt: skip
            sku_launch_form(family, skus[family])
            sku_phase_out_form(family, skus[family])
    sku_entered()


level = st.segmented_control(
    "Level",
    LEVELS,
    default="Family",
    key="portfolio_level",
    help="A family: a new product line, or the end of one. An SKU: a new item inside a "
    "family, or the end of one.",
)
if level == "SKU":
    sku_level()
    st.stop()  # what follows is the family level

st.subheader("Add a launch")
with st.form("portfolio_launch", border=False):
    typed = launch_inputs(("New family", "launch_name", None), families, "family")
    add = st.form_submit_button("Add the launch", type="primary", icon=":material/add:",
                                **guarded("portfolio"))  # fmt: skip
explain("portfolio")
terms = launch_terms(typed) if add else None
if terms is not None:
    done(
        act(
            lambda wb, company, who: portfolio.add_launch(
                wb, company, typed["name"], **terms, author=who
            ),
            refused=lambda exc: show_input_error(exc, "Nothing added"),
        ),
        "Added the launch",
    )

launches = [f.name for f in scenario.families if f.launch is not None]
if launches:
    r1, r2 = st.columns([2, 1], vertical_alignment="bottom")
    gone = r1.selectbox("Launch", launches, key="launch_remove_name")
    if r2.button("Remove the launch", icon=":material/delete:", key="launch_remove",
                 **guarded("portfolio")):  # fmt: skip
        done(
            act(
                lambda wb, company, who: portfolio.remove_launch(wb, company, gone, author=who),
                refused=lambda exc: show_input_error(exc, "Not removed"),
            ),
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
        ),
        refused=lambda exc: show_input_error(exc, "Nothing set"),
    )  # fmt: skip
    done(change, "Phase-out set")
ended = [f.name for f in scenario.families if f.phase_out is not None]
if ended:
    q1, q2 = st.columns([2, 1], vertical_alignment="bottom")
    back = q1.selectbox("Phased-out family", ended, key="phase_clear_name")
    if q2.button("Take the phase-out back", icon=":material/undo:", key="phase_clear",
                 **guarded("portfolio")):  # fmt: skip
        done(
            act(
                lambda wb, company, who: portfolio.clear_phase_out(wb, company, back, author=who),
                refused=lambda exc: show_input_error(exc, "Not taken back"),
            ),
            "Phase-out taken back",
        )
