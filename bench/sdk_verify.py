"""SDK benchmark: offline RS256 verifications per second on one core, and what the FastAPI `CurrentUser`
dependency adds to a bare endpoint. Standalone (a local RSA key served as JWKS in memory); about 15 s.

    .venv/bin/python bench/sdk_verify.py
"""

from __future__ import annotations

import asyncio
import json
import time

import httpx
import jwt
from cryptography.hazmat.primitives.asymmetric import rsa
from fastapi import FastAPI

from usher_client import TokenVerifier
from usher_client.fastapi import CurrentUser, install

ISSUER, APP = "http://usher.bench", "bench"
SECONDS = 4.0
REQUESTS = 3000


def setup() -> tuple[TokenVerifier, str]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(key.public_key()))
    document = {"keys": [{**jwk, "kid": "k1", "alg": "RS256", "use": "sig"}]}
    transport = httpx.MockTransport(lambda _request: httpx.Response(200, json=document))
    now = int(time.time())
    claims = {"iss": f"{ISSUER}/apps/{APP}", "aud": APP, "sub": "u1", "sid": "s1", "iat": now, "nbf": now}
    token = jwt.encode({**claims, "exp": now + 3600}, key, algorithm="RS256", headers={"kid": "k1"})
    verifier = TokenVerifier(ISSUER, APP, transport=transport, async_transport=transport)
    verifier.verify(token)  # fetch JWKS once
    return verifier, token


def verifications_per_second(verifier: TokenVerifier, token: str) -> float:
    count, start = 0, time.process_time()
    while (elapsed := time.process_time() - start) < SECONDS:
        for _ in range(200):
            verifier.verify(token)
        count += 200
    return count / elapsed


def app_with(verifier: TokenVerifier) -> FastAPI:
    app = FastAPI()
    install(app, verifier)

    @app.get("/bare")
    async def bare() -> dict[str, str]:
        return {"ok": "yes"}

    @app.get("/guarded")
    async def guarded(user: CurrentUser) -> dict[str, str]:
        return {"ok": user.sub}

    return app


async def per_request(client: httpx.AsyncClient, path: str, headers: dict[str, str]) -> float:
    for _ in range(200):  # warm up
        await client.get(path, headers=headers)
    start = time.perf_counter()
    for _ in range(REQUESTS):
        answer = await client.get(path, headers=headers)
    assert answer.status_code == 200, answer.text
    return (time.perf_counter() - start) / REQUESTS


async def dependency_overhead(verifier: TokenVerifier, token: str) -> tuple[float, float]:
    transport = httpx.ASGITransport(app=app_with(verifier))
    headers = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
        bare = await per_request(client, "/bare", headers)
        guarded = await per_request(client, "/guarded", headers)
    return bare, guarded


def main() -> None:
    verifier, token = setup()
    rate = verifications_per_second(verifier, token)
    print(f"offline RS256 verifications: {rate:,.0f}/s per core (target >= 8,000/s)")
    bare, guarded = asyncio.run(dependency_overhead(verifier, token))
    print(f"bare endpoint:           {bare * 1e6:8.1f} us/request (in-process ASGI)")
    print(f"with CurrentUser:        {guarded * 1e6:8.1f} us/request")
    print(f"dependency overhead:     {(guarded - bare) * 1e6:8.1f} us/request")


if __name__ == "__main__":
    main()
