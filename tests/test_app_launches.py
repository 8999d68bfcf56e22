"""AppTest of the Launches and phase-outs page on the sample company: a product developer
adds a launch, the demand planner sees it in the demand review (Demand and Cycle pages)
and may not change it, and the plan makes it. At SKU level, on Acme
(``factories.seed_acme``, tests/test_services_sku_portfolio.py's hand case: the schedule
splits Pumps' plan 20, 10, 10 over P-6 12, 6, 6 and P-4 8, 4, 4): an SKU launch, an SKU
phase-out, each taken back, and a company without a history by SKU."""

from __future__ import annotations

import os

import pytest
from apptests import open_app_page, sentences_problems, shown, what_people_should_not_see
from factories import seed_acme
from streamlit.testing.v1 import AppTest

import pages._access
import pages._workspace
from sop_core.base.access import Actor
from sop_core.base.fields import header, label
from sop_core.process.cycle import month_of
from sop_core.services import companies, cycles, plans
from sop_core.services.workbench import connect

PAGE = "pages/launches.py"
COMPANY = "Sample company"
PAT = Actor("Pat", "pat@acme.example", frozenset({"product_developer"}), signed_in=True)
ANA = Actor("Ana", "ana@acme.example", frozenset({"demand_planner"}), signed_in=True)


@pytest.fixture(autouse=True)
def _tmp_store(tmp_path, monkeypatch):
    monkeypatch.setenv("SOP_DATABASE_URL", f"sqlite:///{tmp_path / 'store.sqlite'}")


def acting(monkeypatch: pytest.MonkeyPatch, actor: Actor) -> None:
    """The app's person is ``actor`` (as a sign-in with that person's roles would make it)."""
    monkeypatch.setattr(pages._access, "current_actor", lambda: actor)
    monkeypatch.setattr(pages._workspace, "current_actor", lambda: actor)


def rerun(at: AppTest) -> AppTest:
    at = at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def button(at: AppTest, text: str):
    return next(b for b in at.button if b.label == text)


def add_trail_tools(at: AppTest) -> AppTest:
    at.text_input(key="launch_name").input("Trail Tools")
    at.selectbox(key="launch_start").select("2027-03")
    at.selectbox(key="launch_like").select("Hand Tools")
    at.radio(key="launch_size").set_value("factor")
    at.number_input(key="launch_amount").set_value(0.5)
    at.number_input(key="launch_ramp").set_value(3)
    at.selectbox(key="launch_takes").select("Hand Tools")
    at.number_input(key="launch_share").set_value(20.0)
    return rerun(button(at, "Add the launch").click())


def test_product_development_adds_a_launch_the_review_lists_it_and_the_plan_makes_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    acting(monkeypatch, PAT)
    at = open_app_page(PAGE, run_entry_first=True)
    with connect(os.environ["SOP_DATABASE_URL"]) as wb:  # this month's cycle is under way
        cycles.start_cycle(wb, COMPANY, month_of(), author="Ana")
    assert "No launch or phase-out yet." in [c.value for c in at.caption]
    at = add_trail_tools(at)
    listed = at.dataframe[0].value  # (the flash is drawn by app.py, which AppTest skips)
    assert listed[header("portfolio.family")].tolist() == ["Trail Tools"]
    assert listed[header("portfolio.what")].tolist() == [
        "Trail Tools sells from 2027-03 like Hand Tools, × 0.5, full demand after 3 months; "
        "20.0% of it taken from Hand Tools"
    ]
    planned = next(d.value for d in at.dataframe if header("production") in d.value.columns)
    trail = planned[planned[label("family")] == "Trail Tools"]
    assert trail[header("production")].sum() + trail[header("subcontract")].sum() > 0
    effects = next(
        d.value for d in at.dataframe if header("portfolio.change") in d.value.columns
    )  # cannibalisation: a fifth of the launch's demand comes out of Hand Tools'
    assert set(effects[label("family")]) == {"Hand Tools"}
    assert effects[header("portfolio.change")].sum() == pytest.approx(
        -0.2 * trail[header("demand")].sum()
    )
    assert what_people_should_not_see(at) == []

    with connect(os.environ["SOP_DATABASE_URL"]) as wb:  # the store holds it, and plans it
        state = companies.company_state(wb, COMPANY)
        launch = state.value("family", state.family_key("Trail Tools"))["launch"]
        assert launch["like"] == "Hand Tools" and launch["cannibalise_share"] == 0.2
        fam = plans.company_plan(wb, COMPANY).result.families
        made = fam[fam["family"] == "Trail Tools"][["production", "subcontract"]].to_numpy()
        assert made.sum() > 0
        log = cycles.cycle_of(wb, COMPANY, month_of()).log
        assert [(e.kind, e.owner, e.family) for e in log] == [("assumption", "Pat", "Trail Tools")]
        assert log[0].text.startswith("Launch: Trail Tools sells from 2027-03 like Hand Tools")

    acting(monkeypatch, ANA)  # the demand planner: sees it, may not change it
    at = open_app_page(PAGE)
    add = button(at, "Add the launch")
    assert add.disabled
    assert "Only a product developer may add, change and remove launches and phase-outs" in (
        add.help or ""
    )
    demand = open_app_page("pages/demand.py", timeout=180, demand_model="naive")
    assert "Trail Tools" in demand.selectbox(key="demand_family").options
    review = [d.value for d in demand.dataframe if header("portfolio.what") in d.value.columns]
    assert review and review[0][header("portfolio.family")].tolist() == ["Trail Tools"]
    demand.selectbox(key="demand_family").select("Trail Tools")
    demand = rerun(demand)
    fc = next(d.value for d in demand.dataframe if label("upper") in d.value.columns)
    assert fc[label("forecast")].iloc[:4].tolist() == [0, 0, 0, 0]  # Nov–Feb: before March
    assert fc[label("forecast")].iloc[4] > 0
    cycle = open_app_page("pages/cycle.py")  # the demand review step lists it
    assert "Launches and phase-outs in this review:" in [c.value for c in cycle.caption]
    listed = [d.value for d in cycle.dataframe if header("portfolio.what") in d.value.columns]
    assert listed[0][header("portfolio.family")].tolist() == ["Trail Tools"]
    assert what_people_should_not_see(cycle) == []


