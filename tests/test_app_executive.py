"""AppTest of the Executive page: KPIs and the balance chart, what-ifs vs the baseline,
the approved plan from the store, and presentation mode."""

from __future__ import annotations

from pathlib import Path

import pytest
from apptests import APP, open_app_page, shown
from streamlit.testing.v1 import AppTest

from sop_core.engine.planner import solve
from sop_core.model.scenario import with_changes
from sop_core.process.cycle import month_of
from sop_core.store.scenarios import Store, solved_fields

PAGE = "pages/executive.py"


@pytest.fixture(autouse=True)
def store_url(tmp_path, monkeypatch) -> str:
    url = f"sqlite:///{tmp_path / 'store.sqlite'}"
    monkeypatch.setenv("SOP_DATABASE_URL", url)
    return url


def open_exec(**query: str) -> AppTest:
    return open_app_page(PAGE, **query)  # as if the browser opened /executive?…


def test_executive_page_shows_five_kpis_the_chart_and_the_baseline():
    at = open_exec()
    assert [m.label for m in at.metric][:5] == [  # the tiles (a trade-off point's follow)
        "Total cost",
        "Fill rate",
        "Avg. inventory",
        "Hires + layoffs",
        "Margin",
    ]
    assert at.get("arrow_vega_lite_chart") or at.get("vega_lite_chart")
    table = at.dataframe[0].value
    assert list(table["Scenario"]) == ["Baseline"]
    assert not at.error


def test_a_what_if_in_the_url_is_compared_with_the_baseline():
    at = open_exec(safety_months="1")
    table = at.dataframe[0].value
    assert list(table["Scenario"]) == ["Baseline", "Current what-if"]
    tile = next(m for m in at.metric if m.label == "Avg. inventory")
    assert tile.delta.startswith("+"), "more cover, more stock than the baseline"


def test_presentation_mode_has_no_controls_and_no_sidebar():
    at = open_exec(present="1", safety_months="1")
    assert not at.slider and not at.button and not at.text_input
    assert any("Exit presentation" in m.value for m in at.markdown)
    # through the entry point: no navigation and no sidebar in presentation mode
    app = AppTest.from_file(APP, default_timeout=60)
    app.query_params["present"] = "1"
    app.run()
    assert not app.exception and not app.sidebar.markdown and not app.sidebar.caption
    assert len(at.metric) == 5
    assert any("Exit presentation" in m.value for m in at.markdown)


def test_the_approved_plan_from_the_store_is_in_the_comparison(store_url):
    scenario = AppTest.from_file(APP, default_timeout=60).run().session_state.scenario
    with Store(store_url) as store:
        store.save(scenario, author="test", name="Board plan", **solved_fields(solve(scenario)))
        store.approve("Board plan", author="test")
    at = open_exec()
    # the approved plan is the scenario as planned: one row, not "Baseline" and it again
    assert list(at.dataframe[0].value["Scenario"]) == ["Baseline (approved: Board plan v1)"]
    with Store(store_url) as store:  # an approved plan that differs is a row of its own
        dearer = with_changes(scenario, max_overtime_hours_per_worker=0)
        store.save(
            dearer, author="test", name="Board plan", base_version=1, **solved_fields(solve(dearer))
        )
        store.approve("Board plan", author="test")
    at = open_exec()
    assert list(at.dataframe[0].value["Scenario"]) == ["Baseline", "Approved: Board plan v2"]


def test_an_infeasible_what_if_is_explained_and_the_baseline_shown():
    at = open_exec(overtime="0", workers_max="1")
    assert at.error and "feasible" in at.error[0].value
    tiles = [m.label for m in at.metric]  # the baseline's five (a trade-off point's follow)
    assert tiles[:5] == ["Total cost", "Fill rate", "Avg. inventory", "Hires + layoffs", "Margin"]


# --------------------------------------------------------------------------- business plan


def _budget_csv(scale: float, drop: str | None = None) -> bytes:
    """The sample company's business plan: its plan's demand and revenue × ``scale``."""
    from sop_core.model.scenario import load_scenario
    from sop_core.process.business_plan import business_plan_template, write_business_plan

    s = load_scenario(Path(APP).parent / "data" / "sample_company.json")
    plan = business_plan_template(s)
    plan[["units", "revenue"]] *= scale
    if drop:
        plan = plan[plan["family"] != drop]
    return write_business_plan(plan)


def table_with(at: AppTest, column: str):
    return next(d.value for d in at.dataframe if column in d.value.columns)


