"""``python -m sop_core scenarios ...`` on SQLite and on a real PostgreSQL server."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from factories import two_period_dict
from postgres_server import PostgresServer, drop_store_tables, fresh_database, postgres_server  # noqa: F401

from sop_core.base.fields import MISSING
from sop_core.cli.main import main
from sop_core.model.scenario import load_scenario, parse_scenario
from sop_core.services import scenarios
from sop_core.services.audit import audit_records
from sop_core.services.workbench import connect
from sop_core.store.scenarios import Store
from sop_core.store.session import ENV_VAR

REPO = Path(__file__).resolve().parent.parent


def scenario_dict(name: str = "Base") -> dict[str, Any]:
    """A small valid scenario file (two periods, one family)."""
    return two_period_dict(name, [300.0, 500.0])


@pytest.fixture(scope="module")
def pg_database(request: pytest.FixtureRequest) -> str:
    server: PostgresServer = request.getfixturevalue("postgres_server")
    return fresh_database(server, "test_cli")


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """An empty store, given to the CLI through ``SOP_DATABASE_URL`` as a user would."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'cli.sqlite'}"
    else:
        url = request.getfixturevalue("pg_database")
        drop_store_tables(url)
    monkeypatch.setenv(ENV_VAR, url)
    monkeypatch.setenv("SOP_AUTHOR", "Tester")
    return url


@pytest.fixture
def sqlite_url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """A SQLite store for the error cases (the message does not depend on the backend)."""
    url = f"sqlite:///{tmp_path / 'cli.sqlite'}"
    monkeypatch.setenv(ENV_VAR, url)
    monkeypatch.setenv("SOP_AUTHOR", "Tester")
    return url


