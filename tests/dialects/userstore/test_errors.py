"""UserStore errors raised before or around the routes: the secret key, bodies, paths, methods; no 5xx."""

from __future__ import annotations

import base64
import json
from typing import Any

import httpx
import pytest

from tests.dialects.userstore.support import AUTH_ENDPOINTS, EMAIL, PASSWORD, PREFIX, UserStore, assert_error
from usher.container import Container

WELL_SHAPED_WRONG_KEY = "usk_" + "A" * 43
CALLS = [("POST", f"/auth/{name}") for name in AUTH_ENDPOINTS] + [
    ("POST", "/users"),
    ("GET", "/users"),
    ("GET", "/users/lFVofRqhZ"),
    ("PUT", "/users/lFVofRqhZ"),
    ("DELETE", "/users/lFVofRqhZ"),
]


def basic(user: str, password: str = "") -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


@pytest.mark.parametrize(("method", "path"), CALLS)
async def test_call_without_key_is_401(api: httpx.AsyncClient, method: str, path: str) -> None:
    response = await api.request(method, f"{PREFIX}{path}", data={"email": EMAIL})
    assert_error(response, 401, "unauthorized")
    assert response.headers["www-authenticate"].startswith("Basic")


WRONG_HEADERS = [
    {"Authorization": basic(WELL_SHAPED_WRONG_KEY)},
    {"Authorization": "Basic !!!not-base64"},
    {"Authorization": "Basic "},
    {"x-api-key": WELL_SHAPED_WRONG_KEY},
    {"x-api-key": ""},
]


@pytest.mark.parametrize(("method", "path"), CALLS)
async def test_call_with_wrong_key_is_401(api: httpx.AsyncClient, app_key: str, method: str, path: str) -> None:
    for headers in WRONG_HEADERS:
        response = await api.request(method, f"{PREFIX}{path}", headers=headers)
        assert_error(response, 401, "unauthorized")
        assert WELL_SHAPED_WRONG_KEY not in response.text


@pytest.mark.parametrize(
    "headers_of",
    [
        lambda key: {"Authorization": f"Bearer {key}"},
        lambda key: {"Authorization": basic(key, "password")},
        lambda key: {"Authorization": basic("someone", key)},
        lambda key: {"Authorization": f"Basic {key}"},
    ],
)
async def test_key_in_another_place_is_401(api: httpx.AsyncClient, app_key: str, headers_of: Any) -> None:
    response = await api.get(f"{PREFIX}/users", headers=headers_of(app_key))
    assert_error(response, 401, "unauthorized")


async def test_key_as_x_api_key_header_works(api: httpx.AsyncClient, app_key: str) -> None:
    response = await api.post(
        f"{PREFIX}/users", data={"email": EMAIL, "password": PASSWORD}, headers={"x-api-key": app_key}
    )
    assert response.status_code == 200, response.text
    signin = await api.post(
        f"{PREFIX}/auth/signin", json={"signin_id": EMAIL, "password": PASSWORD}, headers={"x-api-key": app_key}
    )
    assert signin.status_code == 200


async def test_key_as_basic_user_name_works(api: httpx.AsyncClient, app_key: str) -> None:
    response = await api.get(f"{PREFIX}/users", headers={"Authorization": basic(app_key)})
    assert response.status_code == 200, response.text


async def test_a_rotated_key_stops_working(userstore: UserStore, container: Container) -> None:
    await container.services.apps.rotate_secret("default")
    assert_error(await userstore("GET", "/users"), 401, "unauthorized")


POST_CALLS = [path for method, path in CALLS if method in ("POST", "PUT")]


MALFORMED = [
    (b"{", "application/json"),
    (b'{"id": }', "application/json"),
    (b"\xff\xfe", "application/json"),
    (b"[]", "application/json"),
    (b'"text"', "application/json"),
    (b"12", "application/json"),
    (b"a=\xff", "application/x-www-form-urlencoded"),
]


