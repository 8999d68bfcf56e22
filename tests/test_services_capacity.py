"""sop_core.services.capacity: fields found by key or label and read by their kind,
shutdown days placed on working days, and each change one checked, undoable action."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from factories import red_tomato, red_tomato_dict

from sop_core.base.access import Actor, PermissionDenied
from sop_core.base.errors import InputError
from sop_core.model.scenario import parse_scenario
from sop_core.process.workspace import Edit
from sop_core.services import audit, capacity, companies
from sop_core.services.workbench import Workbench, connect

SUPPLY = Actor("Sam", "sam@acme.example", frozenset({"supply_planner"}), signed_in=True)


@pytest.fixture
def wb(tmp_path: Path) -> Iterator[Workbench]:
    """A store holding Acme: Red Tomato Tools planned Jan–Jun 2027."""
    data = red_tomato_dict()
    data["periods"] = [f"2027-{m:02d}" for m in range(1, 7)]
    with connect(f"sqlite:///{tmp_path / 'store.sqlite'}") as opened:
        companies.start_company(opened, "Acme", author="ann", copy_of=parse_scenario(data))
        yield opened


@pytest.mark.parametrize(
    ("name", "family", "found"),
    [
        ("hire_cost", False, ("workforce", "hire_cost")),
        ("Hiring cost", False, ("workforce", "hire_cost")),
        ("hiring COST ($ / worker)", False, ("workforce", "hire_cost")),
        ("Hours / unit", True, ("family", "labor_hours_per_unit")),
        ("labor hours per unit", True, ("family", "labor_hours_per_unit")),
        ("Frozen periods (time fence)", False, ("policy", "frozen_periods")),
        ("Values to review", True, ("family", "needs_review")),
    ],
)
def test_a_field_is_found_by_its_key_or_its_label(
    name: str, family: bool, found: tuple[str, str]
) -> None:
    assert capacity.resolve_field(name, of_family=family) == found


def test_a_familys_name_is_not_set_but_renamed() -> None:
    with pytest.raises(InputError, match="changes with rename-family OLD NEW"):
        capacity.resolve_field("Family", of_family=True)


@pytest.mark.parametrize(
    ("key", "text", "value"),
    [
        ("hire_cost", "1,200", 1200.0),
        ("material_cost", "$3.50", 3.5),
        ("max_workers", "none", None),
        ("price", "", None),
        ("backorders_allowed", "No", False),
        ("integer_workforce", "yes", True),
        ("frozen_periods", "2", 2),
        ("strategy", "chase", "chase"),
        ("labor_hours_per_unit", 4, 4.0),
    ],
)
def test_a_value_is_read_by_its_fields_kind(key: str, text: object, value: object) -> None:
    got = capacity.field_value(key, text)
    assert got == value and type(got) is type(value)


@pytest.mark.parametrize(
    ("key", "text", "message"),
    [
        ("hire_cost", "none", "Hiring cost: must be a number ($ / worker), got 'none'"),
        ("regular_hours_per_worker", "0", "Regular hours per worker: must be above 0"),
        ("backorders_allowed", "maybe", "Backlog allowed: must be yes or no, got 'maybe'"),
        ("hire_cost", "1e13", "must be a number from 0 to 1,000,000,000,000"),
        ("hire_cost", "nan", "must be a number from 0 to 1,000,000,000,000"),
    ],
)
def test_a_value_of_the_wrong_kind_is_refused_naming_the_field(
    key: str, text: str, message: str
) -> None:
    with pytest.raises(InputError) as exc:
        capacity.field_value(key, text)
    assert message in str(exc.value)


@pytest.mark.parametrize(
    ("month", "days", "calendar", "dates"),
    [
        # May 2027 in Germany: Whit Monday the 17th, Ascension the 6th; the 29th–30th a weekend
        ("2027-05", 3, {"country": "DE"}, ["2027-05-27", "2027-05-28", "2027-05-31"]),
        ("2027-12", 2, {}, ["2027-12-30", "2027-12-31"]),  # a Thursday and a Friday
        ("2027-12", 2, {"weekdays": [0, 1, 2, 3]}, ["2027-12-29", "2027-12-30"]),  # no Fridays
        ("2027-12", 0, {"country": "DE"}, []),
    ],
)
def test_shutdown_days_are_the_months_last_working_days(
    month: str, days: int, calendar: dict, dates: list[str]
) -> None:
    assert capacity.shutdown_dates(month, days, calendar) == dates


def test_applied_is_what_the_store_would_keep(wb: Workbench) -> None:
    state = companies.company_state(wb, "Acme")
    key = state.family_key("Garden tools")
    edits = [
        Edit("family", key, 4.0, 5.0, field="labor_hours_per_unit"),  # type: ignore[arg-type]
        Edit("setting", "calendar", {"value": None}, None),
    ]
    after = capacity.applied(state, edits)
    assert after.value("family", key)["labor_hours_per_unit"] == 5.0  # type: ignore[arg-type,index]
    assert after.item("setting", "calendar") is None
    assert state.value("family", key)["labor_hours_per_unit"] == 4.0  # type: ignore[arg-type,index]
    saved = companies.edit_company(wb, "Acme", edits, author="ann")
    assert saved.value("family", key) == after.value("family", key)  # type: ignore[arg-type]


def test_the_right_is_checked_before_the_value_and_nothing_is_written(wb: Workbench) -> None:
    rows = len(audit.audit_trail(wb, company="Acme"))
    with pytest.raises(PermissionDenied, match="Only someone in finance may change costs"):
        capacity.set_field(wb, "Acme", "hire_cost", "-1", author=SUPPLY)
    assert len(audit.audit_trail(wb, company="Acme")) == rows


def test_a_workforce_value_is_checked_even_before_a_company_has_families(wb: Workbench) -> None:
    """The store checks a workforce only once a plan can be made; the service at once."""
    companies.start_company(wb, "Empty", author="ann")
    with pytest.raises(InputError, match="Hiring cost: must be a number from 0"):
        capacity.set_field(wb, "Empty", "hire_cost", -5, author="ann")
    state, edits = capacity.add_family(wb, "Empty", "Pumps", author="ann")
    pumps = state.value("family", edits[0].key)
    assert pumps["labor_hours_per_unit"] == 4.0 and pumps["demand"] == [0.0] * 12  # type: ignore[index]


def test_a_resource_and_its_loads_are_one_action_one_undo_takes_back(wb: Workbench) -> None:
    before = companies.company_state(wb, "Acme").revision
    state, edits = capacity.set_resource(
        wb, "Acme", "Press", hours=320, loads={"Garden tools": 0.5}, author="ann"
    )
    assert state.revision == before + 1 and len(edits) == 2
    assert state.scenario().families[0].resource_hours == {"Press": 0.5}
    state, what = companies.undo_last(wb, "Acme", author="ann")
    assert state.scenario().resources == [] and state.scenario().families[0].resource_hours == {}
    assert what == "added resource Press"


def test_a_resource_or_calendar_the_plan_cannot_use_is_refused_before_saving(
    wb: Workbench,
) -> None:
    companies.start_company(wb, "Textbook", author="ann", copy_of=red_tomato())  # Jan … Jun
    rows = len(audit.audit_trail(wb, company="Textbook"))
    with pytest.raises(InputError, match="calendar: needs period labels that are months"):
        capacity.set_calendar(wb, "Textbook", country="DE", author="ann")
    companies.start_company(wb, "Empty", author="ann")
    with pytest.raises(InputError, match="this company has no product family yet"):
        capacity.set_resource(wb, "Empty", "Press", hours=100, author="ann")
    assert len(audit.audit_trail(wb, company="Textbook")) == rows
    assert capacity.setting(companies.company_state(wb, "Textbook"), "calendar") is None


def test_removing_a_resource_takes_every_familys_hours_on_it(wb: Workbench) -> None:
    capacity.add_family(wb, "Acme", "Pumps", author="ann")
    capacity.set_resource(
        wb, "Acme", "Press", hours=320, loads={"Garden tools": 0.5, "Pumps": 1}, author="ann"
    )
    capacity.set_resource(wb, "Acme", "Oven", hours=100, loads={"Pumps": 2}, author="ann")
    state, edits = capacity.remove_resource(wb, "Acme", "Press", author="ann")
    hours = {f.name: f.resource_hours for f in state.scenario().families}
    assert hours == {"Garden tools": {}, "Pumps": {"Oven": 2.0}}
    assert [r.name for r in state.scenario().resources] == ["Oven"]
    assert {e.kind for e in edits} == {"setting", "family"}
