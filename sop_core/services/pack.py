"""The meeting pack: one PDF for the S&OP meeting and its tables as an Excel workbook.

:func:`build_pack` lays out the pack of a plan a page shows; :func:`company_pack` first
gathers, from the store, what the pack of a company's month holds (:func:`pack_inputs`:
its plan as it stands, its kept what-ifs and the versions its cycle recommended, each
solved inside the time fence, and the cycle's open decisions and assumptions)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import pandas as pd

from sop_core.analysis.frontier import Frontier, frontier, headline_frontier
from sop_core.analysis.sensitivity import tornado, tornado_frame
from sop_core.base.errors import InputError
from sop_core.engine.planner import PlanResult
from sop_core.model.scenario import Scenario
from sop_core.model.whatif import whatif_from_dict
from sop_core.process.cycle import Cycle, log_frame, month_of
from sop_core.reports.meeting_pack import PLAN_COLUMNS, meeting_sections
from sop_core.reports.pack import pack_excel, pack_pdf
from sop_core.services import cycles
from sop_core.services.companies import company_history, company_state
from sop_core.services.plans import (
    Fence,
    company_fence,
    company_plan,
    solve_plan,
    time_fence,
)
from sop_core.services.scenarios import open_scenario
from sop_core.services.workbench import Workbench


@dataclass(frozen=True)
class Pack:
    """A built meeting pack."""

    pdf: bytes  #: the pack to read or print
    excel: bytes  #: its tables at full precision
    sections: int  #: how many sections it holds


def build_pack(
    wb: Workbench,
    company: str,
    scenario: Scenario,
    result: PlanResult,
    *,
    title: str,
    plan_name: str,
    alternatives: Mapping[str, PlanResult] | None = None,
    decisions: pd.DataFrame | None = None,
    assumptions: pd.DataFrame | None = None,
    demand_review_signed_off: bool = True,
    past_plans: pd.DataFrame | None = None,
    actuals: pd.DataFrame | None = None,
    fva: pd.DataFrame | None = None,
    progress: Callable[[int, int, str], None] | None = None,
) -> Pack:
    """The pack of the plan ``result`` of ``scenario`` (named ``plan_name``) against its
    ``alternatives``, with the company's business plan and sales history as stored and
    the cycle's decisions, assumptions, past plans, actuals and forecast value added when
    given. ``progress(done, total, what)`` is told of each section as it is drawn."""
    state = company_state(wb, company)
    history = company_history(wb, state)
    trade = pack_tradeoffs(scenario, company_fence(wb, company)) if result.optimal else None
    sections = meeting_sections(
        scenario,
        result,
        plan_name=plan_name,
        alternatives=alternatives,
        budget=None if state.business_plan.empty else state.business_plan,
        history=None if history is None else state.planned_history(history),
        decisions=decisions,
        assumptions=assumptions,
        demand_review_signed_off=demand_review_signed_off,
        past_plans=past_plans,
        actuals=actuals,
        fva=fva,
        tradeoffs=trade,
    )
    pdf = pack_pdf(title, sections, subtitle=company, progress=progress)
    return Pack(pdf=pdf, excel=pack_excel(sections), sections=len(sections))


def pack_tradeoffs(scenario: Scenario, fence: Fence) -> tuple[Frontier, pd.DataFrame]:
    """The pack's trade-offs of ``scenario``'s plan, inside the time ``fence``: its
    headline cost frontier (:func:`~sop_core.analysis.frontier.headline_frontier`: against
    fill rate, else average inventory) and its tornado (±10 %)."""
    fixed = time_fence(scenario, fence.plan)
    front = headline_frontier(lambda aim: frontier(scenario, aim, 11, fixed=fixed))
    return front, tornado_frame(tornado(scenario, fixed=fixed))


# --------------------------------------------------------------------------- a company's month


@dataclass(frozen=True)
class PackInputs:
    """What the meeting pack of a company's month holds, read from the store."""

    title: str  #: the pack's title ("2026-11 cycle: S&OP meeting pack")
    plan_name: str  #: the plan presented, in words
    scenario: Scenario  #: its scenario
    result: PlanResult  #: its plan, inside the time fence
    alternatives: dict[str, PlanResult] = field(default_factory=dict)  #: name -> plan
    cycle: Cycle | None = None  #: the month's cycle (None: the company has none yet)
    decisions: pd.DataFrame | None = None  #: the cycle's open decisions
    assumptions: pd.DataFrame | None = None  #: the cycle's open assumptions
    demand_review_signed_off: bool = True  #: the cycle's demand review (no cycle: True)
    past_plans: pd.DataFrame | None = None  #: the plans earlier cycles approved
    actuals: pd.DataFrame | None = None  #: actual production, inventory and backlog
    skipped: list[str] = field(default_factory=list)  #: recommended versions deleted since
    fva: pd.DataFrame | None = None  #: the forecast value added of the cycles so far


def _open_entries(cycle: Cycle, kind: str, columns: list[str]) -> pd.DataFrame | None:
    """The cycle's open log entries of ``kind`` (assumption or decision), or None."""
    log = log_frame(cycle)
    rows = log.loc[(log["status"] == "open") & (log["kind"] == kind), columns]
    return rows.reset_index(drop=True) if len(rows) else None


def _stored_plan(wb: Workbench, name: str, version: int, fence: Fence) -> PlanResult:
    """Version ``version`` of scenario ``name`` solved as the pages solve it (inside the
    time fence); raises :class:`~sop_core.base.errors.InputError` when it was deleted."""
    return solve_plan(open_scenario(wb, name, version).scenario, fence.plan)


