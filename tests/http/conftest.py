"""Fixtures for the HTTP edge: the app over HTTP with chosen settings, and an app with CORS origins.

client_for     async context manager: an httpx client on create_app(settings with overrides, the same container)
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from tests.conftest import test_settings
from usher.app import create_app
from usher.container import Container

ClientFor = Callable[..., AbstractAsyncContextManager[httpx.AsyncClient]]
ALLOWED = "https://app.example.com"
OTHER = "https://other.example.com"


@asynccontextmanager
async def serve(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app, client=("203.0.113.7", 50000))
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            yield client


@pytest.fixture
def client_for(database_url: str, container: Container) -> ClientFor:
    def build(**overrides: Any) -> AbstractAsyncContextManager[httpx.AsyncClient]:
        return serve(create_app(test_settings(database_url, **overrides), container))

    return build


@pytest.fixture
async def cors_apps(container: Container) -> None:
    """`default` allows ALLOWED; a second app `other` allows OTHER."""
    await container.services.apps.configure("default", {"cors_origins": f"{ALLOWED}, http://localhost:3000"})
    await container.services.apps.create("Other", "other")
    await container.services.apps.configure("other", {"cors_origins": OTHER})
