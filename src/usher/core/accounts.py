"""Accounts: register, read, update, delete, list, change password, disable and enable."""

from __future__ import annotations

import builtins
from dataclasses import dataclass, field, replace

from usher.core.audit import AuditTrail
from usher.core.errors import Forbidden, InvalidCredentials, InvalidInput, NotFound
from usher.core.identity import canonical, check_caller_id, clean_email, clean_username
from usher.core.limits import Limiter
from usher.core.models import (
    App,
    IssuedSession,
    NewUser,
    Page,
    RequestContext,
    TokenPair,
    TokenSpec,
    User,
    UserChanges,
)
from usher.core.policy import PasswordPolicy
from usher.core.ports import Clock, PasswordHasher, Secrets, UnitOfWork, UnitOfWorkFactory
from usher.core.sessions import SessionOpener
from usher.core.tokens import TokenMinter

MAX_LIST_LIMIT = 1000
MAX_NAME = 200
MAX_PROFILE_ENTRIES = 100
MAX_PROFILE_VALUE = 4096


@dataclass(frozen=True, slots=True)
class Registration:
    """What a caller asks for when creating an account; the service checks and completes it."""

    password: str | None
    email: str | None = None
    username: str | None = None
    user_id: str | None = None
    first_name: str = ""
    last_name: str = ""
    language: str = ""
    profile: dict[str, str] = field(default_factory=dict)
    permission_level: int = 0
    is_admin: bool = False
    email_verified: bool = False
    first_user_admin: bool = False


@dataclass(frozen=True, slots=True)
class SignUp:
    user: User
    issued: IssuedSession | None  # None when the app requires a verified email first
    tokens: TokenPair | None = None  # when the dialect asked for tokens with the session


def _check_names(first: str | None, last: str | None, language: str | None) -> None:
    for name, value in (("first_name", first), ("last_name", last), ("language", language)):
        if value is not None and len(value) > MAX_NAME:
            raise InvalidInput(f"{name} must be at most {MAX_NAME} characters", field=name)


def _check_profile(profile: dict[str, str] | None) -> None:
    if profile is None:
        return
    if len(profile) > MAX_PROFILE_ENTRIES:
        raise InvalidInput(f"profile may hold at most {MAX_PROFILE_ENTRIES} entries", field="profile")
    for key, value in profile.items():
        if not key or len(key) > MAX_NAME or len(value) > MAX_PROFILE_VALUE:
            raise InvalidInput("profile keys must be 1 to 200 and values at most 4096 characters", field="profile")


def _keys(email: str | None, username: str | None) -> tuple[str | None, str | None]:
    return (canonical(email) if email else None, canonical(username) if username else None)


