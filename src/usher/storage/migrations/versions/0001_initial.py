"""Initial schema: apps, users, identifiers, sessions, audit events; the `default` app.

Revision ID: 0001
Revises:
Create Date: 2024-06-01
"""

from __future__ import annotations

import time

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

SERIAL = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    apps = op.create_table(
        "apps",
        sa.Column("id", sa.String(64), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("settings", sa.Text(), nullable=False),
        sa.Column("secret_digest", sa.String(64), nullable=True),
        sa.Column("previous_secret_digest", sa.String(64), nullable=True),
        sa.Column("previous_secret_expires_ms", sa.BigInteger(), nullable=True),
        sa.Column("created_ms", sa.BigInteger(), nullable=False),
        sa.Column("updated_ms", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_apps"),
        sa.UniqueConstraint("secret_digest", name="uq_apps_secret_digest"),
    )
    op.create_index("ix_apps_previous_secret_digest", "apps", ["previous_secret_digest"])

    op.create_table(
        "users",
        sa.Column("number", SERIAL, autoincrement=True, nullable=False),
        sa.Column("app_id", sa.String(64), nullable=False),
        sa.Column("id", sa.String(64), nullable=False),
        sa.Column("username", sa.Text(), nullable=True),
        sa.Column("email", sa.Text(), nullable=True),
        sa.Column("username_key", sa.Text(), nullable=True),
        sa.Column("email_key", sa.Text(), nullable=True),
        sa.Column("password_hash", sa.Text(), nullable=True),
        sa.Column("first_name", sa.Text(), server_default="", nullable=False),
        sa.Column("last_name", sa.Text(), server_default="", nullable=False),
        sa.Column("language", sa.Text(), server_default="", nullable=False),
        sa.Column("profile", sa.Text(), server_default="{}", nullable=False),
        sa.Column("permission_level", sa.Integer(), server_default="0", nullable=False),
        sa.Column("is_admin", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("disabled", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("email_verified", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("email_verified_ms", sa.BigInteger(), nullable=True),
        sa.Column("created_ms", sa.BigInteger(), nullable=False),
        sa.Column("updated_ms", sa.BigInteger(), nullable=False),
        sa.Column("last_signin_ms", sa.BigInteger(), nullable=True),
        sa.Column("password_changed_ms", sa.BigInteger(), nullable=True),
        sa.ForeignKeyConstraint(["app_id"], ["apps.id"], name="fk_users_app_id_apps", ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("number", name="pk_users"),
        sa.UniqueConstraint("app_id", "id", name="uq_users_app_id_id"),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_users_app_id_created_ms_number", "users", ["app_id", "created_ms", "number"])

    op.create_table(
        "identifiers",
        sa.Column("app_id", sa.String(64), nullable=False),
        sa.Column("key", sa.Text(), nullable=False),
        sa.Column("user_number", SERIAL, nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_number"], ["users.number"], name="fk_identifiers_user_number_users", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("app_id", "key", name="pk_identifiers"),
    )
    op.create_index("ix_identifiers_user_number", "identifiers", ["user_number"])

    op.create_table(
        "sessions",
        sa.Column("id", sa.String(64), nullable=False),
        sa.Column("app_id", sa.String(64), nullable=False),
        sa.Column("user_number", SERIAL, nullable=False),
        sa.Column("token_digest", sa.String(64), nullable=False),
        sa.Column("created_ms", sa.BigInteger(), nullable=False),
        sa.Column("expires_ms", sa.BigInteger(), nullable=False),
        sa.Column("last_seen_ms", sa.BigInteger(), nullable=False),
        sa.Column("revoked_ms", sa.BigInteger(), nullable=True),
        sa.Column("client_address", sa.Text(), nullable=True),
        sa.Column("user_agent", sa.String(512), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_number"], ["users.number"], name="fk_sessions_user_number_users", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_sessions"),
        sa.UniqueConstraint("token_digest", name="uq_sessions_token_digest"),
    )
    op.create_index("ix_sessions_user_number", "sessions", ["user_number"])

    op.create_table(
        "audit_events",
        sa.Column("id", SERIAL, autoincrement=True, nullable=False),
        sa.Column("app_id", sa.String(64), nullable=False),
        sa.Column("user_id", sa.Text(), nullable=True),
        sa.Column("type", sa.Text(), nullable=False),
        sa.Column("outcome", sa.Text(), nullable=False),
        sa.Column("at_ms", sa.BigInteger(), nullable=False),
        sa.Column("client_address", sa.Text(), nullable=True),
        sa.Column("user_agent", sa.String(512), nullable=True),
        sa.Column("detail", sa.Text(), server_default="{}", nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_audit_events"),
    )
    op.create_index("ix_audit_events_app_id_at_ms", "audit_events", ["app_id", "at_ms"])
    op.create_index("ix_audit_events_app_id_user_id", "audit_events", ["app_id", "user_id"])

    # SPEC §6.7: a `default` app exists after `db upgrade`, with no secret key until rotate-secret.
    now_ms = int(time.time() * 1000)
    op.bulk_insert(
        apps,
        [{"id": "default", "name": "default", "settings": "{}", "created_ms": now_ms, "updated_ms": now_ms}],
    )


def downgrade() -> None:
    for index, table in (
        ("ix_audit_events_app_id_user_id", "audit_events"),
        ("ix_audit_events_app_id_at_ms", "audit_events"),
        ("ix_sessions_user_number", "sessions"),
        ("ix_identifiers_user_number", "identifiers"),
        ("ix_users_app_id_created_ms_number", "users"),
        ("ix_apps_previous_secret_digest", "apps"),
    ):
        op.drop_index(index, table_name=table)
    for table in ("audit_events", "sessions", "identifiers", "users", "apps"):
        op.drop_table(table)
