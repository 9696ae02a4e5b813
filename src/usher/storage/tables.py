"""The schema as SQLAlchemy Core tables; times are BigInteger epoch milliseconds (UTC)."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    false,
)

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

metadata = MetaData(naming_convention=NAMING_CONVENTION)

# SQLite makes a rowid alias (and so autoincrement) only of a column declared exactly INTEGER PRIMARY KEY.
SERIAL = BigInteger().with_variant(Integer, "sqlite")
ID = String(64)
DIGEST = String(64)
USER_AGENT_MAX = 512

apps = Table(
    "apps",
    metadata,
    Column("id", ID, primary_key=True),
    Column("name", Text, nullable=False),
    Column("settings", Text, nullable=False),  # JSON of core.app_settings.settings_to_dict
    Column("secret_digest", DIGEST, nullable=True, unique=True),
    Column("previous_secret_digest", DIGEST, nullable=True, index=True),
    Column("previous_secret_expires_ms", BigInteger, nullable=True),
    Column("created_ms", BigInteger, nullable=False),
    Column("updated_ms", BigInteger, nullable=False),
)

users = Table(
    "users",
    metadata,
    Column("number", SERIAL, primary_key=True, autoincrement=True),
    Column("app_id", ID, ForeignKey("apps.id", ondelete="CASCADE"), nullable=False),
    Column("id", ID, nullable=False),
    Column("username", Text, nullable=True),  # as typed, for display
    Column("email", Text, nullable=True),
    Column("username_key", Text, nullable=True),  # canonical forms (core.identity.canonical)
    Column("email_key", Text, nullable=True),
    Column("password_hash", Text, nullable=True),
    Column("first_name", Text, nullable=False, server_default=""),
    Column("last_name", Text, nullable=False, server_default=""),
    Column("language", Text, nullable=False, server_default=""),
    Column("profile", Text, nullable=False, server_default="{}"),  # JSON object of strings
    Column("permission_level", Integer, nullable=False, server_default="0"),
    Column("is_admin", Boolean, nullable=False, server_default=false()),
    Column("disabled", Boolean, nullable=False, server_default=false()),
    Column("email_verified", Boolean, nullable=False, server_default=false()),
    Column("email_verified_ms", BigInteger, nullable=True),
    Column("created_ms", BigInteger, nullable=False),
    Column("updated_ms", BigInteger, nullable=False),
    Column("last_signin_ms", BigInteger, nullable=True),
    Column("password_changed_ms", BigInteger, nullable=True),
    UniqueConstraint("app_id", "id"),
    Index(None, "app_id", "created_ms", "number"),
    sqlite_autoincrement=True,  # never reuse a number: dialects show it as the user's id
)

# One row per distinct canonical email/username per user: the single unique index that keeps a username
# from equalling another account's email (SPEC §2).
identifiers = Table(
    "identifiers",
    metadata,
    Column("app_id", ID, primary_key=True),
    Column("key", Text, primary_key=True),
    Column("user_number", SERIAL, ForeignKey("users.number", ondelete="CASCADE"), nullable=False, index=True),
    Column("kind", String(16), nullable=False),  # "email" | "username"
)

sessions = Table(
    "sessions",
    metadata,
    Column("id", ID, primary_key=True),  # public id
    Column("app_id", ID, nullable=False),
    Column("user_number", SERIAL, ForeignKey("users.number", ondelete="CASCADE"), nullable=False, index=True),
    Column("token_digest", DIGEST, nullable=False, unique=True),
    Column("created_ms", BigInteger, nullable=False),
    Column("expires_ms", BigInteger, nullable=False),
    Column("last_seen_ms", BigInteger, nullable=False),
    Column("revoked_ms", BigInteger, nullable=True),
    Column("client_address", Text, nullable=True),
    Column("user_agent", String(USER_AGENT_MAX), nullable=True),
)

# No foreign key to apps: events outlive the apps and users they name.
audit_events = Table(
    "audit_events",
    metadata,
    Column("id", SERIAL, primary_key=True, autoincrement=True),
    Column("app_id", ID, nullable=False),
    Column("user_id", Text, nullable=True),  # Text: an event may name whatever id a caller sent
    Column("type", Text, nullable=False),
    Column("outcome", Text, nullable=False),
    Column("at_ms", BigInteger, nullable=False),
    Column("client_address", Text, nullable=True),
    Column("user_agent", String(USER_AGENT_MAX), nullable=True),
    Column("detail", Text, nullable=False, server_default="{}"),
    Index(None, "app_id", "at_ms"),
    Index(None, "app_id", "user_id"),
)

# Codes are kept as digests only (SPEC §2); a short code's digest is salted, so digests are unique across kinds.
one_time_codes = Table(
    "one_time_codes",
    metadata,
    Column("id", ID, primary_key=True),
    Column("app_id", ID, nullable=False),
    Column("user_number", SERIAL, ForeignKey("users.number", ondelete="CASCADE"), nullable=False),
    Column("purpose", String(64), nullable=False),
    Column("short", Boolean, nullable=False),
    Column("digest", DIGEST, nullable=False, unique=True),
    Column("salt", String(64), nullable=True),
    Column("email", Text, nullable=True),  # as mailed: verifying proves this address, not a later one
    Column("created_ms", BigInteger, nullable=False),
    Column("expires_ms", BigInteger, nullable=False),
    Column("used_ms", BigInteger, nullable=True),
    Column("attempts", Integer, nullable=False, server_default="0"),
    Column("redirect_url", Text, nullable=True),
    Column("failure_redirect_url", Text, nullable=True),
    # user_number leads: it serves the per-user queries and the ON DELETE CASCADE (numbers are global).
    Index(None, "user_number", "purpose", "created_ms"),
)

# Mail waiting for the dispatcher. `secrets` holds the sealed JSON of the code and link (security.sealing),
# or "" once delivered, given up or expired. `lease_owner` is the claim token of the dispatcher holding it.
outbox = Table(
    "outbox",
    metadata,
    Column("id", ID, primary_key=True),
    Column("app_id", ID, nullable=False),
    Column("to_address", Text, nullable=False),
    Column("to_key", Text, nullable=False),  # canonical form, for `usher mail outbox --to`
    Column("purpose", String(64), nullable=False),
    Column("variables", Text, nullable=False, server_default="{}"),  # JSON object of strings
    Column("secrets", Text, nullable=False, server_default=""),
    Column("overrides", Text, nullable=False, server_default="{}"),  # JSON of MailOverrides
    Column("created_ms", BigInteger, nullable=False),
    Column("expires_ms", BigInteger, nullable=False),
    Column("state", String(16), nullable=False),  # pending | sent | failed | expired
    Column("attempts", Integer, nullable=False, server_default="0"),
    Column("next_attempt_ms", BigInteger, nullable=False),
    Column("lease_until_ms", BigInteger, nullable=True),
    Column("lease_owner", String(64), nullable=True),
    Column("sent_ms", BigInteger, nullable=True),
    Column("last_error", Text, nullable=True),
    Index(None, "state", "next_attempt_ms"),
    Index(None, "to_key", "created_ms"),
)

# JWT signing keys; `private_pem` is sealed (security.sealing, its own derived key, the kid as associated data).
signing_keys = Table(
    "signing_keys",
    metadata,
    Column("kid", String(64), primary_key=True),  # RFC 7638 thumbprint of the public key
    Column("app_id", ID, ForeignKey("apps.id", ondelete="CASCADE"), nullable=False),
    Column("alg", String(16), nullable=False),
    Column("private_pem", Text, nullable=False),
    Column("public_jwk", Text, nullable=False),  # JSON object
    Column("created_ms", BigInteger, nullable=False),
    Column("retired_ms", BigInteger, nullable=True),  # stopped signing
    Column("drop_ms", BigInteger, nullable=True),  # leaves JWKS
    Index(None, "app_id", "created_ms"),
)

# Opaque refresh tokens, as digests; the family is the session, whose owner is the token's user.
refresh_tokens = Table(
    "refresh_tokens",
    metadata,
    Column("id", ID, primary_key=True),
    Column("app_id", ID, nullable=False),
    Column("session_id", ID, ForeignKey("sessions.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("digest", DIGEST, nullable=False, unique=True),
    Column("parent_id", ID, nullable=True),
    Column("created_ms", BigInteger, nullable=False),
    Column("expires_ms", BigInteger, nullable=False),
    Column("spent_ms", BigInteger, nullable=True),
)

# Custom per-user attributes (JWT User Service); the serial id is shown to clients.
user_attributes = Table(
    "user_attributes",
    metadata,
    Column("id", SERIAL, primary_key=True, autoincrement=True),
    Column("user_number", SERIAL, ForeignKey("users.number", ondelete="CASCADE"), nullable=False),
    Column("key", Text, nullable=False),
    Column("value", Text, nullable=False),
    UniqueConstraint("user_number", "key"),
    sqlite_autoincrement=True,
)

# Fixed-window abuse counters (usher.limiting.database); `key` is the SHA-256 hex of the limiter's key, so no
# address or identifier is stored. Rows whose window ended long ago are deleted now and then by the counter.
rate_counters = Table(
    "rate_counters",
    metadata,
    Column("key", DIGEST, primary_key=True),
    Column("count", Integer, nullable=False),
    Column("window_end_ms", BigInteger, nullable=False, index=True),
)
