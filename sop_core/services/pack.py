"""The meeting pack: one PDF for the S&OP meeting and its tables as an Excel workbook."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

import pandas as pd

from sop_core.engine.planner import PlanResult
from sop_core.model.scenario import Scenario
from sop_core.reports.meeting_pack import meeting_sections
from sop_core.reports.pack import pack_excel, pack_pdf
from sop_core.services.companies import company_history, company_state
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
    )
    pdf = pack_pdf(title, sections, subtitle=company, progress=progress)
    return Pack(pdf=pdf, excel=pack_excel(sections), sections=len(sections))
