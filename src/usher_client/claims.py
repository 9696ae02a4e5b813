"""Claims: what a verified usher access token says about its bearer."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any


@dataclass(frozen=True, slots=True)
class Claims:
    sub: str
    iss: str
    aud: str
    sid: str | None
    exp: int
    iat: int
    nbf: int
    jti: str | None = None
    email: str | None = None
    email_verified: bool = False
    username: str | None = None
    permission_level: int = 0
    # Read-only: a verifier hands the same Claims to every request that carries the same token.
    raw: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}), repr=False)

    @property
    def user_id(self) -> str:
        return self.sub

    @classmethod
    def from_payload(cls, payload: dict[str, Any]) -> Claims:
        aud = payload.get("aud")
        level = payload.get("permission_level", 0)
        return cls(
            sub=str(payload["sub"]),
            iss=str(payload["iss"]),
            aud=str(aud[0] if isinstance(aud, list) and aud else aud),
            sid=payload.get("sid"),
            exp=int(payload["exp"]),
            iat=int(payload["iat"]),
            nbf=int(payload.get("nbf", payload["iat"])),
            jti=payload.get("jti"),
            email=payload.get("email"),
            email_verified=bool(payload.get("email_verified", False)),
            username=payload.get("username"),
            permission_level=level if isinstance(level, int) and not isinstance(level, bool) else 0,
            raw=MappingProxyType(dict(payload)),
        )
