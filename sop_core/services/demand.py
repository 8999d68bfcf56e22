"""The demand review's hand-over: the consensus forecast becomes the plan's demand."""

from __future__ import annotations

import pandas as pd

from sop_core.base.access import Actor
from sop_core.process.workspace import WorkspaceState, forecast_edits
from sop_core.services.workbench import Workbench


def hand_over(
    wb: Workbench,
    company: str,
    consensus: pd.DataFrame,
    *,
    author: str | Actor,
    model: str,
    history_name: str,
    based_on: WorkspaceState | None = None,
) -> tuple[WorkspaceState, list[str]]:
    """Hand the consensus forecast (long: family, period, ``adjusted`` or ``forecast``)
    over to the plan: its periods and each family's demand, with ``model`` kept as the
    forecast it was made from. One undoable action, needing the right to set the plan's
    demand; ``based_on``: the state the person saw (default: the company as it is now),
    so a change someone made meanwhile is refused, not overwritten. Returns the new state
    and notes for the planner (a family the forecast does not cover, …)."""
    state = based_on or wb.spaces.state(company)
    edits, notes = forecast_edits(state, consensus, model=model)
    summary = f"consensus forecast ({model}) from {history_name} in the plan"
    return wb.spaces.apply(company, edits, author=author, summary=summary), notes
