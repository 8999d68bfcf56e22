"""The company workbook: one file out, the same company back in, formulas kept as text."""

from __future__ import annotations

import io
from pathlib import Path

import pandas as pd
import pytest
from factories import red_tomato
from openpyxl import load_workbook

from sop_core.base.errors import InputError
from sop_core.demand.history import read_history
from sop_core.engine.planner import Planner
from sop_core.process.workspace import (
    Edit,
    adjustment_edits,
    mapping_edits,
    monthly_edits,
    suggest_mapping,
)
from sop_core.reports.workbook import company_of, read_workbook, write_workbook
from sop_core.services.companies import import_company
from sop_core.services.workbench import Workbench
from sop_core.store.scenarios import Store
from sop_core.store.workspaces import Workspaces, keep_whatif

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def spaces(tmp_path: Path) -> Workspaces:
    return Workspaces(Store(f"sqlite:///{tmp_path / 'wb.sqlite'}"))


def _company(spaces: Workspaces, name: str = "Acme") -> None:
    """A company with a history under other names, an adjustment, a what-if, a per-period
    safety stock and a family whose name looks like a spreadsheet formula."""
    scenario = red_tomato()
    data = scenario.model_dump()
    data["families"].append(
        {**data["families"][0], "name": '=HYPERLINK("x")', "safety_stock": [1, 2, 3, 4, 5, 6]}
    )
    from sop_core.model.scenario import parse_scenario

    state = spaces.create(name, author="ann", scenario=parse_scenario(data))
    history = read_history(ROOT / "data" / "sample_history.csv")
    history = history[history["family"] == "Garden Tools"]
    upload = spaces.add_history(name, history, "sales.csv", author="ann")
    mapping = suggest_mapping(["Garden Tools"], state).assign(family=["Garden tools"])
    state = spaces.apply(name, mapping_edits(state, mapping, upload), author="ann")
    adj = pd.DataFrame(
        [
            {
                "family": "Garden tools",
                "period": "Mar",
                "change": 5.0,
                "unit": "%",
                "comment": "promo; =1+1",
            }
        ]
    )
    state = spaces.apply(name, adjustment_edits(state, adj), author="ann")
    key = state.family_key("Garden tools")
    spaces.apply(name, [Edit("family", key, False, True, field="needs_review")], author="ann")
    keep_whatif(
        spaces, name, "More OT", scenario, {"overtime": 20.0, "safety_months": 0.0}, author="ann"
    )
    state = spaces.state(name)
    plan = pd.DataFrame(
        [("Garden tools", "2027-01", 1600.0, 64000.5), ('=HYPERLINK("x")', "2027-01", 1.0, 2.0)],
        columns=["family", "period", "units", "revenue"],
    )
    state = spaces.apply(name, monthly_edits(state, "budget", plan), author="ann")
    actual = pd.DataFrame(
        [("Garden tools", "2026-11", 1500.0, 800.0, 12.0)],
        columns=["family", "period", "production", "inventory", "backlog"],
    )
    state = spaces.apply(name, monthly_edits(state, "actual", actual), author="ann")
    plan = state.value("plan")  # the consensus in the plan was made from the naive model
    spaces.apply(name, [Edit("plan", "plan", None, "naive", field="forecast_model")], author="a")
    assert plan.get("forecast_model") is None


def _export(spaces: Workspaces, name: str) -> bytes:
    state = spaces.state(name)
    upload = state.history_upload
    history = spaces.history(upload["upload_id"]) if upload else None
    return write_workbook(company_of(state, history))


def _sheets(data: bytes) -> dict[str, pd.DataFrame]:
    return pd.read_excel(io.BytesIO(data), sheet_name=None)


def test_a_round_trip_changes_nothing(spaces: Workspaces) -> None:
    _company(spaces)
    first = _export(spaces, "Acme")
    state = import_company(
        Workbench(spaces.store), "Acme 2", read_workbook(first, "acme.xlsx"), author="bob"
    )
    second = _export(spaces, "Acme 2")
    a, b = _sheets(first), _sheets(second)
    assert list(a) == list(b)
    for sheet in a:
        pd.testing.assert_frame_equal(a[sheet], b[sheet], check_dtype=False, obj=sheet)
    original = spaces.state("Acme")
    assert state.scenario() == original.scenario()
    assert state.history_names() == original.history_names()
    cost = lambda s: Planner(s.scenario()).solve(s.scenario()).total_cost  # noqa: E731
    assert cost(state) == pytest.approx(cost(original), abs=0.005)  # to the cent
    assert set(state.whatifs) == {"More OT"}
    assert state.value("plan")["forecast_model"] == original.value("plan")["forecast_model"]
    for kind in ("budget", "actual"):
        assert not original.monthly(kind).empty
        pd.testing.assert_frame_equal(state.monthly(kind), original.monthly(kind), obj=kind)


