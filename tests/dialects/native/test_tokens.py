"""Native token API: POST /token and /token/refresh, access tokens on /me, forgeries refused, refresh rotation
with a grace window and reuse detection, and every way a session ends taking its tokens with it."""

from __future__ import annotations

import asyncio
import base64
import functools
import hashlib
import hmac
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization

from tests.dialects.native.conftest import Clocked
from tests.dialects.native.helpers import assert_error
from tests.tokens.support import PASSWORD, b64, base, bearer, claims_of, header_of, me, refresh, sign_up, tokens
from usher.core.models import KeyMaterial, RequestContext, SigningKey, UserChanges
from usher.dialects.native.token_routes import NATIVE_TOKENS
from usher.security.tokens import PyJwtCodec

THIRTY_DAYS = 30 * 24 * 3600
GRACE = 10


async def test_token_answers_pair_and_user(clocked: Clocked) -> None:
    user = (await sign_up(clocked.api))["user"]
    body = await tokens(clocked.api)
    assert set(body) == {"access_token", "token_type", "expires_in", "refresh_token", "refresh_expires_in", "user"}
    assert body["token_type"] == "Bearer"
    assert (body["expires_in"], body["refresh_expires_in"]) == (900, THIRTY_DAYS)
    assert body["user"]["id"] == user["id"]
    assert len(body["refresh_token"]) == 43 and body["access_token"].count(".") == 2
    claims = claims_of(body["access_token"])
    assert claims["exp"] - claims["iat"] == 900
    assert (claims["aud"], claims["iss"], claims["sub"]) == ("default", "http://testserver/apps/default", user["id"])


async def test_token_reports_app_lifetimes(clocked: Clocked) -> None:
    await clocked.container.services.apps.configure("default", {"access_token_ttl": "60", "refresh_token_ttl": "600"})
    await sign_up(clocked.api)
    body = await tokens(clocked.api)
    assert (body["expires_in"], body["refresh_expires_in"]) == (60, 600)
    assert claims_of(body["access_token"])["exp"] - claims_of(body["access_token"])["iat"] == 60


async def test_token_wrong_password_is_401_invalid_credentials(clocked: Clocked) -> None:
    await sign_up(clocked.api)
    response = await clocked.api.post(f"{base()}/token", json={"login": "ada@example.com", "password": "wrong pass"})
    assert_error(response, 401, "invalid_credentials")


async def test_token_bad_body_is_400(clocked: Clocked) -> None:
    response = await clocked.api.post(f"{base()}/token", json={"login": "ada@example.com"})
    assert_error(response, 400, "validation_error")
    response = await clocked.api.post(f"{base()}/token/refresh", json={"refresh_token": 5})
    assert_error(response, 400, "validation_error")


async def test_token_unknown_app_is_404(clocked: Clocked) -> None:
    response = await clocked.api.post(f"{base('nope')}/token", json={"login": "a@example.com", "password": PASSWORD})
    assert_error(response, 404, "not_found")


async def test_me_accepts_access_token_and_session_token(clocked: Clocked) -> None:
    signed_up = await sign_up(clocked.api)
    body = await tokens(clocked.api)
    by_access = await me(clocked.api, body["access_token"])
    assert by_access.status_code == 200, by_access.text
    assert by_access.json()["user"]["id"] == signed_up["user"]["id"]
    assert by_access.json()["session"]["id"] == claims_of(body["access_token"])["sid"]
    assert (await me(clocked.api, signed_up["session"]["token"])).status_code == 200


async def test_me_access_token_of_other_app_is_401(clocked: Clocked) -> None:
    await clocked.container.services.apps.create("Other", "other")
    await clocked.container.services.keys.ensure("other")
    await sign_up(clocked.api)
    access = (await tokens(clocked.api))["access_token"]
    assert_error(await me(clocked.api, access, app_id="other"), 401, "invalid_token")


async def test_me_access_token_after_expiry_is_401(clocked: Clocked) -> None:
    await sign_up(clocked.api)
    access = (await tokens(clocked.api))["access_token"]
    clocked.clock.advance(900 + 29)
    assert (await me(clocked.api, access)).status_code == 200
    clocked.clock.advance(2)
    assert_error(await me(clocked.api, access), 401, "invalid_token")


# --- forgeries: each is refused by usher's own endpoints --------------------------------------------------


