"""AppTest of the Scenarios page: save, list, approve, duplicate, rename, delete with
confirmation, import (valid and invalid) and the comparison against the approved plan."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from apptests import open_app_page, shown
from streamlit.testing.v1 import AppTest

from sop_core.store.scenarios import Store
from sop_core.store.workspaces import Workspaces

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def store_url(tmp_path, monkeypatch) -> str:
    url = f"sqlite:///{tmp_path / 'store.sqlite'}"
    monkeypatch.setenv("SOP_DATABASE_URL", url)
    return url


def open_page(**query: str) -> AppTest:
    return open_app_page("pages/scenarios.py", **query)


def save(at: AppTest, name: str) -> AppTest:
    at.text_input(key="scen_save_name").set_value(name)
    at.button(key="scen_save").click().run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_empty_store_says_what_to_do():
    at = open_page()
    assert any("No saved scenarios" in i.value for i in at.info)


def test_save_approve_compare_and_manage(store_url):
    save(open_page(), "Baseline")
    at = save(open_page(safety_months="1"), "More cover")
    assert at.success and "More cover v1" in at.success[0].value
    at.selectbox(key="scen_chosen").set_value("Baseline").run()
    at.button(key="scen_approve").click().run()
    assert not at.exception
    with Store(store_url) as store:
        assert store.approved().name == "Baseline"
        more = store.open("More cover").kpis["average_inventory"]
        base = store.open("Baseline").kpis["average_inventory"]
    assert more > base, "the saved what-if carries its own KPIs"
    # compare: side-by-side KPIs and deltas vs the approved one
    at.multiselect(key="scen_compare").set_value(["More cover", "Baseline"]).run()
    assert not at.exception
    assert len(at.dataframe) >= 3
    listing = at.dataframe[0].value
    assert "Versions" in listing.columns and "latest_version" not in listing.columns
    side = next(d.value for d in at.dataframe if "More cover v1" in d.value.columns)
    assert side.loc["Fill rate", "Baseline v1"].endswith("%")  # not "1.00"
    assert side.loc["Total cost", "Baseline v1"].startswith("$")
    # save again under the same name: a new version, not an error
    at = save(at, "More cover")
    assert "More cover v2" in at.success[0].value
    # duplicate, rename, delete (after confirmation)
    at.selectbox(key="scen_chosen").set_value("More cover").run()
    at.text_input(key="scen_dup_name").set_value("Copy")
    at.button[[b.label for b in at.button].index("Duplicate")].click().run()
    at.selectbox(key="scen_chosen").set_value("Copy").run()
    at.text_input(key="scen_new_name").set_value("Renamed")
    at.button[[b.label for b in at.button].index("Rename")].click().run()
    with Store(store_url) as store:
        assert "Renamed" in store.names() and "Copy" not in store.names()
    at.selectbox(key="scen_chosen").set_value("Renamed").run()
    at.button(key="scen_delete").click().run()
    assert not at.exception
    with Store(store_url) as store:
        assert "Renamed" not in store.names()


def test_an_invalid_scenario_file_shows_its_problems():
    at = open_page()
    bad = json.loads((ROOT / "data" / "red_tomato.json").read_text())
    bad["families"][0]["holding_cost"] = -2
    at.file_uploader(key="scen_import").upload("bad.json", json.dumps(bad).encode()).run()
    at.button(key="scen_import_go").click().run()
    assert not at.exception
    assert at.error and "holding_cost" in shown(at.error[0].value)


def test_a_valid_scenario_file_is_imported(store_url):
    at = open_page()
    text = (ROOT / "data" / "red_tomato.json").read_bytes()
    at.file_uploader(key="scen_import").upload("rt.json", text).run()
    at.button(key="scen_import_go").click().run()
    assert not at.exception and not at.error
    with Store(store_url) as store:
        assert store.names() == ["Red Tomato Tools"]


def test_open_makes_it_the_current_scenario(store_url):
    from sop_core.model.scenario import load_scenario

    with Store(store_url) as store:
        store.save(load_scenario(ROOT / "data" / "red_tomato.json"), author="t")
    at = open_page()
    at.button(key="scen_open").click().run()
    assert not at.exception
    assert at.session_state.scenario.name == "Red Tomato Tools"
    assert at.session_state.scenario == load_scenario(ROOT / "data" / "red_tomato.json")
    # the company now plans it, for every session, and the change is logged
    again = open_page()
    assert again.session_state.scenario.name == "Red Tomato Tools"
    changes = Workspaces(Store(store_url)).changes("Sample company", limit=100)
    assert any(c.summary == "opened Red Tomato Tools v1" for c in changes)
