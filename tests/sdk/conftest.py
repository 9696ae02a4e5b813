"""SDK fixtures: the real app in-process with a clock the test steps, and SDK clients and verifiers talking to it.

usher        Usher: the ASGI app, its container and clock, the default app's secret key
sdk          usher_client.AsyncClient on the default app (with its secret key), in-process
world        World: a client of each kind (`sync`, `async`) reaching the real app in-process (`asgi`) or over a
             loopback socket (`socket`), behind one awaitable face that notes the methods called
"""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from tests.dialects.mailbox import newest
from tests.fakes import FakeClock
from tests.sdk.live import ServedInThread, prepare
from usher.app import create_app
from usher.container import Container
from usher.settings import Settings
from usher_client import AsyncClient, Client, TokenVerifier

BASE_URL = "http://testserver"
PASSWORD = "correct horse battery"
CLIENT_ADDRESS = ("203.0.113.7", 50000)


class Ticks:
    """A monotonic clock for TokenVerifier that the test moves."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@dataclass
class Usher:
    app: FastAPI
    container: Container
    clock: FakeClock
    key: str

    def transport(self) -> httpx.AsyncBaseTransport:
        return httpx.ASGITransport(app=self.app, client=CLIENT_ADDRESS)

    def client(self, app_id: str = "default", secret_key: str | None = None) -> AsyncClient:
        return AsyncClient(BASE_URL, app_id, secret_key=secret_key or self.key, transport=self.transport())

    def verifier(self, app_id: str = "default", **options: Any) -> TokenVerifier:
        return TokenVerifier(BASE_URL, app_id, async_transport=self.transport(), **options)

    async def secret(self, to: str, purpose: str, name: str = "code") -> str:
        """The code (or link token, which the outbox also keeps as `code`) last mailed to `to` for `purpose`."""
        return (await newest(self.container, to, purpose)).secrets[name]


@asynccontextmanager
async def running(settings: Settings) -> AsyncIterator[Usher]:
    """The real app in-process (lifespan run), on a clock the test steps."""
    clock = FakeClock(datetime.now(UTC))
    container = Container(settings, clock=clock)
    try:
        key = await prepare(container)
        app = create_app(settings, container)
        async with app.router.lifespan_context(app):
            yield Usher(app, container, clock, key)
    finally:
        await container.close()


@pytest.fixture
async def usher(settings: Settings) -> AsyncIterator[Usher]:
    async with running(settings) as found:
        yield found


@pytest.fixture
async def sdk(usher: Usher) -> AsyncIterator[AsyncClient]:
    async with usher.client() as client:
        yield client


class BlockingASGITransport(httpx.BaseTransport):
    """The blocking Client's way into the app on the test's event loop: the client runs in a worker thread (World
    sees to it), and each request is handed to the loop, which serves it while the thread waits."""

    def __init__(self, app: FastAPI, loop: asyncio.AbstractEventLoop) -> None:
        self._inner = httpx.ASGITransport(app=app, client=CLIENT_ADDRESS)
        self._loop = loop

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        copy = httpx.Request(request.method, request.url, headers=request.headers, content=request.read())
        return asyncio.run_coroutine_threadsafe(self._send(copy), self._loop).result()

    async def _send(self, request: httpx.Request) -> httpx.Response:
        response = await self._inner.handle_async_request(request)
        content = await response.aread()
        return httpx.Response(response.status_code, headers=response.headers, content=content)


@dataclass
class World:
    """A client of either kind on the real app, as coroutines (a blocking call runs in a worker thread), with the
    names of the methods called; and what tests need beside it: mailed secrets, the server's clock, more clients."""

    client: Client | AsyncClient
    secret: Callable[[str, str], Awaitable[str]]  # (to, purpose): the code or link token last mailed
    clock: FakeClock
    new_client: Callable[..., Client | AsyncClient]  # (app_id, *, secret_key, prefix): one more of the same kind
    usher: Usher | None = None  # in-process only: the app's container, for what no API call can set up
    called: set[str] = field(default_factory=set)

    @property
    def sdk(self) -> Any:
        return self.on(self.client)

    def on(self, client: Client | AsyncClient) -> Any:
        """`client` behind the awaitable face; its calls are noted too."""
        return _Awaitable(client, self.called)


class _Awaitable:
    def __init__(self, client: Client | AsyncClient, called: set[str]) -> None:
        self._client, self._called = client, called

    def __getattr__(self, name: str) -> Callable[..., Awaitable[Any]]:
        method = getattr(self._client, name)
        self._called.add(name)
        if inspect.iscoroutinefunction(method):
            return method  # type: ignore[no-any-return]

        async def in_thread(*args: Any, **kwargs: Any) -> Any:
            return await asyncio.to_thread(method, *args, **kwargs)

        return in_thread


@pytest.fixture(params=["asgi", "socket"])
def where(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture(params=["sync", "async"])
def kind(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
async def world(where: str, kind: str, settings: Settings) -> AsyncIterator[World]:
    clients: list[Client | AsyncClient] = []
    make = AsyncClient if kind == "async" else Client
    try:
        if where == "asgi":
            async with running(settings) as usher:
                loop = asyncio.get_running_loop()

                def in_process(app_id: str = "default", *, secret_key: str | None = None, prefix: str = "") -> Any:
                    transport: Any = usher.transport() if kind == "async" else BlockingASGITransport(usher.app, loop)
                    key = secret_key or usher.key
                    clients.append(make(BASE_URL + prefix, app_id, secret_key=key, transport=transport))
                    return clients[-1]

                yield World(in_process(), usher.secret, usher.clock, in_process, usher)
            return
        with ServedInThread(settings, FakeClock(datetime.now(UTC))) as served:

            def over_socket(app_id: str = "default", *, secret_key: str | None = None, prefix: str = "") -> Any:
                clients.append(make(served.url + prefix, app_id, secret_key=secret_key or served.key))
                return clients[-1]

            async def mailed(to: str, purpose: str) -> str:
                assert served.container is not None
                return (await served.run(newest(served.container, to, purpose))).secrets["code"]

            yield World(over_socket(), mailed, served.clock, over_socket)
    finally:
        for client in clients:
            await client.aclose() if isinstance(client, AsyncClient) else client.close()
