"""backfill escalation counts from the timeline

Revision ID: cefc5450910d
Revises: f68acf811c80
Create Date: 2026-11-23 03:06:25.874330
"""

from collections.abc import Sequence

from alembic import op



revision: str = 'cefc5450910d'
down_revision: str | None = 'f68acf811c80'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Tickets escalated before tickets.escalated_count existed got 0; count their escalations
    # from the timeline so the dashboard's escalation rate covers them too.
    op.execute(
        """
        UPDATE tickets SET escalated_count = (
            SELECT count(*) FROM ticket_events
            WHERE ticket_events.ticket_id = tickets.id AND ticket_events.kind = 'escalated'
        )
        WHERE escalated_count = 0 AND EXISTS (
            SELECT 1 FROM ticket_events
            WHERE ticket_events.ticket_id = tickets.id AND ticket_events.kind = 'escalated'
        )
        """
    )


def downgrade() -> None:
    # The counts are right for the older schema too (it just did not read them).
    pass
