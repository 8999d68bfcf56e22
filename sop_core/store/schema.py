"""Tables of the scenario store (SQLAlchemy 2 ORM); the API is in :mod:`sop_core.store.scenarios`.

Tables, prefixed ``sop_`` so the store can share a PostgreSQL database. They are created
and upgraded by migrations (:mod:`sop_core.store.migrate`); a change here needs a new script in
``sop_core/store/migrations/versions``.

``sop_scenario`` — one row per named scenario, the mutable header:
    id, name (unique), status (draft | proposed | approved), latest_version,
    approved_version / approved_by / approved_at (set while approved),
    created_by, created_at, workspace_id (the company it belongs to; null: every company's).

``sop_scenario_version`` — one immutable row per save:
    id, scenario_id → sop_scenario.id (ON DELETE CASCADE), version (1, 2, …; unique per
    scenario), scenario (the scenario file's JSON object), provenance (JSON object),
    kpis (JSON object name → number or null, or null when not solved), cost_breakdown
    (JSON object name → number, or null), solve_status, note, author, created_at.

``sop_workspace`` — one row per company: id, name (unique), revision (0, 1, 2, …: raised
by every change, so a reader can tell in one query whether anything changed),
created_by, created_at.

``sop_workspace_item`` — the company's current master data, one row per item:
    workspace_id, kind (``workforce``, ``policy``, ``plan``, ``family``, ``adjustment``,
    ``history``), key (stable within the kind: a family keeps its key when renamed),
    position (display order), value (JSON object), revision / updated_by / updated_at of
    its last change.

``sop_workspace_change`` — append-only log of every change, the undo history: one row
    per item changed; the rows of one user action share a revision. kind, key, field
    (the one field changed, or null for the whole item), position (of the item, so
    that undoing a removal puts it back in its place), before / after (JSON; null
    before = added, null after = removed), summary (in words), undoes (the revision this
    change reverted, or null), author, created_at.

``sop_history_upload`` — every demand history uploaded, kept as CSV text (immutable):
    workspace_id, name (the file's name), rows, content, uploaded_by, uploaded_at.

``sop_audit`` — the audit trail, append-only (triggers refuse UPDATE and DELETE in the
    database itself, SQLite and PostgreSQL, and on SQLite an INSERT OR REPLACE over an
    existing row, migration 0006): one row per change of anything in the store:
    at, actor (name), actor_email (null in local mode), action (``edit``, ``undo``,
    ``create``, ``upload``, ``save``, ``approve``, ``status``, ``rename``, ``duplicate``,
    ``delete``; on a cycle also ``sign off``, ``comment``, ``close``), company (the
    workspace's name, or null), object_kind (``family``, ``workforce``, …, ``scenario``,
    ``company``, ``history``, ``cycle``), object_key, object (in
    words: "family Pumps", "scenario Base v3"), field, before / after (JSON).

``sop_cycle`` — one monthly S&OP cycle per company and month ("2026-12 cycle"):
    id, workspace_id → sop_workspace.id (no cascade: a cycle's record outlives nothing),
    month (``YYYY-MM``; unique per company), created_by, created_at.

``sop_cycle_step`` — the cycle's five steps (see :data:`sop_core.process.cycle.STEPS`): cycle_id,
    step (``data``, ``demand``, ``supply``, ``finance``, ``executive``), position (1–5),
    owner_role, status (``open`` | ``in_review`` | ``signed_off``), signed_off_by /
    signed_off_at. A signed-off row is frozen in the database itself: triggers refuse
    its UPDATE and DELETE (SQLite and PostgreSQL) and, on SQLite, an INSERT OR REPLACE
    over it (migration 0006).

``sop_cycle_comment`` — comments on a step, append-only (triggers, as for snapshots):
    cycle_id, step, text, author, created_at.

``sop_cycle_snapshot`` — what a sign-off froze, append-only (triggers refuse UPDATE and
    DELETE, and on SQLite an INSERT OR REPLACE over an existing row): cycle_id, step,
    kind (``consensus``: the plan demand per family and period,
    ``{"periods": [...], "families": [{"name", "demand": [...]}], "revision"}``;
    ``recommended``: ``{"scenarios": [{"name", "version"}]}``; ``approved``:
    ``{"name", "version"}``), content (JSON), taken_by, taken_at.

``sop_cycle_log`` — the assumptions and decisions log: workspace_id, cycle_id (the cycle
    it was raised in), kind (``assumption`` | ``decision``), text, owner (an assumption's
    owner; who decided a decision), family (or null), due (a decision's due date, or
    null), status (``open`` | ``closed``), created_by / created_at, closed_by /
    closed_at / closed_month. An open entry is carried to every later cycle until closed.

At most one scenario per company is approved: a partial unique index on
``(coalesce(workspace_id, 0), status)`` where ``status = 'approved'`` enforces it in the
database itself (SQLite and PostgreSQL; migration 0005), the scenarios of no company
(null ``workspace_id``) counting as one more company.
Times are UTC.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

NAME_MAX = 200
AUTHOR_MAX = 100
STATUSES: tuple[str, ...] = ("draft", "proposed", "approved")

# plain JSON (PostgreSQL ``json``, not ``jsonb``) keeps the key order: KPIs and cost lines
# come back in the order the planner gave them
JsonType = JSON(none_as_null=True)


class Base(DeclarativeBase):
    """Declarative base of the store's tables."""


