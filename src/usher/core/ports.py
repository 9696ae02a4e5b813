"""Protocols the core needs from the outside world: storage, hashing, time and randomness."""

from __future__ import annotations

from contextlib import AbstractAsyncContextManager
from datetime import datetime
from typing import Any, Protocol

from usher.core.models import (
    App,
    AppSecret,
    AppSettings,
    AuditEvent,
    AuthenticatedSession,
    Credentials,
    KeyMaterial,
    NewSession,
    NewUser,
    OneTimeCode,
    OutgoingMail,
    Page,
    RefreshToken,
    Session,
    SigningKey,
    User,
    UserChanges,
)


class AppRepository(Protocol):
    async def get(self, app_id: str) -> App | None: ...
    async def list(self) -> list[App]: ...
    async def insert(self, app: App) -> App:
        """Raises Conflict("id") when the id is taken."""
        ...

    async def update_settings(self, app_id: str, settings: AppSettings, at: datetime) -> App | None: ...
    async def get_secret(self, app_id: str) -> AppSecret | None: ...
    async def set_secret(self, secret: AppSecret, at: datetime) -> None: ...
    async def find_by_secret_digest(self, digest: str, now: datetime) -> App | None:
        """The app whose current secret, or previous one still inside its grace period, has this digest."""
        ...


class UserRepository(Protocol):
    async def insert(self, user: NewUser, email_key: str | None, username_key: str | None, at: datetime) -> User:
        """Raises Conflict("id" | "email" | "username") when an identifier is taken in the app.

        With `user.first_user_admin` the user is made admin exactly when the app has no other user, decided
        under a lock on the app so two simultaneous first sign-ups cannot both become admin."""
        ...

    async def get(self, app_id: str, user_id: str) -> User | None: ...
    async def get_by_number(self, app_id: str, number: int) -> User | None: ...
    async def find_by_email(self, app_id: str, email_key: str) -> User | None: ...
    async def find_by_username(self, app_id: str, username_key: str) -> User | None: ...
    async def credentials_by_identifier(self, app_id: str, key: str) -> Credentials | None:
        """Looks the key up as email or username."""
        ...

    async def credentials(self, app_id: str, user_id: str, *, lock: bool = False) -> Credentials | None:
        """`lock` holds the user row until the unit of work ends (PostgreSQL `FOR UPDATE`; SQLite's write
        units are serialised already), so a concurrent password change or disable waits or is seen."""
        ...

    async def update(
        self,
        app_id: str,
        user_id: str,
        changes: UserChanges,
        email_key: str | None,
        username_key: str | None,
        at: datetime,
    ) -> User | None:
        """Applies the non-None fields; keys are given when email or username change. Raises Conflict."""
        ...

    async def set_password_hash(self, app_id: str, user_id: str, password_hash: str, at: datetime) -> None:
        """Stores a new password (changes `password_changed_at`)."""
        ...

    async def upgrade_password_hash(self, app_id: str, user_id: str, old_hash: str, new_hash: str) -> None:
        """Replaces a hash with a stronger one of the same password, only if it is still `old_hash`."""
        ...

    async def set_disabled(self, app_id: str, user_id: str, disabled: bool, at: datetime) -> User | None: ...
    async def set_email_verified(self, app_id: str, user_id: str, email_key: str, at: datetime) -> User | None:
        """Marks the email verified if the user's address is still `email_key`; None otherwise."""
        ...

    async def record_signin(self, app_id: str, user_id: str, at: datetime) -> None: ...
    async def delete(self, app_id: str, user_id: str) -> bool: ...
    async def list(self, app_id: str, limit: int, offset: int) -> Page: ...


