"""Key rotation: old tokens keep verifying until their key leaves JWKS; new tokens carry the new kid; no refresh
that runs while keys rotate is lost."""

from __future__ import annotations

import asyncio

import pytest

from tests.tokens.conftest import System
from tests.tokens.support import (
    ISSUER_BASE,
    claims_of,
    header_of,
    jwks,
    me,
    refresh,
    sign_up,
    tokens,
    verify_offline,
)
from usher.core.errors import InvalidInput, NotFound
from usher.core.keys import LEEWAY, LONGEST_ACCESS_TTL

DROP_AFTER = LONGEST_ACCESS_TTL + LEEWAY


async def test_rotate_keeps_old_tokens_valid_and_signs_new_ones_with_new_kid(system: System) -> None:
    await sign_up(system.api)
    before = (await tokens(system.api))["access_token"]
    old_kid = header_of(before)["kid"]
    new = await system.container.services.keys.rotate("default")
    after = (await tokens(system.api))["access_token"]
    assert new.kid != old_kid and header_of(after)["kid"] == new.kid
    assert (await me(system.api, before)).status_code == 200
    assert (await me(system.api, after)).status_code == 200
    document = await jwks(system.api)
    assert [key["kid"] for key in document["keys"]] == [new.kid, old_kid]
    for token in (before, after):
        verify_offline(document, token, "RS256", iss=ISSUER_BASE + "default", aud="default")


async def test_rotated_out_key_leaves_jwks_after_drop_time(system: System) -> None:
    old = await system.container.services.keys.ensure("default")
    new = await system.container.services.keys.rotate("default")
    system.clock.advance(DROP_AFTER - 1)
    assert [key["kid"] for key in (await jwks(system.api))["keys"]] == [new.kid, old.kid]
    system.clock.advance(1)
    assert [key["kid"] for key in (await jwks(system.api))["keys"]] == [new.kid]


async def test_drop_time_follows_a_longer_app_access_ttl(system: System) -> None:
    await system.container.services.apps.configure("default", {"access_token_ttl": str(3 * 24 * 3600)})
    old = await system.container.services.keys.ensure("default")
    await system.container.services.keys.rotate("default")
    [listed_old] = [key for key in await system.container.services.keys.for_app("default") if key.kid == old.kid]
    assert listed_old.retired_at is not None and listed_old.drop_at is not None
    assert (listed_old.drop_at - listed_old.retired_at).total_seconds() == 3 * 24 * 3600 + LEEWAY


async def test_rotate_to_another_algorithm_changes_token_alg(system: System) -> None:
    await sign_up(system.api)
    key = await system.container.services.keys.rotate("default", "ES256")
    access = (await tokens(system.api))["access_token"]
    assert header_of(access) == {"alg": "ES256", "kid": key.kid, "typ": "JWT"}
    assert (await me(system.api, access)).status_code == 200
    again = await system.container.services.keys.rotate("default")  # keeps the current algorithm
    assert again.alg == "ES256"


async def test_rotate_unknown_app_or_algorithm_raises(system: System) -> None:
    with pytest.raises(NotFound):
        await system.container.services.keys.rotate("nope")
    with pytest.raises(InvalidInput):
        await system.container.services.keys.rotate("default", "HS256")


async def test_rotation_while_refreshing_in_a_loop_loses_no_session(system: System) -> None:
    await sign_up(system.api)
    refresh_token = (await tokens(system.api))["refresh_token"]
    seen_kids: set[str] = set()
    failures: list[str] = []

    async def refresher() -> None:
        nonlocal refresh_token
        for _ in range(40):
            response = await refresh(system.api, refresh_token)
            if response.status_code != 200:
                failures.append(response.text)
                return
            body = response.json()
            refresh_token = body["refresh_token"]
            seen_kids.add(header_of(body["access_token"])["kid"])
            checked = await me(system.api, body["access_token"])
            if checked.status_code != 200:
                failures.append(checked.text)

    async def rotator() -> list[str]:
        kids = []
        for _ in range(4):
            await asyncio.sleep(0.01)
            kids.append((await system.container.services.keys.rotate("default")).kid)
        return kids

    _, rotated = await asyncio.gather(refresher(), rotator())
    assert failures == []
    assert seen_kids <= await _all_kids(system)
    assert len(seen_kids) >= 2  # the loop did cross at least one rotation
    final = await refresh(system.api, refresh_token)
    assert final.status_code == 200
    assert header_of(final.json()["access_token"])["kid"] == rotated[-1]
    assert claims_of(final.json()["access_token"])["aud"] == "default"


async def _all_kids(system: System) -> set[str]:
    return {key.kid for key in await system.container.services.keys.for_app("default")}
