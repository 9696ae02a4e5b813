"""Parallel redemptions of one reset code succeed exactly once, on SQLite and PostgreSQL.

Twenty requests carry the same link token, 6-digit code or M3O 8-character code, each with its own new
password, spread over two app instances on one database (two nodes): one wins, every other one is refused as
an invalid code, and only the winner's password signs in afterwards.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from tests import conftest as suite
from tests.faults.support import LIMITS, NATIVE, NO_LIMIT, PASSWORD, signup_body
from usher.app import create_app
from usher.container import Container
from usher.core.models import Purpose
from usher.settings import Settings

RACERS = 20
EMAIL = "racer@example.com"
M3O = "/m3o/v1/user"


@dataclass
class Node:
    container: Container
    client: httpx.AsyncClient


@asynccontextmanager
async def _node(settings: Settings) -> AsyncIterator[Node]:
    container = Container(settings)
    try:
        app = create_app(settings, container)
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app, client=("203.0.113.7", 50000))
            async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
                yield Node(container, client)
    finally:
        await container.close()


@pytest.fixture
async def nodes(database_url: str) -> AsyncIterator[tuple[Node, Node]]:
    """Two instances of the service on one database, limits out of the way (the race is the subject here)."""
    limits: dict[str, object] = {f"limit_{name.lower()}": int(NO_LIMIT) for name in LIMITS}
    settings = suite.test_settings(database_url, **limits)
    async with AsyncExitStack() as stack:
        first = await stack.enter_async_context(_node(settings))
        second = await stack.enter_async_context(_node(settings))
        yield first, second


async def _mailed_code(node: Node) -> str:
    async with node.container.uow() as uow:
        found = [mail for mail in await uow.outbox.list(to=EMAIL) if mail.purpose == Purpose.RESET_PASSWORD]
    assert len(found) == 1
    code: str = found[0].secrets["code"]
    return code


def _password(index: int) -> str:
    return f"racing passphrase number {index}"


async def _race(nodes: tuple[Node, Node], send: Any) -> list[httpx.Response]:
    """RACERS requests at once, alternating between the nodes; `send(client, index)` makes one."""
    return list(await asyncio.gather(*(send(nodes[i % 2].client, i) for i in range(RACERS))))


async def _signs_in(node: Node, password: str) -> bool:
    response = await node.client.post(f"{NATIVE}/signin", json={"login": EMAIL, "password": password})
    assert response.status_code in (200, 401), response.text
    return response.status_code == 200


async def _only_winner_signs_in(node: Node, winner: int) -> None:
    assert await _signs_in(node, _password(winner))
    assert not await _signs_in(node, PASSWORD)
    assert not await _signs_in(node, _password((winner + 1) % RACERS))


@pytest.mark.parametrize("method", ["link", "code"])
async def test_parallel_native_resets_with_one_code_succeed_exactly_once(nodes: tuple[Node, Node], method: str) -> None:
    first = nodes[0]
    await first.container.services.apps.configure("default", {"redirect_urls": "https://app.example.com/reset"})
    assert (await first.client.post(f"{NATIVE}/signup", json=signup_body(EMAIL))).status_code == 201
    forgot = await first.client.post(f"{NATIVE}/password/forgot", json={"email": EMAIL, "method": method})
    assert forgot.status_code == 202
    secret = await _mailed_code(first)
    proof = {"token": secret} if method == "link" else {"email": EMAIL, "code": secret}

    async def send(client: httpx.AsyncClient, index: int) -> httpx.Response:
        return await client.post(f"{NATIVE}/password/reset", json={**proof, "new_password": _password(index)})

    responses = await _race(nodes, send)
    statuses = [r.status_code for r in responses]
    assert statuses.count(204) == 1, statuses
    losers = [r for r in responses if r.status_code != 204]
    assert [(r.status_code, r.json()["error"]["code"]) for r in losers] == [(400, "invalid_code")] * (RACERS - 1)
    await _only_winner_signs_in(first, statuses.index(204))


async def test_parallel_m3o_reset_passwords_with_one_code_succeed_exactly_once(nodes: tuple[Node, Node]) -> None:
    first = nodes[0]
    key = await first.container.services.apps.rotate_secret("default")
    headers = {"Authorization": f"Bearer {key}"}
    create = {"email": EMAIL, "username": "racer", "password": PASSWORD}
    assert (await first.client.post(f"{M3O}/Create", json=create, headers=headers)).status_code == 200
    send_mail = {"email": EMAIL, "subject": "Reset", "text_content": "code: $code", "from_name": "Racer"}
    assert (await first.client.post(f"{M3O}/SendPasswordResetEmail", json=send_mail, headers=headers)).json() == {}
    code = await _mailed_code(first)
    assert len(code) == 8

    async def send(client: httpx.AsyncClient, index: int) -> httpx.Response:
        body = {"email": EMAIL, "code": code, "new_password": _password(index), "confirm_password": _password(index)}
        return await client.post(f"{M3O}/ResetPassword", json=body, headers=headers)

    responses = await _race(nodes, send)
    statuses = [r.status_code for r in responses]
    assert statuses.count(200) == 1, statuses
    assert responses[statuses.index(200)].json() == {}
    losers = [(r.status_code, r.json()["detail"]) for r in responses if r.status_code != 200]
    assert losers == [(400, "invalid code")] * (RACERS - 1)
    await _only_winner_signs_in(first, statuses.index(200))
