"""The meeting pack of a company's month: what the store gives it
(sop_core.services.pack.pack_inputs) and ``python -m sop_core pack build`` on SQLite and on
a real PostgreSQL server, called in-process.

Acme is test_services_exports's company (its plan as it stands costs $64 inside the time
fence of its approved plan Base v1, which costs $33). Its 2026-12 cycle approved Base v1;
in its 2027-01 cycle the supply review recommends Base v1 and Lean v1 (at most one
worker), and it keeps the what-if Level."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from factories import acme_scenario, cli_store, seed_acme
from openpyxl import load_workbook
from postgres_server import postgres_server  # noqa: F401  (the fixture, for cli_store)
from pypdf import PdfReader

from sop_core.cli.main import main
from sop_core.model.whatif import WhatIf
from sop_core.services import companies, cycles, plans, scenarios
from sop_core.services.audit import audit_trail
from sop_core.services.pack import pack_inputs
from sop_core.services.workbench import Workbench, connect

STEPS = ("data", "demand", "supply", "finance", "executive")


def seed_month(wb: Workbench) -> None:
    """Acme with the cycles, versions, what-if and log of the module docstring."""
    seed_acme(wb)
    lean = acme_scenario([20.0, 10.0, 10.0], name="Lean")
    plans.save_scenario(
        wb, lean, WhatIf(workers_max=1.0), author="ann", approved=None, company="Acme"
    )
    cycles.start_cycle(wb, "Acme", "2026-12", author="ann")
    extra = {"supply": {"recommended": ["Base"]}, "executive": {"approve": "Base"}}
    for step in STEPS:  # the 2026-12 cycle approves Base v1
        cycles.sign_off(wb, "Acme", "2026-12", step, author="ann", **extra.get(step, {}))
    cycles.start_cycle(wb, "Acme", "2027-01", author="ann")
    for step in ("data", "demand"):
        cycles.sign_off(wb, "Acme", "2027-01", step, author="ann")
    cycles.sign_off(wb, "Acme", "2027-01", "supply", author="ann", recommended=["Base", "Lean"])
    old = cycles.add_assumption(wb, "Acme", "2027-01", "Old news", owner="Ann", author="ann")
    cycles.close_entry(wb, "Acme", "2027-01", old, author="ann")
    cycles.add_assumption(
        wb, "Acme", "2027-01", "Pump demand doubles in January", owner="Ann", author="ann"
    )
    cycles.add_decision(
        wb, "Acme", "2027-01", "Hire a second crew in February", owner="Eve", author="ann"
    )
    plans.keep_whatif(
        wb,
        "Acme",
        "Level",
        companies.company_state(wb, "Acme").scenario(),
        WhatIf(strategy="level"),
        author="ann",
        approved=plans.company_fence(wb, "Acme").plan,
    )


# --------------------------------------------------------------------------- the service


@pytest.fixture
def wb(tmp_path: Path) -> Workbench:
    with connect(f"sqlite:///{tmp_path / 'store.sqlite'}") as opened:
        seed_month(opened)
        yield opened


def test_the_pack_presents_the_first_recommended_version_against_the_others_and_the_whatifs(wb):
    got = pack_inputs(wb, "Acme", "2027-01")
    assert got.title == "2027-01 cycle: S&OP meeting pack"
    # nothing approved yet this month: the first version the supply review recommended
    assert got.plan_name == "Base v1 (recommended)"
    assert got.result.total_cost == pytest.approx(33), "inside the fence, as the page plans it"
    assert list(got.alternatives) == ["Lean v1 (recommended)", "What-if: Level"]
    # the what-if is on the plan as it stands ($64): a level workforce can only cost more
    assert got.alternatives["What-if: Level"].total_cost >= 64 - 1e-6
    assert got.decisions["text"].tolist() == ["Hire a second crew in February"]
    assert got.assumptions["text"].tolist() == ["Pump demand doubles in January"]  # open only
    assert got.demand_review_signed_off
    assert got.past_plans["plan"].unique().tolist() == ["2026-12"]
    assert got.past_plans["production"].tolist() == pytest.approx([10, 10, 10])
    assert got.skipped == []


def test_a_recommended_version_deleted_since_is_left_out_and_named(wb):
    scenarios.delete(wb, "Lean", author="ann")
    got = pack_inputs(wb, "Acme", "2027-01")
    assert "Lean v1 (recommended)" not in got.alternatives
    assert got.skipped == ["Lean v1"]


def test_once_approved_the_pack_presents_the_approved_version(wb):
    got = pack_inputs(wb, "Acme", "2026-12")  # last month: Base v1 approved
    assert got.plan_name == "Base v1 (approved)"
    assert "Base v1 (recommended)" not in got.alternatives  # listed once


def test_without_a_cycle_the_pack_has_no_log(tmp_path):
    with connect(f"sqlite:///{tmp_path / 'bare.sqlite'}") as bare:
        seed_acme(bare)
        got = pack_inputs(bare, "Acme")
    assert got.cycle is None and got.decisions is None and got.alternatives == {}
    assert got.title.endswith(": S&OP meeting pack")


# --------------------------------------------------------------------------- the command


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """A store holding Acme's month, given through ``SOP_DATABASE_URL``."""
    url = cli_store(request, tmp_path, monkeypatch, roles="[roles]\n", actor="Tester")
    with connect(url) as store:
        seed_month(store)
    return url


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(["pack", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_build_writes_the_pdf_and_the_workbook(db_url, tmp_path, capsys):
    with connect(db_url) as store:
        before = len(audit_trail(store, exact=True))
    pdf, book = tmp_path / "pack.pdf", tmp_path / "pack.xlsx"
    code, out, err = run(
        capsys, "build", "Acme", "-o", str(pdf), "--excel", str(book), "--month", "2027-01"
    )
    assert (code, err) == (0, "")
    assert out.startswith("wrote the meeting pack of Acme (2027-01 cycle; ")
    assert out.endswith(f"Base v1 (recommended) against 2 alternatives) to {pdf} and {book}\n")
    cover = PdfReader(io.BytesIO(pdf.read_bytes())).pages[0].extract_text()
    assert "2027-01 cycle: S&OP meeting pack" in cover and "Acme" in cover
    assert "Scenarios compared" in cover and "Decisions needed" in cover
    sheets = load_workbook(book)
    assert "Scenarios" in sheets.sheetnames
    assert "Trade-offs" in sheets.sheetnames  # the presented plan's frontier and tornado
    header = next(sheets["Scenarios"].iter_rows(values_only=True))
    assert header[1:] == ("Base v1 (recommended)", "Lean v1 (recommended)", "What-if: Level")
    with connect(db_url) as store:
        assert len(audit_trail(store, exact=True)) == before, "building a pack changes nothing"


def test_build_of_an_earlier_month_and_a_title(db_url, tmp_path, capsys):
    pdf = tmp_path / "december.pdf"
    code, out, _ = run(
        capsys, "build", "Acme", "-o", str(pdf), "--month", "2026-12", "--title", "December"
    )
    assert code == 0 and "(2026-12 cycle; " in out and "Base v1 (approved) against 1 " in out
    cover = PdfReader(io.BytesIO(pdf.read_bytes())).pages[0].extract_text()
    assert cover.startswith("December") and "Decisions needed" not in cover


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["-o", "{tmp}/pack.txt"], "-o: '{tmp}/pack.txt' must end in .pdf; got .txt"),
        (["-o", "{tmp}/pack.pdf", "--excel", "{tmp}/pack.csv"],
         "--excel: '{tmp}/pack.csv' must end in .xlsx; got .csv"),
        (["-o", "{tmp}/pack.pdf", "--month", "2027-13"],
         "--month: must be a month such as '2026-12', got '2027-13'"),
        (["-o", "{tmp}/pack.pdf", "--month", "2025-01"],
         "--month: Acme has no 2025-01 cycle; its cycles: 2026-12, 2027-01"),
        (["-o", "{tmp}/no/pack.pdf"],
         "-o: directory '{tmp}/no' does not exist; create it or choose another path"),
    ],
)  # fmt: skip
def test_build_refuses_bad_input_by_option(db_url, tmp_path, capsys, argv, message):
    code, out, err = run(
        capsys, "build", "Acme", *[a.replace("{tmp}", str(tmp_path)) for a in argv]
    )
    assert (code, out) == (2, "")
    assert err == f"error: invalid input\n{message.replace('{tmp}', str(tmp_path))}\n"
    assert not list(tmp_path.glob("pack.*"))


def test_build_of_a_plan_with_no_feasible_solution_exits_1_and_says_so(db_url, tmp_path, capsys):
    tight = acme_scenario([20.0, 10.0, 10.0], name="Tight", frozen=0)
    wf = tight.workforce.model_copy(update={"max_workers": 1.0})
    fams = [f.model_copy(update={"max_subcontract": 0.0}) for f in tight.families]
    with connect(db_url) as store:
        companies.seed_company(
            store, "Tight", tight.model_copy(update={"workforce": wf, "families": fams}), author="a"
        )
    pdf = tmp_path / "tight.pdf"
    code, out, err = run(capsys, "build", "Tight", "-o", str(pdf))
    assert code == 1 and out.startswith("wrote the meeting pack of Tight (no cycle yet; ")
    assert err.startswith("Tight (as planned): infeasible, no feasible plan (")
    page = PdfReader(io.BytesIO(pdf.read_bytes())).pages[0].extract_text()  # page 1
    assert "This plan is not feasible" in page
