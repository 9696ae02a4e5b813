"""Sign-in tells nothing by its answer or its timing: an unknown user, a wrong password, a disabled and a locked
account get the same answer after the same work (one argon2 verification at the real default parameters).

Measured black-box over HTTP, and robust on a loaded machine: the cases take turns in rounds, each time is taken
relative to the median of its round (a slow spell slows the whole round, so it cancels out), each case is judged
by the median of those ratios over many rounds, and the tolerance is wide (1.5x), yet a path that skipped its hash
(about ten times faster) fails. The answers of the mail requests (reset, magic link, verification) for known and
unknown addresses are compared in tests/dialects/native (test_password_reset, test_magic_link,
test_email_verification) and in each dialect's mail tests.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import pytest

from tests import databases
from tests.conftest import test_settings as settings_for
from tests.limiting.conftest import MakeContainer
from tests.limiting.http import BASE, EMAIL, PASSWORD, WRONG, client_of, sign_in, sign_up, without_request_id
from usher.settings import Settings

pytestmark = pytest.mark.hashing

WARM_UP, ROUNDS = 2, 25
RATIO = 1.5  # the slowest median at most 1.5 times the fastest: each within 0.67x-1.5x of the others
LOCK_AFTER = WARM_UP + ROUNDS + 3  # failures per account before the lock-out: the measured cases never reach it
HASH = "one argon2 verification"

Round = dict[str, tuple[float, Any]]  # by case: seconds taken, and the answer


@pytest.fixture(params=databases.BACKENDS)
def counter_backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)  # the database's own counters


def real_argon2(database_url: str, **overrides: object) -> Settings:
    """Test settings with the production argon2 parameters (tests otherwise hash cheaply)."""
    names = ("argon2_time_cost", "argon2_memory_kib", "argon2_parallelism")
    defaults: dict[str, object] = {name: Settings.model_fields[name].default for name in names}
    return settings_for(database_url, **defaults, **overrides)


async def _timed(call: Callable[[], Awaitable[Any]]) -> tuple[float, Any]:
    started = time.perf_counter()
    result = await call()
    return time.perf_counter() - started, result


def _answer(response: httpx.Response) -> tuple[int, dict[str, Any], str | None]:
    """What a client sees: status, body (without the request id, which differs on purpose), challenge header."""
    return response.status_code, without_request_id(response), response.headers.get("www-authenticate")


async def _disabled_account(api: httpx.AsyncClient, app_key: str, email: str) -> None:
    created = await api.post(f"{BASE}/signup", json={"email": email, "password": PASSWORD})
    user_id = created.json()["user"]["id"]
    disabled = await api.post(f"{BASE}/users/{user_id}/disable", headers={"Authorization": f"Bearer {app_key}"})
    assert disabled.status_code == 200, disabled.text


async def _locked_account(api: httpx.AsyncClient, email: str) -> None:
    await sign_up(api, email)
    for _ in range(LOCK_AFTER):
        await sign_in(api, WRONG, email)


async def test_failed_sign_ins_answer_alike_after_the_same_time(
    database_url: str, make_container: MakeContainer
) -> None:
    settings = real_argon2(database_url, limit_signin_per_address=10_000, limit_signin_per_account=LOCK_AFTER)
    container = make_container(settings)
    async with client_of(settings, container) as api:
        await sign_up(api)
        await _disabled_account(api, await container.services.apps.rotate_secret("default"), "off@example.com")
        await _locked_account(api, "locked@example.com")
        cases: dict[str, Callable[[], Awaitable[Any]]] = {
            "unknown user": lambda: sign_in(api, WRONG, "ghost@example.com"),
            "wrong password": lambda: sign_in(api, WRONG, EMAIL),
            "disabled account": lambda: sign_in(api, PASSWORD, "off@example.com"),
            "locked account": lambda: sign_in(api, PASSWORD, "locked@example.com"),
            HASH: lambda: container.hasher.verify_dummy(WRONG),  # the bare hash, as a yardstick
        }
        rounds = [await _round(cases, n) for n in range(WARM_UP + ROUNDS)][WARM_UP:]
    answers = {
        repr(_answer(response)) for measured in rounds for name, (_, response) in measured.items() if name != HASH
    }
    assert len(answers) == 1, answers
    assert answers.pop().startswith("(401,")
    report = _report(rounds, list(cases))
    print(f"\n{report}")
    relative = {name: _median_ratio(rounds, name, _round_median) for name in cases if name != HASH}
    assert max(relative.values()) <= RATIO * min(relative.values()), report
    for name in relative:  # and every path costs about one hash at least: none skips it
        assert _median_ratio(rounds, name, lambda measured: measured[HASH][0]) >= 1 / RATIO, report


async def _round(cases: dict[str, Callable[[], Awaitable[Any]]], n: int) -> Round:
    """Every case once, starting from a different one each round (so none always follows the same)."""
    names = list(cases)
    names = names[n % len(names) :] + names[: n % len(names)]
    return {name: await _timed(cases[name]) for name in names}


def _round_median(measured: Round) -> float:
    return statistics.median(elapsed for name, (elapsed, _) in measured.items() if name != HASH)


def _median_ratio(rounds: list[Round], name: str, reference: Callable[[Round], float]) -> float:
    """The median over the rounds of the case's time relative to a reference taken in the same round: a slow
    spell of the machine slows both, so it cancels out."""
    return statistics.median(measured[name][0] / reference(measured) for measured in rounds)


def _report(rounds: list[Round], names: list[str]) -> str:
    lines = []
    for name in names:
        median = statistics.median(measured[name][0] for measured in rounds)
        lines.append(f"{name}: median {1000 * median:.1f} ms, {_median_ratio(rounds, name, _round_median):.2f}x")
    return "; ".join(lines)
