"""dashboard covering indexes

Revision ID: f68acf811c80
Revises: 89ad3769e05b
Create Date: 2026-11-23 02:42:26.111508

The indexes declared in the "Indexes for the dashboard's aggregates" block of handoff/models.py:
each holds every column the dashboard reads from the rows of one period scan, so SQLite reads a
covering index and PostgreSQL can do an index-only scan instead of reading the wide table rows.
Measured with benchmarks/dashboard_load.py (docs/benchmarks.md, "Dashboard at scale").
"""

from collections.abc import Sequence

from alembic import op


revision: str = 'f68acf811c80'
down_revision: str | None = '89ad3769e05b'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# name: (table, columns), the same as in handoff/models.py.
INDEXES: dict[str, tuple[str, list[str]]] = {
    "ix_tickets_created_at_cover": (
        "tickets", ["created_at", "reason", "category", "skill_group", "assignee_id", "escalated_count",
                    "bot_seconds", "conversation_id"]),
    "ix_tickets_resolved_at_cover": (
        "tickets", ["resolved_at", "resolution_business_minutes", "priority", "csat_score", "reopened_count",
                    "category", "skill_group", "assignee_id", "conversation_id"]),
    "ix_tickets_first_responded_at_cover": (
        "tickets", ["first_responded_at", "first_response_business_minutes", "priority", "category",
                    "skill_group", "assignee_id", "conversation_id"]),
    "ix_tickets_reopened_count_created_at_cover": (
        "tickets", ["reopened_count", "created_at", "resolved_at", "closed_at", "status", "category",
                    "skill_group", "assignee_id", "conversation_id"]),
    "ix_tickets_conversation_id_created_at_reason": ("tickets", ["conversation_id", "created_at", "reason"]),
    "ix_kb_queries_created_at_cover": (
        "kb_queries", ["created_at", "conversation_id", "decision", "feedback", "id"]),
}


def upgrade() -> None:
    for name, (table, columns) in INDEXES.items():
        op.create_index(name, table, columns, unique=False)


def downgrade() -> None:
    for name, (table, _) in reversed(INDEXES.items()):
        op.drop_index(name, table_name=table)
