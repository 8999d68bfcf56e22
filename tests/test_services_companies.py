"""A company imported from a workbook (sop_core.services.companies) is saved whole or not
at all, and Store.transaction makes several store calls one transaction."""

from __future__ import annotations

import pytest
from factories import red_tomato

from sop_core.base.errors import InputError, Problem
from sop_core.model.whatif import WhatIf
from sop_core.reports.workbook import Company
from sop_core.services import companies, plans
from sop_core.services.workbench import Workbench
from sop_core.store.scenarios import Store, StoreConflict
from sop_core.store.workspaces import Workspaces


@pytest.fixture
def spaces(tmp_path) -> Workspaces:
    store = Store(f"sqlite:///{tmp_path / 'store.sqlite'}")
    yield Workspaces(store)
    store.close()


def workbook_company(whatifs: dict) -> Company:
    return Company(
        scenario=red_tomato(),
        history_names={},
        confirmed={},
        whatifs=whatifs,
        history=None,
        history_name="acme.xlsx",
    )


def test_an_import_saves_the_company_and_its_what_ifs_with_their_plans(spaces):
    company = workbook_company({"More OT": WhatIf(overtime=20).to_dict()})
    state = companies.import_company(Workbench(spaces.store), "Acme", company, author="bob")
    assert set(state.whatifs) == {"More OT"}
    stored = spaces.store.open(state.whatifs["More OT"]["scenario"])
    shown = plans.solve_plan(company.scenario, None, WhatIf(overtime=20))
    assert stored.kpis["total_cost"] == pytest.approx(shown.total_cost, abs=1e-6)


def test_an_import_refused_half_way_leaves_no_half_imported_company(spaces, monkeypatch):
    company = workbook_company(
        {"First": WhatIf(overtime=5).to_dict(), "Second": WhatIf(overtime=10).to_dict()}
    )
    kept = plans.keep_whatif

    def refuse_the_second(spaces_, company_name, name, *args, **kwargs):
        if name == "Second":
            raise InputError(Problem("name", "refused for the test"))
        return kept(spaces_, company_name, name, *args, **kwargs)

    monkeypatch.setattr(plans, "keep_whatif", refuse_the_second)
    audit_rows = len(spaces.store.audit())
    with pytest.raises(InputError, match="refused for the test"):
        companies.import_company(Workbench(spaces.store), "Acme", company, author="bob")
    assert "Acme" not in spaces.names()
    assert spaces.store.names() == []  # the first what-if's draft went too
    assert len(spaces.store.audit()) == audit_rows
    monkeypatch.undo()
    companies.import_company(
        Workbench(spaces.store), "Acme", company, author="bob"
    )  # and it can be redone
    assert set(spaces.state("Acme").whatifs) == {"First", "Second"}


def test_a_step_that_fails_inside_a_transaction_is_undone_alone(spaces):
    store = spaces.store
    with store.transaction():
        store.save(red_tomato().model_copy(update={"name": "Kept"}), author="bob")
        with pytest.raises(StoreConflict):  # saving "Kept" as new again: refused, undone
            store.save(red_tomato().model_copy(update={"name": "Kept"}), author="bob")
        store.save(red_tomato().model_copy(update={"name": "Also kept"}), author="bob")
    assert sorted(store.names()) == ["Also kept", "Kept"]
    assert store.open("Kept").latest_version == 1


def test_nothing_in_a_failed_transaction_is_saved(spaces):
    store = spaces.store
    with pytest.raises(RuntimeError), store.transaction():
        store.save(red_tomato().model_copy(update={"name": "Lost"}), author="bob")
        spaces.create("Lost company", author="bob", scenario=red_tomato())
        raise RuntimeError("the action fails after its first steps")
    assert store.names() == [] and "Lost company" not in spaces.names()
