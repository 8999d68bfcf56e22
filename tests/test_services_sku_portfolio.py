"""sop_core.services.portfolio, for SKUs: a product developer launches an SKU inside a
family or phases one out; each is one checked, audited action with its assumptions in
the cycle's log, and the plan (the real solver) and the weekly schedule follow it.

Acme (``factories.seed_acme``): Pumps, consensus 20, 10, 10 over January to March 2027;
its stored history sells P-6 6 a month and P-4 4, so the schedule splits the plan
0.6 / 0.4: P-6 12, 6, 6 and P-4 8, 4, 4.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from factories import seed_acme

from sop_core.base.access import Actor, PermissionDenied
from sop_core.base.errors import InputError
from sop_core.services import companies, cycles, demand, exports, plans, portfolio
from sop_core.services.workbench import Workbench, connect

PAT = Actor("Pat", "pat@acme.example", frozenset({"product_developer"}), signed_in=True)
ANA = Actor("Ana", "ana@acme.example", frozenset({"demand_planner"}), signed_in=True)
TODAY = date(2027, 1, 10)


@pytest.fixture
def wb(tmp_path: Path) -> Iterator[Workbench]:
    with connect(f"sqlite:///{tmp_path / 'store.sqlite'}") as opened:
        seed_acme(opened, approve=False)
        cycles.start_cycle(opened, "Acme", "2027-01", author=ANA)
        yield opened


def _pumps(wb: Workbench) -> dict:
    state = companies.company_state(wb, "Acme")
    return state.value("family", state.family_key("Pumps")) or {}


def _planned(wb: Workbench) -> list[float]:
    fam = plans.company_plan(wb, "Acme").result.families
    return [round(v, 9) for v in fam["demand"].tolist()]


def _launch(wb: Workbench, **kwargs: object) -> portfolio.PortfolioChange:
    args = {"start": "2027-02", "like": "P-6", "factor": 0.5, "ramp_months": 2}
    args.update(kwargs)
    return portfolio.add_sku_launch(
        wb, "Acme", "Pumps", str(args.pop("sku", "P-9")), author=PAT, today=TODAY, **args
    )  # type: ignore[arg-type]


def test_an_sku_launch_is_the_like_skus_demand_scaled_and_ramped(wb: Workbench) -> None:
    change = _launch(wb, cannibalise="P-4", cannibalise_share=0.5)
    # P-6's 12, 6, 6 × 0.5 × (0, ½, 1)
    assert _pumps(wb)["sku_launches"][0]["demand"] == [0.0, 1.5, 3.0]
    assert change.said == (
        "P-9 (Pumps) sells from 2027-02 like P-6, × 0.5, full demand after 2 months; "
        "50.0% of it taken from P-4"
    )
    log = cycles.cycle_of(wb, "Acme", "2027-01").log
    assert [e.text for e in log] == [f"SKU launch: {change.said}."]
    assert log[0].owner == "Pat" and log[0].family == "Pumps"
    row = portfolio.portfolio(wb, "Acme").iloc[0].tolist()
    assert row == ["SKU launch", "Pumps", "from 2027-02", change.said]
    # the plan meets the launch's demand less the half P-4 gives: 10 + 0.75, 10 + 1.5
    assert _planned(wb) == [20.0, 10.75, 11.5]


def test_the_weekly_schedule_makes_the_new_sku(wb: Workbench) -> None:
    _launch(wb, volume=9, factor=None)  # its first 12 months: the 2 the plan holds carry 9 × 2 / 12
    rows = exports.schedule_rows(wb, "Acme", approved=False).schedule
    assert rows is not None
    new = rows.weeks[rows.weeks["sku"] == "P-9"]
    assert new["demand"].sum() == pytest.approx(1.5)
    assert new.loc[new["week"] < "2027-02-01", "made"].sum() == 0


def test_an_sku_phase_out_ends_its_demand_and_the_schedule_its_making(wb: Workbench) -> None:
    change = portfolio.set_sku_phase_out(
        wb, "Acme", "Pumps", "P-4", end_period="2027-02", last_time_buy=2,
        author=PAT, today=TODAY,
    )  # fmt: skip
    assert change.said == "P-4 (Pumps) ends after 2027-02 with 2 units in stock"
    assert _pumps(wb)["sku_phase_outs"][0]["demand"] == [8.0, 4.0, 4.0]
    # February makes the last-time buy; March loses P-4's 4
    assert _planned(wb) == [20.0, 12.0, 6.0]
    made = exports.schedule_rows(wb, "Acme", approved=False).schedule
    assert made is not None
    p4 = made.weeks[made.weeks["sku"] == "P-4"]
    assert p4.loc[p4["week"] >= "2027-03-01", "made"].abs().max() < 1e-9
    assert any(n.startswith("P-4 is phased out after 2027-02") for n in made.notes)
    # moved to March, with P-6 taking its demand: the family keeps it
    portfolio.set_sku_phase_out(
        wb, "Acme", "Pumps", "P-4", end_period="2027-02", replacement="P-6", author=PAT
    )
    assert _planned(wb) == [20.0, 10.0, 10.0]
    assert len(_pumps(wb)["sku_phase_outs"]) == 1


def test_taken_back_the_plan_is_as_before(wb: Workbench) -> None:
    _launch(wb)
    portfolio.set_sku_phase_out(wb, "Acme", "Pumps", "P-4", end_period="2027-02", author=PAT)
    portfolio.remove_sku_launch(wb, "Acme", "Pumps", "P-9", author=PAT)
    portfolio.clear_sku_phase_out(wb, "Acme", "Pumps", "P-4", author=PAT)
    assert _planned(wb) == [20.0, 10.0, 10.0]
    assert portfolio.portfolio(wb, "Acme").empty


def test_only_product_development_may(wb: Workbench) -> None:
    with pytest.raises(PermissionDenied):
        portfolio.add_sku_launch(
            wb, "Acme", "Pumps", "P-9", start="2027-02", like="P-6", factor=1, author=ANA
        )
    with pytest.raises(PermissionDenied):
        portfolio.set_sku_phase_out(wb, "Acme", "Pumps", "P-4", end_period="2027-02", author=ANA)
    assert not _pumps(wb).get("sku_launches")


@pytest.mark.parametrize(
    ("kwargs", "says"),
    [
        ({"like": "P-7"}, "Sells like SKU: 'P-7' is not an SKU of Pumps (its SKUs: P-4, P-6)"),
        ({"sku": "P-6"}, "New SKU: 'P-6' is an SKU of Pumps already; type the new SKU's code"),
        ({"sku": " "}, "New SKU: the new SKU's code is blank"),
        ({"start": "2028-01"}, "Launch period: '2028-01' is not a period of the plan"),
        ({"factor": None}, "First 12 months: give the units of its first 12 months or a factor"),
        ({"cannibalise": "P-4", "cannibalise_share": 2}, "Share taken: "),
    ],
)
def test_a_bad_sku_launch_names_the_field_the_value_and_the_fix(
    wb: Workbench, kwargs: dict, says: str
) -> None:
    with pytest.raises(InputError) as err:
        _launch(wb, **kwargs)
    assert says in str(err.value)
    assert not _pumps(wb).get("sku_launches")


def test_without_an_sku_history_it_says_what_to_upload(tmp_path: Path) -> None:
    with connect(f"sqlite:///{tmp_path / 'bare.sqlite'}") as bare:
        seed_acme(bare, approve=False, history=False)
        with pytest.raises(InputError, match="Acme has no sales history by SKU; upload one"):
            portfolio.set_sku_phase_out(
                bare, "Acme", "Pumps", "P-4", end_period="2027-02", author=PAT
            )
        with pytest.raises(InputError, match="New SKU: 'P-8' has no launch in Pumps"):
            portfolio.remove_sku_launch(bare, "Acme", "Pumps", "P-8", author=PAT)
        with pytest.raises(InputError, match="SKU: 'P-8' has no phase-out in Pumps"):
            portfolio.clear_sku_phase_out(bare, "Acme", "Pumps", "P-8", author=PAT)


def _hand_over(wb: Workbench, months: list[str]) -> None:
    consensus = pd.DataFrame([{"family": "Pumps", "period": p, "forecast": 10.0} for p in months])
    demand.hand_over(wb, "Acme", consensus, author="ann", model="auto", history_name="x.csv")


def test_sku_launches_and_phase_outs_follow_a_rolled_horizon(wb: Workbench) -> None:
    _launch(wb)  # P-9: 0, 1.5, 3 over January to March
    portfolio.set_sku_phase_out(wb, "Acme", "Pumps", "P-4", end_period="2027-02", author=PAT)
    # next month's consensus: February to April, 10 a month
    _hand_over(wb, ["2027-02", "2027-03", "2027-04"])
    pumps = _pumps(wb)
    assert pumps["sku_launches"][0]["demand"] == [1.5, 3.0, 3.0]  # April: as in March
    assert pumps["sku_phase_outs"][0]["demand"] == [4.0, 4.0, 4.0]
    assert _planned(wb) == [11.5, 9.0, 9.0]  # 10 + P-9's, less P-4's 4 after February
    # and the month after: P-4 ended before the horizon; it is made in no week
    _hand_over(wb, ["2027-03", "2027-04", "2027-05"])
    assert _planned(wb) == [9.0, 9.0, 9.0]
    made = exports.schedule_rows(wb, "Acme", approved=False).schedule
    assert made is not None
    p4 = made.weeks[made.weeks["sku"] == "P-4"]
    assert len(p4) and p4["made"].abs().max() < 1e-9
    sold = made.weeks.groupby("sku")["demand"].sum().to_dict()
    assert sold == pytest.approx({"P-6": 18.0, "P-9": 9.0, "P-4": 0.0})
