"""Log set-up of the long-running commands: INFO to stderr, written in batches while serving."""

from __future__ import annotations

import logging
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TextIO

FORMAT = "%(asctime)s %(levelname)s %(name)s[%(process)d] %(message)s"


def configure_logging(*, force: bool = True) -> None:
    """INFO to stderr. `force=False` keeps a set-up the host made already (tests, embedding)."""
    logging.basicConfig(level=logging.INFO, stream=sys.stderr, format=FORMAT, force=force)


class BatchedStreamHandler(logging.StreamHandler[TextIO]):
    """Formats each record when it is logged (a few microseconds) and writes the lines in batches: every
    `seconds`, at `lines` lines, and at once for a warning or worse.

    An access line per request written on its own costs a system call, which the workers serialize on a
    shared stderr, and a pipe to a slow log reader can hold the event loop up.
    """

    def __init__(self, stream: TextIO, *, lines: int = 256, seconds: float = 0.2) -> None:
        super().__init__(stream)
        self._lines = lines
        self._pending: list[str] = []
        self._stop = threading.Event()
        self._writer = threading.Thread(target=self._write_every, args=(seconds,), name="usher-log", daemon=True)
        self._writer.start()

    def emit(self, record: logging.LogRecord) -> None:  # called under self.lock
        try:
            self._pending.append(self.format(record) + self.terminator)
        except Exception:
            self.handleError(record)
            return
        if len(self._pending) >= self._lines or record.levelno >= logging.WARNING:
            self.flush()

    def flush(self) -> None:
        with self.lock:  # type: ignore[union-attr]  # created by Handler.__init__
            if self._pending:
                text, self._pending = "".join(self._pending), []
                self.stream.write(text)
            self.stream.flush()

    def _write_every(self, seconds: float) -> None:
        while not self._stop.wait(seconds):
            self.flush()

    def close(self) -> None:
        self._stop.set()
        self._writer.join()
        self.flush()
        super().close()


@contextmanager
def batched_logging() -> Iterator[None]:
    """While serving, the root's stream handlers write in batches (see BatchedStreamHandler). Call it in the
    process that serves (threads do not survive a fork); lines still pending are written before it returns."""
    root = logging.getLogger()
    original = list(root.handlers)
    batched: list[BatchedStreamHandler] = []
    replaced: list[logging.Handler] = []
    for handler in original:
        if type(handler) is logging.StreamHandler:
            twin = BatchedStreamHandler(handler.stream)
            twin.setFormatter(handler.formatter)
            twin.setLevel(handler.level)
            batched.append(twin)
            replaced.append(twin)
        else:
            replaced.append(handler)
    root.handlers = replaced
    try:
        yield
    finally:
        root.handlers = original
        for twin in batched:
            twin.close()
