"""Workspaces: a company's master data, history uploads and the log of every change.

Adds ``sop_workspace``, ``sop_workspace_item``, ``sop_workspace_change`` and
``sop_history_upload`` (see :mod:`sop_core.store.schema`), and ``sop_scenario.workspace_id``
so that a kept what-if (a saved draft) belongs to its company. Existing scenarios keep a
null workspace: they are listed under every company.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

JSON = sa.JSON(none_as_null=True)


def upgrade() -> None:
    op.create_table(
        "sop_workspace",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("name", sa.String(200), nullable=False, unique=True),
        sa.Column("revision", sa.Integer, nullable=False),
        sa.Column("created_by", sa.String(100), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("revision >= 0", name="sop_workspace_revision"),
    )
    op.create_table(
        "sop_workspace_item",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column(
            "workspace_id",
            sa.Integer,
            sa.ForeignKey("sop_workspace.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("key", sa.String(200), nullable=False),
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column("value", JSON, nullable=False),
        sa.Column("revision", sa.Integer, nullable=False),
        sa.Column("updated_by", sa.String(100), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("workspace_id", "kind", "key", name="sop_workspace_item_unique"),
    )
    op.create_table(
        "sop_workspace_change",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column(
            "workspace_id",
            sa.Integer,
            sa.ForeignKey("sop_workspace.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("revision", sa.Integer, nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("key", sa.String(200), nullable=False),
        sa.Column("field", sa.String(100), nullable=True),
        sa.Column("position", sa.Integer, nullable=True),
        sa.Column("before", JSON, nullable=True),
        sa.Column("after", JSON, nullable=True),
        sa.Column("summary", sa.Text, nullable=False),
        sa.Column("undoes", sa.Integer, nullable=True),
        sa.Column("author", sa.String(100), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index(
        "ix_sop_workspace_change_revision", "sop_workspace_change", ["workspace_id", "revision"]
    )
    op.create_table(
        "sop_history_upload",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column(
            "workspace_id",
            sa.Integer,
            sa.ForeignKey("sop_workspace.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("rows", sa.Integer, nullable=False),
        sa.Column("content", sa.Text, nullable=False),
        sa.Column("uploaded_by", sa.String(100), nullable=False),
        sa.Column("uploaded_at", sa.DateTime(timezone=True), nullable=False),
    )
    # a plain column (no foreign key): SQLite can add one without rebuilding the table,
    # and rebuilding it would cascade-delete the versions; the store keeps it consistent
    op.add_column("sop_scenario", sa.Column("workspace_id", sa.Integer, nullable=True))
    op.create_index("ix_sop_scenario_workspace_id", "sop_scenario", ["workspace_id"])


def downgrade() -> None:
    op.drop_index("ix_sop_scenario_workspace_id", "sop_scenario")
    op.drop_column("sop_scenario", "workspace_id")
    op.drop_table("sop_history_upload")
    op.drop_index("ix_sop_workspace_change_revision", "sop_workspace_change")
    op.drop_table("sop_workspace_change")
    op.drop_table("sop_workspace_item")
    op.drop_table("sop_workspace")
