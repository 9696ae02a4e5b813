"""BearerAuthMiddleware: plain ASGI middleware that verifies a Bearer access token and puts its Claims in
`scope["state"]["user"]` (Starlette's `request.state.user`); 401 with `WWW-Authenticate: Bearer` otherwise,
403 when the user's `permission_level` is below `min_permission`.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Iterable, MutableMapping
from typing import Any

from usher_client.claims import Claims
from usher_client.errors import InvalidToken
from usher_client.verifier import TokenVerifier

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


def bearer_of(authorization: str | None) -> str | None:
    """The token of an `Authorization: Bearer <token>` header, or None."""
    if not authorization:
        return None
    scheme, _, token = authorization.partition(" ")
    token = token.strip()
    return token if scheme.lower() == "bearer" and token else None


def challenge(error: str | None) -> str:
    """The WWW-Authenticate value (RFC 6750): plain `Bearer`, or with the error when a token was sent."""
    return f'Bearer error="{error}"' if error else "Bearer"


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", []):
        if key.lower() == name:
            return bytes(value).decode("latin-1")
    return None


class BearerAuthMiddleware:
    """Guards every HTTP request except those under `public_paths`; `optional=True` lets anonymous ones through
    (with `user` None) but still refuses a bad token."""

    def __init__(
        self,
        app: ASGIApp,
        verifier: TokenVerifier,
        *,
        min_permission: int = 0,
        public_paths: Iterable[str] = (),
        optional: bool = False,
    ) -> None:
        self.app = app
        self.verifier = verifier
        self.min_permission = min_permission
        self.public_paths = tuple(public_paths)
        self.optional = optional

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if self.public_paths and str(scope.get("path", "")).startswith(self.public_paths):
            scope.setdefault("state", {})["user"] = None
            await self.app(scope, receive, send)
            return
        token = bearer_of(_header(scope, b"authorization"))
        claims: Claims | None = None
        if token is None and not self.optional:
            await _refuse(send, 401, "a Bearer access token is required", challenge(None))
            return
        if token is not None:
            try:
                claims = await self.verifier.verify_async(token)
            except InvalidToken as error:
                await _refuse(send, 401, error.message, challenge("invalid_token"))
                return
            if claims.permission_level < self.min_permission:
                await _refuse(send, 403, "permission level too low", None)
                return
        scope.setdefault("state", {})["user"] = claims
        await self.app(scope, receive, send)


async def _refuse(send: Send, status: int, message: str, www_authenticate: str | None) -> None:
    code = "invalid_token" if status == 401 else "forbidden"
    body = json.dumps({"error": {"code": code, "message": message}}).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    if www_authenticate:
        headers.append((b"www-authenticate", www_authenticate.encode()))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
