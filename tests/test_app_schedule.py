"""AppTest of the Schedule page: the SKU × week table inside the plan, its controls,
and the messages for inputs it cannot use."""

from __future__ import annotations

from pathlib import Path

import pytest
from apptests import open_app_page, shown
from streamlit.testing.v1 import AppTest

from pages._workspace import sample_path
from sop_core.engine.planner import solve
from sop_core.model.scenario import load_scenario, with_changes
from sop_core.store.scenarios import Store, solved_fields

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def store_url(tmp_path, monkeypatch) -> str:
    url = f"sqlite:///{tmp_path / 'store.sqlite'}"
    monkeypatch.setenv("SOP_DATABASE_URL", url)
    return url


def open_schedule(**query: str) -> AppTest:
    return open_app_page("pages/schedule.py", timeout=120, **query)


def test_schedule_page_shows_the_family_table_inside_the_plan():
    at = open_schedule()
    assert not at.error
    assert at.title[0].value == "Schedule"
    assert at.selectbox(key="schedule_family").value == "Garden Tools"
    made = at.dataframe[0].value
    assert list(made.index) == ["GT-FORK", "GT-HOE", "GT-RAKE", "GT-SPADE"]
    assert len(made.columns) == 13  # the first 13 weeks
    assert made.columns[0] == "2026-10-26"
    # the first week holds one day of November: 1/30 of the family's November plan
    s = load_scenario(sample_path())
    nov = solve(s).families.query("family == 'Garden Tools'")["production"].iloc[0]
    assert made.iloc[:, 0].sum() == round(nov / 30)
    labels = [b.label for b in at.get("download_button")]
    assert labels == ["Download schedule (CSV)", "Download schedule (Excel)"]


def test_family_weeks_and_firm_weeks_change_the_table():
    at = open_schedule()
    at.selectbox(key="schedule_family").set_value("Watering").run()
    made = at.dataframe[0].value
    assert list(made.index) == ["WA-CAN", "WA-HOSE", "WA-SPRINKLER"]
    at.select_slider(key="schedule_weeks").set_value(("2026-11-02", "2026-11-16")).run()
    assert list(at.dataframe[0].value.columns) == ["2026-11-02", "2026-11-09", "2026-11-16"]
    at.number_input(key="schedule_firm").set_value(2).run()
    assert not at.exception
    assert list(at.dataframe[0].value.columns) == [
        "2026-11-02 (firm)",
        "2026-11-09",
        "2026-11-16",
    ]


def test_the_what_if_of_the_url_is_scheduled():
    at = open_schedule(overtime="0")
    caption = shown(" ".join(c.value for c in at.caption))
    assert "what-if: overtime ≤ 0 h/worker" in caption
    assert at.dataframe[0].value.shape == (4, 13)


def test_a_what_if_with_no_plan_says_so():
    at = open_schedule(overtime="0", strategy="chase")
    assert "This plan has no feasible solution, so nothing to schedule" in at.error[0].value
    assert "labour hours short" in at.error[0].value
    assert not at.dataframe


def test_the_approved_scenario_can_be_scheduled(store_url):
    """Only once a scenario is approved can it be picked; its plan is the one scheduled."""
    at = open_schedule()
    assert at.button_group(key="schedule_plan").options == ["Current what-if"]
    s = load_scenario(sample_path())
    board = with_changes(s, max_overtime_hours_per_worker=0.0)
    with Store(store_url) as store:
        store.save(board, author="test", name="Board plan", **solved_fields(solve(board)))
        store.approve("Board plan", author="test")
    at = open_schedule()
    at.button_group(key="schedule_plan").set_value("approved").run()
    assert not at.exception
    assert "Plan: Board plan v1" in shown(" ".join(c.value for c in at.caption))
    nov = solve(board).families.query("family == 'Garden Tools'")["production"].iloc[0]
    assert at.dataframe[0].value.iloc[:, 0].sum() == round(nov / 30)


def test_periods_that_are_not_months_ask_for_the_first_month(monkeypatch, store_url):
    """Red Tomato's periods are Jan … Jun: the page asks for the first month, then says
    that the company's history (the sample's, whose families are others) has no SKUs of
    its family."""
    from sop_core.demand.history import read_history
    from sop_core.process.workspace import Edit
    from sop_core.store.workspaces import Workspaces

    monkeypatch.setenv("SOP_SAMPLE_SCENARIO", str(ROOT / "data" / "red_tomato.json"))
    spaces = Workspaces(Store(store_url))
    spaces.create(
        "Sample: red_tomato", author="t", scenario=load_scenario(ROOT / "data" / "red_tomato.json")
    )
    upload = spaces.add_history(
        "Sample: red_tomato",
        read_history(ROOT / "data" / "sample_history.csv"),
        "h.csv",
        author="t",
    )
    spaces.apply("Sample: red_tomato", [Edit("history", "history", None, upload)], author="t")
    at = open_schedule()
    assert "Give the plan's first month" in at.info[0].value
    at.text_input(key="schedule_start").set_value("2027-01").run()
    assert not at.exception
    text = shown(at.error[0].value)
    assert "families[0].name: family 'Garden tools' has no SKUs in the history" in text


def test_a_family_level_history_gets_a_schedule_one_sku_per_family(store_url):
    from sop_core.demand.history import read_history
    from sop_core.process.workspace import suggest_mapping
    from sop_core.services import companies
    from sop_core.services.history import upload_history
    from sop_core.services.workbench import connect

    open_schedule()  # seeds the sample company
    by_family = (
        read_history(ROOT / "data" / "sample_history.csv")
        .groupby(["period", "family"], as_index=False)["demand"]
        .sum()
    )
    with connect(store_url) as wb:
        companies.start_company(
            wb, "Families only", author="ann", copy_of=load_scenario(sample_path())
        )
        state = companies.company_state(wb, "Families only")
        mapping = suggest_mapping(sorted(by_family["family"].unique()), state)
        upload_history(wb, "Families only", by_family, "families.csv", mapping, author="ann")
    at = open_schedule(company="Families only")
    assert not at.error, [e.value for e in at.error]
    made = at.dataframe[0].value
    assert list(made.index) == ["Garden Tools"]  # the family is its one SKU
    assert any("has no SKUs" in e.label for e in at.expander)
