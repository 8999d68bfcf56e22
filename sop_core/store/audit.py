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

With ``words=True`` it is the trail for people instead (:data:`AUDIT_WORDS_COLUMNS`,
headed by :data:`AUDIT_HEADERS`): the time as text, the field by its label, before and
after in words (:func:`audit_value_words`). A download keeps the exact values under the
same headers (:func:`audit_download`).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from sop_core.base.access import Actor
from sop_core.base.fields import label
from sop_core.base.words import field_label, item_words, value_words
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

#: the columns of the trail for people (``words=True``), before their headers
AUDIT_WORDS_COLUMNS: tuple[str, ...] = tuple(
    c for c in AUDIT_COLUMNS if c not in ("object_kind", "object_key")
)
#: column -> header, on the page and in the downloads
AUDIT_HEADERS: dict[str, str] = {
    "at": "When (UTC)",
    "who": "Who",
    "email": "E-mail",
    "action": "Action",
    "company": "Company",
    "object_kind": "Kind of object",
    "object_key": "Object key",
    "object": "Object",
    "field": "Field",
    "before": "Before",
    "after": "After",
}


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


def audit_field_words(object_kind: str, object_key: str, field: str | None) -> str:
    """The changed field by its label ("Holding $ / unit / period"); a setting's value by
    the setting's; empty when the whole object changed."""
    if not field:
        return ""
    if object_kind == "setting" and field == "value":
        return label(object_key)
    return field_label(field)


def audit_value_words(object_kind: str, object_key: str, field: str | None, value: Any) -> str:
    """A before or after value in words: a field's value as its kind is shown ("$3.50",
    "yes"), a whole object as "Label: value; Label: value"; empty for none."""
    if object_kind == "setting" and (field == "value" or field is None):
        if field is None and isinstance(value, dict):
            value = value.get("value")
        return value_words(object_key, value, blank="")
    if field:
        return value_words(field, value, blank="")
    if isinstance(value, dict):
        return item_words(value)
    return value_words("", value, blank="")


def audit_download(frame: pd.DataFrame) -> pd.DataFrame:
    """The trail (:func:`audit_frame`) to download: the exact values, readable headers."""
    return frame.rename(columns=AUDIT_HEADERS)


def audit_frame(
    session: Session,
    *,
    company: str | None = None,
    object_kind: str | None = None,
    object_key: str | None = None,
    limit: int | None = None,
    words: bool = False,
) -> pd.DataFrame:
    """The audit rows that match every filter given, newest first (see the module); with
    ``words``, the trail for people."""
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
    if words:
        shown = [
            {
                "at": (r.at if r.at.tzinfo else r.at.replace(tzinfo=UTC)).strftime(
                    "%Y-%m-%d %H:%M:%S"
                ),
                "who": r.actor,
                "email": r.actor_email or "",
                "action": r.action,
                "company": r.company or "",
                "object": r.object,
                "field": audit_field_words(r.object_kind, r.object_key, r.field),
                "before": audit_value_words(r.object_kind, r.object_key, r.field, r.before),
                "after": audit_value_words(r.object_kind, r.object_key, r.field, r.after),
            }
            for r in session.scalars(query)
        ]
        people = pd.DataFrame(shown, columns=list(AUDIT_WORDS_COLUMNS))
        return people.rename(columns=AUDIT_HEADERS)
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
