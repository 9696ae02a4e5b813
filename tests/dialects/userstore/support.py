"""Helpers for the UserStore tests: a client bound to an app key, and checks of the seed's wire shapes."""

from __future__ import annotations

import re
from typing import Any

import httpx

PREFIX = "/userstore/1"
PASSWORD = "Sz4kF^12cpsk"  # the seed's
NEW_PASSWORD = "another long passphrase"
EMAIL = "john@example.com"
USER_KEYS = {
    "id",
    "email",
    "username",
    "first_name",
    "last_name",
    "is_active",
    "is_email_verified",
    "last_signin",
    "updated_at",
    "created_at",
}
ISO_MS = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z")
AUTH_ENDPOINTS = ["signin", "signout", "confirm", "verify", "forgot-password", "reset-password"]


class UserStore:
    """Calls the UserStore API with the app's secret key as HTTP Basic user name (curl's `-u KEY:`)."""

    def __init__(self, api: httpx.AsyncClient, key: str) -> None:
        self.api = api
        self.key = key

    async def __call__(
        self,
        method: str,
        path: str,
        *,
        data: dict[str, Any] | None = None,
        json: dict[str, Any] | None = None,
        params: dict[str, str] | None = None,
    ) -> httpx.Response:
        return await self.api.request(
            method, f"{PREFIX}{path}", data=data, json=json, params=params, auth=(self.key, "")
        )

    async def ok(self, method: str, path: str, **kwargs: Any) -> Any:
        response = await self(method, path, **kwargs)
        assert response.status_code == 200, response.text
        assert response.headers["content-type"] == "application/json"
        return response.json()

    async def create(self, email: str = EMAIL, username: str | None = "johnsmith", **extra: Any) -> dict[str, Any]:
        body = {"email": email, "password": PASSWORD, **extra}
        if username is not None:
            body["username"] = username
        user: dict[str, Any] = await self.ok("POST", "/users", data=body)
        return user

    async def signin(self, signin_id: str = EMAIL, password: str = PASSWORD) -> httpx.Response:
        return await self("POST", "/auth/signin", data={"signin_id": signin_id, "password": password})


def assert_time(value: Any) -> None:
    assert isinstance(value, str)
    assert ISO_MS.fullmatch(value), value


def assert_user(user: dict[str, Any]) -> None:
    assert set(user) == USER_KEYS
    assert isinstance(user["id"], str)
    assert len(user["id"]) == 17
    assert isinstance(user["is_active"], bool)
    assert isinstance(user["is_email_verified"], bool)
    for key in ("updated_at", "created_at"):
        assert_time(user[key])
    if user["last_signin"] is not None:
        assert_time(user["last_signin"])


def assert_error(response: httpx.Response, status: int, error: str) -> dict[str, Any]:
    """`{"error": "<snake_code>", "message": "..."}`, plus `validation_error` for validation errors."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/json"
    body: dict[str, Any] = response.json()
    assert body["error"] == error
    assert isinstance(body["message"], str)
    assert body["message"]
    if error == "validation_error":
        assert set(body) == {"error", "message", "validation_error"}
        assert isinstance(body["validation_error"], list)
        for entry in body["validation_error"]:
            assert set(entry) == {"field", "message"}
    else:
        assert set(body) == {"error", "message"}
    return body
