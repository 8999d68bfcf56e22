"""AppTest of the Cycle page (the home page), in local mode (every right): start this
month's cycle, sign off the steps in order, recommend two scenarios, approve one, log an
assumption and a decision and close one."""

from __future__ import annotations

import math
import os
import re

import pytest
from apptests import open_app_page
from factories import complete_cycle, save_level_and_chase
from streamlit.testing.v1 import AppTest

from sop_core.process.cycle import month_of, next_month
from sop_core.store.cycles import Cycles
from sop_core.store.scenarios import Store, solved_fields
from sop_core.store.workspaces import Workspaces

PAGE = "pages/cycle.py"
COMPANY = "Sample company"


@pytest.fixture(autouse=True)
def _tmp_store(tmp_path, monkeypatch):
    monkeypatch.setenv("SOP_DATABASE_URL", f"sqlite:///{tmp_path / 'store.sqlite'}")


def store() -> Store:
    return Store(os.environ["SOP_DATABASE_URL"])


def rerun(what) -> AppTest:
    """Run the app again (``what``: the AppTest, or a widget just clicked or set)."""
    at = what.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def log_table(at: AppTest):
    """The assumptions and decisions table (the one with a ``kind`` column)."""
    return next(d.value for d in at.dataframe if "kind" in d.value.columns)


def texts(at: AppTest) -> str:
    return "\n".join(
        [m.value for m in at.markdown] + [c.value for c in at.caption] + [e.value for e in at.error]
    )


def statistical_of_company(s: Store, model: str = "auto"):
    """The statistical forecast (``model``, the plan's horizon) of the company's stored
    history, fitted here outside the app: units by (family, period label)."""
    from sop_core.demand.forecast import forecast, label_periods

    spaces = Workspaces(s)
    ws = spaces.state(COMPANY)
    history = ws.planned_history(spaces.history(int(ws.history_upload["upload_id"])))
    result = forecast(history, horizon=ws.scenario().horizon, model=model, backend="sequential")
    fc = result.forecast.assign(period=label_periods(result.forecast["period"], result.freq))
    return fc.set_index(["family", "period"])["forecast"]


def test_the_cycle_page_offers_to_start_this_month():
    at = open_app_page(PAGE, run_entry_first=True)
    assert at.title[0].value == "Monthly S&OP cycle"
    start = at.button(key="cycle_start")
    assert start.label == f"Start the {month_of()} cycle" and not start.disabled
    rerun(start.click())
    assert Cycles(store()).months(COMPANY) == [month_of()]
    assert "**Waiting for you:** data gathering; yours later: demand review," in texts(at)
    assert list(at.dataframe[0].value["status"]) == ["open"] * 5


def test_a_whole_cycle_through_the_page():
    at = open_app_page(PAGE, run_entry_first=True)
    rerun(at.button(key="cycle_start").click())
    # supply cannot go before the demand review: its button is disabled, saying why
    supply = at.button(key="cycle_signoff_supply")
    assert supply.disabled and "before data gathering is signed off" in supply.help
    rerun(at.button(key="cycle_signoff_data").click())
    # the sign-off is confirmed where its button was, with the next step as a link
    assert [m.value for m in at.success] == ["Signed off: data gathering."]
    links = {p.proto.label: p.proto.page for p in at.get("page_link")}
    assert links["Next: the demand review on the Demand page"] == "demand"  # its url path
    at.text_input(key="cycle_comment_demand").input("promo in March agreed")
    rerun(at.button(key="cycle_signoff_demand").click())
    cycle = Cycles(store()).get(COMPANY, month_of())
    assert cycle.step("demand").signed_off and not cycle.consensus().empty
    assert "promo in March agreed" in texts(at)
    # the statistical forecast of the company's history is frozen with the consensus
    frozen = cycle.consensus().set_index(["family", "period"])["statistical"]
    expected = statistical_of_company(store())
    assert frozen.notna().all() and len(frozen) == len(expected)
    assert list(frozen[expected.index]) == pytest.approx(list(expected), rel=1e-6)
    # the step shows both frozen forecasts, a row each per family
    shown = next(d.value for d in at.dataframe if d.value.index.names == ["family", "forecast"])
    family = cycle.consensus()["family"].iloc[0]
    assert list(shown.loc[family].index) == ["Consensus", "Statistical"]

    # two scenarios of the company saved in the store, recommended by the supply review
    scenario = at.session_state["scenario"]
    s = store()
    company_id = Workspaces(s).id_of(COMPANY)
    from sop_core.engine.planner import solve

    for name in ("Level", "Chase"):
        planned = scenario.model_copy(update={"name": name})
        s.save(
            planned,
            author="sam",
            name=name,
            workspace_id=company_id,
            **solved_fields(solve(planned)),
        )
    rerun(at)
    at.multiselect(key="cycle_rec_supply").select("Level v1").select("Chase v1")
    rerun(at.button(key="cycle_signoff_supply").click())
    rerun(at.button(key="cycle_signoff_finance").click())
    at.radio(key="cycle_approve_executive").set_value("Chase v1")
    rerun(at.button(key="cycle_signoff_executive").click())
    cycle = Cycles(store()).get(COMPANY, month_of())
    assert cycle.complete and cycle.plan == ("Chase", 1)
    assert store().approved().name == "Chase"
    assert any("the plan is **Chase v1**" in m.value for m in at.success)


