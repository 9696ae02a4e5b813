"""WeKan errors raised before or around the routes: bodies, sizes, paths, methods; headers; no 5xx, no secrets."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.dialects.wekan.support import PASSWORD, WeKan, assert_accounts_error, assert_api_error, bearer

ACCOUNT_PATHS = ["/users/register", "/users/login"]
BODY_CALLS = [("POST", "/api/users"), ("PUT", "/api/users/{id}"), ("PUT", "/api/user/{id}")]
MALFORMED = [
    (b"{", "application/json"),
    (b'{"username": }', "application/json"),
    (b"\xff\xfe", "application/json"),
    (b"[]", "application/json"),
    (b'"text"', "application/json"),
    (b"12", "application/json"),
    (b"username=\xff", "application/x-www-form-urlencoded"),
]


@pytest.mark.parametrize("path", ACCOUNT_PATHS)
async def test_accounts_call_with_malformed_body_is_400(wekan: WeKan, path: str) -> None:
    for raw, content_type in MALFORMED:
        response = await wekan.api.post(f"/wekan{path}", content=raw, headers={"Content-Type": content_type})
        assert assert_accounts_error(response, 400)["error"] == 400


@pytest.mark.parametrize(("method", "path"), BODY_CALLS)
async def test_api_call_with_malformed_body_is_400(wekan: WeKan, admin: dict[str, Any], method: str, path: str) -> None:
    for raw, content_type in MALFORMED:
        headers = {**bearer(admin["token"]), "Content-Type": content_type}
        response = await wekan.api.request(method, f"/wekan{path.format(id=admin['id'])}", content=raw, headers=headers)
        assert_api_error(response, 400, "bad-request")


@pytest.mark.parametrize("path", ACCOUNT_PATHS)
async def test_accounts_call_with_1mib_body_is_413(wekan: WeKan, path: str) -> None:
    response = await wekan.api.post(f"/wekan{path}", data={"padding": "x" * (1024 * 1024)})
    assert assert_accounts_error(response, 413)["error"] == 413


@pytest.mark.parametrize(("method", "path"), BODY_CALLS)
async def test_api_call_with_1mib_body_is_413(wekan: WeKan, admin: dict[str, Any], method: str, path: str) -> None:
    response = await wekan.call(method, path.format(id=admin["id"]), admin["token"], json={"x": "x" * (1024 * 1024)})
    assert_api_error(response, 413, "payload-too-large")


@pytest.mark.parametrize("path", ["/wekan/api/nope", "/wekan/api", "/wekan/nope", "/wekan", "/wekan/api/users/a/b"])
async def test_unknown_route_is_404_meteor_error(wekan: WeKan, admin: dict[str, Any], path: str) -> None:
    response = await wekan.api.get(path, headers=bearer(admin["token"]))
    assert_api_error(response, 404, "not-found")


async def test_unknown_accounts_route_is_404(wekan: WeKan) -> None:
    response = await wekan.api.post("/wekan/users/logout", json={})
    assert assert_accounts_error(response, 404)["error"] == 404


@pytest.mark.parametrize("path", ACCOUNT_PATHS)
@pytest.mark.parametrize("method", ["GET", "PUT", "DELETE"])
async def test_accounts_call_with_other_method_is_405(wekan: WeKan, path: str, method: str) -> None:
    response = await wekan.api.request(method, f"/wekan{path}")
    assert assert_accounts_error(response, 405)["error"] == 405


@pytest.mark.parametrize(("method", "path"), [("POST", "/api/user"), ("PATCH", "/api/users"), ("POST", "/api/users/x")])
async def test_api_call_with_other_method_is_405(wekan: WeKan, admin: dict[str, Any], method: str, path: str) -> None:
    assert_api_error(await wekan.call(method, path, admin["token"]), 405, "method-not-allowed")


async def test_every_response_says_no_store(wekan: WeKan, admin: dict[str, Any]) -> None:
    responses = [
        await wekan.register("x", "x@example.com"),
        await wekan.login("admin"),
        await wekan.login("admin", "wrong password"),
        await wekan.call("GET", "/api/user", admin["token"]),
        await wekan.call("GET", "/api/users", admin["token"]),
        await wekan.call("GET", "/api/users/nobody", admin["token"]),
        await wekan.call("GET", "/api/user"),
        await wekan.api.get("/wekan/nope"),
    ]
    for response in responses:
        assert response.headers["cache-control"] == "no-store", response.request.url


async def test_get_and_delete_tolerate_a_json_body(wekan: WeKan, admin: dict[str, Any]) -> None:
    john = await wekan.registered("john", "me@mail.com")
    assert (await wekan.call("GET", "/api/user", admin["token"], json={})).status_code == 200
    assert (await wekan.call("DELETE", f"/api/users/{john['id']}", admin["token"], json={})).status_code == 200


ODD_VALUES: list[Any] = [None, "", "\u0000", "a\u0007b", "\ud800", "x" * 5000, 2**70, 1e308, True, [], {"a": 1}]
FIELDS = ["username", "email", "password", "action"]


@pytest.mark.parametrize(("method", "path"), [("POST", "/users/register"), ("POST", "/users/login"), *BODY_CALLS])
async def test_odd_values_never_fail_with_5xx(wekan: WeKan, admin: dict[str, Any], method: str, path: str) -> None:
    john = await wekan.registered("john", "me@mail.com")
    headers = {**bearer(admin["token"]), "Content-Type": "application/json"}
    for field in FIELDS:
        for value in ODD_VALUES:
            raw = json.dumps({"username": "u", "email": "u@example.com", "password": PASSWORD, field: value})
            url = f"/wekan{path.format(id=john['id'])}"
            response = await wekan.api.request(method, url, content=raw.encode(), headers=headers)
            assert response.status_code < 500, (field, value, response.text)
            assert response.headers["content-type"] == "application/json"


async def test_odd_tokens_and_ids_never_fail_with_5xx(wekan: WeKan, admin: dict[str, Any]) -> None:
    for token in ("\u0000" * 43, "é" * 43, "x" * 5000, "%00"):
        response = await wekan.api.get("/wekan/api/user", params={"access_token": token})
        assert response.status_code == 401
    for key in ("%00", "%FF", "a%0Ab", "..", "%2F"):
        response = await wekan.call("GET", f"/api/users/{key}", admin["token"])
        assert response.status_code < 500, response.text


async def test_responses_never_carry_hashes_or_tokens(wekan: WeKan, admin: dict[str, Any]) -> None:
    john = await wekan.registered("john", "me@mail.com")
    for path in ("/api/user", "/api/users", f"/api/users/{john['id']}", "/api/users/john"):
        response = await wekan.call("GET", path, admin["token"])
        assert response.status_code == 200
        for secret in (PASSWORD, "$argon2", "$2b$", "bcrypt", "hash", "loginTokens", admin["token"], john["token"]):
            assert secret not in response.text