class Forger:
    def __init__(self, key: SigningKey, foreign: SigningKey, other_app: SigningKey, genuine: str) -> None:
        self.key, self.foreign, self.other_app, self.genuine = key, foreign, other_app, genuine
        self.claims = claims_of(genuine)
        self.codec = PyJwtCodec()

    def signed(self, **changes: Any) -> str:
        return self.codec.sign({**self.claims, **changes}, self.key)

    def alg_none(self) -> str:
        return f"{b64({'alg': 'none', 'kid': self.key.kid, 'typ': 'JWT'})}.{b64(self.claims)}."

    def hs256_public_pem(self) -> str:
        private = serialization.load_pem_private_key(self.key.private_pem.encode(), None)
        secret = private.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        signing_input = f"{b64({'alg': 'HS256', 'kid': self.key.kid, 'typ': 'JWT'})}.{b64(self.claims)}"
        signature = b64_raw(hmac.new(secret, signing_input.encode(), hashlib.sha256).digest())
        return f"{signing_input}.{signature}"

    def wrong_kid(self) -> str:  # signed by a key usher never made, naming usher's key
        forged = self.codec.sign(self.claims, self.foreign)
        _, payload, signature = forged.split(".")
        return f"{b64({'alg': 'RS256', 'kid': self.key.kid, 'typ': 'JWT'})}.{payload}.{signature}"

    def unknown_kid(self) -> str:
        return self.codec.sign(self.claims, self.foreign)

    def other_apps_key(self) -> str:
        return self.codec.sign(self.claims, self.other_app)

    def modified_payload(self) -> str:
        header, _, signature = self.genuine.split(".")
        return f"{header}.{b64({**self.claims, 'sub': 'someone-else'})}.{signature}"

    def truncated_signature(self) -> str:
        return self.genuine[:-6]


