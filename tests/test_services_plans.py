"""The one fenced solve (sop_core.services.plans): what a page shows, a kept what-if and a
saved scenario are the same plan, inside the company's time fence."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from factories import red_tomato, tiny
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sop_core.engine.diagnosis import fix_candidates
from sop_core.engine.planner import solve
from sop_core.model.whatif import WhatIf
from sop_core.services import plans
from sop_core.services.workbench import Workbench
from sop_core.store.scenarios import Store
from sop_core.store.workspaces import Workspaces

ROOT = Path(__file__).resolve().parent.parent


def test_a_fence_holds_the_approved_production_in_a_hand_checkable_plan():
    """Approved: demand 10 a period, 10 made as it comes (1 worker, 10 h). The new plan's
    demand doubles to 20 in period 1, and hiring is free: unfenced, it hires and makes 20
    at once; with a 1-period fence period 1 stays at the approved 10, and the other 10
    wait a period as backlog ($2 a unit a period, cheaper than $5 subcontracting). The
    same 30 units are made either way, so the fence costs exactly 10 × $2."""
    free_hiring = {"hire_cost": 0, "layoff_cost": 0}
    approved = solve(tiny([10, 10], workforce=free_hiring))
    grown = tiny([20, 10], workforce=free_hiring, policy={"frozen_periods": 1})
    fenced = plans.solve_plan(grown, approved).families.set_index("period")
    free = plans.solve_plan(grown, None)
    assert fenced["production"].iloc[0] == pytest.approx(10)  # held as approved
    assert fenced["backorder"].iloc[0] == pytest.approx(10)
    assert free.families.set_index("period")["production"].iloc[0] == pytest.approx(20)
    assert plans.solve_plan(grown, approved).total_cost == pytest.approx(free.total_cost + 20)


def test_no_fence_without_frozen_periods_or_an_approved_plan():
    s = red_tomato()
    approved = solve(s)
    assert plans.time_fence(s, approved) is None  # frozen_periods 0
    fenced = red_tomato(frozen_periods=2)
    assert plans.time_fence(fenced, None) is None
    assert plans.time_fence(fenced, approved) is not None


@pytest.fixture
def company(tmp_path):
    store = Store(f"sqlite:///{tmp_path / 'store.sqlite'}")
    spaces = Workspaces(store)
    base = red_tomato(frozen_periods=2)
    approved_scenario = red_tomato().model_copy(update={"name": "Approved"})
    store.save(approved_scenario, author="test")
    store.approve("Approved", author="test")
    spaces.create("Acme", author="test", scenario=base)
    yield store, spaces, base, plans.approved_plan(store.approved())
    store.close()


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    overtime=st.sampled_from([None, 0.0, 5.0, 10.0]),
    safety=st.sampled_from([0.0, 0.5, 1.0]),
    demand=st.sampled_from([0.8, 1.0, 1.25]),
)
def test_every_kept_or_saved_plan_stores_the_kpis_of_the_fenced_solve(
    company, overtime, safety, demand
):
    store, spaces, base, approved = company
    scenario = base.model_copy(
        update={
            "families": [
                f.model_copy(update={"demand": [d * demand for d in f.demand]})
                for f in base.families
            ]
        }
    )
    whatif = WhatIf(overtime=overtime, safety_months=safety)
    shown = plans.solve_plan(scenario, approved, whatif)
    n = len(spaces.state("Acme").whatifs)
    _, kept_plan = plans.keep_whatif(
        Workbench(store), "Acme", f"w{n}", scenario, whatif, author="test", approved=approved
    )
    saved = plans.save_scenario(
        Workbench(store), scenario, whatif, author="test", approved=approved, name=f"s{n}"
    )
    assert kept_plan.total_cost == pytest.approx(shown.total_cost, abs=1e-6)
    for name in (spaces.state("Acme").whatifs[f"w{n}"]["scenario"], saved.name):
        assert store.open(name).kpis["total_cost"] == pytest.approx(shown.total_cost, abs=1e-6)


def solve_calls(path: Path) -> list[str]:
    """The calls in ``path`` that solve a plan other than through the fenced solve:
    ``….solve(…)``, ``solve(…)``, ``fixed_from(…)``."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not isinstance(node, ast.Call):
            continue
        f = node.func
        name = f.attr if isinstance(f, ast.Attribute) else getattr(f, "id", "")
        owner = f.value.id if isinstance(f, ast.Attribute) and isinstance(f.value, ast.Name) else ""
        if name in ("solve", "fixed_from") and owner != "plans":
            found.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    return found


def test_no_page_or_command_solves_a_plan_but_through_the_fenced_solve():
    doors = [*sorted((ROOT / "pages").glob("*.py")), ROOT / "app.py"]
    doors += sorted((ROOT / "sop_core" / "cli").glob("*.py"))
    calls = [c for p in doors for c in solve_calls(p)]
    assert calls == [], "solve through sop_core.services.plans.solve_plan: " + ", ".join(calls)


def test_the_fix_for_a_floor_above_the_ceiling_raises_the_ceiling_to_the_floor():
    s = red_tomato()
    whatif = WhatIf(workers_min=120, workers_max=30)
    result = plans.solve_plan(s, None, whatif)
    assert not result.optimal
    fix = plans.one_click_fix(s, None, whatif, result)
    assert fix is not None and fix.label == "Raise the workforce ceiling to 120 workers"
    assert (fix.whatif.workers_min, fix.whatif.workers_max) == (120, 120)
    assert plans.solve_plan(s, None, fix.whatif).optimal


def test_hours_short_under_a_ceiling_are_fixed_by_the_first_change_that_solves():
    # 1 worker of 10 h, no overtime, no subcontracting, 100 units to hold at the end
    s = tiny([10, 25], max_subcontract=0, ending_inventory_min=100)
    whatif = WhatIf(workers_max=1)
    result = plans.solve_plan(s, None, whatif)
    assert not result.optimal
    fix = plans.one_click_fix(s, None, whatif, result)
    assert fix is not None
    assert plans.solve_plan(s, None, fix.whatif).optimal
    candidates = fix_candidates(result.conflicts, s, whatif)
    first = [f.label for f in candidates].index(fix.label)
    assert (
        first == 0
        or not any(  # the first that solves
            plans.solve_plan(s, None, f.whatif).optimal for f in candidates[:first]
        )
    )


def test_no_fix_is_offered_for_a_feasible_plan():
    s = red_tomato()
    assert plans.one_click_fix(s, None, WhatIf(), plans.solve_plan(s, None)) is None
