"""In-memory fakes of the core's ports, for core tests without I/O (classes, not mocks: contracts bind them)."""

from __future__ import annotations

import copy
import dataclasses
import itertools
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

from usher.core.errors import Conflict, InvalidToken
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
    Session,
    SigningKey,
    User,
    UserChanges,
)


class FakeClock:
    def __init__(self, start: datetime | None = None) -> None:
        self.current = start or datetime(2026, 1, 1, tzinfo=UTC)

    def now(self) -> datetime:
        return self.current

    def advance(self, seconds: float) -> None:
        self.current += timedelta(seconds=seconds)


class FakeSecrets:
    def __init__(self) -> None:
        self._n = itertools.count(1)

    def token(self) -> str:
        return f"{next(self._n):043d}"

    def user_id(self) -> str:
        return f"U{next(self._n):016d}"

    def public_id(self, prefix: str) -> str:
        return f"{prefix}_{next(self._n)}"

    def choose(self, alphabet: str, length: int) -> str:
        number = next(self._n)
        return "".join(alphabet[(number + i) % len(alphabet)] for i in range(length))


class FakeHasher:
    """Reversible 'hashes' so tests can read what was stored; `rehash` marks hashes as outdated."""

    def __init__(self) -> None:
        self.verifications = 0
        self.dummy_verifications = 0

    async def hash(self, password: str) -> str:
        return f"fake2${password}"

    async def verify(self, password_hash: str, password: str) -> bool:
        self.verifications += 1
        return password_hash.split("$", 1)[1] == password

    async def verify_dummy(self, password: str) -> None:
        self.dummy_verifications += 1

    def needs_rehash(self, password_hash: str) -> bool:
        return not password_hash.startswith("fake2$")


@dataclasses.dataclass
class _UserRow:
    user: User
    password_hash: str | None
    email_key: str | None
    username_key: str | None


class Store:
    """The shared state behind every fake unit of work."""

    def __init__(self) -> None:
        now = datetime(2026, 1, 1, tzinfo=UTC)
        self.apps: dict[str, App] = {"default": App("default", "default", AppSettings(), now, now)}
        self.secrets: dict[str, AppSecret] = {"default": AppSecret("default", None, None, None)}
        self.users: dict[tuple[str, str], _UserRow] = {}
        self.sessions: dict[str, tuple[Session, str, datetime | None]] = {}
        self.audit: list[AuditEvent] = []
        self.codes: dict[str, OneTimeCode] = {}
        self.outbox: list[OutgoingMail] = []
        self.last_number = 0

    def next_number(self) -> int:
        self.last_number += 1
        return self.last_number


class FakeApps:
    def __init__(self, store: Store) -> None:
        self.s = store

    async def get(self, app_id: str) -> App | None:
        return self.s.apps.get(app_id)

    async def list(self) -> list[App]:
        return list(self.s.apps.values())

    async def insert(self, app: App) -> App:
        if app.id in self.s.apps:
            raise Conflict("id")
        self.s.apps[app.id] = app
        self.s.secrets[app.id] = AppSecret(app.id, None, None, None)
        return app

    async def update_settings(self, app_id: str, settings: AppSettings, at: datetime) -> App | None:
        app = self.s.apps.get(app_id)
        if app is None:
            return None
        self.s.apps[app_id] = dataclasses.replace(app, settings=settings, updated_at=at)
        return self.s.apps[app_id]

    async def get_secret(self, app_id: str) -> AppSecret | None:
        return self.s.secrets.get(app_id)

    async def set_secret(self, secret: AppSecret, at: datetime) -> None:
        self.s.secrets[secret.app_id] = secret

    async def find_by_secret_digest(self, digest: str, now: datetime) -> App | None:
        for secret in self.s.secrets.values():
            grace = secret.previous_expires_at is not None and secret.previous_expires_at > now
            if digest == secret.digest or (grace and digest == secret.previous_digest):
                return self.s.apps[secret.app_id]
        return None


