"""Fixtures shared by the browser tests: one headless Chromium for the whole session.

Playwright's sync API runs one event loop per thread, so every module that drives the
browser must share this one (a module-level copy of the fixture would start a second)."""

from __future__ import annotations

import os

import pytest
from e2e_server import CHROMIUM_ARGS, chromium_path


def chromium_or_skip() -> str:
    path = chromium_path()
    if path is None:
        message = "Debian's chromium is missing: run `bash scripts/system_deps.sh`"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return path


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
    context = browser.new_context(viewport={"width": 1600, "height": 1000}, accept_downloads=True)
    pg = context.new_page()
    yield pg
    context.close()
