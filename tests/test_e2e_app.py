"""End-to-end: the workbench in a real headless Chromium (Debian's, through Playwright).

Opens every page, moves the overtime and safety-stock sliders with the keyboard, opens a
shared URL, downloads the plan and saves a screenshot of each page to
artifacts/screenshots/ (``make screenshots`` copies them to docs/screenshots/ for the README)."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import pytest
from e2e_server import (
    CUT_TEXT_JS,
    SHOTS,
    TIMEOUT_MS,
    charts_drawn,
    check_presentation_fits,
    chromium_or_skip,
    keep_for_readme,
    metric,
    new_context,
    no_exception,
    number,
    open_page,
    presentation_styled,
    serve,
    shoot,
    wait_idle,
)
from playwright.sync_api import expect

ROOT = Path(__file__).resolve().parent.parent

pytestmark = [pytest.mark.e2e, pytest.mark.slow]


@pytest.fixture(scope="session")
def app_url():
    chromium_or_skip()
    with serve() as url:
        yield url


# browser and page: tests/conftest.py (one Chromium shared by every browser test)


def status_line(page) -> str:
    """The Plan page's last line of a rerun: 'What-if: … · plan solved in x ms · run n'."""
    return page.locator(".st-key-plan_status").inner_text()


def move(page, slider_label: str, presses: int = 1, key: str = "ArrowRight") -> None:
    slider = page.get_by_role("slider", name=slider_label)
    slider.focus()
    for _ in range(presses):
        page.keyboard.press(key)


@pytest.mark.parametrize(
    ("name", "path", "ready"),
    [
        ("home", "/", "Where we stand"),
        ("cycle_new", "/cycle", "Monthly S&OP cycle"),  # README: cycle.png, test_e2e_cycle
        ("plan", "/plan", "Total cost"),
        ("executive", "/executive", "What-ifs vs the baseline"),
        ("capacity", "/capacity", "Utilisation of regular hours"),
        ("demand", "/demand?demand_model=naive", "Forecast accuracy (backtest)"),
        ("scenarios", "/scenarios", "Save the current what-if"),
        ("executive_present", "/executive?present=1&safety_months=1", "What-ifs vs the baseline"),
    ],
)
def test_every_page_opens_without_an_exception(page, app_url, name, path, ready):
    open_page(page, app_url + path, ready)
    if name == "executive_present":
        assert (
            page.get_by_test_id("stSidebar").count() == 0
            or not page.get_by_test_id("stSidebar").is_visible()
        )
        assert page.get_by_role("slider").count() == 0
    if name == "home":
        charts_drawn(page, 1)  # the balance chart loads after the page's first content
    shoot(page, name)  # after the charts have drawn


def test_sliders_re_plan_live_and_the_url_keeps_them(page, app_url):
    # the sample company hires rather than pay overtime unless the workforce is capped
    open_page(page, app_url + "/plan?workers_max=111", "Total cost")
    cost0, inv0 = metric(page, "Total cost"), number(metric(page, "Avg. inventory"))
    chart0 = page.get_by_test_id("stVegaLiteChart").first.inner_html()
    move(page, "Max overtime (hours per worker per period)", 5, "ArrowLeft")  # 20 h -> 15 h
    # the status line is written last in the rerun of a move: once it names the what-if,
    # that rerun (tiles, chart) is on screen; the URL changes with the keys, before it
    status = page.locator(".st-key-plan_status")
    expect(status).to_contain_text("overtime ≤ 15 h/worker", timeout=TIMEOUT_MS)
    assert metric(page, "Total cost") != cost0
    assert "overtime=15" in page.url
    move(page, "Safety stock (months of next period's demand; 0 = scenario's own)", 8)
    page.wait_for_url(re.compile(r"safety_months=2"), timeout=TIMEOUT_MS)
    expect(status).to_contain_text("safety stock 2 months", timeout=TIMEOUT_MS)
    wait_idle(page)
    assert number(metric(page, "Avg. inventory")) != inv0
    no_exception(page)
    assert page.get_by_test_id("stVegaLiteChart").first.inner_html() != chart0
    assert re.search(r"plan solved in [0-9.]+ ms .* run \d+", status_line(page))
    shared = page.url
    cost = metric(page, "Total cost")

    # the shared link, in a fresh tab, reproduces the what-if: compared once that tab's
    # run for the same what-if has ended
    what_if = status_line(page).split(" · ")[0]
    other = page.context.new_page()
    open_page(other, shared, "Total cost")
    expect(other.locator(".st-key-plan_status")).to_contain_text(what_if, timeout=TIMEOUT_MS)
    wait_idle(other)
    assert metric(other, "Total cost") == cost
    assert other.get_by_role("slider", name=re.compile("^Safety stock")).get_attribute(
        "aria-valuenow"
    ) in ("2", "2.0", "2.00", None)
    # safety stock is a target paid for when missed: more of it moves the stock (not
    # always up: the plan may prefer to fall short of the dearer-to-hold families)
    assert number(metric(other, "Avg. inventory")) != inv0


