"""The meeting pack's content: the sections an executive meeting reads, in order, with
the plan's own numbers, read back from the PDF and the Excel workbook."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pandas as pd
import pytest
from factories import pack_sections
from openpyxl import load_workbook
from pypdf import PdfReader

from sop_core.base.fields import MISSING, header
from sop_core.demand.history import read_history
from sop_core.engine.kpis import money, show
from sop_core.engine.planner import solve
from sop_core.model.scenario import load_scenario, with_changes
from sop_core.process.business_plan import business_plan_template
from sop_core.reports.meeting_pack import meeting_sections, readable
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
        "The decision",
        "Demand and supply",
        "Scorecard: the five aims of S&OP",
        "Scorecard per family",
        "Scenarios compared",
        "Gap to the business plan",
        "Exceptions",
        "Decisions needed",
        "Assumptions",
        *(f"Family S&OP sheet: {f}" for f in families),
    ]
    pdf = pack_pdf("2026-12 S&OP cycle", sections)
    reader = PdfReader(io.BytesIO(pdf))
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert show("total_cost", result.kpis["total_cost"]) in text  # the plan's own cost
    assert "Decision asked: approve Base or No overtime." in text
    assert "Hire 5 for the peak" in text and "Nothing open." in text
    assert "Below budget" in text and "below_budget" not in text  # the revenue gap's exception
    assert all(f"Family S&OP sheet: {f}" in text for f in families)
    page_of = {title: page for title, (page, _) in pack_sections(pdf).items()}
    assert list(page_of) == titles  # the PDF's outline: every section, in order
    assert len(reader.pages[page_of["Demand and supply"]].images) >= 1  # the balance chart
    book = load_workbook(io.BytesIO(pack_excel(sections)))
    assert {"Decision", "Balance", "Scenarios", "Gap to budget", "Exceptions"} <= set(
        book.sheetnames
    )
    gap = pd.read_excel(io.BytesIO(pack_excel(sections)), sheet_name="Gap to budget")
    first = gap[gap["Family"] == families[0]].iloc[0]
    assert first["Gap revenue ($)"] < 0 and first["Gap units"] == 0


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
    assert list(table["MAPE statistical"]) == ["15.0%", "15.0%"]
    assert list(table["MAPE consensus"]) == ["5.0%", "5.0%"]
    assert list(table["Overrides (MAPE points)"]) == ["+10.0", "+10.0"]
    text = "\n".join(
        p.extract_text() for p in PdfReader(io.BytesIO(pack_pdf("pack", sections))).pages
    )
    assert "Forecast value added" in text and "improved MAPE by 10.0 points" in text
    book = pd.read_excel(io.BytesIO(pack_excel(sections)), sheet_name="Forecast value added")
    assert list(book["Bias consensus"]) == [f"{5 / 150 * 100:.1f}%"] * 2
    # nothing scored yet: the section says so, without a table
    empty = meeting_sections(scenario, result, plan_name="Base", fva=fva.iloc[0:0])
    assert empty[-1].table is None and "Nothing scored yet" in empty[-1].text[0]


WHOLE = re.compile(r"−?\d{1,3}(?:,\d{3})*")


def _value(text: str) -> float:
    return float(text.replace(",", "").replace("−", "-"))


def _rows(page: str, labels: list[str]) -> dict[str, list[str]]:
    """The values printed after each row label of a family sheet's page (blank cells
    print nothing, so a row's values are its months that have one, in order)."""
    out = {}
    for line in page.splitlines():
        for label in labels:
            if line.startswith(label + " ") or line == label:
                out[label] = line[len(label) :].split()
    return out