def test_bad_ramp_up_shares_are_named_and_nothing_is_added(monkeypatch: pytest.MonkeyPatch):
    acting(monkeypatch, PAT)
    at = open_app_page(PAGE, run_entry_first=True)
    at.text_input(key="launch_name").input("Trail Tools")
    at.number_input(key="launch_amount").set_value(1000.0)
    at.text_input(key="launch_shares").input("20%, half")
    at = rerun(button(at, "Add the launch").click())
    said = " ".join(shown(e.value) for e in at.error)
    assert (
        "Ramp-up shares" in said and "'half' is not a share; give e.g. 0.2,0.5 or 20%,50%" in said
    )
    assert "No launch or phase-out yet." in [c.value for c in at.caption]


def test_a_refused_launch_is_said_beside_the_form_at_once(monkeypatch: pytest.MonkeyPatch):
    acting(monkeypatch, PAT)
    at = open_app_page(PAGE, run_entry_first=True)
    at.text_input(key="launch_name").input("Hand Tools")  # a family already
    at.number_input(key="launch_amount").set_value(1000.0)
    at = rerun(button(at, "Add the launch").click())
    said = " ".join(shown(e.value) for e in at.error)
    assert "'Hand Tools' is a family of Sample company already; pick another" in said


def test_the_capacity_page_does_not_remove_a_family_a_launch_sells_like():
    open_app_page(PAGE, run_entry_first=True)  # the sample company, seeded
    with connect(os.environ["SOP_DATABASE_URL"]) as wb:
        from sop_core.services import portfolio

        portfolio.add_launch(
            wb, COMPANY, "Trail Tools", start="2027-03", like="Hand Tools", factor=1, author=PAT
        )
    at = open_app_page("pages/capacity.py")
    at.selectbox(key="cap_remove_family").select("Hand Tools")
    at = rerun(at)
    assert at.button(key="cap_remove_go").disabled
    assert any(
        "The launch Trail Tools sells like it; change or remove that first" in shown(c.value)
        for c in at.caption
    )


# --------------------------------------------------------------------------- SKU level


def open_sku_level(monkeypatch: pytest.MonkeyPatch, actor: Actor, *, seed: bool = True, **kw):
    """The page on Acme at SKU level, as ``actor``; ``seed``: Acme seeded first (``kw`` to
    :func:`factories.seed_acme`) with this month's cycle under way."""
    acting(monkeypatch, actor)
    if seed:
        with connect(os.environ["SOP_DATABASE_URL"]) as wb:
            seed_acme(wb, approve=False, **kw)
            cycles.start_cycle(wb, "Acme", month_of(), author="Ana")
    at = open_app_page(PAGE, company="Acme")
    at.button_group(key="portfolio_level").set_value("SKU")
    return rerun(at)


def pumps() -> dict:
    with connect(os.environ["SOP_DATABASE_URL"]) as wb:
        state = companies.company_state(wb, "Acme")
        return state.value("family", state.family_key("Pumps")) or {}


def sku_rows(at: AppTest) -> dict[str, list[str]]:
    """The SKU launches' and phase-outs' demand by period, per SKU, as shown."""
    table = next(d.value for d in at.dataframe if label("sku_phase_out.sku") in d.value.columns)
    periods = ["2027-01", "2027-02", "2027-03"]
    return {r[label("sku_phase_out.sku")]: [r[p] for p in periods] for _, r in table.iterrows()}


