"""Demand: history and forecast per family with the 80 % interval, the accuracy of each
model, the consensus adjustments, and the hand-over of the adjusted forecast to the plan."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from pages._access import explain, guarded, may, why_not
from pages._common import ensure_entry_point, show_input_error
from pages._forecast import digest_of, run_forecast
from pages._portfolio import portfolio_review
from pages._workspace import (
    author,
    commit,
    company_history,
    confirm,
    confirmation,
    flash,
    perform,
    saved_editor,
    set_state,
    state,
    workbench,
)
from sop_core.base.errors import InputError
from sop_core.base.fields import header, label, term
from sop_core.base.text import md_escape
from sop_core.demand.choice import model_name
from sop_core.demand.consensus import ADJUSTMENT_COLUMNS, adjust_forecast
from sop_core.demand.forecast import MODEL_CHOICES, label_periods
from sop_core.demand.history import read_history
from sop_core.demand.launch import forecast_with_launches, launches_in
from sop_core.process.workspace import (
    WorkspaceState,
    adjustment_edits,
    suggest_mapping,
)
from sop_core.reports.charts import forecast_chart
from sop_core.services.demand import hand_over
from sop_core.services.history import upload_history

ensure_entry_point()

#: what the main choices do (the selector's help; the models are named by ``model_name``)
MODEL_HELP = {
    "auto": "per family, the model with the lowest error in a backtest of them all",
    "prophet": "the better of additive and multiplicative in the backtest",
    "ets": "the better of plain and damped trend in the backtest",
    "naive": "the same period last season",
}

#: the query parameter of the link that names the model (and the selector's key)
MODEL_PARAM = "demand_model"
#: the upload's mapping table: its columns as shown (the workspace's names inside)
MAPPING_HEADERS = {
    "history_name": label("history_name"),
    "family": "Your family",
    "action": label("mapping_action"),
}
#: the consensus adjustments: their columns as shown
ADJUSTMENT_HEADERS = {
    "family": label("family"),
    "period": f"{label('period')} (blank: all)",
    "change": label("change"),
    "unit": label("unit"),
    "comment": label("comment"),
}
#: the backtest's error measures: shown as % with one decimal, MASE with two
ACCURACY_RATES = ("wape", "mape", "bias")
#: the forecast table of the family shown, in units
FORECAST_UNITS = ("forecast", "lower", "upper", "adjusted")


def shown(frame: pd.DataFrame, headers: dict[str, str]) -> pd.DataFrame:
    """``frame`` with its columns named as a person reads them."""
    return frame.rename(columns=headers)


def units_column(key: str) -> st.column_config.NumberColumn:
    """A column of units: whole, with thousands separators; its help says what it is."""
    t = term(key)
    return st.column_config.NumberColumn(help=t.help or header(key), format="%,.0f")


def accuracy_view(acc: pd.DataFrame) -> tuple[pd.DataFrame, dict]:
    """The backtest table of one family as shown: model names in words, errors as % with
    one decimal (their values ×100, for the format), MASE with two decimals, labelled
    headers; and its column configuration."""
    view = acc[["model", *ACCURACY_RATES, "mase", "chosen"]].assign(
        model=acc["model"].map(model_name),
        **{k: acc[k] * 100 for k in ACCURACY_RATES},
    )
    config = {
        label(k): st.column_config.NumberColumn(help=term(k).help, format="%.1f%%")
        for k in ACCURACY_RATES
    }
    config[label("mase")] = st.column_config.NumberColumn(help=term("mase").help, format="%.2f")
    config[label("chosen")] = st.column_config.CheckboxColumn(help=term("chosen").help)
    return shown(view, {k: label(k) for k in view.columns}), config


def model_in_link(choices: list[str], default: str) -> str:
    """The model the page's link asks for (``?demand_model=naive``), else ``default``."""
    asked = st.query_params.get(MODEL_PARAM)
    return asked if asked in choices else default


def keep_model_in_link(model: str, default: str) -> None:
    """Put the model picked in the link by its name in the code ("naive"), so that a
    reload or a shared link opens it; none when it is the default. (The selector shows
    the models in words: ``bind="query-params"`` would put the words in the link.)"""
    if model == default:
        if MODEL_PARAM in st.query_params:
            del st.query_params[MODEL_PARAM]
    elif st.query_params.get(MODEL_PARAM) != model:
        st.query_params[MODEL_PARAM] = model


