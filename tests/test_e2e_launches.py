"""End-to-end: a product developer, signed in, adds a launch on the Launches and
phase-outs page; the demand planner sees it in this month's demand review (Cycle page)
and may not change it; the plan makes it."""

from __future__ import annotations

import pytest
from e2e_server import (
    TIMEOUT_MS,
    choose_option,
    grid_tables,
    no_exception,
    number,
    open_page,
    shoot,
    sign_in,
    until,
    wait_idle,
)

from pages._workspace import seed_sample
from sop_core.base.access import Actor
from sop_core.process.cycle import month_of
from sop_core.services.workbench import Workbench
from sop_core.store.cycles import Cycles
from sop_core.store.scenarios import Store
from sop_core.store.workspaces import Workspaces

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

COMPANY = "Sample company"
ANA = Actor("Ana Demand", "ana@acme.example", frozenset({"demand_planner"}), signed_in=True)


def grid_with(page, row: str):
    """The page's grid with a row ``row``, once it is drawn (a rerun may still be drawing
    the grids when its first text shows)."""
    found = []

    def drawn() -> bool:
        try:
            found[:] = [grid_tables(page, must_have=row)[0]]
        except AssertionError:
            return False
        return True

    until(drawn, f"a grid with a row {row!r}")
    return found[0]


def test_a_launch_added_by_product_development_is_reviewed_and_planned(team_server, browser):
    base, db = team_server
    store = Store(db)
    seed_sample(Workbench(store))  # the sample company, as the app's first visit makes it
    Cycles(store).create(COMPANY, month_of(), author=ANA)

    pat = sign_in(browser, base, "pat@acme.example")
    open_page(pat, base + "/launches", "No launch or phase-out yet.")
    pat.get_by_label("New family").fill("Trail Tools")
    choose_option(pat, "Launch period", "2027-03")
    choose_option(pat, "Sells like", "Hand Tools")
    pat.get_by_text("Factor on the like-family").click()
    pat.get_by_role("spinbutton", name="Units or factor").fill("0.5")
    pat.get_by_role("spinbutton", name="Ramp-up").fill("3")
    pat.get_by_role("button", name="Add the launch").click()
    wait_idle(pat)

    def added() -> bool:
        return "Trail Tools" in Workspaces(store).state(COMPANY).family_names

    until(added, "the launch in the store")
    pat.get_by_text("In the plan").first.wait_for(timeout=TIMEOUT_MS)
    listed = grid_with(pat, "Launch")
    assert listed.loc["Launch", "Family"] == "Trail Tools"
    assert listed.loc["Launch", "Assumptions"].startswith(
        "Trail Tools sells from 2027-03 like Hand Tools, × 0.5, full demand after 3 months"
    )
    planned = grid_with(pat, "2027-03")
    assert planned.loc["2027-03", "Family"] == "Trail Tools"
    made = [number(v) for v in planned["Production (units)"]]
    bought = [number(v) for v in planned["Subcontracted (units)"]]
    assert sum(made) + sum(bought) > 0  # the plan makes (or buys) it
    shoot(pat, "launches")
    no_exception(pat)
    pat.context.close()

    # the demand planner: in this month's demand review, and not hers to change
    ana = sign_in(browser, base, "ana@acme.example")
    open_page(ana, base + "/cycle", "Monthly S&OP cycle")
    ana.get_by_text("Launches and phase-outs in this review:").first.wait_for(timeout=TIMEOUT_MS)
    review = grid_with(ana, "Launch")
    assert review.loc["Launch", "Family"] == "Trail Tools"
    log = Cycles(store).get(COMPANY, month_of()).log
    assert [e.family for e in log] == ["Trail Tools"]
    open_page(ana, base + "/launches", "Add a launch")
    assert ana.get_by_role("button", name="Add the launch").is_disabled()
    ana.get_by_text("Only a product developer may add, change and remove launches").first.wait_for(
        timeout=TIMEOUT_MS
    )
    no_exception(ana)
    ana.context.close()


def test_an_sku_launch_is_shown_by_period_and_taken_back(team_server, browser):
    """At SKU level, a product developer launches a garden SKU that sells like GT-SPADE:
    the page confirms it, lists it, shows its demand by period in whole units, and takes
    it back."""
    base, db = team_server
    store = Store(db)
    seed_sample(Workbench(store))

    def launched() -> list[dict]:
        state = Workspaces(store).state(COMPANY)
        return state.value("family", state.family_key("Garden Tools")).get("sku_launches") or []

    pat = sign_in(browser, base, "pat@acme.example")
    open_page(pat, base + "/launches", "Add a launch")
    pat.get_by_test_id("stButtonGroup").get_by_text("SKU", exact=True).click()
    pat.get_by_text("Launch an SKU").first.wait_for(timeout=TIMEOUT_MS)
    wait_idle(pat)
    choose_option(pat, "Family", "Garden Tools")
    pat.get_by_role("textbox", name="New SKU").fill("GT-TROWEL")
    choose_option(pat, "Launch period", "2026-12")
    choose_option(pat, "Sells like SKU", "GT-SPADE")
    pat.get_by_text("Factor on the like-SKU").click()
    pat.get_by_role("spinbutton", name="Units or factor").fill("0.5")
    pat.get_by_role("spinbutton", name="Ramp-up").fill("2")
    pat.get_by_role("button", name="Add the SKU launch").click()
    until(lambda: bool(launched()), "the SKU launch in the store")
    pat.get_by_text(
        "Added the SKU launch: GT-TROWEL (Garden Tools) sells from 2026-12 like GT-SPADE"
    ).first.wait_for(timeout=TIMEOUT_MS)
    listed = grid_with(pat, "SKU launch")
    assert listed.loc["SKU launch", "Family"] == "Garden Tools"
    by_period = grid_with(pat, "GT-TROWEL")
    stored = launched()[0]["demand"]
    assert stored[0] == 0 and stored[1] > 0  # nothing before its start
    shown = [by_period.loc["GT-TROWEL", p] for p in ("2026-11", "2026-12", "2027-01")]
    assert all("." not in v for v in shown), shown  # whole units, no raw floats
    assert [number(v) for v in shown] == [round(v) for v in stored[:3]]
    shoot(pat, "launches_sku")
    pat.get_by_role("button", name="Take back the launch of GT-TROWEL").click()
    until(lambda: not launched(), "the SKU launch taken back")
    pat.get_by_text("Took back the launch of GT-TROWEL (Garden Tools).").first.wait_for(
        timeout=TIMEOUT_MS
    )
    no_exception(pat)
    pat.context.close()
