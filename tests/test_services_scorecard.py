"""sop_core.services.scorecard: the company's targets set as one checked, undoable action
(executives only), kept with the plan, and the company's plan scored against them."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from factories import red_tomato_dict

from sop_core.base.access import Actor, PermissionDenied
from sop_core.base.errors import InputError
from sop_core.engine.scorecard import ALL
from sop_core.model.scenario import parse_scenario
from sop_core.reports.workbook import read_workbook
from sop_core.services import companies
from sop_core.services import scorecard as card
from sop_core.services.workbench import Workbench, connect

EXEC = Actor("Eve", "eve@acme.example", frozenset({"executive"}), signed_in=True)
SUPPLY = Actor("Sam", "sam@acme.example", frozenset({"supply_planner"}), signed_in=True)


@pytest.fixture
def wb(tmp_path: Path) -> Iterator[Workbench]:
    """A store holding Acme: Red Tomato Tools planned Jan–Jun 2027."""
    data = red_tomato_dict()
    data["periods"] = [f"2027-{m:02d}" for m in range(1, 7)]
    with connect(f"sqlite:///{tmp_path / 'store.sqlite'}") as opened:
        companies.start_company(opened, "Acme", author="ann", copy_of=parse_scenario(data))
        yield opened


def test_an_executive_sets_targets_that_the_plan_keeps_and_undo_takes_back(wb):
    state, edits = card.set_targets(
        wb, "Acme", {"fill_rate_min": 0.99, "lead_time_max": 2}, author=EXEC
    )
    assert len(edits) == 1
    assert state.scenario().targets.fill_rate_min == 0.99
    assert card.targets_of(state).lead_time_max == 2
    change = companies.latest_changes(wb, "Acme", limit=1)[0]
    assert "Fill rate, at least 99.0%" in change.summary and change.author.startswith("Eve")
    # a second change keeps the first; the same values again change nothing
    state, _ = card.set_targets(wb, "Acme", {"lead_time_max": None}, author=EXEC)
    assert card.targets_of(state).fill_rate_min == 0.99
    assert card.targets_of(state).lead_time_max is None
    assert card.set_targets(wb, "Acme", {"fill_rate_min": 0.99}, author=EXEC)[1] == []
    companies.undo_last(wb, "Acme", author="Eve")
    assert card.targets_of(companies.company_state(wb, "Acme")).lead_time_max == 2


def test_only_an_executive_sets_targets(wb):
    with pytest.raises(PermissionDenied, match="Only an executive may set the scorecard"):
        card.set_targets(wb, "Acme", {"fill_rate_min": 0.9}, author=SUPPLY)


def test_a_bad_target_is_refused_naming_the_field_the_value_and_the_fix(wb):
    with pytest.raises(InputError) as err:
        card.set_targets(wb, "Acme", {"fill_rate_min": 95}, author=EXEC)
    text = str(err.value)
    assert "Fill rate, at least" in text and "got 95" in text and "0.95 = 95 %" in text
    with pytest.raises(InputError, match="is not a target"):
        card.set_targets(wb, "Acme", {"fill": 0.9}, author=EXEC)
    with pytest.raises(InputError, match="fewest days of cover"):
        card.set_targets(wb, "Acme", {"cover_days_min": 30, "cover_days_max": 10}, author=EXEC)
    assert card.targets_of(companies.company_state(wb, "Acme")).is_empty()


def test_the_companys_plan_is_scored_against_its_targets(wb):
    card.set_targets(wb, "Acme", {"fill_rate_min": 0.5, "turns_min": 1000}, author=EXEC)
    scored = card.company_scorecard(wb, "Acme").card
    plan = scored[scored["family"] == ALL].set_index("measure")
    assert plan.loc["fill_rate", "status"] == "met"
    assert plan.loc["inventory_turns", "status"] in ("not met", "no value")
    assert plan.loc["customer_lead_time", "status"] == "no target"


def test_the_company_workbook_carries_the_targets(wb):
    card.set_targets(wb, "Acme", {"lead_time_max": 3, "fill_rate_min": 0.9}, author=EXEC)
    book = companies.export_workbook(wb, "Acme")
    companies.import_company(wb, "Acme again", read_workbook(book), author="ann")
    again = card.targets_of(companies.company_state(wb, "Acme again"))
    assert (again.lead_time_max, again.fill_rate_min) == (3, 0.9)
