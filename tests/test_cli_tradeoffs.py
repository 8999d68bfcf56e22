"""``python -m sop_core frontier|sensitivity|risk`` and their services on SQLite and on a
real PostgreSQL server, called in-process.

The company is test_services_exports's Acme: one family, Pumps, three months, demand 20,
10, 10; one worker of 10 hours ($1 a period) makes 10; $1 material, $2 a unit-period of
backlog, $5 to subcontract; hiring and layoffs free. A one-month time fence holds
January at the approved plan's 10 units, so 10 wait a month ($20): the plan as it stands
costs $64 (labour $4: a second worker in February; material $40) at a 75 % fill rate."""

from __future__ import annotations

import io
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from factories import acme_scenario, cli_store, seed_acme
from postgres_server import postgres_server  # noqa: F401  (the fixture, for cli_store)

from sop_core.cli.main import main
from sop_core.model.scenario import Scenario
from sop_core.services import companies, plans, tradeoffs
from sop_core.services.workbench import connect


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """A store holding Acme (approved plan Base), given to the CLI as a user would."""
    url = cli_store(request, tmp_path, monkeypatch, roles="[roles]\n", actor="Tester")
    with connect(url) as wb:
        seed_acme(wb)
    return url


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def fenced_cost(url: str, scenario: Scenario) -> float:
    """The cost of ``scenario`` inside Acme's time fence, solved the one way."""
    with connect(url) as wb:
        fence = plans.company_fence(wb, "Acme")
    return plans.solve_plan(scenario, fence.plan).total_cost


# --------------------------------------------------------------------------- frontier


def test_workforce_frontier_by_hand(db_url, capsys):
    # largest change 1 (a second worker in February): $64. Held to 0.5: 1.5 workers in
    # January and March, 2 in February, for $1 more. Held to 0: one worker all along,
    # February's extra 10 bought in: labour $3, material $30, subcontracting $50,
    # January's backlog $20: $103
    code, out, err = run(
        capsys, "frontier", "Acme", "--aim", "largest_workforce_change", "--points", "3", "--quiet"
    )
    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert lines[0] == "Acme, plan as it stands: total cost against largest workforce change"
    assert "Largest workforce change (workers)" in lines[1] and "Total cost ($)" in lines[1]
    assert "$64" in lines[2] and "$65" in lines[3] and "$103" in lines[4]
    # three months of twelve: a step of $1 is $4 a year
    assert lines[5] == "From 1 to 0.5 workers of largest workforce change costs $4 a year"
    assert lines[6] == "From 0.5 to 0 workers of largest workforce change costs $152 a year"
    for word in ("nan", "None", "largest_workforce_change"):
        assert word not in out


def test_frontier_json_has_the_exact_values_and_a_point_reopens(db_url, capsys):
    code, out, _ = run(
        capsys, "frontier", "Acme", "--aim", "largest_workforce_change", "--points", "3",
        "--format", "json",
    )  # fmt: skip
    shown = json.loads(out)
    assert code == 0 and (shown["company"], shown["plan"]) == ("Acme", "plan as it stands")
    pts = shown["points"]
    assert [p["level"] for p in pts] == pytest.approx([1, 0.5, 0])
    assert [p["total_cost"] for p in pts] == pytest.approx([64, 65, 103], abs=1e-6)
    assert pts[2]["marginal_price"].startswith("From 0.5 to 0 workers")
    with connect(db_url) as wb:
        _, plan = tradeoffs.frontier_point(wb, "Acme", "largest_workforce_change", 0.5)
    assert plan.total_cost == pytest.approx(65)
    code, out, _ = run(capsys, "frontier", "Acme", "--points", "3", "--format", "csv")
    table = pd.read_csv(io.StringIO(out))
    assert code == 0 and list(table.columns)[:3] == ["point", "level", "total_cost"]


def test_the_fill_rate_frontier_respects_the_time_fence(db_url, capsys):
    # January is held at 10 units: its 10 units of backlog cannot be avoided, so 75 % is
    # the best fill rate reachable and the frontier is the plan alone
    with connect(db_url) as wb:
        s, f = tradeoffs.frontier_of(wb, "Acme", "fill_rate")
    assert s.fixed is not None
    assert len(f.points) == 1
    assert (f.points[0].level, f.points[0].cost) == pytest.approx((0.75, 64.0))
    # without the fence a second worker (hired for free) makes January's 20: the plan
    # itself serves all demand, for $44
    with connect(db_url) as wb:
        companies.seed_company(
            wb, "Open", acme_scenario([20.0, 10.0, 10.0], frozen=0), author="ann"
        )
        _, g = tradeoffs.frontier_of(wb, "Open", "fill_rate", points=2)
    assert len(g.points) == 1
    assert (g.points[0].level, g.points[0].cost) == pytest.approx((1.0, 44.0))


# --------------------------------------------------------------------------- sensitivity