class ScenarioRow(Base):
    """A named scenario: its mutable header (name, status, approval, latest version)."""

    __tablename__ = "sop_scenario"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(NAME_MAX), unique=True)
    status: Mapped[str] = mapped_column(String(16), default="draft")
    latest_version: Mapped[int] = mapped_column(Integer)
    approved_version: Mapped[int | None] = mapped_column(Integer, nullable=True)
    approved_by: Mapped[str | None] = mapped_column(String(AUTHOR_MAX), nullable=True)
    approved_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    created_by: Mapped[str] = mapped_column(String(AUTHOR_MAX))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))

    workspace_id: Mapped[int | None] = mapped_column(Integer, nullable=True, index=True)

    versions: Mapped[list[VersionRow]] = relationship(
        back_populates="header",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="VersionRow.version",
    )

    __table_args__ = (
        CheckConstraint("status IN ('draft', 'proposed', 'approved')", name="sop_scenario_status"),
        CheckConstraint("latest_version >= 1", name="sop_scenario_latest_version"),
        Index(
            "sop_scenario_one_approved",
            text("coalesce(workspace_id, 0)"),
            "status",
            unique=True,
            sqlite_where=text("status = 'approved'"),
            postgresql_where=text("status = 'approved'"),
        ),
    )


class VersionRow(Base):
    """One immutable saved version of a scenario."""

    __tablename__ = "sop_scenario_version"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    scenario_id: Mapped[int] = mapped_column(
        ForeignKey("sop_scenario.id", ondelete="CASCADE"), index=True
    )
    version: Mapped[int] = mapped_column(Integer)
    scenario: Mapped[dict[str, Any]] = mapped_column(JsonType)
    provenance: Mapped[dict[str, Any]] = mapped_column(JsonType)
    kpis: Mapped[dict[str, Any] | None] = mapped_column(JsonType, nullable=True)
    cost_breakdown: Mapped[dict[str, Any] | None] = mapped_column(JsonType, nullable=True)
    solve_status: Mapped[str | None] = mapped_column(String(32), nullable=True)
    note: Mapped[str] = mapped_column(Text, default="")
    author: Mapped[str] = mapped_column(String(AUTHOR_MAX))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))

    header: Mapped[ScenarioRow] = relationship(back_populates="versions")

    __table_args__ = (
        UniqueConstraint("scenario_id", "version", name="sop_scenario_version_unique"),
        CheckConstraint("version >= 1", name="sop_scenario_version_positive"),
    )


class WorkspaceRow(Base):
    """A company's workspace: its name and its revision counter."""

    __tablename__ = "sop_workspace"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(NAME_MAX), unique=True)
    revision: Mapped[int] = mapped_column(Integer, default=0)
    created_by: Mapped[str] = mapped_column(String(AUTHOR_MAX))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))

    __table_args__ = (CheckConstraint("revision >= 0", name="sop_workspace_revision"),)


class ItemRow(Base):
    """One item of a workspace's current master data (a family, the workforce, …)."""

    __tablename__ = "sop_workspace_item"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("sop_workspace.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(32))
    key: Mapped[str] = mapped_column(String(NAME_MAX))
    position: Mapped[int] = mapped_column(Integer)
    value: Mapped[dict[str, Any]] = mapped_column(JsonType)
    revision: Mapped[int] = mapped_column(Integer)
    updated_by: Mapped[str] = mapped_column(String(AUTHOR_MAX))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))

    __table_args__ = (
        UniqueConstraint("workspace_id", "kind", "key", name="sop_workspace_item_unique"),
    )


class ChangeRow(Base):
    """One logged change of one item (append-only)."""

    __tablename__ = "sop_workspace_change"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("sop_workspace.id", ondelete="CASCADE"))
    revision: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(32))
    key: Mapped[str] = mapped_column(String(NAME_MAX))
    field: Mapped[str | None] = mapped_column(String(100), nullable=True)
    position: Mapped[int | None] = mapped_column(Integer, nullable=True)
    before: Mapped[Any] = mapped_column(JsonType, nullable=True)
    after: Mapped[Any] = mapped_column(JsonType, nullable=True)
    summary: Mapped[str] = mapped_column(Text)
    undoes: Mapped[int | None] = mapped_column(Integer, nullable=True)
    author: Mapped[str] = mapped_column(String(AUTHOR_MAX))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))

    __table_args__ = (Index("ix_sop_workspace_change_revision", "workspace_id", "revision"),)


