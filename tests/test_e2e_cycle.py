"""End-to-end: one monthly cycle walked in a real browser by the people who own its steps,
each signed in through the OpenID Connect provider (the fixtures of test_e2e_access):
the demand planner starts it and signs off the demand review, the supply planner
recommends two scenarios, finance reconciles, the executive approves one."""

from __future__ import annotations

import re
import time

import pytest
from pypdf import PdfReader
from test_e2e_access import provider, server, sign_in  # noqa: F401
from test_e2e_app import DOCS, SHOTS, TIMEOUT_MS, no_exception, shoot, wait_idle

from sop_core.access import Actor
from sop_core.cycle import month_of
from sop_core.cycle_store import Cycles
from sop_core.planner import solve
from sop_core.store import Store, solved_fields
from sop_core.workspace_store import Workspaces

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

COMPANY = "Sample company"
SAM = Actor("Sam Supply", "sam@acme.example", frozenset({"supply_planner"}), signed_in=True)


def until(check, what: str, seconds: float = 30) -> None:
    """Wait until the store shows what a click's rerun wrote."""
    deadline = time.monotonic() + seconds
    while not check():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.25)


def shoot_pdf_page(pdf: str, page: int, name: str) -> None:
    """One page of a PDF as a PNG screenshot (artifacts/, the README's with
    ``make screenshots``), rendered by PDFium."""
    import os
    import shutil

    import pypdfium2

    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / f"{name}.png"
    pypdfium2.PdfDocument(pdf)[page].render(scale=1.4).to_pil().save(path)
    if os.environ.get("SOP_UPDATE_SCREENSHOTS") == "1":
        DOCS.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, DOCS / path.name)


def click(page, name: str) -> None:
    page.get_by_role("button", name=name).click()
    wait_idle(page)


def test_a_cycle_is_signed_off_step_by_step_by_its_owners(server, browser):  # noqa: F811
    base, db = server
    store = Store(db)
    cycles = Cycles(store)
    month = month_of()

    # the demand planner starts the month's cycle on the home page
    ana = sign_in(browser, base, "ana@acme.example")
    ana.get_by_text("Monthly S&OP cycle").first.wait_for(timeout=TIMEOUT_MS)
    click(ana, f"Start the {month} cycle")
    ana.get_by_text("Waiting for you").first.wait_for(timeout=TIMEOUT_MS)
    # not hers: the supply review is locked, and says who may
    assert ana.get_by_role("button", name="Sign off supply review").is_disabled()
    ana.get_by_text("Only a supply planner may sign off the supply review").first.wait_for(
        timeout=TIMEOUT_MS
    )
    click(ana, "Sign off data gathering")
    until(lambda: cycles.get(COMPANY, month).step("data").signed_off, "data gathering")
    ana.get_by_role("button", name="Sign off demand review").wait_for(timeout=TIMEOUT_MS)
    click(ana, "Sign off demand review")
    until(lambda: cycles.get(COMPANY, month).step("demand").signed_off, "the demand review")
    ana.get_by_text("Consensus forecast frozen at the sign-off").first.wait_for(timeout=TIMEOUT_MS)
    no_exception(ana)
    ana.context.close()
    frozen = cycles.get(COMPANY, month).consensus()
    assert not frozen.empty and (frozen["units"] >= 0).all()

    # two plans of the company saved by the supply planner (the Scenarios page's save)
    spaces = Workspaces(store)
    scenario = spaces.state(COMPANY).scenario()
    for name in ("Level", "Chase"):
        planned = scenario.model_copy(update={"name": name})
        store.save(
            planned,
            author=SAM,
            name=name,
            workspace_id=spaces.id_of(COMPANY),
            **solved_fields(solve(planned)),
        )

    # the supply planner recommends both
    sam = sign_in(browser, base, "sam@acme.example")
    sam.get_by_text("Waiting for you").first.wait_for(timeout=TIMEOUT_MS)
    for option in ("Level v1", "Chase v1"):
        sam.get_by_label("Recommended scenario version(s)").click()
        sam.get_by_role("option", name=option).click()
        wait_idle(sam)
    sam.keyboard.press("Escape")
    click(sam, "Sign off supply review")
    until(lambda: cycles.get(COMPANY, month).recommended, "the recommendation")
    assert cycles.get(COMPANY, month).recommended == [("Level", 1), ("Chase", 1)]
    sam.context.close()

    # finance reconciles
    fay = sign_in(browser, base, "fay@acme.example")
    fay.get_by_text("Waiting for you").first.wait_for(timeout=TIMEOUT_MS)
    click(fay, "Sign off pre-meeting / financial reconciliation")
    until(lambda: cycles.get(COMPANY, month).step("finance").signed_off, "finance")
    fay.context.close()

    # the executive approves one of the two
    eve = sign_in(browser, base, "eve@acme.example", downloads=True)
    eve.get_by_text("Waiting for you").first.wait_for(timeout=TIMEOUT_MS)
    eve.get_by_test_id("stRadio").get_by_text("Chase v1", exact=True).click()
    wait_idle(eve)
    eve.get_by_text("Monthly S&OP cycle").first.scroll_into_view_if_needed()
    shoot(eve, "cycle")  # the README's: four steps signed off, the executive's waiting
    click(eve, "Sign off executive meeting")
    until(lambda: cycles.get(COMPANY, month).complete, "the executive sign-off")
    eve.get_by_text(re.compile(r"complete: the plan is")).first.wait_for(timeout=TIMEOUT_MS)
    no_exception(eve)
    # … and takes the meeting pack: a PDF with the approved plan against the other one
    eve.get_by_role("button", name="Build the meeting pack").click()
    pdf_button = eve.get_by_role("button", name="Download the pack (PDF)")
    pdf_button.wait_for(timeout=TIMEOUT_MS)
    with eve.expect_download(timeout=TIMEOUT_MS) as download:
        pdf_button.click()
    reader = PdfReader(download.value.path())
    pages = [page.extract_text() for page in reader.pages]
    assert f"{month} cycle: S&OP meeting pack" in pages[0]
    heads = [text.splitlines()[0] for text in pages[1:]]
    for title in ("Summary", "Demand and supply", "Scenarios compared", "Exceptions"):
        assert title in heads, (title, heads)
    assert any(h.startswith("Family S&OP sheet: ") for h in heads)
    assert "Chase v1 (approved)" in pages[1]
    shoot_pdf_page(download.value.path(), heads.index("Demand and supply") + 1, "pack")
    assert "Level v1" in next(t for t in pages if t.startswith("Scenarios compared"))
    eve.context.close()

    cycle = cycles.get(COMPANY, month)
    assert cycle.plan == ("Chase", 1)
    approved = store.approved()
    assert (approved.name, approved.version) == ("Chase", 1)
    assert approved.approved_by == "Eve Exec <eve@acme.example>"
    assert [s.signed_off_by.split(" <")[0] for s in cycle.steps] == [
        "Ana Demand", "Ana Demand", "Sam Supply", "Fay Finance", "Eve Exec"
    ]  # fmt: skip
    trail = store.audit(object_kind="cycle")
    assert list(trail["action"]).count("sign off") == 5
    store.close()
