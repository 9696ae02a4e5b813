"""UserStore sign-in and sign-out activity, read back through the native admin audit endpoint."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from tests.dialects.userstore.support import EMAIL, PASSWORD, UserStore

AUDIT = "/v1/apps/default/audit"
EVENT_KEYS = {"type", "outcome", "at", "user_id", "client_address", "user_agent", "detail"}


def bearer(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}


async def events(api: httpx.AsyncClient, key: str, **params: Any) -> list[dict[str, Any]]:
    response = await api.get(AUDIT, params=params, headers=bearer(key))
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    assert set(body) == {"events", "limit", "offset"}
    for event in body["events"]:
        assert set(event) == EVENT_KEYS
    found: list[dict[str, Any]] = body["events"]
    return found


async def activity(userstore: UserStore) -> tuple[str, str]:
    """Two users; the first signs in twice, fails once and signs out; the second signs in once."""
    john = (await userstore.create())["id"]
    jane = (await userstore.create("jane@example.com", "jane"))["id"]
    for signin_id, password in ((EMAIL, PASSWORD), ("johnsmith", "wrong password!"), (EMAIL, PASSWORD)):
        await userstore.signin(signin_id, password)
    await userstore("POST", "/auth/signout", data={"id": john})
    await userstore.signin("jane", PASSWORD)
    return john, jane


async def test_sign_ins_and_sign_outs_are_queryable_by_user_and_type(userstore: UserStore) -> None:
    john, jane = await activity(userstore)
    api, key = userstore.api, userstore.key
    signins = await events(api, key, user_id=john, type="signin")
    assert [e["outcome"] for e in signins] == ["success", "failure", "success"]  # newest first
    assert all(e["user_id"] == john for e in signins)
    assert all(e["client_address"] == "203.0.113.7" for e in signins)
    signouts = await events(api, key, user_id=john, type="signout")
    assert [(e["type"], e["outcome"]) for e in signouts] == [("signout", "success")]
    assert [e["outcome"] for e in await events(api, key, user_id=jane, type="signin")] == ["success"]
    assert len(await events(api, key, type="signin")) == 4


async def test_audit_pages_newest_first(userstore: UserStore) -> None:
    john, _ = await activity(userstore)
    api, key = userstore.api, userstore.key
    everything = await events(api, key, user_id=john)
    assert len(everything) >= 5  # user.created, three sign-in attempts, the sign-out
    times = [e["at"] for e in everything]
    assert times == sorted(times, reverse=True)
    page = await events(api, key, user_id=john, limit=2, offset=1)
    assert page == everything[1:3]
    assert await events(api, key, user_id=john, limit=2, offset=len(everything)) == []


async def test_audit_filters_by_time(userstore: UserStore) -> None:
    john, _ = await activity(userstore)
    api, key = userstore.api, userstore.key
    later = (datetime.now(UTC) + timedelta(minutes=5)).isoformat()
    earlier = (datetime.now(UTC) - timedelta(minutes=5)).isoformat()
    assert await events(api, key, user_id=john, since=later) == []
    assert len(await events(api, key, user_id=john, type="signin", since=earlier)) == 3
    assert await events(api, key, user_id=john, until=earlier) == []
    naive = (datetime.now(UTC) - timedelta(minutes=5)).replace(tzinfo=None).isoformat()
    assert len(await events(api, key, user_id=john, type="signin", since=naive)) == 3


async def test_audit_accepts_an_admin_users_session_token(userstore: UserStore) -> None:
    john, _ = await activity(userstore)
    native = await userstore.api.post(
        "/v1/apps/default/users",
        json={"email": "root@example.com", "password": PASSWORD, "is_admin": True},
        headers=bearer(userstore.key),
    )
    assert native.status_code == 201, native.text
    signin = await userstore.api.post(
        "/v1/apps/default/signin", json={"login": "root@example.com", "password": PASSWORD}
    )
    token = signin.json()["session"]["token"]
    assert len(await events(userstore.api, token, user_id=john, type="signout")) == 1


async def test_audit_refuses_a_non_admin_and_anonymous_callers(userstore: UserStore) -> None:
    await userstore.create()
    signin = await userstore.api.post("/v1/apps/default/signin", json={"login": EMAIL, "password": PASSWORD})
    token = signin.json()["session"]["token"]
    forbidden = await userstore.api.get(AUDIT, headers=bearer(token))
    assert forbidden.status_code == 403
    assert forbidden.json()["error"]["code"] == "forbidden"
    for headers in ({}, bearer("usk_" + "A" * 43), {"x-api-key": userstore.key}):
        response = await userstore.api.get(AUDIT, headers=headers)
        assert response.status_code == 401, response.text
        assert response.json()["error"]["code"] == "unauthenticated"
    other_app = await userstore.api.get("/v1/apps/other/audit", headers=bearer(userstore.key))
    assert other_app.status_code == 401


@pytest.mark.parametrize(
    "params",
    [{"limit": "1001"}, {"limit": "-1"}, {"offset": "-1"}, {"since": "yesterday"}, {"type": "\u0000"}, {"limit": "x"}],
)
async def test_audit_with_bad_query_is_400(userstore: UserStore, params: dict[str, str]) -> None:
    response = await userstore.api.get(AUDIT, params=params, headers=bearer(userstore.key))
    assert response.status_code == 400, response.text
    assert response.json()["error"]["code"] == "validation_error"


async def test_audit_is_in_the_openapi_document(userstore: UserStore) -> None:
    paths = (await userstore.api.get("/openapi.json")).json()["paths"]
    assert "get" in paths["/v1/apps/{app_id}/audit"]
