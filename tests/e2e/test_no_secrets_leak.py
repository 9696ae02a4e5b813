"""No password, hash, token or secret key appears in any log line or any response that should not carry it."""

from __future__ import annotations

import logging

import httpx
import pytest

from tests.dialects.native.helpers import BASE, PASSWORD, auth
from usher.container import Container


async def test_secrets_never_reach_logs_or_foreign_responses(
    api: httpx.AsyncClient, app_key: str, container: Container, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    new_password = "another strong one"
    signup = await api.post(f"{BASE}/signup", json={"email": "ada@example.com", "password": PASSWORD})
    token = signup.json()["session"]["token"]
    await api.post(f"{BASE}/signin", json={"login": "ada@example.com", "password": "wrong " + PASSWORD})
    await api.get(f"{BASE}/me?access_token={token}", headers=auth(token))
    await api.post(
        f"{BASE}/me/password", json={"current_password": PASSWORD, "new_password": new_password}, headers=auth(token)
    )
    await api.post(f"{BASE}/signup", json={"email": "bad\u0000@x.y", "password": PASSWORD})
    listing = await api.get(f"{BASE}/users", headers=auth(app_key))
    me = await api.get(f"{BASE}/me", headers=auth(token))
    await api.post(f"{BASE}/signout", headers=auth(token))

    async with container.uow() as uow:
        user = (await uow.users.list("default", 10, 0)).users[0]
        credentials = await uow.users.credentials("default", user.id)
    assert credentials is not None and credentials.password_hash
    secrets = [PASSWORD, new_password, token, app_key, credentials.password_hash]
    # httpx is the test's own client (it logs the URL it was asked for); every other record is the server's.
    logged = "\n".join(f"{r.getMessage()} {r.exc_text or ''}" for r in caplog.records if not r.name.startswith("httpx"))
    for secret in secrets:
        assert secret not in logged
        assert secret not in listing.text and secret not in me.text
    assert "usher.access" in {r.name for r in caplog.records}