def test_sensitivity_demand_bar_is_two_fenced_solves(db_url, capsys):
    code, out, err = run(capsys, "sensitivity", "Acme", "--format", "csv")
    assert (code, err) == (0, "")
    table = pd.read_csv(io.StringIO(out))
    row = table[table["parameter"] == "Demand: Pumps"].iloc[0]
    for factor, column in ((0.9, "cost_low"), (1.1, "cost_high")):
        moved = acme_scenario([20 * factor, 10 * factor, 10 * factor])
        assert row[column] == pytest.approx(fenced_cost(db_url, moved), rel=1e-9)
    assert table.iloc[0]["parameter"] == "Demand: Pumps"  # the largest swing, first
    code, out, _ = run(capsys, "sensitivity", "Acme", "--change", "20", "--quiet")
    assert code == 0 and out.splitlines()[0] == "Acme, plan as it stands: each input ±20 %"
    assert "Cost swing ($)" in out and "nan" not in out


def test_sensitivity_refuses_a_bad_change_by_option(db_url, capsys):
    code, out, err = run(capsys, "sensitivity", "Acme", "--change", "150")
    assert (code, out) == (2, "")
    assert err.startswith("error: invalid input\n--change: must be a share between 0 and 1")


# --------------------------------------------------------------------------- risk


def test_risk_with_no_spread_is_the_plan_itself(db_url, capsys):
    code, out, _ = run(capsys, "risk", "Acme", "--cv", "0", "--draws", "5", "--format", "json")
    shown = json.loads(out)
    assert code == 0
    assert shown["p_meets_target"] == 0.0  # 75 % against a 95 % target
    assert [p["fixed_cost"] for p in shown["paths"]] == pytest.approx([64] * 5)
    assert [p["replan_cost"] for p in shown["paths"]] == pytest.approx([64] * 5)
    assert shown["extra_safety_stock"] == [{"family": "Pumps", "extra_safety_stock": 0.0}]


def test_risk_from_the_forecast_and_as_csv(db_url, capsys):
    # Acme's SKU history sells the same every month: its forecast's intervals have no
    # width, so every path is the plan's demand
    code, out, _ = run(capsys, "risk", "Acme", "--draws", "4", "--format", "csv")
    table = pd.read_csv(io.StringIO(out))
    assert code == 0 and len(table) == 4
    assert table["fixed_cost"].tolist() == pytest.approx([64] * 4)
    code, out, _ = run(capsys, "risk", "Acme", "--cv", "0.3", "--draws", "40", "--quiet")
    assert code == 0
    assert "Chance of meeting the target" in out and "95th percentile" in out
    assert "Extra safety stock for a 95 % chance:" in out
    with connect(db_url) as wb:
        _, a = tradeoffs.risk_of(wb, "Acme", cv=0.3, draws=40, seed=3)
        _, b = tradeoffs.risk_of(wb, "Acme", cv=0.3, draws=40, seed=3)
    assert np.array_equal(a.fixed.cost, b.fixed.cost)


def test_risk_without_a_history_asks_for_a_spread(db_url, capsys):
    with connect(db_url) as wb:
        companies.seed_company(wb, "Fresh", acme_scenario([10.0, 10.0, 10.0]), author="ann")
    code, out, err = run(capsys, "risk", "Fresh", "--draws", "5")
    assert (code, out) == (2, "")
    assert "history" in err and "upload one first" in err


def test_a_plan_with_no_feasible_solution_exits_1(db_url, capsys):
    tight = acme_scenario([20.0, 10.0, 10.0], name="Tight", frozen=0)
    wf = tight.workforce.model_copy(update={"max_workers": 1.0})
    fams = [f.model_copy(update={"max_subcontract": 0.0}) for f in tight.families]
    with connect(db_url) as wb:
        companies.seed_company(
            wb, "Tight", tight.model_copy(update={"workforce": wf, "families": fams}), author="ann"
        )
    for command in ("frontier", "sensitivity", "risk"):
        code, out, err = (
            run(capsys, command, "Tight", "--cv", "0.1")
            if command == "risk"
            else run(capsys, command, "Tight")
        )
        assert (code, out) == (1, ""), command
        assert err.startswith("no feasible plan\nscenario: has no feasible plan: No feasible plan")


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["frontier", "Acme", "--points", "0"], "--points: must be between 1 and 201, got 0"),
        (["risk", "Acme", "--draws", "0"], "--draws: must be between 1 and 100,000, got 0"),
        (["risk", "Acme", "--cv", "-1"], "--cv: must be between 0 and 5"),
        (["frontier", "Acme", "--whatif", "Lean"], "--whatif: Acme keeps no what-if 'Lean'"),
    ],
)
def test_bad_options_are_named(db_url, capsys, argv, message):
    code, out, err = run(capsys, *argv)
    assert (code, out) == (2, "")
    assert err.startswith("error: invalid input\n" + message)


def test_a_saved_scenario_and_a_kept_whatif(db_url, capsys):
    code, out, _ = run(capsys, "frontier", "Acme", "--scenario", "Base", "--points", "2",
                       "--aim", "average_inventory", "--format", "json")  # fmt: skip
    shown = json.loads(out)
    assert code == 0 and shown["plan"] == "scenario Base (version 1)"
    assert shown["points"][0]["total_cost"] == pytest.approx(33)
    assert run(capsys, "plans", "keep", "Acme", "Level", "--strategy", "level")[0] == 0
    code, out, _ = run(capsys, "sensitivity", "Acme", "--whatif", "Level", "--quiet")
    assert code == 0 and out.startswith("Acme, what-if Level (level workforce): each input")
