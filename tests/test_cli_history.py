"""``python -m sop_core history ...`` on SQLite and on a real PostgreSQL server; pulls
read from a real PostgreSQL database standing in for the company's ERP."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa
from factories import BACKENDS, cli_store, red_tomato, run_cli
from postgres_server import PostgresServer, fresh_database, postgres_server  # noqa: F401

from sop_core.cli.main import main
from sop_core.demand.history import read_history
from sop_core.services import companies
from sop_core.services.audit import audit_trail
from sop_core.services.history import history_uploads
from sop_core.services.workbench import Workbench, connect

DEMAND = "dee@acme.example"  # a demand planner in the role file: may upload a history
SUPPLY = "sam@acme.example"  # a supply planner: may not
MONTHS = [f"2025-{m:02d}" for m in range(1, 13)]
#: the sales: (family as the ERP and the file write it, month index) -> units
SALES = {
    (family, t): float(base + t)
    for family, base in (("GARDEN TOOLS", 100), ("Pumps", 50))
    for t in range(12)
}


@pytest.fixture(params=BACKENDS)
def db_url(request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """A store holding company Acme (one family, "Garden tools"), given to the CLI
    through ``SOP_DATABASE_URL``; Ann acts (the trusted local user) unless ``--as``."""
    url = cli_store(
        request,
        tmp_path,
        monkeypatch,
        roles=f'[roles]\n"{DEMAND}" = ["demand planner"]\n"{SUPPLY}" = ["supply planner"]\n',
        actor="Ann",
    )
    with connect(url) as bench:
        companies.start_company(bench, "Acme", author="Bo", copy_of=red_tomato())
    return url


@pytest.fixture
def wb(db_url: str) -> Iterator[Workbench]:
    """The same store, for the test to read what the command left (through the services)."""
    bench = connect(db_url)
    yield bench
    bench.close()


@pytest.fixture(scope="module")
def erp(request: pytest.FixtureRequest) -> str:
    """The ERP: a PostgreSQL database with the sales in its own column names."""
    server: PostgresServer = request.getfixturevalue("postgres_server")
    url = fresh_database(server, "erp_cli_history")
    engine = sa.create_engine(url)
    with engine.begin() as c:
        c.execute(sa.text("CREATE TABLE sales (item_group text, month date, qty numeric)"))
        c.execute(
            sa.text("INSERT INTO sales VALUES (:g, :m, :q)"),
            [{"g": g, "m": f"{MONTHS[t]}-01", "q": q} for (g, t), q in SALES.items()],
        )
    engine.dispose()
    return url


@pytest.fixture
def sales_file(tmp_path: Path) -> Path:
    """The same sales as a history file."""
    path = tmp_path / "sales.csv"
    rows = [{"period": MONTHS[t], "family": g, "demand": q} for (g, t), q in SALES.items()]
    pd.DataFrame(rows).to_csv(path, index=False)
    return path


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    return run_cli(capsys, "history", *argv)


def kept_history(wb: Workbench) -> pd.DataFrame:
    return companies.company_history(wb, companies.company_state(wb, "Acme"))


# --------------------------------------------------------------------------- upload and list


def test_upload_maps_the_families_keeps_the_file_and_lists_it(
    wb: Workbench, sales_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(capsys, "upload", "Acme", str(sales_file))
    assert code == 0
    assert out.splitlines() == [
        "uploaded sales.csv into 'Acme': 24 rows, 2 families in the file, 1 new (to review): Pumps",
        " In the file       Family   Now",
        "GARDEN TOOLS Garden tools match",
        "       Pumps        Pumps   new",
    ]
    state = companies.company_state(wb, "Acme")
    assert state.family_names == ["Garden tools", "Pumps"]
    pd.testing.assert_frame_equal(kept_history(wb), read_history(sales_file))
    trail = audit_trail(wb, company="Acme", kind="history", exact=True)
    assert trail[trail["Action"] == "upload"]["Who"].tolist() == ["Ann"]

    code, out, _ = run(capsys, "list", "Acme")
    header, row = out.splitlines()
    assert header.split() == [
        "Upload",
        "File",
        "Rows",
        "Uploaded",
        "by",
        "Uploaded",
        "at",
        "In",
        "use",
    ]
    assert row.split()[:4] == ["1", "sales.csv", "24", "Ann"] and row.endswith(" UTC    yes")
    code, out, _ = run(capsys, "list", "Acme", "--format", "json")
    (listed,) = json.loads(out)
    assert (listed["file"], listed["rows"], listed["in_use"]) == ("sales.csv", 24, True)
    assert pd.Timestamp(listed["uploaded_at"]).tzname() == "UTC"


def test_a_mapping_file_or_map_options_name_the_families(
    wb: Workbench, sales_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(
        capsys, "upload", "Acme", str(sales_file), "--map", "Pumps=Water pumps", "--format", "json"
    )
    said = json.loads(out)
    assert code == 0 and said["new_families"] == ["Water pumps"]
    assert companies.company_state(wb, "Acme").history_names()["Pumps"] == "Water pumps"

    companies.start_company(wb, "Beta", author="Bo", copy_of=red_tomato())
    mapping = tmp_path / "mapping.csv"
    mapping.write_text("History_Name,family,note\nPumps,Garden tools,merged\n", encoding="utf-8")
    code, out, _ = run(capsys, "upload", "Beta", str(sales_file), "--mapping", str(mapping))
    assert code == 0 and "no new family" in out.splitlines()[0]
    state = companies.company_state(wb, "Beta")
    assert state.family_names == ["Garden tools"]
    assert state.history_names()["Pumps"] == "Garden tools"


def test_gaps_are_refused_naming_the_option_that_fills_them(
    wb: Workbench, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    gappy = tmp_path / "gappy.csv"
    gappy.write_text("period,family,demand\n2025-01,Pumps,5\n2025-03,Pumps,7\n", encoding="utf-8")
    code, _, err = run(capsys, "upload", "Acme", str(gappy))
    assert (code, err) == (
        2,
        "error: invalid input\nfamily 'Pumps': no row for period 2025-02 (1 missing between "
        "its first period and the file's last, 2025-03); add rows with demand 0, or fill gaps "
        "with zeros (fill_gaps=True, --fill-gaps)\n",
    )
    assert run(capsys, "upload", "Acme", str(gappy), "--fill-gaps")[0] == 0
    assert kept_history(wb)["demand"].tolist() == [5.0, 0.0, 7.0]


def test_someone_without_the_right_is_refused_and_nothing_is_kept(
    wb: Workbench, sales_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(capsys, "upload", "Acme", str(sales_file), "--as", SUPPLY)
    assert (code, out) == (2, "")
    assert err == (
        "error: invalid input\nhistory: not allowed: Only a demand planner may upload sales "
        "history; you are: supply planner.\n"
    )
    assert history_uploads(wb, "Acme").empty
    assert audit_trail(wb, company="Acme", kind="history").empty


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--map", "Pump=Water pumps"], "--map: 'Pump' is not a family name in the history; "
         "its families: 'GARDEN TOOLS', 'Pumps'"),
        (["--map", "Pumps"], "--map: give OLD=NEW, got 'Pumps'"),
        (["--map", "Pumps= "], "--map: give 'Pumps' a family name: the company's family it "
         "joins, or a new one"),
        (["--mapping", "{tmp}/none.csv"], "--mapping: no such file '{tmp}/none.csv'; give a CSV "
         "with columns history_name,family"),
        (["--mapping", "{tmp}/bad_mapping.csv"], "--mapping: missing column 'family'; a mapping "
         "file has columns history_name,family, found: history_name, target"),
    ],
)  # fmt: skip
def test_a_bad_mapping_exits_2_naming_the_option(
    wb: Workbench,
    sales_file: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    argv: list[str],
    message: str,
) -> None:
    (tmp_path / "bad_mapping.csv").write_text("history_name,target\nPumps,X\n", encoding="utf-8")
    argv = [a.replace("{tmp}", str(tmp_path)) for a in argv]
    code, out, err = run(capsys, "upload", "Acme", str(sales_file), *argv)
    assert (code, out) == (2, "")
    assert err == f"error: invalid input\n{message.replace('{tmp}', str(tmp_path))}\n"
    assert history_uploads(wb, "Acme").empty


def test_a_bad_file_or_company_exits_2_with_the_sentence(
    wb: Workbench, sales_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("period,family,demand\n2025-01,Pumps,5\n2025-02,Pumps,-1\n", encoding="utf-8")
    code, _, err = run(capsys, "upload", "Acme", str(bad))
    assert (code, err) == (
        2,
        "error: invalid input\nrow 3, column demand: must be a number ≥ 0, got '-1'\n",
    )
    code, _, err = run(capsys, "upload", "Nope", str(sales_file))
    assert (code, err) == (
        2,
        "error: invalid input\ncompany: 'Nope' not found; companies: 'Acme'\n",
    )
    code, _, err = run(capsys, "list", "Nope")
    assert (code, err) == (
        2,
        "error: invalid input\ncompany: 'Nope' not found; companies: 'Acme'\n",
    )
    assert history_uploads(wb, "Acme").empty
    assert run(capsys, "list", "Acme")[1] == (
        "no history in 'Acme' yet; upload one with: python -m sop_core history upload COMPANY "
        "FILE\n"
    )


# --------------------------------------------------------------------------- pull


@pytest.mark.postgres
def test_pull_takes_the_erp_rows_in_as_the_file_of_them(
    wb: Workbench, erp: str, sales_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    shown = erp.replace(erp.split(":")[2].split("@")[0], "***")  # the password masked
    code, out, err = run(
        capsys, "pull", "Acme", "--from", erp, "--table", "sales",
        "--columns", "family=item_group,period=month", "--columns", "units=qty",
        "--as", DEMAND,
    )  # fmt: skip
    assert (code, err) == (0, "")
    assert out == (
        f"pulled 24 rows of history from {shown} into 'Acme' as 'sales on {shown}': "
        "1 new (to review): Pumps\n"
    )
    pd.testing.assert_frame_equal(kept_history(wb), read_history(sales_file))
    trail = audit_trail(wb, company="Acme", kind="history", exact=True)
    kept = trail[trail["Action"] == "upload"].iloc[0]
    assert (kept["Who"], kept["Object key"]) == (DEMAND, f"sales on {shown}")
    assert (kept["After"], erp.split(":")[2].split("@")[0] in out) == (
        json.dumps({"file": f"sales on {shown}", "rows": 24}),
        False,
    )

    code, out, _ = run(
        capsys, "pull", "Acme", "--from", erp, "--name", "ERP sales", "--map", "Pumps=Water pumps",
        "--query", "SELECT item_group AS family, month AS period, qty AS units FROM sales;",
        "--format", "json",
    )  # fmt: skip
    said = json.loads(out)
    assert (code, said["name"], said["rows"], said["new_families"]) == (
        0, "ERP sales", 24, ["Water pumps"],
    )  # fmt: skip
    assert history_uploads(wb, "Acme")["file"].tolist() == [f"sales on {shown}", "ERP sales"]


@pytest.mark.postgres
def test_a_bad_pull_exits_2_naming_the_option_and_keeps_nothing(
    wb: Workbench, erp: str, capsys: pytest.CaptureFixture[str]
) -> None:
    password = erp.split(":")[2].split("@")[0]
    shown = erp.replace(password, "***")
    columns = ["--columns", "family=item_group,period=month,units=qty"]
    cases = [
        (["--table", "sale", *columns], f"--table: no table 'sale' in {shown}; its tables: sales"),
        (["--table", "sales"], "--columns: table 'sales' has no column 'family' for the family "
         "(its columns: item_group, month, qty); give the column that holds it as family=COLUMN"),
        (["--table", "sales", "--columns", "family"], "--columns: give FIELD=COLUMN pairs "
         "separated by commas, e.g. family=item_group,period=month,units=qty; got 'family'"),
        (["--query", "SELECT item_group AS family, month AS period, -qty AS units FROM sales"],
         "row 1, column units: must be a number ≥ 0, got -100"),
        (["--query", "SELECT nope FROM sales"], '--query: the database refused it (column "nope" '
         "does not exist); check that it runs on its own in the database (one SELECT, read "
         "only)"),
        (["--table", "sales", *columns, "--as", SUPPLY], "history: not allowed: Only a demand "
         "planner may upload sales history; you are: supply planner."),
    ]  # fmt: skip
    for argv, message in cases:
        code, out, err = run(capsys, "pull", "Acme", "--from", erp, *argv)
        assert (code, out) == (2, ""), argv
        assert err.splitlines()[:2] == ["error: invalid input", message], argv
        assert password not in err
    wrong = erp.replace(password, "wrong-pass")
    code, _, err = run(capsys, "pull", "Acme", "--from", wrong, "--table", "sales", *columns)
    assert code == 2 and err.startswith(
        f"error: invalid input\n--from: cannot connect to {shown} ("
    )
    assert "wrong-pass" not in err and "password authentication failed" in err
    assert history_uploads(wb, "Acme").empty
    assert audit_trail(wb, company="Acme", kind="history").empty


def test_pull_needs_a_source_and_one_way_to_read_it(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "pull", "Acme", "--table", "sales")
    assert code == 2 and "the following arguments are required: --from" in err
    code, _, err = run(
        capsys, "pull", "Acme", "--from", "sqlite:///x", "--table", "a", "--query", "b"
    )
    assert code == 2 and "argument --query: not allowed with argument --table" in err


def test_every_subcommand_and_option_says_what_it_is(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["history", "pull", "--help"]) == 0
    text = " ".join(capsys.readouterr().out.split())
    for words in (
        "--from URL SQLAlchemy URL of the database to read",
        "--query SQL one SELECT returning the fields (family, period, units [, sku]) as columns",
        "--columns FIELD=COLUMN,... which column holds each field",
        "--map OLD=NEW the history's family OLD joins the company's family NEW",
        "units [units sold]",
    ):
        assert words in text