def test_the_pack_reads_as_people_read_it(sample):
    from sop_core.process.sop_sheet import SHEET_ROWS

    scenario, _, history = sample
    tight = with_changes(scenario, max_overtime_hours_per_worker=0)  # subcontracts
    result = solve(tight)
    assert (result.families["subcontract"] > 1).any()
    no_targets = tight.model_copy(
        update={"families": [f.model_copy(update={"safety_stock": 0}) for f in tight.families]}
    )
    decisions = pd.DataFrame(
        {"text": ["Hire 5"], "owner": [None], "family": [float("nan")], "due": [pd.NaT]}
    )
    sections = meeting_sections(
        tight,
        result,
        plan_name="No overtime",
        alternatives={"No safety stock": solve(no_targets)},
        budget=business_plan_template(scenario),
        history=history,
        decisions=decisions,
        assumptions=pd.DataFrame(columns=["text", "owner"]),
    )
    pdf = pack_pdf("pack", sections)
    reader = PdfReader(io.BytesIO(pdf))
    sections_at = pack_sections(pdf)
    printed = {title: body for title, (_, body) in sections_at.items()}
    text = "\n".join(printed.values())
    assert not re.search(r"\bNone\b", text) and not re.search(r"\bnan\b", text, re.I)
    assert not re.search(r"\bNaT\b|<NA>|\(s\)", text)
    assert "No overtime against 1 alternative." in text
    # the plan without any safety stock has none to meet: the one missing mark, as on a
    # tile, not 100 %
    scenarios = printed["Scenarios compared"]
    met = next(line for line in scenarios.splitlines() if line.startswith("Safety stock met"))
    assert met.split()[-1] == MISSING == money(None) and met.split()[-2].endswith("%")
    # the balance table's and the gap table's units are whole; the gap's money in dollars
    balance = printed["Demand and supply"]
    body = [line for line in balance.splitlines() if re.match(r"\d{4}-\d{2} ", line)]
    assert len(body) == tight.horizon
    assert all(WHOLE.fullmatch(v) for line in body for v in line.split()[1:]), body
    gap = printed["Gap to the business plan"]
    assert "$" in gap and not re.search(r"\d\.\d", gap)

    labels = [label for _, label in SHEET_ROWS]
    assert "Subcontracting plan" in labels
    for family in tight.families:
        page = printed[f"Family S&OP sheet: {family.name}"]
        rows = _rows(page, labels)
        assert set(rows) == set(labels)  # every row printed, subcontracting too
        for label, values in rows.items():  # units (and days) whole: no decimals
            assert all(WHOLE.fullmatch(v) for v in values), (family.name, label, values)
        assert not re.search(r"\bNone\b|\bnan\b", page)
        n = tight.horizon
        plan = {
            label: [_value(v) for v in rows[label][-n:]]
            for label in (
                "Forecast",
                "Production plan",
                "Subcontracting plan",
                "Inventory plan",
                "Backlog plan",
            )
        }
        assert all(len(v) == n for v in plan.values())
        planned = result.families[result.families["family"] == family.name]
        assert plan["Subcontracting plan"] == pytest.approx(list(planned["subcontract"]), abs=0.5)
        # the rows add up: production + subcontracting − demand = Δ inventory − Δ backlog
        stock = [family.initial_inventory - family.initial_backorder] + [
            i - b for i, b in zip(plan["Inventory plan"], plan["Backlog plan"], strict=True)
        ]
        for t in range(n):
            supply = plan["Production plan"][t] + plan["Subcontracting plan"][t]
            assert supply - plan["Forecast"][t] == pytest.approx(
                stock[t + 1] - stock[t],
                abs=3.0,  # six figures, each rounded to the unit
            ), (family.name, t)
        cover = [_value(v) for v in rows["Days of cover"]]
        assert len(cover) == n and max(cover) > 0  # not 0 everywhere
        # … and the page says so for the horizon, with the figures that add up
        said = re.search(
            r"It adds up over the 12 months: production ([\d,]+) \+ subcontracting ([\d,]+) "
            r"− demand ([\d,]+) = ([−+]?[\d,]+) units; inventory went from ([\d,]+) to "
            r"([\d,]+)",
            " ".join(page.splitlines()),
        )
        assert said, page
        made, bought, sold, net, opened, closed = (_value(g.lstrip("+")) for g in said.groups())
        assert made + bought - sold == pytest.approx(net, abs=1.5)
        assert closed - opened == pytest.approx(net, abs=1.5)  # no backlog in this plan
        assert sold == pytest.approx(sum(plan["Forecast"]), abs=n)
        # a page of its own, the family's chart at its top
        start, _ = sections_at[f"Family S&OP sheet: {family.name}"]
        assert reader.pages[start].extract_text().startswith(f"Family S&OP sheet: {family.name}")
        assert len(reader.pages[start].images) == 1

    # the Excel pack keeps the plan's numbers exactly, shown as whole units
    book = load_workbook(io.BytesIO(pack_excel(sections)))
    family = tight.families[0].name
    sheet = book[f"Sheet {family}"]
    rows = {r[0].value: r[1:] for r in sheet.iter_rows(min_row=2)}
    made = [c for c in rows["Production plan"] if c.value is not None]
    planned = result.families[result.families["family"] == family]
    assert [c.value for c in made] == pytest.approx(list(planned["production"]), rel=1e-12)
    assert {c.number_format for c in made} == {"#,##0"}
    gap = book["Gap to budget"]
    revenue = [c.value for c in gap[1]].index("Plan revenue ($)")
    assert {r[revenue].number_format for r in gap.iter_rows(min_row=2)} == {"#,##0"}


