"""Shared pieces of the fault tests: real `usher serve` processes on any database URL, and timed HTTP calls.

Every server is started through `Servers`, which kills each one (and its workers) by PID when the test ends.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from sqlalchemy import delete

from tests import databases
from tests.cli.processes import Server, free_port
from usher.cli.db import bootstrap
from usher.settings import Settings
from usher.storage.engine import make_engine
from usher.storage.tables import signing_keys

SECRET_KEY = "fault-tests-server-secret-0123456789"
PASSWORD = "correct horse battery"
NATIVE = "/v1/apps/default"
NO_LIMIT = "1000000"
LIMITS = (
    "SIGNIN_PER_ADDRESS",
    "SIGNIN_PER_ACCOUNT",
    "SIGNUP_PER_ADDRESS",
    "CODE_PER_ADDRESS",
    "CODE_PER_ACCOUNT",
    "MAIL_PER_ADDRESS",
    "MAIL_PER_RECIPIENT",
    "REFRESH_PER_ADDRESS",
)


def usher_env(database_url: str, **extra: str) -> dict[str, str]:
    """A server environment: the database, a fixed secret key (shared with in-test containers), cheap argon2,
    and abuse limits out of the way (these tests are one client address hammering the service on purpose)."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("USHER_")}
    env.update(
        USHER_DATABASE_URL=database_url,
        USHER_SECRET_KEY=SECRET_KEY,
        USHER_ARGON2_TIME_COST="1",
        USHER_ARGON2_MEMORY_KIB="64",
        USHER_HASH_WORKERS="2",
        USHER_DB_POOL_SIZE="5",
    )
    env.update({f"USHER_LIMIT_{name}": NO_LIMIT for name in LIMITS})
    env.update(extra)
    return env


async def shared_postgres() -> str:
    """This worker's PostgreSQL test database (tests/databases.py), emptied, with the signing keys made again under
    SECRET_KEY so that servers started with usher_env() can unseal them (creating and dropping a database of its
    own costs seconds on the shared server). The next test's prepare() restores the pristine rows."""
    url = await databases.prepare("postgresql")
    engine = make_engine(url, pool_size=1, timeout=10, pre_ping=False)
    try:
        async with engine.begin() as conn:
            await conn.execute(delete(signing_keys))
    finally:
        await engine.dispose()
    await bootstrap(Settings(database_url=url, env="test", secret_key=SECRET_KEY, hash_workers=1))
    return url


@dataclass
class Servers:
    """Starts `python -m usher serve` processes in `directory`; `kill_all()` leaves none running."""

    directory: Path
    started: list[Server] = field(default_factory=list)

    def start(self, env: dict[str, str], *args: str, ready_timeout: float = 30.0) -> Server:
        port = free_port()
        out_path, err_path = self.directory / f"serve-{port}.out", self.directory / f"serve-{port}.err"
        out, err = out_path.open("wb"), err_path.open("wb")
        command = [sys.executable, "-m", "usher", "serve", "--port", str(port), *args]
        process = subprocess.Popen(command, cwd=self.directory, env=env, stdout=out, stderr=err)
        server = Server(process, port, out_path, err_path, [out, err])
        self.started.append(server)
        server.wait_ready(ready_timeout)
        return server

    def kill_all(self) -> None:
        for server in self.started:
            server.kill()


@contextmanager
def servers(directory: Path) -> Iterator[Servers]:
    running = Servers(directory)
    try:
        yield running
    finally:
        running.kill_all()


@dataclass(frozen=True)
class Call:
    """One request as the client saw it: when it started and ended (monotonic seconds) and what came back."""

    path: str
    started: float
    ended: float
    status: int | None  # None: no HTTP answer (transport error or client time-out)
    body: str
    retry_after: str | None
    error: str = ""

    @property
    def seconds(self) -> float:
        return self.ended - self.started

    def native_error_code(self) -> str | None:
        try:
            data = json.loads(self.body)
        except ValueError:
            return None
        error = data.get("error") if isinstance(data, dict) else None
        return error.get("code") if isinstance(error, dict) else None


async def timed(client: httpx.AsyncClient, method: str, path: str, **kwargs: object) -> Call:
    started = time.monotonic()
    try:
        response = await client.request(method, path, **kwargs)  # type: ignore[arg-type]
    except httpx.HTTPError as error:
        return Call(path, started, time.monotonic(), None, "", None, f"{type(error).__name__}: {error}")
    return Call(
        path, started, time.monotonic(), response.status_code, response.text, response.headers.get("retry-after")
    )


def signup_body(email: str, password: str = PASSWORD) -> dict[str, str]:
    return {"email": email, "password": password}
