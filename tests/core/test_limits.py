"""Abuse limits in the core: lock-out that answers like a wrong password, address limits that say wait."""

from __future__ import annotations

import asyncio

import pytest

from tests.core.conftest import Core
from usher.core.accounts import Registration
from usher.core.errors import InvalidCode, InvalidCredentials, RateLimited
from usher.core.limits import Limiter, LimitPolicy, Rule, policy_from
from usher.core.mailing import Delivery
from usher.core.models import SIX_DIGITS, RequestContext
from usher.limiting.memory import MemoryCounter

GOOD = "correct horse battery"


def _ctx(n: int = 1) -> RequestContext:
    return RequestContext(client_address=f"198.51.100.{n}")


async def _user(core: Core) -> None:
    await core.accounts.register(
        await core.app(), Registration(GOOD, email="ada@example.com"), _ctx(), self_service=False
    )


async def test_account_locks_after_ten_failures_and_answers_like_a_wrong_password(core: Core) -> None:
    await _user(core)
    app = await core.app()
    for n in range(10):
        with pytest.raises(InvalidCredentials):
            await core.auth.sign_in(app, "ada@example.com", "wrong password", _ctx(n), session_ttl=60)
    verifications = core.hasher.verifications
    with pytest.raises(InvalidCredentials) as caught:
        await core.auth.sign_in(app, "ada@example.com", GOOD, _ctx(99), session_ttl=60)
    assert str(caught.value) == "invalid username, email or password"
    assert core.hasher.verifications == verifications  # the locked check never looked at the password
    assert core.uow.store.audit[-1].outcome == "locked"


async def test_lock_out_expires_by_itself(core: Core) -> None:
    await _user(core)
    app = await core.app()
    for n in range(10):
        with pytest.raises(InvalidCredentials):
            await core.auth.sign_in(app, "ada@example.com", "wrong password", _ctx(n), session_ttl=60)
    core.clock.advance(LimitPolicy().signin_per_account.window + 1)
    assert (await core.auth.sign_in(app, "ada@example.com", GOOD, _ctx(), session_ttl=60)).user


async def test_successes_do_not_count_towards_the_lock_out(core: Core) -> None:
    await _user(core)
    app = await core.app()
    for _ in range(15):
        await core.auth.sign_in(app, "ada@example.com", GOOD, _ctx(), session_ttl=60)


async def test_one_address_failing_everywhere_is_told_to_wait(core: Core) -> None:
    app = await core.app()
    for n in range(30):
        with pytest.raises(InvalidCredentials):
            await core.auth.sign_in(app, f"user{n}@example.com", "wrong password", _ctx(), session_ttl=60)
    with pytest.raises(RateLimited) as caught:
        await core.auth.sign_in(app, "someone@example.com", "wrong password", _ctx(), session_ttl=60)
    assert 0 < caught.value.retry_after <= 300


async def test_two_hundred_parallel_wrong_passwords_check_at_most_the_threshold(core: Core) -> None:
    await _user(core)
    app = await core.app()

    async def attempt(n: int) -> BaseException | None:
        try:
            await core.auth.sign_in(app, "ada@example.com", "wrong password", _ctx(n % 250), session_ttl=60)
        except (InvalidCredentials, RateLimited) as error:
            return error
        return None

    results = await asyncio.gather(*(attempt(n) for n in range(200)))
    assert all(isinstance(r, InvalidCredentials) for r in results)
    assert core.hasher.verifications <= LimitPolicy().signin_per_account.limit


async def test_mail_to_one_recipient_beyond_its_limit_is_silently_dropped(core: Core) -> None:
    await _user(core)
    app = await core.app()
    for n in range(8):
        core.clock.advance(61)  # past the re-send cooldown every time
        await core.recovery.request_reset(app, "ada@example.com", _ctx(n), fmt=SIX_DIGITS, ttl=600, delivery=Delivery())
    assert len(core.uow.store.outbox) == LimitPolicy().mail_per_recipient.limit


async def test_code_guesses_per_account_are_capped(core: Core) -> None:
    await _user(core)
    app = await core.app()
    user = await core.accounts.find(app.id, email="ada@example.com")
    await core.verification.send_verification(
        app, "ada@example.com", _ctx(), fmt=SIX_DIGITS, ttl=600, delivery=Delivery()
    )
    code = core.uow.store.outbox[-1].secrets["code"]
    for n in range(10):
        with pytest.raises(InvalidCode):
            await core.verification.verify_code(app, user, "999999" if code != "999999" else "888888", _ctx(n))
    with pytest.raises(InvalidCode):
        await core.verification.verify_code(app, user, code, _ctx(50))


async def test_app_backend_without_end_user_address_shares_a_larger_budget(core: Core) -> None:
    limiter = Limiter(MemoryCounter(), core.clock, policy_from({"signup_per_address": 2}))
    backend = RequestContext(client_address="10.0.0.5", app_backend=True)
    slot = limiter.by_address("signup", "default", backend, limiter.policy.signup_per_address)
    assert slot.rule == Rule(2 * limiter.policy.backend_factor, 3600)
    assert slot.key == "signup:app:default"
