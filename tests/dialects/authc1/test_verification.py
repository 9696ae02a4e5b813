"""AuthC1 `email/verify` and `email/confirm`: a 6-digit code valid 180 s, mailed to the token's user."""

from __future__ import annotations

import pytest

from tests.dialects.authc1.conftest import Clocked
from tests.dialects.authc1.support import (
    ACCESS_TTL,
    CODE_TTL,
    CONFIRM_KEYS,
    EMAIL,
    NAME,
    AuthC1,
    assert_error,
    verified_claims,
)
from tests.dialects.mailbox import lifetime, mails, newest, only_mail
from usher.core.models import Purpose, RequestContext

VERIFY = Purpose.VERIFY_EMAIL


async def _code(clocked: Clocked, to: str = EMAIL) -> str:
    return (await newest(clocked.container, to, VERIFY)).secrets["code"]


async def test_verify_mails_six_digit_code_valid_180_seconds(clocked: Clocked) -> None:
    token = (await clocked.authc1.register())["access_token"]
    body = await clocked.authc1.ok("email/verify", token=token)
    assert body == {"email": EMAIL}
    mail = await only_mail(clocked.container, EMAIL, VERIFY)
    code = mail.secrets["code"]
    assert len(code) == 6
    assert code.isdigit()
    assert lifetime(mail) == CODE_TTL


async def test_verify_accepts_empty_json_object_as_payload(clocked: Clocked) -> None:
    token = (await clocked.authc1.register())["access_token"]
    assert await clocked.authc1.ok("email/verify", {}, token=token) == {"email": EMAIL}


async def test_verify_twice_within_cooldown_answers_same_and_mails_once(clocked: Clocked) -> None:
    token = (await clocked.authc1.register())["access_token"]
    first = await clocked.authc1.ok("email/verify", token=token)
    second = await clocked.authc1.ok("email/verify", token=token)
    assert first == second
    assert len(await mails(clocked.container, EMAIL)) == 1


async def test_confirm_verifies_and_answers_fresh_tokens_for_same_session(clocked: Clocked) -> None:
    authc1 = clocked.authc1
    registered = await authc1.register()
    login = await authc1.login()
    await authc1.ok("email/verify", token=login["access_token"])
    body = await authc1.ok("email/confirm", {"code": await _code(clocked)}, token=login["access_token"])
    assert set(body) == CONFIRM_KEYS
    assert (body["name"], body["local_id"], body["email"]) == (NAME, registered["local_id"], EMAIL)
    assert body["expires_in"] == ACCESS_TTL
    assert body["expires_at"] == int(clocked.clock.now().timestamp()) + ACCESS_TTL
    assert body["access_token"] != login["access_token"]
    assert body["refresh_token"] != login["refresh_token"]
    claims = await verified_claims(authc1.api, body["access_token"])
    assert claims["sid"] == login["session_id"]
    assert claims["email_verified"] is True
    assert (await authc1.login())["email_verified"] is True
    refreshed = await authc1.ok("accounts/access-token", {"refresh_token": body["refresh_token"]})
    assert (await verified_claims(authc1.api, refreshed["access_token"]))["sid"] == login["session_id"]


async def test_verify_after_confirm_is_403_email_already_verified(clocked: Clocked) -> None:
    """The old (unverified) token still names a live session, whose user is read as it is now."""
    token = (await clocked.authc1.register())["access_token"]
    await clocked.authc1.ok("email/verify", token=token)
    fresh = await clocked.authc1.ok("email/confirm", {"code": await _code(clocked)}, token=token)
    for used in (token, fresh["access_token"]):
        response = await clocked.authc1("email/verify", token=used)
        assert_error(response, 403, "EMAIL_ALREADY_VERIFIED")


async def test_confirm_with_wrong_code_is_404_and_right_code_still_works(clocked: Clocked) -> None:
    token = (await clocked.authc1.register())["access_token"]
    await clocked.authc1.ok("email/verify", token=token)
    code = await _code(clocked)
    wrong = "000000" if code != "000000" else "111111"
    response = await clocked.authc1("email/confirm", {"code": wrong}, token=token)
    assert_error(response, 404, "EXPIRED_OR_INVALID_CODE")
    assert (await clocked.authc1.ok("email/confirm", {"code": code}, token=token))["email"] == EMAIL


async def test_confirm_code_past_180_seconds_is_404(clocked: Clocked) -> None:
    token = (await clocked.authc1.register())["access_token"]
    await clocked.authc1.ok("email/verify", token=token)
    code = await _code(clocked)
    clocked.clock.advance(CODE_TTL + 1)
    response = await clocked.authc1("email/confirm", {"code": code}, token=token)
    assert_error(response, 404, "EXPIRED_OR_INVALID_CODE")


async def test_confirm_code_just_inside_180_seconds_works(clocked: Clocked) -> None:
    token = (await clocked.authc1.register())["access_token"]
    await clocked.authc1.ok("email/verify", token=token)
    code = await _code(clocked)
    clocked.clock.advance(CODE_TTL - 5)
    assert (await clocked.authc1.ok("email/confirm", {"code": code}, token=token))["email"] == EMAIL


