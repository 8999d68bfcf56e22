"""End-to-end: sign-in through a real OpenID Connect provider, and who may do what.

The tests start an OIDC provider on loopback (``oidc-provider-mock``), write a secrets
file that points Streamlit's ``st.login`` at it and a role file, and serve the app with
both. Each person signs in through the provider's own form in Debian's Chromium; the
test then checks what the pages allow and refuse, that a control forced open in the
browser is still refused by the store, and what the audit trail recorded."""

from __future__ import annotations

from pathlib import Path

import pytest
from e2e_server import (
    TIMEOUT_MS,
    chromium_or_skip,
    new_context,
    no_exception,
    serve,
    sign_in,
    until,
    wait_idle,
)

from sop_core.store.scenarios import Store

pytestmark = [pytest.mark.e2e, pytest.mark.slow]


def open_scenarios(page, base: str) -> None:
    page.goto(base + "/scenarios")
    page.get_by_text("Saved scenarios").first.wait_for(timeout=TIMEOUT_MS)
    wait_idle(page)
    no_exception(page)


def test_signed_out_visitors_see_only_the_sign_in_page(team_server, browser):
    base, _ = team_server
    page = new_context(browser).new_page()
    for path in ("/", "/scenarios", "/capacity"):
        page.goto(base + path)
        page.get_by_role("button", name="Sign in").wait_for(timeout=TIMEOUT_MS)
        assert page.get_by_text("Saved scenarios").count() == 0
        assert page.get_by_test_id("stSidebar").count() == 0
    page.context.close()


def test_each_role_may_do_its_part_and_the_store_refuses_the_rest(team_server, browser):
    base, db = team_server
    store = Store(db)

    # the supply planner keeps a what-if: a draft saved under their name and e-mail
    sam = sign_in(browser, base, "sam@acme.example")
    sam.goto(base + "/plan?overtime=5")
    sam.get_by_text("Total cost").first.wait_for(timeout=TIMEOUT_MS)
    wait_idle(sam)
    sam.get_by_role("button", name="Keep this what-if…").click()
    sam.get_by_label("Name this what-if").fill("More overtime")
    sam.get_by_role("button", name="Keep it").click()
    sam.get_by_text("Kept").first.wait_for(timeout=TIMEOUT_MS)
    stored = [s for s in store.list_scenarios() if s.name.startswith("More overtime")]
    assert len(stored) == 1
    draft = stored[0].name
    # … but may not approve it (the control says why)
    open_scenarios(sam, base)
    assert sam.get_by_role("button", name="Mark approved").is_disabled()
    sam.get_by_text("Only an executive may approve a scenario").first.wait_for(timeout=TIMEOUT_MS)
    sam.context.close()

    # the demand planner cannot approve either, even with the button forced open
    ana = sign_in(browser, base, "ana@acme.example")
    open_scenarios(ana, base)
    approve = ana.get_by_role("button", name="Mark approved")
    assert approve.is_disabled()
    approve.evaluate("b => { b.disabled = false; b.removeAttribute('disabled'); }")
    approve.click(force=True)
    # the page drops the forged click (the widget is disabled in its state, not only in the
    # DOM); had it reached the server, the store would refuse it (tests/test_access.py)
    wait_idle(ana)
    assert store.approved() is None, "a forced click approved a scenario"
    # the Capacity page: no right to change hours or costs, and it says so
    ana.goto(base + "/capacity")
    ana.get_by_text("Only a supply planner may change hours, limits and families").first.wait_for(
        timeout=TIMEOUT_MS
    )
    ana.get_by_text("Only someone in finance may change costs and prices").first.wait_for(
        timeout=TIMEOUT_MS
    )
    ana.context.close()

    # finance may not start a company
    fay = sign_in(browser, base, "fay@acme.example")
    fay.get_by_test_id("stSidebar").get_by_text("New…").click()
    assert fay.get_by_role("button", name="Start the company").is_disabled()
    fay.context.close()

    # the executive approves the kept what-if
    eve = sign_in(browser, base, "eve@acme.example")
    open_scenarios(eve, base)
    eve.get_by_label("Scenario", exact=True).click()
    eve.get_by_role("option", name=draft).click()
    wait_idle(eve)
    eve.get_by_role("button", name="Mark approved").click()
    wait_idle(eve)
    until(lambda: store.approved() is not None, "the click's rerun to write the approval")
    approved = store.approved()
    assert approved is not None and approved.name == draft
    assert approved.approved_by == "Eve Exec <eve@acme.example>"
    # … and may not delete it
    eve.get_by_role("button", name="Delete…").click()
    assert eve.get_by_role("button", name="Yes, delete it").is_disabled()
    eve.get_by_text("Only an admin may delete scenarios").first.wait_for(timeout=TIMEOUT_MS)
    eve.context.close()

    # the audit trail has every change with who made it
    trail = store.audit()
    saved = trail[(trail["object_kind"] == "scenario") & (trail["action"] == "save")]
    assert set(saved["email"]) == {"sam@acme.example"}
    approval = trail[trail["action"] == "approve"].iloc[0]
    assert (approval.who, approval.email) == ("Eve Exec", "eve@acme.example")
    kept = trail[(trail["object_kind"] == "whatif")].iloc[0]
    assert kept.email == "sam@acme.example"

    # the admin may read the trail in the app and download it
    al = sign_in(browser, base, "al@acme.example", downloads=True)
    al.goto(base + "/audit")
    al.get_by_text("The database refuses to change or delete these rows").wait_for(
        timeout=TIMEOUT_MS
    )
    al.get_by_role("button", name="Download CSV").wait_for(timeout=TIMEOUT_MS)
    wait_idle(al)
    no_exception(al)
    with al.expect_download(timeout=TIMEOUT_MS) as download:
        al.get_by_role("button", name="Download CSV").click()
    csv = Path(download.value.path()).read_text(encoding="utf-8-sig")
    assert "eve@acme.example" in csv and "approve" in csv
    al.context.close()
    store.close()


def test_the_laptop_default_is_local_single_user_mode(browser):
    chromium_or_skip()
    with serve() as base:
        page = new_context(browser).new_page()
        page.goto(base + "/scenarios")
        page.get_by_text("Saved scenarios").first.wait_for(timeout=TIMEOUT_MS)
        wait_idle(page)
        sidebar = page.get_by_test_id("stSidebar").inner_text()
        assert "Local single-user mode" in sidebar
        assert page.get_by_role("button", name="Save", exact=True).is_enabled()
        assert page.get_by_text("Only ").count() == 0  # nothing locked
        page.context.close()
