"""WeKan names no app in its requests: the one set by `USHER_WEKAN_APP` serves it (SPEC §1)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from tests import conftest
from tests.dialects.wekan.support import PASSWORD, WeKan, assert_login
from usher.app import create_app
from usher.container import Container


@pytest.fixture
async def board_api(database_url: str, container: Container) -> AsyncIterator[httpx.AsyncClient]:
    """The service with `USHER_WEKAN_APP=board`."""
    await container.services.apps.create("Board", "board")
    app = create_app(conftest.test_settings(database_url, wekan_app="board"), container)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app, client=("203.0.113.7", 50000))
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as api:
            yield api


async def test_wekan_serves_the_configured_app(board_api: httpx.AsyncClient, container: Container) -> None:
    wekan = WeKan(board_api)
    body = await wekan.registered()
    assert_login(body)
    assert (await container.services.accounts.get("board", body["id"])).is_admin is True
    assert (await container.services.accounts.list("default")).total == 0
    assert (await container.services.auth.authenticate("board", body["token"])).user.id == body["id"]


async def test_tokens_of_another_app_are_unknown_to_wekan(board_api: httpx.AsyncClient) -> None:
    native = await board_api.post("/v1/apps/default/signup", json={"email": "ada@example.com", "password": PASSWORD})
    token = native.json()["session"]["token"]
    response = await board_api.get("/wekan/api/user", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 401
    login = await board_api.post("/wekan/users/login", data={"username": "ada@example.com", "password": PASSWORD})
    assert login.status_code == 401
