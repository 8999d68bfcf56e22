"""End-to-end: user text shows as text in a real browser, never as a live link or markup.

The server plans a hostile sample scenario (names written as Markdown links, HTML,
formulas and Streamlit colour directives); every page must show them as typed."""

from __future__ import annotations

import json
import re

import pytest
from e2e_server import TIMEOUT_MS, chromium_or_skip, no_exception, serve, wait_idle
from factories import red_tomato_dict

from sop_core.base.text import WORD_JOINER

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

LINK = "[click](https://evil.example)"
FAMILIES = ("**Bold** <b>tag</b>", '=HYPERLINK("https://evil.example")')
PERIOD = ":red[Jan] ![x](https://evil.example/x.png)"


@pytest.fixture(scope="module")
def hostile_url(tmp_path_factory):
    chromium_or_skip()
    d = red_tomato_dict()
    d["name"] = LINK
    fam = d["families"][0]
    d["families"] = [dict(fam, name=FAMILIES[0]), dict(fam, name=FAMILIES[1], demand=[50.0] * 6)]
    d["periods"] = [PERIOD, "Feb", "Mar", "Apr", "May", "Jun"]
    path = tmp_path_factory.mktemp("hostile") / "[file](https:evil.example).json"
    path.write_text(json.dumps(d), encoding="utf-8")
    with serve(env={"SOP_SAMPLE_SCENARIO": str(path)}) as url:
        yield url


@pytest.mark.parametrize(
    "path,ready",
    [
        ("/", "Where we stand"),
        ("/cycle", "Monthly S&OP cycle"),
        ("/plan", "Total cost"),
        ("/executive", "What-ifs vs the baseline"),
        ("/scenarios", "Save"),
    ],
)
def test_names_render_as_text(page, hostile_url, path: str, ready: str) -> None:
    page.goto(hostile_url + path)
    page.get_by_text(ready).first.wait_for(timeout=TIMEOUT_MS)
    wait_idle(page)
    no_exception(page)
    assert page.locator("a[href*='evil.example'], img[src*='evil.example']").count() == 0
    main = page.get_by_test_id("stAppViewContainer")
    assert main.locator("b:text-is('tag'), strong:text-is('Bold')").count() == 0
    text = main.inner_text().replace(WORD_JOINER, "")  # invisible: keeps addresses unlinked
    assert LINK in text  # the scenario's name, as typed (sidebar, title or caption)
    if path == "/executive":
        assert f"{LINK}: supply vs demand" in text and PERIOD in text


# --------------------------------------------------------------------------- uploads


@pytest.fixture(scope="module")
def plain_url():
    chromium_or_skip()
    with serve() as url:
        yield url


def _xlsx_bytes() -> bytes:
    import io

    import pandas as pd

    buf = io.BytesIO()
    pd.DataFrame({"period": ["2024-01"], "family": ["A"], "demand": [1]}).to_excel(buf, index=False)
    return buf.getvalue()


def _upload(page, files: dict) -> None:
    page.locator("input[type=file]").first.set_input_files(files)


def test_history_upload_of_an_excel_file_named_csv(page, plain_url) -> None:
    page.goto(plain_url + "/demand?demand_model=naive")
    page.get_by_text("Forecast accuracy (backtest)").first.wait_for(timeout=TIMEOUT_MS)
    wait_idle(page)
    page.get_by_text("Upload your own sales history").click()
    _upload(page, {"name": "sales.csv", "mimeType": "text/csv", "buffer": _xlsx_bytes()})
    page.get_by_text("this looks like an Excel workbook (.xlsx)").wait_for(timeout=TIMEOUT_MS)
    no_exception(page)
    text = page.get_by_test_id("stAlert").first.inner_text()
    assert "sales.csv" in text and "row" not in text  # one line, not "row N has 3 fields"


@pytest.mark.parametrize(
    "name,content,message",
    [
        ("deep.json", b'{"name": ' + b"[" * 5000 + b"]" * 5000 + b"}", "20 levels deep"),
        ("big.json", b" " * (5 * 1024 * 1024 + 10) + b"{}", "at most 5 MB"),
        ("true.json", None, "must be a number, got true"),
    ],
)
def test_scenario_import_refusals(page, plain_url, name: str, content, message: str) -> None:
    if content is None:
        d = red_tomato_dict()
        d["workforce"]["initial"] = True
        content = json.dumps(d).encode()
    page.goto(plain_url + "/scenarios")
    page.get_by_text("Save the current what-if", exact=True).wait_for(timeout=TIMEOUT_MS)
    wait_idle(page)
    page.get_by_text("Import a scenario file (JSON)").click()
    _upload(page, {"name": name, "mimeType": "application/json", "buffer": content})
    page.get_by_role("button", name="Import", exact=True).click()
    page.get_by_text(message).first.wait_for(timeout=TIMEOUT_MS)
    no_exception(page)


def test_the_server_refuses_uploads_above_the_apps_limit(page, plain_url) -> None:
    page.goto(plain_url + "/scenarios")
    page.get_by_text("Save the current what-if", exact=True).wait_for(timeout=TIMEOUT_MS)
    wait_idle(page)
    page.get_by_text("Import a scenario file (JSON)").click()
    big = b"{}" + b" " * (21 * 1024 * 1024)
    _upload(page, {"name": "huge.json", "mimeType": "application/json", "buffer": big})
    page.get_by_text(re.compile(r"20(\.0)?\s*MB")).first.wait_for(timeout=TIMEOUT_MS)
    no_exception(page)
