"""AuthC1 `POST /v1/{APPID}/email/login`: the seed's example, the superset answer, and uniform failures."""

from __future__ import annotations

from typing import Any

import pytest

from tests.dialects.authc1.conftest import Clocked
from tests.dialects.authc1.support import (
    ACCESS_TTL,
    EMAIL,
    LOGIN_KEYS,
    LOGIN_USER_KEYS,
    NAME,
    PASSWORD,
    SEED_LOGIN_KEYS,
    SEED_LOGIN_USER_KEYS,
    AuthC1,
    assert_error,
    verified_claims,
)
from usher.container import Container
from usher.core.accounts import Registration
from usher.core.models import RequestContext


async def test_login_seed_example_answers_seed_keys_and_superset(clocked: Clocked) -> None:
    authc1 = clocked.authc1
    registered = await authc1.register()
    body = await authc1.login()
    assert set(body) == LOGIN_KEYS
    assert set(body) >= SEED_LOGIN_KEYS
    assert set(body["user"]) == LOGIN_USER_KEYS
    assert set(body["user"]) >= SEED_LOGIN_USER_KEYS
    assert body["token"] == body["access_token"]
    assert body["local_id"] == registered["local_id"]
    assert body["user"] == {
        "id": registered["local_id"],
        "local_id": registered["local_id"],
        "email": EMAIL,
        "name": NAME,
        "email_verified": False,
    }
    assert body["email_verified"] is False
    assert body["expires_in"] == ACCESS_TTL
    assert body["expires_at"] == int(clocked.clock.now().timestamp()) + ACCESS_TTL
    assert isinstance(body["refresh_token"], str)
    assert len(body["refresh_token"]) == 43
    assert isinstance(body["session_id"], str)
    assert body["session_id"] != registered["local_id"]


async def test_login_access_token_verifies_against_jwks(authc1: AuthC1) -> None:
    await authc1.register()
    body = await authc1.login()
    claims = await verified_claims(authc1.api, body["access_token"])
    assert claims["sub"] == body["local_id"]
    assert claims["sid"] == body["session_id"]
    assert claims["email"] == EMAIL
    assert claims["email_verified"] is False
    assert claims["exp"] - claims["iat"] == ACCESS_TTL
    assert claims["exp"] == body["expires_at"]


async def test_login_twice_opens_two_sessions(authc1: AuthC1) -> None:
    await authc1.register()
    first, second = await authc1.login(), await authc1.login()
    assert first["session_id"] != second["session_id"]
    assert first["refresh_token"] != second["refresh_token"]


async def test_login_wrong_password_and_unknown_email_answer_identically(authc1: AuthC1) -> None:
    await authc1.register()
    wrong = await authc1("email/login", {"email": EMAIL, "password": "Wrong#Horse9Battery"})
    unknown = await authc1("email/login", {"email": "nobody@example.com", "password": PASSWORD})
    assert_error(wrong, 401, "INVALID_CREDENTIALS")
    assert_error(unknown, 401, "INVALID_CREDENTIALS")
    assert wrong.json() == unknown.json()
    assert wrong.headers["www-authenticate"] == unknown.headers["www-authenticate"] == "Bearer"


@pytest.mark.parametrize("typed", ["JOHN@EXAMPLE.COM", "  john@example.com ", "\uff4a\uff4f\uff48\uff4e@example.com"])
async def test_login_email_in_other_case_or_unicode_form_signs_in(authc1: AuthC1, typed: str) -> None:
    await authc1.register()
    body = await authc1.login(email=typed)
    assert body["user"]["email"] == EMAIL  # the address as registered


async def test_login_seed_weak_password_mypassword_cannot_sign_in(authc1: AuthC1) -> None:
    """The seed's `mypassword` is refused at registration, so the seed's login never succeeds with it."""
    refused = await authc1("email/register", {"name": NAME, "email": EMAIL, "password": "mypassword"})
    assert_error(refused, 400, "INVALID_PASSWORD")
    response = await authc1("email/login", {"email": EMAIL, "password": "mypassword"})
    assert_error(response, 401, "INVALID_CREDENTIALS")


async def test_login_app_access_ttl_setting_wins_in_expires_in(clocked: Clocked) -> None:
    await clocked.container.services.apps.configure("default", {"access_token_ttl": "600"})
    await clocked.authc1.register()
    body = await clocked.authc1.login()
    assert body["expires_in"] == 600
    assert body["expires_at"] == int(clocked.clock.now().timestamp()) + 600
    claims = await verified_claims(clocked.authc1.api, body["access_token"])
    assert claims["exp"] == body["expires_at"]


async def test_login_app_requiring_verified_email_still_issues_unverified_tokens(
    authc1: AuthC1, container: Container
) -> None:
    """SPEC §6.11: AuthC1's verify call needs a token, so it issues one with email_verified false."""
    await container.services.apps.configure("default", {"require_verified_email": "true"})
    await authc1.register()
    body = await authc1.login()
    assert body["email_verified"] is False


async def test_login_user_with_last_name_answers_full_name(authc1: AuthC1, container: Container) -> None:
    app = await container.services.apps.get("default")
    reg = Registration(password=PASSWORD, email="ada@example.com", first_name="Ada", last_name="Lovelace")
    await container.services.accounts.register(app, reg, RequestContext())
    body = await authc1.login(email="ada@example.com")
    assert body["user"]["name"] == "Ada Lovelace"


async def test_login_disabled_user_is_invalid_credentials(authc1: AuthC1, container: Container) -> None:
    registered = await authc1.register()
    await container.services.accounts.set_disabled("default", registered["local_id"], True, RequestContext())
    response = await authc1("email/login", {"email": EMAIL, "password": PASSWORD})
    assert_error(response, 401, "INVALID_CREDENTIALS")


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"password": PASSWORD}, "email"),
        ({"email": EMAIL}, "password"),
        ({"email": EMAIL, "password": None}, "password"),
        ({"email": 12345, "password": PASSWORD}, "email"),
        ({"email": EMAIL, "password": ["SECRET-VALUE-1"]}, "password"),
        ({"email": EMAIL, "password": {"x": "SECRET-VALUE-2"}}, "password"),
        ({"email": "not-an-address", "password": PASSWORD}, "email"),
        ({"email": "a@b" + "c" * 300, "password": PASSWORD}, "email"),
    ],
)
async def test_login_bad_field_is_400_naming_the_field(authc1: AuthC1, body: dict[str, Any], field: str) -> None:
    response = await authc1("email/login", body)
    error = assert_error(response, 400, "VALIDATION_ERROR")
    assert error["details"] == {"field": field}
    assert field in error["message"]
    assert "SECRET-VALUE" not in response.text
    assert PASSWORD not in response.text
