"""TokenVerifier: offline checks, JWKS caching, key rotation, removed keys, the refetch rate limit, and the
remembered (already verified) tokens."""

from __future__ import annotations

import time
from typing import Any

import httpx
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from tests.sdk.conftest import PASSWORD, Ticks, Usher
from tests.sdk.localkeys import APP, ISSUER, KEY, jwk_of, jwks_transport, token
from usher_client import AsyncClient, Claims, InvalidToken, TokenVerifier


class Counting(TokenVerifier):
    """Counts full checks (signature and claims), to tell them from remembered answers."""

    decoded = 0

    def decode(self, token: str, kid: str) -> Claims:
        self.decoded += 1
        return super().decode(token, kid)


class Jwks:
    """A JWKS endpoint whose keys the test changes, counting requests."""

    def __init__(self, *keys: tuple[rsa.RSAPrivateKey, str]) -> None:
        self.keys = list(keys)
        self.requests = 0

    def handle(self, _request: httpx.Request) -> httpx.Response:
        self.requests += 1
        return httpx.Response(200, json={"keys": [jwk_of(key, kid) for key, kid in self.keys]})


def counting(jwks: httpx.MockTransport | None = None, **options: Any) -> Counting:
    transport = jwks or jwks_transport()
    return Counting(ISSUER, APP, transport=transport, async_transport=transport, **options)


async def access_token(sdk: AsyncClient) -> str:
    await sdk.sign_up(PASSWORD, email="ada@example.com", username="ada")
    return (await sdk.token("ada@example.com", PASSWORD)).access_token


async def test_verify_returns_typed_claims(sdk: AsyncClient, usher: Usher) -> None:
    token = await access_token(sdk)
    claims = await usher.verifier().verify_async(token)
    assert claims.iss == "http://testserver/apps/default" and claims.aud == "default"
    assert claims.email == "ada@example.com" and claims.username == "ada" and claims.sid
    assert claims.permission_level == 0 and claims.exp - claims.iat == 900


async def test_jwks_is_fetched_once_and_cached(sdk: AsyncClient, usher: Usher) -> None:
    token, verifier = await access_token(sdk), usher.verifier()
    for _ in range(5):
        await verifier.verify_async(token)
    assert verifier.fetches == 1


async def test_wrong_audience_or_tampered_token_is_refused(sdk: AsyncClient, usher: Usher) -> None:
    token = await access_token(sdk)
    with pytest.raises(InvalidToken):
        await usher.verifier("other").verify_async(token)
    with pytest.raises(InvalidToken):
        await usher.verifier().verify_async(token[:-4] + "AAAA")
    with pytest.raises(InvalidToken):
        await usher.verifier().verify_async("not a jwt")


async def test_algorithm_outside_the_allow_list_is_refused(sdk: AsyncClient, usher: Usher) -> None:
    token = await access_token(sdk)
    with pytest.raises(InvalidToken, match="unknown key"):
        await usher.verifier(algorithms=("ES256",)).verify_async(token)


async def test_rotated_key_verifies_after_one_refetch(sdk: AsyncClient, usher: Usher) -> None:
    ticks = Ticks()
    verifier = usher.verifier(clock=ticks, refetch_interval=30)
    await verifier.verify_async(await access_token(sdk))
    await usher.container.services.keys.rotate("default")
    ticks.now += 31
    new_token = (await sdk.token("ada@example.com", PASSWORD)).access_token
    await verifier.verify_async(new_token)
    assert verifier.fetches == 2


async def test_unknown_kid_refetch_is_rate_limited(sdk: AsyncClient, usher: Usher) -> None:
    ticks = Ticks()
    verifier = usher.verifier(clock=ticks, refetch_interval=30)
    await verifier.verify_async(await access_token(sdk))
    await usher.container.services.keys.rotate("default")
    new_token = (await sdk.token("ada@example.com", PASSWORD)).access_token
    ticks.now += 5
    for _ in range(3):  # within the interval: no refetch, refused
        with pytest.raises(InvalidToken):
            await verifier.verify_async(new_token)
    assert verifier.fetches == 1
    ticks.now += 30
    await verifier.verify_async(new_token)
    assert verifier.fetches == 2


async def test_removed_key_is_refused_once_the_cache_expires(sdk: AsyncClient, usher: Usher) -> None:
    ticks = Ticks()
    verifier = usher.verifier(clock=ticks, cache_seconds=300)
    old_token = await access_token(sdk)
    await verifier.verify_async(old_token)
    await usher.container.services.keys.rotate("default")
    usher.clock.advance(2 * 24 * 3600)  # past the retired key's drop time: it leaves JWKS
    ticks.now += 301
    with pytest.raises(InvalidToken, match="unknown key"):
        await verifier.verify_async(old_token)


