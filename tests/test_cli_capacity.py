"""``python -m sop_core capacity ...`` on SQLite and on a real PostgreSQL server: each
command changes the store as the Capacity page would (read back through the services),
writes its audit rows under the person acting, prints it in the vocabulary, and a
refused or bad command exits 2 with the sentence and changes nothing."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from factories import (
    BACKENDS,
    audit_at,
    cli_store,
    company_at,
    red_tomato_dict,
    refused_cli,
    run_cli,
)
from postgres_server import postgres_server  # noqa: F401 (the PostgreSQL backend)

from sop_core.model.scenario import Scenario, parse_scenario
from sop_core.process.workspace import WorkspaceState
from sop_core.services import companies, consensus
from sop_core.services.workbench import connect

MONTHS = [f"2027-{m:02d}" for m in range(1, 7)]
ROLES = (
    "[roles]\n"
    '"x@acme.example" = ["supply planner"]\n'
    '"fay@acme.example" = ["finance"]\n'
    '"ana@acme.example" = ["demand planner"]\n'
)


def acme() -> Scenario:
    """Red Tomato Tools (one family, Garden tools, 4 h a unit) planned Jan–Jun 2027."""
    data = red_tomato_dict()
    data["periods"] = MONTHS
    return parse_scenario(data)


@pytest.fixture(params=BACKENDS)
def db_url(request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """A store holding company Acme (started by Tester), given to the CLI through
    ``SOP_DATABASE_URL``; ``SOP_ACTOR`` is Tester; the role file names x (supply
    planner), fay (finance) and ana (demand planner) at acme.example."""
    url = cli_store(request, tmp_path, monkeypatch, roles=ROLES, actor="Tester")
    with connect(url) as wb:
        companies.start_company(wb, "Acme", author="Tester", copy_of=acme())
    return url


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    return run_cli(capsys, "capacity", *argv)


def company(url: str, name: str = "Acme") -> WorkspaceState:
    return company_at(url, name)


def trail(url: str) -> pd.DataFrame:
    """Acme's audit trail, newest first, with the exact values."""
    return audit_at(url)


def garden(state: WorkspaceState) -> dict:
    return state.value("family", state.family_key("Garden tools"))  # type: ignore[arg-type,return-value]


def refused(capsys: pytest.CaptureFixture[str], url: str, *argv: str) -> str:
    """Run a command that must be refused: exit 2, nothing printed on stdout, nothing
    saved (the revision and the audit trail as they were); returns stderr."""
    return refused_cli(capsys, url, "capacity", *argv)


# --------------------------------------------------------------------------- set


