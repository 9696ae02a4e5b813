"""AuthC1 `POST /v1/{APPID}/accounts/access-token`: rotation, the grace window, reuse, expiry, other apps."""

from __future__ import annotations

import pytest

from tests.dialects.authc1.conftest import Clocked
from tests.dialects.authc1.support import ACCESS_TTL, REFRESH_KEYS, AuthC1, assert_error, verified_claims
from usher.core.tokens import GRACE

PATH = "accounts/access-token"
TOKEN_FIELDS = {"access_token", "refresh_token", "expires_in", "expires_at"}


async def test_refresh_answers_new_tokens_and_original_envelope(clocked: Clocked) -> None:
    login = await clocked.authc1.register()
    clocked.clock.advance(30)
    body = await clocked.authc1.ok(PATH, {"refresh_token": login["refresh_token"]})
    assert set(body) == REFRESH_KEYS
    assert set(body["data"]) == TOKEN_FIELDS
    assert body["data"] == {name: body[name] for name in TOKEN_FIELDS}
    assert body["refresh_token"] != login["refresh_token"]
    assert len(body["refresh_token"]) == 43
    assert body["access_token"] != login["access_token"]
    assert body["expires_in"] == ACCESS_TTL
    assert body["expires_at"] == int(clocked.clock.now().timestamp()) + ACCESS_TTL
    now = int(clocked.clock.now().timestamp())
    claims = await verified_claims(clocked.authc1.api, body["access_token"], now=now)
    assert claims["sub"] == login["local_id"]
    assert (await clocked.authc1.ok("email/verify", token=body["access_token"]))["email"] == claims["email"]


async def test_refresh_rotates_on_every_use(clocked: Clocked) -> None:
    token = (await clocked.authc1.register())["refresh_token"]
    seen = {token}
    for _ in range(3):
        clocked.clock.advance(GRACE.total_seconds() + 1)
        token = (await clocked.authc1.ok(PATH, {"refresh_token": token}))["refresh_token"]
        assert token not in seen
        seen.add(token)


async def test_refresh_retry_within_grace_gets_same_successor(clocked: Clocked) -> None:
    token = (await clocked.authc1.register())["refresh_token"]
    first = await clocked.authc1.ok(PATH, {"refresh_token": token})
    clocked.clock.advance(GRACE.total_seconds() - 1)
    retry = await clocked.authc1.ok(PATH, {"refresh_token": token})
    assert retry["refresh_token"] == first["refresh_token"]
    assert (await clocked.authc1.ok(PATH, {"refresh_token": first["refresh_token"]}))["refresh_token"]


async def test_refresh_reuse_after_grace_is_401_and_ends_the_family(clocked: Clocked) -> None:
    login = await clocked.authc1.register()
    successor = (await clocked.authc1.ok(PATH, {"refresh_token": login["refresh_token"]}))["refresh_token"]
    clocked.clock.advance(GRACE.total_seconds() + 1)
    reused = await clocked.authc1(PATH, {"refresh_token": login["refresh_token"]})
    assert_error(reused, 401, "UNAUTHORIZED")
    assert_error(await clocked.authc1(PATH, {"refresh_token": successor}), 401, "UNAUTHORIZED")
    assert_error(await clocked.authc1("email/verify", token=login["access_token"]), 401, "UNAUTHORIZED")


async def test_refresh_reuse_ends_only_its_own_session(clocked: Clocked) -> None:
    stolen = await clocked.authc1.register()
    other = await clocked.authc1.login()
    await clocked.authc1.ok(PATH, {"refresh_token": stolen["refresh_token"]})
    clocked.clock.advance(GRACE.total_seconds() + 1)
    assert_error(await clocked.authc1(PATH, {"refresh_token": stolen["refresh_token"]}), 401, "UNAUTHORIZED")
    assert await clocked.authc1.ok(PATH, {"refresh_token": other["refresh_token"]})


async def test_refresh_with_expired_refresh_token_is_401_token_expired(clocked: Clocked) -> None:
    """The app's shorter refresh lifetime wins; the session (30 days) still lives, the token has expired."""
    await clocked.container.services.apps.configure("default", {"refresh_token_ttl": "3600"})
    token = (await clocked.authc1.register())["refresh_token"]
    clocked.clock.advance(3601)
    response = await clocked.authc1(PATH, {"refresh_token": token})
    assert_error(response, 401, "TOKEN_EXPIRED")


async def test_refresh_after_access_token_expired_still_works(clocked: Clocked) -> None:
    login = await clocked.authc1.register()
    clocked.clock.advance(ACCESS_TTL + 60)
    assert_error(await clocked.authc1("email/verify", token=login["access_token"]), 401, "TOKEN_EXPIRED")
    fresh = await clocked.authc1.ok(PATH, {"refresh_token": login["refresh_token"]})
    assert (await clocked.authc1.ok("email/verify", token=fresh["access_token"]))["email"]


async def test_refresh_reports_app_access_ttl(clocked: Clocked) -> None:
    token = (await clocked.authc1.register())["refresh_token"]
    await clocked.container.services.apps.configure("default", {"access_token_ttl": "900"})
    body = await clocked.authc1.ok(PATH, {"refresh_token": token})
    assert body["expires_in"] == body["data"]["expires_in"] == 900
    assert body["expires_at"] == int(clocked.clock.now().timestamp()) + 900


async def test_refresh_at_unknown_app_is_401(authc1: AuthC1) -> None:
    token = (await authc1.register())["refresh_token"]
    response = await AuthC1(authc1.api, "nope")(PATH, {"refresh_token": token})
    assert_error(response, 401, "UNAUTHORIZED")


async def test_refresh_token_presented_to_other_existing_app_is_401_and_stays_usable(clocked: Clocked) -> None:
    await clocked.container.services.apps.create("Other", "other")
    await clocked.container.services.keys.ensure("other")
    token = (await clocked.authc1.register())["refresh_token"]
    response = await AuthC1(clocked.authc1.api, "other")(PATH, {"refresh_token": token})
    assert_error(response, 401, "UNAUTHORIZED")
    assert await clocked.authc1.ok(PATH, {"refresh_token": token})


@pytest.mark.parametrize("token", ["nope", "A" * 43, "a.b.c", "x" * 1024])
async def test_refresh_with_unknown_token_is_401(authc1: AuthC1, token: str) -> None:
    await authc1.register()
    assert_error(await authc1(PATH, {"refresh_token": token}), 401, "UNAUTHORIZED")


async def test_refresh_with_access_token_is_401(authc1: AuthC1) -> None:
    access = (await authc1.register())["access_token"]
    assert_error(await authc1(PATH, {"refresh_token": access}), 401, "UNAUTHORIZED")


@pytest.mark.parametrize("body", [{}, {"refresh_token": None}, {"refresh_token": 1}, {"refresh_token": ""}])
async def test_refresh_with_bad_field_is_400(authc1: AuthC1, body: dict[str, object]) -> None:
    response = await authc1(PATH, body)
    assert assert_error(response, 400, "VALIDATION_ERROR")["details"] == {"field": "refresh_token"}
