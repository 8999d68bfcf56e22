"""What people read, built in the core, speaks the vocabulary: for the sample company,
the meeting pack (as the PDF prints it and as its Excel holds it), the plan's CSV and
Excel downloads, the company workbook, the family S&OP sheet and the change log have no
code name as a header or a value (``gap_revenue``, ``below_budget``), no missing value
read as "None" or "nan", and no number printed with more than two decimals (397.3551).

:func:`problems` is the check; the first test shows that it finds each of these in a
frame made bad on purpose, so the others can fail."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pandas as pd
import pytest
from apptests import book_problems, header_problems, problems, sentences_problems, text_problems

from sop_core.demand.history import read_history
from sop_core.engine.planner import PlanResult, solve
from sop_core.model.scenario import Scenario, load_scenario, with_changes
from sop_core.process.business_plan import business_plan_template
from sop_core.process.fva import forecast_value_added
from sop_core.process.sop_sheet import sheet_display, sop_sheet
from sop_core.process.workspace import (
    Edit,
    action_lines,
    adjustment_edits,
    mapping_edits,
    monthly_edits,
    suggest_mapping,
)
from sop_core.reports.exports import frames_excel, plan_csv, plan_excel, whatif_settings
from sop_core.reports.meeting_pack import PLAN_COLUMNS, meeting_sections
from sop_core.reports.pack import pack_excel, printed_cell
from sop_core.reports.workbook import company_of, write_workbook
from sop_core.store.scenarios import Store
from sop_core.store.workspaces import Workspaces, keep_whatif

DATA = Path(__file__).resolve().parent.parent / "data"

# --------------------------------------------------------------------------- the check


def test_the_check_finds_what_people_must_not_see():
    bad = pd.DataFrame(
        {
            "gap_revenue": ["$1"],  # a code name as a header
            "period": ["2027-01"],  # a field's key as a header
            "Units": [None],  # read "None" in a grid
            "Cost": [397.3551],  # too many decimals
            "Kind": ["below_budget"],  # a code name as a value
            "Note": ["nan"],
            "Why": ["over 3 origin(s)"],
        }
    )
    found = problems(bad, "bad")
    for what in (
        "code name in 'gap_revenue'",
        "'period' is a field's key",
        "'None'",
        "more than 2 decimals in '397.3551'",
        "code name in 'below_budget'",
        "missing value read as a word in 'nan'",
        "'(s)'",
    ):
        assert any(what in p for p in found), (what, found)
    good = pd.DataFrame(
        {"Gap revenue ($)": ["−$1,234"], "Units": [""], "Rate": ["97.3%"], "Factor": [0.25]}
    )
    assert problems(good, "good") == []
    assert problems(bad.set_index("period"), "indexed") != []  # row labels are read too
    book = frames_excel({"Bad": bad.drop(columns="Units")})
    found = book_problems(book, "bad.xlsx")
    for what in ("code name in 'gap_revenue'", "397.3551 shown as it is", "'below_budget'"):
        assert any(what in p for p in found), (what, found)
    assert book_problems(frames_excel({"Good": good}), "good.xlsx") == []


# --------------------------------------------------------------------------- the sample


@pytest.fixture(scope="module")
def sample() -> tuple[Scenario, PlanResult, pd.DataFrame]:
    scenario = load_scenario(DATA / "sample_company.json")
    return scenario, solve(scenario), read_history(DATA / "sample_history.csv")


def _pack(scenario: Scenario, result: PlanResult, history: pd.DataFrame) -> list:
    """Every section of the pack, with a gap, exceptions, empty cells in the decisions,
    a KPI a plan lacks and a forecast value added with no naive score."""
    tight = with_changes(scenario, max_overtime_hours_per_worker=0)
    no_targets = scenario.model_copy(
        update={"families": [f.model_copy(update={"safety_stock": 0}) for f in scenario.families]}
    )
    budget = business_plan_template(scenario)
    budget.loc[budget["family"] == scenario.families[0].name, "revenue"] *= 1.5
    budget = budget[budget["family"] != scenario.families[-1].name]  # not in the budget
    decisions = pd.DataFrame(
        {"text": ["Hire 5"], "owner": [None], "family": [float("nan")], "due": [pd.NaT]}
    )
    first = scenario.families[0].name
    snapshots = pd.DataFrame(
        {
            "cycle": "2027-01",
            "family": first,
            "period": ["2027-01", "2027-02"],
            "statistical": [90.0, 60.0],
            "consensus": [100.0, 55.0],
        }
    )
    sales = pd.DataFrame({"family": first, "period": ["2027-01", "2027-02"], "sales": [100, 50]})
    return meeting_sections(
        scenario,
        result,
        plan_name="Base",
        alternatives={"No overtime": solve(tight), "No safety stock": solve(no_targets)},
        budget=budget,
        history=history,
        decisions=decisions,
        assumptions=pd.DataFrame({"text": ["Steel prices hold"], "owner": ["Fay"]}),
        demand_review_signed_off=False,
        decision="approve Base",
        fva=forecast_value_added(snapshots, sales),  # no December sales: no naive score
    )


def test_the_meeting_pack_reads_as_people_read_it(sample):
    sections = _pack(*sample)
    found = []
    for section in sections:
        found += sentences_problems([section.title, *section.text, *section.notes], section.title)
        if section.table is not None:
            shown = section.display if section.display is not None else section.table
            found += problems(shown, section.title, shown=printed_cell)  # as the PDF prints it
    assert {"Exceptions", "Gap to the business plan", "Forecast value added"} <= {
        s.title for s in sections if s.table is not None
    }
    assert found == []
    assert book_problems(pack_excel(sections), "pack") == []


def test_the_plan_downloads_read_as_people_read_them(sample):
    scenario, result, _ = sample
    settings = whatif_settings(scenario, "as in the scenario", {"Safety stock": "1.5 months"})
    text = plan_csv(result, settings).decode("utf-8-sig")
    found, header = [], True
    for row in csv.reader(io.StringIO(text)):
        if not row:  # the blank line between the what-if block and the plan
            header = True
            continue
        if header:
            found += [p for h in row for p in header_problems(h, "plan.csv")]
            header = False
        else:
            found += [p for cell in row for p in text_problems(cell, "plan.csv")]
    assert found == []
    assert book_problems(plan_excel(result, settings), "plan.xlsx") == []


def test_the_sop_sheet_reads_as_people_read_it(sample):
    scenario, result, history = sample
    sheet = sop_sheet(history, result.families[list(PLAN_COLUMNS)])
    for family in scenario.family_names:
        assert problems(sheet_display(sheet, family), f"sheet {family}") == []


@pytest.fixture(scope="module")
def company(sample, tmp_path_factory) -> tuple[Workspaces, str]:
    """The sample company in a store, with a history, edits of odd values, an
    adjustment, a business plan, actuals and a kept what-if."""
    scenario, _, history = sample
    path = tmp_path_factory.mktemp("vocabulary") / "store.sqlite"
    spaces = Workspaces(Store(f"sqlite:///{path}"))
    name = "Sample"
    state = spaces.create(name, author="ann", scenario=scenario)
    upload = spaces.add_history(name, history, "sales.csv", author="ann")
    mapping = suggest_mapping(sorted(set(history["family"])), state)
    state = spaces.apply(name, mapping_edits(state, mapping, upload), author="ann")
    family = scenario.families[0]
    key = state.family_key(family.name)
    edits = [
        Edit("family", key, family.holding_cost, 2.3551, field="holding_cost"),
        Edit("family", key, family.max_subcontract, 397.3551, field="max_subcontract"),
        Edit("family", key, family.labor_hours_per_unit, 4.12345, field="labor_hours_per_unit"),
        Edit("family", key, family.price, None, field="price"),
        Edit("workforce", "workforce", scenario.workforce.max_hires, 12.3456, field="max_hires"),
        Edit("workforce", "workforce", scenario.workforce.hire_cost, 333.333, field="hire_cost"),
    ]
    for edit in edits:
        state = spaces.apply(name, [edit], author="ann")
    adjustment = pd.DataFrame(
        [{"family": family.name, "period": None, "change": 2.5, "unit": "%", "comment": ""}]
    )
    state = spaces.apply(name, adjustment_edits(state, adjustment), author="ann")
    budget = business_plan_template(scenario).head(3).assign(revenue=1234.5678)
    state = spaces.apply(name, monthly_edits(state, "budget", budget), author="fay")
    actual = pd.DataFrame(
        [(family.name, "2026-11", 1500.25, 800.0, 0.0)],
        columns=["family", "period", "production", "inventory", "backlog"],
    )
    state = spaces.apply(name, monthly_edits(state, "actual", actual), author="ann")
    keep_whatif(
        spaces, name, "More OT", scenario, {"overtime": 20.5, "safety_months": 1.25}, author="ann"
    )
    return spaces, name


def test_the_change_log_reads_as_people_read_it(company):
    spaces, name = company
    lines = [text for _, text in action_lines(spaces.changes(name, limit=200))]
    assert len(lines) >= 9
    assert sentences_problems(lines, "change log") == []


def test_the_company_workbook_reads_as_people_read_it(company):
    spaces, name = company
    state = spaces.state(name)
    history = spaces.history(state.history_upload["upload_id"])
    data = write_workbook(company_of(state, history))
    # History is the history file as uploaded (its columns are the upload format's:
    # period, family, sku, demand); More holds the scenario file's own JSON; workers and
    # hours per unit are shown as typed (0.0833 h / unit), so that the file reads back
    found = book_problems(data, "workbook", skip=("History", "More"), numbers=False)
    assert found == []
