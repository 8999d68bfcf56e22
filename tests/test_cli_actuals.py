"""``python -m sop_core actuals ...`` on SQLite and on a real PostgreSQL server; pulls
read from a real PostgreSQL database standing in for the company's ERP."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from factories import BACKENDS, cli_store, red_tomato, run_cli
from postgres_server import PostgresServer, fresh_database, postgres_server  # noqa: F401

from sop_core.services import companies
from sop_core.services.audit import audit_trail
from sop_core.services.workbench import Workbench, connect

SUPPLY = "sam@acme.example"  # a supply planner in the role file: may enter actuals
FINANCE = "fay@acme.example"  # finance: may not
#: what was made and held: (family, month) -> production, inventory, backlog
ACTUALS = {
    ("Garden tools", "2025-01"): (1000.0, 120.5, 0.0),
    ("Garden tools", "2025-02"): (900.0, 80.0, 15.0),
}
FILE = "family,period,production,inventory,backlog\n" + "".join(
    f"{f},{p},{a},{b},{c}\n" for (f, p), (a, b, c) in ACTUALS.items()
)


@pytest.fixture(params=BACKENDS)
def db_url(request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """A store holding company Acme (one family, "Garden tools"), given to the CLI
    through ``SOP_DATABASE_URL``; Ann acts (the trusted local user) unless ``--as``."""
    url = cli_store(
        request,
        tmp_path,
        monkeypatch,
        roles=f'[roles]\n"{SUPPLY}" = ["supply planner"]\n"{FINANCE}" = ["finance"]\n',
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
    """The ERP: a PostgreSQL database with the actuals in its own column names."""
    server: PostgresServer = request.getfixturevalue("postgres_server")
    url = fresh_database(server, "erp_cli_actuals")
    engine = sa.create_engine(url)
    with engine.begin() as c:
        c.execute(
            sa.text(
                "CREATE TABLE stock_report (product_line text, month date, made integer, "
                "on_hand numeric(12,1), late integer)"
            )
        )
        c.execute(
            sa.text("INSERT INTO stock_report VALUES (:f, :m, :a, :b, :c)"),
            [
                {"f": f, "m": f"{p}-01", "a": a, "b": b, "c": c}
                for (f, p), (a, b, c) in ACTUALS.items()
            ],
        )
    engine.dispose()
    return url


@pytest.fixture
def actuals_file(tmp_path: Path) -> Path:
    path = tmp_path / "actuals.csv"
    path.write_text(FILE, encoding="utf-8")
    return path


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    return run_cli(capsys, "actuals", *argv)


def stored(wb: Workbench) -> dict[tuple[str, str], tuple[float, float, float]]:
    """The company's actuals as the store keeps them."""
    table = companies.company_state(wb, "Acme").actuals
    return {
        (r.family, r.period): (r.production, r.inventory, r.backlog)
        for r in table.itertuples(index=False)
    }


# --------------------------------------------------------------------------- upload and show


def test_upload_replaces_the_actuals_and_show_prints_them(
    wb: Workbench, actuals_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(capsys, "show", "Acme")[1] == (
        "no actuals in 'Acme' yet; upload them with: python -m sop_core actuals upload "
        "COMPANY FILE\n"
    )
    code, out, _ = run(capsys, "upload", "Acme", str(actuals_file), "--as", SUPPLY)
    assert (code, out) == (0, "saved the actuals from actuals.csv into 'Acme': 2 rows\n")
    assert stored(wb) == ACTUALS
    trail = audit_trail(wb, company="Acme", kind="actual", exact=True)
    assert len(trail) == 2 and set(trail["Who"]) == {SUPPLY}

    code, out, _ = run(capsys, "upload", "Acme", str(actuals_file))
    assert out == "actuals.csv holds the actuals of 'Acme' as stored: nothing changed\n"
    assert len(audit_trail(wb, company="Acme", kind="actual")) == 2

    code, out, _ = run(capsys, "show", "Acme")
    assert out.splitlines() == [
        "      Family  Period Production (units) Inventory, end of period (units) Backlog (units)",
        "Garden tools 2025-01              1,000                              120               0",
        "Garden tools 2025-02                900                               80              15",
    ]
    code, out, _ = run(capsys, "show", "Acme", "--format", "json")
    assert json.loads(out)[0] == {
        "family": "Garden tools",
        "period": "2025-01",
        "production": 1000.0,
        "inventory": 120.5,
        "backlog": 0.0,
    }
    code, out, _ = run(capsys, "show", "Acme", "--format", "csv")
    assert out.splitlines()[1] == "Garden tools,2025-01,1000.0,120.5,0.0"


def test_someone_without_the_right_is_refused_and_nothing_is_saved(
    wb: Workbench, actuals_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(capsys, "upload", "Acme", str(actuals_file), "--as", FINANCE)
    assert (code, out) == (2, "")
    assert err == (
        "error: invalid input\nactuals: not allowed: Only a demand planner or a supply planner "
        "may enter actual production, inventory and backlog; you are: finance.\n"
    )
    assert stored(wb) == {}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("family,period,production\nGarden tools,2025-01,5\n", "columns: missing column "
         "'inventory', 'backlog'; the actuals needs columns family, period, production, "
         "inventory, backlog, found: family, period, production"),
        (FILE + "Garden tools,2025-03,-4,0,0\n",
         "row 4, column production: must be a number ≥ 0, got '-4'"),
        (FILE + "Garden tools,2025-02,1,1,1\n", "rows 3 and 4: family 'Garden tools', period "
         "2025-02 appears more than once; keep one row per family and month (add them up if "
         "they are parts of the same actuals)"),
    ],
)  # fmt: skip
def test_a_bad_file_exits_2_with_the_sentence(
    wb: Workbench, tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str, message: str
) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(text, encoding="utf-8")
    code, out, err = run(capsys, "upload", "Acme", str(path))
    assert (code, out, err) == (2, "", f"error: invalid input\n{message}\n")
    assert stored(wb) == {}


