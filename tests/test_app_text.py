"""Everything a person reads of a generated company speaks the vocabulary: every page of
the app (as AppTest renders it), the meeting pack (its PDF text and its Excel), the
company workbook, the plan's downloads, the audit trail and the command line's tables.
No code name (``gap_revenue``), no missing value read as "None" or "nan", no number with
more decimals than its unit deserves.

The company: 20 families, 24 months of history, a 12-month plan, a business plan it
falls short of, this month's cycle under way, a kept what-if and an approved plan
(:func:`factories.generated_company`), set up through the services."""

from __future__ import annotations

import io
import re

import pytest
from apptests import (
    book_problems,
    open_app_page,
    problems,
    sentences_problems,
    shown,
    text_problems,
    what_people_should_not_see,
)
from factories import generated_company
from pypdf import PdfReader

from sop_core.cli.main import main as cli
from sop_core.demand.history import validate_history
from sop_core.model.whatif import WhatIf
from sop_core.process.business_plan import business_plan_template
from sop_core.reports.exports import plan_csv, plan_excel, whatif_settings
from sop_core.reports.workbook import Company
from sop_core.services import audit, companies, cycles, plans, scenarios
from sop_core.services.pack import company_pack
from sop_core.services.workbench import connect

NAME = "Generated"
PAGES = (
    "pages/home.py",
    "pages/cycle.py",
    "pages/demand.py",
    "pages/capacity.py",
    "pages/plan.py",
    "pages/schedule.py",
    "pages/executive.py",
    "pages/scenarios.py",
    "pages/audit.py",
    "pages/launches.py",
)


@pytest.fixture(scope="module")
def store_url(tmp_path_factory) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('text') / 'store.sqlite'}"
    scenario, raw = generated_company()
    budget = business_plan_template(scenario)
    budget["revenue"] *= 1.1  # the plan falls short of it: exceptions with money at stake
    with connect(url) as wb:
        company = Company(
            scenario=scenario,
            history=validate_history(raw),
            history_name="generated.csv",
            tables={"budget": budget},
        )
        companies.import_company(wb, NAME, company, author="ana")
        cycles.start_cycle(wb, NAME, author="ana")
        state = companies.company_state(wb, NAME)
        plans.keep_whatif(
            wb, NAME, "More overtime", state.scenario(), WhatIf(overtime=30.0),
            author="sam", approved=None,
        )  # fmt: skip
        saved = plans.save_scenario(
            wb, state.scenario(), WhatIf(), author="sam", approved=None, company=NAME
        )
        scenarios.approve(wb, saved.name, author="eve")
    return url


@pytest.fixture
def app_store(store_url, monkeypatch) -> str:
    monkeypatch.setenv("SOP_DATABASE_URL", store_url)
    return store_url


def page_text(at) -> list[str]:
    """The sentences of a rendered page as a reader sees them (Markdown escapes
    removed): titles, headings, Markdown, captions, messages, tiles and widget labels."""
    lines = [shown(e.value) for kind in ("title", "header", "subheader") for e in at.get(kind)]
    lines += [shown(m.value) for m in at.markdown]
    lines += [shown(c.value) for c in at.caption]
    for kind in ("success", "info", "warning", "error"):
        lines += [shown(e.value) for e in at.get(kind)]
    for tile in at.metric:
        lines += [tile.label, str(tile.value), str(tile.proto.delta or "")]
    for kind in ("selectbox", "radio", "slider", "number_input", "text_input", "button"):
        lines += [str(w.label) for w in at.get(kind) if getattr(w, "label", None)]
    return [line for line in lines if line]


@pytest.mark.parametrize("page", PAGES)
def test_every_page_reads_as_people_read_it(app_store, page):
    at = open_app_page(page, run_entry_first=True, company=NAME)
    said = page_text(at)
    assert any(NAME in line for line in said) or at.session_state["company"] == NAME
    found = what_people_should_not_see(at) + sentences_problems(said, page)
    assert found == [], found


def test_the_meeting_pack_reads_as_people_read_it(store_url):
    with connect(store_url) as wb:
        built = company_pack(wb, NAME).pack
    pages = [p.extract_text() for p in PdfReader(io.BytesIO(built.pdf)).pages]
    text = "\n".join(pages)
    assert "Family S&OP sheet: Family 19" in text and "Money at stake" in text
    assert sentences_problems(text.splitlines(), "pack.pdf") == []
    assert book_problems(built.excel, "pack.xlsx") == []


def test_every_export_reads_as_people_read_it(store_url):
    with connect(store_url) as wb:
        workbook = companies.export_workbook(wb, NAME)
        trail = audit.audit_trail(wb, company=NAME)
        current = plans.company_plan(wb, NAME)
    # the History and More sheets are the upload's own columns, read back on import
    assert book_problems(workbook, "workbook", skip=("History", "More"), numbers=False) == []
    assert len(trail) and problems(trail, "audit trail") == []
    settings = whatif_settings(current.scenario, current.label)
    found = []
    for line in plan_csv(current.result, settings).decode("utf-8-sig").splitlines():
        found += text_problems(line, "plan.csv") if not re.match(r"[\d.,\-]+$", line) else []
    assert book_problems(plan_excel(current.result, settings), "plan.xlsx") == []


READ_COMMANDS = (
    ("companies", "list"),
    ("capacity", "show", NAME),
    ("consensus", "show", NAME),
    ("business-plan", "gap", NAME),
    ("business-plan", "exceptions", NAME),
    ("plans", "show", NAME),
    ("scenarios", "list"),
    ("cycle", "status", NAME),
    ("audit", "list", "--company", NAME),
)


@pytest.mark.parametrize("argv", READ_COMMANDS, ids=lambda a: " ".join(a[:2]))
def test_the_command_lines_tables_read_as_people_read_them(store_url, capsys, argv):
    code = cli([*argv, "--database-url", store_url])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert out.strip() and sentences_problems(out.splitlines(), " ".join(argv)) == []
