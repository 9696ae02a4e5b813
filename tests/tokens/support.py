"""Helpers for token tests: sign up and get tokens over the native API, read and forge tokens, verify offline."""

from __future__ import annotations

import base64
import json
import warnings
from collections.abc import Callable
from typing import Any

import httpx
from joserfc import jwt as jose_jwt
from joserfc.errors import SecurityWarning
from joserfc.jwk import KeySet

PASSWORD = "correct horse battery"
ISSUER_BASE = "http://testserver/apps/"


def base(app_id: str = "default") -> str:
    return f"/v1/apps/{app_id}"


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def sign_up(api: httpx.AsyncClient, email: str = "ada@example.com", app_id: str = "default") -> dict[str, Any]:
    response = await api.post(f"{base(app_id)}/signup", json={"email": email, "password": PASSWORD})
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


async def tokens(api: httpx.AsyncClient, login: str = "ada@example.com", app_id: str = "default") -> dict[str, Any]:
    """A sign-in through POST /token: a new session with an access and a refresh token."""
    response = await api.post(f"{base(app_id)}/token", json={"login": login, "password": PASSWORD})
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def refresh(api: httpx.AsyncClient, refresh_token: str, app_id: str = "default") -> httpx.Response:
    return await api.post(f"{base(app_id)}/token/refresh", json={"refresh_token": refresh_token})


async def me(api: httpx.AsyncClient, token: str, app_id: str = "default") -> httpx.Response:
    return await api.get(f"{base(app_id)}/me", headers=bearer(token))


async def jwks(api: httpx.AsyncClient) -> dict[str, Any]:
    response = await api.get("/.well-known/jwks.json")
    assert response.status_code == 200, response.text
    document: dict[str, Any] = response.json()
    return document


def _decode(part: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))
    return data


def b64(data: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def header_of(token: str) -> dict[str, Any]:
    return _decode(token.split(".")[0])


def claims_of(token: str) -> dict[str, Any]:
    """The payload, unverified (what a test wants to look at or forge from)."""
    return _decode(token.split(".")[1])


def verify_offline(
    document: dict[str, Any], token: str, alg: str, *, now: int | Callable[[], int] | None = None, **expected: Any
) -> dict[str, Any]:
    """What a resource server does with joserfc and nothing but the JWKS document; raises when it refuses."""
    with warnings.catch_warnings():
        # RFC 9864 deprecates the JOSE name "EdDSA" for "Ed25519"; usher still signs as SPEC §2 says (EdDSA).
        warnings.filterwarnings("ignore", "EdDSA is deprecated", SecurityWarning)
        decoded = jose_jwt.decode(token, KeySet.import_key_set(document), algorithms=[alg])  # type: ignore[arg-type]
    options: dict[str, Any] = {name: {"essential": True, "value": value} for name, value in expected.items()}
    registry = jose_jwt.JWTClaimsRegistry(now=now, exp={"essential": True}, iat={"essential": True}, **options)
    registry.validate(decoded.claims)
    claims: dict[str, Any] = decoded.claims
    return claims
