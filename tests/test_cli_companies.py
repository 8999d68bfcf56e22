"""``python -m sop_core companies ...`` on SQLite and on a real PostgreSQL server."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from factories import BACKENDS, cli_store, red_tomato, run_cli
from postgres_server import postgres_server  # noqa: F401 (the PostgreSQL backend)

from sop_core.services import companies
from sop_core.services.audit import audit_trail
from sop_core.services.workbench import Workbench, connect

SUPPLY = "sam@acme.example"  # a supply planner in the role file: may not start a company


@pytest.fixture(params=BACKENDS)
def db_url(request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """An empty store, given to the CLI through ``SOP_DATABASE_URL`` as a user would; Ann
    acts (the trusted local user) unless ``--as`` says otherwise."""
    url = cli_store(
        request,
        tmp_path,
        monkeypatch,
        roles=f'[roles]\n"{SUPPLY}" = ["supply planner"]\n',
        actor="Ann",
    )
    return url


@pytest.fixture
def wb(db_url: str) -> Iterator[Workbench]:
    """The same store, for the test to read what the command left (through the services)."""
    bench = connect(db_url)
    yield bench
    bench.close()


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    return run_cli(capsys, "companies", *argv)


def test_create_list_copy_export_and_import(
    wb: Workbench, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(capsys, "list") == (
        0,
        f"no companies in {wb.where}; start one with: python -m sop_core companies create NAME\n",
        "",
    )
    code, out, _ = run(capsys, "create", "Acme")
    assert (code, out) == (
        0,
        "started company 'Acme': the textbook workforce to review, no family yet (upload a "
        "history: python -m sop_core history upload Acme FILE)\n",
    )
    assert companies.company_state(wb, "Acme").families == []

    companies.start_company(wb, "Base", author="Bo", copy_of=red_tomato())
    code, out, _ = run(capsys, "copy", "Base", "Red copy")
    assert (code, out) == (
        0,
        "started company 'Red copy' as a copy of the plan of 'Base': 1 family, 6 periods\n",
    )
    assert companies.company_state(wb, "Red copy").scenario().families == red_tomato().families

    code, out, _ = run(capsys, "list")
    lines = [line.split() for line in out.splitlines()]
    assert lines[0] == ["Company", "Families", "Periods", "History", "file", "Revision"]
    assert lines[1:] == [
        ["Acme", "0", "1"],
        ["Base", "1", "6", "2"],
        ["Red", "copy", "1", "6", "2"],
    ]
    assert "None" not in out and "nan" not in out

    code, out, _ = run(capsys, "list", "--format", "json")
    assert json.loads(out)[2] == {
        "company": "Red copy",
        "families": 1,
        "periods": 6,
        "history_file": None,
        "revision": 2,
    }

    book = tmp_path / "base.xlsx"
    code, out, _ = run(capsys, "export", "Base", "-o", str(book))
    assert code == 0 and out.startswith(f"wrote company 'Base' to {book} (")
    assert book.read_bytes()[:2] == b"PK"  # a workbook (a zip file)

    code, out, _ = run(capsys, "import", str(book), "--name", "Base again")
    assert (code, out) == (
        0,
        "imported base.xlsx as company 'Base again': 1 family, 0 what-ifs\n",
    )
    again = companies.company_state(wb, "Base again")
    assert again.scenario().families == red_tomato().families
    trail = audit_trail(wb, company="Base again", kind="company", exact=True)
    assert trail[["Who", "Action"]].values.tolist() == [["Ann", "create"]]


def test_a_change_says_what_it_did_as_json(
    wb: Workbench, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(capsys, "create", "Acme", "--format", "json")
    said = json.loads(out)
    assert code == 0 and (said["company"], said["revision"]) == ("Acme", 1)
    assert said["message"].startswith("started company 'Acme'")


def test_someone_without_the_right_is_refused_and_nothing_is_started(
    wb: Workbench, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    companies.start_company(wb, "Base", author="Bo", copy_of=red_tomato())
    book = tmp_path / "base.xlsx"
    assert run(capsys, "export", "Base", "-o", str(book))[0] == 0
    refusal = "company: not allowed: Only an admin may start a company; you are: supply planner."
    for argv in (
        ["create", "Acme"],
        ["copy", "Base", "Acme"],
        ["import", str(book), "--name", "Acme"],
    ):
        code, out, err = run(capsys, *argv, "--as", SUPPLY)
        assert (code, out, err) == (2, "", f"error: invalid input\n{refusal}\n")
    assert companies.company_names(wb) == ["Base"]
    assert audit_trail(wb, company="Acme").empty


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["create", "Base"], "company: 'Base' exists already; open it or pick another name"),
        (["copy", "Nope", "Acme"], "company: 'Nope' not found; companies: 'Base', 'Empty'"),
        (["copy", "Empty", "Acme"], "families: this company has no product family yet; upload a "
         "sales history on the Demand page or add a family on the Capacity page"),
        (["export", "Base", "-o", "{tmp}/base.csv"],
         "-o: '{tmp}/base.csv' must end in .xlsx; got .csv"),
        (["export", "Base", "-o", "{tmp}/nowhere/base.xlsx"],
         "-o: directory '{tmp}/nowhere' does not exist; create it or choose another path"),
        (["import", "{tmp}/missing.xlsx", "--name", "Acme"], "{tmp}/missing.xlsx: no such file; "
         "give the path of a company workbook (.xlsx) written by companies export"),
    ],
)  # fmt: skip
def test_bad_input_exits_2_with_the_sentence(
    wb: Workbench,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    argv: list[str],
    message: str,
) -> None:
    companies.start_company(wb, "Base", author="Bo", copy_of=red_tomato())
    companies.start_company(wb, "Empty", author="Bo")
    code, out, err = run(capsys, *[a.replace("{tmp}", str(tmp_path)) for a in argv])
    assert (code, out) == (2, "")
    assert err == f"error: invalid input\n{message.replace('{tmp}', str(tmp_path))}\n"
    assert companies.company_names(wb) == ["Base", "Empty"]


def test_a_file_that_is_not_a_workbook_is_refused(
    wb: Workbench, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    fake = tmp_path / "fake.xlsx"
    fake.write_text("period,family,demand\n", encoding="utf-8")
    code, out, err = run(capsys, "import", str(fake), "--name", "Acme")
    assert (code, out) == (2, "")
    assert err.startswith("error: invalid input\nfake.xlsx: cannot be read as an Excel workbook")
    assert companies.company_names(wb) == []
