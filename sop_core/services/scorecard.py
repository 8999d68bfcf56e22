"""The scorecard of the five aims as actions: a company's targets set, and a company's
plan scored against them and its business plan.

The targets are the scenario's ``targets`` object (:mod:`sop_core.model.targets`), kept
with the company as its ``setting`` item ``targets``: a change is one undoable, audited
action through :func:`~sop_core.services.companies.edit_company`, refused whole (nothing
saved) when a value or the right is wrong. Executives set them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd
from pydantic import ValidationError

from sop_core.base.access import Actor, as_actor, require
from sop_core.base.errors import InputError, Problem
from sop_core.base.fields import format_number, label, term
from sop_core.model.targets import SHARE_FIELDS, TARGET_FIELDS, Targets
from sop_core.process.scorecard import scorecard
from sop_core.process.workspace import Edit, WorkspaceState, field_edits
from sop_core.services.companies import company_state, edit_company
from sop_core.services.plans import CompanyPlan, company_plan
from sop_core.services.workbench import Workbench

Changed = tuple[WorkspaceState, list[Edit]]


def targets_of(state: WorkspaceState) -> Targets:
    """The company's targets (none set: every field None)."""
    kept = (state.value("setting", "targets") or {}).get("value")
    return Targets.model_validate(kept or {})


def _problem(name: str, value: Any, message: str) -> Problem:
    """A refused target named by its label, with the value and the fix."""
    key = f"targets.{name}"
    fix = "a share from 0 to 1 (0.95 = 95 %)" if name in SHARE_FIELDS else "a number ≥ 0"
    shown = value if not isinstance(value, int | float) else format_number("factor", value)
    return Problem(label(key), f"{message}, got {shown}; give {fix}, or blank for no target")


def checked_targets(current: Targets, changes: Mapping[str, Any]) -> Targets:
    """``current`` with ``changes`` (field -> number, None: no target) applied; refused
    naming each unknown field or bad value by its label."""
    problems = []
    for name in changes:
        if name not in TARGET_FIELDS:
            known = ", ".join(TARGET_FIELDS)
            problems.append(Problem(name, f"is not a target; the targets are: {known}"))
    if problems:
        raise InputError(problems)
    merged = {**current.model_dump(), **dict(changes)}
    try:
        return Targets.model_validate(merged)
    except ValidationError as exc:
        raise InputError(
            [
                _problem(str(err["loc"][0]), err.get("input"), _reason(err))
                for err in exc.errors(include_url=False)
            ]
        ) from None


def _reason(err: Mapping[str, Any]) -> str:
    """A validation error's reason in the workbench's words."""
    ctx = err.get("ctx") or {}
    if err["type"] == "less_than_equal":
        return f"must be at most {format_number('factor', float(ctx['le']))}"
    if err["type"] == "greater_than_equal":
        return f"must be at least {format_number('factor', float(ctx['ge']))}"
    if err["type"] in ("float_type", "float_parsing", "strict_number"):
        return "must be a number"
    return str(err["msg"])


def set_targets(
    wb: Workbench, company: str, changes: Mapping[str, Any], *, author: str | Actor
) -> Changed:
    """Set some of the company's scorecard targets (``changes``: field of
    :data:`~sop_core.model.targets.TARGET_FIELDS` -> value, None: no target); the others
    keep theirs. One undoable action; executives only. Returns the company's new state
    and the edits saved (none: nothing changed)."""
    actor = as_actor(author)
    require(actor, "targets")
    with wb.store.transaction():
        state = company_state(wb, company)
        new = checked_targets(targets_of(state), changes)
        value = None if new.is_empty() else new.model_dump()
        item = state.value("setting", "targets")
        if item is None:
            edits = [] if value is None else [Edit("setting", "targets", None, {"value": value})]
        else:
            edits = field_edits("setting", "targets", item, {"value": value})
        if not edits:
            return state, []
        changed = [f"{label(f'targets.{k}')} {_shown(k, v)}" for k, v in changes.items()]
        summary = "scorecard targets: " + "; ".join(changed)
        return edit_company(wb, company, edits, author=actor, summary=summary), edits


def _shown(name: str, value: Any) -> str:
    if value is None:
        return "no target"
    return format_number(term(f"targets.{name}").kind, float(value))


@dataclass(frozen=True)
class ScoredPlan:
    """A company's plan and its scorecard."""

    plan: CompanyPlan  #: the plan scored (as :func:`sop_core.services.plans.company_plan`)
    card: pd.DataFrame | None  #: its scorecard (None: the plan is not feasible)


def company_scorecard(wb: Workbench, company: str, whatif: str | None = None) -> ScoredPlan:
    """The scorecard (:func:`sop_core.process.scorecard.scorecard`) of the company's plan
    as it stands (or of its kept what-if ``whatif``), inside its time fence, against its
    targets and its business plan; no scorecard when the plan is not feasible."""
    planned = company_plan(wb, company, whatif)
    if not planned.result.optimal:
        return ScoredPlan(planned, None)
    budget = company_state(wb, company).business_plan
    card = scorecard(planned.scenario, planned.result, budget if len(budget) else None)
    return ScoredPlan(planned, card)
