"""End-to-end: a company that is not the sample, from its own sales file to a kept plan,
through a browser reload, out as a workbook and back in as another company.

Drives Debian's Chromium (Playwright) against a server with its own store, which the test
also opens itself to check what was saved, to the cent."""

from __future__ import annotations

import math
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from e2e_server import (
    TIMEOUT_MS,
    chromium_or_skip,
    edit_until,
    holds,
    new_context,
    no_exception,
    open_page,
    paste_cell,
    serve,
    shoot,
    visible_grids,
    wait_idle,
)
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from playwright.sync_api import expect

from sop_core.engine.planner import Planner
from sop_core.store.scenarios import Store
from sop_core.store.workspaces import Workspaces

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

FAMILIES = ("Pumps", "Valves", "Actuators", "Seals")  # not the sample's names, nor its count
MONTHS = 30


def company_history() -> pd.DataFrame:
    """30 months of seasonal demand for 4 families (seeded), as a planner's export."""
    rng = np.random.default_rng(7)
    months = pd.date_range("2024-03-01", periods=MONTHS, freq="MS")
    rows = []
    for i, fam in enumerate(FAMILIES):
        base = 400 + 150 * i
        for t, m in enumerate(months):
            season = 1 + 0.25 * math.sin(2 * math.pi * (m.month - 1) / 12)
            rows.append(
                {
                    "period": m.strftime("%Y-%m"),
                    "family": fam,
                    "demand": round(base * season * (1 + 0.01 * t) + rng.normal(0, 20)),
                }
            )
    return pd.DataFrame(rows)


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    chromium_or_skip()
    db = tmp_path_factory.mktemp("company") / "store.sqlite"
    url_db = f"sqlite:///{db}"
    with serve(env={"SOP_DATABASE_URL": url_db}) as url:
        yield url, url_db


def new_page(browser):
    return new_context(browser, downloads=True).new_page()


def sidebar_changes(page) -> str:
    return page.get_by_test_id("stSidebar").inner_text()


def test_own_company_from_upload_to_kept_plan_through_reload_and_workbook(
    server, browser, tmp_path: Path
):
    base, db = server
    csv = tmp_path / "acme_sales.csv"
    company_history().to_csv(csv, index=False)
    page = new_page(browser)

    # a new, empty company
    open_page(page, base + "/capacity", "Capacity")
    page.get_by_test_id("stSidebar").get_by_text("New…").click()
    page.get_by_label("Company name").fill("Acme Flow")
    page.get_by_label("Company name").press("Enter")
    page.get_by_role("button", name="Start the company").click()
    page.get_by_text("Started Acme Flow").first.wait_for(timeout=TIMEOUT_MS)
    wait_idle(page)
    assert "company=Acme" in page.url
    # the selector names the company shown (it kept "Sample company" before)
    selector = page.get_by_test_id("stSidebar").get_by_test_id("stSelectbox").first
    expect(selector.locator("input")).to_have_value("Acme Flow", timeout=TIMEOUT_MS)
    page.get_by_text("The workforce has a new company's defaults").first.wait_for(
        timeout=TIMEOUT_MS
    )

    # upload → map → create families
    open_page(page, base + "/demand?company=Acme+Flow&demand_model=naive", "Demand")
    page.get_by_text("No sales history yet").first.wait_for(timeout=TIMEOUT_MS)
    page.locator("input[type=file]").first.set_input_files(str(csv))
    page.get_by_text("Check how they meet your families").first.wait_for(timeout=TIMEOUT_MS)
    shoot(page, "mapping")
    page.get_by_role("button", name="Use this history").click()
    page.get_by_text("Forecast accuracy (backtest)").first.wait_for(timeout=TIMEOUT_MS)
    wait_idle(page)
    no_exception(page)

    # confirm the defaults and fill in a cost (saved as typed)
    open_page(page, base + "/capacity?company=Acme+Flow", "Capacity")
    page.get_by_text("New families with default hours and costs").first.wait_for(timeout=TIMEOUT_MS)
    page.get_by_role("button", name="These values are right").click()
    page.get_by_text("New families with default").first.wait_for(state="detached")
    page.get_by_role("button", name="The workforce is right").click()
    page.get_by_text("The workforce has a new company").first.wait_for(state="detached")
    wait_idle(page)
    spaces = Workspaces(Store(db))

    def holding() -> float:
        return spaces.state("Acme Flow").scenario().families[0].holding_cost

    # typed into the cell as a person does (the first family's holding cost)
    edit_until(page, -1, 0, 3, "3.5", lambda: holding() == 3.5, typed=True)
    page.get_by_test_id("stSidebar").get_by_text("Latest changes").click()
    page.get_by_test_id("stSidebar").get_by_text(
        re.compile(r"Holding \$ / unit / period \$2 → \$3\.50")
    ).wait_for(timeout=TIMEOUT_MS)

    # adjust the consensus and hand it to the plan
    open_page(page, base + "/demand?company=Acme+Flow&demand_model=naive", "Consensus adjustments")
    for _ in range(3):  # a redraw can swallow the typing: add again until the store has it
        page.get_by_label("Change", exact=True).fill("10")
        page.get_by_label("Comment (why)").fill("trade fair")
        page.get_by_role("button", name="Add", exact=True).click()
        wait_idle(page)
        if holds(lambda: len(spaces.state("Acme Flow").adjustments) == 1):
            break
    assert list(spaces.state("Acme Flow").adjustments["comment"]) == ["trade fair"]
    page.get_by_role("button", name="Use the consensus forecast in the plan").click()
    wait_idle(page)
    page.get_by_text("The plan now uses the consensus forecast").first.wait_for(timeout=TIMEOUT_MS)

    # plan, and keep a what-if
    open_page(page, base + "/plan?company=Acme+Flow&overtime=5", "Total cost")
    page.get_by_role("button", name="Keep this what-if…").click()
    page.get_by_label("Name this what-if").fill("Little overtime")
    page.get_by_role("button", name="Keep it").click()
    page.get_by_text("Kept").first.wait_for(timeout=TIMEOUT_MS)
    cost_before = page.get_by_test_id("stMetricValue").first.inner_text()

    # a reload (a new session) shows the same company, plan and kept what-if
    page.reload()
    page.get_by_text("Total cost").first.wait_for(timeout=TIMEOUT_MS)
    wait_idle(page)
    assert page.get_by_test_id("stMetricValue").first.inner_text() == cost_before
    assert "acme_sales.csv" in sidebar_changes(page)
    open_page(page, base + "/executive?company=Acme+Flow", "What-ifs vs the baseline")
    page.get_by_text("Little overtime").first.wait_for(state="attached", timeout=TIMEOUT_MS)

    # out as a workbook, back in as another company
    open_page(page, base + "/scenarios?company=Acme+Flow", "Saved scenarios")
    page.get_by_text("The whole company as one Excel workbook").click()
    with page.expect_download(timeout=TIMEOUT_MS) as info:
        page.get_by_role("button", name="Export this company (.xlsx)").click()
    book = tmp_path / "acme.xlsx"
    info.value.save_as(book)
    page.locator("input[type=file]").last.set_input_files(str(book))
    page.get_by_label("New company's name").fill("Acme Flow copy")
    page.get_by_label("New company's name").press("Enter")
    page.get_by_role("button", name="Import as a new company").click()
    page.wait_for_url(re.compile("company=Acme\\+Flow\\+copy"), timeout=TIMEOUT_MS)
    wait_idle(page)
    no_exception(page)

    original, copy = spaces.state("Acme Flow"), spaces.state("Acme Flow copy")
    assert copy.scenario() == original.scenario()
    assert set(original.family_names) == set(FAMILIES)
    assert list(copy.adjustments["comment"]) == ["trade fair"]
    assert set(copy.whatifs) == {"Little overtime"}
    cost = [Planner(s.scenario()).solve(s.scenario()).total_cost for s in (original, copy)]
    assert round(cost[0], 2) == round(cost[1], 2)
    assert spaces.state("Sample company").family_names != original.family_names