def test_the_log_adds_and_closes_and_next_month_carries_the_open_entries():
    at = open_app_page(PAGE, run_entry_first=True)
    rerun(at.button(key="cycle_start").click())
    at.text_input(key="cycle_log_text").input("Garden centres restock in March")
    rerun(at.button(key="cycle_log_add").click())
    at.radio(key="cycle_log_kind").set_value("decision")
    rerun(at)
    at.text_input(key="cycle_log_text").input("Hire 5 temps")
    rerun(at.button(key="cycle_log_add").click())
    log = log_table(at)
    assert list(log["kind"]) == ["assumption", "decision"]
    assert list(log["status"]) == ["open", "open"]
    pick = next(o for o in at.selectbox(key="cycle_log_close_pick").options if "Hire" in o)
    at.selectbox(key="cycle_log_close_pick").set_value(pick)
    rerun(at.button(key="cycle_log_close").click())
    assert list(log_table(at)["status"]) == ["open", "closed"]
    # next month (started here through the core, as the page would in a month's time)
    nxt = Cycles(store()).create(COMPANY, next_month(month_of()), author="planner")
    carried = [e.text for e in nxt.log]
    assert carried == ["Garden centres restock in March"]


def test_an_empty_comment_or_log_entry_is_refused_with_the_field_named():
    at = open_app_page(PAGE, run_entry_first=True)
    rerun(at.button(key="cycle_start").click())
    rerun(at.button(key="cycle_log_add").click())
    assert any("text" in e.value and "is empty" in e.value for e in at.error)
    rerun(at.button(key="cycle_add_comment_data").click())
    assert any("comment" in e.value and "is empty" in e.value for e in at.error)


def test_the_cycles_meeting_pack_carries_its_open_decisions_and_assumptions():
    import io

    from pypdf import PdfReader

    at = open_app_page(PAGE, run_entry_first=True)
    rerun(at.button(key="cycle_start").click())
    cycles = Cycles(store())
    cycles.add_decision(
        COMPANY, month_of(), "Hire 5 for the summer peak", owner="Eve", author="Eve"
    )
    cycles.add_assumption(
        COMPANY, month_of(), "Steel prices flat to June", owner="Fay", author="Fay"
    )
    rerun(at)
    rerun(at.button(key="cycle_pack_go").click())
    assert "Download the pack (PDF)" in [b.label for b in at.get("download_button")]
    _, pdf, _ = at.session_state["cycle_pack"]
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
    assert f"{month_of()} cycle: S&OP meeting pack" in text
    assert "Hire 5 for the summer peak" in text and "Steel prices flat to June" in text
    assert "Demand review open" in text  # the demand review is not signed off yet


