"""TokenVerifier: offline checks, JWKS caching, key rotation, removed keys and the refetch rate limit."""

from __future__ import annotations

import pytest

from tests.sdk.conftest import PASSWORD, Ticks, Usher
from usher_client import AsyncClient, InvalidToken, TokenVerifier


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


def test_sync_verify_uses_its_transport() -> None:
    import httpx

    def handler(_request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={"keys": []})

    verifier = TokenVerifier("http://u", "a", transport=httpx.MockTransport(handler))
    with pytest.raises(InvalidToken):
        verifier.verify("eyJhbGciOiJSUzI1NiIsImtpZCI6IngifQ.e30.c2ln")
    assert verifier.fetches == 1
