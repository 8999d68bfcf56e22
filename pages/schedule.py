"""Schedule: the weekly master schedule of each SKU inside the family plan.

Pick the plan (the current what-if or the approved scenario), a family and the weeks;
the SKU × week table (cells below safety stock highlighted), the chart of what each SKU
is made and its stock, the SKU summary, and CSV or Excel downloads. The method and its
rules are in :mod:`sop_core.schedule.weekly`.
"""

from __future__ import annotations

import hashlib
import io

import pandas as pd
import streamlit as st

from pages._common import ensure_entry_point, session_whatif, show_input_error, solve_whatif
from pages._workspace import approved_scenario, company_history, current_scenario
from sop_core.base.errors import InputError
from sop_core.base.text import md_escape
from sop_core.demand.history import parse_table
from sop_core.engine.planner import PlanResult
from sop_core.model.scenario import Scenario
from sop_core.model.whatif import WhatIf
from sop_core.reports.charts import schedule_made_chart, schedule_stock_chart
from sop_core.schedule.demand import read_sku_split, sku_demand_from_history, with_skus
from sop_core.schedule.stock import read_sku_stock
from sop_core.schedule.weekly import Schedule, schedule
from sop_core.schedule.weeks import fence_weeks, plan_months

ensure_entry_point()

SHORT = "#f8d0d0"  # cell colour: the week ends below safety stock
MIX_MODELS = {
    "naive": "Same month last year (seasonal naive)",
    "ets": "Exponential smoothing",
    "auto": "Most accurate per SKU (backtest; slower)",
}


@st.cache_data(max_entries=8, show_spinner="Scheduling…")
def make_schedule(
    key: str,
    model: str,
    method: str,
    firm_weeks: int,
    start: str | None,
    _scenario: Scenario,
    _plan: PlanResult,
    _history: pd.DataFrame,
    _stock: pd.DataFrame | None,
) -> Schedule:
    """The schedule of one plan (``key``: the planned scenario, the history's and the
    stock table's content) with these settings; cached across reruns and sessions."""
    demand = sku_demand_from_history(_scenario, _history, model=model, start=start)
    return schedule(
        _plan, _scenario, demand, _stock, firm_weeks=firm_weeks, method=method, start=start
    )


def digest(frame: pd.DataFrame | None) -> str:
    if frame is None:
        return "-"
    return hashlib.sha1(pd.util.hash_pandas_object(frame).to_numpy().tobytes()).hexdigest()


def plan_to_schedule(s: Scenario) -> tuple[Scenario, PlanResult, str]:
    """The plan picked above the page: the current what-if, or the approved scenario."""
    approved = None
    try:
        approved = approved_scenario()
    except Exception:  # the store is optional here: the what-if can still be scheduled
        approved = None
    options = ["whatif"] + (["approved"] if approved is not None else [])
    names = {"whatif": "Current what-if", "approved": "Approved scenario"}
    pick = st.segmented_control(
        "Plan to schedule",
        options,
        format_func=names.get,
        default="whatif",
        key="schedule_plan",
    )
    if pick == "approved" and approved is not None:
        return approved.scenario, solve_whatif(approved.scenario, WhatIf()), approved.label
    whatif = session_whatif(s)
    return whatif.apply(s), solve_whatif(s, whatif), f"{s.name}, what-if: {whatif.describe(s)}"


def sku_split_upload() -> pd.DataFrame | None:
    """For a history without SKUs: an optional table of how each family's sales divide
    over its SKUs (sku, family, share); without it each family is one SKU."""
    with st.expander("Your history has no SKUs: split the families", icon=":material/call_split:"):
        st.caption(
            "Without a split, each family is scheduled as one SKU of its own name. To split "
            "them, upload a table with columns sku, family, share (CSV or Excel; a family's "
            "shares are scaled to add up to 1)."
        )
        upload = st.file_uploader(
            "SKU split", type=["csv", "xlsx"], key="schedule_split", label_visibility="collapsed"
        )
        if upload is None:
            return None
        try:
            return read_sku_split(parse_table(upload.getvalue(), upload.name))
        except InputError as exc:
            show_input_error(exc, f"{upload.name} cannot be used")
            return None


