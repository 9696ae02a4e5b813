"""Every public method of both clients, as a table of steps against the real app.

A step is a short story through a World (tests/sdk/conftest.py): a client of either kind, in-process or over a
socket. It names the methods it covers, and test_clients.py checks that it really called them, runs every step
in every world, and fails when a public method of Client or AsyncClient is in no step.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta

import pytest

from tests.sdk.conftest import PASSWORD, World
from usher.core.models import Purpose
from usher_client import (
    AuditEvent,
    InvalidCredentials,
    InvalidSession,
    InvalidToken,
    NotFound,
    Page,
    Session,
    SignedIn,
    TokenPair,
    User,
)

EMAIL = "ada@example.com"
NEW_PASSWORD = "another horse battery"


@dataclass(frozen=True)
class Step:
    run: Callable[[World], Awaitable[None]]
    covers: frozenset[str]


STEPS: dict[str, Step] = {}


def step(*covers: str) -> Callable[[Callable[[World], Awaitable[None]]], Callable[[World], Awaitable[None]]]:
    def register(run: Callable[[World], Awaitable[None]]) -> Callable[[World], Awaitable[None]]:
        STEPS[run.__name__] = Step(run, frozenset(covers))
        return run

    return register


async def signed_up(world: World, email: str = EMAIL) -> tuple[User, str]:
    result = await world.sdk.sign_up(PASSWORD, email=email, first_name="Ada")
    assert result.session is not None
    return result.user, result.session.token


# self-service


@step("sign_up")
async def sign_up_returns_user_and_session(world: World) -> None:
    result = await world.sdk.sign_up(PASSWORD, email=EMAIL, username="ada", profile={"team": "math"})
    assert isinstance(result, SignedIn)
    assert result.user.email == EMAIL and result.user.username == "ada" and result.user.profile == {"team": "math"}
    assert result.session is not None and result.session.token
    assert result.session.token not in repr(result)


@step("sign_in", "me")
async def sign_in_and_me_return_the_same_user(world: World) -> None:
    user, _ = await signed_up(world)
    signed = await world.sdk.sign_in(EMAIL, PASSWORD)
    assert signed.session is not None
    me = await world.sdk.me(signed.session.token)
    assert me.user.id == signed.user.id == user.id and me.user.email == EMAIL
    assert me.session.id == signed.session.session.id


@step("token", "refresh")
async def token_and_refresh_rotate_the_pair(world: World) -> None:
    await signed_up(world)
    pair = await world.sdk.token(EMAIL, PASSWORD)
    assert isinstance(pair, TokenPair) and pair.token_type == "Bearer" and pair.expires_in == 900
    assert (await world.sdk.me(pair.access_token)).user.email == EMAIL
    again = await world.sdk.refresh(pair.refresh_token)
    assert again.refresh_token != pair.refresh_token and again.user.id == pair.user.id


@step("update_me")
async def update_me_changes_only_given_fields(world: World) -> None:
    _, token = await signed_up(world)
    user = await world.sdk.update_me(token, last_name="Lovelace", language="en")
    assert (user.first_name, user.last_name, user.language) == ("Ada", "Lovelace", "en")


@step("change_password")
async def change_password_then_old_one_fails(world: World) -> None:
    _, token = await signed_up(world)
    await world.sdk.change_password(token, PASSWORD, NEW_PASSWORD)
    with pytest.raises(InvalidCredentials):
        await world.sdk.sign_in(EMAIL, PASSWORD)
    assert (await world.sdk.sign_in(EMAIL, NEW_PASSWORD)).session is not None


@step("confirm_password")
async def confirm_password_right_returns_wrong_raises(world: World) -> None:
    _, token = await signed_up(world)
    assert await world.sdk.confirm_password(token, PASSWORD) is None
    with pytest.raises(InvalidCredentials) as caught:
        await world.sdk.confirm_password(token, "wrong horse battery")
    assert caught.value.status == 401 and caught.value.request_id


@step("sessions", "revoke_session")
async def sessions_and_revoke_session(world: World) -> None:
    _, token = await signed_up(world)
    other = await world.sdk.sign_in(EMAIL, PASSWORD)
    assert other.session is not None
    sessions = await world.sdk.sessions(token)
    assert len(sessions) == 2 and all(isinstance(s, Session) for s in sessions)
    await world.sdk.revoke_session(token, other.session.session.id)
    with pytest.raises(InvalidSession):
        await world.sdk.me(other.session.token)


@step("sign_out")
async def sign_out_ends_only_this_session(world: World) -> None:
    _, token = await signed_up(world)
    pair = await world.sdk.token(EMAIL, PASSWORD)
    await world.sdk.sign_out(token)
    with pytest.raises(InvalidSession):
        await world.sdk.me(token)
    assert (await world.sdk.me(pair.access_token)).user.email == EMAIL


@step("sign_out_everywhere")
async def sign_out_everywhere_ends_every_session(world: World) -> None:
    _, token = await signed_up(world)
    pair = await world.sdk.token(EMAIL, PASSWORD)
    await world.sdk.sign_out_everywhere(token)
    with pytest.raises(InvalidSession):
        await world.sdk.me(token)
    with pytest.raises(InvalidToken, match="session"):
        await world.sdk.me(pair.access_token)


# email verification, password reset, magic link


@step("send_verification", "verify_email")
async def verify_email_by_code(world: World) -> None:
    await signed_up(world)
    await world.sdk.send_verification(EMAIL, method="code")
    user = await world.sdk.verify_email(email=EMAIL, code=await world.secret(EMAIL, Purpose.VERIFY_EMAIL))
    assert user.email_verified is True and user.email_verified_at is not None


@step("send_verification", "verify_email")
async def verify_email_by_link_token_sent_to_me(world: World) -> None:
    _, token = await signed_up(world)
    await world.sdk.send_verification(token=token)
    link_token = await world.secret(EMAIL, Purpose.VERIFY_EMAIL)
    assert (await world.sdk.verify_email(link_token)).email_verified is True


@step("forgot_password", "reset_password")
async def forgot_and_reset_password_by_code(world: World) -> None:
    await signed_up(world)
    await world.sdk.forgot_password(EMAIL, method="code")
    code = await world.secret(EMAIL, Purpose.RESET_PASSWORD)
    await world.sdk.reset_password(NEW_PASSWORD, email=EMAIL, code=code)
    assert (await world.sdk.sign_in(EMAIL, NEW_PASSWORD)).user.email == EMAIL


@step("forgot_password", "reset_password")
async def reset_password_by_link_token(world: World) -> None:
    await signed_up(world)
    await world.sdk.forgot_password(EMAIL, redirect_url="https://app.example.com/back/reset")
    await world.sdk.reset_password(NEW_PASSWORD, token=await world.secret(EMAIL, Purpose.RESET_PASSWORD))
    assert (await world.sdk.sign_in(EMAIL, NEW_PASSWORD)).session is not None


@step("request_magic_link", "redeem_magic_link")
async def magic_link_by_code(world: World) -> None:
    await signed_up(world)
    await world.sdk.request_magic_link(EMAIL, method="code")
    signed = await world.sdk.redeem_magic_link(email=EMAIL, code=await world.secret(EMAIL, Purpose.MAGIC_LINK))
    assert signed.session is not None and signed.user.email_verified is True


@step("request_magic_link", "redeem_magic_link")
async def magic_link_by_link_token(world: World) -> None:
    await signed_up(world)
    await world.sdk.request_magic_link(EMAIL, redirect_url="https://app.example.com/back/magic")
    signed = await world.sdk.redeem_magic_link(await world.secret(EMAIL, Purpose.MAGIC_LINK))
    assert signed.session is not None and signed.user.email == EMAIL


# admin: the app's secret key


@step("create_user", "get_user", "update_user", "list_users")
async def admin_create_get_update_list(world: World) -> None:
    created = await world.sdk.create_user(id="grace", email="grace@example.com", permission_level=5, password=PASSWORD)
    assert created.id == "grace" and created.permission_level == 5
    assert await world.sdk.get_user("grace") == created
    updated = await world.sdk.update_user("grace", first_name="Grace", is_admin=True)
    assert updated.first_name == "Grace" and updated.is_admin is True
    page = await world.sdk.list_users(limit=10)
    assert isinstance(page, Page) and page.total == 1 and page.users[0].id == "grace"


@step("disable_user", "enable_user", "delete_user")
async def admin_disable_enable_delete(world: World) -> None:
    user, token = await signed_up(world)
    assert (await world.sdk.disable_user(user.id)).disabled is True
    with pytest.raises(InvalidSession):
        await world.sdk.me(token)
    assert (await world.sdk.enable_user(user.id)).disabled is False
    await world.sdk.delete_user(user.id)
    with pytest.raises(NotFound):
        await world.sdk.get_user(user.id)


@step("sign_out_user")
async def admin_sign_out_user_ends_their_sessions(world: World) -> None:
    user, token = await signed_up(world)
    await world.sdk.sign_out_user(user.id)
    with pytest.raises(InvalidSession):
        await world.sdk.me(token)


@step("audit")
async def audit_filters_by_user_type_and_time(world: World) -> None:
    user, _ = await signed_up(world)
    await world.sdk.sign_in(EMAIL, PASSWORD)
    since = world.clock.now() - timedelta(minutes=1)
    events = await world.sdk.audit(user_id=user.id, type="signin", since=since, limit=5)
    assert events and all(isinstance(e, AuditEvent) and e.type == "signin" for e in events)
    assert all(e.user_id == user.id for e in events)
