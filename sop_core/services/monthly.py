"""The company's monthly tables: the business plan and the actuals, uploaded or cleared.

An uploaded file (read and checked by
:func:`~sop_core.process.monthly.read_monthly_table`) replaces the table: rows matched by
family and month change only the cells that differ, new rows are added, rows the file
lacks are removed; as one undoable action with its author, refused whole when a value is
out of range or a right is missing (the business plan is finance's, the actuals the
demand planner's).
"""

from __future__ import annotations

import pandas as pd

from sop_core.base.access import Actor
from sop_core.process.workspace import MONTHLY_TABLES, WorkspaceState, monthly_edits
from sop_core.services.workbench import Workbench


def upload_table(
    wb: Workbench,
    company: str,
    kind: str,
    table: pd.DataFrame,
    filename: str,
    *,
    author: str | Actor,
    based_on: WorkspaceState | None = None,
) -> WorkspaceState:
    """Make the company's monthly table ``kind`` (``budget``: the business plan;
    ``actual``: the actuals) hold exactly the rows of ``table``, read from ``filename``.
    Returns the new state; when the file holds the table as stored nothing is saved and
    the state is returned as it was (its revision unchanged). ``based_on``: the state
    the person saw (default: the company now)."""
    state = based_on or wb.spaces.state(company)
    edits = monthly_edits(state, kind, table)
    if not edits:
        return state
    summary = f"{MONTHLY_TABLES[kind].what} from {filename}"
    return wb.spaces.apply(company, edits, author=author, summary=summary)


def clear_table(
    wb: Workbench,
    company: str,
    kind: str,
    *,
    author: str | Actor,
    based_on: WorkspaceState | None = None,
) -> WorkspaceState:
    """Remove every row of the monthly table ``kind``, as one action undo takes back."""
    state = based_on or wb.spaces.state(company)
    edits = monthly_edits(state, kind, state.monthly(kind).iloc[0:0])
    summary = f"cleared the {MONTHLY_TABLES[kind].what}"
    return wb.spaces.apply(company, edits, author=author, summary=summary)
