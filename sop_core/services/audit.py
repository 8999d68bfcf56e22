"""The audit trail: every change saved, who made it and when, from what to what."""

from __future__ import annotations

import pandas as pd

from sop_core.services.workbench import Workbench
from sop_core.store.audit import audit_download


def audit_trail(
    wb: Workbench,
    *,
    company: str | None = None,
    kind: str | None = None,
    key: str | None = None,
    limit: int | None = None,
) -> pd.DataFrame:
    """The trail, newest first, for people: fields by their labels, before and after in
    words. Filtered by company (None: all), kind of object and the object's key."""
    return wb.store.audit(
        company=company, object_kind=kind, object_key=key, limit=limit, words=True
    )


def audit_export(
    wb: Workbench,
    *,
    company: str | None = None,
    kind: str | None = None,
    key: str | None = None,
    limit: int | None = None,
) -> pd.DataFrame:
    """The same rows for a download: the same headers, before and after as exact values."""
    return audit_download(
        wb.store.audit(company=company, object_kind=kind, object_key=key, limit=limit)
    )
