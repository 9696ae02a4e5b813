"""Helpers for the JWT User Service tests: a client for `/userservice/v1/users/...` and the seed's wire shapes."""

from __future__ import annotations

import json
from typing import Any

import httpx

PREFIX = "/userservice/v1/users"
EMAIL = "caleb@example.com"
PASSWORD = "correct horse battery"
NEW_PASSWORD = "another long passphrase"
USER_KEYS = {"confirmed", "firstname", "lastname", "email", "id", "language", "permissionLevel"}
WITH_ATTRIBUTES = USER_KEYS | {"attributes"}
# The seed's payload table and the standard claims of SPEC §2: nothing else is in the token.
SEED_CLAIMS = {"permissionLevel", "firstname", "lastname", "language", "exp", "iat", "email", "id"}
STANDARD_CLAIMS = {"iss", "aud", "sub", "sid", "jti", "iat", "nbf", "exp"}


class UserService:
    """Calls the dialect; `token` goes in `Authorization: Bearer ...`."""

    def __init__(self, api: httpx.AsyncClient) -> None:
        self.api = api

    async def __call__(
        self,
        method: str,
        endpoint: str,
        body: Any = None,
        *,
        token: str | None = None,
        headers: dict[str, str] | None = None,
        params: dict[str, str] | None = None,
    ) -> httpx.Response:
        sent = dict(headers or {})
        if token is not None:
            sent["Authorization"] = f"Bearer {token}"
        content = None
        if body is not None:  # escaped JSON, so that odd input (lone surrogates) reaches the server
            content = json.dumps(body).encode()
            sent.setdefault("Content-Type", "application/json")
        return await self.api.request(method, f"{PREFIX}/{endpoint}", content=content, headers=sent, params=params)

    async def ok(self, method: str, endpoint: str, body: Any = None, **kwargs: Any) -> dict[str, Any]:
        response = await self(method, endpoint, body, **kwargs)
        assert response.status_code == 200, response.text
        assert response.headers["content-type"] == "application/json"
        data: dict[str, Any] = response.json()
        return data

    async def register(self, email: str = EMAIL, password: str = PASSWORD, **extra: Any) -> dict[str, Any]:
        data = await self.ok("POST", "register", {"email": email, "password": password, **extra})
        assert data["status"] == "success"
        user: dict[str, Any] = data["user"]
        return user

    async def login(self, email: str = EMAIL, password: str = PASSWORD) -> dict[str, Any]:
        return await self.ok("POST", "login", {"email": email, "password": password})

    async def signed_up(self, email: str = EMAIL, **extra: Any) -> str:
        """Registers and logs in; returns the access token."""
        await self.register(email, **extra)
        return str((await self.login(email))["accessToken"])

    async def refresh_status(self, refresh_token: str) -> int:
        return (await self("POST", "accessToken", {"refreshToken": refresh_token})).status_code


def assert_user(user: dict[str, Any], *, attributes: bool = False) -> None:
    """The seed's user object: exact keys, `id` an integer, strings and booleans where the seed has them."""
    assert set(user) == (WITH_ATTRIBUTES if attributes else USER_KEYS)
    assert isinstance(user["confirmed"], bool)
    assert type(user["id"]) is int
    assert type(user["permissionLevel"]) is int
    for key in ("firstname", "lastname", "email", "language"):
        assert isinstance(user[key], str), key
    if attributes:
        assert isinstance(user["attributes"], dict)
        assert all(isinstance(k, str) and isinstance(v, str) for k, v in user["attributes"].items())


def assert_answer(data: dict[str, Any], *, attributes: bool = False) -> dict[str, Any]:
    """`{"status": "success", "user": {...}}`; returns the user."""
    assert set(data) == {"status", "user"}
    assert data["status"] == "success"
    assert_user(data["user"], attributes=attributes)
    user: dict[str, Any] = data["user"]
    return user


def assert_error(response: httpx.Response, status: int, reason: str | None = None) -> None:
    """`{"error": "<reason>"}` as JSON with the given status."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    assert set(body) == {"error"}
    assert isinstance(body["error"], str)
    assert body["error"]
    if reason is not None:
        assert body["error"] == reason
