"""``python -m sop_core plans show|keep|export|push|schedule`` on SQLite and on a real
PostgreSQL server, called in-process.

The company is test_services_exports's Acme: one family, Pumps, three months. Its
approved plan "Base" makes 10 a month with one worker ($1 a period) and $1 of material
a unit: $33. Its plan as it stands (demand 20, 10, 10) is held at the approved 10 in
January by a one-month time fence: 10 wait a month as backlog ($2 each), February makes
20 with a second worker: labour $4 + material $40 + backlog $20 = $64."""

from __future__ import annotations

import argparse
import io
import json
from pathlib import Path

import pandas as pd
import pytest
from factories import ACME_MONTHS as MONTHS
from factories import acme_scenario, seed_acme
from openpyxl import load_workbook
from postgres_server import PostgresServer, drop_store_tables, fresh_database, postgres_server  # noqa: F401
from sqlalchemy import create_engine, text

from sop_core.cli import plans as plans_cli
from sop_core.cli.main import build_parser, main
from sop_core.services import companies, scenarios
from sop_core.services.audit import audit_trail
from sop_core.services.workbench import connect
from sop_core.store.session import ENV_VAR

DEMAND_PLANNER = "dora@acme.example"


@pytest.fixture(scope="module")
def pg_database(request: pytest.FixtureRequest) -> str:
    server: PostgresServer = request.getfixturevalue("postgres_server")
    return fresh_database(server, "test_cli_plans")


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """A store holding Acme, given to the CLI through ``SOP_DATABASE_URL``; the person
    acting is the local user "Tester"; the role file makes Dora a demand planner."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'cli.sqlite'}"
    else:
        url = request.getfixturevalue("pg_database")
        drop_store_tables(url)
    roles = tmp_path / "roles.toml"
    roles.write_text(f'[roles]\n"{DEMAND_PLANNER}" = ["demand planner"]\n', encoding="utf-8")
    monkeypatch.setenv("SOP_ROLES_FILE", str(roles))
    monkeypatch.setenv(ENV_VAR, url)
    monkeypatch.setenv("SOP_ACTOR", "Tester")
    with connect(url) as wb:
        seed_acme(wb)
    return url


@pytest.fixture
def pg_target(request: pytest.FixtureRequest) -> str:
    """An empty database on the real PostgreSQL server, to push to."""
    server: PostgresServer = request.getfixturevalue("postgres_server")
    return fresh_database(server, "test_cli_plans_target")


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(["plans", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def trail_size(url: str) -> int:
    with connect(url) as wb:
        return len(audit_trail(wb, exact=True))


# --------------------------------------------------------------------------- show


def test_show_prints_the_fenced_plan_in_the_vocabulary(db_url, capsys):
    code, out, err = run(capsys, "show", "Acme")
    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert lines[0] == "Acme: plan as it stands"
    assert lines[1] == (
        "Time fence: 2027-01 holds the production and subcontracting of the approved plan Base v1."
    )
    assert "Total cost: $64" in out
    assert "  Backorders" in out and "$20" in out
    assert "Production (units)" in out and "Backlog, end of period (units)" in out
    for word in ("nan", "None", "regular_labour", "backorder "):
        assert word not in out


def test_show_as_json_keeps_the_exact_values(db_url, capsys):
    code, out, _ = run(capsys, "show", "Acme", "--format", "json")
    shown = json.loads(out)
    assert code == 0
    assert (shown["company"], shown["plan"], shown["approved"]) == (
        "Acme",
        "plan as it stands",
        "Base v1",
    )
    assert shown["frozen_periods"] == 1 and shown["total_cost"] == pytest.approx(64)
    assert [f["production"] for f in shown["families"]] == pytest.approx([10, 20, 10])
    assert [f["backorder"] for f in shown["families"]] == pytest.approx([10, 0, 0])
    code, out, _ = run(capsys, "show", "Acme", "--format", "csv")
    table = pd.read_csv(io.StringIO(out))
    assert code == 0 and table["production"].tolist() == pytest.approx([10, 20, 10])


def test_show_a_kept_whatif_and_refuse_an_unknown_one(db_url, capsys):
    code, out, err = run(capsys, "show", "Acme", "--whatif", "Level")
    assert (code, out) == (2, "")
    assert err == (
        "error: invalid input\n"
        "--whatif: Acme keeps no what-if 'Level'; it keeps none yet; keep one first\n"
    )
    assert run(capsys, "keep", "Acme", "Level", "--strategy", "level")[0] == 0
    code, out, _ = run(capsys, "show", "Acme", "--whatif", "Level")
    assert code == 0
    assert out.splitlines()[0] == "Acme: what-if Level (level workforce)"
    assert "(strategy level)" in out


def test_show_exits_1_with_the_diagnosis_when_no_plan_is_feasible(db_url, capsys):
    tight = acme_scenario([20.0, 10.0, 10.0], name="Tight", frozen=0)
    wf = tight.workforce.model_copy(update={"max_workers": 1.0})
    fams = [f.model_copy(update={"max_subcontract": 0.0}) for f in tight.families]
    with connect(db_url) as wb:
        companies.seed_company(
            wb, "Tight", tight.model_copy(update={"workforce": wf, "families": fams}), author="ann"
        )
    code, out, _ = run(capsys, "show", "Tight")
    assert code == 1
    assert out.splitlines()[0] == "Tight: plan as it stands"
    assert ": infeasible (strategy optimal)" in out
    assert "\n  - " in out, "the diagnosis, line by line"
    code, out, err = run(capsys, "show", "Tight", "--format", "csv")
    assert (code, out) == (1, "")
    assert err.startswith("Tight's plan as it stands: infeasible, no feasible plan\n")


def test_show_names_an_unknown_company(db_url, capsys):
    code, out, err = run(capsys, "show", "Nobody")
    assert (code, out) == (2, "")
    assert err == "error: invalid input\ncompany: 'Nobody' not found; companies: 'Acme'\n"


# --------------------------------------------------------------------------- keep


def test_keep_saves_a_draft_with_the_kpis_of_its_fenced_plan_and_audits_it(db_url, capsys):
    before = trail_size(db_url)
    code, out, err = run(
        capsys, "keep", "Acme", "No overtime", "--overtime", "0", "--workers-max", "2",
        "--note", "what if we cap the crew",
    )  # fmt: skip
    assert (code, err) == (0, "")
    assert out == (
        "kept what-if 'No overtime' of Acme (≤ 2 workers): total cost $64, fill rate 75.0%; "
        "saved as draft scenario 'No overtime'\n"
    )
    with connect(db_url) as wb:
        kept = companies.company_state(wb, "Acme").whatifs["No overtime"]
        stored = scenarios.open_scenario(wb, "No overtime")
        trail = audit_trail(wb, company="Acme", exact=True)
    assert kept["settings"]["workers_max"] == 2 and kept["settings"]["overtime"] == 0
    assert stored.status == "draft" and stored.note == "what if we cap the crew"
    assert stored.kpis["total_cost"] == pytest.approx(64), "the fenced plan's KPIs"
    assert stored.scenario.workforce.max_workers == 2
    new = trail.head(2)  # newest first
    assert len(trail) == before + 2
    assert set(zip(new["Action"], new["Object"], new["Who"], strict=True)) == {
        ("save", "scenario No overtime v1", "Tester"),
        ("edit", "what-if No overtime", "Tester"),
    }


def test_keep_as_json_says_what_was_kept(db_url, capsys):
    code, out, _ = run(capsys, "keep", "Acme", "Level", "--strategy", "level", "--format", "json")
    said = json.loads(out)
    assert code == 0
    assert said["scenario"] == "Level" and said["status"] == "optimal"
    assert said["settings"]["strategy"] == "level"


def test_keep_is_refused_to_a_demand_planner_and_nothing_is_kept(db_url, capsys):
    before = trail_size(db_url)
    code, out, err = run(capsys, "keep", "Acme", "Level", "--as", DEMAND_PLANNER)
    assert (code, out) == (2, "")
    assert err == (
        "error: invalid input\nscenario: not allowed: Only a supply planner may keep what-ifs "
        "and save scenarios; you are: demand planner.\n"
    )
    assert trail_size(db_url) == before
    with connect(db_url) as wb:
        assert companies.company_state(wb, "Acme").whatifs == {}
        assert "Level" not in scenarios.scenario_names(wb)


def test_a_person_without_a_role_may_still_read_the_plan(db_url, capsys):
    assert run(capsys, "show", "Acme", "--as", "nobody@acme.example")[0] == 0


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--overtime", "-1"],
         "--overtime: must be a number ≥ 0 (hours per worker per period), got -1"),
        (["--workers-min", "nan"], "--workers-min: must be a number ≥ 0 (workers), got nan"),
        (["--workers-min", "3", "--workers-max", "2"],
         "--workers-min: 3 workers is above the ceiling --workers-max 2; lower the floor or "
         "raise the ceiling"),
        (["--safety-months", "-0.5"], "--safety-months: must be a number ≥ 0 (months), got -0.5"),
    ],
)  # fmt: skip
def test_keep_refuses_bad_levers_by_option(db_url, capsys, argv, message):
    before = trail_size(db_url)
    code, out, err = run(capsys, "keep", "Acme", "Odd", *argv)
    assert (code, out, err) == (2, "", f"error: invalid input\n{message}\n")
    assert trail_size(db_url) == before


def test_keep_refuses_a_name_the_company_keeps(db_url, capsys):
    assert run(capsys, "keep", "Acme", "Level", "--strategy", "level")[0] == 0
    code, _, err = run(capsys, "keep", "Acme", "Level")
    assert code == 2
    assert err.endswith(
        "name: this company already keeps a what-if called 'Level'; pick another name\n"
    )


# --------------------------------------------------------------------------- export


def test_export_writes_the_approved_plan_as_csv_excel_and_json(db_url, tmp_path, capsys):
    before = trail_size(db_url)
    for suffix in ("csv", "xlsx", "json"):
        path = tmp_path / f"plan.{suffix}"
        code, out, err = run(capsys, "export", "Acme", "-o", str(path))
        assert (code, err) == (0, "")
        assert out == f"wrote 3 rows of Acme's approved plan Base v1 to {path}\n"
    table = pd.read_csv(tmp_path / "plan.csv", encoding="utf-8-sig")
    assert table.columns[:4].tolist() == ["scenario", "version", "period", "family"]
    assert table["period"].tolist() == MONTHS
    assert table["production"].tolist() == [10.0, 10.0, 10.0]
    assert table["workforce"].tolist() == [1.0, 1.0, 1.0]
    book = load_workbook(tmp_path / "plan.xlsx")
    assert book.sheetnames == ["Plan", "Columns"]
    rows = list(book["Plan"].iter_rows(values_only=True))
    assert rows[0][:4] == ("scenario", "version", "period", "family")
    assert [r[5] for r in rows[1:]] == [10, 10, 10]  # production
    about = {r[0]: r[1:] for r in book["Columns"].iter_rows(min_row=2, values_only=True)}
    assert about["backorder"] == ("Backlog, end of period", "units")
    records = json.loads((tmp_path / "plan.json").read_text(encoding="utf-8"))
    assert [r["backorder"] for r in records] == [0, 0, 0] and records[0]["version"] == 1
    assert trail_size(db_url) == before, "an export changes nothing in the store"


def test_export_current_holds_january_at_the_approved_plan(db_url, tmp_path, capsys):
    path = tmp_path / "current.json"
    code, out, _ = run(capsys, "export", "Acme", "-o", str(path), "--current")
    assert code == 0 and out == f"wrote 3 rows of Acme's plan as it stands to {path}\n"
    records = json.loads(path.read_text(encoding="utf-8"))
    assert [r["production"] for r in records] == pytest.approx([10, 20, 10])
    assert [r["backorder"] for r in records] == pytest.approx([10, 0, 0])
    assert {r["version"] for r in records} == {None}


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["-o", "{tmp}/plan.txt"], "-o: '{tmp}/plan.txt' must end in .csv, .xlsx, .json; got .txt"),
        (["-o", "{tmp}/nowhere/plan.csv"],
         "-o: directory '{tmp}/nowhere' does not exist; create it or choose another path"),
        (["-o", "{tmp}/plan.csv", "--approved", "--current"], None),
    ],
)  # fmt: skip
def test_export_refuses_bad_files_by_option(db_url, tmp_path, capsys, argv, message):
    code, out, err = run(
        capsys, "export", "Acme", *[a.replace("{tmp}", str(tmp_path)) for a in argv]
    )
    assert (code, out) == (2, "")
    if message is None:  # argparse: the two are exclusive
        assert "argument --current: not allowed with argument --approved" in err
    else:
        assert err == f"error: invalid input\n{message.replace('{tmp}', str(tmp_path))}\n"
    assert not list(tmp_path.glob("plan.*"))


def test_export_without_an_approved_plan_names_the_option_and_the_way_out(db_url, tmp_path, capsys):
    with connect(db_url) as wb:
        companies.seed_company(wb, "Fresh", acme_scenario([10.0, 10.0, 10.0]), author="ann")
    code, out, err = run(capsys, "export", "Fresh", "-o", str(tmp_path / "plan.csv"))
    assert (code, out) == (2, "")
    assert err == (
        "error: invalid input\n--approved: 'Fresh' has no approved plan yet; approve one of "
        "its scenarios (Scenarios page, or the executive meeting of its cycle), or give "
        "--current to export the plan as it stands\n"
    )


# --------------------------------------------------------------------------- push


def table_rows(url: str, table: str) -> pd.DataFrame:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return pd.read_sql(text(f"SELECT * FROM {table}"), conn)
    finally:
        engine.dispose()


@pytest.mark.postgres
def test_push_writes_the_rows_to_a_postgresql_table(db_url, pg_target, capsys):
    shown = pg_target.replace(pg_target.split(":")[2].split("@")[0], "***")
    code, out, err = run(capsys, "push", "Acme", "--to", pg_target, "--table", "sop_plan")
    assert (code, err) == (0, "")
    assert out == f"wrote 3 rows of Acme's approved plan Base v1 to table 'sop_plan' in {shown}\n"
    pushed = table_rows(pg_target, "sop_plan")
    assert pushed["production"].tolist() == [10.0, 10.0, 10.0]
    assert pushed["scenario"].tolist() == ["Base"] * 3 and pushed["version"].tolist() == [1] * 3
    code, _, err = run(capsys, "push", "Acme", "--to", pg_target, "--table", "sop_plan")
    assert code == 2
    assert err == (
        f"error: invalid input\n--if-exists: table 'sop_plan' already exists in {shown}; "
        "replace it, append to it or give another table\n"
    )
    code, out, _ = run(
        capsys, "push", "Acme", "--current", "--to", pg_target, "--table", "sop_plan",
        "--if-exists", "append",
    )  # fmt: skip
    assert code == 0 and out.endswith(f"in {shown}, appended\n")
    assert table_rows(pg_target, "sop_plan")["backorder"].tolist() == [0, 0, 0, 10, 0, 0]


@pytest.mark.postgres
def test_push_with_a_wrong_password_names_the_option_and_masks_it(db_url, pg_target, capsys):
    password = pg_target.split(":")[2].split("@")[0]
    wrong = pg_target.replace(password, "n0t-the-s3cret")
    code, out, err = run(capsys, "push", "Acme", "--to", wrong, "--table", "sop_plan")
    assert (code, out) == (2, "")
    assert err.startswith(
        f"error: invalid input\n--to: cannot connect to {wrong.replace('n0t-the-s3cret', '***')}: "
    )
    assert "password authentication failed" in err
    assert "n0t-the-s3cret" not in err and password not in err


def test_push_to_a_sqlite_file_and_a_bad_table_name(db_url, tmp_path, capsys):
    target = f"sqlite:///{tmp_path / 'erp.sqlite'}"
    code, out, _ = run(capsys, "push", "Acme", "--to", target, "--table", "plan_rows")
    assert code == 0 and out.endswith(f"to table 'plan_rows' in {target}\n")
    assert len(table_rows(target, "plan_rows")) == 3
    code, out, err = run(capsys, "push", "Acme", "--to", target, "--table", "x; drop")
    assert (code, out) == (2, "")
    assert err.startswith("error: invalid input\n--table: 'x; drop' is not a table name; ")
    code, _, err = run(capsys, "push", "Acme", "--table", "plan_rows")
    assert code == 2 and "the following arguments are required: --to" in err


# --------------------------------------------------------------------------- schedule


def test_schedule_writes_the_weekly_sku_rows_to_a_file_and_a_table(db_url, tmp_path, capsys):
    path, target = tmp_path / "schedule.xlsx", f"sqlite:///{tmp_path / 'erp.sqlite'}"
    code, out, err = run(
        capsys, "schedule", "Acme", "-o", str(path), "--to", target, "--table", "weekly"
    )
    assert code == 0
    what = (
        "of the weekly SKU schedule of Acme's approved plan Base v1 (14 weeks, 2 SKUs; mix "
        "from pumps.csv)"
    )
    assert (
        out
        == f"wrote 28 rows {what} to {path}\nwrote 28 rows {what} to table 'weekly' in {target}\n"
    )
    assert err.startswith("note: ")
    book = load_workbook(path)
    assert book.sheetnames == ["Schedule", "Columns"]
    rows = pd.DataFrame(list(book["Schedule"].iter_rows(values_only=True))[1:],
                        columns=[c.value for c in book["Schedule"][1]])  # fmt: skip
    assert rows.groupby("sku")["made"].sum().to_dict() == {"P-4": 12, "P-6": 18}
    pushed = table_rows(target, "weekly")
    assert pushed.groupby("sku")["made"].sum().to_dict() == {"P-4": 12.0, "P-6": 18.0}


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        ([], "-o: give -o FILE.csv|.xlsx|.json, --to URL --table T, or both"),
        (["--to", "sqlite:///x.sqlite"], "--table: --to needs --table too"),
        (["-o", "{tmp}/s.csv", "--start", "2027-13"],
         "--start: must be a month like 2027-01, got '2027-13'"),
    ],
)  # fmt: skip
def test_schedule_refuses_bad_options_by_name(db_url, tmp_path, capsys, argv, message):
    code, out, err = run(
        capsys, "schedule", "Acme", *[a.replace("{tmp}", str(tmp_path)) for a in argv]
    )
    assert (code, out, err) == (2, "", f"error: invalid input\n{message}\n")


def test_schedule_needs_the_companys_sales_history(db_url, tmp_path, capsys):
    with connect(db_url) as wb:
        companies.seed_company(wb, "Fresh", acme_scenario([10.0, 10.0, 10.0]), author="ann")
    code, _, err = run(capsys, "schedule", "Fresh", "--current", "-o", str(tmp_path / "s.csv"))
    assert code == 2
    assert err.startswith("error: invalid input\nhistory: 'Fresh' has no sales history; ")


# --------------------------------------------------------------------------- help


def subcommands(name: str) -> dict[str, argparse.ArgumentParser]:
    group = build_parser()._subparsers._group_actions[0].choices[name]
    return group._subparsers._group_actions[0].choices


@pytest.mark.parametrize("group", ["plans", "pack"])
def test_every_option_says_what_it_is(group):
    for command, parser in subcommands(group).items():
        assert parser.description, command
        for action in parser._actions:
            assert action.help, f"{group} {command} {action.option_strings or action.dest}"
    keep = subcommands("plans")["keep"].format_help()
    assert "[hours per worker per period]" in keep and "[workers]" in keep


def test_file_bytes_write_infinity_as_null_in_json():
    rows = pd.DataFrame({"sku": ["A"], "cover_weeks": [float("inf")]})
    assert json.loads(plans_cli.file_bytes(rows, ".json", "Schedule")) == [
        {"sku": "A", "cover_weeks": None}
    ]
    assert io.BytesIO(plans_cli.file_bytes(rows, ".csv", "Schedule")).read().startswith(b"\xef")
