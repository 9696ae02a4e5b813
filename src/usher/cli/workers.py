"""Several server processes on one port: each forked worker has its own SO_REUSEPORT listener.

With one shared accept queue, one uvicorn worker can take every keep-alive connection; with a listener per
worker the kernel spreads new connections evenly over them. The parent only forwards SIGINT/SIGTERM to the
workers and waits: it restarts none, and exits non-zero when any of them failed.
"""

from __future__ import annotations

import contextlib
import ctypes
import logging
import os
import signal
import socket
import sys
from collections.abc import Callable
from contextlib import AbstractContextManager
from types import FrameType
from typing import Any

import uvicorn

log = logging.getLogger("usher.serve")

STOP_SIGNALS = {signal.SIGINT, signal.SIGTERM}
_PR_SET_PDEATHSIG = 1


def listener(host: str, port: int, *, reuse_port: bool) -> socket.socket:
    """A TCP socket bound to host:port (not yet listening)."""
    family, kind, proto, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)[
        0
    ]
    sock = socket.socket(family, kind, proto)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        if reuse_port:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        sock.bind(address)
    except OSError:
        sock.close()
        raise
    return sock


class _WorkerServer(uvicorn.Server):
    """A stop signal asks for a graceful stop, however often it comes (the parent forwards what a terminal
    also sends the whole process group) and is not re-raised afterwards, so the worker exits with 0."""

    def handle_exit(self, sig: int, frame: FrameType | None) -> None:
        self.should_exit = True


def _die_with_parent(parent: int) -> None:
    """Linux: a worker whose parent is killed outright gets SIGTERM instead of serving on as an orphan."""
    if sys.platform == "linux":
        ctypes.CDLL(None).prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)
    if os.getppid() != parent:
        os.kill(os.getpid(), signal.SIGTERM)


def _work(make_config: Callable[[], uvicorn.Config], host: str, port: int, parent: int) -> int:
    server = _WorkerServer(make_config())  # the app and its engine are created here, after the fork
    for sig in STOP_SIGNALS:
        signal.signal(sig, server.handle_exit)
    _die_with_parent(parent)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, STOP_SIGNALS)
    sock = listener(host, port, reuse_port=True)
    try:
        server.run(sockets=[sock])
    finally:
        sock.close()
    return 0 if server.started else 1


def _fork(
    make_config: Callable[[], uvicorn.Config], host: str, port: int, around: Callable[[], AbstractContextManager[Any]]
) -> int:
    parent = os.getpid()
    pid = os.fork()
    if pid:
        return pid
    code = 1
    try:
        with around():
            code = _work(make_config, host, port, parent)
    except SystemExit as exc:  # uvicorn exits this way when start-up fails
        code = exc.code if isinstance(exc.code, int) else 1
    except BaseException:
        log.exception("worker %d failed", os.getpid())
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)


def _wait(children: set[int]) -> int:
    failed = 0
    while children:
        try:
            pid, status = os.wait()
        except ChildProcessError:
            break
        if pid not in children:
            continue
        children.discard(pid)
        code = os.waitstatus_to_exitcode(status)
        if code != 0:
            failed += 1
            log.error("worker %d exited with %d; %d still running", pid, code, len(children))
    return failed


def supervise(
    make_config: Callable[[], uvicorn.Config],
    host: str,
    port: int,
    workers: int,
    around: Callable[[], AbstractContextManager[Any]] = contextlib.nullcontext,
) -> int:
    """Forks `workers` servers and waits for them all; returns how many of them failed. Each server runs inside
    `around()`, entered in its own process. (Standard library and uvicorn only: the benchmark's peer loads this
    file by path.)"""
    signal.pthread_sigmask(signal.SIG_BLOCK, STOP_SIGNALS)  # until each process has its own handlers
    children: set[int] = set()
    stops = 0

    def forward(sig: int, frame: FrameType | None) -> None:
        nonlocal stops
        stops += 1
        forced = stops > 1
        for pid in list(children):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL if forced else signal.SIGTERM)
        if forced:
            log.warning("stopping workers at once")

    try:
        for sig in STOP_SIGNALS:
            signal.signal(sig, forward)
        for _ in range(workers):
            children.add(_fork(make_config, host, port, around))
        log.info("started %d workers: %s", workers, " ".join(str(pid) for pid in sorted(children)))
    except BaseException:
        forward(signal.SIGTERM, None)  # a failed fork: stop the workers already started
        raise
    finally:
        signal.pthread_sigmask(signal.SIG_UNBLOCK, STOP_SIGNALS)
    return _wait(children)
