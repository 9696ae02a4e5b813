"""JWT User Service errors over HTTP: `{"error": ...}` for unreadable, oversized and odd input, unknown paths and
methods; never a 5xx for anything a client sends."""

from __future__ import annotations

import pytest

from tests.dialects.userservice.support import EMAIL, PASSWORD, PREFIX, UserService, assert_error

ENDPOINTS = [
    ("POST", "register"),
    ("POST", "login"),
    ("POST", "accessToken"),
    ("POST", "activate"),
    ("GET", "activate"),
    ("POST", "newPassword"),
    ("POST", "attributes"),
    ("GET", "attributes"),
    ("DELETE", "attributes"),
    ("POST", "profile"),
    ("GET", "profile"),
    ("GET", "status"),
]
BODILESS = [("GET", "attributes"), ("GET", "profile"), ("GET", "status")]  # they read no body: it is ignored
ODD_BODIES: list[object] = [
    [],
    "text",
    5,
    None,
    {"email": None, "password": None},
    {"email": "\ud800@example.com", "password": PASSWORD},
    {"email": EMAIL, "password": "\u0000" * 10},
    {"email": EMAIL, "password": "p" * 5000},
    {"code": {"$gt": ""}},
    {"refreshToken": ["x"]},
    {"attributeKey": {"a": 1}, "attributeText": [1]},
    {"attributeId": 2**64},
    {"firstname": True},
]


@pytest.mark.parametrize(("method", "endpoint"), [e for e in ENDPOINTS if e not in BODILESS])
async def test_malformed_json_is_400(us: UserService, method: str, endpoint: str) -> None:
    token = await us.signed_up()
    response = await us.api.request(
        method,
        f"{PREFIX}/{endpoint}",
        content=b'{"email": ',
        headers={"Content-Type": "application/json", "Authorization": f"Bearer {token}"},
    )
    assert_error(response, 400)


@pytest.mark.parametrize(("method", "endpoint"), ENDPOINTS)
async def test_odd_bodies_never_5xx(us: UserService, method: str, endpoint: str) -> None:
    token = await us.signed_up()
    for body in ODD_BODIES:
        response = await us(method, endpoint, body, token=token)
        assert response.status_code < 500, (body, response.text)
        assert response.headers["content-type"] == "application/json"
        if response.status_code >= 400:
            assert set(response.json()) == {"error"}


async def test_oversized_body_is_413(us: UserService) -> None:
    body = {"email": EMAIL, "password": PASSWORD, "firstname": "x" * (65 * 1024)}
    assert_error(await us("POST", "register", body), 413)


async def test_unknown_path_is_404_in_the_dialect_format(us: UserService) -> None:
    assert_error(await us.api.get(f"{PREFIX}/nothing"), 404)
    assert_error(await us.api.get("/userservice/v1/nothing/at/all"), 404)


async def test_wrong_method_is_405_in_the_dialect_format(us: UserService) -> None:
    assert_error(await us.api.put(f"{PREFIX}/login", json={}), 405)
    assert_error(await us.api.get(f"{PREFIX}/login"), 405)


async def test_errors_never_echo_the_password(us: UserService) -> None:
    response = await us("POST", "register", {"email": EMAIL, "password": ["secret-password-123"]})
    assert_error(response, 400)
    assert "secret-password-123" not in response.text


async def test_rate_limited_login_is_429_with_retry_after(us: UserService) -> None:
    statuses = []
    for _ in range(35):
        response = await us("POST", "login", {"email": "nobody@example.com", "password": "wrong password here"})
        statuses.append(response.status_code)
        if response.status_code == 429:
            assert_error(response, 429)
            assert int(response.headers["retry-after"]) >= 1
            break
    assert statuses[-1] == 429
    assert set(statuses[:-1]) == {401}
