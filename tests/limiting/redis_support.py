"""Redis for the limiter tests: the shared server on 127.0.0.1:6379 and private servers that a test may kill.

The shared server (or USHER_TEST_REDIS_URL) is probed once per process; without it Redis tests are skipped with
the reason, or fail when CI=true (like PostgreSQL in tests/databases.py). Each test gets its own key prefix and
its keys are deleted afterwards, since other suites may use the same server. `private_redis()` starts a
redis-server of our own on a free port in a temporary directory (no persistence) and stops it by its PID.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import redis
import redis.asyncio as aioredis

from tests.databases import on_ci, worker

DEFAULT_URL = "redis://127.0.0.1:6379/0"
_state: dict[str, str | None] = {}


def shared_url() -> str:
    return os.environ.get("USHER_TEST_REDIS_URL") or DEFAULT_URL


def redis_unavailable() -> str | None:
    """None when the shared test server answers; otherwise why not (checked once per process)."""
    if "reason" not in _state:
        try:
            with redis.Redis.from_url(shared_url(), socket_connect_timeout=2, socket_timeout=2) as client:
                client.ping()
            _state["reason"] = None
        except (redis.RedisError, OSError) as error:
            _state["reason"] = f"{shared_url()}: {type(error).__name__}: {error}"
    return _state["reason"]


def require_redis() -> str:
    """The shared server's URL; skips the calling test without it, or fails it when CI=true."""
    reason = redis_unavailable()
    if reason is not None:
        if on_ci():
            pytest.fail(f"Redis is required on CI: {reason}")
        pytest.skip(f"Redis unavailable: {reason}")
    return shared_url()


def unique_prefix() -> str:
    return f"usher-test:{worker()}:{uuid.uuid4().hex}:"


async def delete_prefixed(url: str, prefix: str) -> None:
    client = aioredis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=2)
    try:
        keys = [key async for key in client.scan_iter(match=f"{prefix}*", count=1000)]
        if keys:
            await client.delete(*keys)
    finally:
        await client.aclose()


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@dataclass
class PrivateRedis:
    port: int
    process: subprocess.Popen[bytes]

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def kill(self) -> None:
        """SIGKILL to our own server (by its PID), as in a crash; waits until it is gone."""
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=5)


@contextlib.contextmanager
def private_redis(directory: Path, port: int | None = None) -> Iterator[PrivateRedis]:
    """A redis-server of this test's own on `port` (default: a free one), stopped by its PID afterwards."""
    if shutil.which("redis-server") is None:
        if on_ci():
            pytest.fail("redis-server is required on CI")
        pytest.skip("redis-server not installed")
    port = port or free_port()
    directory.mkdir(parents=True, exist_ok=True)
    command = ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
    command += ["--daemonize", "no", "--dir", str(directory)]
    with (directory / "redis.log").open("wb") as log:
        process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
    server = PrivateRedis(port, process)
    try:
        _wait_ready(server)
        yield server
    finally:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=5)


def _wait_ready(server: PrivateRedis, timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            with redis.Redis(port=server.port, socket_connect_timeout=0.2, socket_timeout=0.2) as client:
                client.ping()
            return
        except (redis.RedisError, OSError):
            if server.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"redis-server on port {server.port} did not start") from None
            time.sleep(0.02)
