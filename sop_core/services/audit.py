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
    exact: bool = False,
) -> pd.DataFrame:
    """The trail, newest first, filtered by company (None: all), kind of object and the
    object's key. For people, fields by their labels and before and after in words; with
    ``exact``, for a download: readable headers, before and after as the exact values."""
    if exact:
        return audit_download(audit_records(wb, company=company, kind=kind, key=key, limit=limit))
    return wb.store.audit(
        company=company, object_kind=kind, object_key=key, limit=limit, words=True
    )


def audit_records(
    wb: Workbench,
    *,
    company: str | None = None,
    kind: str | None = None,
    key: str | None = None,
    limit: int | None = None,
) -> pd.DataFrame:
    """The trail for a program, newest first, filtered as :func:`audit_trail`: the exact
    values under field keys (at, who, email, action, company, object_kind, object_key,
    object, field, before, after; before and after as compact JSON text), what
    :func:`audit_trail` with ``exact`` shows under readable headers."""
    return wb.store.audit(company=company, object_kind=kind, object_key=key, limit=limit)