def test_the_business_plan_upload_is_stored_and_shows_the_gap_and_the_exceptions(store_url):
    at = open_exec()
    assert any("No business plan yet" in c.value for c in at.caption)
    assert at.get("download_button")  # the template
    at.file_uploader(key="budget_upload").upload(
        "budget.csv", _budget_csv(1.1, drop="Watering"), "text/csv"
    ).run()
    assert not at.exception and not at.error
    tiles = {m.label: m.value for m in at.metric}
    # the plan sells the forecast the budget was made from, less 10 %: a gap below zero
    assert tiles["Gap to the business plan"].startswith("−$")
    annual = table_with(at, "Gap units")
    assert "Watering" not in set(annual["Family"]) and len(annual) == 4
    assert all(v.startswith("−") for v in annual["Gap units"])
    ranked = table_with(at, "stake")  # ranked by the money at stake, shown as text
    kinds = list(ranked["kind"])
    assert "Below budget" in kinds and "Not in the budget" in kinds
    assert ranked["stake"].iloc[0].startswith("$") and ranked["stake"].iloc[-1] == ""
    money = table_with(at, "gross_margin")  # the plan in money by family and month
    assert len(money) == 5 * 12
    assert (money["gross_margin"] - (money["revenue"] - money["cost_of_goods"])).abs().max() < 1e-6
    # kept in the store: a new session (another person, the next day) sees it
    again = open_exec()
    assert "Gap to the business plan" in {m.label for m in again.metric}
    from sop_core.store.workspaces import Workspaces

    with Store(store_url) as store:
        spaces = Workspaces(store)
        company = spaces.names()[0]
        assert len(spaces.state(company).business_plan) == 4 * 12
        assert "business plan from budget.csv" in spaces.changes(company)[0].summary
    again.button(key="budget_clear").click().run()
    assert "Gap to the business plan" not in {m.label for m in again.metric}
    with Store(store_url) as store:  # undo brings it back
        Workspaces(store).undo(company, author="test")
    assert "Gap to the business plan" in {m.label for m in open_exec().metric}


def test_a_bad_business_plan_is_explained_and_not_kept():
    at = open_exec()
    bad = b"family,period,units,revenue\nGarden Tools,2026-13,10,100\n"
    at.file_uploader(key="budget_upload").upload("budget.csv", bad, "text/csv").run()
    assert not at.exception
    message = shown(at.error[0].value)
    assert "budget.csv cannot be used" in message
    assert "row 2, column period: must be a date written YYYY-MM" in message
    assert "got '2026-13'" in message
    assert "Gap to the business plan" not in {m.label for m in at.metric}
    assert "Gap to the business plan" not in {m.label for m in open_exec().metric}


def test_presentation_mode_has_no_business_plan_section():
    at = open_exec(present="1")
    assert not at.file_uploader and not any("Business plan" in h.value for h in at.subheader)


def test_the_meeting_pack_is_built_with_progress_and_offered_as_pdf_and_excel():
    import io

    from pypdf import PdfReader

    at = open_exec(overtime="5")
    at.button(key="pack_go").click().run(timeout=120)
    assert not at.exception, [e.value for e in at.exception]
    labels = [b.label for b in at.get("download_button")]
    assert "Download the pack (PDF)" in labels and "Download its tables (Excel)" in labels
    _, pdf, book = at.session_state["pack"]
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
    assert "S&OP meeting pack" in text and "Sample company" in text
    assert "Scenarios compared" in text and "Baseline" in text  # the what-if against it
    assert "Family S&OP sheet" in text  # the company's history is in
    assert book[:2] == b"PK"  # an xlsx (zip) file


def a_decision_to_take(store_url) -> tuple:
    """The sample company with this month's cycle signed off up to the executive meeting,
    its supply review recommending Lean (no overtime) and Flexible (20 h)."""
    from sop_core.store.cycles import Cycles
    from sop_core.store.workspaces import Workspaces

    store = Store(store_url)
    spaces = Workspaces(store)
    company = spaces.names()[0]
    base = spaces.state(company).scenario()
    for name, overtime in (("Lean", 0), ("Flexible", 20)):
        planned = with_changes(base, max_overtime_hours_per_worker=overtime)
        store.save(
            planned.model_copy(update={"name": name}),
            author="Sam",
            workspace_id=spaces.id_of(company),
            **solved_fields(solve(planned)),
        )
    cycles = Cycles(store)
    cycles.create(company, month_of(), author="Ana")
    for step in ("data", "demand", "supply", "finance"):
        extra = {"recommended": ["Lean", "Flexible"]} if step == "supply" else {}
        cycles.sign_off(company, month_of(), step, author="Eve", **extra)
    return store, cycles, company


def test_the_cycles_decision_is_taken_on_the_executive_page(store_url):
    at = open_exec()
    store, cycles, company = a_decision_to_take(store_url)
    at.run()
    rows = set(at.dataframe[0].value["Scenario"])
    assert {"Recommended: Lean v1", "Recommended: Flexible v1"} <= rows  # compared
    at.selectbox(key="exec_decision_pick").set_value("Recommended: Flexible v1").run()
    at.button(key="exec_decision_go").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert cycles.get(company, month_of()).plan == ("Flexible", 1)  # recorded on the cycle
    assert store.approved().name == "Flexible"
    assert any("the executive meeting approved" in shown(s.value) for s in at.success)
    # the approved version is compared once, as approved; the other one stays
    scenarios = list(at.dataframe[0].value["Scenario"])
    # Flexible plans as the scenario does (20 h of overtime): the baseline row says so
    assert [s for s in scenarios if "Flexible" in s] == ["Baseline (approved: Flexible v1)"]
    assert "Recommended: Lean v1" in scenarios


def test_presentation_mode_carries_the_decision_with_what_each_plan_costs_and_earns(store_url):
    open_exec()
    a_decision_to_take(store_url)
    at = open_exec(present="1")
    assert any("Decision for the" in m.value for m in at.markdown)
    table = at.dataframe[0].value
    assert list(table.columns) == ["Plan", "Total cost", "Fill rate", "Margin"]
    assert set(table["Plan"]) == {"Lean v1", "Flexible v1"}
    assert at.button(key="exec_decision_go")  # the executive approves on the projected page
