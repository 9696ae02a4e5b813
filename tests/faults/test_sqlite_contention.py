"""SQLite lock contention through two worker processes never surfaces as a 500: sign-ups, sign-ins and password
changes from many clients at once answer 2xx, 4xx or 503 with Retry-After, and no answer lies about a write.

With the default USHER_DB_TIMEOUT writers queue for the lock and succeed; with a tiny one they fail fast, as
503s. Either way every password a client was told it set (204) is the one that works afterwards.
"""

from __future__ import annotations

import asyncio
import itertools
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

from tests.faults.support import NATIVE, servers, signup_body, usher_env

CLIENTS = 16
DURATION = 2.5
_passwords = itertools.count()


@dataclass
class Seen:
    statuses: Counter[tuple[str, int]] = field(default_factory=Counter)
    bad: list[str] = field(default_factory=list)  # 500s, other 5xx, 503s without Retry-After, no answer

    def record(self, kind: str, response: httpx.Response) -> None:
        self.statuses[(kind, response.status_code)] += 1
        status = response.status_code
        if status >= 500 and (status != 503 or not response.headers.get("retry-after", "").isdigit()):
            self.bad.append(f"{kind}: {status} {dict(response.headers)} {response.text}")


@dataclass
class Account:
    email: str
    password: str


def _fresh_password() -> str:
    return f"contended passphrase {next(_passwords)}"


async def _client(client: httpx.AsyncClient, n: int, seen: Seen, until: float) -> Account | None:
    """Signs up its own account, then loops: sign up another, sign in, change the password. Returns the account
    and the password the server last confirmed (None when the first sign-up never got through)."""
    account = Account(f"writer-{n}@example.com", _fresh_password())
    for _ in range(50):
        response = await client.post(f"{NATIVE}/signup", json=signup_body(account.email, account.password))
        seen.record("signup", response)
        if response.status_code == 201:
            break
        await asyncio.sleep(0.05)
    else:
        return None
    for i in itertools.count():
        if time.monotonic() > until:
            return account
        extra = f"extra-{n}-{i}@example.com"
        seen.record("signup", await client.post(f"{NATIVE}/signup", json=signup_body(extra)))
        signin = await client.post(f"{NATIVE}/signin", json={"login": account.email, "password": account.password})
        seen.record("signin", signin)
        if signin.status_code != 200:
            continue
        token = signin.json()["session"]["token"]
        new = _fresh_password()
        body = {"current_password": account.password, "new_password": new}
        change = await client.post(f"{NATIVE}/me/password", json=body, headers={"Authorization": f"Bearer {token}"})
        seen.record("password", change)
        if change.status_code == 204:
            account.password = new
    return account


@pytest.mark.parametrize("db_timeout", ["5", "0.02"], ids=["default-timeout", "tiny-timeout"])
async def test_sqlite_contention_on_two_workers_answers_2xx_4xx_or_503_never_500(
    tmp_path: Path, db_timeout: str
) -> None:
    url = f"sqlite:///{tmp_path / 'contended.db'}"
    with servers(tmp_path) as running:
        server = running.start(usher_env(url, USHER_DB_TIMEOUT=db_timeout), "--workers", "2")
        seen = Seen()
        limits = httpx.Limits(max_connections=CLIENTS, max_keepalive_connections=CLIENTS)
        async with httpx.AsyncClient(base_url=server.url, timeout=30, limits=limits) as client:
            until = time.monotonic() + DURATION
            try:
                accounts = await asyncio.gather(*(_client(client, n, seen, until) for n in range(CLIENTS)))
            except httpx.TransportError as error:
                pytest.fail(f"a request got no answer: {error!r}")
            assert seen.bad == []
            assert {status for _, status in seen.statuses} <= {200, 201, 204, 401, 409, 503}, seen.statuses
            done = {kind for (kind, status), count in seen.statuses.items() if status < 300 and count}
            assert done == {"signup", "signin", "password"}, seen.statuses
            # No answer lied: the last password each client was told it set is the one that signs in.
            await asyncio.sleep(0.2)
            wrong = []
            for account in accounts:
                if account is None:
                    continue
                body = {"login": account.email, "password": account.password}
                for _ in range(40):  # the tiny time-out may still refuse a sign-in now and then
                    response = await client.post(f"{NATIVE}/signin", json=body)
                    if response.status_code != 503:
                        break
                    await asyncio.sleep(0.05)
                if response.status_code != 200:
                    wrong.append(f"{account.email}: {response.status_code}")
            assert wrong == []
        assert server.process.poll() is None
