"""End-to-end: the Schedule page in a real headless Chromium (Debian's, through Playwright).

Opens the page on the sample company, switches family, uploads a stock table (a bad one
first), downloads the schedule and saves a screenshot (``SOP_UPDATE_SCREENSHOTS=1``
copies it to docs/screenshots/schedule.png for the README).

Playwright's sync API runs one instance per thread, and tests/conftest.py keeps its own
open for the whole session: this module drives its Chromium from a thread of its own
(:class:`BrowserThread`), so that both files run in one pytest session or alone."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from e2e_server import (
    CHROMIUM_ARGS,
    TIMEOUT_MS,
    chromium_or_skip,
    new_context,
    no_exception,
    open_page,
    serve,
    shoot,
    wait_idle,
)

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

READY = "units made per SKU and week"


class BrowserThread:
    """A headless Chromium owned by one worker thread; ``run(fn, ...)`` calls
    ``fn(page, ...)`` there with a fresh page and returns (or raises) what it does."""

    def __init__(self, executable: str) -> None:
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="chromium")
        self._pool.submit(self._start, executable).result()

    def _start(self, executable: str) -> None:
        from playwright.sync_api import sync_playwright

        self._playwright = sync_playwright().start()
        self._browser = self._playwright.chromium.launch(
            executable_path=executable, args=CHROMIUM_ARGS
        )

    def run(self, fn: Callable[..., Any], *args: Any) -> Any:
        def task() -> Any:
            context = new_context(self._browser, 1600, 1000, downloads=True)
            try:
                return fn(context.new_page(), *args)
            finally:
                context.close()

        return self._pool.submit(task).result()

    def close(self) -> None:
        def stop() -> None:
            self._browser.close()
            self._playwright.stop()

        self._pool.submit(stop).result()
        self._pool.shutdown()


@pytest.fixture(scope="module")
def server():
    chromium_or_skip()
    with serve() as url:
        yield url


@pytest.fixture(scope="module")
def chromium():
    browser = BrowserThread(chromium_or_skip())
    yield browser
    browser.close()


def choose(page, label: str, option: str) -> None:
    page.get_by_test_id("stSelectbox").filter(has_text=label).first.click()
    page.get_by_role("option", name=option).click()
    wait_idle(page)


@pytest.mark.screenshot
def test_schedule_page_table_chart_family_and_screenshot(chromium, server):
    chromium.run(table_chart_family_and_screenshot, server)


def table_chart_family_and_screenshot(tab, server: str) -> None:
    open_page(tab, server + "/schedule", READY)
    assert tab.get_by_text(f"Garden Tools: {READY}").count() == 1
    tab.get_by_test_id("stDataFrame").nth(1).wait_for(state="attached", timeout=TIMEOUT_MS)
    assert tab.get_by_test_id("stDataFrame").count() == 2  # SKU × week, per SKU
    # made, stock: wait for the second chart (the front end draws them one after another)
    tab.get_by_test_id("stVegaLiteChart").nth(1).wait_for(state="attached", timeout=TIMEOUT_MS)
    assert tab.get_by_test_id("stVegaLiteChart").count() == 2
    # the sidebar lists the page in the Plan group, after Plan
    nav = tab.get_by_test_id("stSidebarNav").inner_text()
    assert nav.index("Plan") < nav.index("Schedule") < nav.index("Executive")
    choose(tab, "Family", "Watering")
    tab.get_by_text(f"Watering: {READY}").wait_for(timeout=TIMEOUT_MS)
    no_exception(tab)
    shoot(tab, "schedule")  # after its charts have drawn


def test_stock_table_upload_bad_then_good(chromium, server, tmp_path):
    chromium.run(stock_table_upload_bad_then_good, server, tmp_path)


def stock_table_upload_bad_then_good(tab, server: str, tmp_path) -> None:
    open_page(tab, server + "/schedule", READY)
    tab.get_by_text("SKU stock, safety stock and minimum batches").click()
    bad = tmp_path / "stock.csv"
    bad.write_text("sku,on_hand\nGT-SPADE,-4\n")
    tab.locator("input[type=file]").set_input_files(str(bad))
    tab.get_by_text("row 2, column on_hand: must be a number ≥ 0, got '-4'").wait_for(
        timeout=TIMEOUT_MS
    )
    good = tmp_path / "stock2.csv"
    good.write_text("sku,on_hand,safety_stock,min_batch\nGT-SPADE,2000,100,900\n")
    tab.locator("input[type=file]").set_input_files(str(good))
    tab.get_by_text("SKUs not in the stock table use the default stock data").wait_for(
        timeout=TIMEOUT_MS
    )
    wait_idle(tab)
    no_exception(tab)
    assert tab.get_by_text("cannot be used").count() == 0


def test_schedule_downloads_as_csv_and_excel(chromium, server, tmp_path):
    chromium.run(schedule_downloads_as_csv_and_excel, server, tmp_path)


def schedule_downloads_as_csv_and_excel(tab, server: str, tmp_path) -> None:
    open_page(tab, server + "/schedule", READY)
    with tab.expect_download(timeout=TIMEOUT_MS) as info:
        tab.get_by_role("button", name=re.compile(r"Download schedule \(CSV\)")).click()
    target = tmp_path / "schedule.csv"
    info.value.save_as(target)
    rows = list(csv.DictReader(io.StringIO(target.read_text())))
    assert {"family", "sku", "week", "made", "stock", "shortfall", "cover_weeks"} <= set(rows[0])
    assert len({r["sku"] for r in rows}) == 18
    assert all(float(r["made"]) >= 0 for r in rows)
    with tab.expect_download(timeout=TIMEOUT_MS) as info:
        tab.get_by_role("button", name=re.compile(r"Download schedule \(Excel\)")).click()
    xlsx = tmp_path / "schedule.xlsx"
    info.value.save_as(xlsx)
    assert xlsx.read_bytes()[:2] == b"PK"
