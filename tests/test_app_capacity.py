"""AppTest of the Capacity page, and the round trip of its editable tables."""

from __future__ import annotations

import json
import math
import os
import re
from pathlib import Path

import pandas as pd
import pytest
from apptests import APP, open_app_page, shown, what_people_should_not_see
from factories import red_tomato, sample_with_lines
from streamlit.testing.v1 import AppTest

# the check of every table a page shows (headers, None/nan, number formats)
from pages._edit import families_frame, family_edits, workforce_edits, workforce_frame
from sop_core.base.errors import InputError
from sop_core.base.fields import FAMILY_FIELDS, header, label, with_numbers
from sop_core.process.workspace import Edit, default_family
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
    assert any("No resources besides the workforce" in c.value for c in at.caption)
    assert at.selectbox(key="res_pick").options == ["New resource…"]  # the editor offers one


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


# --------------------------------------------------------------------------- the vocabulary

PLAN_ROWS = [
    "Workforce (workers)",
    "Hours used",
    "Regular hours available",
    "Overtime (hours)",
    "Utilisation",
]


def chart_specs(at: AppTest) -> list[dict]:
    charts = at.get("arrow_vega_lite_chart") or at.get("vega_lite_chart")
    return [json.loads(c.proto.spec) for c in charts]


def axis_formats(spec: dict) -> list[str]:
    """The y axes' label formats of a layered chart."""
    return [
        layer["encoding"]["y"].get("axis", {}).get("format")
        for layer in spec["layer"]
        if "axis" in layer["encoding"].get("y", {})
    ]


def test_the_capacity_tables_speak_the_vocabulary():
    at = open_capacity()
    assert what_people_should_not_see(at) == []
    table = at.dataframe[0].value
    assert list(table.index) == PLAN_ROWS
    assert table.loc["Workforce (workers)"].iloc[0] == "110"  # whole workers: not "110.0"
    assert table.loc["Hours used"].iloc[0] == "18,480"
    assert all(re.fullmatch(r"\d+\.\d%", u) for u in table.loc["Utilisation"])
    assert axis_formats(chart_specs(at)[0]) == [",.0f"]


def test_before_the_consensus_capacity_says_so_and_shows_no_none():
    """A new company with its families but no forecast handed over: the plan's periods
    are 1-12 and every demand 0. The page says why; blanks are blank, numbers whole."""
    spaces = Workspaces(Store(os.environ["SOP_DATABASE_URL"]))
    spaces.create("Acme", author="a")
    new = [default_family(n, [], 12) for n in ("Pumps", "Valves")]
    spaces.apply(
        "Acme",
        [Edit("family", f"f{i}", None, v, position=i) for i, v in enumerate(new, 1)],
        author="a",
    )
    at = open_capacity(company="Acme")
    assert any("no demand yet" in i.value and "Demand page" in i.value for i in at.info)
    assert what_people_should_not_see(at) == []
    table = at.dataframe[0].value
    assert list(table.columns) == [str(t) for t in range(1, 13)]
    assert set(table.loc["Workforce (workers)"]) == {"0"}  # not "0.0"
    assert set(table.loc["Utilisation"]) == {""}  # no regular hours: blank, not "–" or nan
    assert axis_formats(chart_specs(at)[0]) == [",.0f"]  # not 0.000000
    workforce = next(d for d in at.data_editor if "Setting" in d.value.columns)
    limits = workforce.value.set_index("Setting").loc[[label("min_workers"), label("max_workers")]]
    assert limits["Value"].isna().all() and workforce.proto.placeholder == ""
    families = next(d for d in at.data_editor if label("name") in d.value.columns)
    column = families.value[label("max_subcontract")]  # no family has one: numbers, blank
    assert column.dtype.kind == "f" and column.isna().all()


def test_the_families_table_as_numbers_saves_what_it_saved(tmp_path: Path):
    """Missing values shown blank (NaN) are read back as "none": the table unedited is no
    edit, a cleared cell saves None, as a blank cell always did."""
    spaces = workspace(tmp_path)
    ws = spaces.create("Co", author="a", scenario=red_tomato())
    ws = spaces.apply(
        "Co",
        [Edit("family", "f9", None, default_family("New", [], ws.scenario().horizon))],
        author="a",
    )
    frame = with_numbers(families_frame(ws), FAMILY_FIELDS)
    assert frame[label("max_subcontract")].dtype.kind == "f"
    assert family_edits(ws, frame) == []
    frame.loc[0, label("initial_inventory")] = math.nan  # 1000 → cleared
    edits = family_edits(ws, frame)
    assert [(e.field, e.before, e.after) for e in edits] == [("initial_inventory", 1000.0, None)]
    wf = workforce_frame(ws)
    ceiling = wf["Setting"] == label("max_workers")
    wf.loc[ceiling, "Value"] = 120.0
    ws = spaces.apply("Co", workforce_edits(ws, wf), author="a")
    wf.loc[ceiling, "Value"] = math.nan  # the ceiling cleared: none again
    edits = workforce_edits(ws, wf)
    assert [(e.field, e.before, e.after) for e in edits] == [("max_workers", 120.0, None)]


def test_rough_cut_tables_show_hours_whole_and_utilisation_to_a_tenth(tmp_path, monkeypatch):
    monkeypatch.setenv("SOP_SAMPLE_SCENARIO", str(sample_with_lines(tmp_path)))
    at = open_capacity()
    assert what_people_should_not_see(at) == []
    table = next(d.value for d in at.dataframe if header("load") in d.value.index)
    assert list(table.index) == [
        "Load (hours)",
        "Hours available",
        "Overtime (hours)",
        "Utilisation",
        "Value of one more hour",
    ]
    assert all(re.fullmatch(r"\d{1,3}(,\d{3})*", h) for h in table.loc["Load (hours)"])
    assert all(re.fullmatch(r"\d+\.\d%", u) for u in table.loc["Utilisation"])
    assert all(re.fullmatch(r"\$[\d,]+(\.\d\d)?", v) for v in table.loc["Value of one more hour"])
    assert all(",.0f" in axis_formats(spec) for spec in chart_specs(at))


def test_a_renamed_familys_old_name_is_seen_and_removed():
    from sop_core.process.workspace import rename_edits

    at = open_capacity()
    spaces = Workspaces(Store(os.environ["SOP_DATABASE_URL"]))
    company = at.session_state["company"]
    state = spaces.state(company)
    key = state.families[0].key
    old = state.families[0].value["name"]
    spaces.apply(company, rename_edits(state, key, "Typo"), author="ann")
    at = open_capacity()
    keep = at.multiselect(key=f"cap_alias_keep_{key}")
    assert keep.value == [old]  # the old name, kept so that the history still finds it
    keep.set_value([])
    at.button(key="cap_alias_go").click().run()
    assert not at.exception
    assert spaces.state(company).item("family", key).value["history_names"] == []
