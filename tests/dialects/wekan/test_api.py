"""WeKan `/api/user` and the admin-only `/api/users` routes: the seed's curls, tokens and permissions."""

from __future__ import annotations

from typing import Any

import pytest

from tests.dialects.wekan.support import (
    LOGIN_FAILED,
    PASSWORD,
    WeKan,
    assert_accounts_error,
    assert_api_error,
    assert_document,
    bearer,
)

STRONG = "my$up3erP@ssw0rd"


async def test_get_own_user_with_bearer_token(wekan: WeKan, admin: dict[str, Any]) -> None:
    # curl -H "Authorization: Bearer ..." http://localhost:3000/api/user
    doc = await wekan.ok("GET", "/api/user", admin["token"])
    assert_document(doc)
    assert doc["_id"] == admin["id"]
    assert doc["username"] == "admin"
    assert doc["emails"] == [{"address": "admin@example.com", "verified": False}]
    assert doc["profile"] == {}
    assert doc["isAdmin"] is True
    assert doc["loginDisabled"] is False
    assert admin["token"] not in str(doc)


async def test_get_own_user_with_access_token_query(wekan: WeKan, admin: dict[str, Any]) -> None:
    response = await wekan.api.get("/wekan/api/user", params={"access_token": admin["token"]})
    assert response.status_code == 200, response.text
    assert response.json()["_id"] == admin["id"]


@pytest.mark.parametrize(
    "headers",
    [{}, bearer("A" * 43), bearer("short"), {"Authorization": "Basic abc"}, {"Authorization": "Bearer "}],
)
async def test_get_own_user_without_a_live_token_is_401(wekan: WeKan, headers: dict[str, str]) -> None:
    response = await wekan.api.get("/wekan/api/user", headers=headers)
    assert_api_error(response, 401, "Unauthorized")


async def test_get_own_user_with_bad_access_token_query_is_401(wekan: WeKan) -> None:
    response = await wekan.api.get("/wekan/api/user", params={"access_token": "A" * 43})
    assert_api_error(response, 401, "Unauthorized")


# admin: list and read


async def test_list_users_seed_curl_returns_ids_and_usernames(wekan: WeKan, admin: dict[str, Any]) -> None:
    john = await wekan.registered("john", "me@mail.com")
    users = await wekan.ok("GET", "/api/users", admin["token"])
    assert users == [{"_id": admin["id"], "username": "admin"}, {"_id": john["id"], "username": "john"}]


@pytest.mark.parametrize("by", ["id", "username"])
async def test_read_user_by_id_or_username(wekan: WeKan, admin: dict[str, Any], by: str) -> None:
    john = await wekan.registered("john", "me@mail.com")
    key = john["id"] if by == "id" else "john"
    doc = await wekan.ok("GET", f"/api/users/{key}", admin["token"])
    assert_document(doc)
    assert doc["_id"] == john["id"]
    assert doc["username"] == "john"
    assert doc["isAdmin"] is False
    assert john["token"] not in str(doc)


@pytest.mark.parametrize("key", ["XQMZgynx9M79qTtQc", "nobody", "x" * 300, "%00", "%F0%9F%98%80"])
async def test_read_unknown_user_is_404(wekan: WeKan, admin: dict[str, Any], key: str) -> None:
    assert_api_error(await wekan.call("GET", f"/api/users/{key}", admin["token"]), 404, "not-found")


# admin: create


