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
    trail = wb.store.audit(
        company=company, object_kind=kind, object_key=key, limit=limit, words=not exact
    )
    return audit_download(trail) if exact else trail
