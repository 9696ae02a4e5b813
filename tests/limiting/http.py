"""Driving the native API of a container for the limiter tests: a client, sign-up, sign-in, counted hashing."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from usher.app import create_app
from usher.container import Container
from usher.settings import Settings

PASSWORD = "correct horse battery"
WRONG = "wrong horse battery"
BASE = "/v1/apps/default"
EMAIL = "ada@example.com"


@asynccontextmanager
async def client_of(
    settings: Settings, container: Container, address: str = "203.0.113.7"
) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(settings, container)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app, client=(address, 50000))
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            yield client


async def sign_up(api: httpx.AsyncClient, email: str = EMAIL) -> None:
    response = await api.post(f"{BASE}/signup", json={"email": email, "password": PASSWORD})
    assert response.status_code == 201, response.text


async def sign_in(api: httpx.AsyncClient, password: str, login: str = EMAIL) -> httpx.Response:
    return await api.post(f"{BASE}/signin", json={"login": login, "password": password})


def without_request_id(response: httpx.Response) -> dict[str, Any]:
    body: dict[str, Any] = response.json()
    return {**body, "error": {k: v for k, v in body["error"].items() if k != "request_id"}}


@dataclass
class Verifications:
    """Counts the real argon2 verifications of a container (the dummy check of a locked account is not one)."""

    count: int = 0

    def watch(self, container: Container, monkeypatch: pytest.MonkeyPatch) -> Verifications:
        verify = container.hasher.verify

        async def counted(password_hash: str, password: str) -> bool:
            self.count += 1
            return await verify(password_hash, password)

        monkeypatch.setattr(container.hasher, "verify", counted)
        return self
