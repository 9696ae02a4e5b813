"""Fixtures for the native mail flows: the API on a system whose clock the test steps."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime

import httpx
import pytest

from tests.fakes import FakeClock
from usher.app import create_app
from usher.container import Container
from usher.settings import Settings


@dataclass
class Clocked:
    api: httpx.AsyncClient
    container: Container
    clock: FakeClock


@pytest.fixture
async def clocked(settings: Settings) -> AsyncIterator[Clocked]:
    clock = FakeClock(datetime.now(UTC))
    container = Container(settings, clock=clock)
    try:
        app = create_app(settings, container)
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app, client=("203.0.113.7", 50000))
            async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
                yield Clocked(client, container, clock)
    finally:
        await container.close()
