"""Fixtures for the JWT User Service: a client on the shared system, and one on a system whose clock steps."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime

import httpx
import pytest

from tests.dialects.userservice.support import UserService
from tests.fakes import FakeClock
from usher.app import create_app
from usher.container import Container
from usher.settings import Settings


@pytest.fixture
def us(api: httpx.AsyncClient) -> UserService:
    return UserService(api)


@pytest.fixture
async def clocked(settings: Settings) -> AsyncIterator[tuple[UserService, Container, FakeClock]]:
    """The dialect on a system whose clock the test steps (past a token's expiry, without sleeping)."""
    clock = FakeClock(datetime.now(UTC))
    container = Container(settings, clock=clock)
    try:
        await container.services.keys.ensure_all()
        app = create_app(settings, container)
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app, client=("203.0.113.7", 50000))
            async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
                yield UserService(client), container, clock
    finally:
        await container.close()
