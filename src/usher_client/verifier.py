"""TokenVerifier: checks usher access tokens offline against the keys usher publishes at /.well-known/jwks.json.

The key set is fetched once and cached (`cache_seconds`). A token naming an unknown `kid` triggers a refetch, at
most once per `refetch_interval` seconds, so a flood of forged kids cannot hammer usher. Each key is used only
with its own `alg`, and only if that alg is in the allow-list; the token header cannot choose another.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable, Iterable
from typing import Any

import httpx
import jwt

from usher_client.claims import Claims
from usher_client.errors import InvalidToken

DEFAULT_ALGORITHMS = ("RS256", "ES256", "EdDSA")
REQUIRED = ["exp", "iat", "iss", "aud", "sub"]


class KeySet:
    """Parsed public keys by kid, and the bookkeeping of when to fetch again (no I/O here)."""

    def __init__(self, algorithms: Iterable[str], cache_seconds: float, refetch_interval: float) -> None:
        self.algorithms = tuple(algorithms)
        self.cache_seconds = cache_seconds
        self.refetch_interval = refetch_interval
        self.keys: dict[str, jwt.PyJWK] = {}
        self.fetched_at: float | None = None

    def stale(self, now: float) -> bool:
        return self.fetched_at is None or now - self.fetched_at >= self.cache_seconds

    def may_refetch(self, now: float) -> bool:
        return self.fetched_at is None or now - self.fetched_at >= self.refetch_interval

    def load(self, document: Any, now: float) -> None:
        keys: dict[str, jwt.PyJWK] = {}
        for jwk in document.get("keys", []) if isinstance(document, dict) else []:
            if not isinstance(jwk, dict) or jwk.get("alg") not in self.algorithms or jwk.get("use", "sig") != "sig":
                continue
            try:
                keys[str(jwk["kid"])] = jwt.PyJWK(jwk)
            except (KeyError, jwt.PyJWKError, jwt.InvalidKeyError):
                continue
        self.keys, self.fetched_at = keys, now

    def failed(self, now: float) -> None:
        """A fetch failed: keep what we have, and try again after `refetch_interval`, not sooner."""
        self.fetched_at = now - max(0.0, self.cache_seconds - self.refetch_interval)


def kid_of(token: str) -> str:
    try:
        kid = jwt.get_unverified_header(token).get("kid")
    except jwt.PyJWTError as error:
        raise InvalidToken("malformed token") from error
    if not isinstance(kid, str):
        raise InvalidToken("token names no key")
    return kid


class TokenVerifier:
    """Verifies access tokens of app `app_id` issued by the usher at `issuer_url` (its public URL).

    `verify` (blocking) and `verify_async` share one cache; `transport`/`async_transport` are for tests.
    """

    def __init__(
        self,
        issuer_url: str,
        app_id: str,
        *,
        leeway: int = 30,
        algorithms: Iterable[str] = DEFAULT_ALGORITHMS,
        cache_seconds: float = 300.0,
        refetch_interval: float = 30.0,
        transport: httpx.BaseTransport | None = None,
        async_transport: httpx.AsyncBaseTransport | None = None,
        clock: Callable[[], float] = time.monotonic,
        timeout: float = 5.0,
    ) -> None:
        base = issuer_url.rstrip("/")
        self.app_id = app_id
        self.issuer = f"{base}/apps/{app_id}"
        self.jwks_url = f"{base}/.well-known/jwks.json"
        self.leeway = leeway
        self._keys = KeySet(algorithms, cache_seconds, refetch_interval)
        self._clock = clock
        self._transport, self._async_transport, self._timeout = transport, async_transport, timeout
        self._sync_lock = threading.Lock()
        self._async_lock = asyncio.Lock()
        self.fetches = 0  # JWKS requests made, for tests and metrics

    def verify(self, token: str) -> Claims:
        """Claims of a valid token; InvalidToken otherwise. May fetch JWKS (blocking) when needed."""
        kid = kid_of(token)
        if self._needs_fetch(kid):
            with self._sync_lock:
                if self._needs_fetch(kid):
                    self._accept(self._fetch())
        return self.decode(token, kid)

    async def verify_async(self, token: str) -> Claims:
        """Claims of a valid token; InvalidToken otherwise. May fetch JWKS when needed."""
        kid = kid_of(token)
        if self._needs_fetch(kid):
            async with self._async_lock:
                if self._needs_fetch(kid):
                    self._accept(await self._fetch_async())
        return self.decode(token, kid)

    def decode(self, token: str, kid: str) -> Claims:
        """Offline check against the cached key `kid`: signature by the key's own alg, iss, aud, exp, nbf."""
        key = self._keys.keys.get(kid)
        if key is None or key.algorithm_name not in self._keys.algorithms:
            raise InvalidToken("token signed by an unknown key")
        try:
            payload: dict[str, Any] = jwt.decode(
                token,
                key=key.key,
                algorithms=[key.algorithm_name],
                audience=self.app_id,
                issuer=self.issuer,
                leeway=self.leeway,
                options={"require": REQUIRED},
            )
        except jwt.ExpiredSignatureError as error:
            raise InvalidToken("token has expired") from error
        except jwt.PyJWTError as error:
            raise InvalidToken("token is invalid") from error
        return Claims.from_payload(payload)

    def _needs_fetch(self, kid: str) -> bool:
        now = self._clock()
        if self._keys.stale(now):
            return True
        return kid not in self._keys.keys and self._keys.may_refetch(now)

    def _accept(self, response: httpx.Response | None) -> None:
        """Load the fetched JWKS; when usher cannot be reached the old keys stay and a retry waits."""
        now = self._clock()
        self.fetches += 1
        try:
            if response is None:
                raise ValueError("no answer")
            response.raise_for_status()
            self._keys.load(response.json(), now)
        except (httpx.HTTPError, ValueError):
            self._keys.failed(now)

    def _fetch(self) -> httpx.Response | None:
        try:
            with httpx.Client(transport=self._transport, timeout=self._timeout) as http:
                return http.get(self.jwks_url)
        except httpx.HTTPError:
            return None

    async def _fetch_async(self) -> httpx.Response | None:
        try:
            async with httpx.AsyncClient(transport=self._async_transport, timeout=self._timeout) as http:
                return await http.get(self.jwks_url)
        except httpx.HTTPError:
            return None
