"""Argon2Hasher: argon2id, imported bcrypt (plain and Meteor), bounded pool."""

from __future__ import annotations

import asyncio
import hashlib
import os
import sys
import threading

import bcrypt
import pytest

from usher.core.errors import Unavailable
from usher.security.passwords import HASH_THREAD_NICENESS, METEOR_PREFIX, Argon2Hasher


def _hasher(**overrides: int) -> Argon2Hasher:
    values = {"time_cost": 1, "memory_kib": 64, "parallelism": 1, "workers": 2, "queue_limit": 8}
    values.update(overrides)
    return Argon2Hasher(**values)


async def test_argon2id_round_trip_and_wrong_password() -> None:
    hasher = _hasher()
    try:
        stored = await hasher.hash("correct horse")
        assert stored.startswith("$argon2id$")
        assert await hasher.verify(stored, "correct horse")
        assert not await hasher.verify(stored, "wrong horse")
        assert not await hasher.verify("not a hash", "correct horse")
    finally:
        hasher.close()


async def test_plain_bcrypt_verifies_and_asks_for_rehash() -> None:
    hasher = _hasher()
    try:
        stored = bcrypt.hashpw(b"imported secret", bcrypt.gensalt(rounds=4)).decode()
        assert await hasher.verify(stored, "imported secret")
        assert not await hasher.verify(stored, "other secret")
        assert hasher.needs_rehash(stored)
    finally:
        hasher.close()


async def test_meteor_bcrypt_of_sha256_verifies_only_with_its_prefix() -> None:
    hasher = _hasher()
    try:
        digest = hashlib.sha256(b"wekan password").hexdigest().encode()
        raw = bcrypt.hashpw(digest, bcrypt.gensalt(rounds=4)).decode()
        assert await hasher.verify(METEOR_PREFIX + raw, "wekan password")
        assert not await hasher.verify(raw, "wekan password")
        assert hasher.needs_rehash(METEOR_PREFIX + raw)
    finally:
        hasher.close()


async def test_bcrypt_password_over_72_bytes_is_a_plain_failure() -> None:
    hasher = _hasher()
    try:
        stored = bcrypt.hashpw(b"x" * 50, bcrypt.gensalt(rounds=4)).decode()
        assert not await hasher.verify(stored, "x" * 100)
    finally:
        hasher.close()


@pytest.mark.hashing
async def test_full_queue_answers_unavailable_instead_of_piling_up() -> None:
    hasher = _hasher(time_cost=3, memory_kib=19456, workers=1, queue_limit=1)
    try:
        results = await asyncio.gather(*(hasher.hash("p" * 12) for _ in range(6)), return_exceptions=True)
        assert any(isinstance(r, Unavailable) for r in results)
        assert any(isinstance(r, str) for r in results)
    finally:
        hasher.close()


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="per-thread priority is Linux's")
async def test_hash_threads_run_below_the_event_loop() -> None:
    """During a sign-in flood the loop must keep answering session checks: the hash threads yield to it."""
    hasher = _hasher()
    try:
        await hasher.hash("warm the pool up")
        niceness = hasher._pool.submit(lambda: os.getpriority(os.PRIO_PROCESS, threading.get_native_id())).result()
        assert niceness == min(19, os.getpriority(os.PRIO_PROCESS, 0) + HASH_THREAD_NICENESS)
        assert os.getpriority(os.PRIO_PROCESS, threading.get_native_id()) != niceness  # the loop's thread is untouched
    finally:
        hasher.close()