async def test_create_user_seed_form_curl_returns_the_id(wekan: WeKan, admin: dict[str, Any]) -> None:
    # curl -H "Authorization: Bearer ..." -X POST .../api/users -d "username=...&password=...&email=..."
    response = await wekan.api.post(
        "/wekan/api/users",
        content=f"username=myusername&password={STRONG.replace('$', '%24')}&email=my@email.com",
        headers={**bearer(admin["token"]), "Content-Type": "application/x-www-form-urlencoded"},
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert set(body) == {"_id"}
    assert len(body["_id"]) == 17
    assert (await wekan.login("myusername", STRONG)).json()["id"] == body["_id"]


async def test_create_user_seed_json_curl_with_from_admin(wekan: WeKan, admin: dict[str, Any]) -> None:
    response = await wekan.api.post(
        "/wekan/api/users",
        content=(
            f'{{ "username": "tester", "password": "{STRONG}", "email": "tester@example.com", "fromAdmin": "true" }}'
        ),
        headers={**bearer(admin["token"]), "Content-type": "application/json"},
    )
    assert response.status_code == 200, response.text
    new_id = response.json()["_id"]
    # 3) You can get user details with your new user's id
    doc = await wekan.ok("GET", f"/api/users/{new_id}", admin["token"])
    assert doc["username"] == "tester"
    assert doc["isAdmin"] is False


@pytest.mark.parametrize("password", ["tester", "mypassword"])
async def test_create_user_with_the_seeds_weak_password_is_400(
    wekan: WeKan, admin: dict[str, Any], password: str
) -> None:
    body = {"username": "tester", "password": password, "email": "tester@example.com", "fromAdmin": "true"}
    response = await wekan.call("POST", "/api/users", admin["token"], json=body)
    assert_api_error(response, 400, "bad-request")
    assert password not in response.text


async def test_create_user_with_taken_username_is_400(wekan: WeKan, admin: dict[str, Any]) -> None:
    body = {"username": "ADMIN", "password": PASSWORD, "email": "new@example.com"}
    error = assert_api_error(await wekan.call("POST", "/api/users", admin["token"], json=body), 400)
    assert error["reason"] == "Username already exists."
    body = {"username": "new", "password": PASSWORD, "email": "Admin@Example.com"}
    error = assert_api_error(await wekan.call("POST", "/api/users", admin["token"], json=body), 400)
    assert error["reason"] == "Email already exists."


async def test_create_user_is_never_admin_even_in_an_empty_app(wekan: WeKan, admin: dict[str, Any]) -> None:
    body = {"username": "second", "password": PASSWORD, "email": "second@example.com"}
    new_id = (await wekan.ok("POST", "/api/users", admin["token"], json=body))["_id"]
    assert (await wekan.ok("GET", f"/api/users/{new_id}", admin["token"]))["isAdmin"] is False


# admin: delete


async def test_delete_user_seed_curl_returns_the_id_and_ends_its_sessions(wekan: WeKan, admin: dict[str, Any]) -> None:
    john = await wekan.registered("john", "me@mail.com")
    assert await wekan.ok("DELETE", f"/api/users/{john['id']}", admin["token"]) == {"_id": john["id"]}
    assert_api_error(await wekan.call("GET", "/api/user", john["token"]), 401)
    assert_api_error(await wekan.call("GET", f"/api/users/{john['id']}", admin["token"]), 404)
    assert_api_error(await wekan.call("DELETE", f"/api/users/{john['id']}", admin["token"]), 404)


# admin: disable and enable login


@pytest.mark.parametrize("path", ["/api/users", "/api/user"])
async def test_disable_login_revokes_tokens_and_enable_login_restores(
    wekan: WeKan, admin: dict[str, Any], path: str
) -> None:
    john = await wekan.registered("john", "me@mail.com")
    # curl -H "Authorization: Bearer ..." -H "Content-type:application/json" -X PUT .../api/users/ID -d '{...}'
    disabled = await wekan.ok("PUT", f"{path}/{john['id']}", admin["token"], json={"action": "disableLogin"})
    assert_document(disabled)
    assert disabled["loginDisabled"] is True
    assert_api_error(await wekan.call("GET", "/api/user", john["token"]), 401)
    assert_accounts_error(await wekan.login("john"), 401, LOGIN_FAILED)
    enabled = await wekan.ok("PUT", f"{path}/{john['id']}", admin["token"], json={"action": "enableLogin"})
    assert enabled["loginDisabled"] is False
    assert (await wekan.login("john")).status_code == 200
    assert_api_error(await wekan.call("GET", "/api/user", john["token"]), 401)  # revoked stays revoked


async def test_disable_login_accepts_a_form_body(wekan: WeKan, admin: dict[str, Any]) -> None:
    john = await wekan.registered("john", "me@mail.com")
    response = await wekan.call("PUT", f"/api/users/{john['id']}", admin["token"], data={"action": "disableLogin"})
    assert response.json()["loginDisabled"] is True


async def test_admin_cannot_disable_itself(wekan: WeKan, admin: dict[str, Any]) -> None:
    response = await wekan.call("PUT", f"/api/users/{admin['id']}", admin["token"], json={"action": "disableLogin"})
    assert_api_error(response, 403, "Forbidden")
    assert (await wekan.call("GET", "/api/user", admin["token"])).status_code == 200


@pytest.mark.parametrize("body", [{}, {"action": "takeOwnership"}, {"action": "disablelogin"}, {"action": 1}])
async def test_put_with_unknown_action_is_400(wekan: WeKan, admin: dict[str, Any], body: dict[str, Any]) -> None:
    john = await wekan.registered("john", "me@mail.com")
    assert_api_error(await wekan.call("PUT", f"/api/users/{john['id']}", admin["token"], json=body), 400)


async def test_put_on_unknown_user_is_404(wekan: WeKan, admin: dict[str, Any]) -> None:
    response = await wekan.call("PUT", "/api/users/ztKvBTzCqmyJ77on8", admin["token"], json={"action": "enableLogin"})
    assert_api_error(response, 404)


# permissions

ADMIN_CALLS: list[tuple[str, str, dict[str, Any] | None]] = [
    ("GET", "/api/users", None),
    ("GET", "/api/users/{id}", None),
    ("POST", "/api/users", {"username": "x", "email": "x@example.com", "password": PASSWORD}),
    ("DELETE", "/api/users/{id}", None),
    ("PUT", "/api/users/{id}", {"action": "disableLogin"}),
    ("PUT", "/api/user/{id}", {"action": "disableLogin"}),
]


@pytest.mark.parametrize(("method", "path", "body"), ADMIN_CALLS)
async def test_admin_route_for_a_non_admin_is_403(
    wekan: WeKan, admin: dict[str, Any], method: str, path: str, body: dict[str, Any] | None
) -> None:
    john = await wekan.registered("john", "me@mail.com")
    response = await wekan.call(method, path.format(id=admin["id"]), john["token"], json=body)
    assert_api_error(response, 403, "Forbidden")
    assert (await wekan.call("GET", "/api/user", admin["token"])).status_code == 200


@pytest.mark.parametrize(("method", "path", "body"), ADMIN_CALLS)
@pytest.mark.parametrize("token", [None, "A" * 43])
async def test_admin_route_without_a_live_token_is_401(
    wekan: WeKan, admin: dict[str, Any], method: str, path: str, body: dict[str, Any] | None, token: str | None
) -> None:
    response = await wekan.call(method, path.format(id=admin["id"]), token, json=body)
    assert_api_error(response, 401, "Unauthorized")


async def test_admin_route_with_access_token_query(wekan: WeKan, admin: dict[str, Any]) -> None:
    response = await wekan.api.get("/wekan/api/users", params={"access_token": admin["token"]})
    assert response.status_code == 200
    assert response.json() == [{"_id": admin["id"], "username": "admin"}]
