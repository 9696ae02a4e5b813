"""Native admin endpoints: app secret key or an admin user's session token."""

from __future__ import annotations

import httpx

from tests.dialects.native.helpers import BASE, PASSWORD, assert_error, auth, sign_up
from usher.container import Container

USERS = f"{BASE}/users"


async def test_create_read_update_delete_user_with_app_key(api: httpx.AsyncClient, app_key: str) -> None:
    created = await api.post(
        USERS,
        json={"id": "ada-1", "email": "ada@example.com", "password": PASSWORD, "is_admin": True, "permission_level": 5},
        headers=auth(app_key),
    )
    assert created.status_code == 201, created.text
    assert created.json()["id"] == "ada-1" and created.json()["is_admin"] is True
    read = await api.get(f"{USERS}/ada-1", headers=auth(app_key))
    assert read.json()["permission_level"] == 5
    updated = await api.patch(f"{USERS}/ada-1", json={"email": "ada@new.example"}, headers=auth(app_key))
    assert updated.json()["email"] == "ada@new.example"
    assert (await api.delete(f"{USERS}/ada-1", headers=auth(app_key))).status_code == 204
    assert_error(await api.get(f"{USERS}/ada-1", headers=auth(app_key)), 404, "not_found")
    assert_error(await api.delete(f"{USERS}/ada-1", headers=auth(app_key)), 404, "not_found")


async def test_delete_user_revokes_their_sessions(api: httpx.AsyncClient, app_key: str) -> None:
    body = await sign_up(api)
    response = await api.delete(f"{USERS}/{body['user']['id']}", headers=auth(app_key))
    assert response.status_code == 204
    assert_error(await api.get(f"{BASE}/me", headers=auth(body["session"]["token"])), 401, "invalid_session")


async def test_list_users_pages_and_counts(api: httpx.AsyncClient, app_key: str) -> None:
    for n in range(3):
        await sign_up(api, f"u{n}@example.com")
    page = (await api.get(USERS, params={"limit": 2, "offset": 1}, headers=auth(app_key))).json()
    assert page["total"] == 3 and page["limit"] == 2 and page["offset"] == 1
    assert [u["email"] for u in page["users"]] == ["u1@example.com", "u2@example.com"]
    assert_error(await api.get(USERS, params={"limit": 1001}, headers=auth(app_key)), 400, "validation_error")


async def test_disable_blocks_sign_in_and_revokes_then_enable_restores(api: httpx.AsyncClient, app_key: str) -> None:
    body = await sign_up(api)
    user_id, token = body["user"]["id"], body["session"]["token"]
    disabled = await api.post(f"{USERS}/{user_id}/disable", headers=auth(app_key))
    assert disabled.json()["disabled"] is True
    assert_error(await api.get(f"{BASE}/me", headers=auth(token)), 401, "invalid_session")
    login = {"login": "ada@example.com", "password": PASSWORD}
    assert_error(await api.post(f"{BASE}/signin", json=login), 401, "invalid_credentials")
    assert (await api.post(f"{USERS}/{user_id}/enable", headers=auth(app_key))).json()["disabled"] is False
    assert (await api.post(f"{BASE}/signin", json=login)).status_code == 200


async def test_admin_user_session_token_may_manage_users(api: httpx.AsyncClient, app_key: str) -> None:
    await api.post(
        USERS, json={"email": "root@example.com", "password": PASSWORD, "is_admin": True}, headers=auth(app_key)
    )
    admin = await api.post(f"{BASE}/signin", json={"login": "root@example.com", "password": PASSWORD})
    assert (await api.get(USERS, headers=auth(admin.json()["session"]["token"]))).status_code == 200


async def test_plain_user_session_token_is_forbidden(api: httpx.AsyncClient) -> None:
    token = (await sign_up(api))["session"]["token"]
    assert_error(await api.get(USERS, headers=auth(token)), 403, "forbidden")


async def test_missing_wrong_or_foreign_key_is_401(api: httpx.AsyncClient, container: Container) -> None:
    assert_error(await api.get(USERS), 401, "unauthenticated")
    assert_error(await api.get(USERS, headers=auth("usk_" + "A" * 43)), 401, "unauthenticated")
    assert_error(await api.get(USERS, headers=auth("x" * 43)), 401, "invalid_session")
    _, other_key = await container.services.apps.create("Other", "other")
    assert_error(await api.get(USERS, headers=auth(other_key)), 401, "unauthenticated")


async def test_sign_out_user_everywhere_by_admin(api: httpx.AsyncClient, app_key: str) -> None:
    body = await sign_up(api)
    response = await api.post(f"{USERS}/{body['user']['id']}/signout-everywhere", headers=auth(app_key))
    assert response.status_code == 204
    assert_error(await api.get(f"{BASE}/me", headers=auth(body["session"]["token"])), 401, "invalid_session")
