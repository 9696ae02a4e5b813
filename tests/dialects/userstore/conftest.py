"""Fixtures for the UserStore dialect: a client bound to the default app's secret key."""

from __future__ import annotations

import httpx
import pytest

from tests.dialects.userstore.support import UserStore


@pytest.fixture
def userstore(api: httpx.AsyncClient, app_key: str) -> UserStore:
    return UserStore(api, app_key)
