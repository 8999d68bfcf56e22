"""``python -m sop_core audit list|export`` on SQLite and on a real PostgreSQL server: the
trail in words for people, with field keys and exact values for programs, to CSV and
Excel under readable headers, filtered as on the Audit page."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pandas as pd
import pytest
from factories import red_tomato
from postgres_server import PostgresServer, drop_store_tables, fresh_database, postgres_server  # noqa: F401

from sop_core.cli.audit import KINDS
from sop_core.cli.main import main
from sop_core.model.whatif import WhatIf
from sop_core.services import companies, cycles, plans, scenarios
from sop_core.services.audit import audit_records, audit_trail
from sop_core.services.workbench import connect
from sop_core.store.session import ENV_VAR

FIELD_KEYS = [
    "at", "who", "email", "action", "company", "object_kind", "object_key", "object",
    "field", "before", "after",
]  # fmt: skip
HEADERS = [
    "When (UTC)", "Who", "E-mail", "Action", "Company", "Kind of object", "Object key",
    "Object", "Field", "Before", "After",
]  # fmt: skip


@pytest.fixture(scope="module")
def pg_database(request: pytest.FixtureRequest) -> str:
    server: PostgresServer = request.getfixturevalue("postgres_server")
    return fresh_database(server, "test_cli_audit")


def _history(url: str) -> None:
    """Acme (the Red Tomato plan) and Beta (empty), a scenario Level of Acme saved by Ann
    and approved by Eve, and Acme's 2026-11 cycle started by Eve."""
    with connect(url) as wb:
        companies.start_company(wb, "Acme", author="ann", copy_of=red_tomato())
        companies.start_company(wb, "Beta", author="bob")
        plans.save_scenario(
            wb, red_tomato(), WhatIf(), author="ann", approved=None, name="Level",
            company="Acme", solve=False,
        )  # fmt: skip
        scenarios.approve(wb, "Level", author="eve")
        cycles.start_cycle(wb, "Acme", "2026-11", author="eve")


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """A store with some history, on each backend, given through ``SOP_DATABASE_URL``."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'cli.sqlite'}"
    else:
        url = request.getfixturevalue("pg_database")
        drop_store_tables(url)
    monkeypatch.setenv(ENV_VAR, url)
    _history(url)
    return url


@pytest.fixture
def sqlite_url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = f"sqlite:///{tmp_path / 'cli.sqlite'}"
    monkeypatch.setenv(ENV_VAR, url)
    _history(url)
    return url


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(["audit", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def ok(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    code, out, err = run(capsys, *argv)
    assert (code, err) == (0, ""), err
    return out


# --------------------------------------------------------------------------- the service


def test_the_exact_trail_is_the_records_under_readable_headers(sqlite_url: str) -> None:
    with connect(sqlite_url) as wb:
        records = audit_records(wb, company="Acme", kind="scenario")
        exact = audit_trail(wb, company="Acme", kind="scenario", exact=True)
    assert list(records.columns) == FIELD_KEYS and list(exact.columns) == HEADERS
    assert list(records["action"]) == ["approve", "save"]  # newest first
    assert records.loc[0, "after"] == '{"approved_version": 1, "status": "approved"}'
    pd.testing.assert_frame_equal(records.set_axis(HEADERS, axis=1), exact)


# --------------------------------------------------------------------------- list


def test_list_prints_the_trail_in_words_newest_first(
    db_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    out = ok(capsys, "list", "--company", "Acme", "--limit", "3")
    lines = out.splitlines()
    assert lines[0].split() == [
        "When", "(UTC)", "Who", "E-mail", "Action", "Company", "Object", "Field", "Before",
        "After",
    ]  # fmt: skip
    assert [line.split()[2:4] for line in lines[1:4]] == [
        ["eve", "create"],  # the cycle
        ["eve", "approve"],  # the scenario
        ["ann", "save"],
    ]
    assert "2026-11 cycle" in lines[1] and "scenario Level v1" in lines[2]
    assert lines[-1] == "3 changes in Acme, newest first."
    assert len(lines) == 5

    out = ok(capsys, "list", "--kind", "company")
    assert out.splitlines()[-1] == "2 changes in all companies, companies, newest first."
    assert [line.split()[2] for line in out.splitlines()[1:3]] == ["bob", "ann"]


def test_list_as_json_and_csv_keeps_the_field_keys_and_exact_values(
    db_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    rows = json.loads(
        ok(capsys, "list", "--kind", "scenario", "--key", "Level", "--format", "json")
    )
    assert [r["action"] for r in rows] == ["approve", "save"]
    assert list(rows[0]) == FIELD_KEYS
    assert (rows[0]["who"], rows[0]["object_key"], rows[0]["field"]) == ("eve", "Level", "status")
    assert json.loads(rows[0]["after"]) == {"status": "approved", "approved_version": 1}
    assert json.loads(rows[0]["before"]) == {"status": "draft", "approved_version": None}
    with connect(db_url) as wb:
        stamp = audit_records(wb, kind="scenario", key="Level").loc[0, "at"]
    assert rows[0]["at"] == stamp.isoformat()

    out = ok(capsys, "list", "--company", "Acme", "--kind", "cycle", "--format", "csv")
    frame = pd.read_csv(io.StringIO(out), keep_default_na=False)
    assert list(frame.columns) == FIELD_KEYS
    assert frame[["who", "action", "object_kind", "object_key", "object"]].values.tolist() == [
        ["eve", "create", "cycle", "2026-11", "2026-11 cycle"]
    ]


def test_a_family_is_found_by_its_name_as_on_the_audit_page(
    db_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["list", "--company", "Acme", "--kind", "family", "--format", "json"]
    by_name = json.loads(ok(capsys, *argv, "--key", "Garden tools"))
    with connect(db_url) as wb:
        key = companies.company_state(wb, "Acme").family_key("Garden tools")
    by_key = json.loads(ok(capsys, *argv, "--key", str(key)))
    assert by_name == by_key and len(by_name) == 1
    assert by_name[0]["object"] == "family Garden tools"
    assert json.loads(by_name[0]["after"])["demand"] == [1600, 3000, 3200, 3800, 2200, 2200]
    out = ok(capsys, "list", "--company", "Acme", "--kind", "family", "--key", "Garden tools")
    assert out.splitlines()[-1] == "1 change in Acme, families, key Garden tools, newest first."


def test_an_empty_selection_says_so(db_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    out = ok(capsys, "list", "--company", "Beta", "--kind", "scenario")
    assert out == "no changes recorded in Beta, scenarios\n"
    assert (
        json.loads(ok(capsys, "list", "--company", "Beta", "--kind", "cycle", "--format", "json"))
        == []
    )


# --------------------------------------------------------------------------- export


def test_export_writes_the_exact_values_under_readable_headers(
    db_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    csv_path, xlsx_path = tmp_path / "audit.csv", tmp_path / "audit.xlsx"
    out = ok(capsys, "export", "--company", "Acme", "-o", str(csv_path))
    with connect(db_url) as wb:
        expected = audit_trail(wb, company="Acme", exact=True)
    assert out == f"wrote {len(expected)} changes in Acme to {csv_path}\n"
    assert csv_path.read_bytes().startswith(b"\xef\xbb\xbf")  # a BOM: Excel reads accents
    written = pd.read_csv(csv_path, encoding="utf-8-sig", keep_default_na=False)
    assert list(written.columns) == HEADERS
    assert written["Action"].tolist() == expected["Action"].tolist()
    assert written["After"].tolist() == expected["After"].tolist()

    out = ok(capsys, "export", "--kind", "scenario", "-o", str(xlsx_path))
    assert out == f"wrote 2 changes in all companies, scenarios to {xlsx_path}\n"
    sheet = pd.read_excel(xlsx_path, sheet_name="Audit trail", keep_default_na=False)
    assert list(sheet.columns) == HEADERS
    assert sheet["Action"].tolist() == ["approve", "save"]
    assert json.loads(sheet.loc[0, "After"]) == {"status": "approved", "approved_version": 1}


# --------------------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["list", "--company", "Nope"], "--company: 'Nope' not found; companies: 'Acme', 'Beta'"),
        (["list", "--limit", "0"], "--limit: must be a whole number ≥ 1, got 0"),
        (["export", "-o", "{tmp}/audit.txt"],
         "-o: '{tmp}/audit.txt' must end in .csv, .xlsx; got .txt"),
        (["export", "-o", "{tmp}/nowhere/audit.csv"],
         "-o: directory '{tmp}/nowhere' does not exist; create it or choose another path"),
        (["export", "--company", "Nope", "-o", "{tmp}/audit.csv"],
         "--company: 'Nope' not found; companies: 'Acme', 'Beta'"),
    ],
)  # fmt: skip
def test_bad_input_exits_2_naming_the_option(
    db_url: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    argv: list[str],
    message: str,
) -> None:
    code, out, err = run(capsys, *[a.replace("{tmp}", str(tmp_path)) for a in argv])
    assert (code, out) == (2, "")
    assert err == f"error: invalid input\n{message.replace('{tmp}', str(tmp_path))}\n"
    assert not (tmp_path / "audit.csv").exists() and not (tmp_path / "audit.txt").exists()


def test_an_unknown_kind_is_refused_listing_the_kinds(
    sqlite_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(capsys, "list", "--kind", "families")
    assert (code, out) == (2, "")
    assert "argument --kind: invalid choice: 'families'" in err
    assert all(f"'{k}'" in err for k in KINDS)


def test_help_names_every_kind_with_the_audit_pages_words(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["audit", "list", "--help"]) == 0
    out = " ".join(capsys.readouterr().out.split())
    for key, words in KINDS.items():
        assert f"{key} ({words.lower()})" in out
    assert main(["audit", "export", "--help"]) == 0
    out = " ".join(capsys.readouterr().out.split())
    assert "FILE.csv (UTF-8) or FILE.xlsx (Excel)" in out and "--limit N" in out