class HistoryUploadRow(Base):
    """One uploaded demand history, kept as CSV text."""

    __tablename__ = "sop_history_upload"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("sop_workspace.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(NAME_MAX))
    rows: Mapped[int] = mapped_column(Integer)
    content: Mapped[str] = mapped_column(Text)
    uploaded_by: Mapped[str] = mapped_column(String(AUTHOR_MAX))
    uploaded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class AuditRow(Base):
    """One change of anything in the store, who made it and when (append-only)."""

    __tablename__ = "sop_audit"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    actor: Mapped[str] = mapped_column(String(AUTHOR_MAX))
    actor_email: Mapped[str | None] = mapped_column(String(AUTHOR_MAX), nullable=True)
    action: Mapped[str] = mapped_column(String(32))
    company: Mapped[str | None] = mapped_column(String(NAME_MAX), nullable=True)
    object_kind: Mapped[str] = mapped_column(String(32))
    object_key: Mapped[str] = mapped_column(String(NAME_MAX))
    object: Mapped[str] = mapped_column(Text)
    field: Mapped[str | None] = mapped_column(String(100), nullable=True)
    before: Mapped[Any] = mapped_column(JsonType, nullable=True)
    after: Mapped[Any] = mapped_column(JsonType, nullable=True)

    __table_args__ = (
        Index("ix_sop_audit_company", "company", "id"),
        Index("ix_sop_audit_object", "object_kind", "object_key"),
    )


CYCLE_STEP_STATUSES: tuple[str, ...] = ("open", "in_review", "signed_off")


class CycleRow(Base):
    """A company's monthly S&OP cycle."""

    __tablename__ = "sop_cycle"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("sop_workspace.id"))
    month: Mapped[str] = mapped_column(String(7))
    created_by: Mapped[str] = mapped_column(String(AUTHOR_MAX))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))

    __table_args__ = (UniqueConstraint("workspace_id", "month", name="sop_cycle_month_unique"),)


class CycleStepRow(Base):
    """One step of a cycle: its owner role, status and sign-off (frozen once signed off)."""

    __tablename__ = "sop_cycle_step"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("sop_cycle.id"))
    step: Mapped[str] = mapped_column(String(16))
    position: Mapped[int] = mapped_column(Integer)
    owner_role: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16), default="open")
    signed_off_by: Mapped[str | None] = mapped_column(String(AUTHOR_MAX), nullable=True)
    signed_off_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)

    __table_args__ = (
        UniqueConstraint("cycle_id", "step", name="sop_cycle_step_unique"),
        CheckConstraint(
            "status IN ('open', 'in_review', 'signed_off')", name="sop_cycle_step_status"
        ),
    )


class CycleCommentRow(Base):
    """A comment on a step of a cycle (append-only)."""

    __tablename__ = "sop_cycle_comment"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("sop_cycle.id"), index=True)
    step: Mapped[str] = mapped_column(String(16))
    text: Mapped[str] = mapped_column(Text)
    author: Mapped[str] = mapped_column(String(AUTHOR_MAX))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class CycleSnapshotRow(Base):
    """What a sign-off froze: the consensus, the recommended or the approved scenario
    (append-only)."""

    __tablename__ = "sop_cycle_snapshot"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("sop_cycle.id"), index=True)
    step: Mapped[str] = mapped_column(String(16))
    kind: Mapped[str] = mapped_column(String(16))
    content: Mapped[dict[str, Any]] = mapped_column(JsonType)
    taken_by: Mapped[str] = mapped_column(String(AUTHOR_MAX))
    taken_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class CycleLogRow(Base):
    """An assumption or a decision, raised in a cycle and carried until closed."""

    __tablename__ = "sop_cycle_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("sop_workspace.id"))
    cycle_id: Mapped[int] = mapped_column(ForeignKey("sop_cycle.id"))
    kind: Mapped[str] = mapped_column(String(16))
    text: Mapped[str] = mapped_column(Text)
    owner: Mapped[str] = mapped_column(String(AUTHOR_MAX))
    family: Mapped[str | None] = mapped_column(String(NAME_MAX), nullable=True)
    due: Mapped[date | None] = mapped_column(Date, nullable=True)
    status: Mapped[str] = mapped_column(String(16), default="open")
    created_by: Mapped[str] = mapped_column(String(AUTHOR_MAX))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    closed_by: Mapped[str | None] = mapped_column(String(AUTHOR_MAX), nullable=True)
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    closed_month: Mapped[str | None] = mapped_column(String(7), nullable=True)

    __table_args__ = (
        CheckConstraint("kind IN ('assumption', 'decision')", name="sop_cycle_log_kind"),
        CheckConstraint("status IN ('open', 'closed')", name="sop_cycle_log_status"),
        Index("ix_sop_cycle_log_workspace", "workspace_id", "status"),
    )
