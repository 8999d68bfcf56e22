"""End-to-end: the business plan in a real browser: a file uploaded on the Executive page,
a cell typed in its table, both kept in the store, and still there after a reload.

Drives Debian's Chromium (Playwright) against a server with its own store, which the test
opens itself to check what was saved."""

from __future__ import annotations

from pathlib import Path

import pytest
from e2e_server import (
    TIMEOUT_MS,
    chromium_or_skip,
    edit_until,
    new_context,
    open_page,
    serve,
    until,
    visible_grids,
    wait_idle,
)
from playwright.sync_api import expect

from sop_core.engine.kpis import money
from sop_core.model.scenario import load_scenario
from sop_core.process.business_plan import business_plan_template, write_business_plan
from sop_core.store.scenarios import Store
from sop_core.store.workspaces import Workspaces

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

ROOT = Path(__file__).resolve().parent.parent
COMPANY = "Sample company"
#: a grid inside the business plan's expander
IN_PLAN_JS = "e => !!e.closest('[data-testid=stExpander]')?.innerText.includes('The business plan')"


def business_plan_grid(page) -> int:
    """The business plan's grid among the grids on screen, as :func:`visible_grids`
    counts them (-1: not shown yet)."""
    grids = visible_grids(page)
    return next((i for i in range(grids.count()) if grids.nth(i).evaluate(IN_PLAN_JS)), -1)


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    chromium_or_skip()
    db = f"sqlite:///{tmp_path_factory.mktemp('monthly') / 'store.sqlite'}"
    with serve(env={"SOP_DATABASE_URL": db}) as url:
        yield url, db


def metric(page, label: str):
    """The KPI tile labelled ``label`` (not any text that mentions it)."""
    return page.get_by_test_id("stMetric").filter(has_text=label).first


def test_the_business_plan_is_uploaded_edited_and_kept_through_a_reload(
    server, browser, tmp_path: Path
):
    base, db = server
    budget = business_plan_template(load_scenario(ROOT / "data" / "sample_company.json"))
    path = tmp_path / "budget.csv"
    path.write_bytes(write_business_plan(budget))
    page = new_context(browser).new_page()
    open_page(page, base + "/executive", "Business plan")
    page.get_by_text("No business plan yet").first.wait_for(timeout=TIMEOUT_MS)
    page.locator("input[type=file]").first.set_input_files(str(path))
    metric(page, "Gap to the business plan").wait_for(timeout=TIMEOUT_MS)
    wait_idle(page)
    spaces = Workspaces(Store(db))
    stored = spaces.state(COMPANY).business_plan
    assert len(stored) == len(budget)

    # type a revenue into the table's first row (first family, first month)
    for _ in range(3):  # open the expander (a click during a redraw can be lost)
        page.get_by_text("The business plan (").first.click()
        try:
            until(lambda: business_plan_grid(page) >= 0, "the business plan's grid", 5)
            break
        except AssertionError:
            wait_idle(page)
    grid = business_plan_grid(page)
    first = stored.iloc[0]

    def revenue() -> float:
        plan = spaces.state(COMPANY).business_plan
        row = plan[(plan["family"] == first["family"]) & (plan["period"] == first["period"])]
        return float(row["revenue"].iloc[0])

    # columns in the grid's accessible table: 0 the row marker, then Family, Month, Units,
    # Revenue
    edit_until(page, grid, 0, 4, "99000000", lambda: revenue() == 99_000_000)
    change = spaces.changes(COMPANY)[0]
    assert (change.kind, change.field, change.after) == ("budget", "revenue", 99_000_000)

    # a reload (another person, the next day) shows the stored plan and its gap
    total = spaces.state(COMPANY).business_plan["revenue"].sum()
    page.reload()
    metric(page, "Gap to the business plan").wait_for(timeout=TIMEOUT_MS)
    wait_idle(page)  # compared once the reload's run has ended
    expect(metric(page, "Business plan revenue").get_by_test_id("stMetricValue")).to_have_text(
        money(total, compact=True), timeout=TIMEOUT_MS
    )
