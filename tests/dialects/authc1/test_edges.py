"""AuthC1 errors raised before or around the routes: APPID, bodies, unknown paths, methods; what never leaks."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.dialects.authc1.support import (
    BODY_PATHS,
    EMAIL,
    NAME,
    PASSWORD,
    PATHS,
    AuthC1,
    assert_error,
)

VALID_BODIES: dict[str, dict[str, Any]] = {
    "email/login": {"email": EMAIL, "password": PASSWORD},
    "email/register": {"name": NAME, "email": EMAIL, "password": PASSWORD},
    "email/verify": {},
    "email/confirm": {"code": "123456"},
    "email/forgot-password": {"email": EMAIL},
    "email/confirm-password": {"email": EMAIL, "code": "123456", "password": PASSWORD},
    "accounts/access-token": {"refresh_token": "A" * 43},
}


async def _token(authc1: AuthC1) -> str:
    token: str = (await authc1.register())["access_token"]
    return token


UNKNOWN_APPS = ["nope", "x" * 129, "a%20b", "%00", "%E2%80%AE", "DEFAULT"]


@pytest.mark.parametrize("path", PATHS)
async def test_unknown_app_is_401_unauthorized(authc1: AuthC1, path: str) -> None:
    token = await _token(authc1)
    for app_id in UNKNOWN_APPS:
        response = await AuthC1(authc1.api, app_id)(path, VALID_BODIES[path], token=token)
        assert_error(response, 401, "UNAUTHORIZED")
        assert response.headers["www-authenticate"] == "Bearer"


@pytest.mark.parametrize("path", PATHS)
async def test_unknown_app_is_checked_before_the_body(authc1: AuthC1, path: str) -> None:
    headers = {"Content-Type": "application/json"}
    response = await authc1.api.post(f"/authc1/v1/nope/{path}", content=b"{", headers=headers)
    assert_error(response, 401, "UNAUTHORIZED")


MALFORMED = [b"{", b'{"email": }', b"\xff\xfe", b"[]", b'"text"', b"12", b"null"]


@pytest.mark.parametrize("path", PATHS)
async def test_malformed_body_is_400_validation_error(authc1: AuthC1, path: str) -> None:
    headers = {"Authorization": f"Bearer {await _token(authc1)}", "Content-Type": "application/json"}
    for raw in MALFORMED:
        response = await authc1.api.post(authc1.url(path), content=raw, headers=headers)
        error = assert_error(response, 400, "VALIDATION_ERROR")
        assert error["details"] == {}


@pytest.mark.parametrize("path", BODY_PATHS)
async def test_empty_body_is_400_naming_a_required_field(authc1: AuthC1, path: str) -> None:
    token = await _token(authc1)
    response = await authc1.api.post(authc1.url(path), headers={"Authorization": f"Bearer {token}"})
    error = assert_error(response, 400, "VALIDATION_ERROR")
    assert error["details"]["field"] in {"email", "name", "code", "refresh_token"}
    assert "is required" in error["message"]


@pytest.mark.parametrize("path", PATHS)
async def test_1mib_body_is_413(authc1: AuthC1, path: str) -> None:
    response = await authc1(path, {"padding": "x" * (1024 * 1024)})
    assert_error(response, 413, "PAYLOAD_TOO_LARGE")


async def test_chunked_oversized_body_is_413(authc1: AuthC1) -> None:
    async def chunks() -> Any:
        for _ in range(20):
            yield b" " * 8192

    headers = {"Content-Type": "application/json"}
    response = await authc1.api.post(authc1.url("email/login"), content=chunks(), headers=headers)
    assert_error(response, 413, "PAYLOAD_TOO_LARGE")


UNKNOWN_ROUTES = [
    "/authc1/v1/default/email/nope",
    "/authc1/v1/default/email",
    "/authc1/v1/default/accounts/nope",
    "/authc1/v1/default",
    "/authc1/v2/default/email/login",
    "/authc1/anything",
    "/authc1",
]


async def test_unknown_route_is_404_in_authc1_format(authc1: AuthC1) -> None:
    for path in UNKNOWN_ROUTES:
        response = await authc1.api.post(path, json={})
        assert_error(response, 404, "NOT_FOUND")
        assert "nope" not in response.text


@pytest.mark.parametrize("path", PATHS)
async def test_other_method_is_405_in_authc1_format(authc1: AuthC1, path: str) -> None:
    for method in ("GET", "PUT", "DELETE", "PATCH"):
        response = await authc1.api.request(method, authc1.url(path))
        assert_error(response, 405, "METHOD_NOT_ALLOWED")


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
    "a@b\u0000c",
]
FIELDS = ["email", "password", "name", "code", "refresh_token"]


@pytest.mark.parametrize("path", PATHS)
async def test_odd_values_never_fail_with_5xx(authc1: AuthC1, path: str) -> None:
    token = await _token(authc1)
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    for field in FIELDS:
        for value in ODD_VALUES:
            body = {**VALID_BODIES[path], field: value}
            raw = json.dumps(body).encode()
            response = await authc1.api.post(authc1.url(path), content=raw, headers=headers)
            assert response.status_code < 500, (field, value, response.text)
            assert response.headers["content-type"] == "application/json"
            assert set(response.json()) == {"error"} or response.status_code == 200


@pytest.mark.parametrize("path", BODY_PATHS)
async def test_validation_error_never_echoes_values(authc1: AuthC1, path: str) -> None:
    token = await _token(authc1)
    secret = "SECRET-VALUE-\u0000"
    for field in FIELDS:
        response = await authc1(path, {**VALID_BODIES[path], field: [secret]}, token=token)
        assert "SECRET-VALUE" not in response.text


@pytest.mark.parametrize("path", ["email/login", "email/register", "accounts/access-token", "email/confirm"])
async def test_responses_never_carry_passwords_or_hashes(authc1: AuthC1, path: str) -> None:
    login = await authc1.register(email="jane@example.com")
    bodies = {
        "email/login": {"email": "jane@example.com", "password": PASSWORD},
        "email/register": {"name": NAME, "email": EMAIL, "password": PASSWORD},
        "accounts/access-token": {"refresh_token": login["refresh_token"]},
        "email/confirm": {"code": "000000"},
    }
    response = await authc1(path, bodies[path], token=login["access_token"])
    for secret in (PASSWORD, "$argon2", "$2b$", "password", "hash"):
        assert secret not in response.text


@pytest.mark.parametrize("path", PATHS)
async def test_every_answer_is_json_with_no_store(authc1: AuthC1, path: str) -> None:
    response = await authc1(path, VALID_BODIES[path])
    assert response.headers["content-type"] == "application/json"
    assert response.headers["cache-control"] == "no-store"