# --------------------------------------------------------------------------- pull


@pytest.mark.postgres
def test_pull_takes_the_erp_rows_in_as_the_file_of_them(
    wb: Workbench, erp: str, capsys: pytest.CaptureFixture[str]
) -> None:
    shown = erp.replace(erp.split(":")[2].split("@")[0], "***")
    columns = "family=product_line,period=month,production=made,inventory=on_hand,backlog=late"
    code, out, err = run(
        capsys, "pull", "Acme", "--from", erp, "--table", "stock_report", "--columns", columns,
        "--as", SUPPLY,
    )  # fmt: skip
    assert (code, err) == (0, "")
    assert out == f"saved the actuals from stock_report on {shown} into 'Acme': 2 rows\n"
    assert stored(wb) == ACTUALS
    trail = audit_trail(wb, company="Acme", kind="actual", exact=True)
    assert len(trail) == 2 and set(trail["Who"]) == {SUPPLY}
    assert set(trail["Action"]) == {"edit"}

    code, out, _ = run(
        capsys, "pull", "Acme", "--from", erp, "--name", "ERP", "--format", "json", "--query",
        "SELECT product_line AS family, to_char(month, 'YYYY-MM') AS period, made AS production, "
        "on_hand AS inventory, late AS backlog FROM stock_report",
    )  # fmt: skip
    assert json.loads(out) == {
        "message": "ERP holds the actuals of 'Acme' as stored: nothing changed",
        "company": "Acme",
        "name": "ERP",
        "rows": 2,
        "changed": False,
    }


@pytest.mark.postgres
def test_a_bad_pull_exits_2_naming_the_option_and_saves_nothing(
    wb: Workbench, erp: str, capsys: pytest.CaptureFixture[str]
) -> None:
    password = erp.split(":")[2].split("@")[0]
    partial = "family=product_line,period=month,production=made,inventory=on_hand"
    cases = [
        (["--table", "stock_report", "--columns", partial], "--columns: table 'stock_report' "
         "has no column 'backlog' for the backlog (its columns: product_line, month, made, "
         "on_hand, late); give the column that holds it as backlog=COLUMN"),
        (["--table", "stock_report", "--columns", partial + ",backlog=late,units=made"],
         "--columns: 'units' is not a field of the actuals; its fields: family, period, "
         "production, inventory, backlog (and optionally nothing else)"),
        (["--query", "SELECT 1 AS x, 2 AS production, 3 AS inventory, 4 AS backlog",
          "--columns", "family=x,period=x"],
         "--columns: column 'x' is given for more than one field; give each its own"),
        (["--table", "stock_report", "--columns", partial + ",backlog=late", "--as", FINANCE],
         "actuals: not allowed: Only a demand planner or a supply planner may enter actual "
         "production, inventory and backlog; you are: finance."),
        (["--query", "SELECT * FROM stock_report WHERE false", "--columns",
          partial + ",backlog=late"], "--query: returns no rows; the actuals needs one row per "
         "family and period"),
    ]  # fmt: skip
    for argv, message in cases:
        code, out, err = run(capsys, "pull", "Acme", "--from", erp, *argv)
        assert (code, out) == (2, ""), argv
        assert err.splitlines()[:2] == ["error: invalid input", message], argv
        assert password not in err
    assert stored(wb) == {}
    assert audit_trail(wb, company="Acme", kind="actual").empty


def test_show_of_an_unknown_company_names_the_known_ones(
    db_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(capsys, "show", "Nope")
    assert (code, out, err) == (
        2,
        "",
        "error: invalid input\ncompany: 'Nope' not found; companies: 'Acme'\n",
    )