def upload_step(ws: WorkspaceState) -> None:
    """Upload a history, then map its families to the company's (or create them)."""
    st.caption(
        "Columns: period (YYYY-MM or a date), family, demand; optional sku. One row per "
        "period and family (or SKU). Families are matched to yours by name; new ones are "
        "created with default costs you confirm on the Capacity page."
    )
    locked = why_not("history")
    upload = st.file_uploader(
        "History file",
        type=["csv", "xlsx"],
        key="demand_upload",
        label_visibility="collapsed",
        disabled=bool(locked),
        help=locked,
    )
    if locked:
        st.caption(f":material/lock: {locked}")
    if upload is not None and upload.file_id != st.session_state.get("demand_upload_id"):
        try:
            loaded = read_history(upload.getvalue(), filename=upload.name)
        except InputError as exc:
            show_input_error(exc, f"{md_escape(upload.name)} cannot be used")
        else:
            st.session_state.demand_pending = (upload.name, loaded)
            st.session_state.demand_upload_id = upload.file_id
    pending = st.session_state.get("demand_pending")
    if pending is None:
        return
    name, loaded = pending
    names = sorted(loaded["family"].astype(str).unique())
    st.markdown(
        f"**{md_escape(name)}**: {len(loaded):,} rows, {len(names)} families. "
        "Check how they meet your families (type another name to map or rename):"
    )
    edited = st.data_editor(
        shown(suggest_mapping(names, ws), MAPPING_HEADERS),
        key="demand_mapping",
        hide_index=True,
        disabled=[MAPPING_HEADERS["history_name"], MAPPING_HEADERS["action"]],
        column_config={
            MAPPING_HEADERS["history_name"]: st.column_config.TextColumn(
                help=term("history_name").help
            ),
            MAPPING_HEADERS["family"]: st.column_config.TextColumn(required=True),
            MAPPING_HEADERS["action"]: st.column_config.TextColumn(
                help=term("mapping_action").help
            ),
        },
        placeholder="",
    )
    mapping = edited.rename(columns={v: k for k, v in MAPPING_HEADERS.items()})
    new = [f for f in mapping["family"] if f not in ws.family_names]
    if new:
        st.caption("New families: " + ", ".join(md_escape(n) for n in dict.fromkeys(new)))
    if st.button("Use this history", type="primary", key="demand_use_history"):
        try:  # kept and mapped in one transaction: a refusal keeps nothing
            new = upload_history(workbench(), state().name, loaded, name, mapping, author=author())
        except InputError as exc:
            show_input_error(exc, "The mapping cannot be used")
            return
        set_state(new)
        st.session_state.pop("demand_pending", None)
        flash("success", f"Loaded {md_escape(name)}.")
        st.rerun()


st.title("Demand")
ws = state()
history, history_name = company_history(ws)
with st.expander(
    "Upload your own sales history (CSV or Excel)",
    icon=":material/upload:",
    expanded=history is None or "demand_pending" in st.session_state,
):
    upload_step(ws)
if history is None or history.empty:
    st.info("No sales history yet: upload one above to forecast your families.")
    st.stop()

scenario = st.session_state.get("scenario")
horizon = scenario.horizon if scenario is not None else 12
launches = launches_in(scenario) if scenario is not None else {}
families = sorted(history["family"].astype(str).unique()) + [
    n for n in launches if n not in set(history["family"].astype(str))
]
c1, c2 = st.columns([1, 2])
choices = list(dict.fromkeys(MODEL_CHOICES))
in_plan = ws.forecast_model  # the model the consensus in the plan was made from
default_model = in_plan if in_plan in choices else choices[0]
model = c1.selectbox(
    "Forecast model",
    choices,
    index=choices.index(model_in_link(choices, default_model)),
    format_func=model_name,
    help="; ".join(f"{model_name(k)}: {v}" for k, v in MODEL_HELP.items()),
    key="demand_model",
)
keep_model_in_link(model, default_model)
if in_plan in choices and in_plan != model:
    st.caption(
        f"The consensus in the plan was made from the {model_name(in_plan)} forecast; hand "
        f"the consensus over again below to plan with {model_name(model)}."
    )
family = c2.selectbox("Family", families, key="demand_family")
st.caption(f"History: {md_escape(history_name)} · {len(families)} families · horizon {horizon}")

left, right = st.columns([3, 2], gap="large")
with left:
    st.subheader(f"{family}: history and forecast")
    chart = st.empty()
    chart.altair_chart(forecast_chart(history, None, family))  # at once, while fitting
    st.caption("Shaded: the 80 % interval of the statistical forecast.")
with right:
    st.subheader("Forecast accuracy (backtest)")
    try:
        result = run_forecast(digest_of(history), model, horizon, history)
    except InputError as exc:
        show_input_error(exc, "No forecast for this history")
        st.stop()
    # a launch: its like-family's forecast, scaled and ramped (a new frame: the cache's kept)
    fc = forecast_with_launches(result.forecast, result.freq, launches)
    acc, acc_config = accuracy_view(result.accuracy[result.accuracy["family"] == family])
    st.dataframe(acc, hide_index=True, column_config=acc_config, placeholder="")
    chosen = model_name(fc.loc[fc["family"] == family, "model"].iloc[0])
    why = result.choices.loc[result.choices["family"] == family, "reason"]
    reason = why.iloc[0] if len(why) else "lowest error in the backtest"
    if family in launches:
        reason = (
            f"a launch, forecast as {launches[family].like}'s forecast scaled and ramped up, "
            "its 80 % interval half as wide again as that family's"
        )
    st.caption(f"Model used for {md_escape(family)}: **{chosen}**. Why: {md_escape(reason)}.")
    for note in result.notes:
        st.info(note)