def said_on(at: AppTest) -> list[str]:
    return [shown(e.value) for kind in ("success", "info", "error") for e in at.get(kind)]


def test_product_development_launches_an_sku_sees_its_demand_and_takes_it_back(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    at = open_sku_level(monkeypatch, PAT)
    assert at.selectbox(key="sku_family").options == ["Pumps"]
    assert at.selectbox(key="sku_like").options == ["P-4", "P-6"]
    at.text_input(key="sku_code").input("P-9")
    at.selectbox(key="sku_start").select("2027-02")
    at.selectbox(key="sku_like").select("P-6")
    at.radio(key="sku_size").set_value("factor")
    at.number_input(key="sku_amount").set_value(0.5)
    at.number_input(key="sku_ramp").set_value(2)
    at = rerun(button(at, "Add the SKU launch").click())

    words = "P-9 (Pumps) sells from 2027-02 like P-6, × 0.5, full demand after 2 months"
    assert f"Added the SKU launch: {words}. Its assumptions are in this month's cycle log." in (
        said_on(at)
    )
    listed = at.dataframe[0].value
    assert listed.values.tolist() == [["SKU launch", "Pumps", "from 2027-02", words]]
    # P-6's 12, 6, 6 × 0.5 × ramp (0, ½, 1): 0, 1.5, 3, shown as whole units
    assert sku_rows(at) == {"P-9": ["0", "2", "3"]}
    assert at.button_group(key="portfolio_level").value == "SKU"  # still at SKU level
    assert what_people_should_not_see(at) == []
    assert sentences_problems(said_on(at) + [c.value for c in at.caption], PAGE) == []
    launched = pumps()["sku_launches"]
    assert [(s["sku"], s["like"], s["factor"], s["demand"]) for s in launched] == [
        ("P-9", "P-6", 0.5, [0.0, 1.5, 3.0])
    ]
    with connect(os.environ["SOP_DATABASE_URL"]) as wb:
        log = cycles.cycle_of(wb, "Acme", month_of()).log
        assert [(e.owner, e.family, e.text) for e in log] == [
            ("Pat", "Pumps", f"SKU launch: {words}.")
        ]

    at = rerun(button(at, "Take back the launch of P-9").click())
    assert "Took back the launch of P-9 (Pumps)." in said_on(at)
    assert "No SKU launch or phase-out yet." in [c.value for c in at.caption]
    assert not pumps().get("sku_launches")


def test_an_sku_phase_out_only_product_development_may_set_or_take_back(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    at = open_sku_level(monkeypatch, PAT)
    at.selectbox(key="sku_end_sku").select("P-4")
    at.selectbox(key="sku_end").select("2027-02")
    at.number_input(key="sku_ltb").set_value(2.0)
    at = rerun(button(at, "Set the SKU phase-out").click())

    words = "P-4 (Pumps) ends after 2027-02 with 2 units in stock"
    assert f"SKU phase-out set: {words}. Its assumptions are in this month's cycle log." in (
        said_on(at)
    )
    assert at.dataframe[0].value.values.tolist() == [
        ["SKU phase-out", "Pumps", "until 2027-02", words]
    ]
    assert sku_rows(at) == {"P-4": ["", "", "4"]}  # P-4's March 4 ends
    assert what_people_should_not_see(at) == []
    ended = pumps()["sku_phase_outs"]
    assert [(s["sku"], s["end_period"], s["last_time_buy"], s["replacement"]) for s in ended] == [
        ("P-4", "2027-02", 2.0, None)
    ]

    ana = open_sku_level(monkeypatch, ANA, seed=False)  # the demand planner: may not change it
    for text in ("Add the SKU launch", "Set the SKU phase-out", "Take back the phase-out of P-4"):
        assert button(ana, text).disabled, text
    assert "Only a product developer may add, change and remove launches and phase-outs" in (
        button(ana, "Take back the phase-out of P-4").help or ""
    )

    at = open_sku_level(monkeypatch, PAT, seed=False)
    at = rerun(button(at, "Take back the phase-out of P-4").click())
    assert "Took back the phase-out of P-4 (Pumps)." in said_on(at)
    assert not pumps().get("sku_phase_outs")


def test_without_a_history_by_sku_the_page_says_what_to_upload_and_where(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    at = open_sku_level(monkeypatch, PAT, history=False)
    assert (
        "Acme has no sales history by SKU; upload one with a sku column (period, family, sku, "
        "demand) on the Demand page first" in said_on(at)
    )
    links = [e.proto for e in at.get("page_link")]
    assert [(link.label, link.page) for link in links] == [
        ("Upload a sales history on the Demand page", "demand")
    ]
    assert not [b for b in at.button if "SKU" in str(b.label)]
    assert "No SKU launch or phase-out yet." in [c.value for c in at.caption]