def b64_raw(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


FORGERIES: dict[str, Callable[[Forger, int], str]] = {
    "alg_none": lambda f, now: f.alg_none(),
    "hs256_with_public_key_pem": lambda f, now: f.hs256_public_pem(),
    "wrong_kid": lambda f, now: f.wrong_kid(),
    "unknown_kid": lambda f, now: f.unknown_kid(),
    "another_apps_key": lambda f, now: f.other_apps_key(),
    "wrong_aud": lambda f, now: f.signed(aud="other"),
    "wrong_iss": lambda f, now: f.signed(iss="http://evil.example/apps/default"),
    "expired": lambda f, now: f.signed(iat=now - 2000, nbf=now - 2000, exp=now - 100),
    "iat_far_in_future": lambda f, now: f.signed(iat=now + 3600, nbf=now + 3600, exp=now + 4500),
    "modified_payload": lambda f, now: f.modified_payload(),
    "truncated_signature": lambda f, now: f.truncated_signature(),
}


@functools.cache
def _material(name: str) -> KeyMaterial:
    """RSA keys made once per run: key generation is the slow part of these tests."""
    return PyJwtCodec().generate("RS256")


def _key(name: str, app_id: str, at: datetime) -> SigningKey:
    material = _material(name)
    return SigningKey(material.kid, app_id, material.alg, material.private_pem, material.public_jwk, at)


@pytest.mark.parametrize("forgery", sorted(FORGERIES))
async def test_me_with_forged_access_token_is_401(clocked: Clocked, forgery: str) -> None:
    await clocked.container.services.apps.create("Other", "other")
    other = _key("other app", "other", clocked.clock.now())
    async with clocked.container.uow(write=True) as uow:
        await uow.keys.insert(other)
    await sign_up(clocked.api)
    genuine = (await tokens(clocked.api))["access_token"]
    async with clocked.container.uow() as uow:
        key = await uow.keys.current("default")
    assert key is not None
    forger = Forger(key, _key("foreign", "default", key.created_at), other, genuine)
    assert (await me(clocked.api, forger.signed())).status_code == 200  # the forger's baseline is sound
    forged = FORGERIES[forgery](forger, int(clocked.clock.now().timestamp()))
    assert_error(await me(clocked.api, forged), 401, "invalid_token")
    assert (await me(clocked.api, genuine)).status_code == 200


# --- refresh rotation ------------------------------------------------------------------------------------


async def test_refresh_answers_new_pair_and_spends_old_token(clocked: Clocked) -> None:
    await sign_up(clocked.api)
    first = await tokens(clocked.api)
    response = await refresh(clocked.api, first["refresh_token"])
    assert response.status_code == 200, response.text
    second = response.json()
    assert second["refresh_token"] != first["refresh_token"]
    assert second["access_token"] != first["access_token"]
    assert claims_of(second["access_token"])["sid"] == claims_of(first["access_token"])["sid"]
    assert (await me(clocked.api, second["access_token"])).status_code == 200
    third = await refresh(clocked.api, second["refresh_token"])
    assert third.status_code == 200 and third.json()["refresh_token"] not in (
        first["refresh_token"],
        second["refresh_token"],
    )


async def test_refresh_retry_inside_grace_returns_same_successor(clocked: Clocked) -> None:
    await sign_up(clocked.api)
    first = await tokens(clocked.api)
    successor = (await refresh(clocked.api, first["refresh_token"])).json()
    clocked.clock.advance(GRACE - 1)
    retried = await refresh(clocked.api, first["refresh_token"])
    assert retried.status_code == 200, retried.text
    assert retried.json()["refresh_token"] == successor["refresh_token"]
    assert (await me(clocked.api, retried.json()["access_token"])).status_code == 200
    assert (await refresh(clocked.api, successor["refresh_token"])).status_code == 200


async def test_refresh_in_parallel_yields_at_most_one_successor(clocked: Clocked) -> None:
    await sign_up(clocked.api)
    first = await tokens(clocked.api)
    responses = await asyncio.gather(*(refresh(clocked.api, first["refresh_token"]) for _ in range(10)))
    assert {response.status_code for response in responses} <= {200, 401}
    successors = {response.json()["refresh_token"] for response in responses if response.status_code == 200}
    assert len(successors) <= 1
    assert successors, "at least one of the parallel refreshes wins"
    [successor] = successors
    assert (await refresh(clocked.api, successor)).status_code == 200


async def test_refresh_reuse_after_grace_revokes_that_session_only(clocked: Clocked) -> None:
    await sign_up(clocked.api)
    stolen = await tokens(clocked.api)
    other_device = await tokens(clocked.api)
    successor = (await refresh(clocked.api, stolen["refresh_token"])).json()
    clocked.clock.advance(GRACE + 1)
    assert_error(await refresh(clocked.api, stolen["refresh_token"]), 401, "invalid_token")
    # the whole family (its session) is gone ...
    assert_error(await refresh(clocked.api, successor["refresh_token"]), 401, "invalid_token")
    assert_error(await me(clocked.api, successor["access_token"]), 401, "invalid_token")
    # ... and only that family
    assert (await me(clocked.api, other_device["access_token"])).status_code == 200
    assert (await refresh(clocked.api, other_device["refresh_token"])).status_code == 200
    async with clocked.container.uow() as uow:
        events = await uow.audit.query("default", type="token.reuse")
    assert len(events) == 1
    assert events[0].outcome == "revoked" and events[0].user_id == stolen["user"]["id"]
    assert events[0].detail["session"] == claims_of(stolen["access_token"])["sid"]
    assert events[0].client_address == "203.0.113.7"


async def test_refresh_expired_token_is_401(clocked: Clocked) -> None:
    await clocked.container.services.apps.configure("default", {"refresh_token_ttl": "60"})
    await sign_up(clocked.api)
    body = await tokens(clocked.api)
    clocked.clock.advance(60)
    assert_error(await refresh(clocked.api, body["refresh_token"]), 401, "invalid_token")


@pytest.mark.parametrize("token", ["", "x" * 43, "x" * 44, "a.b.c"])
async def test_refresh_unknown_token_is_401(clocked: Clocked, token: str) -> None:
    assert_error(await refresh(clocked.api, token), 401, "invalid_token")


async def test_refresh_token_of_other_app_is_401(clocked: Clocked) -> None:
    await clocked.container.services.apps.create("Other", "other")
    await clocked.container.services.keys.ensure("other")
    await sign_up(clocked.api)
    body = await tokens(clocked.api)
    assert_error(await refresh(clocked.api, body["refresh_token"], app_id="other"), 401, "invalid_token")
    assert (await refresh(clocked.api, body["refresh_token"])).status_code == 200


# --- every way a session ends takes its tokens with it ------------------------------------------------------


async def _sign_out_with_access_token(clocked: Clocked, pair: dict[str, Any], _other: dict[str, Any]) -> None:
    response = await clocked.api.post(f"{base()}/signout", headers=bearer(pair["access_token"]))
    assert response.status_code == 204, response.text


async def _sign_out_everywhere(clocked: Clocked, _pair: dict[str, Any], other: dict[str, Any]) -> None:
    response = await clocked.api.post(f"{base()}/signout-everywhere", headers=bearer(other["session"]["token"]))
    assert response.status_code == 204, response.text


async def _change_password(clocked: Clocked, _pair: dict[str, Any], other: dict[str, Any]) -> None:
    body = {"current_password": PASSWORD, "new_password": "another good passphrase"}
    response = await clocked.api.post(f"{base()}/me/password", json=body, headers=bearer(other["session"]["token"]))
    assert response.status_code == 204, response.text


async def _disable_user(clocked: Clocked, pair: dict[str, Any], _other: dict[str, Any]) -> None:
    await clocked.container.services.accounts.set_disabled("default", pair["user"]["id"], True, RequestContext())


async def _revoke_session_by_id(clocked: Clocked, pair: dict[str, Any], other: dict[str, Any]) -> None:
    sid = claims_of(pair["access_token"])["sid"]
    response = await clocked.api.delete(f"{base()}/me/sessions/{sid}", headers=bearer(other["session"]["token"]))
    assert response.status_code == 204, response.text


ENDINGS: dict[str, Callable[[Clocked, dict[str, Any], dict[str, Any]], Awaitable[None]]] = {
    "sign_out": _sign_out_with_access_token,
    "sign_out_everywhere": _sign_out_everywhere,
    "password_change": _change_password,
    "disable_user": _disable_user,
    "revoke_session": _revoke_session_by_id,
}


@pytest.mark.parametrize("ending", sorted(ENDINGS))
async def test_session_end_kills_refresh_and_access_token(clocked: Clocked, ending: str) -> None:
    other = await sign_up(clocked.api)  # a second session (session token) of the same user
    pair = await tokens(clocked.api)
    await ENDINGS[ending](clocked, pair, other)
    assert_error(await refresh(clocked.api, pair["refresh_token"]), 401, "invalid_token")
    assert_error(await me(clocked.api, pair["access_token"]), 401, "invalid_token")


async def test_sign_out_with_session_token_kills_its_refresh_family(clocked: Clocked) -> None:
    signed_up = await sign_up(clocked.api)
    services = clocked.container.services
    app = await services.apps.get("default")
    found = await services.auth.authenticate("default", signed_up["session"]["token"])
    pair = await services.tokens.issue(app, found.user, found.session, NATIVE_TOKENS)
    assert pair.refresh_token is not None
    response = await clocked.api.post(f"{base()}/signout", headers=bearer(signed_up["session"]["token"]))
    assert response.status_code == 204
    assert_error(await refresh(clocked.api, pair.refresh_token), 401, "invalid_token")
    assert_error(await me(clocked.api, pair.access_token), 401, "invalid_token")


async def test_password_change_keeps_own_session_tokens(clocked: Clocked) -> None:
    await sign_up(clocked.api)
    pair = await tokens(clocked.api)
    body = {"current_password": PASSWORD, "new_password": "another good passphrase"}
    response = await clocked.api.post(f"{base()}/me/password", json=body, headers=bearer(pair["access_token"]))
    assert response.status_code == 204, response.text
    assert (await me(clocked.api, pair["access_token"])).status_code == 200
    assert (await refresh(clocked.api, pair["refresh_token"])).status_code == 200


# --- other algorithms end to end --------------------------------------------------------------------------


@pytest.mark.parametrize("alg", ["ES256", "EdDSA"])
async def test_app_with_other_algorithm_works_end_to_end(clocked: Clocked, alg: str) -> None:
    app_id = alg.lower()
    await clocked.container.services.apps.create(alg, app_id)
    key = await clocked.container.services.keys.ensure(app_id, alg)
    await sign_up(clocked.api, app_id=app_id)
    first = await tokens(clocked.api, app_id=app_id)
    assert header_of(first["access_token"]) == {"alg": alg, "kid": key.kid, "typ": "JWT"}
    assert (await me(clocked.api, first["access_token"], app_id=app_id)).status_code == 200
    second = await refresh(clocked.api, first["refresh_token"], app_id=app_id)
    assert second.status_code == 200, second.text
    assert (await me(clocked.api, second.json()["access_token"], app_id=app_id)).status_code == 200
    assert_error(await me(clocked.api, first["access_token"], app_id="default"), 401, "invalid_token")


async def test_admin_api_accepts_admin_users_access_token_only(clocked: Clocked) -> None:
    user = (await sign_up(clocked.api))["user"]
    access = (await tokens(clocked.api))["access_token"]
    assert_error(await clocked.api.get(f"{base()}/users", headers=bearer(access)), 403, "forbidden")
    app = await clocked.container.services.apps.get("default")
    await clocked.container.services.accounts.update(app, user["id"], UserChanges(is_admin=True), RequestContext())
    listing = await clocked.api.get(f"{base()}/users", headers=bearer(access))
    assert listing.status_code == 200, listing.text
    assert [row["id"] for row in listing.json()["users"]] == [user["id"]]
