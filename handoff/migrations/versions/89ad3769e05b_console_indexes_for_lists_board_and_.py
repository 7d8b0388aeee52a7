"""console indexes for lists, board and ticket page at scale

Revision ID: 89ad3769e05b
Revises: 296eab8ac387
Create Date: 2026-11-23 01:14:11.110751

The indexes declared at the end of handoff/models.py, measured with benchmarks/console_load.py
on 100,000 tickets and 1,000,000 messages (docs/benchmarks.md, "Console at scale").
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '89ad3769e05b'
down_revision: str | None = '296eab8ac387'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

RATED = sa.text("csat_score IS NOT NULL")


def upgrade() -> None:
    op.create_index(
        "ix_tickets_status_group_id_assignee_id", "tickets", ["status", "group_id", "assignee_id"], unique=False
    )
    op.create_index("ix_tickets_status_updated_at", "tickets", ["status", "updated_at", "id"], unique=False)
    op.create_index("ix_tickets_category", "tickets", ["category"], unique=False)
    op.create_index(
        "ix_tickets_rated_resolved_at", "tickets", ["resolved_at", "csat_score", "group_id", "assignee_id"],
        unique=False, sqlite_where=RATED, postgresql_where=RATED,
    )


def downgrade() -> None:
    op.drop_index("ix_tickets_rated_resolved_at", table_name="tickets")
    op.drop_index("ix_tickets_category", table_name="tickets")
    op.drop_index("ix_tickets_status_updated_at", table_name="tickets")
    op.drop_index("ix_tickets_status_group_id_assignee_id", table_name="tickets")