def stock_upload() -> pd.DataFrame | None:
    with st.expander(
        "SKU stock, safety stock and minimum batches (optional)", icon=":material/inventory_2:"
    ):
        st.caption(
            "Columns: `sku`, `family`, `on_hand`, `safety_stock`, `min_batch` (CSV or "
            "Excel). Without "
            "it: on hand splits the family's initial stock by first-month demand, safety "
            "stock splits the family's by demand, no minimum batches."
        )
        upload = st.file_uploader(
            "Stock table", type=["csv", "xlsx"], key="schedule_stock", label_visibility="collapsed"
        )
        if upload is None:
            return None
        try:
            return read_sku_stock(upload.getvalue(), filename=upload.name)
        except InputError as exc:
            show_input_error(exc, f"{upload.name} cannot be used")
            return None


def styled_table(result: Schedule, family: str, weeks: list[str]) -> pd.io.formats.style.Styler:
    """Units made per SKU and week; a cell whose week ends below safety stock is red."""
    made = result.table(family, "made")[weeks]
    short = result.table(family, "shortfall")[weeks] >= 1
    firm = set(result.weeks.loc[result.weeks["firm"], "week"])
    made.columns = [f"{w} (firm)" if w in firm else w for w in weeks]
    short.columns = made.columns
    return made.style.format("{:,.0f}").apply(
        lambda _: short.map(lambda s: f"background-color: {SHORT}" if s else ""), axis=None
    )


def schedule_excel(result: Schedule, label: str) -> bytes:
    buf = io.BytesIO()
    with pd.ExcelWriter(buf, engine="openpyxl") as xl:
        pd.DataFrame(
            {"plan": [label], "method": [result.method], "notes": ["; ".join(result.notes)]}
        ).to_excel(xl, sheet_name="Summary", index=False)
        result.weeks.to_excel(xl, sheet_name="Weeks", index=False)
        result.skus.to_excel(xl, sheet_name="SKUs", index=False)
        result.months.to_excel(xl, sheet_name="Months", index=False)
        result.load.to_excel(xl, sheet_name="Load", index=False)
    return buf.getvalue()


st.title("Schedule")
st.caption(
    "What each SKU is made each week, inside the family plan: every family's months add up "
    "to the plan, every week stays within its share of the month's labour hours, and SKUs "
    "run out at the same time (those short get stock first)."
)
s = current_scenario()
planned, plan, label = plan_to_schedule(s)
if not plan.optimal:
    st.error(f"**This plan has no feasible solution, so nothing to schedule.** {plan.message}")
    st.stop()
history, history_name = company_history()
if history is None:
    st.info("The schedule splits each family's plan by its sales: upload a history first.")
    st.page_link("pages/demand.py", label="Upload a sales history", icon=":material/upload:")
    st.stop()
if "sku" not in history.columns:  # a family-level history: one SKU per family, or split
    history = with_skus(history, sku_split_upload())
stock = stock_upload()
with st.expander("Settings", icon=":material/settings:"):
    c1, c2, c3 = st.columns(3)
    model = c1.selectbox(
        "SKU mix forecast", list(MIX_MODELS), format_func=MIX_MODELS.get, key="schedule_model"
    )
    method = c2.radio(
        "Split",
        ["runout", "proportional"],
        format_func={"runout": "Equal run-out times", "proportional": "Forecast shares"}.get,
        key="schedule_method",
        horizontal=True,
    )
    try:  # the plan's time fence makes its weeks firm, unless the planner says otherwise
        fenced = fence_weeks(planned)
    except InputError:
        fenced = 0
    firm_weeks = c3.number_input(
        "Weeks inside the time fence (firm)",
        0,
        max(26, fenced),
        fenced,
        key="schedule_firm",
        help="From the plan's time fence (policy.frozen_periods) unless you change it.",
    )
