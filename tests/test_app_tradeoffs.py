"""AppTest of the Trade-offs section (pages/_tradeoffs.py) on the sample company, run as
the Executive page would run it: the frontier and a point opened, the tornado, the risk
run, and presentation mode."""

from __future__ import annotations

from pathlib import Path

import pytest
from apptests import what_people_should_not_see
from streamlit.testing.v1 import AppTest

from sop_core.analysis.frontier import frontier
from sop_core.base.fields import show_value
from sop_core.model.scenario import load_scenario

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = """
import sys
sys.path.insert(0, {root!r})
from pages._workspace import init_session
from pages._tradeoffs import tradeoffs_section
init_session()
tradeoffs_section(presenting={presenting})
"""


@pytest.fixture(autouse=True)
def store_url(tmp_path, monkeypatch) -> str:
    url = f"sqlite:///{tmp_path / 'store.sqlite'}"
    monkeypatch.setenv("SOP_DATABASE_URL", url)
    return url


def open_section(presenting: bool = False) -> AppTest:
    at = AppTest.from_string(
        SCRIPT.format(root=str(ROOT), presenting=presenting), default_timeout=120
    )
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def charts(at: AppTest) -> list:
    return list(at.get("arrow_vega_lite_chart")) + list(at.get("vega_lite_chart"))


def test_the_frontier_opens_a_point() -> None:
    at = open_section()
    assert [t.label for t in at.tabs] == [
        "Cost against a second aim",
        "What moves the plan most",
        "Uncertain demand",
    ]
    # the sample serves all its demand: its fill-rate frontier is the plan itself
    assert any("already at the best fill rate" in c.value for c in at.caption)
    at.selectbox(key="tradeoffs_aim").set_value("average_inventory").run()
    assert not at.exception
    sentences = [m.value for m in at.markdown if "units of average inventory" in m.value]
    assert sentences and sentences[0].startswith("- From ")
    at.selectbox(key="tradeoffs_point").set_value(4).run()
    expected = frontier(load_scenario(ROOT / "data" / "sample_company.json"),
                        "average_inventory", 21).points[4]  # fmt: skip
    tile = next(m for m in at.metric if m.label == "Total cost")
    assert tile.value == show_value("total_cost", expected.cost)
    assert len(charts(at)) >= 3  # frontier, the point's costs, the tornado
    assert what_people_should_not_see(at) == []


def test_the_tornado_and_the_risk_run() -> None:
    at = open_section()
    table = at.dataframe[0].value  # the tornado's
    assert table.iloc[0]["parameter"] == "Hours / unit"  # the sample's largest swing
    at.radio(key="tradeoffs_source").set_value("share").run()
    at.select_slider(key="tradeoffs_draws").set_value(100).run()
    at.button(key="tradeoffs_run").click().run()
    assert not at.exception, [e.value for e in at.exception]
    labels = [m.label for m in at.metric]
    assert "Chance of meeting the target" in labels
    stock = at.dataframe[1].value  # the extra safety stock
    assert len(stock) == 5 and (stock["extra_safety_stock"] >= 0).all()
    assert what_people_should_not_see(at) == []


def test_presentation_shows_the_frontier_alone() -> None:
    at = open_section(presenting=True)
    assert len(at.tabs) == 0 and len(at.selectbox) == 0
    assert len(charts(at)) == 1
