"""One whole monthly S&OP cycle from the command line only, on a PostgreSQL store, fed from
a PostgreSQL database standing in for the company's ERP; then the Cycle page in Chromium
finds it all there.

Each step runs ``python -m sop_core …`` as its owner (``--as`` an address the role file
gives a role): the company from a workbook, the sales history and the actuals pulled
from the ERP, the forecast handed over, the business plan, the cycle started and each
step signed off by its owner, the executive's approval, the meeting pack, the approved
plan pushed back to the ERP."""

from __future__ import annotations

import os
import subprocess
import sys
from io import BytesIO
from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa
from e2e_server import PEOPLE, TIMEOUT_MS, new_context, open_page, serve
from playwright.sync_api import expect
from postgres_server import fresh_database, postgres_server  # noqa: F401
from pypdf import PdfReader

from sop_core.demand.history import read_history
from sop_core.model.scenario import load_scenario
from sop_core.process.cycle import month_of
from sop_core.reports.workbook import Company, write_workbook
from sop_core.services import audit, cycles, scenarios
from sop_core.services.workbench import connect

ROOT = Path(__file__).resolve().parent.parent
pytestmark = [pytest.mark.e2e, pytest.mark.slow, pytest.mark.postgres]

ANA, SAM, FAY, EVE, AL = (
    "ana@acme.example",
    "sam@acme.example",
    "fay@acme.example",
    "eve@acme.example",
    "al@acme.example",
)


def the_erp(url: str, history: pd.DataFrame) -> None:
    """The ERP's tables: monthly sales by product group, and the last three months'
    production, stock and backlog."""
    sales = (
        history.groupby(["family", "period"], as_index=False)["demand"]
        .sum()
        .rename(columns={"family": "product_group", "period": "month", "demand": "qty_shipped"})
    )
    sales["month"] = pd.to_datetime(sales["month"]).dt.strftime("%Y-%m")
    last = sorted(sales["month"].unique())[-3:]
    actuals = sales[sales["month"].isin(last)].rename(
        columns={"product_group": "family", "month": "period", "qty_shipped": "production"}
    )
    actuals = actuals.assign(inventory=100.0, backlog=0.0)
    engine = sa.create_engine(url)
    with engine.begin() as c:
        sales.to_sql("sales_monthly", c, index=False)
        actuals.to_sql("actuals_monthly", c, index=False)
    engine.dispose()


def test_a_whole_monthly_cycle_from_the_command_line_then_in_the_browser(
    postgres_server,  # noqa: F811
    browser,
    tmp_path,
):
    store = fresh_database(postgres_server, "cli_cycle_store")
    erp = fresh_database(postgres_server, "cli_cycle_erp")
    history = read_history(ROOT / "data" / "sample_history.csv")
    the_erp(erp, history)
    roles = tmp_path / "roles.toml"
    roles.write_text(
        "[roles]\n" + "".join(f'"{e}" = ["{role}"]\n' for e, (_, role) in PEOPLE.items()),
        encoding="utf-8",
    )
    env = {**os.environ, "SOP_DATABASE_URL": store, "SOP_ROLES_FILE": str(roles)}

    def run(*args: str, who: str) -> str:
        done = subprocess.run(
            [sys.executable, "-m", "sop_core", *args, "--as", who],
            capture_output=True,
            text=True,
            cwd=ROOT,
            env=env,
            timeout=600,
        )
        assert done.returncode == 0, f"{' '.join(args)}: {done.stderr}"
        return done.stdout

    # the company from a workbook (an admin starts companies)
    scenario = load_scenario(ROOT / "data" / "sample_company.json")
    book = tmp_path / "acme.xlsx"
    book.write_bytes(
        write_workbook(
            Company(
                scenario=scenario,
                history_names={},
                confirmed={},
                whatifs={},
                history=None,
                history_name="acme.xlsx",
            )
        )
    )
    run("companies", "import", str(book), "--name", "Acme", who=AL)
    # data gathering, fed from the ERP
    columns = "family=product_group,period=month,units=qty_shipped"
    run("history", "pull", "Acme", "--from", erp, "--table", "sales_monthly", "--columns",
        columns, who=ANA)  # fmt: skip
    run("actuals", "pull", "Acme", "--from", erp, "--query", "SELECT * FROM actuals_monthly",
        who=ANA)  # fmt: skip
    run("cycle", "start", "Acme", who=ANA)
    run("cycle", "sign-off", "Acme", "data", "--comment", "ERP feed loaded", who=ANA)
    # the demand review: the forecast handed over, then signed off with its statistics
    run("consensus", "hand-over", "Acme", "--model", "naive", who=ANA)
    run("cycle", "sign-off", "Acme", "demand", "--statistical-model", "naive", who=ANA)
    # the supply review keeps two what-ifs and recommends both
    run("plans", "keep", "Acme", "Lean", "--overtime", "0", who=SAM)
    run("plans", "keep", "Acme", "Flexible", "--overtime", "20", who=SAM)
    run("cycle", "sign-off", "Acme", "supply", "--recommend", "Lean", "--recommend", "Flexible",
        who=SAM)  # fmt: skip
    # finance: the business plan, then the reconciliation
    budget = tmp_path / "budget.csv"
    pd.DataFrame(
        [
            {"family": f.name, "period": p, "units": 1000.0, "revenue": 50000.0}
            for f in scenario.families
            for p in scenario.period_labels
        ]
    ).to_csv(budget, index=False)
    run("business-plan", "upload", "Acme", str(budget), who=FAY)
    run("cycle", "sign-off", "Acme", "finance", who=FAY)
    # the executive meeting approves one, the pack is built, the plan goes back to the ERP
    run("cycle", "sign-off", "Acme", "executive", "--approve", "Flexible", who=EVE)
    pack = tmp_path / "pack.pdf"
    run("pack", "build", "Acme", "-o", str(pack), who=EVE)
    run("plans", "push", "Acme", "--to", erp, "--table", "sop_plan", "--if-exists", "replace",
        who=EVE)  # fmt: skip

    # the store, the audit trail, the pack and the ERP hold it all
    with connect(store) as wb:
        cycle = cycles.cycle_of(wb, "Acme", month_of())
        assert cycle.complete and cycle.plan == ("Flexible", 1)
        assert cycle.recommended == [("Lean", 1), ("Flexible", 1)]
        assert scenarios.approved_scenario(wb, "Acme").name == "Flexible"
        trail = audit.audit_trail(wb, company="Acme", exact=True)
        authors = " ".join(trail.astype(str).to_numpy().ravel())
        for who in (ANA, SAM, FAY, EVE, AL):
            assert who in authors, f"{who} is not in the audit trail"
    first = PdfReader(BytesIO(pack.read_bytes())).pages[0].extract_text()
    assert "Acme" in first
    engine = sa.create_engine(erp)
    with engine.connect() as c:
        pushed = c.execute(sa.text("SELECT count(*) FROM sop_plan")).scalar_one()
    engine.dispose()
    assert pushed == len(scenario.families) * scenario.horizon

    # … and the Cycle page shows it
    with serve(env={"SOP_DATABASE_URL": store}) as url:
        context = new_context(browser)
        try:
            page = context.new_page()
            open_page(page, url + "/cycle?company=Acme", "Monthly S&OP cycle")
            expect(page.get_by_text("complete: the plan is").first).to_contain_text(
                "Flexible v1", timeout=TIMEOUT_MS
            )
            expect(page.get_by_text("ERP feed loaded").first).to_be_visible()
        finally:
            context.close()