class SessionRepository(Protocol):
    async def insert(self, session: NewSession) -> Session: ...
    async def find_active(self, token_digest: str, now: datetime) -> AuthenticatedSession | None:
        """A live session (not expired, not revoked) of an enabled user, with that user."""
        ...

    async def touch(self, session_id: str, now: datetime, stale_before: datetime) -> None:
        """Sets last-seen to now if it is older than `stale_before` (at most one write a minute)."""
        ...

    async def revoke_by_digest(self, token_digest: str, now: datetime) -> Session | None: ...
    async def revoke(self, app_id: str, user_id: str, session_id: str, now: datetime) -> bool: ...
    async def revoke_all(self, app_id: str, user_id: str, now: datetime, keep: str | None = None) -> int:
        """Revokes every live session of the user except `keep` (a session id); returns how many."""
        ...

    async def list_active(self, app_id: str, user_id: str, now: datetime) -> list[Session]: ...
    async def get_active(self, session_id: str, now: datetime) -> AuthenticatedSession | None:
        """A live session by its public id (not expired, not revoked, user enabled), with its user."""
        ...


class SessionLookup(Protocol):
    """The session check's read path, outside any unit of work: it is the call usher answers most often.

    Answers from committed data only and caches nothing, so a revoked session is refused by the next check.
    """

    async def find_active(self, token_digest: str, now: datetime) -> AuthenticatedSession | None:
        """Like SessionRepository.find_active."""
        ...

    async def get_active(self, session_id: str, now: datetime) -> AuthenticatedSession | None:
        """Like SessionRepository.get_active."""
        ...

    async def aclose(self) -> None:
        """Releases connections of its own, if any."""
        ...


class AuditRepository(Protocol):
    async def append(self, event: AuditEvent) -> None: ...
    async def query(
        self,
        app_id: str,
        *,
        user_id: str | None = None,
        type: str | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        limit: int = 100,
        offset: int = 0,
    ) -> list[AuditEvent]: ...


class CodeRepository(Protocol):
    async def insert(self, code: OneTimeCode) -> None: ...
    async def find_by_digest(self, digest: str) -> OneTimeCode | None:
        """A token-kind code by its digest, whatever its state (the caller tells expired from used)."""
        ...

    async def active_for_user(self, app_id: str, user_id: str, purpose: str, now: datetime) -> list[OneTimeCode]:
        """Unused, unexpired codes of this purpose for the user, newest first."""
        ...

    async def latest_created(self, app_id: str, user_id: str, purpose: str) -> datetime | None:
        """When the newest code of this purpose was made for the user (for re-send cooldowns)."""
        ...

    async def consume(self, code_id: str, now: datetime) -> bool:
        """Marks the code used if it still is unused and unexpired; False if another request won."""
        ...

    async def count_failure(self, code_id: str) -> int:
        """Adds one failed attempt to a short code; returns the new count."""
        ...

    async def invalidate(self, app_id: str, user_id: str, now: datetime, purposes: tuple[str, ...] = ()) -> int:
        """Spends every live code of the user (all purposes when none are named)."""
        ...


class OutboxRepository(Protocol):
    async def enqueue(self, mail: OutgoingMail) -> None:
        """Adds a message in the caller's transaction: it is sent only if the change that caused it commits."""
        ...

    async def claim(self, now: datetime, lease_until: datetime, limit: int) -> list[OutgoingMail]:
        """Pending messages due now, leased to this dispatcher until `lease_until` (others skip them)."""
        ...

    async def mark_sent(self, mail_id: str, now: datetime) -> None:
        """Delivered: the state becomes sent and the secrets are blanked."""
        ...

    async def mark_failed(self, mail_id: str, error: str, next_attempt_at: datetime | None, now: datetime) -> None:
        """A failed attempt: retried at `next_attempt_at`, or given up (secrets blanked) when it is None."""
        ...

    async def expire(self, now: datetime) -> int:
        """Blanks the secrets of undelivered messages past their expiry and marks them expired."""
        ...

    async def list(self, *, to: str | None = None, limit: int = 100) -> list[OutgoingMail]:
        """Newest first, secrets included (for the development outbox and tests)."""
        ...


class SigningKeyRepository(Protocol):
    async def insert(self, key: SigningKey) -> None: ...
    async def current(self, app_id: str) -> SigningKey | None:
        """The newest key of the app that still signs."""
        ...

    async def by_kid(self, kid: str) -> SigningKey | None: ...
    async def published(self, now: datetime) -> list[SigningKey]:
        """Every app's keys that verifiers still need (not yet dropped), newest first."""
        ...

    async def retire_others(self, app_id: str, keep_kid: str, at: datetime, drop_at: datetime) -> int:
        """Stops every other signing key of the app from signing; they leave JWKS at `drop_at`."""
        ...

    async def for_app(self, app_id: str) -> list[SigningKey]:
        """Every key of the app, dropped ones included, newest first; without private parts (`usher keys list`)."""
        ...


