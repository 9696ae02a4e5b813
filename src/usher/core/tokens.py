"""JWT access tokens and opaque refresh tokens: minting, rotation with a grace window, reuse detection.

A refresh token belongs to a family: its session. Rotation spends the parent and issues a successor derived as
HMAC(server key, parent), so a retry inside the grace window gets the same successor without the successor
ever being stored in clear. A spent token presented after the window revokes its session (the family) only.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from datetime import datetime, timedelta
from typing import Any

from usher.core.audit import AuditTrail
from usher.core.errors import InvalidToken, Unavailable
from usher.core.identity import digest
from usher.core.limits import Limiter
from usher.core.models import (
    App,
    RefreshToken,
    RequestContext,
    Session,
    SigningKey,
    TokenPair,
    TokenSpec,
    User,
    VerifiedAccess,
)
from usher.core.ports import Clock, JwtCodec, Secrets, SessionLookup, UnitOfWork, UnitOfWorkFactory
from usher.core.sessions import UnitOfWorkLookup

GRACE = timedelta(seconds=10)
LAST_SEEN_RESOLUTION = timedelta(seconds=60)
LEEWAY = 30  # seconds of clock skew tolerated on exp / nbf / iat


def issuer_of(public_url: str, app_id: str) -> str:
    return f"{public_url}/apps/{app_id}"


def default_claims(user: User) -> dict[str, Any]:
    return {
        "email": user.email,
        "email_verified": user.email_verified,
        "username": user.username,
        "permission_level": user.permission_level,  # resource servers can require a level per route
    }


class TokenMinter:
    """Mints access and refresh tokens inside the caller's unit of work."""

    def __init__(self, clock: Clock, secrets: Secrets, codec: JwtCodec, public_url: str, refresh_key: bytes) -> None:
        self._clock = clock
        self._secrets = secrets
        self._codec = codec
        self._public_url = public_url
        self._refresh_key = refresh_key

    def successor_of(self, parent_token: str) -> str:
        mac = hmac.new(self._refresh_key, parent_token.encode(), hashlib.sha256).digest()
        return base64.urlsafe_b64encode(mac).rstrip(b"=").decode()

    async def access_token(
        self, uow: UnitOfWork, app: App, user: User, session: Session, spec: TokenSpec
    ) -> tuple[str, int]:
        key = await uow.keys.current(app.id)
        if key is None:
            raise Unavailable("the application has no signing key: run `usher db upgrade`")
        now = self._clock.now()
        ttl = app.settings.access_token_ttl or spec.access_ttl
        iat = int(now.timestamp())
        public = spec.user_claims(user) if spec.user_claims else default_claims(user)
        claims: dict[str, Any] = {
            **public,
            **spec.extra_claims,
            "iss": issuer_of(self._public_url, app.id),
            "aud": app.id,
            "sub": user.id,
            "sid": session.id,
            "jti": self._secrets.public_id("jti"),
            "iat": iat,
            "nbf": iat,
            "exp": iat + ttl,
        }
        return self._codec.sign(claims, key), ttl

    async def mint(
        self,
        uow: UnitOfWork,
        app: App,
        user: User,
        session: Session,
        spec: TokenSpec,
        *,
        refresh: str | None = None,
        parent_id: str | None = None,
    ) -> TokenPair:
        """An access token and, when the spec asks for one, a refresh token (`refresh` given: that exact one,
        the successor of `parent_id`)."""
        now = self._clock.now()
        access, ttl = await self.access_token(uow, app, user, session, spec)
        refresh_token, refresh_expires = None, None
        if spec.refresh_ttl is not None:
            refresh_token = refresh or self._secrets.token()
            refresh_expires = now + timedelta(seconds=app.settings.refresh_token_ttl or spec.refresh_ttl)
            await uow.refresh_tokens.insert(
                RefreshToken(
                    id=self._secrets.public_id("rt"),
                    app_id=app.id,
                    session_id=session.id,
                    user_id=user.id,
                    digest=digest(refresh_token),
                    created_at=now,
                    expires_at=refresh_expires,
                    parent_id=parent_id,
                )
            )
        return TokenPair(access, now + timedelta(seconds=ttl), now, refresh_token, refresh_expires, session, user)


class VerificationKeys:
    """Signing keys by kid, as verification views, kept for a while: every access-token check needs one.

    Keys never change but by rotation, and a rotated-out key keeps verifying until its last tokens have expired,
    so a copy a few seconds old answers the same. Unknown kids are not remembered: the caller chooses them.
    """

    TTL = timedelta(seconds=30)

    def __init__(self, uow: UnitOfWorkFactory, clock: Clock) -> None:
        self._uow = uow
        self._clock = clock
        self._known: dict[str, tuple[SigningKey, datetime]] = {}

    async def get(self, kid: str) -> SigningKey | None:
        now = self._clock.now()
        known = self._known.get(kid)
        if known is not None and known[1] > now:
            return known[0]
        async with self._uow() as uow:
            key = await uow.keys.by_kid(kid)
        if key is not None:
            self._known[kid] = (key, now + self.TTL)
        return key


