"""The trade-offs in a real browser (headless Chromium): the executive opens the
frontier on the Executive page, picks a point, opens it, and the Plan page plans that
point; the projected trade-offs fit a 1280×720 projector."""

from __future__ import annotations

import pytest
from e2e_server import (
    CUT_TEXT_JS,
    TIMEOUT_MS,
    charts_drawn,
    choose_option,
    chromium_or_skip,
    metric,
    new_context,
    no_exception,
    open_page,
    serve,
    shoot,
    wait_idle,
)
from factories import DATA

from sop_core.analysis.frontier import frontier
from sop_core.engine.kpis import money
from sop_core.model.scenario import load_scenario

pytestmark = [pytest.mark.e2e, pytest.mark.slow]


@pytest.fixture(scope="module")
def app_url():
    chromium_or_skip()
    with serve() as url:
        yield url


#: true once a link on the page opens the Plan page held at average inventory ``level``
LINK_AT_LEVEL_JS = """level => [...document.querySelectorAll('a')].some(a => {
    const q = new URL(a.href).searchParams;
    const v = parseFloat(q.get('aim_level'));
    return q.get('aim') === 'average_inventory'
        && Math.abs(v - level) <= 1e-6 * Math.max(1, Math.abs(level));
})"""


def test_a_frontier_point_opens_on_the_plan_page(browser, app_url):
    expected = frontier(load_scenario(DATA / "sample_company.json"), "average_inventory", 21)
    point = expected.points[6]
    context = new_context(browser)
    try:
        page = context.new_page()
        open_page(page, app_url + "/executive", "Trade-offs")
        page.get_by_text("Trade-offs", exact=True).first.scroll_into_view_if_needed()
        # the second aim: average inventory (the sample already serves all its demand)
        page.get_by_role("combobox", name="Second aim").wait_for(timeout=TIMEOUT_MS)
        wait_idle(page)
        choose_option(page, "Second aim", "Average inventory")
        page.get_by_text("units of average inventory").first.wait_for(timeout=TIMEOUT_MS)
        choose_option(page, "Open a point", "Point 7:", exact=False)
        # the link is redrawn for the point picked: wait for it before following it
        page.wait_for_function(LINK_AT_LEVEL_JS, arg=point.level, timeout=TIMEOUT_MS)
        page.get_by_role("link", name="Open this plan on the Plan page").click()
        page.get_by_text("Held at a trade-off point").first.wait_for(timeout=TIMEOUT_MS)
        charts_drawn(page, 1)
        assert metric(page, "Total cost") == money(point.cost, compact=True)  # that plan
        shoot(page, "plan_held")
        assert "/plan?" in page.url and "aim=average_inventory" in page.url
        no_exception(page)
        # letting go of it plans without the aim again
        page.get_by_role("button", name="Let go of it").click()
        page.get_by_text("Held at a trade-off point").first.wait_for(
            state="detached", timeout=TIMEOUT_MS
        )
        assert "aim=" not in page.url
    finally:
        context.close()


def test_the_projected_trade_offs_fit_a_projector(browser, app_url):
    context = new_context(browser, 1280, 720)
    try:
        page = context.new_page()
        open_page(page, app_url + "/executive?present=1", "What-ifs vs the baseline")
        page.get_by_role("link", name="Trade-offs").click()
        page.get_by_text("Trade-offs: what a better plan costs").first.wait_for(timeout=TIMEOUT_MS)
        charts_drawn(page, 1)
        assert page.evaluate(CUT_TEXT_JS) == []
        scroll = page.evaluate(
            "() => { const m = document.querySelector('[data-testid=stMain]');"
            " return [m.scrollHeight, m.clientHeight]; }"
        )
        assert scroll[0] <= scroll[1], f"the page scrolls: {scroll}"
        shoot(page, "executive_present_tradeoffs")
        page.get_by_role("link", name="The decision").click()
        page.get_by_text("What-ifs vs the baseline").first.wait_for(timeout=TIMEOUT_MS)
        no_exception(page)
    finally:
        context.close()
