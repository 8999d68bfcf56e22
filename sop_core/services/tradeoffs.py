"""The trade-offs of a company's plan, as an executive asks them: the cost–service
frontiers, what moves the plan most, the plan under uncertain demand.

Each reads a company's plan as it stands (or with one of its kept what-ifs, or a saved
scenario) inside the time fence of its approved plan, exactly as
:func:`sop_core.services.plans.company_plan` solves it, and hands it to
:mod:`sop_core.analysis`. They only read: no right is needed and nothing is audited. A
frontier point is opened (:func:`frontier_point`) from its settings, the aim and its
level."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from sop_core.analysis.frontier import Frontier, frontier, plan_at
from sop_core.analysis.risk import RiskRun, risk, sd_from_interval
from sop_core.analysis.sensitivity import Tornado, tornado
from sop_core.analysis.sweep import Cancel
from sop_core.base.errors import InputError, Problem
from sop_core.demand.parallel import Progress
from sop_core.engine.lp import FixedPlan
from sop_core.engine.planner import PlanResult
from sop_core.model.scenario import Scenario
from sop_core.services.consensus import consensus_forecast
from sop_core.services.plans import company_fence, company_plan, time_fence
from sop_core.services.scenarios import open_scenario
from sop_core.services.workbench import Workbench


@dataclass(frozen=True)
class Subject:
    """The plan a trade-off is of: the ``company``, in words (``label``), the scenario
    planned and what the time fence holds in it."""

    company: str
    label: str
    scenario: Scenario
    fixed: FixedPlan | None


def subject(
    wb: Workbench, company: str, *, whatif: str | None = None, scenario: str | None = None
) -> Subject:
    """The company's plan as it stands, with its kept what-if ``whatif``, or the saved
    scenario ``scenario`` (its latest version), inside the company's time fence."""
    if whatif is not None and scenario is not None:
        raise InputError(Problem("scenario", "give a kept what-if or a saved scenario, not both"))
    if scenario is not None:
        stored = open_scenario(wb, scenario)
        fence = company_fence(wb, company)
        return Subject(
            company,
            f"scenario {stored.name} (version {stored.version})",
            stored.scenario,
            time_fence(stored.scenario, fence.plan),
        )
    plan = company_plan(wb, company, whatif)
    return Subject(plan.company, plan.label, plan.scenario, plan.held)


def frontier_of(
    wb: Workbench,
    company: str,
    aim: str,
    *,
    whatif: str | None = None,
    scenario: str | None = None,
    points: int = 21,
    start: float | None = None,
    end: float | None = None,
    scheduler: str | None = None,
    progress: Progress | None = None,
    cancel: Cancel = None,
) -> tuple[Subject, Frontier]:
    """The frontier of cost against ``aim`` (fill_rate, average_inventory,
    largest_workforce_change) for the company's plan (see :func:`subject`)."""
    if not 1 <= points <= 201:
        raise InputError(Problem("points", f"must be between 1 and 201, got {points}"))
    s = subject(wb, company, whatif=whatif, scenario=scenario)
    found = frontier(
        s.scenario,
        aim,
        points,
        start=start,
        end=end,
        fixed=s.fixed,
        scheduler=scheduler,
        progress=progress,
        cancel=cancel,
    )
    return s, found


def frontier_point(
    wb: Workbench,
    company: str,
    aim: str,
    level: float,
    *,
    whatif: str | None = None,
    scenario: str | None = None,
) -> tuple[Subject, PlanResult]:
    """The plan of one frontier point (its ``settings``: the aim and its level), to open."""
    s = subject(wb, company, whatif=whatif, scenario=scenario)
    return s, plan_at(s.scenario, aim, level, s.fixed)


def sensitivity_of(
    wb: Workbench,
    company: str,
    *,
    whatif: str | None = None,
    scenario: str | None = None,
    change: float = 0.10,
    rank_by: str = "total_cost",
    scheduler: str | None = None,
    progress: Progress | None = None,
    cancel: Cancel = None,
) -> tuple[Subject, Tornado]:
    """The tornado of the company's plan: each input moved by ±``change``."""
    s = subject(wb, company, whatif=whatif, scenario=scenario)
    found = tornado(
        s.scenario,
        change,
        fixed=s.fixed,
        rank_by=rank_by,
        scheduler=scheduler,
        progress=progress,
        cancel=cancel,
    )
    return s, found


def forecast_sd(wb: Workbench, company: str, planned: Scenario) -> np.ndarray:
    """σ of each family's demand in each period of ``planned``, from the company's
    forecast's 80 % intervals (its statistical forecast of its stored sales history,
    matched to the plan's months, else period by period from the first); a family it
    does not forecast is refused, naming it."""
    made = consensus_forecast(wb, company, horizon=planned.horizon).forecast
    T = planned.horizon
    sd = np.zeros((len(planned.families), T))
    missing = []
    labels = planned.period_labels
    for i, name in enumerate(planned.family_names):
        rows = made[made["family"] == name].sort_values("period")
        # matched by month ("2027-01") where the plan's periods are months, else in order
        month = pd.to_datetime(rows["period"]).dt.strftime("%Y-%m")
        if set(labels) <= set(month):
            rows = rows[month.isin(labels).to_numpy()]
        rows = rows.head(T)
        if len(rows) < T:
            missing.append(name)
            continue
        sd[i] = sd_from_interval(rows["lower"].to_numpy(), rows["upper"].to_numpy())
    if missing:
        names = ", ".join(repr(n) for n in missing)
        raise InputError(
            Problem(
                "cv",
                f"the forecast has no {T} periods for {names}; give a spread (--cv 0.1 is "
                "σ = 10 % of demand) or map the family to the sales history",
            )
        )
    return sd


def risk_of(
    wb: Workbench,
    company: str,
    *,
    whatif: str | None = None,
    scenario: str | None = None,
    cv: float | None = None,
    draws: int = 1000,
    rho: float = 0.5,
    seed: int = 7,
    service_target: float = 0.95,
    probability: float = 0.95,
    replan: bool = True,
    scheduler: str | None = None,
    progress: Progress | None = None,
    cancel: Cancel = None,
) -> tuple[Subject, RiskRun]:
    """The company's plan against ``draws`` demand paths: σ from its forecast's 80 %
    intervals (:func:`forecast_sd`), or ``cv`` × demand when given."""
    if cv is not None and not 0 <= cv <= 5:
        raise InputError(
            Problem("cv", f"must be between 0 and 5 (0.1 is σ = 10 % of demand), got {cv}")
        )
    if not 1 <= draws <= 100_000:
        raise InputError(Problem("draws", f"must be between 1 and 100,000, got {draws}"))
    s = subject(wb, company, whatif=whatif, scenario=scenario)
    demand = np.array([f.demand for f in s.scenario.families], dtype=float)
    sd = cv * demand if cv is not None else forecast_sd(wb, company, s.scenario)
    run = risk(
        s.scenario,
        sd,
        fixed=s.fixed,
        draws=draws,
        rho=rho,
        seed=seed,
        service_target=service_target,
        probability=probability,
        replan=replan,
        scheduler=scheduler,
        progress=progress,
        cancel=cancel,
    )
    return s, run
