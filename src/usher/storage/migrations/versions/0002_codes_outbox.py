"""One-time codes and the mail outbox.

Revision ID: 0002
Revises: 0001
Create Date: 2024-06-15
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

SERIAL = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "one_time_codes",
        sa.Column("id", sa.String(64), nullable=False),
        sa.Column("app_id", sa.String(64), nullable=False),
        sa.Column("user_number", SERIAL, nullable=False),
        sa.Column("purpose", sa.String(64), nullable=False),
        sa.Column("short", sa.Boolean(), nullable=False),
        sa.Column("digest", sa.String(64), nullable=False),
        sa.Column("salt", sa.String(64), nullable=True),
        sa.Column("email", sa.Text(), nullable=True),
        sa.Column("created_ms", sa.BigInteger(), nullable=False),
        sa.Column("expires_ms", sa.BigInteger(), nullable=False),
        sa.Column("used_ms", sa.BigInteger(), nullable=True),
        sa.Column("attempts", sa.Integer(), server_default="0", nullable=False),
        sa.Column("redirect_url", sa.Text(), nullable=True),
        sa.Column("failure_redirect_url", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_number"], ["users.number"], name="fk_one_time_codes_user_number_users", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_one_time_codes"),
        sa.UniqueConstraint("digest", name="uq_one_time_codes_digest"),
    )
    op.create_index(
        "ix_one_time_codes_user_number_purpose_created_ms", "one_time_codes", ["user_number", "purpose", "created_ms"]
    )

    op.create_table(
        "outbox",
        sa.Column("id", sa.String(64), nullable=False),
        sa.Column("app_id", sa.String(64), nullable=False),
        sa.Column("to_address", sa.Text(), nullable=False),
        sa.Column("to_key", sa.Text(), nullable=False),
        sa.Column("purpose", sa.String(64), nullable=False),
        sa.Column("variables", sa.Text(), server_default="{}", nullable=False),
        sa.Column("secrets", sa.Text(), server_default="", nullable=False),
        sa.Column("overrides", sa.Text(), server_default="{}", nullable=False),
        sa.Column("created_ms", sa.BigInteger(), nullable=False),
        sa.Column("expires_ms", sa.BigInteger(), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer(), server_default="0", nullable=False),
        sa.Column("next_attempt_ms", sa.BigInteger(), nullable=False),
        sa.Column("lease_until_ms", sa.BigInteger(), nullable=True),
        sa.Column("lease_owner", sa.String(64), nullable=True),
        sa.Column("sent_ms", sa.BigInteger(), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_outbox"),
    )
    op.create_index("ix_outbox_state_next_attempt_ms", "outbox", ["state", "next_attempt_ms"])
    op.create_index("ix_outbox_to_key_created_ms", "outbox", ["to_key", "created_ms"])


def downgrade() -> None:
    op.drop_index("ix_outbox_to_key_created_ms", table_name="outbox")
    op.drop_index("ix_outbox_state_next_attempt_ms", table_name="outbox")
    op.drop_table("outbox")
    op.drop_index("ix_one_time_codes_user_number_purpose_created_ms", table_name="one_time_codes")
    op.drop_table("one_time_codes")
