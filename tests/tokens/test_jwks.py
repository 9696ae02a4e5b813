"""GET /.well-known/jwks.json: every app's public keys, cacheable; tokens verify offline with joserfc and it alone."""

from __future__ import annotations

import pytest
from joserfc.errors import JoseError

from tests.tokens.conftest import System, new_app
from tests.tokens.support import ISSUER_BASE, claims_of, header_of, jwks, sign_up, tokens, verify_offline

PRIVATE_MEMBERS = {"d", "p", "q", "dp", "dq", "qi", "oth", "k"}


async def test_jwks_lists_default_key_with_kid_alg_use(system: System) -> None:
    response = await system.api.get("/.well-known/jwks.json")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")
    assert response.headers["cache-control"] == "public, max-age=300"
    [key] = response.json()["keys"]
    assert key["kty"] == "RSA" and key["alg"] == "RS256" and key["use"] == "sig"
    assert set(key) == {"kty", "n", "e", "kid", "alg", "use"}
    current = await system.container.services.keys.ensure("default")
    assert key["kid"] == current.kid


async def test_jwks_has_every_apps_keys_and_no_private_members(system: System) -> None:
    kids = {"ec": await new_app(system, "ec", "ES256"), "ed": await new_app(system, "ed", "EdDSA")}
    document = await jwks(system.api)
    by_kid = {key["kid"]: key for key in document["keys"]}
    assert len(document["keys"]) == 3
    assert by_kid[kids["ec"]]["crv"] == "P-256" and by_kid[kids["ec"]]["alg"] == "ES256"
    assert by_kid[kids["ed"]]["crv"] == "Ed25519" and by_kid[kids["ed"]]["alg"] == "EdDSA"
    assert all(not PRIVATE_MEMBERS & set(key) for key in document["keys"])
    assert "PRIVATE" not in str(document)


@pytest.mark.parametrize("alg", ["RS256", "ES256", "EdDSA"])
async def test_access_token_verifies_with_joserfc_from_jwks_only(system: System, alg: str) -> None:
    app_id = "default"
    if alg != "RS256":
        app_id = alg.lower()
        await new_app(system, app_id, alg)
    user = (await sign_up(system.api, app_id=app_id))["user"]
    issued = await tokens(system.api, app_id=app_id)
    access = issued["access_token"]
    sid = claims_of(access)["sid"]
    document = await jwks(system.api)  # fetched over HTTP; nothing else is shared with the verifier
    claims = verify_offline(document, access, alg, iss=ISSUER_BASE + app_id, aud=app_id, sub=user["id"], sid=sid)
    assert header_of(access)["alg"] == alg and "crit" not in header_of(access)
    assert claims["exp"] - claims["iat"] == issued["expires_in"] == 900
    assert claims["email"] == "ada@example.com" and claims["jti"]


async def test_joserfc_refuses_wrong_audience_issuer_and_expired(system: System) -> None:
    user = (await sign_up(system.api))["user"]
    access = (await tokens(system.api))["access_token"]
    document = await jwks(system.api)
    iss = ISSUER_BASE + "default"
    with pytest.raises(JoseError):
        verify_offline(document, access, "RS256", iss=iss, aud="other", sub=user["id"])
    with pytest.raises(JoseError):
        verify_offline(document, access, "RS256", iss="http://evil/apps/default", aud="default")
    later = claims_of(access)["exp"] + 1
    with pytest.raises(JoseError):
        verify_offline(document, access, "RS256", now=later, iss=iss, aud="default")


async def test_jwks_path_wins_over_root_dialect_and_is_not_in_openapi(system: System) -> None:
    spec = (await system.api.get("/openapi.json")).json()
    assert "/.well-known/jwks.json" not in spec["paths"]
    assert "/v1/apps/{app_id}/token" in spec["paths"]
    assert "/v1/apps/{app_id}/token/refresh" in spec["paths"]
