"""SIGKILL during a sign-up storm: after a restart on the same database, every acknowledged sign-up is there and
no account is half written (each one has its identifier and its first session, and signs in with its password).
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
from sqlalchemy import exists, func, select, text

from tests.faults.support import NATIVE, SECRET_KEY, servers, shared_postgres, signup_body, usher_env
from usher.container import Container
from usher.settings import Settings
from usher.storage.engine import make_engine
from usher.storage.tables import identifiers, sessions, users

CLIENTS = 12
KILL_AFTER = 40  # acknowledged sign-ups before the kill
STORM_DEADLINE = 20.0


@pytest.fixture
async def storm_url(backend: str, tmp_path: Path) -> str:
    """A new SQLite file (the server migrates it), or this worker's PostgreSQL test database."""
    if backend == "sqlite":
        return f"sqlite:///{tmp_path / 'storm.db'}"
    return await shared_postgres()


def password_for(email: str) -> str:
    return f"storm passphrase of {email}"


@dataclass
class Storm:
    """What the clients saw: acknowledged email -> user id, every address tried, unexpected answers."""

    acknowledged: dict[str, str] = field(default_factory=dict)
    attempted: set[str] = field(default_factory=set)
    unexpected: list[str] = field(default_factory=list)
    server_alive: bool = True
    enough: asyncio.Event = field(default_factory=asyncio.Event)  # KILL_AFTER sign-ups acknowledged


async def _storm(base_url: str, seen: Storm) -> None:
    """CLIENTS loops signing up new addresses until the server goes away."""
    async with httpx.AsyncClient(base_url=base_url, timeout=10) as client:

        async def loop(n: int) -> None:
            for i in itertools.count():
                email = f"storm-{n}-{i}@example.com"
                seen.attempted.add(email)
                try:
                    response = await client.post(f"{NATIVE}/signup", json=signup_body(email, password_for(email)))
                except httpx.TransportError:
                    if seen.server_alive:
                        seen.unexpected.append(f"{email}: no answer from a live server")
                    return
                if response.status_code == 201:
                    seen.acknowledged[email] = response.json()["user"]["id"]
                    if len(seen.acknowledged) >= KILL_AFTER:
                        seen.enough.set()
                else:
                    seen.unexpected.append(f"{email}: {response.status_code} {response.text}")

        await asyncio.gather(*(loop(n) for n in range(CLIENTS)))


async def _admin_key(url: str) -> str:
    container = Container(Settings(database_url=url, env="test", secret_key=SECRET_KEY, hash_workers=1))
    try:
        return await container.services.apps.rotate_secret("default")
    finally:
        await container.close()


async def _list_users(base_url: str, key: str) -> list[dict[str, object]]:
    """The admin listing, once the server has seen the new key (within 2 s, SPEC §1)."""
    async with httpx.AsyncClient(base_url=base_url, timeout=10) as client:
        deadline = time.monotonic() + 10
        while True:
            response = await client.get(
                f"{NATIVE}/users", params={"limit": 1000}, headers={"Authorization": f"Bearer {key}"}
            )
            if response.status_code != 401 or time.monotonic() > deadline:
                break
            await asyncio.sleep(0.2)
    assert response.status_code == 200, response.text
    page = response.json()
    assert page["total"] == len(page["users"]) < 1000
    listed: list[dict[str, object]] = page["users"]
    return listed


async def _half_written(url: str) -> dict[str, object]:
    """Users without an identifier or without a session (sign-up writes all three in one transaction), and
    SQLite's own integrity check."""
    engine = make_engine(url, pool_size=1, timeout=10, pre_ping=False)
    try:
        async with engine.connect() as conn:
            counts: dict[str, object] = {}
            for name, table in (("without identifier", identifiers), ("without session", sessions)):
                orphan = ~exists().where(table.c.user_number == users.c.number)
                counts[name] = (await conn.execute(select(func.count()).select_from(users).where(orphan))).scalar_one()
            sqlite = conn.dialect.name == "sqlite"
            counts["integrity"] = (await conn.execute(text("PRAGMA integrity_check"))).scalar_one() if sqlite else "ok"
    finally:
        await engine.dispose()
    return counts


async def _signs_in(base_url: str, emails: list[str]) -> list[str]:
    """The addresses whose sign-in with their own password fails."""
    async with httpx.AsyncClient(base_url=base_url, timeout=10) as client:
        gate = asyncio.Semaphore(8)

        async def sign_in(email: str) -> str | None:
            async with gate:
                body = {"login": email, "password": password_for(email)}
                response = await client.post(f"{NATIVE}/signin", json=body)
            return None if response.status_code == 200 else f"{email}: {response.status_code} {response.text}"

        results = await asyncio.gather(*(sign_in(email) for email in emails))
    return [failure for failure in results if failure is not None]


async def test_sigkill_during_signup_storm_loses_no_acknowledged_signup(storm_url: str, tmp_path: Path) -> None:
    with servers(tmp_path) as running:
        first = running.start(usher_env(storm_url))
        seen = Storm()
        storm = asyncio.create_task(_storm(first.url, seen))
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(seen.enough.wait(), STORM_DEADLINE)
        seen.server_alive = False
        first.process.kill()  # SIGKILL, mid-storm
        first.process.wait(10)
        await asyncio.wait_for(storm, 20)
        assert seen.unexpected == []
        assert len(seen.acknowledged) >= KILL_AFTER, "the storm was too slow to reach the kill point"
        assert len(seen.attempted) > len(seen.acknowledged), "no sign-up was in flight at the kill"

        second = running.start(usher_env(storm_url))  # the same database, no repair step
        listed = await _list_users(second.url, await _admin_key(storm_url))
        ids = {str(user["email"]): str(user["id"]) for user in listed}
        lost = sorted(email for email, user_id in seen.acknowledged.items() if ids.get(email) != user_id)
        assert lost == [], f"{len(lost)} of {len(seen.acknowledged)} acknowledged sign-ups missing after the restart"
        assert set(ids) <= seen.attempted
        assert await _half_written(storm_url) == {"without identifier": 0, "without session": 0, "integrity": "ok"}
        assert await _signs_in(second.url, sorted(ids)) == []
