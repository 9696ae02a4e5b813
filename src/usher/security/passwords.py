"""Password hashing: argon2id in a bounded thread pool, verification of imported bcrypt hashes."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import os
import secrets
import sys
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

import argon2
import bcrypt
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from usher.core.errors import Unavailable

T = TypeVar("T")
METEOR_PREFIX = "meteor$"  # an imported Meteor/WeKan hash: bcrypt(sha256-hex(password))
_BCRYPT_PREFIXES = ("$2a$", "$2b$", "$2y$", METEOR_PREFIX)
HASH_THREAD_NICENESS = 10  # the default: CFS weight 110 against the event loop's 1024


class Argon2Hasher:
    """argon2id off the event loop: one executor per process, sized to the cores, with a bounded queue.

    A full queue answers Unavailable (503) instead of letting a sign-in flood hold gigabytes of argon2 memory.
    """

    def __init__(
        self,
        *,
        time_cost: int,
        memory_kib: int,
        parallelism: int,
        workers: int,
        queue_limit: int,
        niceness: int = HASH_THREAD_NICENESS,
    ) -> None:
        self._hasher = argon2.PasswordHasher(
            time_cost=time_cost,
            memory_cost=memory_kib,
            parallelism=parallelism,
            type=argon2.Type.ID,
        )
        self._pool = ThreadPoolExecutor(
            max_workers=workers,
            thread_name_prefix="usher-hash",
            initializer=_yield_to_the_event_loop,
            initargs=(niceness,),
        )
        self._slots = asyncio.BoundedSemaphore(workers + queue_limit)
        self._dummy_hash = self._hasher.hash(secrets.token_urlsafe(16))

    async def _run(self, fn: Callable[..., T], *args: str) -> T:
        if self._slots.locked():
            raise Unavailable("too many password checks in progress", retry_after=1)
        async with self._slots:
            loop = asyncio.get_running_loop()
            return await loop.run_in_executor(self._pool, fn, *args)

    async def hash(self, password: str) -> str:
        return await self._run(self._hasher.hash, password)

    async def verify(self, password_hash: str, password: str) -> bool:
        return await self._run(self._verify_sync, password_hash, password)

    async def verify_dummy(self, password: str) -> None:
        await self._run(self._verify_sync, self._dummy_hash, password)

    def needs_rehash(self, password_hash: str) -> bool:
        if password_hash.startswith(_BCRYPT_PREFIXES):
            return True  # imported: upgrade to argon2id at the next sign-in
        try:
            return self._hasher.check_needs_rehash(password_hash)
        except InvalidHashError:
            return False

    def _verify_sync(self, password_hash: str, password: str) -> bool:
        if password_hash.startswith(_BCRYPT_PREFIXES):
            return _verify_bcrypt(password_hash, password)
        try:
            return self._hasher.verify(password_hash, password)
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return False

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)


def _yield_to_the_event_loop(niceness: int) -> None:
    """Runs in each hash thread: a lower scheduling priority for this thread alone (Linux schedules threads
    one by one), so that during a sign-in flood the event loop still answers session checks at once while the
    hashes take every idle cycle. Where the platform refuses, hashing simply keeps the normal priority."""
    if niceness == 0 or not sys.platform.startswith("linux"):
        return  # elsewhere the call takes a process id, and a thread id could name another process
    with contextlib.suppress(OSError):
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), os.getpriority(os.PRIO_PROCESS, 0) + niceness)


def _verify_bcrypt(password_hash: str, password: str) -> bool:
    """Plain bcrypt, or Meteor's (WeKan's) bcrypt of the hex SHA-256 of the password (SPEC §6.13).

    The variant is recorded at import (prefix `meteor$`), so each check costs one bcrypt, not two: a wrong
    password must not take longer for some accounts than for others.
    """
    if password_hash.startswith(METEOR_PREFIX):
        stored = password_hash.removeprefix(METEOR_PREFIX).encode()
        candidate = hashlib.sha256(password.encode()).hexdigest().encode()
    else:
        stored, candidate = password_hash.encode(), password.encode()
    try:
        return bcrypt.checkpw(candidate, stored)
    except ValueError:  # over 72 bytes, or a malformed hash: a normal failure
        return False
