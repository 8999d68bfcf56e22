"""The service layer's actions (sop_core.services): each one user action in one
transaction, checked and audited; pages and the command line reach the store only
through them."""

from __future__ import annotations

import ast
import io
from pathlib import Path

import pandas as pd
import pytest
from factories import red_tomato, save_level_and_chase

from sop_core.base.access import Actor, PermissionDenied
from sop_core.base.errors import InputError
from sop_core.model.whatif import WhatIf
from sop_core.services import audit, companies, cycles, demand, monthly, plans, scenarios
from sop_core.services.pack import build_pack
from sop_core.services.workbench import Workbench, connect

ROOT = Path(__file__).resolve().parent.parent
NOBODY = Actor("Bo", "bo@acme.example", frozenset(), signed_in=True)
SUPPLY = Actor("Sam", "sam@acme.example", frozenset({"supply_planner"}), signed_in=True)


@pytest.fixture
def wb(tmp_path) -> Workbench:
    with connect(f"sqlite:///{tmp_path / 'store.sqlite'}") as opened:
        yield opened


def test_a_company_started_as_a_copy_holds_the_plan_and_says_where_it_came_from(wb):
    state = companies.start_company(
        wb, "Acme", author="ann", copy_of=red_tomato(), copied_from="Sample"
    )
    assert state.scenario().family_names == red_tomato().family_names
    assert companies.company_names(wb) == ["Acme"]
    changes = companies.latest_changes(wb, "Acme")
    assert {c.summary for c in changes} >= {"created", "copied from Sample"}


def test_a_company_start_refused_leaves_nothing_behind(wb):
    with pytest.raises(PermissionDenied):
        companies.start_company(wb, "Acme", author=NOBODY, copy_of=red_tomato())
    assert companies.company_names(wb) == []
    assert audit.audit_trail(wb).empty


def test_a_taken_company_name_is_refused_naming_it(wb):
    companies.start_company(wb, "Acme", author="ann")
    with pytest.raises(InputError, match="'Acme' exists already"):
        companies.start_company(wb, "Acme", author="ann", copy_of=red_tomato())
    assert companies.company_state(wb, "Acme").family_names == []  # the first, untouched


def test_the_sample_is_seeded_once(wb):
    assert companies.seed_company(wb, "Sample", red_tomato(), author="sample")
    assert not companies.seed_company(wb, "Sample", red_tomato(), author="sample")
    assert companies.company_names(wb) == ["Sample"]


def test_undoing_a_kept_what_if_takes_its_draft_out_of_the_store_in_the_same_action(wb):
    companies.start_company(wb, "Acme", author="ann", copy_of=red_tomato())
    state, _ = plans.keep_whatif(
        wb, "Acme", "More OT", red_tomato(), WhatIf(overtime=5), author="ann", approved=None
    )
    draft = state.whatifs["More OT"]["scenario"]
    assert draft in scenarios.scenario_names(wb)
    state, what = companies.undo_last(wb, "Acme", author="ann")
    assert "More OT" not in state.whatifs
    assert draft not in scenarios.scenario_names(wb)
    assert "More OT" in what


def test_an_edit_through_the_service_is_undone_through_it(wb):
    state = companies.start_company(wb, "Acme", author="ann", copy_of=red_tomato())
    before = state.revision
    from sop_core.process.workspace import Edit

    workforce = state.item("workforce", "workforce").value
    new = {**workforce, "regular_hours_per_worker": 150.0}
    state = companies.edit_company(
        wb, "Acme", [Edit("workforce", "workforce", workforce, new)], author="ann"
    )
    assert state.revision == before + 1
    assert companies.revision(wb, "Acme") == state.revision
    state, _ = companies.undo_last(wb, "Acme", author="ann")
    assert state.item("workforce", "workforce").value == workforce


def test_the_workbook_export_reads_back_as_the_same_company(wb):
    from sop_core.reports.workbook import read_workbook

    companies.start_company(wb, "Acme", author="ann", copy_of=red_tomato())
    book = companies.export_workbook(wb, "Acme")
    state = companies.import_company(wb, "Acme 2", read_workbook(book), author="ann")
    assert state.scenario().model_dump(exclude={"name"}) == companies.company_state(
        wb, "Acme"
    ).scenario().model_dump(exclude={"name"})


