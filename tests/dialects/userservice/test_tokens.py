"""JWT User Service tokens over HTTP: the access token's shape, JWKS verification, non-rotating refresh tokens
that die with their session, and expiry."""

from __future__ import annotations

from typing import Any

import httpx
import jwt
import pytest

from tests.dialects.userservice.support import (
    EMAIL,
    NEW_PASSWORD,
    PASSWORD,
    SEED_CLAIMS,
    STANDARD_CLAIMS,
    UserService,
    assert_error,
)
from tests.fakes import FakeClock
from usher.container import Container
from usher.core.models import RequestContext

HOUR = 3600
MONTH = 30 * 24 * 3600


async def verified_claims(api: httpx.AsyncClient, token: str) -> dict[str, Any]:
    """Verifies like an offline resource server: the key from JWKS by `kid`, an explicit algorithm list."""
    keys = (await api.get("/.well-known/jwks.json")).json()["keys"]
    kid = jwt.get_unverified_header(token)["kid"]
    jwk = next(key for key in keys if key["kid"] == kid)
    key = jwt.PyJWK(jwk).key
    claims: dict[str, Any] = jwt.decode(
        token,
        key,
        algorithms=["RS256"],
        audience="default",
        issuer="http://testserver/apps/default",
        options={"require": ["exp", "iat", "iss", "aud", "sub"]},
    )
    return claims


async def test_access_token_header_is_rs256_with_kid_and_no_crit(us: UserService) -> None:
    token = await us.signed_up()
    header = jwt.get_unverified_header(token)
    assert header["alg"] == "RS256"
    assert isinstance(header["kid"], str)
    assert header["kid"]
    assert "crit" not in header


async def test_access_token_verifies_with_jwks_and_carries_the_seed_payload(us: UserService) -> None:
    await us.register(firstname="Barney", lastname="Fife", email=EMAIL)
    data = await us.login()
    claims = await verified_claims(us.api, data["accessToken"])
    assert set(claims) >= SEED_CLAIMS
    assert set(claims) == SEED_CLAIMS | STANDARD_CLAIMS
    user = data["user"]
    assert claims["id"] == user["id"]
    assert type(claims["id"]) is int
    assert claims["email"] == EMAIL
    assert (claims["firstname"], claims["lastname"]) == ("Barney", "Fife")
    assert claims["language"] == "en"
    assert claims["permissionLevel"] == 0
    assert type(claims["iat"]) is int
    assert type(claims["exp"]) is int
    assert claims["exp"] - claims["iat"] == HOUR


async def test_access_token_for_another_audience_does_not_verify(us: UserService) -> None:
    token = await us.signed_up()
    keys = (await us.api.get("/.well-known/jwks.json")).json()["keys"]
    key = jwt.PyJWK(next(k for k in keys if k["kid"] == jwt.get_unverified_header(token)["kid"])).key
    with pytest.raises(jwt.InvalidAudienceError):
        jwt.decode(token, key, algorithms=["RS256"], audience="another-app")


async def test_access_token_answer_is_the_seed_shape(us: UserService) -> None:
    await us.register()
    refresh = (await us.login())["refreshToken"]
    data = await us.ok("POST", "accessToken", {"refreshToken": refresh})
    assert set(data) == {"status", "accessToken"}
    assert data["status"] == "success"
    claims = await verified_claims(us.api, data["accessToken"])
    assert claims["email"] == EMAIL
    assert claims["exp"] - claims["iat"] == HOUR


async def test_refresh_token_does_not_rotate(us: UserService) -> None:
    await us.register()
    refresh = (await us.login())["refreshToken"]
    tokens = set()
    for _ in range(3):
        data = await us.ok("POST", "accessToken", {"refreshToken": refresh})
        tokens.add(data["accessToken"])
    assert len(tokens) == 3
    for token in tokens:
        await us.ok("GET", "status", token=token)


async def test_refreshed_access_token_carries_current_names(us: UserService) -> None:
    await us.register()
    data = await us.login()
    await us.ok("POST", "profile", {"firstname": "Barney", "lastname": "Fife"}, token=data["accessToken"])
    fresh = (await us.ok("POST", "accessToken", {"refreshToken": data["refreshToken"]}))["accessToken"]
    claims = await verified_claims(us.api, fresh)
    assert (claims["firstname"], claims["lastname"]) == ("Barney", "Fife")


@pytest.mark.parametrize("token", ["x" * 43, "nope", ""])
async def test_refresh_with_unknown_token_is_401(us: UserService, token: str) -> None:
    assert_error(await us("POST", "accessToken", {"refreshToken": token}), 401)


async def test_refresh_without_token_is_400(us: UserService) -> None:
    assert_error(await us("POST", "accessToken", {}), 400, "refreshToken is required")


