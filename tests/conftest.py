"""Fixtures shared by the browser tests: one headless Chromium for the whole session.

Playwright's sync API runs one event loop per thread, so every module that drives the
browser must share this one (a module-level copy of the fixture would start a second).
The browser's version heads the test report (``SOP_CHROMIUM`` picks another build)."""

from __future__ import annotations

import pytest

# the sign-in provider and the app behind it, for every module that signs people in
from e2e_server import (  # noqa: F401
    CHROMIUM_ARGS,
    chromium_or_skip,
    chromium_version,
    new_context,
    provider,
    team_server,
)


def pytest_report_header(config) -> str:
    return f"browser: {chromium_version()}"


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    executable = chromium_or_skip()
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser):
    context = new_context(browser, 1600, 1000, downloads=True)
    pg = context.new_page()
    yield pg
    context.close()
