"""A TCP proxy that the test owns, to partition usher from the shared PostgreSQL without touching the server.

It runs its own event loop in a thread (the test blocks while processes start; usher's traffic must still
flow). `blackhole()` is a network partition: bytes in both directions are dropped and new connections are
accepted but never reach the server, so every read waits forever unless the client has a time-out.
`restore()` resets the connections the partition broke and forwards again.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Coroutine, Iterator
from typing import Any, TypeVar

T = TypeVar("T")


class TcpProxy:
    def __init__(self, upstream_host: str, upstream_port: int) -> None:
        self._upstream = (upstream_host, upstream_port)
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="tcp-proxy", daemon=True)
        self._server: asyncio.Server | None = None
        self._writers: set[asyncio.StreamWriter] = set()
        self._blackholed = False
        self.port = 0

    def start(self) -> int:
        self._thread.start()
        self._server = self._call(asyncio.start_server(self._accept, "127.0.0.1", 0))
        self.port = self._server.sockets[0].getsockname()[1]
        return self.port

    def blackhole(self) -> None:
        self._blackholed = True

    def restore(self) -> None:
        async def reset() -> None:
            self._blackholed = False
            self._abort_all()

        self._call(reset())

    def close(self) -> None:
        async def shut() -> None:
            if self._server is not None:
                self._server.close()
            self._abort_all()

        if self._thread.is_alive():
            self._call(shut())
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(10)
        self._loop.close()

    def _call(self, coroutine: Coroutine[Any, Any, T]) -> T:
        return asyncio.run_coroutine_threadsafe(coroutine, self._loop).result(10)

    def _abort_all(self) -> None:
        for writer in list(self._writers):
            writer.transport.abort()
        self._writers.clear()

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._writers.add(writer)
        try:
            if self._blackholed:
                await reader.read()  # hold the connection, answer nothing, until the client or restore() ends it
                return
            up_reader, up_writer = await asyncio.open_connection(*self._upstream)
            self._writers.add(up_writer)
            await asyncio.gather(self._pipe(reader, up_writer), self._pipe(up_reader, writer))
        except OSError:
            pass
        finally:
            writer.transport.abort()
            self._writers.discard(writer)

    async def _pipe(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while data := await reader.read(65536):
                if self._blackholed:
                    continue  # lost on the wire
                writer.write(data)
                await writer.drain()
        except OSError:
            pass
        finally:
            writer.transport.abort()
            self._writers.discard(writer)


@contextlib.contextmanager
def tcp_proxy(upstream_host: str, upstream_port: int) -> Iterator[TcpProxy]:
    proxy = TcpProxy(upstream_host, upstream_port)
    try:
        proxy.start()
        yield proxy
    finally:
        proxy.close()
