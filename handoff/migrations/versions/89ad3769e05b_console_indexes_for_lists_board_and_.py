"""console indexes for lists, board and ticket page at scale

Revision ID: 89ad3769e05b
Revises: 296eab8ac387
Create Date: 2026-11-23 01:14:11.110751
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import handoff.models


revision: str = '89ad3769e05b'
down_revision: str | None = '296eab8ac387'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Filled in with the console's load benchmark (benchmarks/console_load.py).
    pass


def downgrade() -> None:
    pass
