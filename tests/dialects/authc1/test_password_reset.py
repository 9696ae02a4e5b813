"""AuthC1 `email/forgot-password` and `email/confirm-password`: uniform answers, single-use codes, revocation."""

from __future__ import annotations

from typing import Any

import pytest

from tests.dialects.authc1.conftest import Clocked
from tests.dialects.authc1.support import (
    CODE_TTL,
    EMAIL,
    FORGOT_KEYS,
    NEW_PASSWORD,
    PASSWORD,
    AuthC1,
    assert_error,
)
from tests.dialects.mailbox import lifetime, mails, newest, only_mail
from usher.core.models import Purpose

RESET = Purpose.RESET_PASSWORD


async def _reset_code(clocked: Clocked) -> str:
    await clocked.authc1.ok("email/forgot-password", {"email": EMAIL})
    return (await newest(clocked.container, EMAIL, RESET)).secrets["code"]


def _confirm(code: str, password: str = NEW_PASSWORD, email: str = EMAIL) -> dict[str, Any]:
    return {"email": email, "code": code, "password": password}


async def test_forgot_password_mails_six_digit_code_valid_180_seconds(clocked: Clocked) -> None:
    await clocked.authc1.register()
    body = await clocked.authc1.ok("email/forgot-password", {"email": EMAIL})
    assert set(body) == FORGOT_KEYS
    assert body["email"] == EMAIL
    assert body["data"] == {"email": EMAIL}
    assert isinstance(body["message"], str)
    mail = await only_mail(clocked.container, EMAIL, RESET)
    assert len(mail.secrets["code"]) == 6
    assert mail.secrets["code"].isdigit()
    assert lifetime(mail) == CODE_TTL


async def test_forgot_password_unknown_address_answers_as_known_and_mails_nothing(clocked: Clocked) -> None:
    await clocked.authc1.register()
    known = await clocked.authc1("email/forgot-password", {"email": EMAIL})
    unknown = await clocked.authc1("email/forgot-password", {"email": "nobody@example.com"})
    assert known.status_code == unknown.status_code == 200
    assert known.headers["content-type"] == unknown.headers["content-type"]
    assert unknown.json() == {
        "email": "nobody@example.com",
        "message": known.json()["message"],
        "data": {"email": "nobody@example.com"},
    }
    assert await mails(clocked.container, "nobody@example.com") == []


async def test_forgot_password_echoes_address_as_typed(clocked: Clocked) -> None:
    await clocked.authc1.register()
    body = await clocked.authc1.ok("email/forgot-password", {"email": "JOHN@example.com"})
    assert body["email"] == body["data"]["email"] == "JOHN@example.com"
    assert len(await mails(clocked.container, EMAIL)) == 1  # sent to the address on the account


async def test_confirm_password_sets_password_and_answers_email(clocked: Clocked) -> None:
    await clocked.authc1.register()
    code = await _reset_code(clocked)
    assert await clocked.authc1.ok("email/confirm-password", _confirm(code)) == {"email": EMAIL}
    old = await clocked.authc1("email/login", {"email": EMAIL, "password": PASSWORD})
    assert_error(old, 401, "INVALID_CREDENTIALS")
    assert (await clocked.authc1.login(password=NEW_PASSWORD))["user"]["email"] == EMAIL


async def test_confirm_password_code_is_single_use(clocked: Clocked) -> None:
    await clocked.authc1.register()
    code = await _reset_code(clocked)
    await clocked.authc1.ok("email/confirm-password", _confirm(code))
    again = await clocked.authc1("email/confirm-password", _confirm(code, password="Third#Passphrase77"))
    assert_error(again, 404, "EXPIRED_OR_INVALID_CODE")
    assert (await clocked.authc1.login(password=NEW_PASSWORD))["user"]["email"] == EMAIL


async def test_confirm_password_revokes_every_session_and_refresh_token(clocked: Clocked) -> None:
    authc1 = clocked.authc1
    first = await authc1.register()
    second = await authc1.login()
    await authc1.ok("email/confirm-password", _confirm(await _reset_code(clocked)))
    for issued in (first, second):
        assert_error(await authc1("email/verify", token=issued["access_token"]), 401, "UNAUTHORIZED")
        refresh = await authc1("accounts/access-token", {"refresh_token": issued["refresh_token"]})
        assert_error(refresh, 401, "UNAUTHORIZED")


