"""Stored scenario versions, opened and solved for the pages that show earlier cycles'
plans (the Cycle page's meeting pack and family S&OP sheet).

A saved version never changes, so its plan is solved once per process and kept
(:func:`solved_version`): a rerun of the page reads the version (one cheap query) and
finds its plan in the cache instead of solving it again. The cache key is the store, the
name, the version and when it was saved (a name deleted and saved again starts at v1
again, with other contents), and the time fence the plan is solved in (which follows the
company's approved plan, see :func:`sop_core.services.plans.time_fence`).
"""

from __future__ import annotations

import hashlib

import streamlit as st

from pages._workspace import approved_plan, workbench
from sop_core.engine.lp import FixedPlan
from sop_core.engine.planner import PlanResult
from sop_core.model.scenario import Scenario
from sop_core.model.whatif import WhatIf
from sop_core.services import plans
from sop_core.services.scenarios import open_scenario


def _fence_key(fixed: FixedPlan | None) -> str:
    if fixed is None:
        return ""
    digest = hashlib.sha1(fixed.production.tobytes())
    digest.update(fixed.subcontract.tobytes())
    return digest.hexdigest()


@st.cache_data(max_entries=32, show_spinner=False)
def _solved(
    store_url: str,
    name: str,
    version: int,
    saved_at: str,
    fence: str,
    _scenario: Scenario,
    _approved: PlanResult | None,
) -> PlanResult:
    """The plan of one stored version (the arguments without ``_`` are the key; every
    call returns its own copy, so a caller cannot change what the next one gets)."""
    return plans.solve_plan(_scenario, _approved)


def solved_version(name: str, version: int) -> tuple[Scenario, PlanResult]:
    """Version ``version`` of the stored scenario ``name`` and its plan, as the pages plan
    it (no what-if, inside the time fence). Raises
    :class:`~sop_core.services.scenarios.ScenarioNotFound` (an
    :class:`~sop_core.base.errors.InputError`) when it was deleted since."""
    wb = workbench()
    stored = open_scenario(wb, name, version)
    scenario = stored.scenario
    planned = WhatIf().apply(scenario)  # as pages._common.solve_whatif plans it
    approved = approved_plan()
    result = _solved(
        wb.url,
        stored.name,
        stored.version,
        stored.created_at.isoformat(),
        _fence_key(plans.time_fence(planned, approved)),
        planned,
        approved,
    )
    return scenario, result
