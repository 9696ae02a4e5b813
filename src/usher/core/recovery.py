"""Password reset by a mailed code or link: same answer for unknown addresses, single use, revokes sessions,
and clears the account's lock-outs."""

from __future__ import annotations

from datetime import timedelta

from usher.core.audit import AuditTrail
from usher.core.codes import CodeBook
from usher.core.errors import InvalidCode
from usher.core.identity import canonical
from usher.core.limits import Limiter
from usher.core.mailing import Delivery, Mailbox, check_overrides
from usher.core.models import App, CodeFormat, Purpose, RequestContext, User
from usher.core.policy import PasswordPolicy
from usher.core.ports import Clock, PasswordHasher, UnitOfWork, UnitOfWorkFactory
from usher.core.verification import RESEND_COOLDOWN


class RecoveryService:
    def __init__(
        self,
        uow: UnitOfWorkFactory,
        hasher: PasswordHasher,
        policy: PasswordPolicy,
        clock: Clock,
        codes: CodeBook,
        mailbox: Mailbox,
        audit: AuditTrail,
        limiter: Limiter,
    ) -> None:
        self._uow = uow
        self._hasher = hasher
        self._policy = policy
        self._clock = clock
        self._codes = codes
        self._mailbox = mailbox
        self._audit = audit
        self._limiter = limiter

    async def request_reset(
        self,
        app: App,
        email: str,
        ctx: RequestContext,
        *,
        fmt: CodeFormat,
        ttl: int,
        delivery: Delivery,
        send: bool = True,
    ) -> str | None:
        """Issues a reset code (mailed when `send`) and returns it; None for an unknown or disabled address,
        and inside the re-send cooldown. Callers answer the same in every case."""
        check_overrides(delivery.overrides)
        policy = self._limiter.policy
        await self._limiter.take(self._limiter.by_address("mail", app.id, ctx, policy.mail_per_address))
        recipient = self._limiter.by_subject("mail", app.id, canonical(email), policy.mail_per_recipient)
        if send and not await self._limiter.allow(recipient):
            return None  # the same answer: a limit must not reveal that the account exists
        async with self._uow(write=True) as uow:
            user = await uow.users.find_by_email(app.id, canonical(email))
            if user is None or user.disabled or user.email is None:
                return None
            latest = await uow.codes.latest_created(app.id, user.id, Purpose.RESET_PASSWORD)
            if send and latest is not None and self._clock.now() - latest < timedelta(seconds=RESEND_COOLDOWN):
                return None
            code = await self._codes.issue(
                uow,
                user,
                Purpose.RESET_PASSWORD,
                fmt,
                ttl,
                redirect_url=delivery.redirect_url,
                failure_redirect_url=delivery.failure_redirect_url,
            )
            if send:
                await self._mailbox.queue(
                    uow, app, user.email, Purpose.RESET_PASSWORD, code=code, ttl=ttl, delivery=delivery
                )
            await uow.audit.append(
                self._audit.event(app.id, "password.reset_requested", "success", ctx, user_id=user.id)
            )
        return code

    async def reset_with_token(self, app: App, token: str, new_password: str, ctx: RequestContext) -> User:
        """Sets the password with a long reset token (link or API-returned code)."""
        await self._limiter.take(self._limiter.by_address("code", app.id, ctx, self._limiter.policy.code_per_address))
        async with self._uow() as uow:
            code = await self._codes.find_token(uow, app.id, Purpose.RESET_PASSWORD, token)
            user = await uow.users.get(app.id, code.user_id)
        if user is None:
            raise InvalidCode("unknown")
        new_hash = await self._checked_hash(app, user, new_password)
        async with self._uow(write=True) as uow:
            await self._codes.spend(uow, code)
            updated = await self._set_password(uow, app, user, new_hash, ctx)
        await self._limiter.forgive(updated)  # after the commit: the owner may sign in at once
        return updated

    async def reset_with_code(self, app: App, email: str, code: str, new_password: str, ctx: RequestContext) -> User:
        """Sets the password with a short code mailed to `email`."""
        # The general rules first: a weak password must be refused alike for known and unknown addresses.
        self._policy.check(new_password, app.settings)
        async with self._uow() as uow:
            user = await uow.users.find_by_email(app.id, canonical(email))
        await self._limiter.take(self._limiter.by_address("code", app.id, ctx, self._limiter.policy.code_per_address))
        if user is None or not await self._limiter.allow(self._limiter.code_slot(app.id, user.id)):
            raise InvalidCode("unknown")
        new_hash = await self._checked_hash(app, user, new_password)
        async with self._uow(write=True) as uow:
            spent = await self._codes.redeem_short(uow, user, Purpose.RESET_PASSWORD, code)
            updated = await self._set_password(uow, app, user, new_hash, ctx) if spent is not None else None
        if updated is None:
            await self._audit.record(self._audit.event(app.id, "password.reset", "failure", ctx, user_id=user.id))
            raise InvalidCode("unknown")
        await self._limiter.forgive(updated)
        return updated

    async def _checked_hash(self, app: App, user: User, new_password: str) -> str:
        self._policy.check(new_password, app.settings, email=user.email, username=user.username)
        return await self._hasher.hash(new_password)  # before the write lock, never inside

    async def _set_password(self, uow: UnitOfWork, app: App, user: User, new_hash: str, ctx: RequestContext) -> User:
        """The new password ends every session and every other live code of the user; returns the user as now."""
        now = self._clock.now()
        await uow.users.set_password_hash(app.id, user.id, new_hash, now)
        await uow.sessions.revoke_all(app.id, user.id, now)
        await uow.codes.invalidate(app.id, user.id, now)
        await uow.audit.append(self._audit.event(app.id, "password.reset", "success", ctx, user_id=user.id))
        return await uow.users.get(app.id, user.id) or user
