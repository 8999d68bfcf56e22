"""AppTest of the Home page (the app's "/"): where we stand, and how to start."""

from __future__ import annotations

import os

import pytest
from apptests import APP, what_people_should_not_see
from streamlit.testing.v1 import AppTest

from sop_core.process.cycle import month_of
from sop_core.services import companies, cycles
from sop_core.services.workbench import connect


@pytest.fixture(autouse=True)
def store_url(tmp_path, monkeypatch) -> str:
    url = f"sqlite:///{tmp_path / 'store.sqlite'}"
    monkeypatch.setenv("SOP_DATABASE_URL", url)
    return url


def open_home() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_home_says_what_the_workbench_is_for_and_where_we_stand():
    at = open_home()
    assert at.title[0].value == "Where we stand"
    assert "keeps **Sample company**'s demand and supply in balance" in at.caption[0].value
    said = "\n".join(m.value for m in at.markdown)
    assert f"The {month_of()} S&OP cycle has not started" in said
    assert [m.label for m in at.metric][:2] == ["Total cost", "Fill rate"]
    assert any(h.value == "The current plan" for h in at.subheader)
    assert what_people_should_not_see(at) == []
    # the top exceptions: one line per family and kind over its months, the most money
    # at stake first (the sample holds Garden Tools' stock above its target for months)
    listed = next(m.value for m in at.markdown if m.value.startswith("- **"))
    stakes = [
        float(line.split(" at stake")[0].rsplit("\\$", 1)[1].replace(",", ""))
        for line in listed.splitlines()
        if " at stake" in line
    ]
    assert stakes and stakes == sorted(stakes, reverse=True)
    assert "Stock above target**, \\$" in listed and "months; the largest\\: " in listed


def test_a_new_install_offers_the_two_ways_to_start_and_starts_your_own():
    at = open_home()
    assert any("Two ways to start" in m.value for m in at.markdown)
    at.text_input(key="home_new_name").set_value("Acme Pumps")
    at.button(key="home_new_go").click().run()
    assert not at.exception
    assert at.session_state["company"] == "Acme Pumps"
    with connect(os.environ["SOP_DATABASE_URL"]) as wb:
        assert companies.company_names(wb) == ["Sample company", "Acme Pumps"]


def test_home_names_the_cycles_step_waiting_for_the_person():
    open_home()  # seeds the sample company
    with connect(os.environ["SOP_DATABASE_URL"]) as wb:
        cycles.start_cycle(wb, "Sample company", author="ana")
    at = open_home()
    said = "\n".join(m.value for m in at.markdown)
    assert "0 of 5 steps signed off; next: data gathering" in said
    assert "**Waiting for you:** data gathering" in said  # local mode: every right
