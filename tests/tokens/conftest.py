"""Token fixtures: the native API over a system whose clock the test steps."""

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
class System:
    api: httpx.AsyncClient
    container: Container
    clock: FakeClock


@pytest.fixture
async def system(settings: Settings) -> AsyncIterator[System]:
    clock = FakeClock(datetime.now(UTC))
    container = Container(settings, clock=clock)
    try:
        await container.services.keys.ensure_all()
        app = create_app(settings, container)
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app, client=("203.0.113.7", 50000))
            async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
                yield System(client, container, clock)
    finally:
        await container.close()


async def new_app(system: System, app_id: str, alg: str = "RS256") -> str:
    """Another app with a signing key of `alg`; returns its kid."""
    await system.container.services.apps.create(app_id.title(), app_id)
    key = await system.container.services.keys.ensure(app_id, alg)
    return key.kid
