"""SDK benchmark: offline access-token verifications per second on one core, and what the FastAPI `CurrentUser`
dependency and `BearerAuthMiddleware` add to a bare endpoint. Standalone (local keys served as JWKS in memory,
no usher needed); about 20 s of CPU.

    .venv/bin/python bench/sdk_verify.py [--seconds S] [--rounds N]

Verifications: `TokenVerifier.verify` on one thread with its verified-token cache off, so every call parses the
token and checks the signature (RS256 is usher's default; ES256 and EdDSA for comparison), measured in CPU time.

Overhead: the ASGI apps are called directly (a scope, a receive and a send; no HTTP client or server in the
loop, whose cost would swamp and blur a difference of microseconds), in CPU time of the one thread, in
interleaved rounds; the figure is the median of the rounds. "repeated token" is the usual case (a client sends
its token until it expires, and the verifier remembers tokens it has verified); "new token every time" shows the
cost of a full verification per request.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import time
from collections.abc import Callable
from typing import Any

import httpx
import jwt
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from fastapi import FastAPI

from usher_client import BearerAuthMiddleware, TokenVerifier
from usher_client.fastapi import CurrentUser, install

ISSUER, APP = "http://usher.bench", "bench"
REQUESTS = 2000  # per round and app

Key = rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey | ed25519.Ed25519PrivateKey
ASGI = Callable[[dict[str, Any], Any, Any], Any]


def keys() -> dict[str, Key]:
    return {
        "RS256": rsa.generate_private_key(public_exponent=65537, key_size=2048),
        "ES256": ec.generate_private_key(ec.SECP256R1()),
        "EdDSA": ed25519.Ed25519PrivateKey.generate(),
    }


def jwks_of(private: dict[str, Key]) -> httpx.MockTransport:
    found = []
    for alg, key in private.items():
        algorithm = jwt.get_algorithm_by_name(alg)
        found.append({**json.loads(algorithm.to_jwk(key.public_key())), "kid": alg, "alg": alg, "use": "sig"})
    document = {"keys": found}
    return httpx.MockTransport(lambda _request: httpx.Response(200, json=document))


def token(key: Key, alg: str, subject: str = "u1") -> str:
    now = int(time.time())
    claims = {"iss": f"{ISSUER}/apps/{APP}", "aud": APP, "sub": subject, "sid": "s1", "iat": now, "nbf": now}
    return jwt.encode({**claims, "exp": now + 3600}, key, algorithm=alg, headers={"kid": alg})


def verifier(transport: httpx.MockTransport, cache_tokens: int = 1024) -> TokenVerifier:
    return TokenVerifier(ISSUER, APP, transport=transport, async_transport=transport, cache_tokens=cache_tokens)


def verifications_per_second(check: TokenVerifier, token: str, seconds: float) -> float:
    check.verify(token)  # fetch JWKS once
    count, start = 0, time.process_time()
    while (elapsed := time.process_time() - start) < seconds:
        for _ in range(200):
            check.verify(token)
        count += 200
    return count / elapsed


def apps(check: TokenVerifier) -> dict[str, ASGI]:
    bare, guarded = FastAPI(), FastAPI()
    install(guarded, check)

    @bare.get("/")
    async def endpoint() -> dict[str, str]:
        return {"ok": "yes"}

    @guarded.get("/")
    async def guarded_endpoint(user: CurrentUser) -> dict[str, str]:
        return {"ok": "yes"}

    return {"bare": bare, "CurrentUser": guarded, "BearerAuthMiddleware": BearerAuthMiddleware(bare, check)}


async def call(app: ASGI, authorization: bytes) -> None:
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": "/",
        "raw_path": b"/",
        "root_path": "",
        "query_string": b"",
        "headers": [(b"host", b"bench"), (b"authorization", authorization)],
        "client": ("127.0.0.1", 40000),
        "server": ("127.0.0.1", 80),
        "state": {},
    }
    status: list[int] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            status.append(message["status"])

    await app(scope, receive, send)
    assert status == [200], status


async def per_request(app: ASGI, headers: list[bytes]) -> float:
    """CPU seconds per request, cycling through `headers` (one header: the same token every time)."""
    start = time.process_time()
    for i in range(REQUESTS):
        await call(app, headers[i % len(headers)])
    return (time.process_time() - start) / REQUESTS


async def overhead(check: TokenVerifier, headers: list[bytes], rounds: int) -> dict[str, float]:
    """Median microseconds per request of each app, over interleaved rounds (after one warm-up round)."""
    built = apps(check)
    timings: dict[str, list[float]] = {name: [] for name in built}
    for round_number in range(rounds + 1):
        for name, app in built.items():
            seconds = await per_request(app, headers)
            if round_number:
                timings[name].append(seconds * 1e6)
    return {name: statistics.median(values) for name, values in timings.items()}


def report(title: str, figures: dict[str, float]) -> None:
    bare = figures["bare"]
    print(f"{title}")
    print(f"  bare endpoint            {bare:7.1f} us/request")
    for name in ("CurrentUser", "BearerAuthMiddleware"):
        print(f"  with {name:20s}{figures[name]:7.1f} us/request   overhead {figures[name] - bare:6.1f} us")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=3.0, help="CPU seconds per verification figure")
    parser.add_argument("--rounds", type=int, default=7, help="interleaved rounds per overhead figure")
    args = parser.parse_args()

    private = keys()
    transport = jwks_of(private)
    print("offline verifications on one core (token cache off: a full check every time)")
    for alg, key in private.items():
        rate = verifications_per_second(verifier(transport, cache_tokens=0), token(key, alg), args.seconds)
        target = "   (usher's default; target >= 8,000/s)" if alg == "RS256" else ""
        print(f"  {alg:6s} {rate:9,.0f}/s{target}")

    rs256 = private["RS256"]
    check = verifier(transport)
    asyncio.run(check.verify_async(token(rs256, "RS256")))  # fetch JWKS once
    repeated = [f"Bearer {token(rs256, 'RS256')}".encode()]
    report("repeated token (the usual case)", asyncio.run(overhead(check, repeated, args.rounds)))
    fresh = [f"Bearer {token(rs256, 'RS256', f'u{i}')}".encode() for i in range(REQUESTS)]
    report("new token every time (a full verification per request)", asyncio.run(overhead(check, fresh, args.rounds)))


if __name__ == "__main__":
    main()
