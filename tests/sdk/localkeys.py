"""Tokens signed by a local RSA key, and that key served as JWKS in memory: the verifier without usher."""

from __future__ import annotations

import json
import time
from typing import Any

import httpx
import jwt
from cryptography.hazmat.primitives.asymmetric import rsa

from usher_client import TokenVerifier

ISSUER, APP = "http://usher.test", "notes"
KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)


def jwk_of(key: rsa.RSAPrivateKey, kid: str) -> dict[str, Any]:
    return {**json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(key.public_key())), "kid": kid, "alg": "RS256"}


def jwks_transport(status: int = 200) -> httpx.MockTransport:
    document = {"keys": [{**jwk_of(KEY, "k1"), "use": "sig"}]}
    return httpx.MockTransport(lambda _request: httpx.Response(status, json=document))


def token(key: rsa.RSAPrivateKey = KEY, kid: str = "k1", **extra: Any) -> str:
    now = int(time.time())
    claims = {"iss": f"{ISSUER}/apps/{APP}", "aud": APP, "sub": "u1", "sid": "s1", "iat": now, "nbf": now}
    return jwt.encode({"exp": now + 60, **claims, **extra}, key, algorithm="RS256", headers={"kid": kid})


def verifier(**options: Any) -> TokenVerifier:
    transport = jwks_transport()
    return TokenVerifier(ISSUER, APP, transport=transport, async_transport=transport, **options)