def test_text_that_looks_like_a_formula_is_stored_as_text(spaces: Workspaces) -> None:
    _company(spaces)
    wb = load_workbook(io.BytesIO(_export(spaces, "Acme")))
    cells = [c for row in wb["Families"].iter_rows() for c in row if c.value == '=HYPERLINK("x")']
    assert cells and all(c.data_type == "s" for c in cells)


def test_a_bad_workbook_names_the_sheet_and_field() -> None:
    with pytest.raises(InputError, match="cannot be read as an Excel workbook"):
        read_workbook(b"not a workbook", "x.xlsx")
    data = write_workbook(company_of_red_tomato())
    wb = load_workbook(io.BytesIO(data))
    wb["Families"]["D2"] = -3  # holding cost
    buf = io.BytesIO()
    wb.save(buf)
    with pytest.raises(InputError) as err:
        read_workbook(buf.getvalue())
    assert "Families 'Garden tools'.holding_cost" in str(err.value)
    del wb["Workforce"]
    buf = io.BytesIO()
    wb.save(buf)
    with pytest.raises(InputError, match="Workforce: sheet missing"):
        read_workbook(buf.getvalue())


def company_of_red_tomato():
    from sop_core.reports.workbook import Company

    return Company(scenario=red_tomato())


def test_resources_calendar_and_fence_make_the_round_trip_too(
    spaces: Workspaces, tmp_path: Path
) -> None:
    from factories import sample_with_lines

    from sop_core.model.scenario import load_scenario

    scenario = load_scenario(sample_with_lines(tmp_path))
    scenario = scenario.model_copy(
        update={"policy": scenario.policy.model_copy(update={"frozen_periods": 2})}
    )
    assert scenario.resources and scenario.calendar is not None
    state = spaces.create("Lines", author="ann", scenario=scenario)
    assert state.scenario() == scenario  # the workspace keeps every part of the scenario
    back = read_workbook(write_workbook(company_of(state, None)))
    assert back.scenario == scenario


def test_business_plan_and_actuals_sheets_are_optional_and_checked_like_an_upload(
    spaces: Workspaces,
) -> None:
    _company(spaces)
    wb = load_workbook(io.BytesIO(_export(spaces, "Acme")))
    assert [c.value for c in wb["Business plan"][1]] == ["Family", "Period", "Units", "Revenue"]
    wb["Business plan"]["C2"] = -1  # units
    buf = io.BytesIO()
    wb.save(buf)
    with pytest.raises(InputError) as err:
        read_workbook(buf.getvalue())
    assert "Business plan row 2, column units" in str(err.value) and "-1" in str(err.value)
    del wb["Business plan"], wb["Actuals"]  # a workbook from before they existed
    buf = io.BytesIO()
    wb.save(buf)
    company = read_workbook(buf.getvalue())
    assert company.tables == {}
    state = import_company(Workbench(spaces.store), "Old", company, author="bob")
    assert state.business_plan.empty and state.actuals.empty


def test_an_unknown_forecast_model_in_the_workbook_is_named(spaces: Workspaces) -> None:
    _company(spaces)
    wb = load_workbook(io.BytesIO(_export(spaces, "Acme")))
    rows = [r for r in wb["Policy"].iter_rows() if r[0].value == "Forecast model"]
    assert [r[1].value for r in rows] == ["naive"]
    rows[0][1].value = "crystal ball"
    buf = io.BytesIO()
    wb.save(buf)
    with pytest.raises(InputError) as err:
        read_workbook(buf.getvalue())
    assert "Policy Forecast model" in str(err.value) and "'crystal ball'" in str(err.value)


def test_numbers_are_kept_exact_and_shown_by_their_kind(spaces: Workspaces) -> None:
    from sop_core.reports.workbook import NUMBER_FORMATS, Company

    scenario = red_tomato()
    family = scenario.families[0]
    demand = [397.355086, *family.demand[1:]]  # a consensus forecast: not whole
    scenario = scenario.model_copy(
        update={"families": [family.model_copy(update={"demand": demand})]}
    )
    budget = pd.DataFrame(
        [(family.name, "2027-01", 1600.25, 64000.5)],
        columns=["family", "period", "units", "revenue"],
    )
    data = write_workbook(Company(scenario=scenario, tables={"budget": budget}))
    wb = load_workbook(io.BytesIO(data))

    def column(sheet: str, header: str) -> list:
        ws = wb[sheet]
        at = [c.value for c in ws[1]].index(header)
        return [row[at] for row in ws.iter_rows(min_row=2)]

    first = column("Plan demand", "Demand")[0]
    assert first.value == 397.355086  # the full precision in the cell …
    assert first.number_format == "#,##0"  # … shown as whole units
    formats = {
        ("Families", "Material $ / unit"): "#,##0.00",
        ("Families", "Initial inventory"): "#,##0",
        ("Families", "Hours / unit"): "General",
        ("Plan demand", "Demand"): "#,##0",
        ("Business plan", "Units"): "#,##0",
        ("Business plan", "Revenue"): "#,##0",
    }
    for (sheet, header), fmt in formats.items():
        cells = [c for c in column(sheet, header) if isinstance(c.value, int | float)]
        assert cells and {c.number_format for c in cells} == {fmt}, (sheet, header)
    # the workforce sheet: each setting's value by its own kind
    settings = {r[0].value: r[1] for r in wb["Workforce"].iter_rows(min_row=2)}
    assert settings["Workers at the start"].number_format == NUMBER_FORMATS["workers"]
    assert settings["Regular cost per worker"].number_format == "#,##0.00"
    assert settings["Regular hours per worker"].number_format == "#,##0"
    # text stays text, unformatted; and everything comes back exactly
    assert all(c.number_format == "General" for c in column("Families", "Family"))
    back = read_workbook(data)
    assert back.scenario == scenario
    assert back.scenario.families[0].demand[0] == 397.355086
    pd.testing.assert_frame_equal(back.tables["budget"], budget, check_dtype=False)


