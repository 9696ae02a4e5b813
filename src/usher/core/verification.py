"""Proving an email address: verification by code or link, and magic-link sign-in."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from usher.core.audit import AuditTrail
from usher.core.auth import AuthService
from usher.core.codes import CodeBook
from usher.core.errors import InvalidCode
from usher.core.identity import canonical
from usher.core.limits import Limiter
from usher.core.mailing import Delivery, Mailbox, check_overrides
from usher.core.models import App, CodeFormat, Purpose, RequestContext, SignIn, User
from usher.core.ports import Clock, UnitOfWork, UnitOfWorkFactory

RESEND_COOLDOWN = 60  # seconds between two mails of one purpose to one account


@dataclass(frozen=True, slots=True)
class Verified:
    user: User
    redirect_url: str | None


class VerificationService:
    def __init__(
        self,
        uow: UnitOfWorkFactory,
        clock: Clock,
        codes: CodeBook,
        mailbox: Mailbox,
        auth: AuthService,
        audit: AuditTrail,
        limiter: Limiter,
    ) -> None:
        self._uow = uow
        self._clock = clock
        self._codes = codes
        self._mailbox = mailbox
        self._auth = auth
        self._audit = audit
        self._limiter = limiter

    async def send_verification(
        self, app: App, email: str, ctx: RequestContext, *, fmt: CodeFormat, ttl: int, delivery: Delivery
    ) -> None:
        """Mails a code (and link) to an unverified account; does nothing, visibly the same, for any other."""
        check_overrides(delivery.overrides)
        if not await self._mail_allowed(app.id, email, ctx):
            return
        async with self._uow(write=True) as uow:
            user = await uow.users.find_by_email(app.id, canonical(email))
            if user is None or user.email_verified or user.disabled:
                return
            await self._send(uow, app, user, Purpose.VERIFY_EMAIL, fmt, ttl, delivery, ctx)

    async def send_verification_to(
        self, app: App, user: User, ctx: RequestContext, *, fmt: CodeFormat, ttl: int, delivery: Delivery
    ) -> None:
        """The signed-in user's own request: the caller has already checked that the address is unverified.
        Inside the re-send cooldown nothing is mailed (the answer stays the same)."""
        check_overrides(delivery.overrides)
        if not await self._mail_allowed(app.id, user.email or user.id, ctx):
            return
        async with self._uow(write=True) as uow:
            await self._send(uow, app, user, Purpose.VERIFY_EMAIL, fmt, ttl, delivery, ctx)

    async def verify_token(self, app: App, token: str, ctx: RequestContext) -> Verified:
        """Verifies by a mailed link's token. Following the same link twice counts as success (SPEC §6.10)."""
        return await self._verify_token(app.id, token, ctx)

    async def verify_link(self, token: str, ctx: RequestContext) -> Verified:
        """Verifies by a link that names no app (M3O's): the token itself says which app it belongs to."""
        return await self._verify_token(None, token, ctx)

    async def verify_code_by_email(self, app: App, email: str, code: str, ctx: RequestContext) -> User:
        """Verifies by the short code mailed to `email`; an unknown address is just a wrong code."""
        async with self._uow() as uow:
            user = await uow.users.find_by_email(app.id, canonical(email))
        if user is None:
            raise InvalidCode("unknown")
        return await self.verify_code(app, user, code, ctx)

    async def _verify_token(self, app_id: str | None, token: str, ctx: RequestContext) -> Verified:
        await self._limiter.take(
            self._limiter.by_address("code", app_id or "-", ctx, self._limiter.policy.code_per_address)
        )
        async with self._uow(write=True) as uow:
            code = await self._codes.find_token(uow, app_id, Purpose.VERIFY_EMAIL, token)
            if code.used_at is not None:
                user = await uow.users.get(code.app_id, code.user_id)
                if user and user.email_verified and code.email and canonical(user.email or "") == canonical(code.email):
                    return Verified(user, code.redirect_url)
            await self._codes.spend(uow, code)
            user = await self._mark_verified(uow, code.app_id, code.user_id, code.email, ctx)
            if user is None:
                raise InvalidCode("stale", redirect=code.failure_redirect_url)
        return Verified(user, code.redirect_url)

    async def verify_code(self, app: App, user: User, code: str, ctx: RequestContext) -> User:
        """Verifies by a short code mailed to the user."""
        if not await self._code_allowed(app.id, user.id, ctx):
            raise InvalidCode("unknown")
        async with self._uow(write=True) as uow:
            spent = await self._codes.redeem_short(uow, user, Purpose.VERIFY_EMAIL, code)
            verified = await self._mark_verified(uow, app.id, user.id, spent.email, ctx) if spent else None
        if verified is None:
            await self._audit.record(self._audit.event(app.id, "email.verify", "failure", ctx, user_id=user.id))
            raise InvalidCode("unknown")
        return verified

    async def request_magic_link(
        self, app: App, email: str, ctx: RequestContext, *, fmt: CodeFormat, ttl: int, delivery: Delivery
    ) -> None:
        """Mails a sign-in link to an enabled account; does nothing, visibly the same, for any other."""
        check_overrides(delivery.overrides)
        if not await self._mail_allowed(app.id, email, ctx):
            return
        async with self._uow(write=True) as uow:
            user = await uow.users.find_by_email(app.id, canonical(email))
            if user is None or user.disabled:
                return
            await self._send(uow, app, user, Purpose.MAGIC_LINK, fmt, ttl, delivery, ctx)

    async def redeem_magic_link(self, app: App, token: str, ctx: RequestContext, *, session_ttl: int) -> SignIn:
        """A new session for the link's user; the link also proves the address, so it verifies it."""
        await self._limiter.take(self._limiter.by_address("code", app.id, ctx, self._limiter.policy.code_per_address))
        async with self._uow(write=True) as uow:
            code = await self._codes.redeem_token(uow, app.id, Purpose.MAGIC_LINK, token)
            user = await uow.users.get(app.id, code.user_id)
            if user is None or user.disabled:
                raise InvalidCode("unknown", redirect=code.failure_redirect_url)
            await uow.codes.invalidate(app.id, user.id, self._clock.now(), (Purpose.MAGIC_LINK,))
            if not user.email_verified and code.email:
                user = await self._mark_verified(uow, app.id, user.id, code.email, ctx) or user
            await uow.audit.append(self._audit.event(app.id, "signin.magic_link", "success", ctx, user_id=user.id))
        issued = await self._auth.open_session(app, user, ctx, session_ttl=session_ttl)
        return SignIn(user=user, issued=issued)

    async def redeem_magic_code(
        self, app: App, email: str, code: str, ctx: RequestContext, *, session_ttl: int
    ) -> SignIn:
        """Passwordless sign-in with a short code mailed by `request_magic_link` (code delivery)."""
        async with self._uow() as uow:
            user = await uow.users.find_by_email(app.id, canonical(email))
        if user is None or user.disabled or not await self._code_allowed(app.id, user.id, ctx):
            raise InvalidCode("unknown")
        async with self._uow(write=True) as uow:
            spent = await self._codes.redeem_short(uow, user, Purpose.MAGIC_LINK, code)
            if spent is not None:
                await uow.codes.invalidate(app.id, user.id, self._clock.now(), (Purpose.MAGIC_LINK,))
                if not user.email_verified:
                    user = await self._mark_verified(uow, app.id, user.id, spent.email, ctx) or user
                await uow.audit.append(self._audit.event(app.id, "signin.magic_code", "success", ctx, user_id=user.id))
        if spent is None:
            await self._audit.record(self._audit.event(app.id, "signin.magic_code", "failure", ctx, user_id=user.id))
            raise InvalidCode("unknown")
        issued = await self._auth.open_session(app, user, ctx, session_ttl=session_ttl)
        return SignIn(user=user, issued=issued)

    async def _mail_allowed(self, app_id: str, recipient: str, ctx: RequestContext) -> bool:
        """429 for an address sending too much; for one recipient getting too much, silently no mail (the
        answer must not tell whether the account exists)."""
        policy = self._limiter.policy
        await self._limiter.take(self._limiter.by_address("mail", app_id, ctx, policy.mail_per_address))
        return await self._limiter.allow(
            self._limiter.by_subject("mail", app_id, canonical(recipient), policy.mail_per_recipient)
        )

    async def _code_allowed(self, app_id: str, user_id: str, ctx: RequestContext) -> bool:
        """429 for an address guessing too much; False (a wrong code) once the account's guesses are used up."""
        policy = self._limiter.policy
        await self._limiter.take(self._limiter.by_address("code", app_id, ctx, policy.code_per_address))
        return await self._limiter.allow(self._limiter.by_subject("code", app_id, user_id, policy.code_per_account))

    async def _mark_verified(
        self, uow: UnitOfWork, app_id: str, user_id: str, email: str | None, ctx: RequestContext
    ) -> User | None:
        if not email:
            return None
        user = await uow.users.set_email_verified(app_id, user_id, canonical(email), self._clock.now())
        if user is not None:
            await uow.codes.invalidate(app_id, user_id, self._clock.now(), (Purpose.VERIFY_EMAIL,))
            await uow.audit.append(self._audit.event(app_id, "email.verified", "success", ctx, user_id=user_id))
        return user

    async def _send(
        self,
        uow: UnitOfWork,
        app: App,
        user: User,
        purpose: str,
        fmt: CodeFormat,
        ttl: int,
        delivery: Delivery,
        ctx: RequestContext,
        *,
        cooldown: bool = True,
    ) -> None:
        if user.email is None:
            return
        if cooldown:
            latest = await uow.codes.latest_created(app.id, user.id, purpose)
            if latest is not None and self._clock.now() - latest < timedelta(seconds=RESEND_COOLDOWN):
                return  # the same answer as a send: a cooldown must not reveal that the account exists
        code = await self._codes.issue(
            uow,
            user,
            purpose,
            fmt,
            ttl,
            redirect_url=delivery.redirect_url,
            failure_redirect_url=delivery.failure_redirect_url,
        )
        await self._mailbox.queue(uow, app, user.email, purpose, code=code, ttl=ttl, delivery=delivery)
        await uow.audit.append(self._audit.event(app.id, f"mail.{purpose}", "queued", ctx, user_id=user.id))
