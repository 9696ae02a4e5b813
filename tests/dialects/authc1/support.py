"""Helpers for the AuthC1 tests: a client bound to an APPID, the seed's key sets and the error-format check."""

from __future__ import annotations

from typing import Any

import httpx
from joserfc import jwt
from joserfc.jwk import KeySet

PASSWORD = "Correct#Horse9Battery"  # also meets AuthC1's own rule (upper, lower, digit, one of !@#$%^&*)
NEW_PASSWORD = "Another$Long9Passphrase"
EMAIL = "john@example.com"
NAME = "John Doe"
AUTHC1_RULE = r"^(?=.*[a-z])(?=.*[A-Z])(?=.*\d)(?=.*[!@#$%^&*]).{8,}$"
ACCESS_TTL = 86400
CODE_TTL = 180

# The seed's examples, and the superset SPEC §3.2 fixes.
SEED_LOGIN_KEYS = {"token", "user"}
SEED_LOGIN_USER_KEYS = {"id", "email", "name"}
LOGIN_KEYS = {
    "token",
    "access_token",
    "refresh_token",
    "expires_in",
    "expires_at",
    "session_id",
    "local_id",
    "email_verified",
    "user",
}
LOGIN_USER_KEYS = {"id", "local_id", "email", "name", "email_verified"}
SEED_REGISTER_KEYS = {"email", "name", "local_id", "expires_in", "expires_at"}
REGISTER_KEYS = SEED_REGISTER_KEYS | {"access_token", "refresh_token"}
CONFIRM_KEYS = {"access_token", "refresh_token", "expires_in", "expires_at", "name", "local_id", "email"}
FORGOT_KEYS = {"email", "message", "data"}
REFRESH_KEYS = {"access_token", "refresh_token", "expires_in", "expires_at", "message", "data"}
ERROR_KEYS = {"code", "message", "details"}

EMAIL_ENDPOINTS = ["login", "register", "verify", "confirm", "forgot-password", "confirm-password"]
PATHS = [f"email/{name}" for name in EMAIL_ENDPOINTS] + ["accounts/access-token"]
BODY_PATHS = [path for path in PATHS if path != "email/verify"]  # verify takes an empty payload


class AuthC1:
    """Calls `POST /authc1/v1/{APPID}/...` with an optional Bearer access token."""

    def __init__(self, api: httpx.AsyncClient, app_id: str = "default") -> None:
        self.api = api
        self.app_id = app_id

    def url(self, path: str) -> str:
        return f"/authc1/v1/{self.app_id}/{path}"

    async def __call__(
        self, path: str, body: dict[str, Any] | None = None, *, token: str | None = None
    ) -> httpx.Response:
        headers = {"Authorization": f"Bearer {token}"} if token is not None else {}
        if body is None:
            return await self.api.post(self.url(path), headers=headers)
        return await self.api.post(self.url(path), json=body, headers=headers)

    async def ok(self, path: str, body: dict[str, Any] | None = None, *, token: str | None = None) -> dict[str, Any]:
        response = await self(path, body, token=token)
        assert response.status_code == 200, response.text
        assert response.headers["content-type"] == "application/json"
        data: dict[str, Any] = response.json()
        return data

    async def register(self, email: str = EMAIL, name: str = NAME, password: str = PASSWORD) -> dict[str, Any]:
        return await self.ok("email/register", {"name": name, "email": email, "password": password})

    async def login(self, email: str = EMAIL, password: str = PASSWORD) -> dict[str, Any]:
        return await self.ok("email/login", {"email": email, "password": password})


def assert_error(response: httpx.Response, status: int, code: str) -> dict[str, Any]:
    """AuthC1's `{"error": {"code", "message", "details"}}`; returns the inner object."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    assert set(body) == {"error"}
    error: dict[str, Any] = body["error"]
    assert set(error) == ERROR_KEYS
    assert error["code"] == code
    assert isinstance(error["message"], str)
    assert error["message"]
    assert isinstance(error["details"], dict)
    return error


async def verified_claims(
    api: httpx.AsyncClient, token: str, app_id: str = "default", *, now: int | None = None
) -> dict[str, Any]:
    """The access token's claims, verified as an offline resource server would: joserfc against the JWKS.
    `now` (Unix seconds) is the verifier's time when the test has stepped usher's clock."""
    response = await api.get("/.well-known/jwks.json")
    assert response.status_code == 200
    keys = KeySet.import_key_set(response.json())
    decoded = jwt.decode(token, keys, algorithms=["RS256", "ES256", "EdDSA"])
    registry = jwt.JWTClaimsRegistry(
        now=now,
        iss={"essential": True, "value": f"http://testserver/apps/{app_id}"},
        aud={"essential": True, "value": app_id},
        sub={"essential": True},
        exp={"essential": True},
        iat={"essential": True},
    )
    registry.validate(decoded.claims)
    assert decoded.header["kid"] in {key["kid"] for key in response.json()["keys"]}
    return dict(decoded.claims)