def test_set_a_workforce_field_by_label_and_a_familys_by_key(
    db_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(capsys, "set", "Acme", "Hiring cost", "350")
    assert (code, out) == (0, "Acme: Hiring cost $300 → $350\n")
    code, out, _ = run(
        capsys, "set", "Acme", "labor_hours_per_unit", "4.5", "--family", "Garden tools"
    )
    assert (code, out) == (0, "Acme: Garden tools: Hours / unit 4 → 4.5\n")
    state = company(db_url)
    assert state.value("workforce")["hire_cost"] == 350  # type: ignore[index]
    assert garden(state)["labor_hours_per_unit"] == 4.5
    newest = trail(db_url).iloc[:2]
    assert list(newest["Who"]) == ["Tester", "Tester"]
    assert list(newest["Field"]) == ["labor_hours_per_unit", "hire_cost"]
    assert list(newest["Before"]) == ["4", "300"] and list(newest["After"]) == ["4.5", "350"]
    code, out, _ = run(capsys, "set", "Acme", "hire_cost", "350")  # once more: nothing to save
    assert (code, out) == (0, "Acme: nothing changed: Hiring cost is $350 already\n")
    assert company(db_url).revision == state.revision


def test_set_a_limit_to_none_and_the_policy_with_json_output(
    db_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    run(capsys, "set", "Acme", "max_workers", "90")
    code, out, _ = run(capsys, "set", "Acme", "Workforce ceiling", "none", "--format", "json")
    said = json.loads(out)
    assert code == 0 and said["message"] == "Acme: Workforce ceiling 90 → blank"
    assert said["changes"] == [
        {
            "kind": "workforce",
            "key": "workforce",
            "field": "max_workers",
            "before": 90.0,
            "after": None,
        }
    ]
    run(capsys, "set", "Acme", "strategy", "level")
    assert company(db_url).scenario().policy.strategy == "level"
    assert company(db_url).scenario().workforce.max_workers is None


def test_a_cost_set_by_a_supply_planner_is_refused_naming_who_may(
    db_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    err = refused(capsys, db_url, "set", "Acme", "hire_cost", "1", "--as", "x@acme.example")
    assert err == (
        "error: invalid input\nmoney: not allowed: Only someone in finance may change costs "
        "and prices; you are: supply planner.\n"
    )
    # finance may: the same command as fay is saved under her address
    assert run(capsys, "set", "Acme", "hire_cost", "1", "--as", "fay@acme.example")[0] == 0
    assert trail(db_url).iloc[0]["E-mail"] == "fay@acme.example"


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["hire_cost", "-3"], "Hiring cost: must be a number from 0 to 1,000,000,000,000 "
         "($ / worker), got '-3'"),
        (["Hours / unit", "four", "--family", "Garden tools"], "Hours / unit: must be a "
         "number (h / unit), got 'four'; type e.g. 4 or 3.50"),
        (["holding_cost", "3"], "field: 'Holding $ / unit / period' is a family's field; say "
         "which family with --family NAME"),
        (["hire_cost", "3", "--family", "Garden tools"], "field: 'Hiring cost' is a workforce "
         "setting, not a family's; leave out --family"),
        (["price", "41", "--family", "Pumps"], "family: 'Pumps' is not a family of Acme; "
         "families: 'Garden tools'"),
        (["frozen_periods", "9"], "policy.frozen_periods: must be at most the 6 periods of the "
         "plan, got 9"),
    ],
)  # fmt: skip
def test_a_bad_value_or_field_exits_2_naming_it(
    db_url: str, capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    assert refused(capsys, db_url, "set", "Acme", *argv) == f"error: invalid input\n{message}\n"


# --------------------------------------------------------------------------- families


def test_add_a_family_with_defaults_or_like_another_then_rename_and_remove_it(
    db_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    run(capsys, "set", "Acme", "max_subcontract", "250", "--family", "Garden tools")
    code, out, _ = run(capsys, "add-family", "Acme", "Pumps")
    assert code == 0 and out.startswith("Acme: added family Pumps with default hours, costs")
    code, out, _ = run(capsys, "add-family", "Acme", "Valves", "--like", "Garden tools")
    assert code == 0 and "with the hours, costs and limits of Garden tools" in out
    state = company(db_url)
    assert state.family_names == ["Garden tools", "Pumps", "Valves"]
    pumps = state.value("family", state.family_key("Pumps"))
    valves = state.value("family", state.family_key("Valves"))
    # the median of the one family there was, no limit of its own, zero demand, to review
    assert pumps["labor_hours_per_unit"] == 4 and pumps.get("max_subcontract") is None  # type: ignore[index,union-attr]
    assert valves["max_subcontract"] == 250 and valves["initial_inventory"] == 1000  # type: ignore[index]
    assert pumps["demand"] == [0.0] * 6 and pumps["needs_review"] and valves["needs_review"]  # type: ignore[index]
    assert trail(db_url).iloc[0]["Object"] == "family Valves"

    with connect(db_url) as wb:  # an adjustment that follows the family's name
        consensus.add_adjustment(wb, "Acme", "Valves", "2027-02", 5, unit="%", author="Tester")
    code, out, _ = run(capsys, "rename-family", "Acme", "Valves", "Valve kits")
    assert (code, out) == (
        0,
        "Acme: renamed family Valves to Valve kits\n"
        "Acme: Valve kits: Names in histories blank → Valves\n"
        "Acme: adjustment Valve kits 2027-02: Family Valves → Valve kits\n",
    )
    state = company(db_url)
    kits = state.value("family", state.family_key("Valve kits"))
    assert kits["history_names"] == ["Valves"]  # type: ignore[index]
    assert list(state.adjustments["family"]) == ["Valve kits"]

    code, out, _ = run(capsys, "remove-family", "Acme", "Valve kits")
    assert (code, out) == (
        0,
        "Acme: removed family Valve kits and its 1 consensus adjustment; its business plan "
        "and actuals rows stay. Undo brings it back.\n",
    )
    assert company(db_url).family_names == ["Garden tools", "Pumps"]
    assert company(db_url).adjustments.empty
    with connect(db_url) as wb:  # one action: one undo brings both back
        state, _ = companies.undo_last(wb, "Acme", author="Tester")
    assert state.family_names == ["Garden tools", "Pumps", "Valve kits"]
    assert list(state.adjustments["family"]) == ["Valve kits"]


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["add-family", "Acme", "Pumps", "--as", "fay@acme.example"], "capacity: not allowed: "
         "Only a supply planner may change hours, limits and families; you are: finance."),
        (["add-family", "Acme", "Garden tools"], "name: 'Garden tools' is a family of Acme "
         "already; pick another"),
        (["add-family", "Acme", " "], "name: the new family's name is blank; type a name"),
        (["add-family", "Acme", "Pumps", "--like", "Hoses"], "family: 'Hoses' is not a family "
         "of Acme; families: 'Garden tools'"),
        (["rename-family", "Acme", "Hoses", "Pipes"], "family: 'Hoses' is not a family of "
         "Acme; families: 'Garden tools'"),
        (["rename-family", "Acme", "Garden tools", "Pumps", "--as", "ana@acme.example"],
         "capacity: not allowed: Only a supply planner may change hours, limits and families; "
         "you are: demand planner."),
        (["remove-family", "Acme", "Garden tools", "--as", "fay@acme.example"], "capacity: not "
         "allowed: Only a supply planner may change hours, limits and families; you are: "
         "finance."),
        (["remove-family", "Nowhere", "Garden tools"], "company: 'Nowhere' not found; "
         "companies: 'Acme'"),
    ],
)  # fmt: skip
def test_family_changes_refused_or_bad_exit_2(
    db_url: str, capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    assert refused(capsys, db_url, *argv) == f"error: invalid input\n{message}\n"


# --------------------------------------------------------------------------- resources


def test_a_resource_added_with_a_familys_load_listed_changed_and_removed(
    db_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(
        capsys, "resource", "Acme", "Line 1", "--hours", "9000", "--overtime", "500",
        "--overtime-cost", "45", "--load", "Garden tools=0.9", "--as", "x@acme.example",
    )  # fmt: skip
    assert code == 0
    assert out.splitlines() == [
        "Acme: saved resource Line 1",
        "Resource Hours available (hours) Max overtime (hours) Overtime cost ($ / h)",
        "  Line 1                   9,000                  500                   $45",
        "Families on it: Garden tools 0.9 h / unit",
    ]
    scenario = company(db_url).scenario()
    (line,) = scenario.resources
    assert (line.name, line.hours_available, line.overtime_hours_max) == ("Line 1", 9000, 500)
    assert line.overtime_cost_per_hour == 45
    assert scenario.families[0].resource_hours == {"Line 1": 0.9}
    newest = trail(db_url).iloc[:2]
    assert set(newest["Object key"]) == {"resources", "f1"}
    assert set(newest["E-mail"]) == {"x@acme.example"}

    hours = [str(h) for h in (9000, 9000, 8000, 9000, 9000, 9000)]  # one per period
    assert run(capsys, "resource", "Acme", "Line 1", "--hours", *hours)[0] == 0
    assert company(db_url).scenario().resources[0].hours_series(6) == [float(h) for h in hours]
    code, out, _ = run(capsys, "resource", "Acme", "--format", "json")
    assert json.loads(out) == [
        {"name": "Line 1", "hours_available": [float(h) for h in hours],
         "overtime_hours_max": 500.0, "overtime_cost_per_hour": 45.0}
    ]  # fmt: skip

    code, out, _ = run(capsys, "resource", "Acme", "Line 1", "--remove")
    assert code == 0 and out.startswith("Acme: removed resource Line 1 and every family's hours")
    scenario = company(db_url).scenario()
    assert scenario.resources == [] and scenario.families[0].resource_hours == {}


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["Line 1", "--hours", "100", "--as", "fay@acme.example"], "settings: not allowed: Only "
         "a supply planner may change resources, calendar and policy; you are: finance."),
        (["Line 1", "--overtime", "10"], "resource 'Line 1': is new: give its hours available "
         "(h / period), e.g. --hours 160"),
        (["Line 1", "--hours", "100", "200"], "Hours available: give one number or 6 (one per "
         "period), got 2 values"),
        (["Line 1", "--hours", "-5"], "Hours available: must be a number from 0 to "
         "1,000,000,000,000 (h / period), got '-5'"),
        (["Line 1", "--hours", "100", "--load", "Hoses=1"], "family: 'Hoses' is not a family of "
         "Acme; families: 'Garden tools'"),
        (["Line 9", "--remove"], "resource: 'Line 9' is not a resource of Acme; resources: none"),
        (["--hours", "100"], "NAME: give the resource's name to add, change or remove it"),
    ],
)  # fmt: skip
def test_resource_changes_refused_or_bad_exit_2(
    db_url: str, capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    err = refused(capsys, db_url, "resource", "Acme", *argv)
    assert err == f"error: invalid input\n{message}\n"


# --------------------------------------------------------------------------- calendar


def test_the_calendar_with_a_countrys_holidays_and_a_shutdown_then_cleared(
    db_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(capsys, "calendar", "Acme", "--country", "de", "--shutdown", "2027-05=3")
    assert code == 0
    lines = out.splitlines()
    assert lines[:2] == [
        "Acme: saved the working-day calendar",
        "Working-day calendar: weekdays less public holidays of DE and 3 shutdown days",
    ]
    # May 2027: 21 weekdays less Ascension (6th) and Whit Monday (17th) less 3 shut = 16
    (may,) = [line for line in lines if line.startswith("2027-05")]
    assert may.split()[:2] == ["2027-05", "21"] and may.split()[-3:-1] == ["3", "16"]
    calendar = company(db_url).scenario().calendar
    assert calendar is not None and calendar.country == "DE"
    assert [d.isoformat() for d in calendar.shutdowns] == ["2027-05-27", "2027-05-28", "2027-05-31"]
    assert trail(db_url).iloc[0]["Object key"] == "calendar"

    code, out, _ = run(capsys, "calendar", "Acme", "--format", "json")
    may = json.loads(out)[4]
    assert may == {
        "period": "2027-05", "weekdays": 21, "holidays": "Ascension Day; Pentecost Monday",
        "shutdown_days": 3, "working_days": 16.0,
        "share_of_standard_hours": pytest.approx(16 / (129 / 6)),  # 129 weekdays in 6 months
    }  # fmt: skip

    code, out, _ = run(capsys, "calendar", "Acme", "--clear")
    assert code == 0 and "no working-day calendar" in out
    assert company(db_url).scenario().calendar is None


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--country", "FR", "--as", "ana@acme.example"], "settings: not allowed: Only a supply "
         "planner may change resources, calendar and policy; you are: demand planner."),
        (["--country", "XX"], "calendar.country: is not a country the holidays package knows, "
         "got 'XX'; use an ISO code such as DE, FR, US or GB"),
        (["--shutdown", "2027-05=40"], "shutdown days 2027-05: 2027-05 has 21 working days; "
         "give at most 21"),
        (["--shutdown", "May=3"], "shutdown days May: the month must be YYYY-MM, got 'May'"),
        (["--shutdown", "2027-05=three"], "--shutdown: give YYYY-MM=DAYS with DAYS a whole "
         "number of days, got 2027-05=three"),
        (["--clear", "--country", "DE"], "--clear: removes the calendar; leave out the other "
         "options"),
    ],
)  # fmt: skip
def test_calendar_changes_refused_or_bad_exit_2(
    db_url: str, capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    assert (
        refused(capsys, db_url, "calendar", "Acme", *argv) == f"error: invalid input\n{message}\n"
    )


# --------------------------------------------------------------------------- show


def test_show_reads_in_the_vocabulary_and_json_and_csv_keep_the_keys(
    db_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    run(capsys, "resource", "Acme", "Line 1", "--hours", "9000", "--load", "Garden tools=0.9")
    code, out, _ = run(capsys, "show", "Acme")
    assert code == 0
    for shown in (
        "Hiring cost ($ / worker)                        $300",
        "Strategy                     optimal",
        "Hours / unit (h / unit)",
        "Hours on Line 1 (h / unit)",
        "Backlog allowed",
        "no working-day calendar",
    ):
        assert shown in out
    assert not {"None", "nan", "True", "hire_cost", "labor_hours_per_unit"} & set(out.split())

    code, out, _ = run(capsys, "show", "Acme", "--format", "json")
    data = json.loads(out)
    assert data["families"][0]["labor_hours_per_unit"] == 4.0
    assert data["families"][0]["resource_hours.Line 1"] == 0.9
    assert {"field": "hire_cost", "value": 300.0, "unit": "$ / worker"} in data["workforce"]

    code, out, _ = run(capsys, "show", "Acme", "--section", "families", "--format", "csv")
    header, row = out.splitlines()
    assert header.startswith("name,labor_hours_per_unit,material_cost,")
    assert row.startswith("Garden tools,4.0,10.0,")

    code, out, err = run(capsys, "show", "Acme", "--format", "csv")
    assert (code, out) == (2, "")
    assert err == (
        "error: invalid input\n--section: --format csv prints one table; choose one of "
        "workforce, policy, families, resources, calendar\n"
    )
