"""One-time codes: making them (digests at rest) and redeeming them (single use, expiry, attempt limit)."""

from __future__ import annotations

import hashlib
import hmac
from datetime import timedelta

from usher.core.errors import InvalidCode
from usher.core.identity import digest
from usher.core.models import CodeFormat, OneTimeCode, User
from usher.core.ports import Clock, Secrets, UnitOfWork

MAX_ATTEMPTS = 5  # wrong guesses a short code survives
_DIGITS = "0123456789"
_ALNUM = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789"  # no 0/O, 1/l/I look-alikes


def _short_digest(salt: str, code: str) -> str:
    return hashlib.sha256(f"{salt}:{code}".encode()).hexdigest()


class CodeBook:
    """Issues and redeems codes inside the caller's unit of work."""

    def __init__(self, clock: Clock, secrets: Secrets) -> None:
        self._clock = clock
        self._secrets = secrets

    def _secret(self, fmt: CodeFormat) -> str:
        if fmt.kind == "token":
            return self._secrets.token()
        alphabet = _DIGITS if fmt.kind == "digits" else _ALNUM
        return self._secrets.choose(alphabet, fmt.length)

    async def issue(
        self,
        uow: UnitOfWork,
        user: User,
        purpose: str,
        fmt: CodeFormat,
        ttl: int,
        *,
        redirect_url: str | None = None,
        failure_redirect_url: str | None = None,
    ) -> str:
        """Stores a new code for the user and returns it in clear (the only time it exists so)."""
        now = self._clock.now()
        secret = self._secret(fmt)
        salt = self._secrets.token()[:16] if fmt.short else None
        await uow.codes.insert(
            OneTimeCode(
                id=self._secrets.public_id("otc"),
                app_id=user.app_id,
                user_id=user.id,
                purpose=purpose,
                short=fmt.short,
                digest=_short_digest(salt, secret) if salt else digest(secret),
                salt=salt,
                email=user.email,
                created_at=now,
                expires_at=now + timedelta(seconds=ttl),
                redirect_url=redirect_url,
                failure_redirect_url=failure_redirect_url,
            )
        )
        return secret

    async def find_token(self, uow: UnitOfWork, app_id: str | None, purpose: str, token: str) -> OneTimeCode:
        """A known long token of this app (any app: None) and purpose, whatever its state;
        InvalidCode("unknown") otherwise."""
        found = await uow.codes.find_by_digest(digest(token)) if 16 <= len(token) <= 128 else None
        wrong_app = app_id is not None and found is not None and found.app_id != app_id
        if found is None or wrong_app or found.purpose != purpose or found.short:
            raise InvalidCode("unknown")
        return found

    async def spend(self, uow: UnitOfWork, code: OneTimeCode) -> None:
        """Uses the code up, once: a second request, even a parallel one, gets InvalidCode("used")."""
        if code.used_at is not None:
            raise InvalidCode("used", redirect=code.failure_redirect_url)
        if code.expires_at <= self._clock.now():
            raise InvalidCode("expired", redirect=code.failure_redirect_url)
        if not await uow.codes.consume(code.id, self._clock.now()):
            raise InvalidCode("used", redirect=code.failure_redirect_url)

    async def redeem_token(self, uow: UnitOfWork, app_id: str, purpose: str, token: str) -> OneTimeCode:
        found = await self.find_token(uow, app_id, purpose, token)
        await self.spend(uow, found)
        return found

    async def redeem_short(self, uow: UnitOfWork, user: User, purpose: str, code: str) -> OneTimeCode | None:
        """Spends the user's short code, or returns None after counting the wrong guess against every live code
        of the purpose. It returns rather than raises so the count commits with the unit of work."""
        live = await uow.codes.active_for_user(user.app_id, user.id, purpose, self._clock.now())
        live = [c for c in live if c.short and c.attempts < MAX_ATTEMPTS]
        match = next((c for c in live if c.salt and hmac.compare_digest(c.digest, _short_digest(c.salt, code))), None)
        if match is None or not await uow.codes.consume(match.id, self._clock.now()):
            for candidate in live:
                await uow.codes.count_failure(candidate.id)
            return None
        return match
