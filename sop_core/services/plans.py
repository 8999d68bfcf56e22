"""The plans a company shows and keeps, all solved one way: inside its time fence.

The time fence (``policy.frozen_periods`` k) holds the first k periods' production and
subcontracting at the company's approved plan. :func:`solve_plan` is the one solve of a
shown or stored plan: the Plan page's live plan, a kept what-if, a saved scenario, a
stored version reopened and the command line all call it, so the KPIs stored with a
what-if are those of the plan the person saw.

:func:`company_plan` is that solve for a company as the store holds it (its plan as it
stands, or one of its kept what-ifs), :func:`approved_company_plan` its approved plan:
what the command line shows, exports and schedules."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sop_core.analysis.frontier import plan_at
from sop_core.base.access import Actor
from sop_core.base.errors import InputError, Problem
from sop_core.engine.diagnosis import Fix, fix_candidates
from sop_core.engine.lp import FixedPlan
from sop_core.engine.planner import Planner, PlanResult, fixed_from
from sop_core.model.scenario import Scenario
from sop_core.model.whatif import WhatIf, whatif_from_dict
from sop_core.process.workspace import WorkspaceState
from sop_core.services.scenarios import approved_scenario
from sop_core.services.workbench import Workbench
from sop_core.store.scenarios import StoredScenario, solved_fields
from sop_core.store.workspaces import keep_whatif as keep_in_workspace


def approved_plan(approved: StoredScenario | None) -> PlanResult | None:
    """The plan of the company's approved scenario (the fence's reference), or None when
    nothing is approved."""
    return None if approved is None else approved_plan_of(approved.scenario)


def approved_plan_of(scenario: Scenario) -> PlanResult:
    """The plan of an approved scenario: solved as approved, with no fence of its own."""
    return Planner(scenario).solve(scenario)


def time_fence(scenario: Scenario, approved: PlanResult | None) -> FixedPlan | None:
    """What the fence of ``scenario`` holds: the approved plan's production and
    subcontracting in its first ``policy.frozen_periods`` periods (matched by period label
    and family name); None without a fence, without an approved plan, or when that plan
    is not feasible."""
    if not scenario.policy.frozen_periods or approved is None:
        return None
    return fixed_from(approved, scenario)


def solve_plan(
    scenario: Scenario,
    approved: PlanResult | None,
    whatif: WhatIf | None = None,
    planner: Planner | None = None,
) -> PlanResult:
    """The plan of ``scenario`` with ``whatif`` applied, inside the time fence that the
    ``approved`` plan sets. ``planner``: a compiled model of the scenario's shape to
    re-solve warm (a page keeps one per session); a fresh one by default."""
    return solve_fenced(scenario, approved, whatif, planner)[0]


def solve_fenced(
    scenario: Scenario,
    approved: PlanResult | None,
    whatif: WhatIf | None = None,
    planner: Planner | None = None,
) -> tuple[PlanResult, FixedPlan | None]:
    """:func:`solve_plan`, and what the fence held (None: nothing), for a page that also
    shows the fence: one reading of the approved plan per solve."""
    levers = whatif or WhatIf()
    planned = levers.apply(scenario)
    fixed = time_fence(planned, approved)
    if levers.held:  # a frontier point: the cheapest plan at that level of the aim
        return plan_at(planned, str(levers.aim), float(levers.aim_level or 0.0), fixed), fixed
    planner = warm_planner(planned, planner, fixed)
    return planner.solve(planned, fixed), fixed


def warm_planner(
    planned: Scenario, planner: Planner | None, fixed: FixedPlan | None = None
) -> Planner:
    """``planner`` when it takes ``planned``'s shape (a warm re-solve), else a new one
    compiled for it (with the fence ``fixed``)."""
    if planner is None or not planner.accepts(planned):
        return Planner(planned, fixed)
    return planner


def keep_whatif(
    wb: Workbench,
    company: str,
    name: str,
    scenario: Scenario,
    whatif: WhatIf,
    *,
    author: str | Actor,
    approved: PlanResult | None,
    note: str = "",
    planner: Planner | None = None,
    as_action: str = "whatif",
) -> tuple[WorkspaceState, PlanResult]:
    """Keep the what-if ``whatif`` on ``scenario`` under ``name``: a draft of the company
    in the store with the KPIs of its fenced plan, listed in the workspace (undoable).
    Returns the company's new state and that plan (the one the person saw).
    ``as_action``: the right needed (``company`` while importing a whole company)."""
    result = solve_plan(scenario, approved, whatif, planner)
    with wb.store.transaction():  # the draft and its listing in the company, or neither
        state = keep_in_workspace(
            wb.spaces,
            company,
            name,
            whatif.apply(scenario),
            whatif.to_dict(),
            author=author,
            note=note or whatif.describe(scenario),
            solved=solved_fields(result),
            as_action=as_action,
        )
    return state, result


def save_scenario(
    wb: Workbench,
    scenario: Scenario,
    whatif: WhatIf,
    *,
    author: str | Actor,
    approved: PlanResult | None,
    name: str | None = None,
    base_version: int | None = None,
    note: str = "",
    provenance: dict[str, Any] | None = None,
    company: str | None = None,
    planner: Planner | None = None,
    solve: bool = True,
) -> Any:
    """Save ``scenario`` with ``whatif`` applied as a new version (of ``name``, or of its
    own name), with the KPIs of its fenced plan (``solve=False``: without KPIs), as a
    scenario of ``company`` (None: of no company, e.g. from the command line). Raises
    what :meth:`Store.save` raises (a conflict with a version saved meanwhile, a
    missing right). Returns the stored version's listing row."""
    planned = whatif.apply(scenario)
    if name:
        planned = planned.model_copy(update={"name": name})
    solved = solved_fields(solve_plan(planned, approved, None, planner)) if solve else {}
    return wb.store.save(
        planned,
        author=author,
        name=name,
        base_version=base_version,
        note=note,
        provenance=provenance,
        workspace_id=None if company is None else wb.spaces.id_of(company),
        **solved,
    )