def test_launches_and_phase_outs_make_the_round_trip(spaces: Workspaces) -> None:
    import json

    from sop_core.model.scenario import parse_scenario

    data = json.loads(red_tomato().to_json())
    data["periods"] = [f"2027-{m:02d}" for m in range(1, 7)]
    garden = data["families"][0]
    garden["phase_out"] = {"end_period": "2027-05", "last_time_buy": 40, "replacement": "New"}
    new = {**garden, "name": "New", "phase_out": None,
           "launch": {"start": "2027-03", "like": "Garden tools", "volume": 900,
                      "ramp_shares": [0.5], "cannibalise": "Garden tools",
                      "cannibalise_share": 0.25}}  # fmt: skip
    data["families"].append(new)
    garden["sku_launches"] = [
        {"sku": "G-2", "start": "2027-02", "like": "G-1", "factor": 0.5,
         "demand": [0, 10, 20, 20, 20, 20]}
    ]  # fmt: skip
    garden["sku_phase_outs"] = [
        {"sku": "G-1", "end_period": "2027-04", "replacement": "G-2", "demand": [5] * 6}
    ]
    scenario = parse_scenario(data)
    state = spaces.create("Portfolio", author="ann", scenario=scenario)
    book = write_workbook(company_of(state, None))
    assert read_workbook(book).scenario == scenario
    families = _sheets(book)["Families"]
    assert families["Phase-out"].tolist()[0] == (
        '{"end_period": "2027-05", "last_time_buy": 40.0, "replacement": "New"}'
    )
    assert json.loads(families["SKU phase-outs"].tolist()[0])[0]["replacement"] == "G-2"
    assert pd.isna(families["SKU launches"].tolist()[1])  # none: a blank cell, not []


def test_an_sku_launch_that_is_not_a_json_list_is_named_by_row_and_column(
    spaces: Workspaces,
) -> None:
    from openpyxl import load_workbook as load

    _company(spaces)
    wb = load(io.BytesIO(_export(spaces, "Acme")))
    sheet = wb["Families"]
    column = [c.value for c in sheet[1]].index("SKU launches") + 1
    sheet.cell(row=2, column=column, value='{"sku": "G-2"}')
    buf = io.BytesIO()
    wb.save(buf)
    with pytest.raises(InputError, match=r"Families row 2, SKU launches: must be a JSON list"):
        read_workbook(buf.getvalue())


def test_a_launch_that_is_not_json_is_named_by_row_and_column(spaces: Workspaces) -> None:
    from openpyxl import load_workbook as load

    _company(spaces)
    wb = load(io.BytesIO(_export(spaces, "Acme")))
    sheet = wb["Families"]
    column = [c.value for c in sheet[1]].index("Launch") + 1
    sheet.cell(row=2, column=column, value="next spring")
    buf = io.BytesIO()
    wb.save(buf)
    with pytest.raises(InputError, match="Families row 2, Launch: must be the scenario file"):
        read_workbook(buf.getvalue())


def test_the_more_sheet_names_its_settings_and_leaves_defaults_blank(
    spaces: Workspaces,
) -> None:
    import json

    from sop_core.model.scenario import parse_scenario

    data = json.loads(red_tomato().to_json())
    data["resources"] = [{"name": "Line 1", "hours_available": 900}]
    scenario = parse_scenario(data)
    state = spaces.create("More", author="ann", scenario=scenario)
    book = write_workbook(company_of(state, None))
    more = _sheets(book)["More"].set_index("Setting")["Value"]
    assert "Resources" in more.index and "resources" not in more.index
    assert json.loads(more["Resources"])[0]["name"] == "Line 1"
    assert more.drop("Resources").isna().all()  # defaults: blank, not [] or null
    assert read_workbook(book).scenario == scenario
