"""``python -m sop_core scorecard ...``: the hand case of tests/test_scorecard.py (a
forced 3-month plan, lead time 3 1/3 days) scored from the store, targets set and shown,
refusals and the exit code of a plan that cannot be made."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from factories import cli_store, company_at, hand_case, refused_cli, run_cli

from sop_core.model.scenario import parse_scenario
from sop_core.services import capacity, companies
from sop_core.services.workbench import connect

ROLES = '[roles]\n"sam@acme.example" = ["supply planner"]\n"eve@acme.example" = ["executive"]\n'


@pytest.fixture(params=["sqlite"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """A store holding Acme, the hand case; Tester acts (every right)."""
    url = cli_store(request, tmp_path, monkeypatch, roles=ROLES, actor="Tester")
    with connect(url) as wb:
        companies.start_company(wb, "Acme", author="Tester", copy_of=parse_scenario(hand_case()))
    return url


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    return run_cli(capsys, "scorecard", *argv)


def test_targets_set_then_the_plan_scored_against_them(db_url, capsys):
    code, out, err = run(
        capsys, "targets", "Acme", "--lead-time-max", "5", "--fill-rate-min", "95%"
    )
    assert code == 0, err
    assert "Acme: targets set (2 given)" in out
    targets = company_at(db_url).scenario().targets
    assert (targets.lead_time_max, targets.fill_rate_min) == (5, 0.95)
    code, out, _ = run(capsys, "show", "Acme", "--section", "plan")
    assert code == 0
    assert "Customer lead time" in out and "3.3" in out and "at most 5.0" in out
    assert "not met" in out and "Kayaks" not in out  # the plan's section only
    code, out, _ = run(capsys, "show", "Acme", "--format", "json", "--section", "plan")
    rows = {r["measure"]: r for r in json.loads(out)}
    assert rows["customer_lead_time"]["value"] == pytest.approx(10 / 3)
    assert (
        rows["customer_lead_time"]["status"] == "met" and rows["fill_rate"]["status"] == "not met"
    )


def test_targets_shown_and_removed(db_url, capsys):
    run(capsys, "targets", "Acme", "--turns-min", "4")
    code, out, _ = run(capsys, "targets", "Acme", "--format", "json")
    assert code == 0 and json.loads(out)["targets.turns_min"] == 4
    code, out, _ = run(capsys, "targets", "Acme", "--turns-min", "none")
    assert code == 0 and company_at(db_url).scenario().targets is None


def test_bad_targets_and_rights_are_refused_with_exit_2(db_url, capsys):
    err = refused_cli(capsys, db_url, "scorecard", "targets", "Acme", "--fill-rate-min", "95")
    assert "Fill rate, at least" in err and "0.95 = 95 %" in err
    err = refused_cli(capsys, db_url, "scorecard", "targets", "Acme", "--turns-min", "lots")
    assert "--turns-min: must be a number or 'none', got 'lots'" in err
    err = refused_cli(
        capsys,
        db_url,
        "scorecard",
        "targets",
        "Acme",
        "--turns-min",
        "4",
        "--as",
        "sam@acme.example",
    )
    assert "Only an executive may set the scorecard's targets" in err


def test_a_plan_that_cannot_be_made_exits_1(db_url, capsys):
    with connect(db_url) as wb:
        # 10,000 units left at the end: beyond the one worker's 450
        capacity.set_field(wb, "Acme", "ending_inventory_min", 10000, family="Kayaks", author="T")
    code, out, err = run(capsys, "show", "Acme")
    assert code == 1 and out == "" and "no feasible plan" in err
