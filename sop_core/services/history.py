"""Sales histories: an upload kept and taken into use as one action; the uploads kept."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pandas as pd
from sqlalchemy import select

from sop_core.base.access import Actor
from sop_core.base.errors import InputError, Problem
from sop_core.process.workspace import WorkspaceState, mapping_edits, suggest_mapping
from sop_core.services.workbench import Workbench
from sop_core.store.common import as_utc
from sop_core.store.schema import HistoryUploadRow

#: the columns of :func:`history_uploads`
UPLOAD_COLUMNS: tuple[str, ...] = (
    "upload_id",
    "file",
    "rows",
    "uploaded_by",
    "uploaded_at",
    "in_use",
)


def confirmed_mapping(
    state: WorkspaceState, history_names: Sequence[str], overrides: Mapping[str, str]
) -> pd.DataFrame:
    """How a history's family names meet the company's families:
    :func:`~sop_core.process.workspace.suggest_mapping`, with ``overrides`` (history name →
    family, existing or new) in its place. An override of a name the history lacks is a
    problem of ``mapping`` naming the history's families (a typing mistake would
    otherwise map nothing)."""
    mapping = suggest_mapping(list(history_names), state)
    known = set(history_names)
    unknown = [name for name in overrides if name not in known]
    if unknown:
        shown = ", ".join(repr(n) for n in sorted(history_names)[:20])
        more = f" and {len(known) - 20} more" if len(known) > 20 else ""
        raise InputError(
            Problem(
                "mapping",
                f"{', '.join(repr(n) for n in unknown)} is not a family name in the history; "
                f"its families: {shown}{more}",
            )
        )
    for name, family in overrides.items():
        row = mapping["history_name"] == name
        mapping.loc[row, "family"] = family.strip()
        mapping.loc[row, "action"] = "match" if family.strip() in state.family_names else "new"
    return mapping


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


def history_uploads(wb: Workbench, company: str) -> pd.DataFrame:
    """The histories kept for ``company``, oldest first (:data:`UPLOAD_COLUMNS`): the
    upload's number, its file (or feed) name, rows, who uploaded it and when (UTC), and
    whether it is the one in use. An unknown company is refused naming the known ones."""
    in_use = (wb.spaces.state(company).history_upload or {}).get("upload_id")
    workspace = wb.spaces.id_of(company)
    query = (
        select(
            HistoryUploadRow.id,
            HistoryUploadRow.name,
            HistoryUploadRow.rows,
            HistoryUploadRow.uploaded_by,
            HistoryUploadRow.uploaded_at,
        )
        .where(HistoryUploadRow.workspace_id == workspace)
        .order_by(HistoryUploadRow.id)
    )
    with wb.store.session() as s:
        rows = [
            (r.id, r.name, r.rows, r.uploaded_by, as_utc(r.uploaded_at), r.id == in_use)
            for r in s.execute(query)
        ]
    return pd.DataFrame(rows, columns=list(UPLOAD_COLUMNS))