def test_next_month_shows_last_months_approved_plan_against_actual_sales():
    import pandas as pd

    from sop_core.process.cycle import previous_month

    at = open_app_page(PAGE, run_entry_first=True)  # seeds the sample company
    s = store()
    spaces = Workspaces(s)
    scenario = spaces.state(COMPANY).scenario()
    # the plan an earlier cycle approved: made 3 months earlier, forecasting 10 % more
    start = pd.Period(scenario.period_labels[0], "M") - 3
    months = [str(start + k) for k in range(scenario.horizon)]
    last = scenario.model_copy(
        update={
            "name": "Last month's plan",
            "periods": months,
            "families": [
                f.model_copy(update={"demand": [round(d * 1.1) for d in f.demand]})
                for f in scenario.families
            ],
        }
    )
    s.save(last, author="Sam", workspace_id=spaces.id_of(COMPANY))
    complete_cycle(
        s,
        COMPANY,
        previous_month(month_of()),
        recommended=["Last month's plan"],
        approve="Last month's plan",
    )
    rerun(at.button(key="cycle_start").click())
    assert "the plans earlier cycles approved" in texts(at)
    shown = next(d.value for d in at.dataframe if "Forecast" in d.value.index)
    # the sheet as people read it: whole units with thousands separators, blank where none
    cells = [c for row in shown.to_numpy() for c in row]
    assert all(isinstance(c, str) for c in cells)
    assert all(re.fullmatch(r"(−?\d{1,3}(,\d{3})*)?", c) for c in cells), cells
    assert "" in cells  # e.g. no production actuals entered: blank, not None
    sheet = shown.map(lambda c: float(c.replace(",", "").replace("−", "-")) if c else math.nan)
    family = scenario.families[0]
    past = months[:3]  # the 3 months before this plan: last month's plan forecast them
    assert list(sheet.columns[:3]) == past
    assert list(sheet.loc["Forecast", past]) == [round(d * 1.1) for d in family.demand[:3]]
    assert sheet.loc["Actual sales", past].notna().all()  # against what was sold
    difference = sheet.loc["Actual sales", past] - sheet.loc["Forecast", past]
    assert list(sheet.loc["Difference (actual − forecast)", past]) == pytest.approx(
        list(difference)
    )
    # the horizon is this month's plan (rounded to the unit on screen)
    first = scenario.period_labels[0]
    assert sheet.loc["Forecast", first] == pytest.approx(family.demand[0], abs=0.5)
    assert sheet.loc["Subcontracting plan", first] >= 0
    # with the family's chart above it and the statement that it adds up below it
    charts = at.get("arrow_vega_lite_chart") + at.get("vega_lite_chart")
    assert any("Inventory target" in str(c.proto) for c in charts)
    assert "It adds up over the 12 months: production " in texts(at)


def test_a_recommended_scenario_deleted_later_leaves_the_pages_working():
    at = open_app_page(PAGE, run_entry_first=True)
    s, cycles = store(), Cycles(store())
    spaces = Workspaces(s)
    scenario = spaces.state(COMPANY).scenario().model_copy(update={"name": "Gone soon"})
    s.save(scenario, author="Sam", workspace_id=spaces.id_of(COMPANY))
    cycles.create(COMPANY, month_of(), author="Ana")
    for step in ("data", "demand", "supply"):
        extra = {"recommended": ["Gone soon"]} if step == "supply" else {}
        cycles.sign_off(COMPANY, month_of(), step, author="Eve", **extra)
    s.delete("Gone soon", author="Al")
    rerun(at)  # the cycle still names it; the pack falls back to the plan as it stands
    rerun(at.button(key="cycle_pack_go").click())
    at.switch_page("pages/executive.py")
    rerun(at)
    assert not any("Gone soon" in str(v) for v in at.dataframe[0].value["Scenario"])


def test_forecast_value_added_scores_an_earlier_cycles_frozen_forecasts():
    import pandas as pd

    from sop_core.process.cycle import previous_month
    from sop_core.process.fva import ALL, forecast_value_added, snapshot_frame
    from sop_core.process.sop_sheet import monthly_sales
    from sop_core.process.workspace import replace_edits

    at = open_app_page(PAGE, run_entry_first=True)  # seeds the sample company
    rerun(at.button(key="cycle_start").click())
    assert "Nothing can be scored yet: no demand review has been signed off" in texts(at)
    s, cycles = store(), Cycles(store())
    spaces = Workspaces(s)
    ws = spaces.state(COMPANY)
    scenario = ws.scenario()
    history = ws.planned_history(spaces.history(int(ws.history_upload["upload_id"])))
    sales = monthly_sales(history)
    # an earlier cycle planned 6 months earlier: its first 6 months have sales by now
    start = pd.Period(scenario.period_labels[0], "M") - 6
    months = [str(start + k) for k in range(scenario.horizon)]
    earlier = scenario.model_copy(update={"periods": months})
    spaces.apply(COMPANY, replace_edits(ws, earlier), author="Ana")
    before = previous_month(month_of())
    cycles.create(COMPANY, before, author="Ana")
    cycles.sign_off(COMPANY, before, "data", author="Ana")
    # a statistical forecast that was spot on (the actual sales), where sales are known
    spot_on = sales[sales["period"].isin(months)].rename(columns={"sales": "forecast"})
    cycles.sign_off(COMPANY, before, "demand", author="Ana", statistical=spot_on)
    spaces.apply(COMPANY, replace_edits(spaces.state(COMPANY), scenario), author="Ana")
    rerun(at)

    shown = next(d.value for d in at.dataframe if "fva_consensus" in d.value.columns)
    expected = forecast_value_added(snapshot_frame([cycles.get(COMPANY, before)]), sales)
    assert list(shown["cycle"]) == [before] * len(expected)
    assert list(shown["family"]) == ["All families" if f == ALL else f for f in expected["family"]]
    per_family = shown["family"] != "All families"
    assert (shown.loc[per_family, "months"] == 6).all()  # the 6 months with sales
    assert (shown.loc[~per_family, "months"] == 6 * per_family.sum()).all()  # pooled
    assert shown["mape_statistical"].tolist() == pytest.approx([0.0] * len(shown))
    assert shown["mape_consensus"].tolist() == pytest.approx(list(expected["mape_consensus"]))
    assert shown["mape_naive"].tolist() == pytest.approx(list(expected["mape_naive"]))
    # the consensus was worse than a perfect forecast: the overrides cost its MAPE
    assert shown["fva_consensus"].tolist() == pytest.approx(list(-100 * expected["mape_consensus"]))
    pooled = expected[expected["family"] == ALL].iloc[0]
    words = f"the overrides worsened MAPE by {100 * pooled.mape_consensus:.1f} points"
    assert f"**{before} cycle**, all families: {words}" in texts(at)
    # the meeting pack carries the same scores
    import io

    from pypdf import PdfReader

    rerun(at.button(key="cycle_pack_go").click())
    _, pdf, _ = at.session_state["cycle_pack"]
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
    assert "Forecast value added" in text
    assert " ".join(f"{before} cycle, all families: {words}".split()) in " ".join(text.split())