start = None
try:
    plan_months(planned)
except InputError:  # periods such as "Jan": ask for the first month
    start = (
        st.text_input(
            "First month of the plan (YYYY-MM)",
            key="schedule_start",
            help=f"The plan's periods ({', '.join(planned.period_labels[:3])} …) are not months.",
        ).strip()
        or None
    )
    if start is None:
        st.info("Give the plan's first month to schedule it week by week.")
        st.stop()
try:
    key = f"{planned.to_json(indent=None)}|{digest(history)}|{digest(stock)}"
    result = make_schedule(
        key, model, method, int(firm_weeks), start, planned, plan, history, stock
    )
except InputError as exc:
    show_input_error(exc, f"No schedule for this plan with {history_name}")
    st.stop()

st.caption(f"Plan: {md_escape(label)} · SKU history: {md_escape(history_name)}")
labels = result.week_labels
c1, c2 = st.columns([1, 2])
family = c1.selectbox("Family", planned.family_names, key="schedule_family")
first, last = c2.select_slider(
    "Weeks (Monday)",
    options=labels,
    value=(labels[0], labels[min(12, len(labels) - 1)]),
    key="schedule_weeks",
)
weeks = labels[labels.index(first) : labels.index(last) + 1]

skus = result.skus[result.skus["family"] == family]
short = skus[skus["weeks_short"] > 0]
if len(short):
    st.warning(
        f"{len(short)} of {len(skus)} {family} SKUs end some week below safety stock "
        f"(at most {short['max_shortfall'].max():,.0f} units): the family plan's stock "
        "cannot cover every SKU then. Red cells below.",
        icon=":material/warning:",
    )
st.subheader(f"{md_escape(family)}: units made per SKU and week")
st.dataframe(styled_table(result, family, weeks), key="schedule_table")
made_chart = schedule_made_chart(result.weeks, family, weeks)
stock_chart = schedule_stock_chart(result.weeks, family, weeks)
g1, g2 = st.columns(2)
g1.altair_chart(made_chart, key="schedule_made_chart")
g2.altair_chart(stock_chart, key="schedule_stock_chart")

st.subheader("Per SKU")
st.dataframe(
    skus.drop(columns="family"),
    hide_index=True,
    column_config={
        "sku": st.column_config.TextColumn("SKU"),
        "on_hand": st.column_config.NumberColumn("On hand", format="%.0f"),
        "safety_stock": st.column_config.NumberColumn("Safety stock", format="%.0f"),
        "min_batch": st.column_config.NumberColumn("Min batch", format="%.0f"),
        "demand": st.column_config.NumberColumn("Demand", format="%.0f"),
        "made": st.column_config.NumberColumn("Made", format="%.0f"),
        "bought": st.column_config.NumberColumn("Bought in", format="%.0f"),
        "end_stock": st.column_config.NumberColumn("End stock", format="%.0f"),
        "min_cover_weeks": st.column_config.NumberColumn("Min cover (weeks)", format="%.1f"),
        "weeks_short": st.column_config.NumberColumn("Weeks short"),
        "max_shortfall": st.column_config.NumberColumn("Max shortfall", format="%.0f"),
        "batch_misses": st.column_config.NumberColumn("Batches missed"),
    },
)
for note in result.notes:
    st.caption(md_escape(note))

stem = "".join(c if c.isalnum() else "_" for c in planned.name).strip("_").lower() or "plan"
d1, d2 = st.columns(2)
d1.download_button(
    "Download schedule (CSV)",
    data=lambda: result.weeks.to_csv(index=False).encode("utf-8"),
    file_name=f"{stem}_schedule.csv",
    mime="text/csv",
    on_click="ignore",
    key="schedule_csv",
    icon=":material/download:",
)
d2.download_button(
    "Download schedule (Excel)",
    data=lambda: schedule_excel(result, label),
    file_name=f"{stem}_schedule.xlsx",
    mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    on_click="ignore",
    key="schedule_xlsx",
    icon=":material/table_view:",
)