def test_the_plan_downloads_as_csv(page, app_url, tmp_path):
    open_page(page, app_url + "/plan", "Total cost")
    assert page.get_by_role("button", name=re.compile("Download plan")).count() == 0
    page.get_by_test_id("stButtonGroup").get_by_text("Plan table").click()
    with page.expect_download(timeout=TIMEOUT_MS) as info:
        page.get_by_role("button", name=re.compile("Download plan \\(CSV\\)")).click()
    assert info.value.suggested_filename.endswith("__as_in_the_scenario_plan.csv")
    target = tmp_path / "plan.csv"
    info.value.save_as(target)
    settings, _, table = target.read_text(encoding="utf-8-sig").partition("\n\n")
    assert settings.startswith("Setting,Value\nScenario,")  # the what-if block first
    rows = list(csv.DictReader(io.StringIO(table)))
    assert rows and {"Period", "Family", "Production (units)"} <= set(rows[0])
    with page.expect_download(timeout=TIMEOUT_MS) as info:
        page.get_by_role("button", name=re.compile("Download plan \\(Excel\\)")).click()
    xlsx = tmp_path / "plan.xlsx"
    info.value.save_as(xlsx)
    assert xlsx.read_bytes()[:2] == b"PK"


def test_the_name_typed_is_kept_by_the_browser(browser, app_url):
    """A reload or a second tab of the same browser records changes under the name typed,
    not the default (the audit trail named the wrong person)."""
    context = new_context(browser)
    try:
        page = context.new_page()
        open_page(page, app_url + "/plan", "Plan")
        name = page.get_by_label("Your name (recorded with every change)")
        name.fill("Ann Example")
        name.press("Enter")
        wait_idle(page)
        page.wait_for_function("() => document.cookie.includes('sop_author=Ann%20Example')")
        page.reload()
        page.get_by_text("Plan").first.wait_for(timeout=TIMEOUT_MS)
        wait_idle(page)
        expect(page.get_by_label("Your name (recorded with every change)")).to_have_value(
            "Ann Example"
        )
        tab = context.new_page()
        open_page(tab, app_url + "/capacity", "Capacity")
        expect(tab.get_by_label("Your name (recorded with every change)")).to_have_value(
            "Ann Example"
        )
    finally:
        context.close()


def test_strategies_are_compared_only_when_shown(page, app_url):
    open_page(page, app_url + "/plan", "Total cost")
    assert page.get_by_text("Level workforce").count() == 0
    page.get_by_test_id("stButtonGroup").get_by_text("Optimal vs level vs chase").click()
    # the name sits in a data-grid cell, which the grid keeps in the DOM but draws on a
    # canvas: wait for it to be attached, not "visible"
    page.get_by_text("Level workforce").first.wait_for(state="attached", timeout=TIMEOUT_MS)
    wait_idle(page)
    no_exception(page)
    assert page.get_by_test_id("stVegaLiteChart").count() == 2  # balance + strategies


def test_rough_cut_capacity_chart_in_the_browser(browser, tmp_path):
    """The Capacity page of the sample company with two lines and a supplier: one chart
    per resource; the tight line's chart is the README's screenshot (rough_cut.png)."""
    from factories import sample_with_lines

    with serve(env={"SOP_SAMPLE_SCENARIO": str(sample_with_lines(tmp_path))}) as url:
        context = new_context(browser, 1600, 1000)
        page = context.new_page()
        open_page(page, url + "/capacity", "Rough-cut capacity per resource")
        charts = page.get_by_test_id("stVegaLiteChart")
        charts.nth(3).wait_for(timeout=TIMEOUT_MS)  # labour hours, then Line 1, 2, Supplier A
        page.get_by_text("Working-day calendar").first.wait_for(timeout=TIMEOUT_MS)
        no_exception(page)
        line2 = page.get_by_text("Line 2", exact=True).first
        line2.scroll_into_view_if_needed()
        charts_drawn(page, 4)
        SHOTS.mkdir(parents=True, exist_ok=True)
        path = SHOTS / "rough_cut.png"
        box_top = line2.bounding_box()
        box_chart = charts.nth(2).bounding_box()
        page.screenshot(
            path=str(path),
            full_page=True,
            clip={
                "x": box_chart["x"] - 10,
                "y": box_top["y"] - 10,
                "width": box_chart["width"] + 20,
                "height": box_chart["y"] + box_chart["height"] - box_top["y"] + 20,
            },
        )
        keep_for_readme(path)
        context.close()


