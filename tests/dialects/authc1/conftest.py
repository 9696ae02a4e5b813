"""Fixtures for the AuthC1 dialect: a client on the default app, and one on a system whose clock the test steps."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime

import httpx
import pytest

from tests.dialects.authc1.support import AuthC1
from tests.fakes import FakeClock
from usher.app import create_app
from usher.container import Container
from usher.settings import Settings


@dataclass
class Clocked:
    authc1: AuthC1
    container: Container
    clock: FakeClock


@pytest.fixture
def authc1(api: httpx.AsyncClient) -> AuthC1:
    return AuthC1(api)


@pytest.fixture
async def clocked(settings: Settings) -> AsyncIterator[Clocked]:
    """The AuthC1 API, the container (outbox, app settings) and a clock the test steps past expiries."""
    clock = FakeClock(datetime.now(UTC))
    container = Container(settings, clock=clock)
    try:
        await container.services.keys.ensure_all()
        app = create_app(settings, container)
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app, client=("203.0.113.7", 50000))
            async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
                yield Clocked(AuthC1(client), container, clock)
    finally:
        await container.close()
