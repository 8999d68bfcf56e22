"""Saved scenarios: listed, opened, compared, approved, duplicated, renamed, deleted.

A scenario's versions never change once saved; each writing function here is one user
action in one transaction that checks the person's right (only an executive approves or
changes an approved scenario's status), writes its audit row and raises an
:class:`~sop_core.base.errors.InputError` naming the field when it is refused. Saving a
new version (with the KPIs of its fenced plan) is :func:`sop_core.services.plans.save_scenario`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd

from sop_core.base.access import Actor
from sop_core.services.workbench import Workbench
from sop_core.store.scenarios import (
    ScenarioNotFound,
    ScenarioSummary,
    Status,
    StoreConflict,
    StoredScenario,
    VersionInfo,
    comparison_frame,
)

__all__ = [
    "Comparison",
    "ScenarioNotFound",
    "ScenarioSummary",
    "StoreConflict",
    "StoredScenario",
    "VersionInfo",
    "approve",
    "approved_scenario",
    "compare",
    "delete",
    "duplicate",
    "listing",
    "open_scenario",
    "rename",
    "scenario_names",
    "scenarios_of",
    "set_status",
    "versions",
]


def _company_id(wb: Workbench, company: str | None) -> int | None:
    return None if company is None else wb.spaces.id_of(company)


# --------------------------------------------------------------------------- reading


def scenario_names(wb: Workbench) -> list[str]:
    """The names of every saved scenario, of all companies, sorted."""
    return wb.store.names()


def scenarios_of(wb: Workbench, company: str | None = None) -> list[ScenarioSummary]:
    """The company's scenarios and those of no company, sorted by name (all without
    ``company``): status, latest version, who saved it when, total cost."""
    return wb.store.list_scenarios(_company_id(wb, company))


def listing(wb: Workbench, company: str | None = None) -> pd.DataFrame:
    """:func:`scenarios_of` as a table, one row per scenario (see
    :meth:`~sop_core.store.scenarios.Store.list_frame` for its columns)."""
    return wb.store.list_frame(_company_id(wb, company))


def versions(wb: Workbench, name: str) -> list[VersionInfo]:
    """Every version of scenario ``name``, oldest first."""
    return wb.store.versions(name)


def open_scenario(wb: Workbench, name: str, version: int | None = None) -> StoredScenario:
    """Version ``version`` (default: the latest) of scenario ``name``, with its KPIs."""
    return wb.store.open(name, version)


def approved_scenario(wb: Workbench, company: str | None) -> StoredScenario | None:
    """The company's approved scenario at its approved version (None: nothing approved)."""
    return wb.store.approved(workspace_id=_company_id(wb, company))


@dataclass(frozen=True)
class Comparison:
    """2–4 saved scenarios side by side."""

    table: pd.DataFrame  #: KPIs and costs, deltas against the approved plan (comparison_frame)
    versions: list[StoredScenario]  #: the latest version of each, in the order asked
    approved: StoredScenario | None  #: the company's approved plan, if any


def compare(wb: Workbench, company: str | None, names: Sequence[str]) -> Comparison:
    """The latest versions of ``names`` side by side, with deltas against the company's
    approved plan (see :func:`~sop_core.store.scenarios.comparison_frame`)."""
    approved = approved_scenario(wb, company)
    opened = [open_scenario(wb, n) for n in names]
    return Comparison(comparison_frame(opened, approved), opened, approved)


# --------------------------------------------------------------------------- writing


def approve(wb: Workbench, name: str, *, author: str | Actor, version: int | None = None) -> None:
    """Mark version ``version`` (default: the latest) of ``name`` as its company's approved
    plan (the one before it goes back to proposed). Executives only."""
    wb.store.approve(name, author=author, version=version)


def set_status(wb: Workbench, name: str, status: Status, *, author: str | Actor) -> None:
    """Set ``name``'s status (``draft``, ``proposed`` or ``approved``); only an executive
    changes the status of an approved scenario."""
    wb.store.set_status(name, status, author=author)


def duplicate(
    wb: Workbench, name: str, new_name: str, *, author: str | Actor, version: int | None = None
) -> VersionInfo:
    """Copy version ``version`` (default: the latest) of ``name`` to a new draft."""
    return wb.store.duplicate(name, new_name, author=author, version=version)


def rename(wb: Workbench, name: str, new_name: str, *, author: str | Actor) -> None:
    """Rename scenario ``name`` (all its versions) to ``new_name``, which must be free."""
    wb.store.rename(name, new_name, author=author)


def delete(
    wb: Workbench, name: str, *, author: str | Actor, expected_version: int | None = None
) -> None:
    """Delete scenario ``name`` and all its versions; with ``expected_version``, refused
    when someone saved a newer version since the person looked."""
    wb.store.delete(name, author=author, expected_version=expected_version)