def test_presentation_mode_fits_a_1280x720_projector(browser, app_url):
    check_presentation_fits(browser, app_url, "executive_present_1280x720")


def test_presentation_mode_fits_a_long_name_and_every_cost(browser, tmp_path):
    """A 120-character scenario name, and lines and a supplier: more cost categories."""
    from factories import sample_with_lines

    path = sample_with_lines(tmp_path)
    data = json.loads(path.read_text())
    data["name"] = "Red Tomato Outdoor Europe and North America consolidated – next 12 months, " + (
        "all channels, revised after the October review"
    )
    for fam in data["families"]:
        fam["max_subcontract"] = 300  # some bought in, some backlog: more kinds of cost
    path.write_text(json.dumps(data))
    with serve(env={"SOP_SAMPLE_SCENARIO": str(path)}) as url:
        check_presentation_fits(browser, url, "executive_present_long_1280x720")


#: the grids' horizontal overflow: a column cut at the edge, to scroll to
GRIDS_CUT_JS = """() => [...document.querySelectorAll('[data-testid=stDataFrame] .dvn-scroller')]
    .map(s => s.scrollWidth - s.clientWidth)"""


def test_presentation_carries_the_decision_and_fits_with_no_column_cut(browser, tmp_path):
    """With this month's cycle waiting for the executive meeting, the projected page shows
    the decision, what each recommended plan costs and earns, and the approval, at
    1280×720, every table whole."""
    from sop_core.engine.planner import solve
    from sop_core.model.scenario import with_changes
    from sop_core.process.cycle import month_of
    from sop_core.store.cycles import Cycles
    from sop_core.store.scenarios import Store, solved_fields
    from sop_core.store.workspaces import Workspaces

    db = f"sqlite:///{tmp_path / 'store.sqlite'}"
    with serve(env={"SOP_DATABASE_URL": db}) as url:
        context = new_context(browser, 1280, 720)
        try:
            page = context.new_page()
            open_page(page, url + "/executive", "What-ifs vs the baseline")  # seeds
            store = Store(db)
            spaces = Workspaces(store)
            company = spaces.names()[0]
            base = spaces.state(company).scenario()
            for name, overtime in (("Lean", 0), ("Flexible", 20)):
                planned = with_changes(base, max_overtime_hours_per_worker=overtime)
                store.save(
                    planned.model_copy(update={"name": name}),
                    author="Sam",
                    workspace_id=spaces.id_of(company),
                    **solved_fields(solve(planned)),
                )
            cycles = Cycles(store)
            cycles.create(company, month_of(), author="Ana")
            for step in ("data", "demand", "supply", "finance"):
                extra = {"recommended": ["Lean", "Flexible"]} if step == "supply" else {}
                cycles.sign_off(company, month_of(), step, author="Eve", **extra)
            open_page(page, url + "/executive?present=1", "Decision for the")
            presentation_styled(page)
            charts_drawn(page, 1)
            shoot(page, "executive_present_decision")
            expect(page.get_by_role("button", name="Approve for the cycle")).to_be_visible()
            grid = page.get_by_test_id("stDataFrame").first
            for plan in ("Lean v1", "Flexible v1"):
                expect(grid).to_contain_text(plan)
            assert page.evaluate(GRIDS_CUT_JS) == [0], "a table column is cut"
            for e in page.locator("[data-testid=stDataFrame], [data-testid=stButton]").all():
                box = e.bounding_box()
                assert box["x"] + box["width"] <= 1280 and box["y"] + box["height"] <= 720, box
        finally:
            context.close()