def test_stored_plans_are_solved_once_not_on_every_rerun(monkeypatch):
    import io

    import pandas as pd

    from sop_core.engine.kpis import show
    from sop_core.engine.planner import solve
    from sop_core.services import plans

    at = open_app_page(PAGE, run_entry_first=True)
    s = store()
    spaces = Workspaces(s)
    save_level_and_chase(s, COMPANY, spaces.state(COMPANY).scenario(), author="Sam")
    complete_cycle(s, COMPANY, month_of(), recommended=["Level", "Chase"], approve="Chase")
    solved: list[str] = []
    fenced_solve = plans.solve_plan

    def counted(scenario, approved, *args, **kwargs):  # the real fenced solve, counted
        if scenario.name in ("Level", "Chase"):
            solved.append(scenario.name)
        return fenced_solve(scenario, approved, *args, **kwargs)

    monkeypatch.setattr(plans, "solve_plan", counted)
    rerun(at)
    assert solved == ["Chase"]  # the approved version the page's sheet shows, once
    rerun(at)
    rerun(at)
    assert solved == ["Chase"]  # … and not again on later reruns
    # the pack presents each version's own plan, as the solver gives it
    rerun(at.button(key="cycle_pack_go").click())
    costs = {name: solve(s.open(name, 1).scenario).total_cost for name in ("Level", "Chase")}
    assert costs["Level"] != pytest.approx(costs["Chase"])  # two different plans
    _, _, book = at.session_state["cycle_pack"]
    compared = pd.read_excel(io.BytesIO(book), sheet_name="Scenarios").set_index("KPI")
    assert list(compared.columns) == ["Chase v1 (approved)", "Level v1 (recommended)"]
    assert list(compared.loc["Total cost"]) == [
        show("total_cost", costs["Chase"]),
        show("total_cost", costs["Level"]),
    ]


def test_starting_this_months_cycle_shows_it_not_last_months():
    from sop_core.process.cycle import previous_month

    at = open_app_page(PAGE, run_entry_first=True)  # seeds the sample company
    Cycles(store()).create(COMPANY, previous_month(month_of()), author="Ana")
    rerun(at)
    assert at.selectbox(key="cycle_month").value == previous_month(month_of())
    rerun(at.button(key="cycle_start").click())
    assert at.selectbox(key="cycle_month").value == month_of()
    assert at.dataframe[0].value["status"].tolist() == ["open"] * 5


def test_the_demand_review_freezes_the_model_the_consensus_was_made_from():
    # the demand planner hands over a consensus made from the naive forecast
    demand = open_app_page("pages/demand.py", run_entry_first=True, demand_model="naive")
    rerun(demand.button(key="demand_use").click())
    spaces = Workspaces(store())
    assert spaces.state(COMPANY).value("plan")["forecast_model"] == "naive"
    # the next visit (no model in the link) opens on the plan's model
    assert open_app_page("pages/demand.py").selectbox(key="demand_model").value == "naive"
    # another session signs the demand review off: the naive forecast is frozen
    at = open_app_page(PAGE)
    rerun(at.button(key="cycle_start").click())
    rerun(at.button(key="cycle_signoff_data").click())
    rerun(at.button(key="cycle_signoff_demand").click())
    frozen = Cycles(store()).get(COMPANY, month_of()).consensus()
    frozen = frozen.set_index(["family", "period"])["statistical"]
    expected = statistical_of_company(store(), "naive")
    assert list(frozen[expected.index]) == pytest.approx(list(expected), rel=1e-6)
    assert list(expected) != pytest.approx(list(statistical_of_company(store())), rel=1e-3)
