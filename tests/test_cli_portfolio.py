"""``python -m sop_core launches …`` and ``phase-out …`` on SQLite and on a real PostgreSQL
server: each command changes the store as the Demand page would, prints the portfolio in
the vocabulary, and a refused or bad command exits 2 with the sentence and changes
nothing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from factories import (
    BACKENDS,
    cli_store,
    company_at,
    red_tomato_dict,
    refused_cli,
    run_cli,
    seed_acme,
)
from postgres_server import postgres_server  # noqa: F401 (the PostgreSQL backend)

from sop_core.model.scenario import parse_scenario
from sop_core.services import companies
from sop_core.services.workbench import connect

MONTHS = [f"2027-{m:02d}" for m in range(1, 7)]
ROLES = (
    '[roles]\n"pat@acme.example" = ["product developer"]\n"ana@acme.example" = ["demand planner"]\n'
)


@pytest.fixture(params=BACKENDS)
def db_url(request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """Acme: Red Tomato's Garden tools and Hand tools (300 a month), Jan–Jun 2027."""
    url = cli_store(request, tmp_path, monkeypatch, roles=ROLES, actor="Tester")
    data = red_tomato_dict()
    data["periods"] = MONTHS
    data["families"].append({**data["families"][0], "name": "Hand tools", "demand": [300.0] * 6})
    with connect(url) as wb:
        companies.start_company(wb, "Acme", author="Tester", copy_of=parse_scenario(data))
    return url


def _demand(url: str, name: str) -> list[float]:
    state = company_at(url)
    return state.value("family", state.family_key(name))["demand"]


def test_add_list_and_remove_a_launch(capsys: pytest.CaptureFixture[str], db_url: str) -> None:
    code, out, err = run_cli(
        capsys, "launches", "add", "Acme", "Trail tools", "--start", "2027-03",
        "--like", "Hand tools", "--factor", "0.5", "--ramp-shares", "50%",
        "--cannibalise", "Hand tools", "--share", "0.2", "--as", "pat@acme.example",
    )  # fmt: skip
    assert (code, err) == (0, "")
    assert out.startswith("Acme: Trail tools sells from 2027-03 like Hand tools, × 0.5")
    assert "ramping up 50.0% of full demand; 20.0% of it taken from Hand tools" in out
    assert _demand(db_url, "Trail tools") == [0, 0, 75, 150, 150, 150]

    code, out, _ = run_cli(capsys, "launches", "list", "Acme")
    assert code == 0
    assert "Launch" in out and "from 2027-03" in out and "Trail tools" in out

    code, out, _ = run_cli(capsys, "launches", "list", "Acme", "--section", "effects",
                           "--format", "json")  # fmt: skip
    rows = json.loads(out)
    assert [(r["family"], r["period"], r["change"]) for r in rows] == [
        ("Hand tools", p, -c) for p, c in zip(MONTHS[2:], [15, 30, 30, 30], strict=True)
    ]  # 20 % of the launch's 75, 150, …

    code, out, _ = run_cli(capsys, "launches", "remove", "Acme", "Trail tools")
    assert code == 0 and "Trail tools" not in company_at(db_url).family_names


def test_set_and_clear_a_phase_out(capsys: pytest.CaptureFixture[str], db_url: str) -> None:
    code, out, err = run_cli(
        capsys, "phase-out", "set", "Acme", "Hand tools", "--end", "2027-04",
        "--last-time-buy", "40", "--replacement", "Garden tools", "--format", "json",
    )  # fmt: skip
    assert code == 0, err
    assert json.loads(out)["message"] == (
        "Acme: Hand tools ends after 2027-04 with 40 units in stock; Garden tools takes its demand"
    )
    state = company_at(db_url)
    assert state.value("family", state.family_key("Hand tools"))["phase_out"] == {
        "end_period": "2027-04", "last_time_buy": 40.0, "replacement": "Garden tools"
    }  # fmt: skip
    code, out, _ = run_cli(capsys, "phase-out", "clear", "Acme", "Hand tools")
    assert code == 0 and "sells to the end of the plan again" in out


def test_refused_and_bad_input_exit_2_and_change_nothing(
    capsys: pytest.CaptureFixture[str], db_url: str
) -> None:
    err = refused_cli(
        capsys, db_url, "launches", "add", "Acme", "X", "--start", "2027-03", "--like",
        "Hand tools", "--factor", "1", "--as", "ana@acme.example",
    )  # fmt: skip
    assert "Only a product developer may add, change and remove launches" in err
    err = refused_cli(capsys, db_url, "phase-out", "set", "Acme", "Hand tools", "--end", "2031-01")
    assert "Last period: '2031-01' is not a period of the plan; pick one of 2027-01" in err
    err = refused_cli(
        capsys, db_url, "launches", "add", "Acme", "X", "--start", "2027-03", "--like",
        "Hand tools", "--factor", "1", "--ramp-shares", "half",
    )  # fmt: skip
    assert "--ramp-shares: 'half' is not a share; give e.g. 0.2,0.5" in err


@pytest.fixture(params=BACKENDS)
def sku_url(request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """Acme of ``factories.seed_acme``: Pumps (20, 10, 10 from 2027-01) and a history
    selling P-6 6 a month and P-4 4."""
    url = cli_store(request, tmp_path, monkeypatch, roles=ROLES, actor="Tester")
    with connect(url) as wb:
        seed_acme(wb, approve=False)
    return url


def _pumps(url: str) -> dict:
    state = company_at(url)
    return state.value("family", state.family_key("Pumps"))


def test_an_sku_launch_and_phase_out_from_the_command_line(
    capsys: pytest.CaptureFixture[str], sku_url: str
) -> None:
    code, out, err = run_cli(
        capsys, "launches", "add", "Acme", "P-9", "--family", "Pumps", "--start", "2027-02",
        "--like", "P-6", "--factor", "0.5", "--ramp-months", "2",
    )  # fmt: skip
    assert (code, err) == (0, "")
    assert out.startswith("Acme: P-9 (Pumps) sells from 2027-02 like P-6, × 0.5")
    assert _pumps(sku_url)["sku_launches"][0]["demand"] == [0, 1.5, 3]  # P-6's 12, 6, 6
    code, out, err = run_cli(
        capsys, "phase-out", "set", "Acme", "Pumps", "--sku", "P-4", "--end", "2027-02",
        "--replacement", "P-9", "--format", "json",
    )  # fmt: skip
    assert code == 0, err
    assert json.loads(out)["message"] == (
        "Acme: P-4 (Pumps) ends after 2027-02 with 0 units in stock; P-9 takes its demand"
    )
    code, out, _ = run_cli(capsys, "launches", "list", "Acme", "--format", "json")
    kinds = [(r["Change"], r["Family"]) for r in json.loads(out)]
    assert kinds == [("SKU launch", "Pumps"), ("SKU phase-out", "Pumps")]
    err = refused_cli(
        capsys, sku_url, "phase-out", "set", "Acme", "Pumps", "--sku", "P-5", "--end", "2027-02"
    )
    assert "SKU: 'P-5' is not an SKU of Pumps (its SKUs: P-4, P-6, P-9); pick one" in err
    code, _, _ = run_cli(capsys, "phase-out", "clear", "Acme", "Pumps", "--sku", "P-4")
    assert code == 0 and not _pumps(sku_url)["sku_phase_outs"]
    code, _, _ = run_cli(capsys, "launches", "remove", "Acme", "P-9", "--family", "Pumps")
    assert code == 0 and not _pumps(sku_url)["sku_launches"]
