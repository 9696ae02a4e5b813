"""AuthC1 `POST /v1/{APPID}/email/register`: the seed's example, duplicates, and the password policies."""

from __future__ import annotations

from typing import Any

import pytest

from tests.dialects.authc1.conftest import Clocked
from tests.dialects.authc1.support import (
    ACCESS_TTL,
    AUTHC1_RULE,
    EMAIL,
    NAME,
    PASSWORD,
    REGISTER_KEYS,
    SEED_REGISTER_KEYS,
    AuthC1,
    assert_error,
    verified_claims,
)
from usher.container import Container

ID_ALPHABET = set("23456789ABCDEFGHJKLMNPQRSTWXYZabcdefghijkmnopqrstuvwxyz")


async def test_register_seed_example_answers_seed_keys_and_tokens(clocked: Clocked) -> None:
    body = await clocked.authc1.register()
    assert set(body) == REGISTER_KEYS
    assert set(body) >= SEED_REGISTER_KEYS
    assert body["email"] == EMAIL
    assert body["name"] == NAME
    assert len(body["local_id"]) == 17
    assert set(body["local_id"]) <= ID_ALPHABET
    assert body["expires_in"] == ACCESS_TTL
    assert body["expires_at"] == int(clocked.clock.now().timestamp()) + ACCESS_TTL
    assert len(body["refresh_token"]) == 43


async def test_register_access_token_is_unverified_and_verifies_against_jwks(authc1: AuthC1) -> None:
    body = await authc1.register()
    claims = await verified_claims(authc1.api, body["access_token"])
    assert claims["sub"] == body["local_id"]
    assert claims["email_verified"] is False


async def test_register_keeps_email_as_typed_and_name_as_first_name(authc1: AuthC1, container: Container) -> None:
    body = await authc1.register(email="  John.Doe@Example.COM ", name="  Jane Q. Public ")
    assert body["email"] == "John.Doe@Example.COM"
    assert body["name"] == "Jane Q. Public"
    user = await container.services.accounts.get("default", body["local_id"])
    assert (user.first_name, user.last_name, user.email) == ("Jane Q. Public", "", "John.Doe@Example.COM")
    assert (await authc1.login(email="john.doe@example.com"))["user"]["name"] == "Jane Q. Public"


@pytest.mark.parametrize(
    "duplicate",
    ["john@example.com", "JOHN@EXAMPLE.COM", "  John@Example.com  ", "\uff4a\uff4f\uff48\uff4e@example.com"],
)
async def test_register_duplicate_email_in_any_case_or_unicode_form_is_409(authc1: AuthC1, duplicate: str) -> None:
    await authc1.register()
    response = await authc1("email/register", {"name": "Other", "email": duplicate, "password": PASSWORD})
    error = assert_error(response, 409, "EMAIL_IN_USE")
    assert error["details"] == {}


async def test_register_same_email_in_another_app_is_allowed(authc1: AuthC1, container: Container) -> None:
    await container.services.apps.create("Other", "other")
    await container.services.keys.ensure("other")
    await authc1.register()
    other = await AuthC1(authc1.api, "other").register()
    assert other["email"] == EMAIL


async def test_register_seed_password_mypassword_is_400_invalid_password(authc1: AuthC1) -> None:
    response = await authc1("email/register", {"name": NAME, "email": EMAIL, "password": "mypassword"})
    error = assert_error(response, 400, "INVALID_PASSWORD")
    assert error["message"] == "password is too common"
    assert error["details"] == {"field": "password"}
    assert "mypassword" not in response.text
    assert_error(await authc1("email/login", {"email": EMAIL, "password": "mypassword"}), 401, "INVALID_CREDENTIALS")


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("Sh0rt!", "password must be at least 8 characters"),
        (" " * 12, "password must not be only whitespace"),
        ("newPassword", "password is too common"),
        ("x" * 257, "password must be at most 256 characters"),
        ("john@example.com", "password must not be the same as the username or email"),
    ],
)
async def test_register_weak_password_is_400_with_policy_message(authc1: AuthC1, password: str, message: str) -> None:
    response = await authc1("email/register", {"name": NAME, "email": EMAIL, "password": password})
    assert assert_error(response, 400, "INVALID_PASSWORD")["message"] == message


async def test_register_default_policy_is_usher_not_authc1_rule(authc1: AuthC1) -> None:
    body = await authc1.register(password="correct horse battery staple")
    assert body["email"] == EMAIL


@pytest.mark.parametrize("password", ["correct horse battery staple", "NoDigitsHere!", "n0upper!case", "N0SPECIALS1a"])
async def test_register_with_authc1_rule_refuses_password_breaking_it(
    authc1: AuthC1, container: Container, password: str
) -> None:
    await container.services.apps.configure("default", {"password_regex": AUTHC1_RULE})
    response = await authc1("email/register", {"name": NAME, "email": EMAIL, "password": password})
    error = assert_error(response, 400, "INVALID_PASSWORD")
    assert error["message"] == "password does not meet this application's password rules"


async def test_register_with_authc1_rule_accepts_password_meeting_it(authc1: AuthC1, container: Container) -> None:
    await container.services.apps.configure("default", {"password_regex": AUTHC1_RULE})
    assert (await authc1.register(password="Aa1!aaaa"))["email"] == EMAIL


async def test_register_when_signup_closed_is_403(authc1: AuthC1, container: Container) -> None:
    await container.services.apps.configure("default", {"signup_open": "false"})
    response = await authc1("email/register", {"name": NAME, "email": EMAIL, "password": PASSWORD})
    assert_error(response, 403, "FORBIDDEN")


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"email": EMAIL, "password": PASSWORD}, "name"),
        ({"name": NAME, "password": PASSWORD}, "email"),
        ({"name": NAME, "email": EMAIL}, "password"),
        ({"name": "   ", "email": EMAIL, "password": PASSWORD}, "name"),
        ({"name": "n" * 201, "email": EMAIL, "password": PASSWORD}, "name"),
        ({"name": ["SECRET-VALUE"], "email": EMAIL, "password": PASSWORD}, "name"),
        ({"name": NAME, "email": "SECRET-VALUE", "password": PASSWORD}, "email"),
        ({"name": NAME, "email": EMAIL, "password": 12345678}, "password"),
        ({"name": NAME, "email": EMAIL, "password": "a\u0000SECRET-VALUE"}, "password"),
    ],
)
async def test_register_bad_field_is_400_naming_the_field(authc1: AuthC1, body: dict[str, Any], field: str) -> None:
    response = await authc1("email/register", body)
    error = assert_error(response, 400, "VALIDATION_ERROR")
    assert error["details"] == {"field": field}
    assert "SECRET-VALUE" not in response.text
    assert_error(await authc1("email/login", {"email": EMAIL, "password": PASSWORD}), 401, "INVALID_CREDENTIALS")


async def test_register_ignores_unknown_fields(authc1: AuthC1) -> None:
    body = {"name": NAME, "email": EMAIL, "password": PASSWORD, "email_verified": True, "local_id": "mine"}
    created = await authc1.ok("email/register", body)
    assert created["local_id"] != "mine"
    assert (await authc1.login())["email_verified"] is False
