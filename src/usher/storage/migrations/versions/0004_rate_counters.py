"""Rate counters: fixed-window abuse limits shared by every node on the database.

Revision ID: 0004
Revises: 0003
Create Date: 2024-07-15
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "rate_counters",
        sa.Column("key", sa.String(64), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("window_end_ms", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("key", name="pk_rate_counters"),
    )
    op.create_index("ix_rate_counters_window_end_ms", "rate_counters", ["window_end_ms"])


def downgrade() -> None:
    op.drop_index("ix_rate_counters_window_end_ms", table_name="rate_counters")
    op.drop_table("rate_counters")
