"""Fixtures for the WeKan dialect: a client below /wekan, and an admin (the app's first registered user)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.dialects.wekan.support import WeKan


@pytest.fixture
def wekan(api: httpx.AsyncClient) -> WeKan:
    return WeKan(api)


@pytest.fixture
async def admin(wekan: WeKan) -> dict[str, Any]:
    """`{id, token, tokenExpires}` of the app's first user, who is its admin."""
    return await wekan.registered("admin", "admin@example.com")