def test_scenarios_listed_compared_and_approved_per_company(wb):
    companies.start_company(wb, "Acme", author="ann", copy_of=red_tomato())
    for name, months in (("Level", 0.0), ("Chase", 1.0)):
        plans.save_scenario(
            wb,
            red_tomato(),
            WhatIf(safety_months=months),
            author="ann",
            approved=None,
            name=name,
            company="Acme",
        )
    assert list(scenarios.listing(wb, "Acme")["name"]) == ["Chase", "Level"]
    with pytest.raises(PermissionDenied, match="Only an executive may approve"):
        scenarios.approve(wb, "Level", author=SUPPLY)
    assert scenarios.approved_scenario(wb, "Acme") is None
    scenarios.approve(wb, "Level", author="eve")
    compared = scenarios.compare(wb, "Acme", ["Chase", "Level"])
    assert [v.name for v in compared.versions] == ["Chase", "Level"]
    assert compared.approved is not None and compared.approved.name == "Level"
    costs = compared.table.query("metric == 'total_cost'").set_index("label")["value"]
    assert costs["Chase v1"] != costs["Level v1"]  # each with the KPIs of its own plan
    with pytest.raises(PermissionDenied):  # only an executive withdraws an approval
        scenarios.set_status(wb, "Level", "draft", author=SUPPLY)
    assert scenarios.approved_scenario(wb, "Acme").name == "Level"


def test_scenario_rename_duplicate_delete_each_leave_an_audit_row(wb):
    companies.start_company(wb, "Acme", author="ann", copy_of=red_tomato())
    save_level_and_chase(wb.store, "Acme", red_tomato(), "ann")
    scenarios.duplicate(wb, "Level", "Level 2", author="ann")
    scenarios.rename(wb, "Level 2", "Flat", author="ann")
    scenarios.delete(wb, "Flat", author="ann", expected_version=1)
    assert "Flat" not in scenarios.scenario_names(wb)
    trail = audit.audit_trail(wb, kind="scenario")
    assert len(trail) >= 5  # two saves, a duplicate, a rename, a delete
    exported = audit.audit_trail(wb, kind="scenario", exact=True)  # exact values, a download
    assert len(exported) == len(trail)


def test_a_cycle_run_through_the_services_ends_with_the_approved_plan(wb):
    companies.start_company(wb, "Acme", author="ann", copy_of=red_tomato())
    save_level_and_chase(wb.store, "Acme", red_tomato(), "ann")
    cycles.start_cycle(wb, "Acme", "2026-11", author="eve")
    with pytest.raises(InputError):  # in order: the demand review waits for data gathering
        cycles.sign_off(wb, "Acme", "2026-11", "demand", author="eve")
    for step in ("data", "demand", "supply", "finance"):
        extra = {"recommended": ["Level", "Chase"]} if step == "supply" else {}
        cycles.sign_off(wb, "Acme", "2026-11", step, author="eve", **extra)
    cycle = cycles.sign_off(wb, "Acme", "2026-11", "executive", author="eve", approve="Chase")
    assert cycle.plan == ("Chase", 1)
    assert scenarios.approved_scenario(wb, "Acme").name == "Chase"
    assert cycles.months(wb, "Acme") == ["2026-11"]
    cycles.start_cycle(wb, "Acme", "2026-12", author="eve")
    assert [c.month for c in cycles.history_of(wb, "Acme", "2026-12")] == ["2026-11"]


def test_the_cycle_log_opens_and_closes_entries(wb):
    companies.start_company(wb, "Acme", author="ann", copy_of=red_tomato())
    cycles.start_cycle(wb, "Acme", "2026-11", author="eve")
    n = cycles.add_assumption(wb, "Acme", "2026-11", "Steel prices hold", owner="Ann", author="eve")
    d = cycles.add_decision(wb, "Acme", "2026-11", "Hire 5 in March", owner="Eve", author="eve")
    cycle = cycles.close_entry(wb, "Acme", "2026-11", n, author="eve")
    status = {e.id: e.status for e in cycle.log}
    assert status[n] == "closed" and status[d] == "open"


# --------------------------------------------------------------------------- the doors


