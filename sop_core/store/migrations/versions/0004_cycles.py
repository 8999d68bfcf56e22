"""Monthly S&OP cycles: steps and sign-offs, comments, snapshots, assumptions and decisions.

Adds ``sop_cycle``, ``sop_cycle_step``, ``sop_cycle_comment``, ``sop_cycle_snapshot`` and
``sop_cycle_log`` (see :mod:`sop_core.store.schema`). What a sign-off fixed cannot change
in the database itself, on SQLite and PostgreSQL: triggers refuse UPDATE and DELETE of
snapshots and comments, and of a step once it is signed off.

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

JSON = sa.JSON(none_as_null=True)
APPEND_ONLY = ("sop_cycle_snapshot", "sop_cycle_comment")
SIGNED = "a signed-off cycle step cannot be changed or deleted"


def _message(table: str) -> str:
    return f"{table} is append-only: its rows cannot be changed or deleted"


def upgrade() -> None:
    op.create_table(
        "sop_cycle",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("workspace_id", sa.Integer, sa.ForeignKey("sop_workspace.id"), nullable=False),
        sa.Column("month", sa.String(7), nullable=False),
        sa.Column("created_by", sa.String(100), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("workspace_id", "month", name="sop_cycle_month_unique"),
    )
    op.create_table(
        "sop_cycle_step",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("cycle_id", sa.Integer, sa.ForeignKey("sop_cycle.id"), nullable=False),
        sa.Column("step", sa.String(16), nullable=False),
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column("owner_role", sa.String(32), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("signed_off_by", sa.String(100), nullable=True),
        sa.Column("signed_off_at", sa.DateTime(timezone=True), nullable=True),
        sa.UniqueConstraint("cycle_id", "step", name="sop_cycle_step_unique"),
        sa.CheckConstraint(
            "status IN ('open', 'in_review', 'signed_off')", name="sop_cycle_step_status"
        ),
    )
    op.create_table(
        "sop_cycle_comment",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("cycle_id", sa.Integer, sa.ForeignKey("sop_cycle.id"), nullable=False),
        sa.Column("step", sa.String(16), nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("author", sa.String(100), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_sop_cycle_comment_cycle_id", "sop_cycle_comment", ["cycle_id"])
    op.create_table(
        "sop_cycle_snapshot",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("cycle_id", sa.Integer, sa.ForeignKey("sop_cycle.id"), nullable=False),
        sa.Column("step", sa.String(16), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("content", JSON, nullable=False),
        sa.Column("taken_by", sa.String(100), nullable=False),
        sa.Column("taken_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_sop_cycle_snapshot_cycle_id", "sop_cycle_snapshot", ["cycle_id"])
    op.create_table(
        "sop_cycle_log",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("workspace_id", sa.Integer, sa.ForeignKey("sop_workspace.id"), nullable=False),
        sa.Column("cycle_id", sa.Integer, sa.ForeignKey("sop_cycle.id"), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("owner", sa.String(100), nullable=False),
        sa.Column("family", sa.String(200), nullable=True),
        sa.Column("due", sa.Date, nullable=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("created_by", sa.String(100), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closed_by", sa.String(100), nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("closed_month", sa.String(7), nullable=True),
        sa.CheckConstraint("kind IN ('assumption', 'decision')", name="sop_cycle_log_kind"),
        sa.CheckConstraint("status IN ('open', 'closed')", name="sop_cycle_log_status"),
    )
    op.create_index("ix_sop_cycle_log_workspace", "sop_cycle_log", ["workspace_id", "status"])
    if op.get_bind().dialect.name == "postgresql":
        for table in APPEND_ONLY:
            op.execute(
                f"CREATE OR REPLACE FUNCTION {table}_append_only() RETURNS trigger "
                f"LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION '{_message(table)}'; END $$"
            )
            op.execute(
                f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                f"FOR EACH ROW EXECUTE FUNCTION {table}_append_only()"
            )
            op.execute(
                f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
                f"FOR EACH STATEMENT EXECUTE FUNCTION {table}_append_only()"
            )
        op.execute(
            "CREATE OR REPLACE FUNCTION sop_cycle_step_signed() RETURNS trigger "
            "LANGUAGE plpgsql AS $$ BEGIN "
            f"IF OLD.status = 'signed_off' THEN RAISE EXCEPTION '{SIGNED}'; END IF; "
            "IF TG_OP = 'DELETE' THEN RETURN OLD; END IF; RETURN NEW; END $$"
        )
        op.execute(
            "CREATE TRIGGER sop_cycle_step_signed BEFORE UPDATE OR DELETE ON sop_cycle_step "
            "FOR EACH ROW EXECUTE FUNCTION sop_cycle_step_signed()"
        )
    else:
        for table in APPEND_ONLY:
            for event in ("UPDATE", "DELETE"):
                op.execute(
                    f"CREATE TRIGGER {table}_no_{event.lower()} BEFORE {event} ON {table} "
                    f"BEGIN SELECT RAISE(ABORT, '{_message(table)}'); END"
                )
        for event in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER sop_cycle_step_signed_{event.lower()} BEFORE {event} "
                "ON sop_cycle_step WHEN OLD.status = 'signed_off' "
                f"BEGIN SELECT RAISE(ABORT, '{SIGNED}'); END"
            )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS sop_cycle_step_signed ON sop_cycle_step")
        op.execute("DROP FUNCTION IF EXISTS sop_cycle_step_signed()")
        for table in APPEND_ONLY:
            op.execute(f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table}")
            op.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
            op.execute(f"DROP FUNCTION IF EXISTS {table}_append_only()")
    else:
        for event in ("update", "delete"):
            op.execute(f"DROP TRIGGER IF EXISTS sop_cycle_step_signed_{event}")
            for table in APPEND_ONLY:
                op.execute(f"DROP TRIGGER IF EXISTS {table}_no_{event}")
    op.drop_index("ix_sop_cycle_log_workspace", "sop_cycle_log")
    op.drop_table("sop_cycle_log")
    op.drop_index("ix_sop_cycle_snapshot_cycle_id", "sop_cycle_snapshot")
    op.drop_table("sop_cycle_snapshot")
    op.drop_index("ix_sop_cycle_comment_cycle_id", "sop_cycle_comment")
    op.drop_table("sop_cycle_comment")
    op.drop_table("sop_cycle_step")
    op.drop_table("sop_cycle")
