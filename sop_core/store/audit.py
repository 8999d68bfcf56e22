"""The audit trail: who changed what in the store, when, from what to what.

Every write of the store (:mod:`sop_core.store.scenarios`, :mod:`sop_core.store.workspaces`) calls
:func:`record` in the same transaction as the change, so a change without its audit
row cannot exist. The table (``sop_audit``, see :mod:`sop_core.store.schema`) is
append-only in the database itself: triggers refuse UPDATE and DELETE.

:func:`audit_frame` reads it as a long frame, newest first, with the columns of
:data:`AUDIT_COLUMNS`:

=============  ==================================================================
at             datetime (UTC) of the change
who            the person's name
email          their e-mail (empty in local single-user mode)
action         edit, undo, create, upload, save, approve, status, rename,
               duplicate, delete; on a cycle also sign off, comment, close
company        the company (workspace), empty for store-wide objects
object_kind    family, workforce, policy, plan, adjustment, history, setting,
               whatif, company, scenario, cycle (object_key: its month)
object_key     the object's stable key (a family's ``f1``, a scenario's name)
object         the object in words ("family Pumps", "scenario Base v3")
field          the field changed, if one
before, after  the values, as compact JSON text (empty: none)
=============  ==================================================================
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from sop_core.base.access import Actor
from sop_core.store.schema import AUTHOR_MAX, NAME_MAX, AuditRow

if TYPE_CHECKING:  # pandas is imported where the frame is built: writing stays light
    import pandas as pd

AUDIT_COLUMNS: tuple[str, ...] = (
    "at",
    "who",
    "email",
    "action",
    "company",
    "object_kind",
    "object_key",
    "object",
    "field",
    "before",
    "after",
)


def _jsonable(value: Any) -> Any:
    """``value`` as plain JSON (numbers, text, lists, objects), or ``None``."""
    if value is None:
        return None
    return json.loads(json.dumps(value, default=str, allow_nan=False))


def record(
    session: Session,
    actor: Actor,
    action: str,
    *,
    object_kind: str,
    object_key: str,
    object: str,
    company: str | None = None,
    field: str | None = None,
    before: Any = None,
    after: Any = None,
    at: datetime | None = None,
) -> None:
    """Add one audit row in ``session``'s transaction (written when it commits)."""
    session.add(
        AuditRow(
            at=at or datetime.now(UTC),
            actor=actor.name[:AUTHOR_MAX],
            actor_email=actor.email[:AUTHOR_MAX] if actor.email else None,
            action=action,
            company=company,
            object_kind=object_kind,
            object_key=str(object_key)[:NAME_MAX],
            object=object,
            field=field,
            before=_jsonable(before),
            after=_jsonable(after),
        )
    )


def _plain(value: Any) -> Any:
    """Whole numbers as integers (2.0 → 2), so a value reads the same from every database."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    return json.dumps(_plain(value), ensure_ascii=False, sort_keys=True, separators=(", ", ": "))


def audit_frame(
    session: Session,
    *,
    company: str | None = None,
    object_kind: str | None = None,
    object_key: str | None = None,
    limit: int | None = None,
) -> pd.DataFrame:
    """The audit rows that match every filter given, newest first (see the module)."""
    import pandas as pd

    query = select(AuditRow).order_by(AuditRow.id.desc())
    if company is not None:
        query = query.where(AuditRow.company == company)
    if object_kind is not None:
        query = query.where(AuditRow.object_kind == object_kind)
    if object_key is not None:
        query = query.where(AuditRow.object_key == object_key)
    if limit is not None:
        query = query.limit(limit)
    rows = [
        {
            "at": r.at if r.at.tzinfo else r.at.replace(tzinfo=UTC),
            "who": r.actor,
            "email": r.actor_email or "",
            "action": r.action,
            "company": r.company or "",
            "object_kind": r.object_kind,
            "object_key": r.object_key,
            "object": r.object,
            "field": r.field or "",
            "before": _text(r.before),
            "after": _text(r.after),
        }
        for r in session.scalars(query)
    ]
    frame = pd.DataFrame(rows, columns=list(AUDIT_COLUMNS))
    frame["at"] = pd.to_datetime(frame["at"], utc=True)
    return frame
