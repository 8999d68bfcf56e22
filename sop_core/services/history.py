"""Sales histories: an upload kept and taken into use as one action."""

from __future__ import annotations

import pandas as pd

from sop_core.base.access import Actor
from sop_core.process.workspace import WorkspaceState, mapping_edits
from sop_core.services.workbench import Workbench


def upload_history(
    wb: Workbench,
    company: str,
    history: pd.DataFrame,
    filename: str,
    mapping: pd.DataFrame,
    *,
    author: str | Actor,
    summary: str | None = None,
) -> WorkspaceState:
    """Keep ``history`` (read from ``filename``) and take it into use with the confirmed
    ``mapping`` of its family names (:func:`~sop_core.process.workspace.suggest_mapping`'s
    columns): new families created with defaults to review, aliases added, the company's
    history set to it. One action, one transaction, undoable: a refused mapping (a blank
    or taken name) or a missing right keeps nothing. Returns the company's new state."""
    return wb.spaces.upload_history(
        company,
        history,
        filename,
        lambda state, upload: mapping_edits(state, mapping, upload),
        author=author,
        summary=summary or f"history {filename}",
    )
