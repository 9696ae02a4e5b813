"""Helpers for the M3O tests: a client bound to an app key, and checks of the seed's wire shapes."""

from __future__ import annotations

from typing import Any

import httpx

PREFIX = "/m3o/v1/user"
PASSWORD = "correct horse battery"
NEW_PASSWORD = "another long passphrase"
ACCOUNT_KEYS = {
    "id",
    "username",
    "email",
    "created",
    "updated",
    "verified",
    "verification_date",
    "verificationDate",
    "profile",
}
SESSION_KEYS = {"id", "created", "expires", "userId"}
ERROR_KEYS = {"id", "code", "detail", "status"}
ENDPOINTS = [
    "Create",
    "Read",
    "Update",
    "Delete",
    "List",
    "Login",
    "Logout",
    "LogoutAll",
    "ReadSession",
    "UpdatePassword",
]
MAIL_ENDPOINTS = [
    "SendVerificationEmail",
    "VerifyEmail",
    "SendPasswordResetEmail",
    "ResetPassword",
    "SendMagicLink",
    "VerifyToken",
]


class M3O:
    """Calls `POST /m3o/v1/user/{endpoint}` with the app's secret key."""

    def __init__(self, api: httpx.AsyncClient, key: str) -> None:
        self.api = api
        self.key = key

    async def __call__(self, endpoint: str, body: dict[str, Any] | None = None) -> httpx.Response:
        headers = {"Authorization": f"Bearer {self.key}"}
        return await self.api.post(f"{PREFIX}/{endpoint}", json=body if body is not None else {}, headers=headers)

    async def ok(self, endpoint: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
        response = await self(endpoint, body)
        assert response.status_code == 200, response.text
        assert response.headers["content-type"] == "application/json"
        data: dict[str, Any] = response.json()
        return data

    async def create(self, email: str = "joe@example.com", username: str = "joe", **extra: Any) -> dict[str, Any]:
        body = {"email": email, "username": username, "password": PASSWORD, **extra}
        account: dict[str, Any] = (await self.ok("Create", body))["account"]
        return account

    async def login(self, username: str = "joe", password: str = PASSWORD) -> dict[str, Any]:
        session: dict[str, Any] = (await self.ok("Login", {"username": username, "password": password}))["session"]
        return session

    async def session_status(self, token: str) -> int:
        return (await self("ReadSession", {"session_id": token})).status_code


def assert_error(response: httpx.Response, status: int, endpoint: str | None, detail: str | None = None) -> None:
    """The micro error format: status = code, id `user.<endpoint>` (or `user`), a reason phrase."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    assert set(body) == ERROR_KEYS
    assert body["id"] == (f"user.{endpoint.lower()}" if endpoint else "user")
    assert body["code"] == status
    assert isinstance(body["detail"], str)
    assert body["detail"]
    assert isinstance(body["status"], str)
    assert body["status"]
    if detail is not None:
        assert body["detail"] == detail


def assert_unix(value: Any) -> None:
    assert isinstance(value, str)
    assert value.isdigit()


def assert_account(account: dict[str, Any]) -> None:
    assert set(account) == ACCOUNT_KEYS
    for key in ("id", "username", "email"):
        assert isinstance(account[key], str)
    for key in ("created", "updated", "verification_date", "verificationDate"):
        assert_unix(account[key])
    assert isinstance(account["verified"], bool)
    assert account["verification_date"] == account["verificationDate"]
    assert isinstance(account["profile"], dict)
    assert all(isinstance(k, str) and isinstance(v, str) for k, v in account["profile"].items())


def assert_session(session: dict[str, Any]) -> None:
    assert set(session) == SESSION_KEYS
    assert isinstance(session["id"], str)
    assert len(session["id"]) == 43
    assert isinstance(session["userId"], str)
    assert_unix(session["created"])
    assert_unix(session["expires"])