def _past_plans(wb: Workbench, company: str, month: str, fence: Fence) -> pd.DataFrame | None:
    """The plans the company's cycles before ``month`` approved, one row per family and
    month with the cycle's month in a ``plan`` column (deleted versions left out)."""
    frames = []
    for earlier in cycles.history_of(wb, company, month):
        if earlier.plan is None:
            continue
        try:
            result = _stored_plan(wb, *earlier.plan, fence)
        except InputError:
            continue
        if result.optimal:
            frames.append(result.families[list(PLAN_COLUMNS)].assign(plan=earlier.month))
    return pd.concat(frames, ignore_index=True) if frames else None


def pack_versions(cycle: Cycle | None) -> list[tuple[str, int]]:
    """The stored versions a month's pack presents, in order: the cycle's approved
    version first, then the versions its supply review recommended. The first that
    still exists is the plan presented, the others its alternatives; with none, the
    pack presents the company's plan as it stands. The one rule for the Cycle page and
    ``pack build``."""
    if cycle is None:
        return []
    return list(dict.fromkeys(([cycle.plan] if cycle.plan else []) + list(cycle.recommended)))


def version_name(cycle: Cycle, version: tuple[str, int]) -> str:
    """A stored version as the pack names it: "Chase v1 (approved)", "Level v1
    (recommended)"."""
    name, number = version
    said = "approved" if cycle.plan == version else "recommended"
    return f"{name} v{number} ({said})"


def pack_inputs(wb: Workbench, company: str, month: str | None = None) -> PackInputs:
    """What the pack of the company's ``month`` (``YYYY-MM``; default: this month's cycle,
    else its latest before) holds: the plan :func:`pack_versions` presents (the approved
    version, else the first recommended, else the company's plan as it stands) against
    the other recommended versions and the company's kept what-ifs (each solved inside
    the time fence of its approved plan; a version deleted since is left out and named
    in ``skipped``), with the cycle's open decisions and assumptions, the plans earlier
    cycles approved, the actuals as stored and the forecast value added. Refused when
    the company is unknown or cannot be planned, or has no cycle of ``month``."""
    state = company_state(wb, company)
    cycle = cycles.cycle_of(wb, company, month) if month else cycles.current_cycle(wb, company)
    fence = company_fence(wb, company)
    plan = company_plan(wb, company, fence=fence)
    versions: dict[str, tuple[Scenario, PlanResult]] = {}
    skipped: list[str] = []
    for version in pack_versions(cycle):
        try:
            scenario = open_scenario(wb, *version).scenario
        except InputError:
            skipped.append(f"{version[0]} v{version[1]}")
            continue
        versions[version_name(cycle, version)] = (scenario, solve_plan(scenario, fence.plan))
    if versions:
        plan_name = next(iter(versions))
        scenario, result = versions.pop(plan_name)
    else:
        plan_name, scenario, result = (
            f"{plan.scenario.name} (as planned)",
            plan.scenario,
            plan.result,
        )
    alternatives: dict[str, PlanResult] = {name: res for name, (_, res) in versions.items()}
    for name, kept in state.whatifs.items():
        levers = whatif_from_dict(kept.get("settings"))
        alternatives[f"What-if: {name}"] = solve_plan(plan.scenario, fence.plan, levers)
    actuals = state.actuals
    label = cycle.label if cycle else f"{month or month_of()}"
    fva = None
    if cycle is not None:
        found = [*cycles.history_of(wb, company, cycle.month), cycle]
        fva, _ = cycles.forecast_value_added_of(wb, company, found)
    return PackInputs(
        title=f"{label}: S&OP meeting pack",
        plan_name=plan_name,
        scenario=scenario,
        result=result,
        alternatives=alternatives,
        cycle=cycle,
        decisions=_open_entries(cycle, "decision", ["text", "owner", "family", "due"])
        if cycle
        else None,
        assumptions=_open_entries(cycle, "assumption", ["text", "owner", "family"])
        if cycle
        else None,
        demand_review_signed_off=cycle.step("demand").signed_off if cycle else True,
        past_plans=_past_plans(wb, company, cycle.month, fence) if cycle else None,
        actuals=None if actuals.empty else actuals,
        skipped=skipped,
        fva=fva,
    )


@dataclass(frozen=True)
class CompanyPack:
    """The meeting pack of a company's month and what went into it."""

    pack: Pack
    inputs: PackInputs


def company_pack(
    wb: Workbench,
    company: str,
    month: str | None = None,
    *,
    title: str | None = None,
    progress: Callable[[int, int, str], None] | None = None,
) -> CompanyPack:
    """The meeting pack of the company's ``month`` (:func:`pack_inputs`), titled ``title``
    (default: the cycle's, "2026-11 cycle: S&OP meeting pack"). Reads only."""
    inputs = pack_inputs(wb, company, month)
    pack = build_pack(
        wb,
        company,
        inputs.scenario,
        inputs.result,
        title=title or inputs.title,
        plan_name=inputs.plan_name,
        alternatives=inputs.alternatives,
        decisions=inputs.decisions,
        assumptions=inputs.assumptions,
        demand_review_signed_off=inputs.demand_review_signed_off,
        past_plans=inputs.past_plans,
        actuals=inputs.actuals,
        fva=inputs.fva,
        progress=progress,
    )
    return CompanyPack(pack, inputs)
