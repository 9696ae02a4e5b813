"""Randomness and time for the core: the real Secrets and Clock."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime

WEKAN_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTWXYZabcdefghijkmnopqrstuvwxyz"


class SystemSecrets:
    def token(self) -> str:
        return secrets.token_urlsafe(32)

    def user_id(self) -> str:
        return "".join(secrets.choice(WEKAN_ALPHABET) for _ in range(17))

    def public_id(self, prefix: str) -> str:
        return f"{prefix}_{secrets.token_urlsafe(15)}"

    def choose(self, alphabet: str, length: int) -> str:
        return "".join(secrets.choice(alphabet) for _ in range(length))


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)