def reaches_through(path: Path) -> list[str]:
    """Attribute reads in ``path`` that reach past a service into the store:
    ``….store``, ``….spaces``, ``….cycles`` (a workbench's parts)."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Attribute) and node.attr in ("store", "spaces", "cycles"):
            found.append(f"{path.name}:{node.lineno} .{node.attr}")
    return found


def test_reaches_through_finds_a_page_that_calls_the_store(tmp_path):
    page = tmp_path / "page.py"
    page.write_text("wb.store.approve('x', author='a')\n", encoding="utf-8")
    assert reaches_through(page) == ["page.py:1 .store"]


def test_pages_and_commands_act_only_through_services():
    doors = [*sorted((ROOT / "pages").glob("*.py")), ROOT / "app.py"]
    doors += sorted((ROOT / "sop_core" / "cli").glob("*.py"))
    found = [hit for path in doors for hit in reaches_through(path)]
    assert found == [], "call a function of sop_core.services instead: " + ", ".join(found)


# --------------------------------------------------------------------------- the month's inputs


def consensus_of(scenario, factor: float) -> pd.DataFrame:
    """A consensus forecast of ``scenario``'s families from 2027-01: their demand ×
    ``factor``."""
    rows = [
        {"family": f.name, "period": f"2027-{t + 1:02d}", "adjusted": d * factor}
        for f in scenario.families
        for t, d in enumerate(f.demand)
    ]
    return pd.DataFrame(rows)


def test_the_hand_over_sets_the_plans_demand_as_one_action_of_the_demand_planner(wb):
    base = red_tomato()
    companies.start_company(wb, "Acme", author="ann", copy_of=base)
    with pytest.raises(PermissionDenied):
        demand.hand_over(
            wb, "Acme", consensus_of(base, 1.1), author=SUPPLY, model="auto", history_name="h.csv"
        )
    state, _ = demand.hand_over(
        wb, "Acme", consensus_of(base, 1.1), author="ann", model="auto", history_name="h.csv"
    )
    planned = state.scenario()
    assert planned.period_labels[0] == "2027-01"
    assert planned.families[0].demand == pytest.approx([d * 1.1 for d in base.families[0].demand])
    assert companies.latest_changes(wb, "Acme")[0].summary == (
        "consensus forecast (auto) from h.csv in the plan"
    )


def test_a_business_plan_upload_replaces_the_table_and_a_repeat_saves_nothing(wb):
    companies.start_company(wb, "Acme", author="ann", copy_of=red_tomato())
    budget = pd.DataFrame(
        {
            "family": ["Garden tools", "Garden tools"],
            "period": ["2027-01", "2027-02"],
            "units": [1000.0, 1200.0],
            "revenue": [40000.0, 48000.0],
        }
    )
    with pytest.raises(PermissionDenied):  # the business plan is finance's
        monthly.upload_table(wb, "Acme", "budget", budget, "budget.csv", author=SUPPLY)
    state = monthly.upload_table(wb, "Acme", "budget", budget, "budget.csv", author="ann")
    assert list(state.business_plan["units"]) == [1000.0, 1200.0]
    again = monthly.upload_table(wb, "Acme", "budget", budget, "budget.csv", author="ann")
    assert again.revision == state.revision  # the file holds the table as stored
    cleared = monthly.clear_table(wb, "Acme", "budget", author="ann")
    assert cleared.business_plan.empty
    state, _ = companies.undo_last(wb, "Acme", author="ann")
    assert len(state.business_plan) == 2


def test_the_pack_holds_the_gap_once_the_business_plan_is_stored(wb):
    scenario = red_tomato().model_copy(update={"periods": [f"2027-{m:02d}" for m in range(1, 7)]})
    companies.start_company(wb, "Acme", author="ann", copy_of=scenario)
    result = plans.solve_plan(scenario, None)
    before = build_pack(wb, "Acme", scenario, result, title="Pack", plan_name="Plan")
    assert before.pdf.startswith(b"%PDF") and before.excel.startswith(b"PK")
    budget = pd.DataFrame(
        {
            "family": [scenario.families[0].name],
            "period": ["2027-01"],
            "units": [1000.0],
            "revenue": [40000.0],
        }
    )
    monthly.upload_table(wb, "Acme", "budget", budget, "budget.csv", author="ann")
    after = build_pack(wb, "Acme", scenario, result, title="Pack", plan_name="Plan")
    gained = set(sheets(after.excel)) - set(sheets(before.excel))
    assert gained == {"Gap to budget"}


def sheets(book: bytes) -> list[str]:
    from openpyxl import load_workbook

    return load_workbook(io.BytesIO(book), read_only=True).sheetnames
