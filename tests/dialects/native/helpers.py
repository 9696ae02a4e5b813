"""Small helpers for native API tests."""

from __future__ import annotations

from typing import Any

import httpx

PASSWORD = "correct horse battery"
BASE = "/v1/apps/default"


async def sign_up(api: httpx.AsyncClient, email: str = "ada@example.com", **extra: Any) -> dict[str, Any]:
    response = await api.post(f"{BASE}/signup", json={"email": email, "password": PASSWORD, **extra})
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def assert_error(response: httpx.Response, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    body: dict[str, Any] = response.json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message", "request_id"}
    assert body["error"]["code"] == code
    assert body["error"]["request_id"] == response.headers["x-request-id"]
    return body
