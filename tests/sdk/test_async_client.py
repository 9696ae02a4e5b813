"""Every AsyncClient method against the real app in-process (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.sdk.conftest import PASSWORD, Usher
from usher.core.models import Purpose
from usher_client import (
    AsyncClient,
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


async def signed_up(sdk: AsyncClient, email: str = EMAIL) -> tuple[User, str]:
    result = await sdk.sign_up(PASSWORD, email=email, first_name="Ada")
    assert result.session is not None
    return result.user, result.session.token


async def test_sign_up_returns_user_and_session(sdk: AsyncClient) -> None:
    result = await sdk.sign_up(PASSWORD, email=EMAIL, username="ada", profile={"team": "math"})
    assert isinstance(result, SignedIn)
    assert result.user.email == EMAIL and result.user.username == "ada" and result.user.profile == {"team": "math"}
    assert result.session is not None and result.session.token
    assert result.session.token not in repr(result)


async def test_sign_in_and_me_return_the_same_user(sdk: AsyncClient) -> None:
    user, _ = await signed_up(sdk)
    signed = await sdk.sign_in(EMAIL, PASSWORD)
    assert signed.session is not None
    me = await sdk.me(signed.session.token)
    assert me.user.id == signed.user.id == user.id and me.user.email == EMAIL
    assert me.session.id == signed.session.session.id


async def test_token_and_refresh_rotate_the_pair(sdk: AsyncClient) -> None:
    await signed_up(sdk)
    pair = await sdk.token(EMAIL, PASSWORD)
    assert isinstance(pair, TokenPair) and pair.token_type == "Bearer" and pair.expires_in == 900
    assert (await sdk.me(pair.access_token)).user.email == EMAIL
    again = await sdk.refresh(pair.refresh_token)
    assert again.refresh_token != pair.refresh_token and again.user.id == pair.user.id


async def test_update_me_changes_only_given_fields(sdk: AsyncClient) -> None:
    _, token = await signed_up(sdk)
    user = await sdk.update_me(token, last_name="Lovelace", language="en")
    assert (user.first_name, user.last_name, user.language) == ("Ada", "Lovelace", "en")


async def test_change_password_then_old_one_fails(sdk: AsyncClient) -> None:
    _, token = await signed_up(sdk)
    await sdk.change_password(token, PASSWORD, NEW_PASSWORD)
    with pytest.raises(InvalidCredentials):
        await sdk.sign_in(EMAIL, PASSWORD)
    assert (await sdk.sign_in(EMAIL, NEW_PASSWORD)).session is not None


async def test_confirm_password_right_returns_wrong_raises(sdk: AsyncClient) -> None:
    _, token = await signed_up(sdk)
    await sdk.confirm_password(token, PASSWORD)
    with pytest.raises(InvalidCredentials) as caught:
        await sdk.confirm_password(token, "wrong horse battery")
    assert caught.value.status == 401 and caught.value.request_id


async def test_sessions_and_revoke_session(sdk: AsyncClient) -> None:
    _, token = await signed_up(sdk)
    other = await sdk.sign_in(EMAIL, PASSWORD)
    assert other.session is not None
    sessions = await sdk.sessions(token)
    assert len(sessions) == 2 and all(isinstance(s, Session) for s in sessions)
    await sdk.revoke_session(token, other.session.session.id)
    with pytest.raises(InvalidSession):
        await sdk.me(other.session.token)


async def test_sign_out_ends_only_this_session(sdk: AsyncClient) -> None:
    _, token = await signed_up(sdk)
    pair = await sdk.token(EMAIL, PASSWORD)
    await sdk.sign_out(token)
    with pytest.raises(InvalidSession):
        await sdk.me(token)
    assert (await sdk.me(pair.access_token)).user.email == EMAIL


async def test_sign_out_everywhere_ends_every_session(sdk: AsyncClient) -> None:
    _, token = await signed_up(sdk)
    pair = await sdk.token(EMAIL, PASSWORD)
    await sdk.sign_out_everywhere(token)
    with pytest.raises(InvalidSession):
        await sdk.me(token)
    with pytest.raises(InvalidToken, match="session"):
        await sdk.me(pair.access_token)


async def test_verify_email_by_code(sdk: AsyncClient, usher: Usher) -> None:
    await signed_up(sdk)
    await sdk.send_verification(EMAIL, method="code")
    code = await usher.secret(EMAIL, Purpose.VERIFY_EMAIL)
    user = await sdk.verify_email(email=EMAIL, code=code)
    assert user.email_verified is True and user.email_verified_at is not None


async def test_verify_email_by_link_token_sent_to_me(sdk: AsyncClient, usher: Usher) -> None:
    _, token = await signed_up(sdk)
    await sdk.send_verification(token=token)
    link_token = await usher.secret(EMAIL, Purpose.VERIFY_EMAIL)
    assert (await sdk.verify_email(link_token)).email_verified is True


async def test_forgot_and_reset_password_by_code(sdk: AsyncClient, usher: Usher) -> None:
    await signed_up(sdk)
    await sdk.forgot_password(EMAIL, method="code")
    code = await usher.secret(EMAIL, Purpose.RESET_PASSWORD)
    await sdk.reset_password(NEW_PASSWORD, email=EMAIL, code=code)
    assert (await sdk.sign_in(EMAIL, NEW_PASSWORD)).user.email == EMAIL


async def test_reset_password_by_link_token(sdk: AsyncClient, usher: Usher) -> None:
    await signed_up(sdk)
    await sdk.forgot_password(EMAIL, redirect_url="https://app.example.com/back/reset")
    link_token = await usher.secret(EMAIL, Purpose.RESET_PASSWORD)
    await sdk.reset_password(NEW_PASSWORD, token=link_token)
    assert (await sdk.sign_in(EMAIL, NEW_PASSWORD)).session is not None


async def test_magic_link_by_code(sdk: AsyncClient, usher: Usher) -> None:
    await signed_up(sdk)
    await sdk.request_magic_link(EMAIL, method="code")
    signed = await sdk.redeem_magic_link(email=EMAIL, code=await usher.secret(EMAIL, Purpose.MAGIC_LINK))
    assert signed.session is not None and signed.user.email_verified is True


async def test_admin_create_get_update_list(sdk: AsyncClient) -> None:
    created = await sdk.create_user(id="grace", email="grace@example.com", permission_level=5, password=PASSWORD)
    assert created.id == "grace" and created.permission_level == 5
    assert await sdk.get_user("grace") == created
    updated = await sdk.update_user("grace", first_name="Grace", is_admin=True)
    assert updated.first_name == "Grace" and updated.is_admin is True
    page = await sdk.list_users(limit=10)
    assert isinstance(page, Page) and page.total == 1 and page.users[0].id == "grace"


async def test_admin_disable_enable_delete(sdk: AsyncClient) -> None:
    user, token = await signed_up(sdk)
    assert (await sdk.disable_user(user.id)).disabled is True
    with pytest.raises(InvalidSession):
        await sdk.me(token)
    assert (await sdk.enable_user(user.id)).disabled is False
    await sdk.delete_user(user.id)
    with pytest.raises(NotFound):
        await sdk.get_user(user.id)


async def test_admin_sign_out_user_ends_their_sessions(sdk: AsyncClient) -> None:
    user, token = await signed_up(sdk)
    await sdk.sign_out_user(user.id)
    with pytest.raises(InvalidSession):
        await sdk.me(token)


async def test_audit_filters_by_user_type_and_time(sdk: AsyncClient, usher: Usher) -> None:
    user, _ = await signed_up(sdk)
    await sdk.sign_in(EMAIL, PASSWORD)
    since = usher.clock.now() - timedelta(minutes=1)
    events = await sdk.audit(user_id=user.id, type="signin", since=since, limit=5)
    assert events and all(isinstance(e, AuditEvent) and e.type == "signin" for e in events)
    assert all(e.user_id == user.id for e in events)


async def test_admin_call_without_secret_key_raises_value_error(usher: Usher) -> None:
    async with usher.client() as sdk:
        sdk._secret_key = None
        with pytest.raises(ValueError, match="secret_key"):
            await sdk.list_users()


async def test_magic_link_by_link_token(sdk: AsyncClient, usher: Usher) -> None:
    await signed_up(sdk)
    await sdk.request_magic_link(EMAIL, redirect_url="https://app.example.com/back/magic")
    signed = await sdk.redeem_magic_link(await usher.secret(EMAIL, Purpose.MAGIC_LINK))
    assert signed.session is not None and signed.user.email == EMAIL
