"""Who calls the M3O API: the app's own backend, named by `Authorization: Bearer <app secret key>`."""

from __future__ import annotations

from starlette.requests import Request

from usher.core.errors import InvalidSession, Unauthenticated
from usher.core.models import App, AuthenticatedSession
from usher.http.deps import bearer, services


async def calling_app(request: Request) -> App:
    """The app whose secret key the caller holds; 401 for a missing or wrong key."""
    key = bearer(request)
    if key is None:
        raise Unauthenticated("missing app secret key")
    return await services(request).apps.authenticate_key(key)


async def live_session(request: Request, app: App, token: str) -> AuthenticatedSession:
    """The live session behind a token, which must belong to the calling app (another app's is unknown)."""
    found = await services(request).auth.authenticate(token)
    if found.session.app_id != app.id:
        raise InvalidSession()
    return found