class RefreshTokenRepository(Protocol):
    async def insert(self, token: RefreshToken) -> None: ...
    async def find_by_digest(self, digest: str) -> RefreshToken | None: ...
    async def spend(self, token_id: str, now: datetime) -> bool:
        """Marks the token spent if it was not; False when a parallel refresh spent it first."""
        ...


class AttributeRepository(Protocol):
    """Per-user custom attributes (the JWT User Service's `attributes`), each with a database id."""

    async def upsert(self, app_id: str, user_id: str, key: str, value: str) -> None: ...
    async def list(self, app_id: str, user_id: str) -> list[tuple[int, str, str]]:
        """(id, key, value) in key order."""
        ...

    async def delete(
        self, app_id: str, user_id: str, *, key: str | None = None, attribute_id: int | None = None
    ) -> bool: ...


class UnitOfWork(Protocol):
    apps: AppRepository
    users: UserRepository
    sessions: SessionRepository
    audit: AuditRepository
    codes: CodeRepository
    outbox: OutboxRepository
    keys: SigningKeyRepository
    refresh_tokens: RefreshTokenRepository
    attributes: AttributeRepository


class UnitOfWorkFactory(Protocol):
    def __call__(self, *, write: bool = False) -> AbstractAsyncContextManager[UnitOfWork]:
        """One transaction: committed when the block ends normally, rolled back on an exception.

        Write units take the write lock up front (SQLite `BEGIN IMMEDIATE`); map lock time-outs and a
        lost database to `Unavailable`.
        """
        ...


class PasswordHasher(Protocol):
    async def hash(self, password: str) -> str: ...
    async def verify(self, password_hash: str, password: str) -> bool:
        """False for a wrong password or an unusable hash; never raises for those."""
        ...

    async def verify_dummy(self, password: str) -> None:
        """Spends the time of a real verification, so unknown users cost what known ones do."""
        ...

    def needs_rehash(self, password_hash: str) -> bool: ...


class JwtCodec(Protocol):
    """Signing and verifying JWTs; implementations use an explicit algorithm list, never the token's `alg`."""

    def generate(self, alg: str) -> KeyMaterial: ...
    def sign(self, claims: dict[str, Any], key: SigningKey) -> str: ...
    def unverified_kid(self, token: str) -> str | None:
        """The `kid` header of a well-formed token, or None (only to choose a key; nothing is trusted)."""
        ...

    def verify(self, token: str, key: SigningKey, *, audience: str, issuer: str, leeway: int) -> dict[str, Any]:
        """The claims of a token signed by `key` with `key.alg`; raises InvalidToken otherwise."""
        ...


class RateCounter(Protocol):
    """Atomic fixed-window counters shared by every node (database or Redis), or per process (memory).
    No method raises for a backend outage."""

    async def hit(self, key: str, window: int, now: datetime) -> tuple[int, datetime]:
        """Adds one to the key's count in its current window (a new window starts when the last has ended);
        returns the count after adding and when the window ends."""
        ...

    async def hit_many(self, windows: list[tuple[str, int]], now: datetime) -> list[tuple[int, datetime]]:
        """`hit` on several distinct keys at once (one round trip), each (key, window) with its own window;
        the answers in the same order."""
        ...

    async def undo(self, *keys: str) -> None:
        """Takes one back from each key (not below zero)."""
        ...

    async def clear(self, *keys: str) -> None:
        """Forgets the keys: the next hit of each starts a new window at one."""
        ...


class Clock(Protocol):
    def now(self) -> datetime:
        """Aware UTC time."""
        ...


class Secrets(Protocol):
    def token(self) -> str:
        """43 characters of base64url: 32 random bytes."""
        ...

    def user_id(self) -> str:
        """17 characters from WeKan's alphabet."""
        ...

    def public_id(self, prefix: str) -> str: ...

    def choose(self, alphabet: str, length: int) -> str:
        """`length` characters drawn uniformly from `alphabet` (short codes)."""
        ...
