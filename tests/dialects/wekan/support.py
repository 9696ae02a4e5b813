"""Helpers for the WeKan tests: register, log in, call the API with a token; checks of the wire shapes."""

from __future__ import annotations

import re
from typing import Any

import httpx

PREFIX = "/wekan"
PASSWORD = "my$up3erP@ssw0rd"  # the seed's example of a good password
ID_ALPHABET = set("23456789ABCDEFGHJKLMNPQRSTWXYZabcdefghijkmnopqrstuvwxyz")
TOKEN_SHAPE = re.compile(r"[A-Za-z0-9_-]{43}")
ISO_MS = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z")
LOGIN_KEYS = {"id", "token", "tokenExpires"}
DOCUMENT_KEYS = {
    "_id",
    "username",
    "emails",
    "createdAt",
    "modifiedAt",
    "profile",
    "isAdmin",
    "loginDisabled",
    "authenticationMethod",
    "services",
    "sessionData",
}
API_ERROR_KEYS = {"isClientSafe", "error", "reason", "message", "errorType", "statusCode"}
LOGIN_FAILED = {"error": "login-failed", "reason": "Incorrect username, email address or password."}


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


class WeKan:
    """The WeKan API below a prefix (`/wekan`, or `` when it is mounted at the root)."""

    def __init__(self, api: httpx.AsyncClient, prefix: str = PREFIX) -> None:
        self.api = api
        self.prefix = prefix

    async def register(
        self, username: str = "myusername", email: str = "my@email.com", password: str = PASSWORD
    ) -> httpx.Response:
        body = {"username": username, "password": password, "email": email}
        return await self.api.post(f"{self.prefix}/users/register", data=body)

    async def registered(self, username: str = "myusername", email: str = "my@email.com") -> dict[str, Any]:
        response = await self.register(username, email)
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    async def login(self, username: str = "myusername", password: str = PASSWORD) -> httpx.Response:
        return await self.api.post(f"{self.prefix}/users/login", data={"username": username, "password": password})

    async def call(self, method: str, path: str, token: str | None = None, **kwargs: Any) -> httpx.Response:
        headers = bearer(token) if token else {}
        return await self.api.request(method, f"{self.prefix}{path}", headers=headers, **kwargs)

    async def ok(self, method: str, path: str, token: str, **kwargs: Any) -> Any:
        response = await self.call(method, path, token, **kwargs)
        assert response.status_code == 200, response.text
        assert response.headers["content-type"] == "application/json"
        assert response.headers["cache-control"] == "no-store"
        return response.json()


def assert_login(body: dict[str, Any]) -> None:
    assert set(body) == LOGIN_KEYS
    assert len(body["id"]) == 17
    assert set(body["id"]) <= ID_ALPHABET
    assert TOKEN_SHAPE.fullmatch(body["token"])
    assert ISO_MS.fullmatch(body["tokenExpires"])


def assert_document(doc: dict[str, Any]) -> None:
    assert set(doc) == DOCUMENT_KEYS
    assert ISO_MS.fullmatch(doc["createdAt"])
    assert ISO_MS.fullmatch(doc["modifiedAt"])
    assert doc["authenticationMethod"] == "password"
    assert doc["services"] == {}
    assert doc["sessionData"] == {}
    for email in doc["emails"]:
        assert set(email) == {"address", "verified"}


def assert_api_error(response: httpx.Response, status: int, error: str | None = None) -> dict[str, Any]:
    """A serialised Meteor.Error with the real status."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/json"
    assert response.headers["cache-control"] == "no-store"
    body: dict[str, Any] = response.json()
    assert set(body) == API_ERROR_KEYS
    assert body["statusCode"] == status
    assert body["errorType"] == "Meteor.Error"
    assert body["isClientSafe"] is True
    assert body["message"] == f"{body['reason']} [{body['error']}]"
    if error is not None:
        assert body["error"] == error
    return body


def assert_accounts_error(response: httpx.Response, status: int, body: dict[str, Any] | None = None) -> dict[str, Any]:
    """Meteor's REST accounts error: `{"error", "reason"}`."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/json"
    assert response.headers["cache-control"] == "no-store"
    found: dict[str, Any] = response.json()
    assert set(found) == {"error", "reason"}
    assert isinstance(found["reason"], str)
    assert found["reason"]
    if body is not None:
        assert found == body
    return found