@pytest.mark.parametrize("path", POST_CALLS)
async def test_call_with_malformed_body_is_400(userstore: UserStore, path: str) -> None:
    method = "PUT" if path.startswith("/users/") else "POST"
    for raw, content_type in MALFORMED:
        response = await userstore.api.request(
            method, f"{PREFIX}{path}", content=raw, headers={"Content-Type": content_type}, auth=(userstore.key, "")
        )
        assert response.status_code == 400, (raw, response.text)
        assert response.json()["error"] in {"invalid_request", "validation_error"}


@pytest.mark.parametrize("path", POST_CALLS)
async def test_call_with_1mib_body_is_413(userstore: UserStore, path: str) -> None:
    method = "PUT" if path.startswith("/users/") else "POST"
    response = await userstore(method, path, data={"padding": "x" * (1024 * 1024)})
    assert_error(response, 413, "payload_too_large")


@pytest.mark.parametrize("path", ["/userstore/1/nope", "/userstore/1/auth/login", "/userstore/2/users", "/userstore"])
async def test_unknown_route_is_404(userstore: UserStore, path: str) -> None:
    response = await userstore.api.post(path, data={}, auth=(userstore.key, ""))
    assert_error(response, 404, "not_found")


@pytest.mark.parametrize("endpoint", AUTH_ENDPOINTS)
@pytest.mark.parametrize("method", ["GET", "PUT", "DELETE"])
async def test_auth_endpoint_with_other_method_is_405(userstore: UserStore, endpoint: str, method: str) -> None:
    assert_error(await userstore(method, f"/auth/{endpoint}"), 405, "method_not_allowed")


async def test_users_resource_with_other_method_is_405(userstore: UserStore) -> None:
    assert_error(await userstore("PATCH", "/users/lFVofRqhZ"), 405, "method_not_allowed")
    assert_error(await userstore("DELETE", "/users"), 405, "method_not_allowed")


ODD_VALUES: list[Any] = [None, "", "\u0000", "a\u0007b", "\ud800", "x" * 5000, 2**70, 1e308, True, [], {"a": 1}]
FIELDS = ["id", "signin_id", "email", "password", "code", "username", "first_name", "last_name"]


@pytest.mark.parametrize(("method", "path"), [c for c in CALLS if c[0] != "GET"])
async def test_call_with_odd_values_never_fails_with_5xx(userstore: UserStore, method: str, path: str) -> None:
    created = await userstore.create()
    path = path.replace("lFVofRqhZ", created["id"]) if method != "DELETE" else path
    for field in FIELDS:
        for value in ODD_VALUES:
            raw = json.dumps({field: value}).encode()
            response = await userstore.api.request(
                method,
                f"{PREFIX}{path}",
                content=raw,
                headers={"Content-Type": "application/json"},
                auth=(userstore.key, ""),
            )
            assert response.status_code < 500, (field, value, response.text)
            assert response.headers["content-type"] == "application/json"


async def test_call_with_odd_query_values_never_fails_with_5xx(userstore: UserStore) -> None:
    await userstore.create()
    for name in ("limit", "offset", "send_email", "reset_password_url", "verify_url"):
        for value in ("\u0000", "x" * 5000, str(2**70), "-0", "١٢٣"):
            for method, path in (("GET", "/users"), ("POST", "/auth/forgot-password"), ("POST", "/users")):
                response = await userstore(method, path, data={"email": EMAIL}, params={name: value})
                assert response.status_code < 500, (name, value, response.text)


async def test_responses_never_carry_passwords_or_hashes(userstore: UserStore) -> None:
    created = await userstore.create()
    for response in (
        await userstore.signin(),
        await userstore("GET", f"/users/{created['id']}"),
        await userstore("GET", "/users"),
    ):
        assert response.status_code == 200
        for secret in (PASSWORD, "$argon2", "$2b$", "password", "hash", "token", userstore.key):
            assert secret not in response.text