async def test_confirm_reused_code_is_404(clocked: Clocked) -> None:
    token = (await clocked.authc1.register())["access_token"]
    await clocked.authc1.ok("email/verify", token=token)
    code = await _code(clocked)
    await clocked.authc1.ok("email/confirm", {"code": code}, token=token)
    response = await clocked.authc1("email/confirm", {"code": code}, token=token)
    assert_error(response, 404, "EXPIRED_OR_INVALID_CODE")


async def test_confirm_without_requested_code_is_404(clocked: Clocked) -> None:
    token = (await clocked.authc1.register())["access_token"]
    response = await clocked.authc1("email/confirm", {"code": "123456"}, token=token)
    assert_error(response, 404, "EXPIRED_OR_INVALID_CODE")


async def test_confirm_with_other_users_code_is_404(clocked: Clocked) -> None:
    john = (await clocked.authc1.register())["access_token"]
    jane = (await clocked.authc1.register(email="jane@example.com"))["access_token"]
    await clocked.authc1.ok("email/verify", token=jane)
    response = await clocked.authc1("email/confirm", {"code": await _code(clocked, "jane@example.com")}, token=john)
    assert_error(response, 404, "EXPIRED_OR_INVALID_CODE")


async def test_verify_again_after_expiry_mails_new_code_that_works(clocked: Clocked) -> None:
    token = (await clocked.authc1.register())["access_token"]
    await clocked.authc1.ok("email/verify", token=token)
    clocked.clock.advance(CODE_TTL + 1)
    await clocked.authc1.ok("email/verify", token=token)
    assert len(await mails(clocked.container, EMAIL)) == 2
    assert (await clocked.authc1.ok("email/confirm", {"code": await _code(clocked)}, token=token))["email"] == EMAIL


@pytest.mark.parametrize("path", ["email/verify", "email/confirm"])
@pytest.mark.parametrize("authorization", [None, "Bearer ", "Bearer garbage", "Bearer a.b.c", "Basic dXNlcjpwYXNz"])
async def test_verify_or_confirm_without_valid_token_is_401_unauthorized(
    authc1: AuthC1, path: str, authorization: str | None
) -> None:
    await authc1.register()
    headers = {"Authorization": authorization} if authorization is not None else {}
    response = await authc1.api.post(authc1.url(path), json={"code": "123456"}, headers=headers)
    assert_error(response, 401, "UNAUTHORIZED")
    assert response.headers["www-authenticate"] == "Bearer"


@pytest.mark.parametrize("path", ["email/verify", "email/confirm"])
async def test_verify_or_confirm_with_refresh_token_as_bearer_is_401(authc1: AuthC1, path: str) -> None:
    refresh = (await authc1.register())["refresh_token"]
    assert_error(await authc1(path, {"code": "123456"}, token=refresh), 401, "UNAUTHORIZED")


@pytest.mark.parametrize("path", ["email/verify", "email/confirm"])
async def test_verify_or_confirm_with_expired_access_token_is_401_token_expired(clocked: Clocked, path: str) -> None:
    token = (await clocked.authc1.register())["access_token"]
    clocked.clock.advance(ACCESS_TTL + 60)  # past the verifier's leeway; the session still lives
    response = await clocked.authc1(path, {"code": "123456"}, token=token)
    assert_error(response, 401, "TOKEN_EXPIRED")


@pytest.mark.parametrize("path", ["email/verify", "email/confirm"])
async def test_verify_or_confirm_with_tampered_token_is_401(authc1: AuthC1, path: str) -> None:
    token = (await authc1.register())["access_token"]
    head, payload, signature = token.split(".")
    tampered = f"{head}.{payload}.{signature[:-4]}AAAA"
    assert_error(await authc1(path, {"code": "123456"}, token=tampered), 401, "UNAUTHORIZED")


@pytest.mark.parametrize("path", ["email/verify", "email/confirm"])
async def test_verify_or_confirm_with_other_apps_token_is_401(clocked: Clocked, path: str) -> None:
    await clocked.container.services.apps.create("Other", "other")
    await clocked.container.services.keys.ensure("other")
    token = (await AuthC1(clocked.authc1.api, "other").register())["access_token"]
    await clocked.authc1.register()
    response = await clocked.authc1(path, {"code": "123456"}, token=token)
    assert_error(response, 401, "UNAUTHORIZED")
    assert await mails(clocked.container, EMAIL) == []


async def test_verify_after_user_deleted_is_401(clocked: Clocked) -> None:
    """Deleting a user ends its sessions, so its still-unexpired token is no longer accepted by usher."""
    registered = await clocked.authc1.register()
    await clocked.container.services.accounts.delete("default", registered["local_id"], RequestContext())
    response = await clocked.authc1("email/verify", token=registered["access_token"])
    assert_error(response, 401, "UNAUTHORIZED")


async def test_verify_with_malformed_body_is_400(authc1: AuthC1) -> None:
    token = (await authc1.register())["access_token"]
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    response = await authc1.api.post(authc1.url("email/verify"), content=b"{", headers=headers)
    assert_error(response, 400, "VALIDATION_ERROR")


@pytest.mark.parametrize("body", [{}, {"code": None}, {"code": 123456}, {"code": ""}, {"code": "9" * 65}])
async def test_confirm_with_bad_code_field_is_400(authc1: AuthC1, body: dict[str, object]) -> None:
    token = (await authc1.register())["access_token"]
    response = await authc1("email/confirm", body, token=token)
    assert assert_error(response, 400, "VALIDATION_ERROR")["details"] == {"field": "code"}
