"""One approved scenario per company, not one for the whole store.

Revision 0001 allowed one ``approved`` scenario in the database; with several companies
(revision 0002) one company's approval took away another's. The partial unique index
now covers ``(coalesce(workspace_id, 0), status)`` where ``status = 'approved'``: one
approved scenario per company, and one among the scenarios of no company (``workspace_id``
null, saved before companies existed; workspace ids start at 1).

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

WHERE = sa.text("status = 'approved'")


def upgrade() -> None:
    op.drop_index("sop_scenario_one_approved", "sop_scenario")
    op.create_index(
        "sop_scenario_one_approved",
        "sop_scenario",
        [sa.text("coalesce(workspace_id, 0)"), "status"],
        unique=True,
        sqlite_where=WHERE,
        postgresql_where=WHERE,
    )


def downgrade() -> None:
    op.drop_index("sop_scenario_one_approved", "sop_scenario")
    op.create_index(
        "sop_scenario_one_approved",
        "sop_scenario",
        ["status"],
        unique=True,
        sqlite_where=WHERE,
        postgresql_where=WHERE,
    )
