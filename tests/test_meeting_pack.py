"""The meeting pack's content: the sections an executive meeting reads, in order, with
the plan's own numbers, read back from the PDF and the Excel workbook."""

from __future__ import annotations

import io
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from sop_core.demand.history import read_history
from sop_core.engine.kpis import show
from sop_core.engine.planner import solve
from sop_core.model.scenario import load_scenario, with_changes
from sop_core.process.business_plan import business_plan_template
from sop_core.reports.meeting_pack import meeting_sections
from sop_core.reports.pack import pack_excel, pack_pdf

DATA = Path(__file__).resolve().parent.parent / "data"


@pytest.fixture(scope="module")
def sample():
    scenario = load_scenario(DATA / "sample_company.json")
    return scenario, solve(scenario), read_history(DATA / "sample_history.csv")


def test_the_pack_has_every_section_in_the_meetings_order(sample):
    scenario, result, history = sample
    tight = with_changes(scenario, max_overtime_hours_per_worker=0)
    budget = business_plan_template(scenario)
    budget.loc[budget["family"] == scenario.families[0].name, "revenue"] *= 1.5  # a gap
    decisions = pd.DataFrame(
        {"decision": ["Hire 5 for the peak"], "owner": ["Eve"], "due": ["2027-01-15"]}
    )
    sections = meeting_sections(
        scenario,
        result,
        plan_name="Base",
        alternatives={"No overtime": solve(tight)},
        budget=budget,
        history=history,
        decisions=decisions,
        assumptions=pd.DataFrame(columns=["assumption", "owner"]),
        decision="approve Base or No overtime",
    )
    titles = [s.title for s in sections]
    families = [f.name for f in scenario.families]
    assert titles == [
        "Summary",
        "Demand and supply",
        "Scenarios compared",
        "Gap to the business plan",
        "Exceptions",
        "Decisions needed",
        "Assumptions",
        *(f"Family S&OP sheet: {f}" for f in families),
    ]
    reader = PdfReader(io.BytesIO(pack_pdf("2026-12 S&OP cycle", sections)))
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert show("total_cost", result.kpis["total_cost"]) in text  # the plan's own cost
    assert "Decision asked for: approve Base or No overtime" in text
    assert "Hire 5 for the peak" in text and "None open." in text
    assert "below_budget" in text  # the revenue gap made an exception
    assert all(f"Family S&OP sheet: {f}" in text for f in families)
    assert len(reader.pages[2].images) == 1  # the balance chart
    book = load_workbook(io.BytesIO(pack_excel(sections)))
    assert {"Summary", "Balance", "Scenarios", "Gap to budget", "Exceptions"} <= set(
        book.sheetnames
    )
    gap = pd.read_excel(io.BytesIO(pack_excel(sections)), sheet_name="Gap to budget")
    first = gap[gap["Family"] == families[0]].iloc[0]
    assert first["Gap revenue"] < 0 and first["Gap units"] == 0


def test_without_a_business_plan_the_pack_says_so(sample):
    scenario, result, _ = sample
    sections = meeting_sections(scenario, result, plan_name="Base")
    gap = next(s for s in sections if s.title == "Gap to the business plan")
    assert gap.table is None and "No business plan" in gap.text[0]
    assert [s.title for s in sections][-1] == "Exceptions"  # no history: no family sheets


def test_the_packs_family_sheets_carry_the_actuals_and_earlier_plans(sample):
    scenario, result, history = sample
    family = scenario.families[0].name
    first = pd.Period(scenario.period_labels[0], "M")
    past = [str(first - k) for k in (3, 2, 1)]
    actuals = pd.DataFrame(
        {
            "family": family,
            "period": past,
            "production": [11.0, 22.0, 33.0],
            "inventory": [1.0, 2.0, 3.0],
            "backlog": [0.0, 0.0, 4.0],
        }
    )
    earlier = result.families[
        ["family", "period", "demand", "production", "inventory", "backorder"]
    ]
    earlier = earlier.assign(period=earlier["period"].map(lambda p: str(pd.Period(p, "M") - 3)))
    sections = meeting_sections(
        scenario,
        result,
        plan_name="Base",
        history=history,
        actuals=actuals,
        past_plans=earlier.assign(plan="2026-09"),
    )
    sheet = next(s for s in sections if s.title == f"Family S&OP sheet: {family}")
    table = sheet.table.set_index("")
    assert list(table.loc["Production actual", past]) == [11.0, 22.0, 33.0]
    planned = earlier[earlier["family"] == family].set_index("period")
    assert list(table.loc["Production plan", past]) == list(planned.loc[past, "production"])
    assert "earlier cycles' plans" in sheet.text[0]


def test_the_forecast_value_added_goes_into_the_pack_when_scored(sample):
    from sop_core.process.fva import forecast_value_added

    scenario, result, _ = sample
    sales = pd.DataFrame(
        {"family": "A", "period": ["2026-12", "2027-01", "2027-02"], "sales": [80, 100, 50]}
    )
    snapshots = pd.DataFrame(
        {
            "cycle": "2027-01",
            "family": "A",
            "period": ["2027-01", "2027-02"],
            "statistical": [90.0, 60.0],  # MAPE 15 %
            "consensus": [100.0, 55.0],  # MAPE 5 %
        }
    )
    fva = forecast_value_added(snapshots, sales)
    sections = meeting_sections(scenario, result, plan_name="Base", fva=fva)
    assert [s.title for s in sections][-1] == "Forecast value added"
    section = sections[-1]
    assert section.text == [
        "2027-01 cycle, all families: the overrides improved MAPE by 10.0 points; "
        "the model beat the naive forecast by 25.0 points."
    ]
    table = section.table
    assert list(table["Family"]) == ["A", "All families"]
    assert list(table["MAPE statistical"]) == ["15.0 %", "15.0 %"]
    assert list(table["MAPE consensus"]) == ["5.0 %", "5.0 %"]
    assert list(table["Overrides (MAPE points)"]) == ["+10.0", "+10.0"]
    text = "\n".join(
        p.extract_text() for p in PdfReader(io.BytesIO(pack_pdf("pack", sections))).pages
    )
    assert "Forecast value added" in text and "improved MAPE by 10.0 points" in text
    book = pd.read_excel(io.BytesIO(pack_excel(sections)), sheet_name="Forecast value added")
    assert list(book["Bias consensus"]) == [f"{5 / 150 * 100:.1f} %"] * 2
    # nothing scored yet: the section says so, without a table
    empty = meeting_sections(scenario, result, plan_name="Base", fva=fva.iloc[0:0])
    assert empty[-1].table is None and "Nothing scored yet" in empty[-1].text[0]
