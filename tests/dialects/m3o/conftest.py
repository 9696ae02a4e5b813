"""Fixtures for the M3O dialect: a client bound to the default app's secret key, and one with a steppable clock."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime

import httpx
import pytest

from tests.dialects.m3o.support import M3O
from tests.fakes import FakeClock
from usher.app import create_app
from usher.container import Container
from usher.settings import Settings


@pytest.fixture
def m3o(api: httpx.AsyncClient, app_key: str) -> M3O:
    return M3O(api, app_key)


@pytest.fixture
async def clocked(settings: Settings) -> AsyncIterator[tuple[M3O, FakeClock]]:
    """The M3O API on a system whose clock the test steps (to pass a session's expiry without sleeping)."""
    clock = FakeClock(datetime.now(UTC))
    container = Container(settings, clock=clock)
    try:
        app = create_app(settings, container)
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app, client=("203.0.113.7", 50000))
            async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
                key = await container.services.apps.rotate_secret("default")
                yield M3O(client, key), clock
    finally:
        await container.close()


@pytest.fixture
async def mailing(settings: Settings) -> AsyncIterator[tuple[M3O, Container, FakeClock]]:
    """Like `clocked`, with the container too, so mail tests can read the outbox."""
    clock = FakeClock(datetime.now(UTC))
    container = Container(settings, clock=clock)
    try:
        app = create_app(settings, container)
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app, client=("203.0.113.7", 50000))
            async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
                key = await container.services.apps.rotate_secret("default")
                yield M3O(client, key), container, clock
    finally:
        await container.close()