class FakeUsers:
    def __init__(self, store: Store) -> None:
        self.s = store

    def _taken(self, app_id: str, key: str | None, skip: str | None = None) -> bool:
        if key is None:
            return False
        return any(
            (r.email_key == key or r.username_key == key) and r.user.id != skip
            for (a, _), r in self.s.users.items()
            if a == app_id
        )

    async def insert(self, user: NewUser, email_key: str | None, username_key: str | None, at: datetime) -> User:
        if (user.app_id, user.id) in self.s.users:
            raise Conflict("id", "account already exists")
        if self._taken(user.app_id, email_key):
            raise Conflict("email")
        if self._taken(user.app_id, username_key):
            raise Conflict("username")
        fields = {f.name for f in dataclasses.fields(User)}
        values = {k: v for k, v in dataclasses.asdict(user).items() if k in fields}
        if user.first_user_admin and not any(a == user.app_id for a, _ in self.s.users):
            values["is_admin"] = True
        stored = User(
            **values,
            number=self.s.next_number(),
            disabled=False,
            email_verified_at=at if user.email_verified else None,
            created_at=at,
            updated_at=at,
            last_signin_at=None,
            password_changed_at=None,
            has_password=user.password_hash is not None,
        )
        self.s.users[(user.app_id, user.id)] = _UserRow(stored, user.password_hash, email_key, username_key)
        return stored

    async def get(self, app_id: str, user_id: str) -> User | None:
        row = self.s.users.get((app_id, user_id))
        return row.user if row else None

    async def get_by_number(self, app_id: str, number: int) -> User | None:
        return next((r.user for (a, _), r in self.s.users.items() if a == app_id and r.user.number == number), None)

    def _find(self, app_id: str, key: str, *, email: bool, username: bool) -> _UserRow | None:
        for (a, _), row in self.s.users.items():
            if a == app_id and ((email and row.email_key == key) or (username and row.username_key == key)):
                return row
        return None

    async def find_by_email(self, app_id: str, email_key: str) -> User | None:
        row = self._find(app_id, email_key, email=True, username=False)
        return row.user if row else None

    async def find_by_username(self, app_id: str, username_key: str) -> User | None:
        row = self._find(app_id, username_key, email=False, username=True)
        return row.user if row else None

    async def credentials_by_identifier(self, app_id: str, key: str) -> Credentials | None:
        row = self._find(app_id, key, email=True, username=True)
        return Credentials(row.user, row.password_hash) if row else None

    async def credentials(self, app_id: str, user_id: str, *, lock: bool = False) -> Credentials | None:
        row = self.s.users.get((app_id, user_id))
        return Credentials(row.user, row.password_hash) if row else None

    async def update(
        self,
        app_id: str,
        user_id: str,
        changes: UserChanges,
        email_key: str | None,
        username_key: str | None,
        at: datetime,
    ) -> User | None:
        row = self.s.users.get((app_id, user_id))
        if row is None:
            return None
        if self._taken(app_id, email_key, skip=user_id):
            raise Conflict("email")
        if self._taken(app_id, username_key, skip=user_id):
            raise Conflict("username")
        values = {k: v for k, v in dataclasses.asdict(changes).items() if v is not None}
        if changes.email_verified is False:
            values["email_verified_at"] = None
        row.user = dataclasses.replace(row.user, **values, updated_at=at)
        row.email_key = email_key or row.email_key
        row.username_key = username_key or row.username_key
        return row.user

    async def set_password_hash(self, app_id: str, user_id: str, password_hash: str, at: datetime) -> None:
        row = self.s.users[(app_id, user_id)]
        row.password_hash = password_hash
        row.user = dataclasses.replace(row.user, password_changed_at=at, has_password=True)

    async def upgrade_password_hash(self, app_id: str, user_id: str, old_hash: str, new_hash: str) -> None:
        row = self.s.users[(app_id, user_id)]
        if row.password_hash == old_hash:
            row.password_hash = new_hash

    async def set_email_verified(self, app_id: str, user_id: str, email_key: str, at: datetime) -> User | None:
        row = self.s.users.get((app_id, user_id))
        if row is None or row.email_key != email_key:
            return None
        row.user = dataclasses.replace(row.user, email_verified=True, email_verified_at=at, updated_at=at)
        return row.user

    async def set_disabled(self, app_id: str, user_id: str, disabled: bool, at: datetime) -> User | None:
        row = self.s.users.get((app_id, user_id))
        if row is None:
            return None
        row.user = dataclasses.replace(row.user, disabled=disabled, updated_at=at)
        return row.user

    async def record_signin(self, app_id: str, user_id: str, at: datetime) -> None:
        row = self.s.users[(app_id, user_id)]
        row.user = dataclasses.replace(row.user, last_signin_at=at)

    async def delete(self, app_id: str, user_id: str) -> bool:
        row = self.s.users.pop((app_id, user_id), None)
        if row is None:
            return False
        for sid in [sid for sid, (x, _, _) in self.s.sessions.items() if x.user_id == user_id]:
            del self.s.sessions[sid]
        return True

    async def list(self, app_id: str, limit: int, offset: int) -> Page:
        users = sorted((r.user for (a, _), r in self.s.users.items() if a == app_id), key=lambda u: u.number)
        return Page(users[offset : offset + limit], len(users), limit, offset)


