"""End-to-end: user text shows as text in a real browser, never as a live link or markup.

The server plans a hostile sample scenario (names written as Markdown links, HTML,
formulas and Streamlit colour directives); every page must show them as typed."""

from __future__ import annotations

import json

import pytest
from e2e_server import serve
from factories import red_tomato_dict
from test_e2e_app import TIMEOUT_MS, _chromium, no_exception, wait_idle

from sop_core.text import WORD_JOINER

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

LINK = "[click](https://evil.example)"
FAMILIES = ("**Bold** <b>tag</b>", '=HYPERLINK("https://evil.example")')
PERIOD = ":red[Jan] ![x](https://evil.example/x.png)"


@pytest.fixture(scope="module")
def hostile_url(tmp_path_factory):
    _chromium()
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
    [("/", "Total cost"), ("/executive", "What-ifs vs the baseline"), ("/scenarios", "Save")],
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
