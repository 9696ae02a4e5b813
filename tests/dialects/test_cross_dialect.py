"""One app, many dialects: an account made through any dialect signs in through every other one."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import pytest

PASSWORD = "correct horse battery"
EMAIL = "ada@example.com"
USERNAME = "ada"
ACCOUNT = {"email": EMAIL, "username": USERNAME, "password": PASSWORD}

Call = Callable[[httpx.AsyncClient, str], Awaitable[httpx.Response]]


def bearer(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}


# Creating the account: the request, and where the new id is in the answer.
CREATE: dict[str, tuple[Call, Callable[[Any], str]]] = {
    "native": (
        lambda api, key: api.post("/v1/apps/default/signup", json=ACCOUNT),
        lambda body: body["user"]["id"],
    ),
    "m3o": (
        lambda api, key: api.post("/m3o/v1/user/Create", json=ACCOUNT, headers=bearer(key)),
        lambda body: body["account"]["id"],
    ),
    "wekan": (
        lambda api, key: api.post("/wekan/users/register", data=ACCOUNT),
        lambda body: body["id"],
    ),
    "userstore": (
        lambda api, key: api.post("/userstore/1/users", data=ACCOUNT, auth=(key, "")),
        lambda body: body["id"],
    ),
}
# Signing in: the request, and where the user id and the session token (if the dialect hands one out) are.
SIGN_IN: dict[str, tuple[Call, Callable[[Any], tuple[str, str | None]]]] = {
    "wekan (username)": (
        lambda api, key: api.post("/wekan/users/login", data={"username": USERNAME, "password": PASSWORD}),
        lambda body: (body["id"], body["token"]),
    ),
    "wekan (email)": (
        lambda api, key: api.post("/wekan/users/login", json={"email": EMAIL, "password": PASSWORD}),
        lambda body: (body["id"], body["token"]),
    ),
    "userstore": (
        lambda api, key: api.post(
            "/userstore/1/auth/signin", data={"signin_id": EMAIL, "password": PASSWORD}, auth=(key, "")
        ),
        lambda body: (body["id"], None),
    ),
    "m3o": (
        lambda api, key: api.post(
            "/m3o/v1/user/Login", json={"username": USERNAME, "password": PASSWORD}, headers=bearer(key)
        ),
        lambda body: (body["session"]["userId"], body["session"]["id"]),
    ),
    "native": (
        lambda api, key: api.post("/v1/apps/default/signin", json={"login": EMAIL, "password": PASSWORD}),
        lambda body: (body["user"]["id"], body["session"]["token"]),
    ),
}


async def create(api: httpx.AsyncClient, key: str, dialect: str) -> str:
    call, user_id = CREATE[dialect]
    response = await call(api, key)
    assert response.status_code in (200, 201), response.text
    return user_id(response.json())


async def token_works_everywhere(api: httpx.AsyncClient, key: str, user_id: str, token: str) -> None:
    """A session token is one session, whichever dialect opened it."""
    wekan = await api.get("/wekan/api/user", headers=bearer(token))
    assert wekan.status_code == 200, wekan.text
    assert wekan.json()["_id"] == user_id
    native = await api.get("/v1/apps/default/me", headers=bearer(token))
    assert native.status_code == 200, native.text
    assert native.json()["user"]["id"] == user_id
    m3o = await api.post("/m3o/v1/user/ReadSession", json={"session_id": token}, headers=bearer(key))
    assert m3o.status_code == 200, m3o.text
    assert m3o.json()["account"]["id"] == user_id


@pytest.mark.parametrize("creator", list(CREATE))
async def test_account_made_in_one_dialect_signs_in_through_every_dialect(
    api: httpx.AsyncClient, app_key: str, creator: str
) -> None:
    user_id = await create(api, app_key, creator)
    for name, (call, found) in SIGN_IN.items():
        response = await call(api, app_key)
        assert response.status_code == 200, (name, response.text)
        signed_in, token = found(response.json())
        assert signed_in == user_id, name
        if token is not None:
            await token_works_everywhere(api, app_key, user_id, token)


@pytest.mark.parametrize("creator", list(CREATE))
async def test_account_made_in_one_dialect_is_a_duplicate_in_every_other(
    api: httpx.AsyncClient, app_key: str, creator: str
) -> None:
    await create(api, app_key, creator)
    for name, (call, _) in CREATE.items():
        response = await call(api, app_key)
        assert response.status_code in (400, 409), (name, response.text)


async def test_disabling_through_wekan_blocks_sign_in_everywhere(api: httpx.AsyncClient, app_key: str) -> None:
    root = {"username": "root", "email": "root@example.com", "password": PASSWORD}
    admin = (await api.post("/wekan/users/register", data=root)).json()
    user_id = await create(api, app_key, "userstore")
    native = (await SIGN_IN["native"][0](api, app_key)).json()["session"]["token"]
    headers = bearer(admin["token"])
    put = await api.put(f"/wekan/api/users/{user_id}", json={"action": "disableLogin"}, headers=headers)
    assert put.status_code == 200, put.text
    assert (await api.get("/v1/apps/default/me", headers=bearer(native))).status_code == 401
    for name, (call, _) in SIGN_IN.items():
        assert (await call(api, app_key)).status_code == 401, name
    user = await api.get(f"/userstore/1/users/{user_id}", auth=(app_key, ""))
    assert user.json()["is_active"] is False