async def test_refresh_with_an_access_token_is_401(us: UserService) -> None:
    token = await us.signed_up()
    assert_error(await us("POST", "accessToken", {"refreshToken": token}), 401)


async def sign_in_ids(us: UserService) -> tuple[str, str, str]:
    """(user id, access token, refresh token) of a fresh sign-in."""
    data = await us.login()
    claims = jwt.decode(data["accessToken"], options={"verify_signature": False})
    return claims["sub"], data["accessToken"], data["refreshToken"]


async def test_refresh_and_access_stop_after_sign_out_everywhere(us: UserService, container: Container) -> None:
    await us.register()
    user_id, access, refresh = await sign_in_ids(us)
    await container.services.auth.sign_out_everywhere("default", user_id, RequestContext())
    assert_error(await us("POST", "accessToken", {"refreshToken": refresh}), 401)
    assert_error(await us("GET", "status", token=access), 401)


async def test_refresh_stops_after_password_change(us: UserService, container: Container) -> None:
    await us.register()
    user_id, _, refresh = await sign_in_ids(us)
    app = await container.services.apps.get("default")
    await container.services.accounts.change_password(
        app, user_id, NEW_PASSWORD, RequestContext(), old_password=PASSWORD
    )
    assert await us.refresh_status(refresh) == 401
    assert (await us.login(password=NEW_PASSWORD))["status"] == "success"


async def test_refresh_stops_after_disable(us: UserService, container: Container) -> None:
    await us.register()
    user_id, access, refresh = await sign_in_ids(us)
    await container.services.accounts.set_disabled("default", user_id, True, RequestContext())
    assert await us.refresh_status(refresh) == 401
    assert_error(await us("GET", "profile", token=access), 401)


async def test_refresh_of_one_session_survives_another_sessions_end(us: UserService, container: Container) -> None:
    await us.register()
    _, access, first = await sign_in_ids(us)
    _, _, second = await sign_in_ids(us)
    claims = jwt.decode(access, options={"verify_signature": False})
    await container.services.auth.revoke_session("default", claims["sub"], claims["sid"], RequestContext())
    assert await us.refresh_status(first) == 401
    assert await us.refresh_status(second) == 200


# time (the injected clock)


async def test_expired_access_token_is_401(clocked: tuple[UserService, Container, FakeClock]) -> None:
    us, _, clock = clocked
    token = await us.signed_up()
    await us.ok("GET", "status", token=token)
    clock.advance(HOUR + 60)  # past exp and the verifier's leeway
    assert_error(await us("GET", "status", token=token), 401)


async def test_refresh_after_an_hour_gives_a_working_access_token(
    clocked: tuple[UserService, Container, FakeClock],
) -> None:
    us, _, clock = clocked
    await us.register()
    data = await us.login()
    clock.advance(HOUR + 60)
    assert_error(await us("GET", "status", token=data["accessToken"]), 401)
    fresh = (await us.ok("POST", "accessToken", {"refreshToken": data["refreshToken"]}))["accessToken"]
    await us.ok("GET", "status", token=fresh)


async def test_refresh_token_expires_after_thirty_days(clocked: tuple[UserService, Container, FakeClock]) -> None:
    us, _, clock = clocked
    await us.register()
    refresh = (await us.login())["refreshToken"]
    clock.advance(MONTH - 60)
    assert await us.refresh_status(refresh) == 200
    clock.advance(120)
    assert await us.refresh_status(refresh) == 401


async def test_app_access_token_ttl_wins(us: UserService, container: Container) -> None:
    await container.services.apps.configure("default", {"access_token_ttl": "600"})
    token = await us.signed_up()
    claims = await verified_claims(us.api, token)
    assert claims["exp"] - claims["iat"] == 600


# bearer


@pytest.mark.parametrize(
    "authorization",
    [None, "", "Bearer", "Bearer ", "Basic abc", "Bearer not.a.jwt", "Bearer eyJhbGciOiJub25lIn0.e30."],
)
async def test_marked_routes_without_a_valid_bearer_are_401(us: UserService, authorization: str | None) -> None:
    headers = {"Authorization": authorization} if authorization is not None else {}
    for method, endpoint in [("GET", "status"), ("GET", "profile"), ("POST", "profile"), ("GET", "attributes")]:
        response = await us(method, endpoint, {} if method == "POST" else None, headers=headers)
        assert_error(response, 401)
        assert response.headers["www-authenticate"] == "Bearer"


async def test_tampered_access_token_is_401(us: UserService) -> None:
    token = await us.signed_up()
    head, payload, signature = token.split(".")
    forged = f"{head}.{payload}.{signature[:-4]}AAAA"
    assert_error(await us("GET", "status", token=forged), 401)
