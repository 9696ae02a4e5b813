"""Signing in and out: password checks, server-side sessions, re-confirming the password."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from usher.core.audit import AuditTrail
from usher.core.errors import EmailNotVerified, InvalidCredentials, InvalidInput, InvalidSession, NotFound
from usher.core.identity import canonical, digest
from usher.core.limits import Limiter
from usher.core.models import (
    App,
    AuthenticatedSession,
    Credentials,
    IssuedSession,
    RequestContext,
    Session,
    SignIn,
    TokenSpec,
    User,
)
from usher.core.policy import MAX_PASSWORD
from usher.core.ports import Clock, PasswordHasher, Secrets, SessionLookup, UnitOfWork, UnitOfWorkFactory
from usher.core.sessions import SessionOpener, UnitOfWorkLookup
from usher.core.tokens import TokenMinter

LAST_SEEN_RESOLUTION = timedelta(seconds=60)
_TOKEN_LENGTH = 43


class AuthService:
    def __init__(
        self,
        uow: UnitOfWorkFactory,
        hasher: PasswordHasher,
        clock: Clock,
        secrets: Secrets,
        audit: AuditTrail,
        limiter: Limiter,
        minter: TokenMinter,
        lookup: SessionLookup | None = None,
    ) -> None:
        """`lookup`: the session check's read path (a store's fast one); defaults to a read unit of work."""
        self._uow = uow
        self._hasher = hasher
        self._clock = clock
        self._secrets = secrets
        self._audit = audit
        self._limiter = limiter
        self._minter = minter
        self._sessions = SessionOpener(clock, secrets)
        self._lookup = lookup or UnitOfWorkLookup(uow)

    async def sign_in(
        self,
        app: App,
        identifier: str,
        password: str,
        ctx: RequestContext,
        *,
        session_ttl: int,
        allow_unverified: bool = False,
        tokens: TokenSpec | None = None,
    ) -> SignIn:
        """A new session for the right password; the same InvalidCredentials for every other case.

        `session_ttl` is the calling dialect's documented default; the app's own setting wins.
        `allow_unverified` lets a dialect whose verify call needs a session bypass the verified-email gate.
        `tokens`: also mint access/refresh tokens, in the same unit of work as the session.
        """
        checked, stronger = await self._proven(app, identifier, password, ctx, allow_unverified)
        async with self._uow(write=True) as uow:
            user = await self._recheck(uow, app, checked, stronger, ctx)
            issued = await self._sessions.open(uow, user, app.settings.session_ttl or session_ttl, ctx)
            pair = await self._minter.mint(uow, app, user, issued.session, tokens) if tokens else None
        return SignIn(user=user, issued=issued, tokens=pair)

    async def check_sign_in(self, app: App, identifier: str, password: str, ctx: RequestContext) -> User:
        """A sign-in that an app's backend keeps its own session for (UserStore): checked, limited and recorded
        like any other, but no usher session is opened. Returns the user with its new last sign-in time."""
        checked, stronger = await self._proven(app, identifier, password, ctx, False)
        async with self._uow(write=True) as uow:
            return await self._recheck(uow, app, checked, stronger, ctx)

    async def _proven(
        self, app: App, identifier: str, password: str, ctx: RequestContext, allow_unverified: bool
    ) -> tuple[Credentials, str | None]:
        """The checked credentials and, when its parameters are outdated, a stronger hash of the password."""
        by_address = self._limiter.by_address("signin", app.id, ctx, self._limiter.policy.signin_per_address)
        by_account = self._limiter.sign_in_slot(app.id, identifier)  # progressive; cleared by a password reset
        await self._limiter.take(by_address)  # a flooding address is told to wait
        if not await self._limiter.allow(by_account):
            # A locked account answers exactly like a wrong password, after the same hashing time.
            await self._hasher.verify_dummy(password)
            await self._audit.record(self._audit.event(app.id, "signin", "locked", ctx))
            raise InvalidCredentials()
        credentials = await self._check_password(app, identifier, password, ctx)
        await self._limiter.give_back(by_address, by_account)
        user = credentials.user
        if app.settings.require_verified_email and not user.email_verified and not allow_unverified:
            await self._audit.record(self._audit.event(app.id, "signin", "unverified", ctx, user_id=user.id))
            raise EmailNotVerified()
        checked = credentials.password_hash
        stronger = await self._hasher.hash(password) if checked and self._hasher.needs_rehash(checked) else None
        return credentials, stronger

    async def _recheck(
        self, uow: UnitOfWork, app: App, checked: Credentials, stronger: str | None, ctx: RequestContext
    ) -> User:
        """Inside the write unit: a password change or disable that committed since the check has revoked every
        session, so the user is re-read under a lock and this sign-in cannot slip in behind it."""
        user_id, checked_hash = checked.user.id, checked.password_hash
        current = await uow.users.credentials(app.id, user_id, lock=True)
        if current is None or current.password_hash != checked_hash or current.user.disabled:
            raise InvalidCredentials()
        if stronger is not None and checked_hash is not None:
            await uow.users.upgrade_password_hash(app.id, user_id, checked_hash, stronger)
        now = self._clock.now()
        await uow.users.record_signin(app.id, user_id, now)
        await uow.audit.append(self._audit.event(app.id, "signin", "success", ctx, user_id=user_id))
        return replace(current.user, last_signin_at=now)

    async def confirm_password(self, app: App, user_id: str, password: str, ctx: RequestContext) -> User:
        """Re-confirms the password of a signed-in user before a sensitive action."""
        async with self._uow() as uow:
            credentials = await uow.users.credentials(app.id, user_id)
        if credentials is None:
            raise NotFound("user")
        slot = self._limiter.password_slot(app.id, user_id)
        if not await self._limiter.allow(slot):  # locked: the same answer after the same hashing time
            await self._hasher.verify_dummy(password)
            await self._audit.record(self._audit.event(app.id, "password.confirm", "locked", ctx, user_id=user_id))
            raise InvalidCredentials("password is incorrect")
        ok = credentials.password_hash is not None and await self._hasher.verify(credentials.password_hash, password)
        if ok:
            await self._limiter.give_back(slot)
        outcome = "success" if ok and not credentials.user.disabled else "failure"
        await self._audit.record(self._audit.event(app.id, "password.confirm", outcome, ctx, user_id=user_id))
        if outcome != "success":
            raise InvalidCredentials("password is incorrect")
        return credentials.user

    async def open_session(self, app: App, user: User, ctx: RequestContext, *, session_ttl: int) -> IssuedSession:
        """A session for a user who proved themselves another way (sign-up, magic link)."""
        async with self._uow(write=True) as uow:
            return await self._sessions.open(uow, user, app.settings.session_ttl or session_ttl, ctx)

    async def authenticate(self, app_id: str, token: str) -> AuthenticatedSession:
        """The app's live session behind a token; expired, revoked, unknown and other apps' tokens look the same."""
        if len(token) != _TOKEN_LENGTH:
            raise InvalidSession()
        now = self._clock.now()
        found = await self._lookup.find_active(digest(token), now)
        if found is None or found.session.app_id != app_id:
            raise InvalidSession()
        if now - found.session.last_seen_at >= LAST_SEEN_RESOLUTION:
            async with self._uow(write=True) as uow:
                await uow.sessions.touch(found.session.id, now, now - LAST_SEEN_RESOLUTION)
        return found

    async def sign_out(self, app_id: str, token: str, ctx: RequestContext) -> Session | None:
        """Revokes the app's session behind a token; None when there was no live one in this app."""
        if len(token) != _TOKEN_LENGTH:
            return None
        now = self._clock.now()
        async with self._uow(write=True) as uow:
            found = await uow.sessions.find_active(digest(token), now)
            if found is None or found.session.app_id != app_id:
                return None
            session = found.session
            await uow.sessions.revoke(app_id, session.user_id, session.id, now)
            await uow.audit.append(self._audit.event(app_id, "signout", "success", ctx, user_id=session.user_id))
        return session

    async def record_sign_out(self, app_id: str, user_id: str, ctx: RequestContext) -> User:
        """Sign-out activity reported by an app's backend (UserStore), for users it tracks itself."""
        async with self._uow(write=True) as uow:
            user = await uow.users.get(app_id, user_id)
            if user is None:
                raise NotFound("user")
            await uow.audit.append(self._audit.event(app_id, "signout", "success", ctx, user_id=user_id))
        return user

    async def sign_out_everywhere(self, app_id: str, user_id: str, ctx: RequestContext) -> int:
        """Revokes every session of the user; NotFound for an unknown user."""
        async with self._uow(write=True) as uow:
            if await uow.users.get(app_id, user_id) is None:
                raise NotFound("user")
            count = await uow.sessions.revoke_all(app_id, user_id, self._clock.now())
            await uow.audit.append(
                self._audit.event(app_id, "signout.all", "success", ctx, user_id=user_id, sessions=count)
            )
        return count

    async def list_sessions(self, app_id: str, user_id: str) -> list[Session]:
        async with self._uow() as uow:
            return await uow.sessions.list_active(app_id, user_id, self._clock.now())

    async def revoke_session(self, app_id: str, user_id: str, session_id: str, ctx: RequestContext) -> None:
        async with self._uow(write=True) as uow:
            if not await uow.sessions.revoke(app_id, user_id, session_id, self._clock.now()):
                raise NotFound("session")
            await uow.audit.append(
                self._audit.event(app_id, "signout", "success", ctx, user_id=user_id, session=session_id)
            )

    async def _check_password(self, app: App, identifier: str, password: str, ctx: RequestContext) -> Credentials:
        if not identifier.strip():
            raise InvalidInput("a username or email is required", field="username")
        if len(password) > MAX_PASSWORD:  # refuse before hashing: a huge password is a denial of service
            raise InvalidCredentials()
        async with self._uow() as uow:
            credentials = await uow.users.credentials_by_identifier(app.id, canonical(identifier))
        if credentials is None or credentials.password_hash is None:
            await self._hasher.verify_dummy(password)
            await self._audit.record(self._audit.event(app.id, "signin", "unknown_user", ctx))
            raise InvalidCredentials()
        user = credentials.user
        ok = await self._hasher.verify(credentials.password_hash, password)
        if not ok or user.disabled:
            outcome = "disabled" if ok else "failure"
            await self._audit.record(self._audit.event(app.id, "signin", outcome, ctx, user_id=user.id))
            raise InvalidCredentials()
        return credentials
