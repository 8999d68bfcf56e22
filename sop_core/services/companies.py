"""Companies: started from a workbook as one action, saved whole or not at all."""

from __future__ import annotations

from sop_core.base.access import Actor
from sop_core.engine.planner import Planner
from sop_core.model.whatif import whatif_from_dict
from sop_core.process.workspace import Edit, WorkspaceState
from sop_core.reports.workbook import Company, company_edits
from sop_core.services import plans
from sop_core.store.workspaces import Workspaces


def import_company(
    spaces: Workspaces, name: str, company: Company, *, author: str | Actor
) -> WorkspaceState:
    """Start company ``name`` from a workbook's content (:func:`read_workbook`): master
    data, the history (kept as an upload), the consensus adjustments and the kept
    what-ifs (each solved as the Plan page solves it and saved as a draft).

    One action: whoever may start a company (``company``) may import one, and it runs
    in one transaction, so a refusal half-way (a what-if name taken by another company's
    scenario, a value out of range) leaves no half-imported company behind."""
    summary = f"imported {company.history_name}"
    with spaces.store.transaction():
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
        planner: Planner | None = None
        for whatif_name, settings in company.whatifs.items():
            whatif = whatif_from_dict(settings)
            planned = whatif.apply(company.scenario)
            if planner is None or not planner.accepts(planned):
                planner = Planner(planned)
            state, _ = plans.keep_whatif(
                spaces,
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