class FakeSessions:
    def __init__(self, store: Store) -> None:
        self.s = store

    async def insert(self, session: NewSession) -> Session:
        stored = Session(
            session.id,
            session.app_id,
            session.user_id,
            session.created_at,
            session.expires_at,
            session.created_at,
            session.client_address,
            session.user_agent,
        )
        self.s.sessions[session.id] = (stored, session.token_digest, None)
        return stored

    def _live(self, now: datetime) -> list[tuple[Session, str]]:
        return [(x, d) for x, d, revoked in self.s.sessions.values() if revoked is None and x.expires_at > now]

    async def find_active(self, token_digest: str, now: datetime) -> AuthenticatedSession | None:
        for session, digest in self._live(now):
            row = self.s.users.get((session.app_id, session.user_id))
            if digest == token_digest and row is not None and not row.user.disabled:
                return AuthenticatedSession(session, row.user)
        return None

    async def touch(self, session_id: str, now: datetime, stale_before: datetime) -> None:
        session, digest, revoked = self.s.sessions[session_id]
        if session.last_seen_at < stale_before:
            self.s.sessions[session_id] = (dataclasses.replace(session, last_seen_at=now), digest, revoked)

    def _revoke(self, session_id: str, now: datetime) -> Session:
        session, digest, _ = self.s.sessions[session_id]
        self.s.sessions[session_id] = (session, digest, now)
        return session

    async def revoke_by_digest(self, token_digest: str, now: datetime) -> Session | None:
        for session, digest in self._live(now):
            if digest == token_digest:
                return self._revoke(session.id, now)
        return None

    async def revoke(self, app_id: str, user_id: str, session_id: str, now: datetime) -> bool:
        for session, _ in self._live(now):
            if (session.id, session.app_id, session.user_id) == (session_id, app_id, user_id):
                self._revoke(session_id, now)
                return True
        return False

    async def revoke_all(self, app_id: str, user_id: str, now: datetime, keep: str | None = None) -> int:
        doomed = [x.id for x, _ in self._live(now) if (x.app_id, x.user_id) == (app_id, user_id) and x.id != keep]
        for sid in doomed:
            self._revoke(sid, now)
        return len(doomed)

    async def list_active(self, app_id: str, user_id: str, now: datetime) -> list[Session]:
        found = [x for x, _ in self._live(now) if (x.app_id, x.user_id) == (app_id, user_id)]
        return sorted(found, key=lambda x: x.created_at, reverse=True)


class FakeAudit:
    def __init__(self, store: Store) -> None:
        self.s = store

    async def append(self, event: AuditEvent) -> None:
        self.s.audit.append(event)

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
    ) -> list[AuditEvent]:
        found = [
            e
            for e in self.s.audit
            if e.app_id == app_id
            and (user_id is None or e.user_id == user_id)
            and (type is None or e.type == type)
            and (since is None or e.at >= since)
            and (until is None or e.at < until)
        ]
        return found[::-1][offset : offset + limit]


class FakeCodes:
    def __init__(self, store: Store) -> None:
        self.s = store

    async def insert(self, code: OneTimeCode) -> None:
        self.s.codes[code.id] = code

    async def find_by_digest(self, digest: str) -> OneTimeCode | None:
        return next((c for c in self.s.codes.values() if c.digest == digest and not c.short), None)

    async def active_for_user(self, app_id: str, user_id: str, purpose: str, now: datetime) -> list[OneTimeCode]:
        found = [
            c
            for c in self.s.codes.values()
            if (c.app_id, c.user_id, c.purpose) == (app_id, user_id, purpose)
            and c.used_at is None
            and c.expires_at > now
        ]
        return sorted(found, key=lambda c: c.created_at, reverse=True)

    async def latest_created(self, app_id: str, user_id: str, purpose: str) -> datetime | None:
        times = [
            c.created_at
            for c in self.s.codes.values()
            if (c.app_id, c.user_id, c.purpose) == (app_id, user_id, purpose)
        ]
        return max(times, default=None)

    async def consume(self, code_id: str, now: datetime) -> bool:
        code = self.s.codes.get(code_id)
        if code is None or code.used_at is not None or code.expires_at <= now:
            return False
        self.s.codes[code_id] = dataclasses.replace(code, used_at=now)
        return True

    async def count_failure(self, code_id: str) -> int:
        code = self.s.codes[code_id]
        self.s.codes[code_id] = dataclasses.replace(code, attempts=code.attempts + 1)
        return code.attempts + 1

    async def invalidate(self, app_id: str, user_id: str, now: datetime, purposes: tuple[str, ...] = ()) -> int:
        live = await self._live(app_id, user_id, now, purposes)
        for code in live:
            self.s.codes[code.id] = dataclasses.replace(code, used_at=now)
        return len(live)

    async def _live(self, app_id: str, user_id: str, now: datetime, purposes: tuple[str, ...]) -> list[OneTimeCode]:
        return [
            c
            for c in self.s.codes.values()
            if (c.app_id, c.user_id) == (app_id, user_id)
            and c.used_at is None
            and c.expires_at > now
            and (not purposes or c.purpose in purposes)
        ]


