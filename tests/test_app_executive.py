"""AppTest of the Executive page: KPIs and the balance chart, what-ifs vs the baseline,
the approved plan from the store, and presentation mode."""

from __future__ import annotations

import pytest
from apptests import APP, open_app_page
from streamlit.testing.v1 import AppTest

from sop_core.planner import solve
from sop_core.store import Store, solved_fields

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
    assert [m.label for m in at.metric] == [
        "Total cost",
        "Fill rate",
        "Average inventory",
        "Workforce change",
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
    tile = next(m for m in at.metric if m.label == "Average inventory")
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
    assert "Approved: Board plan v1" in set(at.dataframe[0].value["Scenario"])


def test_an_infeasible_what_if_is_explained_and_the_baseline_shown():
    at = open_exec(overtime="0", workers_max="1")
    assert at.error and "feasible" in at.error[0].value
    assert len(at.metric) == 5
