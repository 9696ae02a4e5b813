"""Signing keys per app: one signs, retired ones keep verifying until their last tokens expire."""

from __future__ import annotations

from datetime import timedelta

from usher.core.errors import InvalidInput, NotFound
from usher.core.models import SigningKey
from usher.core.ports import Clock, JwtCodec, UnitOfWork, UnitOfWorkFactory

ALGORITHMS = ("RS256", "ES256", "EdDSA")
DEFAULT_ALG = "RS256"
# Retired keys stay in JWKS for the longest access-token lifetime any dialect uses (AuthC1: 1 day) plus leeway.
LONGEST_ACCESS_TTL = 24 * 3600
LEEWAY = 300


class KeyService:
    def __init__(self, uow: UnitOfWorkFactory, clock: Clock, codec: JwtCodec) -> None:
        self._uow = uow
        self._clock = clock
        self._codec = codec

    async def ensure(self, app_id: str, alg: str = DEFAULT_ALG) -> SigningKey:
        """The app's signing key, created if it has none (at `db upgrade` and app creation, never in a request)."""
        async with self._uow(write=True) as uow:
            current = await uow.keys.current(app_id)
            if current is not None:
                return current
            return await self._add(uow, app_id, alg)

    async def ensure_all(self) -> int:
        """Gives every app without a signing key one; returns how many were made."""
        made = 0
        async with self._uow() as uow:
            apps = await uow.apps.list()
        for app in apps:
            async with self._uow() as uow:
                has_key = await uow.keys.current(app.id) is not None
            if not has_key:
                await self.ensure(app.id)
                made += 1
        return made

    async def rotate(self, app_id: str, alg: str | None = None) -> SigningKey:
        """A new signing key; the old ones stop signing now and leave JWKS once their tokens have expired."""
        now = self._clock.now()
        async with self._uow(write=True) as uow:
            app = await uow.apps.get(app_id)
            if app is None:
                raise NotFound("app")
            current = await uow.keys.current(app_id)
            key = await self._add(uow, app_id, alg or (current.alg if current else DEFAULT_ALG))
            ttl = max(LONGEST_ACCESS_TTL, app.settings.access_token_ttl or 0)
            await uow.keys.retire_others(app_id, key.kid, now, now + timedelta(seconds=ttl + LEEWAY))
        return key

    async def for_app(self, app_id: str) -> list[SigningKey]:
        """The app's keys, newest first, retired and dropped ones included; never with private parts."""
        async with self._uow() as uow:
            if await uow.apps.get(app_id) is None:
                raise NotFound("app")
            return await uow.keys.for_app(app_id)

    async def jwks(self) -> list[dict[str, object]]:
        """Every published public key, each with `kid`, `alg` and `use: sig` (SPEC §6.9)."""
        async with self._uow() as uow:
            keys = await uow.keys.published(self._clock.now())
        return [{**key.public_jwk, "kid": key.kid, "alg": key.alg, "use": "sig"} for key in keys]

    async def _add(self, uow: UnitOfWork, app_id: str, alg: str) -> SigningKey:
        if alg not in ALGORITHMS:
            raise InvalidInput(f"alg must be one of {', '.join(ALGORITHMS)}", field="alg")
        material = self._codec.generate(alg)
        key = SigningKey(
            kid=material.kid,
            app_id=app_id,
            alg=material.alg,
            private_pem=material.private_pem,
            public_jwk=material.public_jwk,
            created_at=self._clock.now(),
        )
        await uow.keys.insert(key)
        return key