def test_two_tabs_see_each_others_edits_and_a_stale_edit_of_the_same_cell_is_told(server, browser):
    base, db = server
    spaces = Workspaces(Store(db))
    if "Two tabs" not in spaces.names():
        from factories import red_tomato

        spaces.create("Two tabs", author="setup", scenario=red_tomato())
    one, two = new_page(browser), new_page(browser)
    for p in (one, two):
        open_page(p, base + "/capacity?company=Two+tabs", "Workforce, costs and limits")
    family = lambda: spaces.state("Two tabs").scenario().families[0]  # noqa: E731
    edit_until(one, -1, 0, 3, "7", lambda: family().holding_cost == 7.0)  # holding 2 → 7
    # tab two still shows 2: its edit of the same cell is refused and said so
    refused = two.get_by_text(re.compile("Not saved")).first
    for _ in range(3):  # a paste lost in a redraw (nothing said, nothing saved): again
        paste_cell(two, grid=-1, row=0, column=3, value="9")
        wait_idle(two)
        try:
            refused.wait_for(timeout=10_000)
            break
        except PlaywrightTimeout:
            assert family().holding_cost == 7.0, "a stale edit overwrote the other tab's"
    refused.wait_for(timeout=TIMEOUT_MS)
    assert "changed by" in two.get_by_test_id("stAlert").first.inner_text()
    assert family().holding_cost == 7.0
    # after its rerun tab two shows tab one's value, and edits go through again
    edit_until(two, -1, 0, 4, "6", lambda: family().backorder_cost == 6.0)  # backorder
    assert family().holding_cost == 7.0


def test_a_refused_edit_leaves_the_cell_and_is_told_beside_the_table(server, browser):
    """A name the store refuses (another family has it) is not left in the cell as if
    saved: the table shows what is stored, and the refusal is said just above it."""
    base, db = server
    spaces = Workspaces(Store(db))
    if "Refusals" not in spaces.names():
        from factories import tiny

        spaces.create("Refusals", author="setup", scenario=tiny([[10, 20], [5, 5]]))
    page = new_page(browser)
    open_page(page, base + "/capacity?company=Refusals", "Workforce, costs and limits")
    told = page.get_by_text(re.compile("The table shows what is saved")).first
    for _ in range(3):  # a paste lost in a redraw (nothing said, nothing saved): again
        paste_cell(page, grid=-1, row=1, column=0, value="F0")  # F1 renamed to F0: taken
        wait_idle(page)
        try:
            told.wait_for(timeout=10_000)
            break
        except PlaywrightTimeout:
            pass
    told.wait_for(timeout=TIMEOUT_MS)
    assert "taken" in page.get_by_test_id("stAlert").filter(has_text="Not saved").inner_text()
    assert spaces.state("Refusals").family_names == ["F0", "F1"]
    cell = visible_grids(page).nth(-1).get_by_test_id("glide-cell-0-1")
    expect(cell).to_have_text("F1", timeout=TIMEOUT_MS)  # the stored name, not "F0"
