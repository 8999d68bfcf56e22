"""sop_core.services.portfolio: a product developer's launches and phase-outs, each one
checked, audited, undoable action, with their assumptions in the cycle's log; the plan
(the real solver) makes the launch and stops the phase-out."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from factories import red_tomato_dict

from sop_core.base.access import Actor, PermissionDenied
from sop_core.base.errors import InputError
from sop_core.model.scenario import parse_scenario
from sop_core.services import audit, companies, cycles, demand, plans, portfolio
from sop_core.services.workbench import Workbench, connect

PERIODS = [f"2027-{m:02d}" for m in range(1, 7)]
PAT = Actor("Pat", "pat@acme.example", frozenset({"product_developer"}), signed_in=True)
ANA = Actor("Ana", "ana@acme.example", frozenset({"demand_planner"}), signed_in=True)
TODAY = date(2027, 1, 10)


@pytest.fixture
def wb(tmp_path: Path) -> Iterator[Workbench]:
    """Acme: Red Tomato's Garden tools plus Hand tools (300 a month), Jan–Jun 2027,
    with the January cycle started."""
    data = red_tomato_dict()
    data["periods"] = PERIODS
    hand = {**data["families"][0], "name": "Hand tools", "demand": [300.0] * 6}
    data["families"].append(hand)
    with connect(f"sqlite:///{tmp_path / 'store.sqlite'}") as opened:
        companies.start_company(opened, "Acme", author="ann", copy_of=parse_scenario(data))
        cycles.start_cycle(opened, "Acme", "2027-01", author=ANA)
        yield opened


def _family(wb: Workbench, name: str) -> dict:
    state = companies.company_state(wb, "Acme")
    return state.value("family", state.family_key(name)) or {}


def test_a_launch_is_the_like_familys_demand_scaled_and_ramped(wb: Workbench) -> None:
    change = portfolio.add_launch(
        wb, "Acme", "Trail tools", start="2027-03", like="Hand tools", factor=0.5,
        ramp_months=2, author=PAT, today=TODAY,
    )  # fmt: skip
    # 300 × 0.5 × (1/2, 1, 1, 1) from March
    assert _family(wb, "Trail tools")["demand"] == [0, 0, 75, 150, 150, 150]
    assert _family(wb, "Trail tools")["labor_hours_per_unit"] == 4  # like Hand tools'
    assert _family(wb, "Trail tools")["needs_review"] is True
    assert change.said == (
        "Trail tools sells from 2027-03 like Hand tools, × 0.5, full demand after 2 months"
    )
    log = cycles.cycle_of(wb, "Acme", "2027-01").log
    assert [e.text for e in log] == [f"Launch: {change.said}."]
    assert log[0].owner == "Pat" and log[0].family == "Trail tools"
    table = portfolio.portfolio(wb, "Acme")
    assert table.iloc[0].tolist() == ["Launch", "Trail tools", "from 2027-03", change.said]


def test_a_launch_by_volume_sums_to_it_over_the_months_the_plan_holds(wb: Workbench) -> None:
    portfolio.add_launch(
        wb, "Acme", "Trail tools", start="2027-03", like="Garden tools", volume=12000,
        author=PAT, today=TODAY,
    )  # fmt: skip
    demand = _family(wb, "Trail tools")["demand"]
    # 4 of its first 12 months are in the plan: 4,000 units shaped like Garden tools
    # (3200, 3800, 2200, 2200 → ×4000/11400)
    assert sum(demand) == pytest.approx(4000)
    assert demand[2] == pytest.approx(3200 * 4000 / 11400, abs=1e-5)


def test_cannibalisation_takes_units_from_the_other_family_in_the_plan(wb: Workbench) -> None:
    portfolio.add_launch(
        wb, "Acme", "Trail tools", start="2027-03", like="Hand tools", factor=1,
        cannibalise="Hand tools", cannibalise_share=0.4, author=PAT, today=TODAY,
    )  # fmt: skip
    effects = portfolio.portfolio_effects(wb, "Acme")
    hand = effects[effects["family"] == "Hand tools"]
    assert hand["period"].tolist() == PERIODS[2:]
    assert hand["change"].tolist() == pytest.approx([-120] * 4)  # 40% of 300
    assert hand["planned"].tolist() == pytest.approx([180] * 4)


def test_the_plan_makes_the_launch_and_stops_the_phase_out(wb: Workbench) -> None:
    portfolio.add_launch(
        wb, "Acme", "Trail tools", start="2027-03", like="Hand tools", factor=1,
        author=PAT, today=TODAY,
    )  # fmt: skip
    portfolio.set_phase_out(
        wb, "Acme", "Hand tools", end_period="2027-04", last_time_buy=50,
        replacement="Trail tools", author=PAT, today=TODAY,
    )  # fmt: skip
    plan = plans.company_plan(wb, "Acme").result
    fam = plan.families
    trail = fam[fam["family"] == "Trail tools"]
    hand = fam[fam["family"] == "Hand tools"]
    assert plan.optimal
    assert trail["production"].sum() + trail["subcontract"].sum() == pytest.approx(
        300 * 2 + 600 * 2 + 500, abs=1e-6
    )  # its own 300 from March, Hand tools' 300 on top after April, and the ending
    # stock of 500 it has like Hand tools (Red Tomato's); it starts with none
    assert hand["production"].tolist()[4:] == [0, 0]
    assert hand["inventory"].tolist()[3:] == pytest.approx([50, 50, 50])
    assert hand["demand"].tolist()[4:] == [0, 0]


def test_only_product_development_may_and_nothing_is_saved(wb: Workbench) -> None:
    with pytest.raises(PermissionDenied, match="Only a product developer may add, change"):
        portfolio.add_launch(
            wb, "Acme", "X", start="2027-03", like="Hand tools", factor=1, author=ANA
        )
    with pytest.raises(PermissionDenied):
        portfolio.set_phase_out(wb, "Acme", "Hand tools", end_period="2027-03", author=ANA)
    assert "X" not in companies.company_state(wb, "Acme").family_names


@pytest.mark.parametrize(
    ("kwargs", "says"),
    [
        ({"start": "2028-01"}, "Launch period: '2028-01' is not a period of the plan; pick one"),
        ({"like": "Nope"}, "Sells like: 'Nope' is not a family (families: Garden tools"),
        ({"factor": None}, "First 12 months: give the units of its first 12 months or a factor"),
        ({"cannibalise_share": 1.5, "cannibalise": "Hand tools"}, "Share taken: "),
        ({"name": "Hand tools"}, "'Hand tools' is a family of Acme already; pick another"),
    ],
)
def test_a_bad_launch_names_the_field_the_value_and_the_fix(
    wb: Workbench, kwargs: dict, says: str
) -> None:
    args = {"name": "Trail tools", "start": "2027-03", "like": "Hand tools", "factor": 1.0}
    args.update(kwargs)
    with pytest.raises(InputError) as err:
        portfolio.add_launch(wb, "Acme", args.pop("name"), author=PAT, **args)
    assert says in str(err.value)


def test_audited_and_undone_like_any_edit(wb: Workbench) -> None:
    rows = len(audit.audit_trail(wb, company="Acme"))
    portfolio.set_phase_out(wb, "Acme", "Hand tools", end_period="2027-05", author=PAT)
    assert len(audit.audit_trail(wb, company="Acme")) == rows + 1
    assert _family(wb, "Hand tools")["phase_out"]["end_period"] == "2027-05"
    portfolio.set_phase_out(wb, "Acme", "Hand tools", end_period="2027-02", author=PAT)
    companies.undo_last(wb, "Acme", author=PAT)
    assert _family(wb, "Hand tools")["phase_out"]["end_period"] == "2027-05"
    portfolio.clear_phase_out(wb, "Acme", "Hand tools", author=PAT)
    assert _family(wb, "Hand tools")["phase_out"] is None
    change = portfolio.add_launch(
        wb,
        "Acme",
        "Trail tools",
        start="2027-03",
        like="Hand tools",
        factor=1,
        author=PAT,
        today=TODAY,
    )
    assert change.assumption is not None
    portfolio.remove_launch(wb, "Acme", "Trail tools", author=PAT)
    assert "Trail tools" not in companies.company_state(wb, "Acme").family_names
    with pytest.raises(InputError, match="'Hand tools' is not a launch"):
        portfolio.remove_launch(wb, "Acme", "Hand tools", author=PAT)


def test_a_launch_enters_the_consensus_like_any_family(wb: Workbench) -> None:
    """Hand tools sold 10 × the month's number in 2025 and 2026; the seasonal naive
    forecast repeats 2026 (10, 20, … 60 for Jan–Jun 2027); the launch is half of it
    from March, and a +10 % adjustment on it is applied at the hand-over."""
    from sop_core.process.workspace import suggest_mapping
    from sop_core.services import consensus, history

    rows = [
        {"period": f"{y}-{m:02d}", "family": f, "demand": v}
        for y in (2025, 2026)
        for m in range(1, 13)
        for f, v in (("Garden tools", 100 * m), ("Hand tools", 10 * m))
    ]
    frame = pd.DataFrame(rows).assign(period=lambda d: pd.to_datetime(d["period"]))
    state = companies.company_state(wb, "Acme")
    mapping = suggest_mapping(["Garden tools", "Hand tools"], state)
    history.upload_history(wb, "Acme", frame, "sales.csv", mapping, author="ann")
    portfolio.add_launch(
        wb, "Acme", "Trail tools", start="2027-03", like="Hand tools", factor=0.5,
        author=PAT, today=TODAY,
    )  # fmt: skip
    consensus.add_adjustment(wb, "Acme", "Trail tools", "2027-04", 10, unit="%", author="ann")
    _, made, notes = consensus.hand_over_consensus(wb, "Acme", model="naive", author="ann")
    trail = made.forecast[made.forecast["family"] == "Trail tools"]
    assert trail["forecast"].tolist() == pytest.approx([0, 0, 15, 20, 25, 30])
    assert (trail["lower"] <= trail["forecast"]).all()
    assert not [n for n in notes if "Trail tools" in n]
    assert _family(wb, "Trail tools")["demand"] == pytest.approx([0, 0, 15, 22, 25, 30])
    frozen = cycles.statistical_forecast(wb, "Acme", "naive")  # what the sign-off freezes
    assert frozen[frozen["family"] == "Trail tools"]["forecast"].tolist() == pytest.approx(
        [0, 0, 15, 20, 25, 30]
    )


def test_renaming_a_family_carries_the_launches_and_phase_outs_naming_it(wb: Workbench) -> None:
    from sop_core.services import capacity

    sam = Actor("Sam", "sam@acme.example", frozenset({"supply_planner"}), signed_in=True)
    portfolio.add_launch(
        wb, "Acme", "Trail tools", start="2027-03", like="Hand tools", factor=1,
        cannibalise="Hand tools", cannibalise_share=0.5, author=PAT,
    )  # fmt: skip
    portfolio.set_phase_out(
        wb, "Acme", "Garden tools", end_period="2027-05", replacement="Hand tools", author=PAT
    )
    capacity.rename_family(wb, "Acme", "Hand tools", "Hand tools classic", author=sam)
    launch = _family(wb, "Trail tools")["launch"]
    assert (launch["like"], launch["cannibalise"]) == ("Hand tools classic",) * 2
    assert _family(wb, "Garden tools")["phase_out"]["replacement"] == "Hand tools classic"


def test_a_launchs_family_is_removed_only_by_product_development(wb: Workbench) -> None:
    from sop_core.services import capacity

    sam = Actor("Sam", "sam@acme.example", frozenset({"supply_planner"}), signed_in=True)
    portfolio.add_launch(
        wb, "Acme", "Trail tools", start="2027-03", like="Hand tools", factor=1, author=PAT
    )
    with pytest.raises(PermissionDenied, match="Only a product developer may"):
        capacity.remove_family(wb, "Acme", "Trail tools", author=sam)
    assert "Trail tools" in companies.company_state(wb, "Acme").family_names


def test_ramp_up_shares_are_read_as_typed() -> None:
    from sop_core.process.portfolio import parse_shares

    assert parse_shares("20%, 50 %; 0.8") == pytest.approx([0.2, 0.5, 0.8])
    assert parse_shares("  ") == []
    with pytest.raises(InputError, match="'half' is not a share"):
        parse_shares("0.2, half")


def test_a_family_a_launch_or_phase_out_names_is_not_removed_from_under_it(
    wb: Workbench,
) -> None:
    from sop_core.services import capacity

    portfolio.add_launch(
        wb, "Acme", "Trail tools", start="2027-03", like="Hand tools", factor=1, author=PAT
    )
    portfolio.set_phase_out(
        wb, "Acme", "Garden tools", end_period="2027-05", replacement="Hand tools", author=PAT
    )
    with pytest.raises(InputError) as err:
        capacity.remove_family(wb, "Acme", "Hand tools", author="ann")
    assert str(err.value) == (
        "family Hand tools: the phase-out of Garden tools hands its demand to it; the launch "
        "Trail tools sells like it; change or remove that first on the Launches and "
        "phase-outs page"
    )


def test_a_started_launch_and_an_ended_phase_out_survive_a_rolled_horizon(wb: Workbench) -> None:
    """Next quarter's consensus runs April to September: the launch started in March and
    Garden tools ended in February, both before the new horizon; the hand-over is taken
    and the plan makes nothing of the ended family."""
    portfolio.add_launch(
        wb, "Acme", "Trail tools", start="2027-03", like="Hand tools", factor=1,
        author=PAT, today=TODAY,
    )  # fmt: skip
    portfolio.set_phase_out(
        wb, "Acme", "Garden tools", end_period="2027-02", author=PAT, today=TODAY
    )
    months = [f"2027-{m:02d}" for m in range(4, 10)]
    names = ("Garden tools", "Hand tools", "Trail tools")
    consensus = pd.DataFrame(
        [{"family": f, "period": p, "forecast": 100.0} for f in names for p in months]
    )
    demand.hand_over(wb, "Acme", consensus, author="ann", model="auto", history_name="x.csv")
    state = companies.company_state(wb, "Acme")
    assert state.scenario().period_labels == months
    plan = plans.company_plan(wb, "Acme").result
    assert plan.optimal
    fam = plan.families
    garden = fam[fam["family"] == "Garden tools"]
    assert garden["production"].tolist() == [0] * 6 and garden["subcontract"].tolist() == [0] * 6
    assert garden["demand"].tolist() == [0] * 6  # it ended in February
    assert fam[fam["family"] == "Trail tools"]["demand"].tolist() == [100.0] * 6