async def test_confirm_password_past_180_seconds_is_404(clocked: Clocked) -> None:
    await clocked.authc1.register()
    code = await _reset_code(clocked)
    clocked.clock.advance(CODE_TTL + 1)
    response = await clocked.authc1("email/confirm-password", _confirm(code))
    assert_error(response, 404, "EXPIRED_OR_INVALID_CODE")
    assert (await clocked.authc1.login())["user"]["email"] == EMAIL  # the old password still works


async def test_confirm_password_wrong_code_is_404(clocked: Clocked) -> None:
    await clocked.authc1.register()
    code = await _reset_code(clocked)
    wrong = "000000" if code != "000000" else "111111"
    assert_error(await clocked.authc1("email/confirm-password", _confirm(wrong)), 404, "EXPIRED_OR_INVALID_CODE")
    assert await clocked.authc1.ok("email/confirm-password", _confirm(code)) == {"email": EMAIL}


async def test_confirm_password_unknown_address_is_404_like_wrong_code(authc1: AuthC1) -> None:
    response = await authc1("email/confirm-password", _confirm("123456", email="nobody@example.com"))
    assert_error(response, 404, "EXPIRED_OR_INVALID_CODE")


async def test_confirm_password_other_address_with_valid_code_is_404(clocked: Clocked) -> None:
    await clocked.authc1.register()
    await clocked.authc1.register(email="jane@example.com")
    code = await _reset_code(clocked)
    response = await clocked.authc1("email/confirm-password", _confirm(code, email="jane@example.com"))
    assert_error(response, 404, "EXPIRED_OR_INVALID_CODE")


@pytest.mark.parametrize("password", ["mypassword", "newPassword", "short"])
async def test_confirm_password_weak_password_is_400_and_code_stays_usable(clocked: Clocked, password: str) -> None:
    await clocked.authc1.register()
    code = await _reset_code(clocked)
    response = await clocked.authc1("email/confirm-password", _confirm(code, password=password))
    assert assert_error(response, 400, "INVALID_PASSWORD")["details"] == {"field": "password"}
    assert await clocked.authc1.ok("email/confirm-password", _confirm(code)) == {"email": EMAIL}


async def test_confirm_password_weak_password_is_400_for_unknown_address_too(authc1: AuthC1) -> None:
    response = await authc1("email/confirm-password", _confirm("123456", "mypassword", "nobody@example.com"))
    assert_error(response, 400, "INVALID_PASSWORD")


async def test_confirm_password_with_authc1_rule_refuses_password_breaking_it(clocked: Clocked) -> None:
    await clocked.authc1.register()
    await clocked.container.services.apps.configure("default", {"password_regex": r"(?=.*[!@#$%^&*]).{8,}"})
    code = await _reset_code(clocked)
    response = await clocked.authc1("email/confirm-password", _confirm(code, password="no special chars 1A"))
    assert_error(response, 400, "INVALID_PASSWORD")


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"code": "123456", "password": NEW_PASSWORD}, "email"),
        ({"email": EMAIL, "password": NEW_PASSWORD}, "code"),
        ({"email": EMAIL, "code": "123456"}, "password"),
        ({"email": EMAIL, "code": 123456, "password": NEW_PASSWORD}, "code"),
        ({"email": EMAIL, "code": "123456", "password": ["SECRET-VALUE"]}, "password"),
    ],
)
async def test_confirm_password_bad_field_is_400(authc1: AuthC1, body: dict[str, Any], field: str) -> None:
    response = await authc1("email/confirm-password", body)
    assert assert_error(response, 400, "VALIDATION_ERROR")["details"] == {"field": field}
    assert "SECRET-VALUE" not in response.text


@pytest.mark.parametrize("body", [{}, {"email": None}, {"email": 5}, {"email": "not-an-address"}])
async def test_forgot_password_bad_email_is_400(authc1: AuthC1, body: dict[str, Any]) -> None:
    response = await authc1("email/forgot-password", body)
    assert assert_error(response, 400, "VALIDATION_ERROR")["details"] == {"field": "email"}
