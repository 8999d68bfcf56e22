"""AppTest of the Trade-offs section (pages/_tradeoffs.py) on the sample company, on the
Executive page: the frontier and a point opened (with its link to the Plan page, which
then plans that point), the tornado, the risk run, and presentation mode."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qsl

import pytest
from apptests import open_app_page, what_people_should_not_see
from streamlit.testing.v1 import AppTest

from sop_core.analysis.frontier import frontier
from sop_core.base.fields import show_value
from sop_core.engine.kpis import money
from sop_core.model.scenario import load_scenario

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def store_url(tmp_path, monkeypatch) -> str:
    url = f"sqlite:///{tmp_path / 'store.sqlite'}"
    monkeypatch.setenv("SOP_DATABASE_URL", url)
    return url


def open_section(presenting: bool = False) -> AppTest:
    """The Executive page (its Trade-offs section below the scorecard), or presentation
    mode's trade-offs view."""
    query = {"present": "1", "show": "tradeoffs"} if presenting else {}
    return open_app_page("pages/executive.py", run_entry_first=True, timeout=120, **query)


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
    tile = [m for m in at.metric if m.label == "Total cost"][-1]  # the point's, after tiles
    assert tile.value == show_value("total_cost", expected.cost)
    assert len(charts(at)) >= 3  # frontier, the point's costs, the tornado
    assert what_people_should_not_see(at) == []
    # its link opens the Plan page holding that point: the same plan, said so
    link = next(p for p in at.get("page_link") if p.proto.label.startswith("Open this plan"))
    query = dict(parse_qsl(link.proto.query_string))
    assert query["aim"] == "average_inventory"
    assert float(query["aim_level"]) == pytest.approx(expected.level)
    plan = open_app_page("pages/plan.py", run_entry_first=True, **query)
    assert any("average inventory at most" in i.value for i in plan.info)
    assert plan.metric[0].label == "Total cost"
    assert plan.metric[0].value == money(expected.cost, compact=True)  # that plan


def test_the_tornado_and_the_risk_run() -> None:
    at = open_section()
    table = next(d.value for d in at.dataframe if "parameter" in d.value.columns)  # tornado
    assert table.iloc[0]["parameter"] == "Hours / unit"  # the sample's largest swing
    at.radio(key="tradeoffs_source").set_value("share").run()
    at.select_slider(key="tradeoffs_draws").set_value(100).run()
    at.button(key="tradeoffs_run").click().run()
    assert not at.exception, [e.value for e in at.exception]
    labels = [m.label for m in at.metric]
    assert "Chance of meeting the target" in labels
    stock = next(d.value for d in at.dataframe if "extra_safety_stock" in d.value.columns)
    assert len(stock) == 5 and (stock["extra_safety_stock"] >= 0).all()
    assert what_people_should_not_see(at) == []


def test_presentation_shows_the_frontier_alone() -> None:
    at = open_section(presenting=True)
    assert len(at.tabs) == 0 and not any(s.key == "tradeoffs_aim" for s in at.selectbox)
    assert at.title[0].value == "Trade-offs: what a better plan costs"
    assert len(charts(at)) == 1  # the frontier alone, no tiles nor the balance chart
