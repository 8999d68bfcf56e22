"""Companies: started, copied, read, edited cell by cell, undone, exported and imported.

Each writing function is one user action in one transaction: it checks the person's
right (the store refuses a missing one with a sentence naming it), writes the change
log and the audit rows, and returns the company's new state for the caller to show.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from sop_core.base.access import Actor
from sop_core.engine.planner import Planner
from sop_core.model.scenario import Scenario
from sop_core.model.whatif import whatif_from_dict
from sop_core.process.workspace import Change, Edit, WorkspaceState, replace_edits, suggest_mapping
from sop_core.reports.workbook import Company, company_edits, company_of, write_workbook
from sop_core.services import plans
from sop_core.services.history import upload_history
from sop_core.services.workbench import Workbench
from sop_core.store.workspaces import undo_action

# --------------------------------------------------------------------------- reading


def company_names(wb: Workbench) -> list[str]:
    """Every company in the store, oldest first."""
    return wb.spaces.names()


def company_state(wb: Workbench, company: str) -> WorkspaceState:
    """The company's master data, history, adjustments and what-ifs at its revision."""
    return wb.spaces.state(company)


def revision(wb: Workbench, company: str) -> int:
    """The company's revision: one cheap query to tell whether anything changed."""
    return wb.spaces.revision(company)


def latest_changes(wb: Workbench, company: str, limit: int = 50) -> list[Change]:
    """The company's newest ``limit`` logged changes, newest first."""
    return wb.spaces.changes(company, limit=limit)


def stored_history(wb: Workbench, upload_id: int) -> pd.DataFrame:
    """An uploaded sales history as it was kept (validated again, as any file is)."""
    return wb.spaces.history(upload_id)


def company_history(wb: Workbench, state: WorkspaceState) -> pd.DataFrame | None:
    """The company's history in use as uploaded (its file's family names), or None."""
    upload = state.history_upload
    return stored_history(wb, int(upload["upload_id"])) if upload else None


def export_workbook(wb: Workbench, company: str) -> bytes:
    """The whole company as one Excel workbook (what :func:`import_company` reads)."""
    state = company_state(wb, company)
    return write_workbook(company_of(state, company_history(wb, state)))


# --------------------------------------------------------------------------- writing


def start_company(
    wb: Workbench,
    name: str,
    *,
    author: str | Actor,
    copy_of: Scenario | None = None,
    copied_from: str = "",
) -> WorkspaceState:
    """Start company ``name``: empty (the textbook workforce to review, no family yet) or,
    with ``copy_of``, holding that plan's families, workforce and policy (logged as
    "copied from ``copied_from``"). Needs the right to start a company; a taken or blank
    name is refused. One transaction: no half-started company is left behind."""
    with wb.store.transaction():
        state = wb.spaces.create(name, author=author)
        if copy_of is not None:
            state = wb.spaces.apply(
                state.name,
                replace_edits(state, copy_of),
                author=author,
                summary=f"copied from {copied_from}" if copied_from else "copied",
                as_action="company",
            )
    return state


def seed_company(
    wb: Workbench,
    name: str,
    scenario: Scenario,
    *,
    author: str | Actor,
    history: pd.DataFrame | None = None,
    history_name: str = "",
) -> bool:
    """Create company ``name`` from ``scenario`` (and ``history``, its families matched
    by name) unless it exists: how a fresh store gets its sample company. Returns
    whether it was created; two sessions racing to create it is harmless (one wins, in
    one transaction, the other finds it)."""
    if name in company_names(wb):
        return False
    try:
        with wb.store.transaction():
            state = wb.spaces.create(name, author=author, scenario=scenario)
            if history is not None:
                mapping = suggest_mapping(sorted(history["family"].unique()), state)
                upload_history(
                    wb,
                    name,
                    history,
                    history_name,
                    mapping,
                    author=author,
                    summary="sample sales history",
                )
    except Exception:
        if name in company_names(wb):  # another session created it first
            return False
        raise
    return True


def edit_company(
    wb: Workbench,
    company: str,
    edits: Sequence[Edit],
    *,
    author: str | Actor,
    summary: str | None = None,
    as_action: str | None = None,
) -> WorkspaceState:
    """Save ``edits`` (a table cell, a family added or renamed, an adjustment, a plan
    opened…) as one undoable action. Each edit carries the value it was made against: when
    someone else changed that item first, or a value is out of range, or a right is
    missing, nothing is saved and the error names each item. ``as_action``: the right
    needed when it is not the items' own (``company`` for a whole plan opened)."""
    return wb.spaces.apply(company, edits, author=author, summary=summary, as_action=as_action)


def undo_last(wb: Workbench, company: str, *, author: str | Actor) -> tuple[WorkspaceState, str]:
    """Undo the company's newest action not yet undone, as a new action (refused when
    someone changed one of its items since). A kept what-if whose keeping is undone leaves
    the scenario store too, unless a newer version of it was saved. Returns the new state
    and what was undone, in words."""
    with wb.store.transaction():
        return undo_action(wb.spaces, wb.store, company, author=author)


def import_company(
    wb: Workbench, name: str, company: Company, *, author: str | Actor
) -> WorkspaceState:
    """Start company ``name`` from a workbook's content (:func:`read_workbook`): master
    data, the history (kept as an upload), the consensus adjustments and the kept
    what-ifs (each solved as the Plan page solves it and saved as a draft).

    One action: whoever may start a company (``company``) may import one, and it runs
    in one transaction, so a refusal half-way (a what-if name taken by another company's
    scenario, a value out of range) leaves no half-imported company behind."""
    spaces = wb.spaces
    summary = f"imported {company.history_name}"
    with wb.store.transaction():
        spaces.create(name, author=author, scenario=company.scenario)
        if company.history is None:
            state = spaces.apply(
                name,
                company_edits(spaces.state(name), company),
                author=author,
                summary=summary,
                as_action="company",
            )
        else:
            state = spaces.upload_history(
                name,
                company.history,
                company.history_name,
                lambda state, upload: [
                    *company_edits(state, company),
                    Edit("history", "history", None, upload),
                ],
                author=author,
                summary=summary,
                as_action="company",
            )
        planner: Planner | None = None  # re-solved warm while the what-ifs' shape holds
        for whatif_name, settings in company.whatifs.items():
            whatif = whatif_from_dict(settings)
            planner = plans.warm_planner(whatif.apply(company.scenario), planner)
            state, _ = plans.keep_whatif(
                wb,
                name,
                whatif_name,
                company.scenario,
                whatif,
                author=author,
                approved=None,  # a new company has nothing approved: no fence yet
                note=f"imported from {company.history_name}",
                planner=planner,
                as_action="company",
            )
    return state