def test_pack_columns_are_named_by_the_vocabulary():
    frame = pd.DataFrame(columns=["family", "gap_revenue", "plan_units", "due_date"])
    assert list(readable(frame).columns) == [
        "Family",
        "Gap revenue ($)",  # the field's label and unit, as every table heads it
        "Plan units",
        "Due date",  # a name the vocabulary lacks: in words
    ]
    assert [header(c) for c in frame.columns] == list(readable(frame).columns)


def test_page_one_is_the_decision_with_the_plans_the_business_plan_and_what_changed(sample):
    scenario, result, _ = sample
    tight = solve(with_changes(scenario, max_overtime_hours_per_worker=0))
    budget = business_plan_template(scenario)
    last = result.families.assign(plan="2026-11")  # last month's approved plan …
    last["demand"] = last["demand"] * 0.9  # … with 10 % less demand
    sections = meeting_sections(
        scenario,
        result,
        plan_name="Base",
        alternatives={"No overtime": tight},
        budget=budget,
        decisions=pd.DataFrame(
            {"text": ["Hire 5 for the peak"], "owner": ["Eve"], "due": ["2027-01-15"]}
        ),
        past_plans=last,
    )
    page = sections[0]
    assert page.title == "The decision"
    said = " ".join(page.text)
    assert "Decision asked: approve Base or No overtime." in said
    assert "Against the business plan over the 12 months both cover" in said
    more = result.families["demand"].sum() - last["demand"].sum()  # the 10 % added back
    assert f"demand +{more:,.0f} units" in said
    assert "Open decisions (1): Hire 5 for the peak (Eve, due 2027-01-15)." in said
    table = page.table.set_index("Plan")
    assert table.loc["No overtime", "Cost vs Base ($)"] == pytest.approx(
        tight.total_cost - result.total_cost
    )
    reader = PdfReader(io.BytesIO(pack_pdf("2026-12 S&OP cycle", sections)))
    first = reader.pages[0].extract_text()  # page 1: no cover before it
    assert "The decision" in first and "No overtime" in first
    assert show("total_cost", tight.total_cost) in first


def test_the_trade_offs_page_has_the_frontier_its_prices_and_the_largest_swings(sample):
    from sop_core.analysis.frontier import frontier
    from sop_core.analysis.sensitivity import tornado, tornado_frame

    scenario, result, _ = sample
    front = frontier(scenario, "average_inventory", 6)
    bars = tornado_frame(tornado(scenario))
    sections = meeting_sections(scenario, result, plan_name="Base", tradeoffs=(front, bars))
    page = next(s for s in sections if s.title == "Trade-offs")
    assert page.chart is not None  # the frontier, drawn on the server
    prices = front.marginal_prices()
    assert f"{prices[0]}." in page.text and f"{prices[-1]}." in page.text
    assert len(page.table) == min(10, len(bars))  # the largest swings, in rank order
    assert list(page.table["Cost swing ($)"]) == list(bars["cost_swing"].head(10))
    sections_at = pack_sections(pack_pdf("pack", sections))
    _, printed = sections_at["Trade-offs"]
    assert bars["parameter"].iloc[0] in printed and "a year" in printed
    assert "cost_swing" not in printed and "nan" not in printed.lower()
