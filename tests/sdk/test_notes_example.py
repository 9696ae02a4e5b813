"""examples/notes end to end: a real `usher serve`, the notes app in-process, the SDK for sign-up and tokens."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from examples.notes.app import create_app

from tests.sdk.conftest import PASSWORD
from tests.sdk.live import usher_serve
from usher_client import AsyncClient


@pytest.fixture
def live(tmp_path: Path) -> Iterator[tuple[str, str]]:
    with usher_serve(tmp_path) as (server, key):
        yield server.url, key


async def test_notes_need_a_token_and_keep_each_users_notes(live: tuple[str, str]) -> None:
    url, key = live
    notes_app = create_app(url, "default")
    transport = httpx.ASGITransport(app=notes_app)
    async with (
        AsyncClient(url, "default", secret_key=key) as sdk,
        httpx.AsyncClient(transport=transport, base_url="http://notes") as notes,
    ):
        await sdk.sign_up(PASSWORD, email="ada@example.com")
        await sdk.create_user(email="boss@example.com", password=PASSWORD, permission_level=10)
        ada = (await sdk.token("ada@example.com", PASSWORD)).access_token
        boss = (await sdk.token("boss@example.com", PASSWORD)).access_token

        anonymous = await notes.get("/notes")
        assert anonymous.status_code == 401 and anonymous.headers["www-authenticate"] == "Bearer"
        forged = await notes.get("/notes", headers={"Authorization": f"Bearer {ada[:-4]}AAAA"})
        assert forged.status_code == 401 and "invalid_token" in forged.headers["www-authenticate"]

        created = await notes.post("/notes", json={"text": "buy milk"}, headers={"Authorization": f"Bearer {ada}"})
        assert created.status_code == 201 and created.json()["text"] == "buy milk"
        mine = await notes.get("/notes", headers={"Authorization": f"Bearer {ada}"})
        assert [n["text"] for n in mine.json()] == ["buy milk"]
        theirs = await notes.get("/notes", headers={"Authorization": f"Bearer {boss}"})
        assert theirs.json() == []

        # access tokens carry the user's permission_level: /stats needs 10, which only the boss has
        assert (await notes.get("/stats", headers={"Authorization": f"Bearer {ada}"})).status_code == 403
        assert (await notes.get("/stats", headers={"Authorization": f"Bearer {boss}"})).status_code == 200
