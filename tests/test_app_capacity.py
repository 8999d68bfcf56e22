"""AppTest of the Capacity page, and the round trip of its editable tables."""

from __future__ import annotations

from pathlib import Path

import pytest
from apptests import open_app_page
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
