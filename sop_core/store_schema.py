"""Tables of the scenario store (SQLAlchemy 2 ORM); the API is in :mod:`sop_core.store`.

Two tables, prefixed ``sop_`` so the store can share a PostgreSQL database:

``sop_scenario`` — one row per named scenario, the mutable header:
    id, name (unique), status (draft | proposed | approved), latest_version,
    approved_version / approved_by / approved_at (set while approved),
    created_by, created_at.

``sop_scenario_version`` — one immutable row per save:
    id, scenario_id → sop_scenario.id (ON DELETE CASCADE), version (1, 2, …; unique per
    scenario), scenario (the scenario file's JSON object), provenance (JSON object),
    kpis (JSON object name → number or null, or null when not solved), cost_breakdown
    (JSON object name → number, or null), solve_status, note, author, created_at.

At most one scenario is approved: a partial unique index on ``status`` where
``status = 'approved'`` enforces it in the database itself (SQLite and PostgreSQL).
Times are UTC.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
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
