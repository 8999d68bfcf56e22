"""The audit trail: ``sop_audit``, append-only in the database itself.

One row per change of anything in the store (see :mod:`sop_core.store.schema`). Triggers
refuse UPDATE and DELETE on it, on SQLite and on PostgreSQL, so no code path of the app
(nor a slip in a later one) can rewrite who did what.

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

JSON = sa.JSON(none_as_null=True)
MESSAGE = "sop_audit is append-only: audit rows cannot be changed or deleted"


def upgrade() -> None:
    op.create_table(
        "sop_audit",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(100), nullable=False),
        sa.Column("actor_email", sa.String(100), nullable=True),
        sa.Column("action", sa.String(32), nullable=False),
        sa.Column("company", sa.String(200), nullable=True),
        sa.Column("object_kind", sa.String(32), nullable=False),
        sa.Column("object_key", sa.String(200), nullable=False),
        sa.Column("object", sa.Text, nullable=False),
        sa.Column("field", sa.String(100), nullable=True),
        sa.Column("before", JSON, nullable=True),
        sa.Column("after", JSON, nullable=True),
    )
    op.create_index("ix_sop_audit_company", "sop_audit", ["company", "id"])
    op.create_index("ix_sop_audit_object", "sop_audit", ["object_kind", "object_key"])
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE OR REPLACE FUNCTION sop_audit_append_only() RETURNS trigger "
            f"LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION '{MESSAGE}'; END $$"
        )
        op.execute(
            "CREATE TRIGGER sop_audit_append_only BEFORE UPDATE OR DELETE ON sop_audit "
            "FOR EACH ROW EXECUTE FUNCTION sop_audit_append_only()"
        )
        op.execute(
            "CREATE TRIGGER sop_audit_no_truncate BEFORE TRUNCATE ON sop_audit "
            "FOR EACH STATEMENT EXECUTE FUNCTION sop_audit_append_only()"
        )
    else:
        for event in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER sop_audit_no_{event.lower()} BEFORE {event} ON sop_audit "
                f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END"
            )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS sop_audit_no_truncate ON sop_audit")
        op.execute("DROP TRIGGER IF EXISTS sop_audit_append_only ON sop_audit")
        op.execute("DROP FUNCTION IF EXISTS sop_audit_append_only()")
    else:
        op.execute("DROP TRIGGER IF EXISTS sop_audit_no_update")
        op.execute("DROP TRIGGER IF EXISTS sop_audit_no_delete")
    op.drop_index("ix_sop_audit_object", "sop_audit")
    op.drop_index("ix_sop_audit_company", "sop_audit")
    op.drop_table("sop_audit")