class AccountService:
    def __init__(
        self,
        uow: UnitOfWorkFactory,
        hasher: PasswordHasher,
        policy: PasswordPolicy,
        clock: Clock,
        secrets: Secrets,
        audit: AuditTrail,
        limiter: Limiter,
        minter: TokenMinter,
    ) -> None:
        self._uow = uow
        self._hasher = hasher
        self._policy = policy
        self._clock = clock
        self._secrets = secrets
        self._audit = audit
        self._limiter = limiter
        self._minter = minter
        self._sessions = SessionOpener(clock, secrets)

    async def register(self, app: App, reg: Registration, ctx: RequestContext, *, self_service: bool = True) -> User:
        """Creates an account. `self_service` sign-ups obey the app's `signup_open` setting; admins don't."""
        new, email_key, username_key = await self._prepare(app, reg, self_service, ctx)
        async with self._uow(write=True) as uow:
            return await self._insert(uow, app, new, email_key, username_key, ctx)

    async def sign_up(
        self,
        app: App,
        reg: Registration,
        ctx: RequestContext,
        *,
        session_ttl: int,
        allow_unverified: bool = False,
        tokens: TokenSpec | None = None,
    ) -> SignUp:
        """A self-service account and, unless the app wants a verified email first, its first session,
        in one unit of work (no account without its session when the request fails half-way).
        `allow_unverified`: a dialect whose verify call needs a session (AuthC1) gets one anyway."""
        new, email_key, username_key = await self._prepare(app, reg, True, ctx)
        async with self._uow(write=True) as uow:
            user = await self._insert(uow, app, new, email_key, username_key, ctx)
            if app.settings.require_verified_email and not allow_unverified:
                return SignUp(user, None)
            issued = await self._sessions.open(uow, user, app.settings.session_ttl or session_ttl, ctx)
            pair = await self._minter.mint(uow, app, user, issued.session, tokens) if tokens else None
        return SignUp(user, issued, pair)

    async def _insert(
        self,
        uow: UnitOfWork,
        app: App,
        new: NewUser,
        email_key: str | None,
        username_key: str | None,
        ctx: RequestContext,
    ) -> User:
        user = await uow.users.insert(new, email_key, username_key, self._clock.now())
        await uow.audit.append(self._audit.event(app.id, "user.created", "success", ctx, user_id=user.id))
        return user

    async def _prepare(
        self, app: App, reg: Registration, self_service: bool, ctx: RequestContext
    ) -> tuple[NewUser, str | None, str | None]:
        """Checks and completes a registration; hashes the password (never inside a write lock)."""
        if self_service and not app.settings.signup_open:
            raise Forbidden("sign-up is closed for this application")
        if self_service:
            rule = self._limiter.policy.signup_per_address
            await self._limiter.take(self._limiter.by_address("signup", app.id, ctx, rule))
        email = clean_email(reg.email) if reg.email is not None else None
        username = clean_username(reg.username) if reg.username is not None else None
        if email is None and username is None:
            raise InvalidInput("an email or a username is required", field="email")
        user_id = check_caller_id(reg.user_id) if reg.user_id is not None else self._secrets.user_id()
        _check_names(reg.first_name, reg.last_name, reg.language)
        _check_profile(reg.profile)
        password_hash = None
        if reg.password is not None:
            self._policy.check(reg.password, app.settings, email=email, username=username)
            password_hash = await self._hasher.hash(reg.password)  # before the write lock, never inside
        new = NewUser(
            app_id=app.id,
            id=user_id,
            username=username,
            email=email,
            password_hash=password_hash,
            first_name=reg.first_name,
            last_name=reg.last_name,
            language=reg.language,
            profile=dict(reg.profile),
            permission_level=reg.permission_level,
            is_admin=reg.is_admin,
            email_verified=reg.email_verified,
            first_user_admin=reg.first_user_admin,
        )
        email_key, username_key = _keys(email, username)
        return new, email_key, username_key

    async def get(self, app_id: str, user_id: str) -> User:
        async with self._uow() as uow:
            user = await uow.users.get(app_id, user_id)
        if user is None:
            raise NotFound("user")
        return user

    async def get_by_number(self, app_id: str, number: int) -> User:
        async with self._uow() as uow:
            user = await uow.users.get_by_number(app_id, number)
        if user is None:
            raise NotFound("user")
        return user

    async def find(
        self,
        app_id: str,
        *,
        user_id: str | None = None,
        username: str | None = None,
        email: str | None = None,
    ) -> User:
        """One account by id, username or email (the first one given wins)."""
        async with self._uow() as uow:
            if user_id:
                user = await uow.users.get(app_id, user_id)
            elif username:
                user = await uow.users.find_by_username(app_id, canonical(username))
            elif email:
                user = await uow.users.find_by_email(app_id, canonical(email))
            else:
                raise InvalidInput("one of id, username or email is required", field="id")
        if user is None:
            raise NotFound("user")
        return user

    async def find_by_identifier(self, app_id: str, identifier: str) -> User:
        """An account by username or email, whichever the identifier is."""
        async with self._uow() as uow:
            credentials = await uow.users.credentials_by_identifier(app_id, canonical(identifier))
        if credentials is None:
            raise NotFound("user")
        return credentials.user

    async def update(self, app: App, user_id: str, changes: UserChanges, ctx: RequestContext) -> User:
        if changes.email is not None:
            changes = replace(changes, email=clean_email(changes.email))
        if changes.username is not None:
            changes = replace(changes, username=clean_username(changes.username))
        _check_names(changes.first_name, changes.last_name, changes.language)
        _check_profile(changes.profile)
        email_key, username_key = _keys(changes.email, changes.username)
        async with self._uow(write=True) as uow:
            if email_key is not None:
                current = await uow.users.get(app.id, user_id)
                if current is not None and canonical(current.email or "") != email_key:
                    changes = replace(changes, email_verified=False)  # a new address is unproven
            user = await uow.users.update(app.id, user_id, changes, email_key, username_key, self._clock.now())
            if user is None:
                raise NotFound("user")
            await uow.audit.append(self._audit.event(app.id, "user.updated", "success", ctx, user_id=user_id))
        return user

    async def delete(self, app_id: str, user_id: str, ctx: RequestContext) -> None:
        """Deletes the account; its sessions go with it."""
        async with self._uow(write=True) as uow:
            if not await uow.users.delete(app_id, user_id):
                raise NotFound("user")
            await uow.audit.append(self._audit.event(app_id, "user.deleted", "success", ctx, user_id=user_id))

    async def list(self, app_id: str, limit: int = 25, offset: int = 0) -> Page:
        if limit > MAX_LIST_LIMIT:
            raise InvalidInput(f"limit over {MAX_LIST_LIMIT} is invalid, you specified {limit}", field="limit")
        if limit < 0 or offset < 0:
            raise InvalidInput("limit and offset must not be negative", field="limit" if limit < 0 else "offset")
        async with self._uow() as uow:
            return await uow.users.list(app_id, limit, offset)

    async def change_password(
        self,
        app: App,
        user_id: str,
        new_password: str,
        ctx: RequestContext,
        *,
        old_password: str,
        keep_session: str | None = None,
    ) -> None:
        """Sets a new password after checking the old one; revokes every session except `keep_session` and
        every live one-time code."""
        async with self._uow() as uow:
            credentials = await uow.users.credentials(app.id, user_id)
        if credentials is None:
            raise NotFound("user")
        user = credentials.user
        slot = self._limiter.by_subject("password", app.id, user_id, self._limiter.policy.signin_per_account)
        allowed = await self._limiter.allow(slot)  # a locked account answers like a wrong password
        ok = (
            allowed
            and credentials.password_hash is not None
            and await self._hasher.verify(credentials.password_hash, old_password)
        )
        if not ok:
            await self._audit.record(self._audit.event(app.id, "password.change", "failure", ctx, user_id=user_id))
            raise InvalidCredentials("old password is incorrect")
        await self._limiter.give_back(slot)
        self._policy.check(new_password, app.settings, email=user.email, username=user.username)
        new_hash = await self._hasher.hash(new_password)
        now = self._clock.now()
        async with self._uow(write=True) as uow:
            await uow.users.set_password_hash(app.id, user_id, new_hash, now)
            await uow.sessions.revoke_all(app.id, user_id, now, keep=keep_session)
            await uow.codes.invalidate(app.id, user_id, now)
            await uow.audit.append(self._audit.event(app.id, "password.change", "success", ctx, user_id=user_id))

    async def set_attribute(self, app_id: str, user_id: str, key: str, value: str) -> None:
        """Creates or replaces one custom attribute of the user."""
        if not key or len(key) > MAX_NAME or len(value) > MAX_PROFILE_VALUE:
            raise InvalidInput("attribute keys must be 1 to 200 and values at most 4096 characters", field="key")
        async with self._uow(write=True) as uow:
            if await uow.users.get(app_id, user_id) is None:
                raise NotFound("user")
            if len(await uow.attributes.list(app_id, user_id)) >= MAX_PROFILE_ENTRIES:
                existing = {k for _, k, _ in await uow.attributes.list(app_id, user_id)}
                if key not in existing:
                    raise InvalidInput(f"a user may hold at most {MAX_PROFILE_ENTRIES} attributes", field="key")
            await uow.attributes.upsert(app_id, user_id, key, value)

    async def attributes(self, app_id: str, user_id: str) -> builtins.list[tuple[int, str, str]]:
        """(id, key, value) of every attribute of the user, in key order."""
        async with self._uow() as uow:
            return await uow.attributes.list(app_id, user_id)

    async def delete_attribute(
        self, app_id: str, user_id: str, *, key: str | None = None, attribute_id: int | None = None
    ) -> None:
        """Removes one attribute, named by key or by its id; NotFound when there is no such attribute."""
        if key is None and attribute_id is None:
            raise InvalidInput("an attribute key or id is required", field="attributeKey")
        async with self._uow(write=True) as uow:
            if not await uow.attributes.delete(app_id, user_id, key=key, attribute_id=attribute_id):
                raise NotFound("attribute")

    async def set_disabled(
        self, app_id: str, user_id: str, disabled: bool, ctx: RequestContext, *, actor_id: str | None = None
    ) -> User:
        """Disabling revokes every session at once; enabling lets the user sign in again.
        An admin acting as `actor_id` cannot disable itself (it could lock every admin out)."""
        if disabled and actor_id is not None and actor_id == user_id:
            raise Forbidden("an admin cannot disable itself")
        now = self._clock.now()
        async with self._uow(write=True) as uow:
            user = await uow.users.set_disabled(app_id, user_id, disabled, now)
            if user is None:
                raise NotFound("user")
            if disabled:
                await uow.sessions.revoke_all(app_id, user_id, now)
            kind = "user.disabled" if disabled else "user.enabled"
            await uow.audit.append(self._audit.event(app_id, kind, "success", ctx, user_id=user_id))
        return user
