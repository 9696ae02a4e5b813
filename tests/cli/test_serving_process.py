"""Serving processes: log lines written in batches (warnings at once, nothing pending lost at the end), and the
allocator set for hashing threads."""

from __future__ import annotations

import io
import logging
import platform
import sys
import time

import pytest

from usher.cli.logs import FORMAT, BatchedStreamHandler, batched_logging
from usher.cli.memory import tune_allocator


def _logger(handler: logging.Handler) -> logging.Logger:
    logger = logging.getLogger(f"usher.test.{id(handler)}")
    logger.propagate = False
    logger.setLevel(logging.INFO)
    logger.handlers = [handler]
    return logger


def test_info_lines_wait_for_the_batch_and_close_writes_them() -> None:
    stream = io.StringIO()
    handler = BatchedStreamHandler(stream, seconds=60)
    log = _logger(handler)
    for n in range(3):
        log.info("line %d", n)
    assert stream.getvalue() == ""  # nothing written per line
    handler.close()
    assert stream.getvalue() == "line 0\nline 1\nline 2\n"


def test_a_warning_is_written_at_once_with_what_came_before() -> None:
    stream = io.StringIO()
    handler = BatchedStreamHandler(stream, seconds=60)
    log = _logger(handler)
    log.info("before")
    log.warning("trouble")
    assert stream.getvalue() == "before\ntrouble\n"
    handler.close()


def test_a_full_batch_and_the_timer_both_write() -> None:
    stream = io.StringIO()
    handler = BatchedStreamHandler(stream, lines=2, seconds=0.05)
    log = _logger(handler)
    log.info("a")
    log.info("b")
    assert stream.getvalue() == "a\nb\n"  # two lines fill the batch
    log.info("c")
    deadline = time.monotonic() + 5
    while "c\n" not in stream.getvalue() and time.monotonic() < deadline:
        time.sleep(0.01)
    assert stream.getvalue() == "a\nb\nc\n"  # the timer wrote the rest
    handler.close()


def test_batched_logging_swaps_the_root_stream_handler_and_restores_it() -> None:
    stream = io.StringIO()
    plain = logging.StreamHandler(stream)
    plain.setFormatter(logging.Formatter(FORMAT))
    root = logging.getLogger()
    saved = root.handlers[:]
    root.handlers = [plain]
    try:
        with batched_logging():
            (batched,) = root.handlers
            assert isinstance(batched, BatchedStreamHandler)
            logging.getLogger("usher.access").warning("GET /x 200")
        assert root.handlers == [plain]
    finally:
        root.handlers = saved
    assert "WARNING usher.access[" in stream.getvalue() and "GET /x 200" in stream.getvalue()


@pytest.mark.skipif(not sys.platform.startswith("linux") or platform.libc_ver()[0] != "glibc", reason="glibc")
def test_allocator_settings_are_taken_by_glibc() -> None:
    assert tune_allocator() is True