def one_click_fix(
    scenario: Scenario,
    approved: PlanResult | None,
    whatif: WhatIf,
    result: PlanResult,
    planner: Planner | None = None,
    *,
    depth: int = 3,
    breadth: int = 4,
) -> Fix | None:
    """For an infeasible plan ``result`` of ``whatif`` on ``scenario``: the smallest
    change of the levers found whose plan, solved as shown (inside the fence), is
    feasible; None when the plan is feasible or none is found.

    Tries the changes the conflicts suggest
    (:func:`~sop_core.engine.diagnosis.fix_candidates`), in order; when none solves, the
    conflicts left by the first ``breadth`` of them suggest the next change, up to
    ``depth`` changes in all (a ceiling raised to the floor, then the floor lowered to
    what the hiring limit reaches)."""
    if result.optimal:
        return None
    tries: list[tuple[Fix | None, WhatIf, PlanResult]] = [(None, whatif, result)]
    for _ in range(depth):
        failed: list[tuple[Fix | None, WhatIf, PlanResult]] = []
        for before, levers, res in tries:
            for candidate in fix_candidates(res.conflicts, scenario, levers):
                fix = candidate if before is None else before.then(candidate)
                tried = solve_plan(scenario, approved, fix.whatif, planner)
                if tried.optimal:
                    return fix
                failed.append((fix, fix.whatif, tried))
        tries = failed[:breadth]
    return None


# --------------------------------------------------------------------------- a company's plans


class NoApprovedPlan(InputError):
    """The company has no approved plan (field ``approved``)."""


@dataclass(frozen=True)
class Fence:
    """A company's approved scenario and its plan: what its time fence holds."""

    approved: StoredScenario | None  #: the approved version (None: nothing approved)
    plan: PlanResult | None  #: its plan, solved as approved (None: nothing approved)


@dataclass(frozen=True)
class CompanyPlan:
    """A plan of a company, solved the one way (:func:`solve_plan`)."""

    company: str
    label: str  #: in words: "plan as it stands", "what-if Lean (level workforce)"
    scenario: Scenario  #: the scenario planned (a what-if's levers applied)
    result: PlanResult
    whatif: WhatIf  #: the levers (none for the plan as it stands or the approved plan)
    fence: Fence  #: the company's approved plan
    held: FixedPlan | None  #: what the time fence held in ``result`` (None: nothing)
    stored: StoredScenario | None = None  #: the stored version it is of (the approved one)


def company_fence(wb: Workbench, company: str) -> Fence:
    """The company's approved scenario and its plan (one solve), or a fence of nothing."""
    approved = approved_scenario(wb, company)
    return Fence(approved, approved_plan(approved))


def kept_whatif(state: WorkspaceState, name: str) -> WhatIf:
    """The levers of the what-if the company keeps under ``name``; refused (field
    ``whatif``) with the names it keeps when there is none."""
    kept = state.whatifs.get(name)
    if kept is None:
        names = ", ".join(repr(n) for n in state.whatifs)
        known = f"kept: {names}" if names else "it keeps none yet; keep one first"
        raise InputError(Problem("whatif", f"{state.name} keeps no what-if {name!r}; {known}"))
    return whatif_from_dict(kept.get("settings"))


def company_plan(
    wb: Workbench, company: str, whatif: str | None = None, *, fence: Fence | None = None
) -> CompanyPlan:
    """The company's plan as it stands, or with the levers of its kept what-if ``whatif``
    (applied to the plan as it stands, as the Executive page compares them), inside the
    time fence of its approved plan (``fence``: already read, else read here). Refused
    when the company is unknown, cannot be planned yet (no family, no workforce) or keeps
    no such what-if."""
    state = wb.spaces.state(company)
    base = state.scenario()
    levers = WhatIf() if whatif is None else kept_whatif(state, whatif)
    fence = fence or company_fence(wb, company)
    result, held = solve_fenced(base, fence.plan, levers)
    label = "plan as it stands"
    if whatif is not None:
        label = f"what-if {whatif} ({levers.describe(base)})"
    return CompanyPlan(state.name, label, levers.apply(base), result, levers, fence, held)


def approved_company_plan(wb: Workbench, company: str) -> CompanyPlan:
    """The company's approved plan, solved as approved (no fence of its own). Raises
    :class:`NoApprovedPlan` when nothing of the company is approved."""
    fence = company_fence(wb, company)
    if fence.approved is None or fence.plan is None:
        raise NoApprovedPlan(
            Problem(
                "approved",
                f"{company!r} has no approved plan yet; approve one of its scenarios "
                "(Scenarios page, or the executive meeting of its cycle)",
            )
        )
    label = f"approved plan {fence.approved.label}"
    approved = fence.approved
    return CompanyPlan(
        company, label, approved.scenario, fence.plan, WhatIf(), fence, None, approved
    )
