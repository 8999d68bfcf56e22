"""AppTest of the scorecard of the five aims on the Executive page: the five aims with
their statuses in words, the plan's table with its targets, each family's, the targets
set from the page, and the strip on the projected page."""

from __future__ import annotations

import pytest
from apptests import open_app_page, what_people_should_not_see

from sop_core.engine.scorecard import AIMS

PAGE = "pages/executive.py"


@pytest.fixture(autouse=True)
def store_url(tmp_path, monkeypatch) -> str:
    url = f"sqlite:///{tmp_path / 'store.sqlite'}"
    monkeypatch.setenv("SOP_DATABASE_URL", url)
    return url


def strip(at) -> str:
    return next(m.value for m in at.markdown if "sop-scorecard" in m.value)


def plan_table(at):
    return next(t.value for t in at.dataframe if list(t.value.columns)[:2] == ["Aim", "Measure"])


def test_the_executive_page_shows_the_five_aims_and_their_statuses():
    at = open_app_page(PAGE)
    assert any(s.value == "Scorecard: the five aims of S&OP" for s in at.subheader)
    html = strip(at)
    for aim in AIMS.values():
        assert aim in html
    # each measure's definition on hover, and a status in words beside its mark
    assert 'title="Average days a customer order waits' in html
    assert "no target" in html
    table = plan_table(at)
    assert set(table["Status"]) == {"no target"}, "no target set yet"
    assert list(table["Aim"].unique()) == list(AIMS.values())
    assert not what_people_should_not_see(at)


def test_targets_set_on_the_page_give_met_and_not_met():
    at = open_app_page(PAGE)
    at.number_input(key="target_fill_rate_min").set_value(50.0)  # %: surely met
    at.number_input(key="target_turns_min").set_value(1000.0)  # surely not met
    at.button[[b.label for b in at.button].index("Save targets")].click().run()
    assert not at.exception
    table = plan_table(at).set_index("Measure")
    assert table.loc["Fill rate", "Status"] == "met"
    assert table.loc["Fill rate", "Target"] == "at least 50.0%"
    assert table.loc["Inventory turns", "Status"] == "not met"
    assert "✗&nbsp;not met" in strip(at) and "✓&nbsp;met" in strip(at)
    # kept with the company: a fresh session reads the same targets
    again = open_app_page(PAGE)
    assert plan_table(again).set_index("Measure").loc["Fill rate", "Status"] == "met"


def test_the_projected_page_carries_the_strip():
    at = open_app_page(PAGE, present="1")
    html = strip(at)
    assert all(aim in html for aim in AIMS.values())
    assert not any(s.value.startswith("Scorecard") for s in at.subheader)


def test_the_comparison_of_scenarios_has_their_scorecards_side_by_side():
    scenarios = "pages/scenarios.py"
    for name, query in (("Baseline", {}), ("More cover", {"safety_months": "1"})):
        at = open_app_page(scenarios, **query)
        at.text_input(key="scen_save_name").set_value(name)
        at.button(key="scen_save").click().run()
        assert not at.exception
    at.multiselect(key="scen_compare").set_value(["More cover", "Baseline"]).run()
    assert not at.exception
    side = next(
        d.value for d in at.dataframe if list(d.value.columns)[:1] == ["Measure"]
    ).set_index("Measure")
    assert list(side.columns) == ["More cover v1", "Baseline v1", "Target"]
    # more safety stock, more days of cover (values read as the vocabulary shows them)
    more, base = (float(side.loc["Days of cover", c]) for c in side.columns[:2])
    assert more > base
    assert (side["Target"] == "").all(), "no target set"
    assert not what_people_should_not_see(at)
