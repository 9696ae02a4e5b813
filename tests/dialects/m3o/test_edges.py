"""M3O errors raised before or around the routes: app key, bodies, unknown paths, methods; and what never leaks."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from tests.dialects.m3o.support import ENDPOINTS, M3O, MAIL_ENDPOINTS, PASSWORD, PREFIX, assert_error

WELL_SHAPED_WRONG_KEY = "usk_" + "A" * 43
EVERY_ENDPOINT = ENDPOINTS + MAIL_ENDPOINTS


@pytest.mark.parametrize("endpoint", EVERY_ENDPOINT)
async def test_call_without_key_is_401(api: httpx.AsyncClient, endpoint: str) -> None:
    response = await api.post(f"{PREFIX}/{endpoint}", json={})
    assert_error(response, 401, endpoint)
    assert response.json()["status"] == "Unauthorized"


@pytest.mark.parametrize("endpoint", EVERY_ENDPOINT)
@pytest.mark.parametrize(
    "authorization", [f"Bearer {WELL_SHAPED_WRONG_KEY}", "Bearer garbage", "Bearer ", "Basic dXNlcjpwYXNz"]
)
async def test_call_with_wrong_key_is_401(
    api: httpx.AsyncClient, app_key: str, endpoint: str, authorization: str
) -> None:
    response = await api.post(f"{PREFIX}/{endpoint}", json={}, headers={"Authorization": authorization})
    assert_error(response, 401, endpoint)


async def test_call_with_key_in_other_scheme_is_401(api: httpx.AsyncClient, app_key: str) -> None:
    response = await api.post(f"{PREFIX}/List", json={}, headers={"Authorization": f"Token {app_key}"})
    assert_error(response, 401, "List")


@pytest.mark.parametrize("endpoint", EVERY_ENDPOINT)
@pytest.mark.parametrize("raw", [b"{", b'{"id": }', b"\xff\xfe", b"[]", b'"text"', b"12"])
async def test_call_with_malformed_body_is_400(m3o: M3O, endpoint: str, raw: bytes) -> None:
    headers = {"Authorization": f"Bearer {m3o.key}", "Content-Type": "application/json"}
    response = await m3o.api.post(f"{PREFIX}/{endpoint}", content=raw, headers=headers)
    assert_error(response, 400, endpoint)


@pytest.mark.parametrize("endpoint", EVERY_ENDPOINT)
async def test_call_with_1mib_body_is_413(m3o: M3O, endpoint: str) -> None:
    body = {"padding": "x" * (1024 * 1024)}
    response = await m3o(endpoint, body)
    assert_error(response, 413, endpoint)
    assert response.json()["status"] in {"Request Entity Too Large", "Content Too Large"}


async def test_call_with_chunked_oversized_body_is_413(m3o: M3O) -> None:
    async def chunks() -> Any:
        for _ in range(20):
            yield b" " * 8192

    headers = {"Authorization": f"Bearer {m3o.key}", "Content-Type": "application/json"}
    response = await m3o.api.post(f"{PREFIX}/List", content=chunks(), headers=headers)
    assert_error(response, 413, "List")


@pytest.mark.parametrize("path", ["/m3o/v1/user/Nope", "/m3o/v1/user", "/m3o/v1/other/Create", "/m3o/anything"])
async def test_unknown_endpoint_is_404(m3o: M3O, path: str) -> None:
    response = await m3o.api.post(path, json={}, headers={"Authorization": f"Bearer {m3o.key}"})
    assert_error(response, 404, None)
    assert "Nope" not in response.text


@pytest.mark.parametrize("endpoint", EVERY_ENDPOINT)
@pytest.mark.parametrize("method", ["GET", "PUT", "DELETE"])
async def test_call_with_other_method_is_405(m3o: M3O, endpoint: str, method: str) -> None:
    headers = {"Authorization": f"Bearer {m3o.key}"}
    response = await m3o.api.request(method, f"{PREFIX}/{endpoint}", headers=headers)
    assert_error(response, 405, endpoint)


async def test_call_with_unverifiable_key_never_reveals_the_key(api: httpx.AsyncClient) -> None:
    response = await api.post(f"{PREFIX}/List", json={}, headers={"Authorization": f"Bearer {WELL_SHAPED_WRONG_KEY}"})
    assert WELL_SHAPED_WRONG_KEY not in response.text


ODD_VALUES: list[Any] = [
    None,
    "",
    "\u0000",
    "a\u0007b",
    "\ud800",
    "x" * 5000,
    2**70,
    -(2**70),
    1e308,
    True,
    [],
    {"nested": {"deep": [1, 2]}},
    "١٢٣",
]
FIELDS = ["id", "username", "email", "password", "profile", "limit", "offset", "session_id", "sessionId"]
FIELDS += ["user_id", "userId", "old_password", "new_password", "confirm_password"]


@pytest.mark.parametrize("endpoint", ENDPOINTS)
async def test_call_with_odd_values_never_fails_with_5xx(m3o: M3O, endpoint: str) -> None:
    await m3o.create()
    headers = {"Authorization": f"Bearer {m3o.key}", "Content-Type": "application/json"}
    for field in FIELDS:
        for value in ODD_VALUES:
            raw = json.dumps({field: value}).encode()
            response = await m3o.api.post(f"{PREFIX}/{endpoint}", content=raw, headers=headers)
            assert response.status_code < 500, (field, value, response.text)
            assert response.headers["content-type"] == "application/json"


@pytest.mark.parametrize("endpoint", ["Read", "List", "ReadSession", "Login", "Create"])
async def test_responses_never_carry_passwords_hashes_or_foreign_tokens(m3o: M3O, endpoint: str) -> None:
    account = await m3o.create(profile={"k": "v"})
    session = await m3o.login()
    other = await m3o.login()
    bodies = {
        "Read": {"id": account["id"]},
        "List": {},
        "ReadSession": {"session_id": session["id"]},
        "Login": {"username": "joe", "password": PASSWORD},
        "Create": {"email": "jane@example.com", "username": "jane", "password": PASSWORD},
    }
    response = await m3o(endpoint, bodies[endpoint])
    assert response.status_code == 200
    text = response.text
    for secret in (PASSWORD, "$argon2", "$2b$", "password", "hash", other["id"], m3o.key):
        assert secret not in text
