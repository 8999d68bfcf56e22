"""AppTest of the Capacity page, and the round trip of its editable tables."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from apptests import open_app_page
from factories import sample_with_lines
from streamlit.testing.v1 import AppTest

from pages._edit import edited_scenario, families_frame, workforce_frame
from sop_core.errors import InputError
from sop_core.scenario import load_scenario

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def _tmp_store(tmp_path, monkeypatch):
    monkeypatch.setenv("SOP_DATABASE_URL", f"sqlite:///{tmp_path / 'store.sqlite'}")


def open_capacity(**query: str) -> AppTest:
    return open_app_page("pages/capacity.py", **query)


def test_capacity_page_renders_chart_utilisation_and_tables():
    at = open_capacity()
    labels = [m.label for m in at.metric]
    assert "Utilisation of regular hours" in labels
    assert at.get("arrow_vega_lite_chart") or at.get("vega_lite_chart")
    assert not at.error


def test_capacity_follows_the_what_if_of_the_url():
    more = open_capacity(overtime="0")
    util = next(m.value for m in more.metric if m.label == "Overtime share of hours")
    assert util == "0.0%"


def test_tables_round_trip_and_an_edit_changes_the_scenario():
    s = load_scenario(ROOT / "data" / "red_tomato.json")
    assert edited_scenario(s, workforce_frame(s), families_frame(s)) == s
    wf = workforce_frame(s)
    wf.loc[wf["Setting"] == "Overtime cost", "Value"] = 99.0
    assert edited_scenario(s, wf, families_frame(s)).workforce.overtime_cost_per_hour == 99.0


def test_a_bad_edit_names_the_field():
    s = load_scenario(ROOT / "data" / "red_tomato.json")
    fam = families_frame(s)
    fam.loc[0, "Hours / unit"] = -1.0
    with pytest.raises(InputError) as err:
        edited_scenario(s, workforce_frame(s), fam)
    assert "families[0].labor_hours_per_unit" in str(err.value)


def test_rough_cut_capacity_per_resource(tmp_path, monkeypatch):
    monkeypatch.setenv("SOP_SAMPLE_SCENARIO", str(sample_with_lines(tmp_path)))
    at = open_capacity()
    assert "Rough-cut capacity per resource" in [h.value for h in at.subheader]
    assert {"**Line 1**", "**Line 2**", "**Supplier A**"} <= {m.value for m in at.markdown}
    charts = at.get("arrow_vega_lite_chart") or at.get("vega_lite_chart")
    assert len(charts) >= 4  # labour hours, then one per resource
    assert not at.error


def test_without_resources_the_section_says_how_to_add_them():
    at = open_capacity()
    assert any("no resources besides the workforce" in c.value for c in at.caption)


def test_the_plan_names_the_binding_resource(tmp_path, monkeypatch):
    monkeypatch.setenv("SOP_SAMPLE_SCENARIO", str(sample_with_lines(tmp_path)))
    at = open_app_page("pages/plan.py", run_entry_first=True)
    text = "\n".join(m.value for m in at.markdown)
    assert re.search(r"Line 2 is full[^:]* in \S+: one more hour saves \$", text), text


def test_the_calendar_shows_holidays_and_shutdowns(tmp_path, monkeypatch):
    monkeypatch.setenv("SOP_SAMPLE_SCENARIO", str(sample_with_lines(tmp_path)))
    at = open_capacity()
    assert "Working-day calendar" in [h.value for h in at.subheader]
    table = at.dataframe[-1].value
    assert "Christmas Day" in table.loc["Public holidays", "2026-12"]
    assert table.loc["Shutdown days", "2027-08"] == "2"