st.subheader("Launches and phase-outs")
portfolio_review(ws.name, empty="No launch or phase-out in this review.")

st.subheader("Consensus adjustments")
st.caption(
    "One row per change: +10 % or +500 units for a family, in one period or all (blank). "
    "The comment says why. The adjusted forecast is what the plan uses."
)
period_labels = list(label_periods(fc["period"].drop_duplicates(), result.freq))
with st.form("demand_add_adjustment", clear_on_submit=True, border=False):
    a1, a2, a3, a4, a5, a6 = st.columns([2, 2, 1, 1, 3, 1], vertical_alignment="bottom")
    new_family = a1.selectbox("Family", families, index=families.index(family), key="adj_family")
    new_period = a2.selectbox("Period", ["all", *period_labels], key="adj_period")
    new_change = a3.number_input("Change", value=0.0, step=1.0, format="%g", key="adj_change")
    new_unit = a4.selectbox("Unit", ["%", "units"], key="adj_unit")
    new_comment = a5.text_input("Comment (why)", key="adj_comment")
    added = a6.form_submit_button("Add", icon=":material/add:", **guarded("consensus"))
    if added and not new_change:
        st.warning("Nothing added: type the change first (+10 % or +500 units; 0 changes nothing).")
    elif added:
        row = {
            "family": new_family,
            "period": None if new_period == "all" else new_period,
            "change": new_change,
            "unit": new_unit,
            "comment": new_comment,
        }
        table = pd.concat([ws.adjustments, pd.DataFrame([row])], ignore_index=True)
        if commit(adjustment_edits(ws, table), summary=f"adjusted {new_family}"):
            st.rerun()
adjustment_names = {v: k for k, v in ADJUSTMENT_HEADERS.items()}
saved_editor(
    "demand_adjustments",
    shown(ws.adjustments, ADJUSTMENT_HEADERS),
    lambda edited: adjustment_edits(ws, edited.rename(columns=adjustment_names)),
    num_rows="dynamic" if may("consensus") else "fixed",
    disabled=not may("consensus"),
    column_config={
        ADJUSTMENT_HEADERS["family"]: st.column_config.SelectboxColumn(
            options=families, required=True
        ),
        ADJUSTMENT_HEADERS["period"]: st.column_config.SelectboxColumn(options=period_labels),
        ADJUSTMENT_HEADERS["change"]: st.column_config.NumberColumn(
            required=True, format="%+g", help=term("change").help
        ),
        ADJUSTMENT_HEADERS["unit"]: st.column_config.SelectboxColumn(
            options=["%", "units"], default="%", help=term("unit").help
        ),
        ADJUSTMENT_HEADERS["comment"]: st.column_config.TextColumn(help=term("comment").help),
    },
    placeholder="",
)
edits = ws.adjustments[list(ADJUSTMENT_COLUMNS)]
try:
    adjusted = adjust_forecast(fc, edits)
except InputError as exc:
    show_input_error(exc, "These adjustments cannot be applied")
    adjusted = fc.assign(adjusted=fc["forecast"], comment="")
chart.altair_chart(forecast_chart(history, adjusted, family), key="demand_chart")

view = adjusted[adjusted["family"] == family].assign(
    period=lambda d: label_periods(d["period"], result.freq)
)
st.dataframe(
    shown(
        view[["period", *FORECAST_UNITS, "comment"]],
        {k: label(k) for k in ("period", *FORECAST_UNITS, "comment")},
    ),
    hide_index=True,
    column_config={label(k): units_column(k) for k in FORECAST_UNITS},
    placeholder="",
)

explain("consensus")
if st.button(
    "Use the consensus forecast in the plan",
    type="primary",
    icon=":material/send:",
    key="demand_use",
    **guarded("plan_demand"),
):
    handed = perform(
        lambda wb, company, who: hand_over(
            wb,
            company,
            adjusted,
            author=who,
            model=model,
            history_name=history_name,
            based_on=state(),
        )
    )
    if handed is not None:
        _, notes = handed
        for note in notes:
            flash("info", md_escape(note))
        confirm(
            "demand_use",
            "The plan now uses the consensus forecast.",
            ("pages/capacity.py", "the supply review on the Capacity page"),
        )
        st.rerun()
confirmation("demand_use")
