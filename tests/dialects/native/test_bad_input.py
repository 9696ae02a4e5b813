"""Bad input on the native API: always a clear 4xx in the native format, never a 500 or a partial write."""

from __future__ import annotations

import httpx
import pytest

from tests.dialects.native.helpers import BASE, PASSWORD, assert_error, auth, sign_up


@pytest.mark.parametrize(
    "content",
    [b"{", b"[]", b'"text"', b"null", b'{"email": "a@b.c", "password": 5}', b'{"email": 7, "password": "x"}'],
)
async def test_sign_up_malformed_or_wrong_types_is_400(api: httpx.AsyncClient, content: bytes) -> None:
    response = await api.post(f"{BASE}/signup", content=content, headers={"Content-Type": "application/json"})
    assert_error(response, 400, "validation_error")


async def test_sign_up_missing_password_names_the_field(api: httpx.AsyncClient) -> None:
    response = await api.post(f"{BASE}/signup", json={"email": "a@b.c"})
    assert assert_error(response, 400, "validation_error")["error"]["message"] == "password is required"


async def test_validation_error_never_echoes_the_password(api: httpx.AsyncClient) -> None:
    secret = "hunter2-but-\x00-with-null"
    response = await api.post(f"{BASE}/signup", json={"email": "a@b.c", "password": secret})
    assert_error(response, 400, "validation_error")
    assert "hunter2" not in response.text


@pytest.mark.parametrize(
    "payload",
    [
        {"email": "a\u0000b@c.d", "password": PASSWORD},
        {"email": "a@b.c", "password": PASSWORD, "profile": {"k": 5}},
        {"email": "a@b.c", "password": PASSWORD, "unexpected": 1},
        {"email": "x" * 5000, "password": PASSWORD},
        {"email": "not-an-address", "password": PASSWORD},
        {"username": "   ", "password": PASSWORD},
        {"password": PASSWORD},
    ],
)
async def test_sign_up_odd_values_are_400(api: httpx.AsyncClient, app_key: str, payload: dict[str, object]) -> None:
    assert_error(await api.post(f"{BASE}/signup", json=payload), 400, "validation_error")
    assert (await api.get(f"{BASE}/users", headers=auth(app_key))).json()["total"] == 0


async def test_lone_surrogate_is_400(api: httpx.AsyncClient) -> None:
    content = b'{"email": "\\ud800@example.com", "password": "correct horse battery"}'
    response = await api.post(f"{BASE}/signup", content=content, headers={"Content-Type": "application/json"})
    assert_error(response, 400, "validation_error")


async def test_one_mebibyte_body_is_413(api: httpx.AsyncClient) -> None:
    response = await api.post(f"{BASE}/signup", json={"email": "a@b.c", "password": "x" * (1024 * 1024)})
    assert_error(response, 413, "payload_too_large")


async def test_chunked_body_over_limit_is_413(api: httpx.AsyncClient) -> None:
    async def chunks():  # type: ignore[no-untyped-def]
        for _ in range(100):
            yield b"x" * 1024

    response = await api.post(f"{BASE}/signup", content=chunks(), headers={"Content-Type": "application/json"})
    assert_error(response, 413, "payload_too_large")


async def test_huge_integer_is_400(api: httpx.AsyncClient, app_key: str) -> None:
    response = await api.get(f"{BASE}/users", params={"offset": str(2**70)}, headers=auth(app_key))
    assert_error(response, 400, "validation_error")


async def test_unknown_route_and_wrong_method_use_native_format(api: httpx.AsyncClient) -> None:
    assert_error(await api.get("/v1/nothing-here"), 404, "route_not_found")
    assert_error(await api.get(f"{BASE}/signin"), 405, "method_not_allowed")


async def test_sign_in_with_overlong_password_is_plain_401(api: httpx.AsyncClient) -> None:
    await sign_up(api)
    response = await api.post(f"{BASE}/signin", json={"login": "ada@example.com", "password": "y" * 1000})
    assert_error(response, 401, "invalid_credentials")


async def test_health_ready_and_openapi(api: httpx.AsyncClient) -> None:
    assert (await api.get("/healthz")).json() == {"status": "ok"}
    assert (await api.get("/readyz")).json()["database"] is True
    spec = (await api.get("/openapi.json")).json()
    assert "/v1/apps/{app_id}/signin" in spec["paths"]
    assert not any(path.startswith("/m3o") for path in spec["paths"])
    assert "server" not in (await api.get("/healthz")).headers


@pytest.mark.parametrize("path", ["/v1/apps/%00/signin", "/v1/apps/default/users/%00", "/v1/apps/a%01b/signup"])
async def test_control_characters_in_path_are_400(api: httpx.AsyncClient, app_key: str, path: str) -> None:
    method = "GET" if "users" in path else "POST"
    response = await api.request(method, path, json={"login": "a", "password": "b"}, headers=auth(app_key))
    assert_error(response, 400, "validation_error")
