"""End-to-end: the scorecard of the five aims in a real headless Chromium. On the
Executive page at 1280×720 (and projected, ``?present=1``, with nothing cut and no
scrolling) the five aims show with their statuses in words; a target set on the page
gives a status; the meeting pack built on the page carries the scorecard."""

from __future__ import annotations

from pathlib import Path

import pytest
from e2e_server import (
    CUT_TEXT_JS,
    TIMEOUT_MS,
    charts_drawn,
    check_presentation_fits,
    chromium_or_skip,
    new_context,
    open_page,
    serve,
    shoot,
    wait_idle,
)
from factories import pack_sections

from sop_core.engine.scorecard import AIMS

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

#: each aim's cell and line of the strip that is cut (wider than its box), or outside
#: the window
STRIP_CUT_JS = """([w, h]) => [...document.querySelectorAll('.sop-aim, .sop-aim-line')]
  .filter(e => { const r = e.getBoundingClientRect();
    return e.scrollWidth > e.clientWidth + 1 || r.left < 0 || r.top < 0
      || r.right > w || r.bottom > h; })
  .map(e => e.textContent)"""


@pytest.fixture(scope="module")
def app_url():
    chromium_or_skip()
    with serve() as url:
        yield url


def test_the_projected_page_shows_the_five_aims_whole_at_1280x720(browser, app_url):
    # the projected page as the existing check has it (every part whole, no scrolling) …
    check_presentation_fits(browser, app_url, "executive_present_scorecard_1280x720")
    # … and the strip of the five aims on it, each cell whole and inside the window
    context = new_context(browser, 1280, 720)
    try:
        page = context.new_page()
        open_page(page, app_url + "/executive?present=1&safety_months=1", "Customer service")
        charts_drawn(page, 2)
        strip = page.locator(".sop-scorecard")
        for aim in AIMS.values():
            assert aim in strip.inner_text()
        assert "no target" in strip.inner_text()  # a status in words
        assert page.evaluate(STRIP_CUT_JS, [1280, 720]) == []
        assert page.evaluate(CUT_TEXT_JS) == []
    finally:
        context.close()


def test_a_target_set_on_the_page_and_the_pack_carry_the_scorecard(browser, app_url):
    context = new_context(browser, 1280, 720, downloads=True)
    try:
        page = context.new_page()
        open_page(page, app_url + "/executive", "Scorecard: the five aims of S&OP")
        charts_drawn(page, 1)
        page.get_by_text("Targets", exact=True).click()
        box = page.get_by_label("Fill rate, at least (%)")
        box.fill("50")
        box.press("Tab")
        page.get_by_role("button", name="Save targets").click()
        wait_idle(page)
        strip = page.locator(".sop-scorecard").first
        strip.get_by_text("met", exact=False).first.wait_for(timeout=TIMEOUT_MS)
        page.wait_for_function(
            "() => document.querySelector('.sop-scorecard').textContent.includes('✓')",
            timeout=TIMEOUT_MS,
        )
        strip.scroll_into_view_if_needed()
        assert (
            page.evaluate(
                """() => [...document.querySelectorAll('.sop-aim, .sop-aim-line')]
              .filter(e => e.scrollWidth > e.clientWidth + 1).map(e => e.textContent)"""
            )
            == []
        )
        shoot(page, "executive_scorecard")
        page.get_by_role("button", name="Build the meeting pack").click()
        pdf_button = page.get_by_role("button", name="Download the pack (PDF)")
        pdf_button.wait_for(timeout=TIMEOUT_MS)
        with page.expect_download(timeout=TIMEOUT_MS) as download:
            pdf_button.click()
        sections = pack_sections(Path(download.value.path()).read_bytes())
        _, card = sections["Scorecard: the five aims of S&OP"]
        for words in ("Customer lead time", "Days of cover", "at least 50.0%", "met"):
            assert words in card, words
        assert "Scorecard per family" in sections
    finally:
        context.close()
