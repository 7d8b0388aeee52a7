"""sla next check moment and auto-close index

Revision ID: d2a7c1b5b62d
Revises: cefc5450910d
Create Date: 2026-11-23 04:22:07.392930

tickets.sla_next_check_at lets the SLA pass read only the tickets whose SLA state can change
now (handoff.sla_service.run_sla_checks); ix_tickets_resolved_to_close (partial: resolved tickets)
lets auto-close find the old resolved tickets without reading every resolved one.
"""

from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

import handoff.models


revision: str = 'd2a7c1b5b62d'
down_revision: str | None = 'cefc5450910d'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OPEN_STATES = ("new", "in_progress", "awaiting_customer")
RESOLVED = sa.text("status = 'resolved'")


def upgrade() -> None:
    with op.batch_alter_table('tickets', schema=None) as batch_op:
        batch_op.add_column(sa.Column('sla_next_check_at', handoff.models.UTCDateTime(timezone=True), nullable=True))
        batch_op.create_index(batch_op.f('ix_tickets_sla_next_check_at'), ['sla_next_check_at'], unique=False)
        batch_op.create_index('ix_tickets_resolved_to_close', ['resolved_at'], unique=False,
                              sqlite_where=RESOLVED, postgresql_where=RESOLVED)
    # Open tickets are due for a check at once: the first pass computes their real next moment.
    tickets = sa.table(
        "tickets",
        sa.column("status", sa.String()),
        sa.column("sla_next_check_at", handoff.models.UTCDateTime(timezone=True)),
    )
    op.execute(
        tickets.update()
        .where(tickets.c.status.in_(OPEN_STATES))
        .values(sla_next_check_at=datetime.now(UTC))
    )


def downgrade() -> None:
    op.drop_index('ix_tickets_resolved_to_close', table_name='tickets')
    op.drop_index('ix_tickets_sla_next_check_at', table_name='tickets')
    # A plain ALTER TABLE ... DROP COLUMN (SQLite 3.35+): batch mode would copy the table, which
    # the foreign keys pointing at tickets refuse.
    op.drop_column('tickets', 'sla_next_check_at')
