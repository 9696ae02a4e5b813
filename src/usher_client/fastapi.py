"""FastAPI glue: `require_user(verifier, min_permission=...)` as a dependency, and `CurrentUser` for the common case.

    verifier = TokenVerifier("https://auth.example.com", "notes")
    app = FastAPI()
    install(app, verifier)

    @app.get("/notes")
    async def notes(user: CurrentUser) -> list[Note]: ...

Needs FastAPI (imported only here, so the rest of usher_client works without it).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import Depends, FastAPI, HTTPException, Request

from usher_client.asgi import bearer_of, challenge
from usher_client.claims import Claims
from usher_client.errors import InvalidToken
from usher_client.verifier import TokenVerifier

STATE_KEY = "usher_verifier"


def install(app: FastAPI, verifier: TokenVerifier) -> None:
    """Make `verifier` the one `CurrentUser` and `require_user()` without a verifier use."""
    setattr(app.state, STATE_KEY, verifier)


def _verifier_of(request: Request, given: TokenVerifier | None) -> TokenVerifier:
    verifier = given or getattr(request.app.state, STATE_KEY, None)
    if not isinstance(verifier, TokenVerifier):
        raise RuntimeError("no TokenVerifier: call usher_client.fastapi.install(app, verifier) or pass one")
    return verifier


def require_user(
    verifier: TokenVerifier | None = None, *, min_permission: int = 0
) -> Callable[[Request], Awaitable[Claims]]:
    """A dependency answering the caller's Claims: 401 (WWW-Authenticate: Bearer) without a valid access token,
    403 when their `permission_level` is below `min_permission`."""

    async def current_user(request: Request) -> Claims:
        token = bearer_of(request.headers.get("authorization"))
        if token is None:
            raise HTTPException(401, "a Bearer access token is required", {"WWW-Authenticate": challenge(None)})
        try:
            claims = await _verifier_of(request, verifier).verify_async(token)
        except InvalidToken as error:
            raise HTTPException(401, error.message, {"WWW-Authenticate": challenge("invalid_token")}) from error
        if claims.permission_level < min_permission:
            raise HTTPException(403, "permission level too low")
        return claims

    return current_user


CurrentUser = Annotated[Claims, Depends(require_user())]
