"""TokenVerifier: checks usher access tokens offline against the keys usher publishes at /.well-known/jwks.json.

The key set is fetched once and cached (`cache_seconds`). A token naming an unknown `kid` triggers a refetch, at
most once per `refetch_interval` seconds, so a flood of forged kids cannot hammer usher. Each key is used only
with its own `alg`, and only if that alg is in the allow-list; the token header cannot choose another.

A client sends the same access token until it expires, so the verifier also remembers the last `cache_tokens`
tokens it verified (by their whole text, signature included): a repeat costs a lookup instead of parsing and an
RSA check. A remembered token counts only until its `exp` (with `leeway`) and only while the key set it was
checked against is the current one: any JWKS fetch forgets them all, so a key removed from JWKS is refused.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import json
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
    """Parsed public keys by kid, and the bookkeeping of when to fetch again (no I/O here).

    `loaded_at` is the last good fetch (the keys are old `cache_seconds` after it); `tried_at` the last attempt,
    good or not: no fetch comes sooner than `refetch_interval` after it, whatever tokens arrive meanwhile.
    """

    def __init__(self, algorithms: Iterable[str], cache_seconds: float, refetch_interval: float) -> None:
        self.algorithms = tuple(algorithms)
        self.cache_seconds = cache_seconds
        self.refetch_interval = refetch_interval
        self.keys: dict[str, jwt.PyJWK] = {}
        self.loaded_at: float | None = None
        self.tried_at: float | None = None
        self.version = 0  # changes with every load, so what was checked against older keys can tell

    def old(self, now: float) -> bool:
        return self.loaded_at is None or now - self.loaded_at >= self.cache_seconds

    def due(self, kid: str, now: float) -> bool:
        """Fetch now? When the keys are old or lack `kid`, and the last attempt is long enough ago."""
        if self.tried_at is not None and now - self.tried_at < self.refetch_interval:
            return False
        return self.old(now) or kid not in self.keys

    def load(self, document: Any, now: float) -> None:
        keys: dict[str, jwt.PyJWK] = {}
        for jwk in document.get("keys", []) if isinstance(document, dict) else []:
            if not isinstance(jwk, dict) or jwk.get("alg") not in self.algorithms or jwk.get("use", "sig") != "sig":
                continue
            try:
                keys[str(jwk["kid"])] = jwt.PyJWK(jwk)
            except (KeyError, jwt.PyJWKError, jwt.InvalidKeyError):
                continue
        self.keys, self.loaded_at, self.tried_at = keys, now, now
        self.version += 1

    def failed(self, now: float) -> None:
        """A fetch failed: keep what we have, and try again after `refetch_interval`, not sooner."""
        self.tried_at = now


class Remembered:
    """Claims of tokens verified lately, by token text, each with the key-set version it was checked against.

    Bounded: past `size` the oldest entry goes. Lookups take no lock (a dict read is atomic); writes do.
    """

    def __init__(self, size: int) -> None:
        self.size = size
        self._entries: dict[str, tuple[Claims, int]] = {}
        self._lock = threading.Lock()

    def get(self, token: str, version: int, expired_before: float) -> Claims | None:
        entry = self._entries.get(token)
        if entry is None or entry[1] != version or entry[0].exp <= expired_before:
            return None
        return entry[0]

    def put(self, token: str, claims: Claims, version: int) -> None:
        if self.size <= 0:
            return
        with self._lock:
            while len(self._entries) >= self.size:
                del self._entries[next(iter(self._entries))]
            self._entries[token] = (claims, version)


def kid_of(token: str) -> str:
    """The `kid` of the token's header, which picks the key; nothing else is read or trusted here (`decode`
    checks the whole token), so only the header segment is decoded."""
    header, _, rest = token.partition(".")
    if rest.count(".") != 1:
        raise InvalidToken("malformed token")
    try:
        fields = json.loads(base64.urlsafe_b64decode(header + "=" * (-len(header) % 4)))
    except (ValueError, binascii.Error) as error:
        raise InvalidToken("malformed token") from error
    kid = fields.get("kid") if isinstance(fields, dict) else None
    if not isinstance(kid, str):
        raise InvalidToken("token names no key")
    return kid


class TokenVerifier:
    """Verifies access tokens of app `app_id` issued by the usher at `issuer_url` (its public URL).

    `verify` (blocking) and `verify_async` share one cache; `transport`/`async_transport` are for tests.
    `cache_tokens` is how many verified tokens to remember (0: check every token in full every time).
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
        cache_tokens: int = 1024,
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
        self._remembered = Remembered(cache_tokens)
        self._clock = clock
        self._transport, self._async_transport, self._timeout = transport, async_transport, timeout
        self._sync_lock = threading.Lock()
        self._async_lock = asyncio.Lock()
        self.fetches = 0  # JWKS requests made, for tests and metrics

    def verify(self, token: str) -> Claims:
        """Claims of a valid token; InvalidToken otherwise. May fetch JWKS (blocking) when needed."""
        if (claims := self._recall(token)) is not None:
            return claims
        kid = kid_of(token)
        if self._needs_fetch(kid):
            with self._sync_lock:
                if self._needs_fetch(kid):
                    self._accept(self._fetch())
        return self._checked(token, kid)

    async def verify_async(self, token: str) -> Claims:
        """Claims of a valid token; InvalidToken otherwise. May fetch JWKS when needed."""
        if (claims := self._recall(token)) is not None:
            return claims
        kid = kid_of(token)
        if self._needs_fetch(kid):
            async with self._async_lock:
                if self._needs_fetch(kid):
                    self._accept(await self._fetch_async())
        return self._checked(token, kid)

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

    def _recall(self, token: str) -> Claims | None:
        """The claims of this very token if it was verified against the current keys (not yet due a refresh)
        and has not expired since."""
        if self._keys.old(self._clock()):
            return None
        return self._remembered.get(token, self._keys.version, time.time() - self.leeway)

    def _checked(self, token: str, kid: str) -> Claims:
        version = self._keys.version
        claims = self.decode(token, kid)
        self._remembered.put(token, claims, version)
        return claims

    def _needs_fetch(self, kid: str) -> bool:
        return self._keys.due(kid, self._clock())

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