class FakeOutbox:
    def __init__(self, store: Store) -> None:
        self.s = store

    async def enqueue(self, mail: OutgoingMail) -> None:
        self.s.outbox.append(mail)

    async def claim(self, now: datetime, lease_until: datetime, limit: int) -> list[OutgoingMail]:
        return [m for m in self.s.outbox if m.state == "pending"][:limit]

    def _replace(self, mail_id: str, **changes: object) -> None:
        self.s.outbox = [dataclasses.replace(m, **changes) if m.id == mail_id else m for m in self.s.outbox]  # type: ignore[arg-type]

    async def mark_sent(self, mail_id: str, now: datetime) -> None:
        self._replace(mail_id, state="sent", sent_at=now, secrets={})

    async def mark_failed(self, mail_id: str, error: str, next_attempt_at: datetime | None, now: datetime) -> None:
        state = "pending" if next_attempt_at else "failed"
        self._replace(mail_id, state=state, last_error=error, next_attempt_at=next_attempt_at)

    async def expire(self, now: datetime) -> int:
        doomed = [m.id for m in self.s.outbox if m.state == "pending" and m.expires_at <= now]
        for mail_id in doomed:
            self._replace(mail_id, state="expired", secrets={})
        return len(doomed)

    async def list(self, *, to: str | None = None, limit: int = 100) -> list[OutgoingMail]:
        found = [m for m in reversed(self.s.outbox) if to is None or m.to.lower() == to.lower()]
        return found[:limit]


class FakeUnitOfWork:
    def __init__(self, store: Store) -> None:
        self.apps = FakeApps(store)
        self.users = FakeUsers(store)
        self.sessions = FakeSessions(store)
        self.audit = FakeAudit(store)
        self.codes = FakeCodes(store)
        self.outbox = FakeOutbox(store)


class FakeUnitOfWorkFactory:
    """Transactions are all-or-nothing: the store is restored when the block raises."""

    def __init__(self, store: Store | None = None) -> None:
        self.store = store or Store()
        self.writes = 0

    @asynccontextmanager
    async def __call__(self, *, write: bool = False) -> AsyncIterator[FakeUnitOfWork]:
        if write:
            self.writes += 1
        snapshot = copy.deepcopy(self.store.__dict__)
        try:
            yield FakeUnitOfWork(self.store)
        except BaseException:
            self.store.__dict__.update(snapshot)
            raise


class FakeCodec:
    """A JwtCodec that 'signs' by JSON-encoding: readable in tests, never accepted by a real verifier."""

    def generate(self, alg: str) -> KeyMaterial:
        return KeyMaterial(kid=f"kid-{alg}", alg=alg, private_pem="fake", public_jwk={"kty": "fake"})

    def sign(self, claims: dict[str, Any], key: SigningKey) -> str:
        return "fake." + json.dumps({"kid": key.kid, **claims}, sort_keys=True)

    def unverified_kid(self, token: str) -> str | None:
        try:
            return str(json.loads(token.removeprefix("fake."))["kid"])
        except (ValueError, KeyError):
            return None

    def verify(self, token: str, key: SigningKey, *, audience: str, issuer: str, leeway: int) -> dict[str, Any]:
        claims: dict[str, Any] = json.loads(token.removeprefix("fake."))
        if claims.get("aud") != audience or claims.get("iss") != issuer:
            raise InvalidToken()
        return claims