@pytest.fixture
def scenario_file(tmp_path: Path) -> Path:
    path = tmp_path / "base.json"
    path.write_text(json.dumps(scenario_dict()), encoding="utf-8")
    return path


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(["scenarios", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_import_list_show_export_round_trip(
    db_url: str, scenario_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(capsys, "import", str(scenario_file), "--note", "first cut")
    assert code == 0
    assert out.startswith(f"imported {scenario_file} into scenario 'Base' as version 1")
    with Store(db_url) as store:
        saved = store.open("Base")
    assert saved.author == "Tester" and saved.note == "first cut"
    assert saved.provenance == {"imported_from": "base.json"}
    assert saved.solve_status == "optimal", "the planner filled the KPIs"
    assert saved.kpis is not None and saved.kpis["total_cost"] > 0
    assert f"; total cost {saved.kpis['total_cost']:,.2f}" in out
    assert saved.cost_breakdown and sum(saved.cost_breakdown.values()) == pytest.approx(
        saved.kpis["total_cost"]
    )

    code, out, _ = run(capsys, "import", str(scenario_file))
    assert code == 0
    assert "into scenario 'Base' as version 2 (earlier versions kept)" in out

    code, out, _ = run(capsys, "list")
    assert code == 0
    header, row = out.splitlines()
    assert header.split() == [
        *("Scenario", "Status", "Version", "Author", "Saved", "at", "Total", "cost", "($)"),
        "Note",
    ]
    assert row.split()[:4] == ["Base", "draft", "2", "Tester"]

    code, out, _ = run(capsys, "show", "Base", "--version", "1")
    assert code == 0
    assert "Scenario:   Base" in out and "Version:    1 of 2, saved by Tester" in out
    assert "Note:       first cut" in out
    assert "Shape:      2 periods (Jan, Feb), families: Garden tools; strategy optimal" in out
    assert " *v1 " in out and "  v2 " in out

    code, out, _ = run(capsys, "export", "Base")
    assert code == 0
    assert parse_scenario(out) == parse_scenario(scenario_dict())

    target = tmp_path / "out" / "base-export.json"
    target.parent.mkdir()
    code, out, _ = run(capsys, "export", "Base", "-o", str(target))
    assert code == 0
    assert out == f"wrote scenario 'Base' version 2 to {target}\n"
    assert load_scenario(target) == parse_scenario(scenario_dict())


def test_import_options_name_note_author_provenance_no_solve(
    db_url: str, scenario_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    provenance = {"history": "data/h.csv", "forecast": "auto", "adjustments": []}
    code, out, _ = run(
        capsys, "import", str(scenario_file), "--name", "Peak 2027", "--author", "Ann",
        "--note", "it's 'quoted'", "--provenance", json.dumps(provenance), "--no-solve",
    )  # fmt: skip
    assert code == 0
    assert out == f"imported {scenario_file} into scenario 'Peak 2027' as version 1\n"
    with Store(db_url) as store:
        got = store.open("Peak 2027")
    assert (got.author, got.note, got.provenance) == ("Ann", "it's 'quoted'", provenance)
    assert got.kpis is None and got.scenario.name == "Peak 2027"

    code, out, _ = run(capsys, "show", "Peak 2027")
    assert "KPIs:       not solved" in out
    code, out, _ = run(capsys, "list")  # no total cost: a blank cell, as in every table
    (row,) = [line for line in out.splitlines() if line.startswith("Peak 2027")]
    assert row.split()[:4] == ["Peak", "2027", "draft", "1"]
    assert row.endswith(" UTC                it's 'quoted'")  # the cost column blank
    assert "$" not in row and "nan" not in row.lower() and MISSING not in row


def test_list_and_show_as_json(
    db_url: str, scenario_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(capsys, "list", "--json")
    assert (code, json.loads(out)) == (0, [])
    run(capsys, "import", str(scenario_file), "--no-solve")
    with Store(db_url) as store:
        store.approve("Base", author="Boss")
    code, out, _ = run(capsys, "list", "--json")
    assert '"approved_version": 1,' in out  # a whole number, as stored
    (row,) = json.loads(out)
    assert {k: row[k] for k in ("name", "status", "latest_version", "approved_version")} == {
        "name": "Base",
        "status": "approved",
        "latest_version": 1,
        "approved_version": 1,
    }
    code, out, _ = run(capsys, "show", "Base", "--json")
    shown = json.loads(out)
    assert shown["approved_by"] == "Boss" and shown["kpis"] is None
    assert parse_scenario(shown["scenario"]) == parse_scenario(scenario_dict())
    assert [v["version"] for v in shown["versions"]] == [1]


def test_empty_store_list_says_how_to_add_one(
    sqlite_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(capsys, "list")
    assert code == 0
    assert out.startswith("no scenarios in sqlite:///")
    assert out.endswith("; add one with: python -m sop_core scenarios import FILE\n")


def test_database_url_option_overrides_the_environment(
    sqlite_url: str, scenario_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    other = f"sqlite:///{tmp_path / 'other.sqlite'}"
    assert run(capsys, "import", str(scenario_file), "--no-solve", "--database-url", other)[0] == 0
    with Store(other) as store:
        assert store.names() == ["Base"]
    with Store(sqlite_url) as store:
        assert store.names() == []


def test_list_and_show_in_every_format(
    db_url: str, scenario_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(capsys, "import", str(scenario_file), "--note", "first cut")[0] == 0
    with connect(db_url) as wb:
        saved = scenarios.open_scenario(wb, "Base")
    assert saved.kpis is not None and saved.cost_breakdown
    cost = saved.kpis["total_cost"]

    code, out, _ = run(capsys, "list", "--format", "csv")
    assert code == 0
    header, row = out.splitlines()
    assert header == "name,status,latest_version,approved_version,author,saved_at,note,total_cost"
    assert row.startswith("Base,draft,1,,Tester,") and row.endswith(f",first cut,{cost!r}")
    code, out, _ = run(capsys, "list", "--format", "json")
    assert json.loads(out)[0]["total_cost"] == cost  # exact, not rounded
    assert run(capsys, "list", "--json")[1] == out  # --json: the same as --format json
    code, out, _ = run(capsys, "list")
    assert f"${cost:,.0f}" in out  # the table: money to the dollar

    code, out, _ = run(capsys, "show", "Base", "--format", "csv")
    assert code == 0
    fields = dict(line.split(",", 1) for line in out.splitlines()[1:])
    assert (fields["name"], fields["version"], fields["note"]) == ("Base", "1", "first cut")
    assert float(fields["kpis.total_cost"]) == cost
    assert fields["provenance"] == '"{""imported_from"": ""base.json""}"'
    assert {f"cost_breakdown.{k}" for k in saved.cost_breakdown} <= set(fields)
    code, out, _ = run(capsys, "show", "Base", "--format", "json")
    assert json.loads(out)["kpis"] == saved.kpis
    assert run(capsys, "show", "Base", "--json")[1] == out
    code, out, _ = run(capsys, "show", "Base")
    kpis = out[out.index("KPIs (optimal):") : out.index("Cost breakdown:")].splitlines()[1:]
    assert kpis[0].split() == ["Total", "cost", f"${cost:,.0f}"]  # the vocabulary's words
    assert "Fill rate" in out and "total_cost" not in out and "fill_rate" not in out
    assert "Regular labour" in out and "regular_labour" not in out


@pytest.fixture
def roles(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """A role file where x@acme.example is a supply planner; returns the address."""
    path = tmp_path / "roles.toml"
    path.write_text('[roles]\n"x@acme.example" = ["supply planner"]\n', encoding="utf-8")
    monkeypatch.setenv("SOP_ROLES_FILE", str(path))
    return "x@acme.example"


def scenario_rows(url: str) -> pd.DataFrame:
    with connect(url) as wb:
        return audit_records(wb, kind="scenario", key="Base")


def test_an_executive_approves_a_version_and_sets_the_status(
    db_url: str, scenario_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for _ in range(2):
        assert run(capsys, "import", str(scenario_file), "--no-solve")[0] == 0
    code, out, err = run(capsys, "approve", "Base", "--version", "1")
    assert (code, err) == (0, "")
    assert out == (
        "approved scenario 'Base' version 1 as its company's plan; the scenario approved "
        "before, if any, is proposed again\n"
    )
    with connect(db_url) as wb:
        item = scenarios.open_scenario(wb, "Base")
    assert (item.status, item.approved_version, item.approved_by) == ("approved", 1, "Tester")
    assert item.latest_version == 2
    code, out, _ = run(capsys, "list")
    assert out.splitlines()[1].split()[:4] == ["Base", "approved", "v1", "2"]

    code, out, err = run(capsys, "status", "Base", "proposed", "--format", "json")
    assert (code, err) == (0, "")
    assert json.loads(out) == {
        "message": "scenario 'Base' is now proposed; it was approved",
        "name": "Base",
        "status": "proposed",
        "before": "approved",
        "approved_version": None,
    }
    with connect(db_url) as wb:
        item = scenarios.open_scenario(wb, "Base")
        assert scenarios.approved_scenario(wb, None) is None
    assert (item.status, item.approved_version) == ("proposed", None)
    code, out, _ = run(capsys, "status", "Base", "approved")  # approves the latest
    assert out == "scenario 'Base' is now approved (version 2); it was proposed\n"

    trail = scenario_rows(db_url)
    assert list(trail["action"])[:3] == ["approve", "status", "approve"]
    assert set(trail["who"][:3]) == {"Tester"}
    assert json.loads(trail.loc[2, "after"]) == {"status": "approved", "approved_version": 1}
    assert json.loads(trail.loc[0, "after"]) == {"status": "approved", "approved_version": 2}


def test_only_an_executive_approves_or_withdraws_an_approval(
    db_url: str, scenario_file: Path, roles: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(capsys, "import", str(scenario_file), "--no-solve")[0] == 0
    before = len(scenario_rows(db_url))
    refusal = (
        "error: invalid input\nstatus: not allowed: Only an executive may approve a scenario; "
        "you are: supply planner.\n"
    )
    for argv in (["approve", "Base"], ["status", "Base", "approved"]):
        code, out, err = run(capsys, *argv, "--as", roles)
        assert (code, out, err) == (2, "", refusal)
    with connect(db_url) as wb:
        assert scenarios.open_scenario(wb, "Base").status == "draft"
    assert len(scenario_rows(db_url)) == before, "a refusal writes nothing"

    code, out, _ = run(capsys, "status", "Base", "proposed", "--as", roles)  # a draft: allowed
    assert (code, out) == (0, "scenario 'Base' is now proposed; it was draft\n")
    assert run(capsys, "approve", "Base")[0] == 0  # the local user holds every right
    code, out, err = run(capsys, "status", "Base", "draft", "--as", roles)
    assert (code, out, err) == (2, "", refusal)
    with connect(db_url) as wb:
        assert scenarios.open_scenario(wb, "Base").status == "approved"
    assert list(scenario_rows(db_url)["who"][:2]) == ["Tester", roles]


# --------------------------------------------------------------------------- bad input: exit 2


def test_unknown_name_exits_2_naming_the_known_ones(
    db_url: str, scenario_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run(capsys, "import", str(scenario_file), "--no-solve")
    run(capsys, "import", str(scenario_file), "--no-solve", "--name", "Lean")
    for command in ("show", "export"):
        code, out, err = run(capsys, command, "Peak 2027")
        assert (code, out) == (2, "")
        assert err == (
            "error: invalid input\nname: scenario 'Peak 2027' not found; known: 'Base', 'Lean'\n"
        )


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["import", "{tmp}/missing.json"], "{tmp}/missing.json: no such file; give the path of "
         "a scenario .json file"),
        (["import", "{tmp}/invalid.json"], "invalid.json workforce.hire_cost: must be ≥ 0, got -3"),
        (["import", "{tmp}/base.json", "--provenance", "{oops"], "--provenance: not valid JSON "
         "(Expecting property name enclosed in double quotes), got '{oops'; give an object such "
         'as \'{"history": "h.csv", "forecast": "auto"}\''),
        (["import", "{tmp}/base.json", "--provenance", "[1]"],
         "--provenance: must be a JSON object {...}, got '[1]'"),
        (["import", "{tmp}/base.json", "--name", " "],
         "name: must not be empty; give the scenario a name such as 'Base 2027'"),
        (["show", "Base", "--version", "9"],
         "version: scenario 'Base' has no version 9; its versions are 1 to 1"),
        (["export", "Base", "--version", "0"], "version: must be a version number 1, 2, …, got 0"),
        (["export", "Base", "-o", "{tmp}/nowhere/x.json"],
         "-o: directory '{tmp}/nowhere' does not exist; create it or choose another path"),
        (["export", "Base", "-o", "{tmp}"], "-o: '{tmp}' is a directory; give a file name"),
        (["approve", "Lean"], "name: scenario 'Lean' not found; known: 'Base'"),
        (["approve", "Base", "--version", "9"],
         "version: scenario 'Base' has no version 9; its versions are 1 to 1"),
        (["status", "Lean", "draft"], "name: scenario 'Lean' not found; known: 'Base'"),
        (["list", "--database-url", "not a url"],
         "SOP_DATABASE_URL: 'not a url' is not a database URL; use e.g. "
         "'sqlite:///data/scenarios.sqlite' or "
         "'postgresql+psycopg://user:password@host:5432/dbname'"),
    ],
)  # fmt: skip
def test_bad_input_exits_2_with_a_clear_message(
    sqlite_url: str,
    scenario_file: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    argv: list[str],
    message: str,
) -> None:
    bad = scenario_dict()
    bad["workforce"]["hire_cost"] = -3
    (tmp_path / "invalid.json").write_text(json.dumps(bad), encoding="utf-8")
    assert run(capsys, "import", str(scenario_file), "--no-solve")[0] == 0
    with Store(sqlite_url) as store:
        before = store.count_versions()
    code, out, err = run(capsys, *[a.replace("{tmp}", str(tmp_path)) for a in argv])
    assert (code, out) == (2, "")
    expected = message.replace("{tmp}", str(tmp_path))
    assert err == f"error: invalid input\n{expected}\n"
    with Store(sqlite_url) as store:
        assert store.count_versions() == before, "nothing was stored"


def test_an_unreachable_database_exits_2_without_the_password(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    url = f"postgresql+psycopg://ann:s3cret@127.0.0.1:{port}/sop"
    code, out, err = run(capsys, "list", "--database-url", url)
    assert (code, out) == (2, "")
    assert err.startswith(
        "error: invalid input\n--database-url: cannot open the scenario database "
        f"postgresql+psycopg://ann:***@127.0.0.1:{port}/sop: "
    )
    assert "s3cret" not in err


def test_python_m_sop_core_scenarios_end_to_end(sqlite_url: str, scenario_file: Path) -> None:
    """The real entry point, ``python -m sop_core``, in a child process."""
    env = {**os.environ, "PYTHONPATH": str(REPO)}

    def cli(*argv: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "sop_core", "scenarios", *argv],
            env=env,
            cwd=REPO,
            capture_output=True,
            text=True,
            timeout=120,
        )

    with Store(sqlite_url) as store:
        store.save(load_scenario(scenario_file), author="Ann")
    exported = cli("export", "Base")
    assert exported.returncode == 0, exported.stderr
    assert parse_scenario(exported.stdout) == parse_scenario(scenario_dict())


def test_an_unknown_status_is_refused_by_the_parser_listing_the_statuses(
    sqlite_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(capsys, "status", "Base", "final")
    assert (code, out) == (2, "")
    assert "argument STATUS: invalid choice: 'final' (choose from 'draft', 'proposed', " in err


def test_help_says_who_may_approve_and_what_each_format_is(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["scenarios", "approve", "--help"]) == 0
    out = " ".join(capsys.readouterr().out.split())
    assert "Only an executive may" in out and "the version (default: latest)" in out
    assert main(["scenarios", "list", "--help"]) == 0
    out = " ".join(capsys.readouterr().out.split())
    assert "--format {table,json,csv}" in out and "--json the same as --format json" in out
