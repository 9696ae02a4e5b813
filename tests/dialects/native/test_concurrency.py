"""Simultaneous sign-ups of one address give exactly one account, on both databases."""

from __future__ import annotations

import asyncio
import unicodedata

import httpx
import pytest

from tests.conftest import test_settings as settings_for
from tests.dialects.native.helpers import BASE, PASSWORD, auth
from usher.settings import Settings


def _variants(n: int) -> list[str]:
    forms = ["Ada@Example.com", "ADA@EXAMPLE.COM", "ada@example.com", " ada@example.com", "ＡＤＡ@example.com"]
    forms.append(unicodedata.normalize("NFD", "Ada@Example.com"))
    return [forms[i % len(forms)] for i in range(n)]


@pytest.fixture
def settings(database_url: str) -> Settings:
    return settings_for(database_url, limit_signup_per_address=1000)  # one test client, fifty sign-ups


async def test_fifty_concurrent_sign_ups_of_one_email_create_one_account(api: httpx.AsyncClient, app_key: str) -> None:
    async def attempt(email: str) -> int:
        response = await api.post(f"{BASE}/signup", json={"email": email, "password": PASSWORD})
        return response.status_code

    statuses = await asyncio.gather(*(attempt(email) for email in _variants(50)))
    assert sorted(set(statuses)) == [201, 409], statuses
    assert statuses.count(201) == 1
    page = (await api.get(f"{BASE}/users", headers=auth(app_key))).json()
    assert page["total"] == 1
