"""Abuse limits in the core: a progressive lock-out that answers like a wrong password and expires by itself,
address limits that say wait."""

from __future__ import annotations

import asyncio

import pytest

from tests.core.conftest import Core
from tests.fakes import FakeClock
from usher.core.accounts import Registration
from usher.core.errors import InvalidCode, InvalidCredentials, RateLimited
from usher.core.limits import DAY, HOUR, Limiter, LimitPolicy, Rule, Slot, policy_from
from usher.core.mailing import Delivery
from usher.core.models import SIX_DIGITS, RequestContext
from usher.limiting.memory import MemoryCounter

GOOD = "correct horse battery"
NEW = "brand new passphrase"
QUARTER = 15 * 60


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


# The progressive lock-out


async def _fail(core: Core, times: int, login: str = "ada@example.com") -> None:
    """`times` wrong passwords, each from its own address (the per-address limit is not what is tested)."""
    app = await core.app()
    for n in range(times):
        with pytest.raises(InvalidCredentials):
            await core.auth.sign_in(app, login, "wrong password", _ctx(n), session_ttl=60)


async def _signs_in(core: Core, password: str = GOOD, n: int = 0) -> bool:
    try:
        await core.auth.sign_in(await core.app(), "ada@example.com", password, _ctx(n), session_ttl=60)
    except InvalidCredentials:
        return False
    return True


async def _guesses(limiter: Limiter, slot: Slot, clock: FakeClock, seconds: int) -> int:
    """How many attempts an attacker gets checked in `seconds`, trying fifteen times every quarter hour."""
    checked = 0
    for _ in range(seconds // QUARTER):
        checked += sum([await limiter.allow(slot) for _ in range(15)])
        clock.advance(QUARTER)
    return checked


def test_default_lock_out_tiers_double_then_cap_at_a_hundred_a_week() -> None:
    signin, code = LimitPolicy().signin_per_account, LimitPolicy().code_per_account
    assert [(t.limit, t.window) for t in signin.tiers] == [(10, 900), (20, HOUR), (40, DAY), (100, 7 * DAY)]
    assert [(t.limit, t.window) for t in code.tiers] == [(10, 900), (20, HOUR), (40, DAY)]


def test_policy_from_sets_the_first_tier_and_keeps_the_longer_ones_in_proportion() -> None:
    signin = policy_from({"signin_per_account": 3}).signin_per_account
    assert [(t.limit, t.window) for t in signin.tiers] == [(3, 900), (6, HOUR), (12, DAY), (30, 7 * DAY)]
    assert policy_from({"signin_per_account": 7}).signin_per_account.longer[0] == Rule(14, HOUR)
    assert policy_from({"signin_per_address": 7}).signin_per_address == Rule(7, 300)


def test_rule_whose_tiers_do_not_lengthen_is_refused() -> None:
    with pytest.raises(ValueError, match="longer window"):
        Rule(10, 900, (Rule(20, 900),))


async def test_repeated_lock_outs_lock_for_longer_and_each_expires_by_itself(core: Core) -> None:
    await _user(core)
    await _fail(core, 10)
    assert not await _signs_in(core)
    core.clock.advance(QUARTER)  # the first lock ends with its quarter hour
    await _fail(core, 10)
    checked = core.hasher.verifications
    core.clock.advance(QUARTER)
    assert not await _signs_in(core)  # twenty in the hour: locked until the hour ends, though the quarter is new
    core.clock.advance(20 * 60)  # 50 minutes in: a new quarter starts, and every try within it is refused...
    assert [await _signs_in(core, n=n) for n in range(30)] == [False] * 30
    assert core.hasher.verifications == checked  # ...without looking at the password
    core.clock.advance(10 * 60)  # ...but is handed back, so the quarter does not hold the lock past the hour
    assert await _signs_in(core)


async def test_an_attacker_gets_forty_guesses_a_day_and_a_hundred_a_week() -> None:
    clock = FakeClock()
    limiter = Limiter(MemoryCounter(), clock)
    slot = limiter.sign_in_slot("default", "ada@example.com")
    per_day = [await _guesses(limiter, slot, clock, DAY) for _ in range(10)]
    assert per_day == [40, 40, 20, 0, 0, 0, 0, 40, 40, 20]  # the week's lock ends by itself too


async def test_code_lock_out_never_outlasts_a_day() -> None:
    clock = FakeClock()
    limiter = Limiter(MemoryCounter(), clock)
    slot = limiter.code_slot("default", "u1")
    assert [await _guesses(limiter, slot, clock, DAY) for _ in range(4)] == [40] * 4


async def test_tries_on_a_locked_account_do_not_lengthen_its_lock(core: Core) -> None:
    await _user(core)
    await _fail(core, 10)
    assert [await _signs_in(core, n=n) for n in range(100)] == [False] * 100
    core.clock.advance(QUARTER)
    assert await _signs_in(core)  # still ten guesses in the hour: no longer tier reached


async def test_password_re_confirmation_locks_progressively_too(core: Core) -> None:
    await _user(core)
    app = await core.app()
    user = await core.accounts.find(app.id, email="ada@example.com")

    async def confirms(password: str) -> bool:
        try:
            await core.auth.confirm_password(app, user.id, password, _ctx())
        except InvalidCredentials:
            return False
        return True

    assert [await confirms("wrong password") for _ in range(10)] == [False] * 10
    assert not await confirms(GOOD)
    assert core.uow.store.audit[-1].outcome == "locked"
    core.clock.advance(QUARTER)
    assert [await confirms("wrong password") for _ in range(10)] == [False] * 10
    core.clock.advance(QUARTER)
    assert not await confirms(GOOD)  # twenty in the hour
    core.clock.advance(2 * QUARTER)
    assert await confirms(GOOD)


async def test_completed_password_reset_clears_every_lock_out_of_the_account(core: Core) -> None:
    app = await core.app()
    registration = Registration(GOOD, email="ada@example.com", username="ada")
    await core.accounts.register(app, registration, _ctx(), self_service=False)
    await _fail(core, 10)
    await _fail(core, 10, login="ADA")  # by username too (compared canonical)
    code = await core.recovery.request_reset(
        app, "ada@example.com", _ctx(), fmt=SIX_DIGITS, ttl=600, delivery=Delivery()
    )
    assert code is not None
    await core.recovery.reset_with_code(app, "ada@example.com", code, NEW, _ctx())
    for login in ("ada@example.com", "ada"):
        assert (await core.auth.sign_in(app, login, NEW, _ctx(), session_ttl=60)).user
