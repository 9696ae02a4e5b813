"""The FastAPI dependency and the ASGI middleware, with tokens signed by a local key served as JWKS."""

from __future__ import annotations

import time
from typing import Any

import httpx
import pytest
from fastapi import Depends, FastAPI, Request
from starlette.responses import JSONResponse

from tests.sdk.localkeys import APP, ISSUER, jwks_transport, token, verifier
from usher_client import BearerAuthMiddleware, Claims, TokenVerifier
from usher_client.fastapi import CurrentUser, install, require_user


def fastapi_app() -> FastAPI:
    app = FastAPI()
    install(app, verifier())

    @app.get("/me")
    async def me(user: CurrentUser) -> dict[str, Any]:
        return {"sub": user.sub, "level": user.permission_level}

    @app.get("/admin", dependencies=[Depends(require_user(min_permission=10))])
    async def admin() -> dict[str, bool]:
        return {"ok": True}

    return app


def middleware_app() -> BearerAuthMiddleware:
    async def inner(scope: Any, receive: Any, send: Any) -> None:
        user = scope["state"].get("user")
        await JSONResponse({"sub": user.sub if isinstance(user, Claims) else None})(scope, receive, send)

    return BearerAuthMiddleware(inner, verifier(), min_permission=5, public_paths=("/health",))


def bearer(value: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {value}"}


@pytest.fixture(params=["fastapi", "middleware"])
async def http(request: pytest.FixtureRequest) -> Any:
    app = fastapi_app() if request.param == "fastapi" else middleware_app()
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://app") as client:
        yield request.param, client


async def test_without_token_is_401_with_bearer_challenge(http: Any) -> None:
    _, client = http
    answer = await client.get("/me")
    assert answer.status_code == 401 and answer.headers["www-authenticate"] == "Bearer"


async def test_bad_or_expired_token_is_401_invalid_token(http: Any) -> None:
    _, client = http
    for bad in ("garbage", token(exp=int(time.time()) - 3600), token(aud="other")):
        answer = await client.get("/me", headers=bearer(bad))
        assert answer.status_code == 401 and answer.headers["www-authenticate"] == 'Bearer error="invalid_token"'


async def test_valid_token_reaches_the_route_with_claims(http: Any) -> None:
    _, client = http
    answer = await client.get("/me", headers=bearer(token(permission_level=5)))
    assert answer.status_code == 200 and answer.json()["sub"] == "u1"


async def test_permission_below_the_required_level_is_403(http: Any) -> None:
    kind, client = http
    path = "/admin" if kind == "fastapi" else "/me"
    assert (await client.get(path, headers=bearer(token()))).status_code == 403
    assert (await client.get(path, headers=bearer(token(permission_level=10)))).status_code == 200


async def test_middleware_lets_public_paths_through() -> None:
    transport = httpx.ASGITransport(app=middleware_app())
    async with httpx.AsyncClient(transport=transport, base_url="http://app") as client:
        assert (await client.get("/health")).json() == {"sub": None}


async def test_leeway_accepts_a_token_just_expired() -> None:
    just_expired = token(exp=int(time.time()) - 10)
    assert (await verifier().verify_async(just_expired)).sub == "u1"
    with pytest.raises(Exception, match="expired"):
        await TokenVerifier(ISSUER, APP, leeway=0, async_transport=jwks_transport()).verify_async(just_expired)


async def test_request_state_user_holds_claims_behind_the_middleware() -> None:
    seen: list[Any] = []
    app = FastAPI()

    @app.get("/x")
    async def x(request: Request) -> dict[str, str]:
        seen.append(request.state.user)
        return {}

    guarded = BearerAuthMiddleware(app, verifier())
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=guarded), base_url="http://app") as client:
        assert (await client.get("/x", headers=bearer(token()))).status_code == 200
    assert isinstance(seen[0], Claims) and seen[0].sid == "s1"
