"""The scenario store as it was before migrations existed: scenarios and their versions.

Databases written before migrations are recognised by their tables and stamped with this
revision instead of running it (see :mod:`sop_core.store.migrate`).

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "sop_scenario",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("name", sa.String(200), nullable=False, unique=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("latest_version", sa.Integer, nullable=False),
        sa.Column("approved_version", sa.Integer, nullable=True),
        sa.Column("approved_by", sa.String(100), nullable=True),
        sa.Column("approved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_by", sa.String(100), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "status IN ('draft', 'proposed', 'approved')", name="sop_scenario_status"
        ),
        sa.CheckConstraint("latest_version >= 1", name="sop_scenario_latest_version"),
    )
    op.create_index(
        "sop_scenario_one_approved",
        "sop_scenario",
        ["status"],
        unique=True,
        sqlite_where=sa.text("status = 'approved'"),
        postgresql_where=sa.text("status = 'approved'"),
    )
    op.create_table(
        "sop_scenario_version",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column(
            "scenario_id",
            sa.Integer,
            sa.ForeignKey("sop_scenario.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("scenario", sa.JSON(none_as_null=True), nullable=False),
        sa.Column("provenance", sa.JSON(none_as_null=True), nullable=False),
        sa.Column("kpis", sa.JSON(none_as_null=True), nullable=True),
        sa.Column("cost_breakdown", sa.JSON(none_as_null=True), nullable=True),
        sa.Column("solve_status", sa.String(32), nullable=True),
        sa.Column("note", sa.Text, nullable=False),
        sa.Column("author", sa.String(100), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("scenario_id", "version", name="sop_scenario_version_unique"),
        sa.CheckConstraint("version >= 1", name="sop_scenario_version_positive"),
    )
    op.create_index("ix_sop_scenario_version_scenario_id", "sop_scenario_version", ["scenario_id"])


def downgrade() -> None:
    op.drop_table("sop_scenario_version")
    op.drop_table("sop_scenario")