class TokenService:
    def __init__(
        self,
        uow: UnitOfWorkFactory,
        clock: Clock,
        codec: JwtCodec,
        minter: TokenMinter,
        public_url: str,
        audit: AuditTrail,
        limiter: Limiter,
        lookup: SessionLookup | None = None,
    ) -> None:
        """`lookup`: the session check's read path (a store's fast one); defaults to a read unit of work."""
        self._uow = uow
        self._clock = clock
        self._codec = codec
        self._minter = minter
        self._public_url = public_url
        self._audit = audit
        self._limiter = limiter
        self._lookup = lookup or UnitOfWorkLookup(uow)
        self._keys = VerificationKeys(uow, clock)

    async def issue(self, app: App, user: User, session: Session, spec: TokenSpec) -> TokenPair:
        """Fresh tokens for a session the caller has just opened or proved (sign-in, sign-up, confirm)."""
        async with self._uow(write=True) as uow:
            return await self._minter.mint(uow, app, user, session, spec)

    async def refresh(self, app: App, token: str, spec: TokenSpec, ctx: RequestContext) -> TokenPair:
        """New tokens for a refresh token: rotated (spent, with a successor) unless `spec.rotate` is False."""
        rule = self._limiter.policy.refresh_per_address
        await self._limiter.take(self._limiter.by_address("refresh", app.id, ctx, rule))
        now = self._clock.now()
        async with self._uow(write=True) as uow:
            found = await uow.refresh_tokens.find_by_digest(digest(token)) if len(token) == 43 else None
            if found is None or found.app_id != app.id:
                raise InvalidToken("refresh token not found")
            if found.expires_at <= now:
                raise InvalidToken("refresh token has expired", expired=True)
            live = await uow.sessions.get_active(found.session_id, now)
            if live is None:
                raise InvalidToken("refresh token has been revoked")
            if not spec.rotate:
                access, ttl = await self._minter.access_token(uow, app, live.user, live.session, spec)
                expires = now + timedelta(seconds=ttl)
                return TokenPair(access, expires, now, token, found.expires_at, live.session, live.user)
            successor = self._minter.successor_of(token)
            if found.spent_at is None and await uow.refresh_tokens.spend(found.id, now):
                return await self._minter.mint(
                    uow, app, live.user, live.session, spec, refresh=successor, parent_id=found.id
                )
            spent_at = found.spent_at or now
            retry = await uow.refresh_tokens.find_by_digest(digest(successor))
            if now - spent_at <= GRACE and retry is not None and retry.spent_at is not None:
                raise InvalidToken("refresh token has already been used")  # its successor is in use: no reuse
            if now - spent_at <= GRACE and retry is not None:
                access, ttl = await self._minter.access_token(uow, app, live.user, live.session, spec)
                expires = now + timedelta(seconds=ttl)
                return TokenPair(access, expires, now, successor, retry.expires_at, live.session, live.user)
        await self._reuse_detected(app, found, ctx)
        raise InvalidToken("refresh token has already been used")

    async def verify_access(self, app_id: str, token: str) -> VerifiedAccess:
        """An access token of this app, correctly signed, unexpired, and whose session still lives."""
        kid = self._codec.unverified_kid(token)
        key = await self._keys.get(kid) if kid else None
        if key is None or key.app_id != app_id:
            raise InvalidToken()
        claims = self._codec.verify(
            token, key, audience=app_id, issuer=issuer_of(self._public_url, app_id), leeway=LEEWAY
        )
        sid = claims.get("sid")
        live = await self._lookup.get_active(sid, self._clock.now()) if isinstance(sid, str) else None
        if live is None or live.user.id != claims.get("sub"):
            raise InvalidToken("the session of this token has ended")
        now = self._clock.now()
        if now - live.session.last_seen_at >= LAST_SEEN_RESOLUTION:  # token use is activity, like a session check
            async with self._uow(write=True) as uow:
                await uow.sessions.touch(live.session.id, now, now - LAST_SEEN_RESOLUTION)
        return VerifiedAccess(claims, live.session, live.user)

    async def _reuse_detected(self, app: App, found: RefreshToken, ctx: RequestContext) -> None:
        """A spent token came back after the grace window: someone holds a copy. End that family only."""
        async with self._uow(write=True) as uow:
            await uow.sessions.revoke(app.id, found.user_id, found.session_id, self._clock.now())
            await uow.audit.append(
                self._audit.event(
                    app.id, "token.reuse", "revoked", ctx, user_id=found.user_id, session=found.session_id
                )
            )
