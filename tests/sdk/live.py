"""The real usher over a real socket for SDK tests: `usher serve` as a process (SQLite, a free port, its public URL
set to where it listens), or usher's app served by uvicorn from a thread of the test process (any backend)."""

from __future__ import annotations

import asyncio
import json
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Coroutine, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import uvicorn

from tests.cli.processes import Server, free_port, server_env
from tests.fakes import FakeClock
from usher.app import create_app
from usher.container import Container
from usher.settings import Settings

T = TypeVar("T")
REDIRECT_URL = "https://app.example.com/back"


async def prepare(container: Container) -> str:
    """Signing keys, an allowed redirect URL and a fresh secret key (returned) for the `default` app."""
    await container.services.keys.ensure_all()
    await container.services.apps.configure("default", {"redirect_urls": REDIRECT_URL})
    return await container.services.apps.rotate_secret("default")


@contextmanager
def usher_serve(directory: Path) -> Iterator[tuple[Server, str]]:
    """The running server and the default app's secret key; always stopped by PID."""
    port = free_port()
    env = {**server_env(directory / "usher.db"), "USHER_PUBLIC_URL": f"http://127.0.0.1:{port}"}
    out_path, err_path = directory / "serve.out", directory / "serve.err"
    out, err = out_path.open("wb"), err_path.open("wb")
    command = [sys.executable, "-m", "usher", "serve", "--port", str(port)]
    process = subprocess.Popen(command, cwd=directory, env=env, stdout=out, stderr=err)
    server = Server(process, port, out_path, err_path, [out, err])
    try:
        server.wait_ready()
        rotate = [sys.executable, "-m", "usher", "apps", "rotate-secret", "default", "--json"]
        done = subprocess.run(rotate, cwd=directory, env=env, capture_output=True, text=True, check=True)
        yield server, str(json.loads(done.stdout)["secret_key"])
    finally:
        server.kill()


class ServedInThread:
    """The real app (usher's create_app on the test's Settings) served by uvicorn on a loopback socket from a
    thread with its own event loop; `run` schedules a coroutine on that loop, e.g. to read the outbox."""

    def __init__(self, settings: Settings, clock: FakeClock) -> None:
        self.settings, self.clock = settings, clock
        self.listener = socket.socket()
        self.listener.bind(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.listener.getsockname()[1]}"
        self.loop: asyncio.AbstractEventLoop | None = None
        self.container: Container | None = None
        self.server: uvicorn.Server | None = None
        self.key = ""
        self.failure: BaseException | None = None
        self.thread = threading.Thread(target=self._main, name="usher-served", daemon=True)

    def __enter__(self) -> ServedInThread:
        self.thread.start()
        deadline = time.monotonic() + 30
        while not (self.server is not None and self.server.started):
            assert self.failure is None, f"the server did not start: {self.failure!r}"
            assert self.thread.is_alive() and time.monotonic() < deadline, "the server did not start"
            time.sleep(0.01)
        return self

    def __exit__(self, *_exc: object) -> None:
        if self.server is not None:
            self.server.should_exit = True
        self.thread.join(30)
        self.listener.close()
        assert not self.thread.is_alive(), "the server did not stop"

    async def run(self, coroutine: Coroutine[Any, Any, T]) -> T:
        assert self.loop is not None
        return await asyncio.wrap_future(asyncio.run_coroutine_threadsafe(coroutine, self.loop))

    def _main(self) -> None:
        try:
            asyncio.run(self._serve())
        except BaseException as error:  # reported to the test thread by __enter__
            self.failure = error

    async def _serve(self) -> None:
        self.loop = asyncio.get_running_loop()
        self.container = Container(self.settings, clock=self.clock)
        try:
            self.key = await prepare(self.container)
            app = create_app(self.settings, self.container)
            config = uvicorn.Config(app, lifespan="on", log_config=None, access_log=False)
            self.server = uvicorn.Server(config)
            await self.server.serve(sockets=[self.listener])
        finally:
            await self.container.close()