async def test_removed_key_is_refused_after_a_refetch_though_remembered(sdk: AsyncClient, usher: Usher) -> None:
    ticks = Ticks()
    verifier = usher.verifier(clock=ticks, refetch_interval=30)
    old_token = await access_token(sdk)
    await verifier.verify_async(old_token)  # remembered from now on
    await usher.container.services.keys.rotate("default")
    new_token = (await sdk.token("ada@example.com", PASSWORD)).access_token
    usher.clock.advance(2 * 24 * 3600)  # the retired key leaves JWKS
    ticks.now += 31
    await verifier.verify_async(new_token)  # unknown kid: one refetch, which no longer lists the old key
    assert verifier.fetches == 2
    with pytest.raises(InvalidToken, match="unknown key"):
        await verifier.verify_async(old_token)


def test_repeated_token_is_checked_in_full_once() -> None:
    verifier, good = counting(), token()
    for _ in range(3):
        assert verifier.verify(good).sub == "u1"
    assert verifier.decoded == 1 and verifier.fetches == 1


def test_cache_tokens_zero_checks_every_time() -> None:
    verifier, good = counting(cache_tokens=0), token()
    for _ in range(3):
        verifier.verify(good)
    assert verifier.decoded == 3


def test_remembered_tokens_are_bounded() -> None:
    verifier = counting(cache_tokens=2)
    first, second, third = (token(sub=f"u{i}") for i in range(3))
    for each in (first, second, third, third, first):
        verifier.verify(each)
    assert verifier.decoded == 4  # `first` was forgotten when `third` came


def test_remembered_token_is_refused_once_it_expires() -> None:
    verifier, just_expired = counting(leeway=30), token(exp=int(time.time()) - 10)
    assert verifier.verify(just_expired).sub == "u1"
    verifier.leeway = 0  # the same as 30 s passing
    with pytest.raises(InvalidToken, match="expired"):
        verifier.verify(just_expired)


def test_tampered_copy_of_a_remembered_token_is_refused() -> None:
    verifier, good = counting(), token()
    verifier.verify(good)
    with pytest.raises(InvalidToken):
        verifier.verify(good[:-4] + ("AAAA" if not good.endswith("AAAA") else "BBBB"))


def test_sync_verify_accepts_a_new_key_after_one_refetch_and_refuses_the_removed_one() -> None:
    new_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    jwks, ticks = Jwks((KEY, "k1")), Ticks()
    verifier = counting(httpx.MockTransport(jwks.handle), clock=ticks, refetch_interval=30)
    old_token = token()
    verifier.verify(old_token)
    jwks.keys = [(new_key, "k2")]  # rotated, and the old key removed
    ticks.now += 31
    assert verifier.verify(token(new_key, "k2")).sub == "u1"
    assert jwks.requests == 2
    with pytest.raises(InvalidToken, match="unknown key"):
        verifier.verify(old_token)


def test_forged_kids_cause_at_most_one_refetch_per_interval() -> None:
    jwks, ticks = Jwks((KEY, "k1")), Ticks()
    verifier = counting(httpx.MockTransport(jwks.handle), clock=ticks, refetch_interval=30)
    verifier.verify(token())
    ticks.now += 31
    for n in range(20):
        with pytest.raises(InvalidToken, match="unknown key"):
            verifier.verify(token(kid=f"forged-{n}"))
    assert jwks.requests == 2


def test_failed_jwks_fetch_is_retried_after_the_refetch_interval_not_sooner() -> None:
    ticks = Ticks()
    verifier = counting(jwks_transport(status=500), clock=ticks, refetch_interval=30)
    for _ in range(3):
        with pytest.raises(InvalidToken, match="unknown key"):
            verifier.verify(token())
    assert verifier.fetches == 1
    ticks.now += 31
    with pytest.raises(InvalidToken):
        verifier.verify(token())
    assert verifier.fetches == 2


def test_malformed_headers_are_refused_without_a_fetch() -> None:
    verifier = counting()
    for bad in ("", "a.b", "a.b.c.d", "!!!.e30.c2ln", "bnVsbA.e30.c2ln", "eyJhbGciOiJSUzI1NiJ9.e30.c2ln"):
        with pytest.raises(InvalidToken):
            verifier.verify(bad)
    assert verifier.fetches == 0


def test_sync_verify_uses_its_transport() -> None:
    def handler(_request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={"keys": []})

    verifier = TokenVerifier("http://u", "a", transport=httpx.MockTransport(handler))
    with pytest.raises(InvalidToken):
        verifier.verify("eyJhbGciOiJSUzI1NiIsImtpZCI6IngifQ.e30.c2ln")
    assert verifier.fetches == 1
