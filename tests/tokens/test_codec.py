"""PyJwtCodec: key generation and RFC 7638 kids, headers, claim checks, refusals, and the parsed-key cache."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from datetime import UTC, datetime
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from joserfc.jwk import ECKey, OKPKey, RSAKey

from tests.fakes import FakeClock
from usher.core.errors import InvalidToken
from usher.core.models import SigningKey
from usher.security import tokens as codec_module
from usher.security.tokens import PyJwtCodec, b64url

ALGS = ("RS256", "ES256", "EdDSA")
AUD, ISS = "shop", "https://id.example/apps/shop"
JOSERFC_KEYS = {"RSA": RSAKey, "EC": ECKey, "OKP": OKPKey}


def key_for(codec: PyJwtCodec, alg: str, app_id: str = AUD) -> SigningKey:
    material = codec.generate(alg)
    return SigningKey(
        kid=material.kid,
        app_id=app_id,
        alg=material.alg,
        private_pem=material.private_pem,
        public_jwk=material.public_jwk,
        created_at=datetime.now(UTC),
    )


def claims(**changes: Any) -> dict[str, Any]:
    now = int(time.time())
    base: dict[str, Any] = {
        "iss": ISS,
        "aud": AUD,
        "sub": "u1",
        "sid": "ses_1",
        "iat": now,
        "nbf": now,
        "exp": now + 60,
    }
    base.update(changes)
    return {name: value for name, value in base.items() if value is not None}


def verify(codec: PyJwtCodec, token: str, key: SigningKey) -> dict[str, Any]:
    return codec.verify(token, key, audience=AUD, issuer=ISS, leeway=30)


def segments(token: str) -> list[dict[str, Any]]:
    return [json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))) for part in token.split(".")[:2]]


@pytest.fixture(scope="module")
def codec() -> PyJwtCodec:
    return PyJwtCodec()


@pytest.fixture(scope="module", params=ALGS)
def key(request: pytest.FixtureRequest, codec: PyJwtCodec) -> SigningKey:
    return key_for(codec, str(request.param))


def test_generate_public_jwk_has_only_public_members(key: SigningKey) -> None:
    expected = {"RS256": {"kty", "n", "e"}, "ES256": {"kty", "crv", "x", "y"}, "EdDSA": {"kty", "crv", "x"}}
    assert set(key.public_jwk) == expected[key.alg]
    assert key.private_pem.startswith("-----BEGIN PRIVATE KEY-----")


def test_generate_kid_is_rfc7638_thumbprint(key: SigningKey) -> None:
    imported = JOSERFC_KEYS[key.public_jwk["kty"]].import_key(key.public_jwk)
    assert key.kid == imported.thumbprint()
    assert len(key.kid) == 43


def test_generate_rsa_is_2048_bits_and_ec_is_p256(codec: PyJwtCodec) -> None:
    rsa_key = serialization.load_pem_private_key(key_for(codec, "RS256").private_pem.encode(), None)
    assert rsa_key.key_size == 2048  # type: ignore[union-attr]
    assert key_for(codec, "ES256").public_jwk["crv"] == "P-256"
    assert key_for(codec, "EdDSA").public_jwk["crv"] == "Ed25519"


def test_generate_unknown_alg_raises(codec: PyJwtCodec) -> None:
    with pytest.raises(ValueError, match="unsupported"):
        codec.generate("HS256")


def test_rfc7638_example_thumbprint() -> None:
    n = (
        "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n"
        "3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0z"
        "gdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-cs"
        "FCur-kEgU8awapJzKnqDKgw"
    )
    jwk = {"kty": "RSA", "n": n, "e": "AQAB"}
    assert codec_module.thumbprint(jwk) == "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs"


def test_sign_header_is_alg_kid_typ_without_crit(codec: PyJwtCodec, key: SigningKey) -> None:
    header, payload = segments(codec.sign(claims(), key))
    assert header == {"alg": key.alg, "kid": key.kid, "typ": "JWT"}
    assert payload["sub"] == "u1"


def test_verify_round_trip_returns_claims(codec: PyJwtCodec, key: SigningKey) -> None:
    signed = claims(email="ada@example.com")
    assert verify(codec, codec.sign(signed, key), key) == signed


@pytest.mark.parametrize("missing", ["exp", "iat", "iss", "aud", "sub"])
def test_verify_missing_required_claim_raises(codec: PyJwtCodec, key: SigningKey, missing: str) -> None:
    with pytest.raises(InvalidToken) as caught:
        verify(codec, codec.sign(claims(**{missing: None}), key), key)
    assert caught.value.expired is False


def test_verify_expired_raises_with_expired_flag(codec: PyJwtCodec, key: SigningKey) -> None:
    now = int(time.time())
    with pytest.raises(InvalidToken) as caught:
        verify(codec, codec.sign(claims(iat=now - 200, nbf=now - 200, exp=now - 100), key), key)
    assert caught.value.expired is True


def test_verify_within_leeway_accepts(codec: PyJwtCodec, key: SigningKey) -> None:
    now = int(time.time())
    verify(codec, codec.sign(claims(exp=now - 10, iat=now + 10, nbf=now + 10), key), key)


@pytest.mark.parametrize("field", ["iat", "nbf"])
def test_verify_issued_in_future_beyond_leeway_raises(codec: PyJwtCodec, key: SigningKey, field: str) -> None:
    future = int(time.time()) + 3600
    with pytest.raises(InvalidToken):
        verify(codec, codec.sign(claims(**{field: future}, exp=future + 60), key), key)


@pytest.mark.parametrize(("field", "value"), [("aud", "other"), ("iss", "https://evil.example/apps/shop")])
def test_verify_wrong_audience_or_issuer_raises(codec: PyJwtCodec, key: SigningKey, field: str, value: str) -> None:
    with pytest.raises(InvalidToken):
        verify(codec, codec.sign(claims(**{field: value}), key), key)


def test_verify_token_of_another_key_raises(codec: PyJwtCodec, key: SigningKey) -> None:
    other = key_for(codec, key.alg)
    with pytest.raises(InvalidToken):
        verify(codec, codec.sign(claims(), other), key)


def test_verify_token_of_other_algorithm_raises(codec: PyJwtCodec) -> None:
    rsa_key, ec_key = key_for(codec, "RS256"), key_for(codec, "ES256")
    forged = jwt.encode(claims(), ec_key.private_pem, algorithm="ES256", headers={"kid": rsa_key.kid})
    assert codec.unverified_kid(forged) == rsa_key.kid
    with pytest.raises(InvalidToken):
        verify(codec, forged, rsa_key)


def _fields(key: SigningKey) -> dict[str, Any]:
    return {name: getattr(key, name) for name in key.__slots__}


def test_verify_alg_none_raises(codec: PyJwtCodec, key: SigningKey) -> None:
    header = b64url(json.dumps({"alg": "none", "kid": key.kid, "typ": "JWT"}).encode())
    body = b64url(json.dumps(claims()).encode())
    for token in (f"{header}.{body}.", f"{header}.{body}"):
        with pytest.raises(InvalidToken):
            verify(codec, token, key)


def test_verify_hs256_with_public_key_as_secret_raises(codec: PyJwtCodec) -> None:
    key = key_for(codec, "RS256")
    public_pem = (
        serialization.load_pem_private_key(key.private_pem.encode(), None)
        .public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    )
    header = b64url(json.dumps({"alg": "HS256", "kid": key.kid, "typ": "JWT"}).encode())
    body = b64url(json.dumps(claims()).encode())
    signature = b64url(hmac.new(public_pem, f"{header}.{body}".encode(), hashlib.sha256).digest())
    with pytest.raises(InvalidToken):
        verify(codec, f"{header}.{body}.{signature}", key)


@pytest.mark.parametrize("garbage", ["", "abc", "a.b.c", "...", "e30.e30.", "\u00e9.x.y", "a" * 10_000])
def test_unverified_kid_of_garbage_is_none_and_verify_raises(codec: PyJwtCodec, key: SigningKey, garbage: str) -> None:
    assert codec.unverified_kid(garbage) is None
    with pytest.raises(InvalidToken):
        verify(codec, garbage, key)


def test_unverified_kid_non_string_is_none(codec: PyJwtCodec) -> None:
    header = b64url(json.dumps({"alg": "RS256", "kid": 42}).encode())
    assert codec.unverified_kid(f"{header}.e30.c2ln") is None


def test_unverified_kid_reads_header(codec: PyJwtCodec, key: SigningKey) -> None:
    assert codec.unverified_kid(codec.sign(claims(), key)) == key.kid


def test_parsed_keys_are_cached_per_kid(monkeypatch: pytest.MonkeyPatch) -> None:
    codec = PyJwtCodec()
    key = key_for(codec, "RS256")
    loads: list[int] = []
    real_load = serialization.load_pem_private_key
    real_jwk = jwt.PyJWK

    def counting_load(*args: Any, **kwargs: Any) -> Any:
        loads.append(1)
        return real_load(*args, **kwargs)

    def counting_jwk(*args: Any, **kwargs: Any) -> Any:
        loads.append(2)
        return real_jwk(*args, **kwargs)

    monkeypatch.setattr(codec_module.serialization, "load_pem_private_key", counting_load)
    monkeypatch.setattr(codec_module.jwt, "PyJWK", counting_jwk)
    for _ in range(5):
        verify(codec, codec.sign(claims(), key), key)
    assert loads == [1, 2]


def test_sign_with_verification_view_raises(codec: PyJwtCodec) -> None:
    key = _fields(key_for(codec, "ES256"))
    with pytest.raises(ValueError, match="without its private part"):
        PyJwtCodec().sign(claims(), SigningKey(**{**key, "private_pem": ""}))


def test_sign_with_mismatched_private_key_raises(codec: PyJwtCodec) -> None:
    key, other = _fields(key_for(codec, "ES256")), key_for(codec, "ES256")
    with pytest.raises(ValueError, match="does not match"):
        PyJwtCodec().sign(claims(), SigningKey(**{**key, "private_pem": other.private_pem}))


def test_verify_checks_times_against_injected_clock(key: SigningKey) -> None:
    clock = FakeClock(datetime.now(UTC))
    codec = PyJwtCodec(clock)
    token = codec.sign(claims(), key)
    verify(codec, token, key)
    clock.advance(60 + 30)  # exp is 60 s away, leeway 30 s
    with pytest.raises(InvalidToken) as caught:
        verify(codec, token, key)
    assert caught.value.expired is True
    clock.advance(-(3600 + 90))  # an hour before it was issued
    with pytest.raises(InvalidToken) as caught:
        verify(codec, token, key)
    assert caught.value.expired is False


@pytest.mark.parametrize("bad", ["soon", True, None, [1], {"t": 1}])
def test_verify_non_numeric_times_raises(codec: PyJwtCodec, key: SigningKey, bad: object) -> None:
    for field in ("exp", "iat", "nbf"):
        signed = {**claims(), field: bad}
        with pytest.raises(InvalidToken):
            verify(codec, jwt.encode(signed, key.private_pem, algorithm=key.alg, headers={"kid": key.kid}), key)
