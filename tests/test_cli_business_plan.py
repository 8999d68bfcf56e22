"""``python -m sop_core business-plan ...`` on SQLite and on a real PostgreSQL server.

Acme is Red Tomato Tools planned Jan–Jun 2027 at $40 a unit; its business plan budgets
each month's demand (1,600, 3,000, 3,200, 3,800, 2,200, 2,200 units). The textbook's
optimal plan backlogs 266.7 units in April and serves them in May, so the plan sells
3,533.3 units in April (266.7 and $10,666.67 below budget, 7 %) and 2,466.7 in May, and
meets the budget over the half year to the unit and the dollar."""

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
from sop_core.services import capacity, companies, cycles
from sop_core.services.workbench import connect

MONTHS = [f"2027-{m:02d}" for m in range(1, 7)]
DEMAND = [1600, 3000, 3200, 3800, 2200, 2200]
ROLES = '[roles]\n"x@acme.example" = ["supply planner"]\n"fay@acme.example" = ["finance"]\n'
SHORT = 800 / 3  # the April backlog, served in May


def acme() -> Scenario:
    data = red_tomato_dict()
    data["periods"] = MONTHS
    return parse_scenario(data)


def budget_file(tmp_path: Path, units: list[float] = DEMAND, name: str = "budget.csv") -> Path:
    rows = [
        {"family": "Garden tools", "period": p, "units": u, "revenue": 40 * u}
        for p, u in zip(MONTHS, units, strict=True)
    ]
    path = tmp_path / name
    pd.DataFrame(rows).to_csv(path, index=False)
    return path


