"""Limiter keys as stored and logged: a SHA-256 digest, since a key holds a client address or an identifier."""

from __future__ import annotations

import hashlib


def digest(key: str) -> str:
    """64 hex characters: the stored form of a key (bounded length, no personal data at rest)."""
    return hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()


def loggable(key: str) -> str:
    """A short digest that tells keys apart in a log line without revealing them."""
    return digest(key)[:12]
