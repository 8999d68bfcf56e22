"""End-to-end: one monthly cycle walked in a real browser by the people who own its steps,
each signed in through the OpenID Connect provider (the fixtures of test_e2e_access):
last month's cycle approved a plan (seeded through the store), so this month's family
S&OP sheet shows that plan against the actual sales; the demand planner starts this
month's cycle and signs off the demand review, the supply planner recommends two
scenarios, finance reconciles, the executive approves one."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest
from e2e_server import (
    SHOTS,
    TIMEOUT_MS,
    grid_tables,
    keep_for_readme,
    no_exception,
    number,
    open_page,
    shoot,
    sign_in,
    until,
    wait_idle,
)
from factories import complete_cycle, pack_sections
from pypdf import PdfReader

from pages._workspace import seed_sample
from sop_core.base.access import Actor
from sop_core.engine.planner import solve
from sop_core.process.cycle import month_of, previous_month
from sop_core.process.sop_sheet import monthly_sales
from sop_core.services.workbench import Workbench
from sop_core.store.cycles import Cycles
from sop_core.store.scenarios import Store, solved_fields
from sop_core.store.workspaces import Workspaces

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

COMPANY = "Sample company"
ANA = Actor("Ana Demand", "ana@acme.example", frozenset({"demand_planner"}), signed_in=True)
SAM = Actor("Sam Supply", "sam@acme.example", frozenset({"supply_planner"}), signed_in=True)
FAY = Actor("Fay Finance", "fay@acme.example", frozenset({"finance"}), signed_in=True)
EVE = Actor("Eve Exec", "eve@acme.example", frozenset({"executive"}), signed_in=True)
LAST = "Last month's plan"


def shoot_pdf_page(pdf: str, page: int, name: str) -> None:
    """One page of a PDF as a PNG screenshot (artifacts/, the README's with
    ``make screenshots``), rendered by PDFium."""
    import pypdfium2

    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / f"{name}.png"
    pypdfium2.PdfDocument(pdf)[page].render(scale=1.4).to_pil().save(path)
    keep_for_readme(path)


def click(page, name: str) -> None:
    """Click the enabled button ``name`` (while a rerun moves a step's panel, the old,
    disabled copy can still be on the page for a moment)."""
    page.get_by_role("button", name=name, disabled=False).click()
    wait_idle(page)


def seed_last_months_cycle(store: Store, month: str) -> list[str]:
    """Last month's cycle, fully signed off through the store by its owners, approving a
    plan made 3 months before this month's plan starts (with 10 % more demand, so that its
    figures differ from this plan's): those 3 months are this month's sheet's past
    months. Returns the months that plan covers."""
    spaces = Workspaces(store)
    seed_sample(Workbench(store))  # the sample company, as the app's first visit makes it
    scenario = spaces.state(COMPANY).scenario()
    start = pd.Period(scenario.period_labels[0], "M") - 3
    months = [str(start + k) for k in range(scenario.horizon)]
    last = scenario.model_copy(
        update={
            "name": LAST,
            "periods": months,
            "families": [
                f.model_copy(update={"demand": [round(d * 1.1) for d in f.demand]})
                for f in scenario.families
            ],
        }
    )
    store.save(last, author=SAM, workspace_id=spaces.id_of(COMPANY), **solved_fields(solve(last)))
    owners = {"data": ANA, "demand": ANA, "supply": SAM, "finance": FAY, "executive": EVE}
    complete_cycle(
        store, COMPANY, previous_month(month), recommended=[LAST], approve=LAST, authors=owners
    )
    return months


def test_a_cycle_is_signed_off_step_by_step_by_its_owners(team_server, browser):
    base, db = team_server
    store = Store(db)
    cycles = Cycles(store)
    month = month_of()
    plan_months = seed_last_months_cycle(store, month)

    # the demand planner sees on the home page that the cycle waits, and starts it
    ana = sign_in(browser, base, "ana@acme.example")
    ana.get_by_text(f"The {month} S&OP cycle has not started").first.wait_for(timeout=TIMEOUT_MS)
    ana.get_by_role("link", name="Start it on the Cycle page").click()
    ana.get_by_text("Monthly S&OP cycle").first.wait_for(timeout=TIMEOUT_MS)
    click(ana, f"Start the {month} cycle")
    ana.get_by_text("Waiting for you").first.wait_for(timeout=TIMEOUT_MS)
    # the family S&OP sheet: last month's plan against what was sold, in the past months
    ana.get_by_text("the plans earlier cycles approved").first.wait_for(timeout=TIMEOUT_MS)
    ana.get_by_text("Family S&OP sheet").first.scroll_into_view_if_needed()
    sheet = grid_tables(ana, must_have="Actual sales")[0]
    past = plan_months[:3]
    spaces = Workspaces(store)
    ws = spaces.state(COMPANY)
    family = ws.scenario().families[0].name  # the sheet's first family
    last_plan = solve(store.open(LAST, 1).scenario).families.set_index(["family", "period"])
    history = ws.planned_history(spaces.history(int(ws.history_upload["upload_id"])))
    sales = monthly_sales(history).set_index(["family", "period"])["sales"]
    for period in past:  # the sheet shows whole units: within rounding of the plan's
        assert number(sheet.loc["Forecast", period]) == pytest.approx(
            last_plan.loc[(family, period), "demand"], abs=0.5
        )
        assert number(sheet.loc["Production plan", period]) == pytest.approx(
            last_plan.loc[(family, period), "production"], abs=0.5
        )
        assert number(sheet.loc["Actual sales", period]) == pytest.approx(
            sales[(family, period)], abs=0.5
        )
    # not hers: the supply review is locked, and says who may
    assert ana.get_by_role("button", name="Sign off supply review").is_disabled()
    ana.get_by_text("Only a supply planner may sign off the supply review").first.wait_for(
        timeout=TIMEOUT_MS
    )
    # … with the family's chart above it and the statement that the plan adds up
    assert ana.get_by_text(re.compile(r"It adds up over the \d+ months: production")).count()
    assert ana.locator("[data-testid='stVegaLiteChart']").count() >= 1
    click(ana, "Sign off data gathering")
    until(lambda: cycles.get(COMPANY, month).step("data").signed_off, "data gathering")
    # the sign-off is confirmed where its button was, the next step a link to its page
    ana.get_by_text("Signed off: data gathering.").first.wait_for(timeout=TIMEOUT_MS)
    following = ana.get_by_role("link", name="Next: the demand review on the Demand page")
    assert following.get_attribute("href") == "demand"  # the Demand page's path
    ana.get_by_role("button", name="Sign off demand review", disabled=False).wait_for(
        timeout=TIMEOUT_MS
    )
    click(ana, "Sign off demand review")
    until(lambda: cycles.get(COMPANY, month).step("demand").signed_off, "the demand review")
    ana.get_by_text("Forecasts frozen at the sign-off").first.wait_for(timeout=TIMEOUT_MS)
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
    open_page(sam, base + "/cycle", "Monthly S&OP cycle")
    sam.get_by_text("Waiting for you").first.wait_for(timeout=TIMEOUT_MS)
    for option in ("Level v1", "Chase v1"):
        sam.get_by_label("Recommended scenario versions").click()
        sam.get_by_role("option", name=option).click()
        wait_idle(sam)
    sam.keyboard.press("Escape")
    click(sam, "Sign off supply review")
    until(lambda: cycles.get(COMPANY, month).recommended, "the recommendation")
    assert cycles.get(COMPANY, month).recommended == [("Level", 1), ("Chase", 1)]
    sam.context.close()

    # finance reconciles
    fay = sign_in(browser, base, "fay@acme.example")
    open_page(fay, base + "/cycle", "Monthly S&OP cycle")
    fay.get_by_text("Waiting for you").first.wait_for(timeout=TIMEOUT_MS)
    click(fay, "Sign off pre-meeting / financial reconciliation")
    until(lambda: cycles.get(COMPANY, month).step("finance").signed_off, "finance")
    fay.context.close()

    # the executive approves one of the two
    eve = sign_in(browser, base, "eve@acme.example", downloads=True)
    open_page(eve, base + "/cycle", "Monthly S&OP cycle")
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
    pdf = Path(download.value.path()).read_bytes()
    reader = PdfReader(download.value.path())
    sections = pack_sections(pdf)
    assert f"{month} cycle: S&OP meeting pack" in reader.pages[0].extract_text()
    for title in ("The decision", "Demand and supply", "Scenarios compared", "Exceptions"):
        assert title in sections, (title, list(sections))
    # page 1 names the decision and the plans compared
    page, decision = sections["The decision"]
    assert page == 0 and "Decision taken: Chase v1 is approved" in decision
    assert "Chase v1 (approved)" in decision and "Level v1" in decision
    assert "Level v1" in sections["Scenarios compared"][1]
    # every family on a page of its own, its chart on top, and its rows add up
    families = [t for t in sections if t.startswith("Family S&OP sheet: ")]
    assert families
    for title in families:
        page, text = sections[title]
        assert reader.pages[page].extract_text().startswith(title)
        assert len(reader.pages[page].images) == 1, title
        assert re.search(r"It adds up over the \d+ months: production", " ".join(text.split()))
    shoot_pdf_page(download.value.path(), 0, "pack")  # the README's: page 1, the decision
    shoot_pdf_page(download.value.path(), sections[families[0]][0], "pack_family")
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
    assert list(trail.loc[trail["object_key"] == month, "action"]).count("sign off") == 5
    store.close()
