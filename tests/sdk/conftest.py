"""SDK fixtures: the real app in-process with a clock the test steps, and SDK clients and verifiers talking to it.

usher        Usher: the ASGI app, its container and clock, the default app's secret key
sdk          usher_client.AsyncClient on the default app (with its secret key), in-process
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from tests.dialects.mailbox import newest
from tests.fakes import FakeClock
from usher.app import create_app
from usher.container import Container
from usher.settings import Settings
from usher_client import AsyncClient, TokenVerifier

BASE_URL = "http://testserver"
PASSWORD = "correct horse battery"


class Ticks:
    """A monotonic clock for TokenVerifier that the test moves."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@dataclass
class Usher:
    app: FastAPI
    container: Container
    clock: FakeClock
    key: str

    def transport(self) -> httpx.AsyncBaseTransport:
        return httpx.ASGITransport(app=self.app, client=("203.0.113.7", 50000))

    def client(self, app_id: str = "default", secret_key: str | None = None) -> AsyncClient:
        return AsyncClient(BASE_URL, app_id, secret_key=secret_key or self.key, transport=self.transport())

    def verifier(self, app_id: str = "default", **options: Any) -> TokenVerifier:
        return TokenVerifier(BASE_URL, app_id, async_transport=self.transport(), **options)

    async def secret(self, to: str, purpose: str, name: str = "code") -> str:
        """The code (or link token, which the outbox also keeps as `code`) last mailed to `to` for `purpose`."""
        return (await newest(self.container, to, purpose)).secrets[name]


@pytest.fixture
async def usher(settings: Settings) -> AsyncIterator[Usher]:
    clock = FakeClock(datetime.now(UTC))
    container = Container(settings, clock=clock)
    try:
        await container.services.keys.ensure_all()
        await container.services.apps.configure("default", {"redirect_urls": "https://app.example.com/back"})
        key = await container.services.apps.rotate_secret("default")
        app = create_app(settings, container)
        async with app.router.lifespan_context(app):
            yield Usher(app, container, clock, key)
    finally:
        await container.close()


@pytest.fixture
async def sdk(usher: Usher) -> AsyncIterator[AsyncClient]:
    async with usher.client() as client:
        yield client
