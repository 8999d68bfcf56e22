"""AppTest of the Capacity page, and the round trip of its editable tables."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest
from apptests import APP, open_app_page, shown
from factories import red_tomato, sample_with_lines
from streamlit.testing.v1 import AppTest

from pages._edit import families_frame, family_edits, workforce_edits, workforce_frame
from sop_core.base.errors import InputError
from sop_core.store.scenarios import Store
from sop_core.store.workspaces import Workspaces

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


def workspace(tmp_path: Path) -> Workspaces:
    return Workspaces(Store(f"sqlite:///{tmp_path / 'ws.sqlite'}"))


def test_tables_round_trip_and_an_edit_becomes_one_field_edit(tmp_path: Path):
    spaces = workspace(tmp_path)
    ws = spaces.create("Co", author="a", scenario=red_tomato())
    assert workforce_edits(ws, workforce_frame(ws)) == []
    assert family_edits(ws, families_frame(ws)) == []
    wf = workforce_frame(ws)
    wf.loc[wf["Setting"] == "Overtime cost", "Value"] = 99.0
    edits = workforce_edits(ws, wf)
    assert [(e.field, e.before, e.after) for e in edits] == [("overtime_cost_per_hour", 6.0, 99.0)]
    ws = spaces.apply("Co", edits, author="a")
    assert ws.scenario().workforce.overtime_cost_per_hour == 99.0


def test_a_renamed_row_renames_and_a_new_row_adds_a_family_to_review(tmp_path: Path):
    spaces = workspace(tmp_path)
    ws = spaces.create("Co", author="a", scenario=red_tomato())
    fam = families_frame(ws)
    fam.loc[0, "Family"] = "Hand tools"
    fam = pd.concat([fam, pd.DataFrame([{"Family": "Hoses", "Hours / unit": 2.0}])])
    ws = spaces.apply("Co", family_edits(ws, fam), author="a")
    assert ws.family_names == ["Hand tools", "Hoses"]
    hoses = ws.item("family", ws.family_key("Hoses")).value
    assert hoses["labor_hours_per_unit"] == 2.0 and hoses["needs_review"]
    assert hoses["material_cost"] == 10.0  # the other family's, as stated


def test_a_bad_edit_names_the_family_and_field(tmp_path: Path):
    spaces = workspace(tmp_path)
    ws = spaces.create("Co", author="a", scenario=red_tomato())
    fam = families_frame(ws)
    fam.loc[0, "Hours / unit"] = -1.0
    with pytest.raises(InputError) as err:
        spaces.apply("Co", family_edits(ws, fam), author="a")
    assert "family 'Garden tools'.labor_hours_per_unit" in str(err.value)


def test_removing_a_family_asks_first_and_undo_brings_it_back():
    at = open_capacity()
    n = len(at.session_state["ws_state"].families)
    family = at.selectbox(key="cap_remove_family").value
    assert any("Remove" in m.value and "Undo brings it back" in m.value for m in at.markdown)
    at.button(key="cap_remove_go").click().run()
    assert not at.exception
    assert family not in at.session_state["ws_state"].family_names
    assert len(at.session_state["ws_state"].families) == n - 1
    # the sidebar's Undo (AppTest shows the entry script's elements on a first run only)
    home = AppTest.from_file(APP, default_timeout=60).run()
    assert family not in home.session_state["ws_state"].family_names  # saved, not per session
    home.sidebar.button(key="sidebar_undo").click().run()
    assert not home.exception
    assert family in home.session_state["ws_state"].family_names


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
    text = shown("\n".join(m.value for m in at.markdown))
    assert re.search(r"Line 2 is full[^:]* in \S+: one more hour saves \$", text), text


def test_the_calendar_shows_holidays_and_shutdowns(tmp_path, monkeypatch):
    monkeypatch.setenv("SOP_SAMPLE_SCENARIO", str(sample_with_lines(tmp_path)))
    at = open_capacity()
    assert "Working-day calendar" in [h.value for h in at.subheader]
    table = at.dataframe[-1].value
    assert "Christmas Day" in table.loc["Public holidays", "2026-12"]
    assert table.loc["Shutdown days", "2027-08"] == "2"


def test_an_editor_delta_becomes_the_table_the_user_sees():
    """Edited cells by position, deleted rows, added rows (with no key yet)."""
    from pages._workspace import apply_editor_delta

    frame = pd.DataFrame(
        {"key": ["f1", "f2", "f3"], "Family": ["A", "B", "C"], "Hours / unit": [1.0, 2.0, 3.0]}
    ).set_index("key")
    delta = {
        "edited_rows": {2: {"Hours / unit": 9.0}},
        "deleted_rows": [0],
        "added_rows": [{"Family": "D", "Hours / unit": 4.0}, {}],
    }
    out = apply_editor_delta(frame, delta).reset_index()
    assert list(out["key"][:2]) == ["f2", "f3"] and pd.isna(out["key"][2])  # new: no key
    assert list(out["Family"]) == ["B", "C", "D"]
    assert list(out["Hours / unit"]) == [2.0, 9.0, 4.0]
