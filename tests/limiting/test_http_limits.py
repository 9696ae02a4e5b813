"""Abuse limits over HTTP on each counter backend: atomic, progressive lock-out that a password reset clears, 429 for
a flooding address, shared nodes."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest

from tests.conftest import test_settings as settings_for
from tests.dialects.mailbox import only_mail
from tests.fakes import FakeClock
from tests.limiting.conftest import MakeContainer
from tests.limiting.http import (
    BASE,
    EMAIL,
    PASSWORD,
    WRONG,
    Verifications,
    client_of,
    sign_in,
    sign_up,
    without_request_id,
)
from usher.core.models import Purpose

# The parallel tests are about counting: enough connections per node that requests wait for the database rather
# than the pool, and a patient time-out, since a loaded test machine can take seconds for 200 sign-ins.
PARALLEL = {"db_pool_size": 20, "db_timeout": 20.0}


async def test_two_hundred_parallel_wrong_passwords_evaluate_at_most_the_threshold(
    database_url: str, make_container: MakeContainer, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = settings_for(database_url, limit_signin_per_address=1000, limit_signin_per_account=10, **PARALLEL)
    container = make_container(settings)
    async with client_of(settings, container) as api:
        await sign_up(api)
        checked = Verifications().watch(container, monkeypatch)
        responses = await asyncio.gather(*(sign_in(api, WRONG) for _ in range(200)))
        assert {r.status_code for r in responses} == {401}
        assert len({str(without_request_id(r)) for r in responses}) == 1
        assert checked.count == 10
        assert (await sign_in(api, PASSWORD)).status_code == 401  # locked, though right
        assert checked.count == 10


async def test_address_flooding_sign_in_gets_429_with_retry_after(
    database_url: str, make_container: MakeContainer
) -> None:
    settings = settings_for(database_url, limit_signin_per_address=5)
    async with client_of(settings, make_container(settings)) as api:
        statuses = [(await sign_in(api, WRONG, f"user{n}@example.com")).status_code for n in range(5)]
        assert statuses == [401] * 5
        flooded = await sign_in(api, WRONG, "another@example.com")
        assert flooded.status_code == 429
        assert flooded.json()["error"]["code"] == "rate_limited"
        assert 1 <= int(flooded.headers["retry-after"]) <= 300
    async with client_of(settings, make_container(settings), address="198.51.100.9") as other:
        assert (await sign_in(other, WRONG)).status_code == 401  # another address is not held up


async def test_locked_account_answers_exactly_like_a_wrong_password(
    database_url: str, make_container: MakeContainer
) -> None:
    settings = settings_for(database_url, limit_signin_per_address=1000, limit_signin_per_account=3)
    async with client_of(settings, make_container(settings)) as api:
        await sign_up(api)
        wrong = [await sign_in(api, WRONG) for _ in range(3)]
        locked = await sign_in(api, PASSWORD)
        assert locked.status_code == wrong[-1].status_code == 401
        assert without_request_id(locked) == without_request_id(wrong[-1])
        assert locked.headers.get("www-authenticate") == wrong[-1].headers.get("www-authenticate")
        assert "retry-after" not in locked.headers


async def test_lock_out_expires_after_its_window(
    database_url: str, make_container: MakeContainer, counter_backend: str
) -> None:
    if counter_backend == "redis":
        pytest.skip("Redis expires windows by its own clock; test_counters waits a short window out instead")
    clock = FakeClock(datetime.now(UTC))
    settings = settings_for(database_url, limit_signin_per_address=1000, limit_signin_per_account=3)
    async with client_of(settings, make_container(settings, clock)) as api:
        await sign_up(api)
        for _ in range(3):
            await sign_in(api, WRONG)
        assert (await sign_in(api, PASSWORD)).status_code == 401
        clock.advance(899)
        assert (await sign_in(api, PASSWORD)).status_code == 401
        clock.advance(2)  # the 900 s window has ended
        assert (await sign_in(api, PASSWORD)).status_code == 200


async def test_two_nodes_share_the_lock_out(
    database_url: str, make_container: MakeContainer, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = settings_for(database_url, limit_signin_per_address=1000, limit_signin_per_account=4, **PARALLEL)
    first, second = make_container(settings), make_container(settings)
    checked = Verifications()
    async with client_of(settings, first) as one, client_of(settings, second) as two:
        await sign_up(one)
        checked.watch(first, monkeypatch).watch(second, monkeypatch)
        results = await asyncio.gather(*(sign_in(node, WRONG) for node in [one, two] * 20))
        assert {r.status_code for r in results} == {401}
        assert checked.count == 4
        assert (await sign_in(one, PASSWORD)).status_code == 401
        assert (await sign_in(two, PASSWORD)).status_code == 401
        assert checked.count == 4


async def test_repeated_lock_outs_lock_for_longer(
    database_url: str, make_container: MakeContainer, counter_backend: str
) -> None:
    if counter_backend == "redis":
        pytest.skip("Redis expires windows by its own clock; tests/core/test_limits steps through the tiers")
    clock = FakeClock(datetime.now(UTC))
    settings = settings_for(database_url, limit_signin_per_address=1000, limit_signin_per_account=3)
    async with client_of(settings, make_container(settings, clock)) as api:  # tiers: 3 a quarter hour, 6 an hour
        await sign_up(api)
        for _ in range(2):
            assert [(await sign_in(api, WRONG)).status_code for _ in range(3)] == [401] * 3
            assert (await sign_in(api, PASSWORD)).status_code == 401
            clock.advance(901)
        assert (await sign_in(api, PASSWORD)).status_code == 401  # six in the hour: locked until it ends
        clock.advance(3600 - 2 * 901)
        assert (await sign_in(api, PASSWORD)).status_code == 200


async def test_locked_account_can_reset_its_password_and_then_sign_in_at_once(
    database_url: str, make_container: MakeContainer
) -> None:
    settings = settings_for(database_url, limit_signin_per_address=1000, limit_signin_per_account=3)
    container = make_container(settings)
    async with client_of(settings, container) as api:
        await sign_up(api)
        for _ in range(3):
            await sign_in(api, WRONG)
        assert (await sign_in(api, PASSWORD)).status_code == 401  # locked
        forgot = await api.post(f"{BASE}/password/forgot", json={"email": EMAIL, "method": "code"})
        assert forgot.status_code == 202
        code = (await only_mail(container, EMAIL, Purpose.RESET_PASSWORD)).secrets["code"]
        new = "another long passphrase"
        reset = await api.post(f"{BASE}/password/reset", json={"email": EMAIL, "code": code, "new_password": new})
        assert reset.status_code == 204
        assert (await sign_in(api, new)).status_code == 200  # the reset cleared the lock-out
