"""Signing keys, refresh tokens and user attributes.

Revision ID: 0003
Revises: 0002
Create Date: 2024-07-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

SERIAL = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "signing_keys",
        sa.Column("kid", sa.String(64), nullable=False),
        sa.Column("app_id", sa.String(64), nullable=False),
        sa.Column("alg", sa.String(16), nullable=False),
        sa.Column("private_pem", sa.Text(), nullable=False),
        sa.Column("public_jwk", sa.Text(), nullable=False),
        sa.Column("created_ms", sa.BigInteger(), nullable=False),
        sa.Column("retired_ms", sa.BigInteger(), nullable=True),
        sa.Column("drop_ms", sa.BigInteger(), nullable=True),
        sa.ForeignKeyConstraint(["app_id"], ["apps.id"], name="fk_signing_keys_app_id_apps", ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("kid", name="pk_signing_keys"),
    )
    op.create_index("ix_signing_keys_app_id_created_ms", "signing_keys", ["app_id", "created_ms"])

    op.create_table(
        "refresh_tokens",
        sa.Column("id", sa.String(64), nullable=False),
        sa.Column("app_id", sa.String(64), nullable=False),
        sa.Column("session_id", sa.String(64), nullable=False),
        sa.Column("digest", sa.String(64), nullable=False),
        sa.Column("parent_id", sa.String(64), nullable=True),
        sa.Column("created_ms", sa.BigInteger(), nullable=False),
        sa.Column("expires_ms", sa.BigInteger(), nullable=False),
        sa.Column("spent_ms", sa.BigInteger(), nullable=True),
        sa.ForeignKeyConstraint(
            ["session_id"], ["sessions.id"], name="fk_refresh_tokens_session_id_sessions", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_refresh_tokens"),
        sa.UniqueConstraint("digest", name="uq_refresh_tokens_digest"),
    )
    op.create_index("ix_refresh_tokens_session_id", "refresh_tokens", ["session_id"])

    op.create_table(
        "user_attributes",
        sa.Column("id", SERIAL, autoincrement=True, nullable=False),
        sa.Column("user_number", SERIAL, nullable=False),
        sa.Column("key", sa.Text(), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_number"], ["users.number"], name="fk_user_attributes_user_number_users", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_user_attributes"),
        sa.UniqueConstraint("user_number", "key", name="uq_user_attributes_user_number_key"),
        sqlite_autoincrement=True,
    )


def downgrade() -> None:
    op.drop_table("user_attributes")
    op.drop_index("ix_refresh_tokens_session_id", table_name="refresh_tokens")
    op.drop_table("refresh_tokens")
    op.drop_index("ix_signing_keys_app_id_created_ms", table_name="signing_keys")
    op.drop_table("signing_keys")
