"""Append-only rows cannot be overwritten by an INSERT either (SQLite's REPLACE).

Revisions 0003 and 0004 refuse UPDATE and DELETE of audit rows, cycle snapshots and
comments, and of a signed-off cycle step. On SQLite, ``INSERT OR REPLACE`` (or ``REPLACE
INTO``) with the key of an existing row got past them: the REPLACE conflict resolution
deletes the old row without firing its delete triggers (unless ``PRAGMA
recursive_triggers`` is on), so an audit row's author could be rewritten. A ``BEFORE
INSERT`` trigger fires before that implicit delete: it now refuses an insert whose key is
already held, with the same message as the other refusals (for a step: held by a
signed-off step, by ``id`` or by ``(cycle_id, step)``, its two unique keys). It lives in
the database, so it holds whoever connects, whatever their connection's pragmas.

An upsert (``INSERT … ON CONFLICT … DO UPDATE``) fires the UPDATE triggers, on SQLite and
on PostgreSQL, and was refused already; PostgreSQL has no REPLACE, so nothing changes
there.

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

AUDIT = "sop_audit is append-only: audit rows cannot be changed or deleted"
SIGNED = "a signed-off cycle step cannot be changed or deleted"


def _message(table: str) -> str:
    return f"{table} is append-only: its rows cannot be changed or deleted"


# table → (the rows an INSERT must not overwrite, the refusal)
GUARDED = {
    "sop_audit": ("id = NEW.id", AUDIT),
    "sop_cycle_snapshot": ("id = NEW.id", _message("sop_cycle_snapshot")),
    "sop_cycle_comment": ("id = NEW.id", _message("sop_cycle_comment")),
    "sop_cycle_step": (
        "status = 'signed_off' AND (id = NEW.id OR (cycle_id = NEW.cycle_id AND step = NEW.step))",
        SIGNED,
    ),
}


def upgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    for table, (held, message) in GUARDED.items():
        op.execute(
            f"CREATE TRIGGER {table}_no_replace BEFORE INSERT ON {table} "
            f"WHEN EXISTS (SELECT 1 FROM {table} WHERE {held}) "
            f"BEGIN SELECT RAISE(ABORT, '{message}'); END"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    for table in GUARDED:
        op.execute(f"DROP TRIGGER IF EXISTS {table}_no_replace")