@pytest.fixture(params=BACKENDS)
def db_url(request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """A store holding Acme (no business plan yet) for the CLI through
    ``SOP_DATABASE_URL``; Tester acts; x is a supply planner, fay in finance."""
    url = cli_store(request, tmp_path, monkeypatch, roles=ROLES, actor="Tester")
    with connect(url) as wb:
        companies.start_company(wb, "Acme", author="Tester", copy_of=acme())
    return url


@pytest.fixture
def budgeted(db_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> str:
    """Acme with its business plan uploaded."""
    assert run(capsys, "upload", "Acme", str(budget_file(tmp_path)))[0] == 0
    return db_url


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    return run_cli(capsys, "business-plan", *argv)


def company(url: str, name: str = "Acme") -> WorkspaceState:
    return company_at(url, name)


def trail(url: str) -> pd.DataFrame:
    """Acme's audit trail, newest first, with the exact values."""
    return audit_at(url)


def refused(capsys: pytest.CaptureFixture[str], url: str, *argv: str) -> str:
    """A command that must be refused: exit 2, nothing on stdout, nothing saved."""
    return refused_cli(capsys, url, "business-plan", *argv)


# --------------------------------------------------------------------------- upload, show


def test_upload_keeps_the_file_as_the_companys_business_plan(
    db_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = budget_file(tmp_path)
    code, out, _ = run(capsys, "upload", "Acme", str(path), "--as", "fay@acme.example")
    assert (code, out) == (
        0,
        "Acme: business plan from budget.csv: 6 rows, 1 family, 2027-01 – 2027-06\n",
    )
    kept = company(db_url).business_plan
    assert list(kept["units"]) == DEMAND and list(kept["revenue"]) == [40.0 * u for u in DEMAND]
    rows = trail(db_url).iloc[:6]
    assert set(rows["Kind of object"]) == {"budget"} and set(rows["Who"]) == {"fay@acme.example"}

    revision = company(db_url).revision
    code, out, _ = run(capsys, "upload", "Acme", str(path))
    assert out == "Acme: nothing changed: the business plan in budget.csv is the one kept\n"
    assert company(db_url).revision == revision

    changed = budget_file(tmp_path, [1600, 3000, 3200, 3500, 2200, 2200], "budget_v2.csv")
    code, out, _ = run(capsys, "upload", "Acme", str(changed), "--format", "json")
    assert json.loads(out)["saved"] is True
    (row,) = trail(db_url).iloc[:1].to_dict("records")  # only April's cells changed
    assert (row["Field"], row["Before"], row["After"]) == ("revenue", "152000", "140000")
    assert list(company(db_url).business_plan["units"]) == [1600, 3000, 3200, 3500, 2200, 2200]


def test_show_the_business_plan_in_the_vocabulary(
    budgeted: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(capsys, "show", "Acme")
    lines = out.splitlines()
    assert code == 0 and lines[0] == "Acme: business plan (6 rows)"
    assert lines[1].split() == ["Family", "Period", "Units", "Revenue", "($)"]
    assert lines[5].split() == ["Garden", "tools", "2027-04", "3,800", "$152,000"]
    code, out, _ = run(capsys, "show", "Acme", "--format", "csv")
    assert out.splitlines()[:2] == [
        "family,period,units,revenue",
        "Garden tools,2027-01,1600.0,64000.0",
    ]


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["upload", "Acme", "{budget}", "--as", "x@acme.example"], "budget: not allowed: Only "
         "someone in finance may change the business plan; you are: supply planner."),
        (["upload", "Acme", "{tmp}/bad.csv"], "row 3, column units: must be a number ≥ 0, got "
         "'-5'"),
        (["upload", "Acme", "{tmp}/missing.csv"], "{tmp}/missing.csv: no such file; give a "
         ".csv or .xlsx business plan"),
        (["upload", "Nowhere", "{budget}"], "company: 'Nowhere' not found; companies: 'Acme'"),
        (["show", "Nowhere"], "company: 'Nowhere' not found; companies: 'Acme'"),
        (["exceptions", "Nowhere"], "company: 'Nowhere' not found; companies: 'Acme'"),
        (["gap", "Acme", "--format", "csv"], "--section: --format csv prints one table; choose "
         "year or months"),
    ],
)  # fmt: skip
def test_a_command_refused_or_bad_exits_2_and_keeps_nothing(
    db_url: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    argv: list[str],
    message: str,
) -> None:
    (tmp_path / "bad.csv").write_text(
        "family,period,units,revenue\nGarden tools,2027-01,5,200\nGarden tools,2027-02,-5,0\n",
        encoding="utf-8",
    )
    values = {"{budget}": str(budget_file(tmp_path)), "{tmp}": str(tmp_path)}
    for key, value in values.items():
        argv = [a.replace(key, value) for a in argv]
        message = message.replace(key, value)
    assert refused(capsys, db_url, *argv) == f"error: invalid input\n{message}\n"
    assert company(db_url).business_plan.empty


# --------------------------------------------------------------------------- gap


def test_the_gap_per_family_over_the_months_and_per_month(
    budgeted: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(capsys, "gap", "Acme")
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == "Acme: the plan against the business plan over 6 months (2027-01 – 2027-06)"
    assert lines[1].startswith("Plan revenue $640,000 · Budget revenue $640,000 · Gap revenue $0")
    (year,) = [line for line in lines if line.startswith("Garden tools     16,000")]
    assert year.split()[2:] == ["16,000", "16,000", "0", "$640,000", "$640,000", "$0"]
    (april,) = [line for line in lines if " 2027-04 " in line]
    assert april.split()[3:] == [
        "3,533", "3,800", "−267", "−267", "$141,333", "$152,000", "−$10,667", "−$10,667",
    ]  # fmt: skip
    assert "None" not in out and "nan" not in out

    code, out, _ = run(capsys, "gap", "Acme", "--format", "json")
    data = json.loads(out)
    assert data["months_covered"] == MONTHS
    assert data["gap_revenue"] == pytest.approx(0, abs=1e-6)
    months = {row["period"]: row for row in data["months"]}
    assert months["2027-04"]["gap_units"] == pytest.approx(-SHORT)
    assert months["2027-04"]["gap_revenue"] == pytest.approx(-40 * SHORT)
    assert months["2027-05"]["cum_gap_units"] == pytest.approx(0, abs=1e-6)
    assert data["year"][0]["gap_units"] == pytest.approx(0, abs=1e-6)

    code, out, _ = run(capsys, "gap", "Acme", "--section", "months", "--format", "csv")
    assert out.splitlines()[0] == (
        "family,period,plan_units,budget_units,gap_units,cum_gap_units,plan_revenue,"
        "budget_revenue,gap_revenue,cum_gap_revenue"
    )


def test_the_gap_without_a_business_plan_or_in_common_exits_2(
    db_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(capsys, "gap", "Acme")
    assert (code, out) == (2, "")
    assert err == (
        "error: invalid input\nbusiness plan: Acme has none yet; upload one with: "
        "business-plan upload 'Acme' FILE\n"
    )
    other = tmp_path / "other.csv"
    other.write_text("family,period,units,revenue\nHoses,2027-01,5,200\n", encoding="utf-8")
    assert run(capsys, "upload", "Acme", str(other))[0] == 0
    code, out, err = run(capsys, "gap", "Acme")
    assert (code, out) == (2, "")
    assert err == (
        "error: invalid input\nbusiness plan: no family and month in common with the plan "
        "(2027-01 – 2027-06, families Garden tools); check its family names and months\n"
    )


# --------------------------------------------------------------------------- exceptions


def test_the_exceptions_in_words_and_with_their_kinds_for_programs(
    budgeted: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(capsys, "exceptions", "Acme")
    lines = out.splitlines()
    assert code == 0 and lines[0] == "Acme: 4 exceptions for the meeting"
    assert lines[1] == (
        "- Below budget: Garden tools in 2027-04: sells 3,533 units, 267 (7%) below the budget "
        "of 3,800; revenue $141,333 is $10,667 below the budget of $152,000 (cumulative gap "
        "−267 units, −$10,667)."
    )
    # 1,000 units in stock at the start: more than a quarter of a month's demand above
    # the (zero) safety stock until March
    assert [line.split(":")[0] for line in lines[2:]] == ["- Stock above target"] * 3
    code, out, _ = run(capsys, "exceptions", "Acme", "--format", "json")
    found = json.loads(out)
    assert [(e["kind"], e["period"]) for e in found] == [
        ("below_budget", "2027-04"),
        ("stock_above_target", "2027-01"),
        ("stock_above_target", "2027-02"),
        ("stock_above_target", "2027-03"),
    ]


def test_an_open_demand_review_and_a_missing_business_plan_are_said(
    db_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with connect(db_url) as wb:
        cycles.start_cycle(wb, "Acme", author="Tester")  # this month's, nothing signed off
    code, out, _ = run(capsys, "exceptions", "Acme")
    lines = out.splitlines()
    assert code == 0 and lines[1].startswith("- Demand review open: The demand review is not")
    assert lines[-1] == "(no business plan yet: the gap to it is not checked)"


def test_a_plan_with_no_feasible_solution_exits_1_saying_why(
    budgeted: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with connect(budgeted) as wb:
        capacity.set_field(wb, "Acme", "max_workers", 1, author="Tester")
        capacity.set_field(wb, "Acme", "max_subcontract", 0, family="Garden tools", author="Tester")
    for command in ("gap", "exceptions"):
        code, out, err = run(capsys, command, "Acme")
        assert (code, out) == (1, "")
        assert err.startswith(
            "error: the company's plan has no feasible solution: No feasible plan"
        )
        assert "at most 1 worker (the workforce ceiling)" in err