def test_a_family_level_history_gets_a_weekly_schedule_and_a_split(browser, tmp_path):
    """A company whose history has no SKUs: each family is scheduled as one SKU, and an
    SKU split uploaded on the page divides it."""
    from pages._workspace import sample_path
    from sop_core.demand.history import read_history
    from sop_core.model.scenario import load_scenario
    from sop_core.process.workspace import suggest_mapping
    from sop_core.services import companies
    from sop_core.services.history import upload_history
    from sop_core.services.workbench import connect

    db = f"sqlite:///{tmp_path / 'store.sqlite'}"
    by_family = (
        read_history(ROOT / "data" / "sample_history.csv")
        .groupby(["period", "family"], as_index=False)["demand"]
        .sum()
    )
    with connect(db) as wb:
        companies.start_company(wb, "Families", author="ann", copy_of=load_scenario(sample_path()))
        mapping = suggest_mapping(
            sorted(by_family["family"].unique()), companies.company_state(wb, "Families")
        )
        upload_history(wb, "Families", by_family, "families.csv", mapping, author="ann")
    split = tmp_path / "split.csv"
    split.write_text("sku,family,share\nGT-A,Garden Tools,3\nGT-B,Garden Tools,1\n")
    with serve(env={"SOP_DATABASE_URL": db}) as url:
        context = new_context(browser)
        try:
            page = context.new_page()
            open_page(page, url + "/schedule?company=Families", "Your history has no SKUs")
            grid = page.get_by_test_id("stDataFrame").first
            expect(grid).to_contain_text("Garden Tools", timeout=TIMEOUT_MS)
            page.get_by_text("Your history has no SKUs").click()
            page.locator("input[type=file]").first.set_input_files(str(split))
            expect(grid).to_contain_text("GT-A", timeout=TIMEOUT_MS)
            expect(grid).to_contain_text("GT-B")
            wait_idle(page)
            no_exception(page)
        finally:
            context.close()


def test_resources_and_the_calendar_edited_in_the_browser_change_the_plan(browser, tmp_path):
    """A resource added on Capacity loads the plan (its chart appears); a shutdown month in
    the calendar takes hours away from that month, and the plan's cost moves."""
    from sop_core.services import companies
    from sop_core.services.plans import company_plan
    from sop_core.services.workbench import connect

    db = f"sqlite:///{tmp_path / 'store.sqlite'}"
    with serve(env={"SOP_DATABASE_URL": db}) as url:
        context = new_context(browser)
        try:
            page = context.new_page()
            open_page(page, url + "/capacity", "Rough-cut capacity per resource")
            with connect(db) as wb:
                company = companies.company_names(wb)[0]
                before = company_plan(wb, company).result.total_cost
            page.get_by_text("Edit resources", exact=True).click()
            page.get_by_label("Resource name").fill("Paint line")
            page.get_by_label("Hours available per period").fill("20000")
            page.get_by_label("Garden Tools").fill("0.5")
            page.get_by_role("button", name="Save the resource").click()
            page.get_by_text("Saved resource Paint line").first.wait_for(timeout=TIMEOUT_MS)
            wait_idle(page)
            with connect(db) as wb:
                state = companies.company_state(wb, company)
                assert [r.name for r in state.scenario().resources] == ["Paint line"]
                loaded = company_plan(wb, company).result
            assert loaded.optimal, loaded.message
            expect(page.get_by_text("Paint line", exact=True).first).to_be_visible()  # its load
            page.get_by_text("Edit the calendar", exact=True).click()
            page.get_by_label("Country (ISO code, for its public holidays)").fill("DE")
            page.get_by_role("button", name="Save the calendar").click()
            page.get_by_text("Saved the calendar").first.wait_for(timeout=TIMEOUT_MS)
            wait_idle(page)
            no_exception(page)
            with connect(db) as wb:
                plan = company_plan(wb, company)
                assert plan.scenario.calendar is not None and plan.scenario.calendar.country == "DE"
                assert plan.result.total_cost != before  # fewer working days: another plan
        finally:
            context.close()


@pytest.mark.parametrize("size", [(1280, 720), (1440, 900)])
@pytest.mark.parametrize(
    ("path", "ready"),
    [("/", "Where we stand"), ("/plan", "Total cost"), ("/executive", "What-ifs vs")],
)
def test_every_tile_and_button_label_fits(browser, app_url, size, path, ready):
    context = new_context(browser, *size)
    try:
        page = context.new_page()
        open_page(page, app_url + path, ready)
        charts_drawn(page, 1)
        cut = page.evaluate(CUT_TEXT_JS)
        if cut:
            page.screenshot(path=str(SHOTS / f"cut_{size[0]}_{path.strip('/') or 'home'}.png"))
        assert cut == [], f"cut at {size[0]}×{size[1]} on {path}"
    finally:
        context.close()
