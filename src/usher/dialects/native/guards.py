"""Who is calling the native API: a signed-in user (session token) or an app admin (secret key or admin user)."""

from __future__ import annotations

from dataclasses import dataclass

from starlette.requests import Request

from usher.core.apps import looks_like_secret_key
from usher.core.errors import Forbidden, InvalidSession, Unauthenticated
from usher.core.models import App, AuthenticatedSession, RequestContext
from usher.http.context import request_context
from usher.http.deps import bearer, services


async def signed_in(request: Request, app_id: str) -> AuthenticatedSession:
    """The live session named by the Bearer token, which must belong to the app in the path."""
    token = bearer(request)
    if token is None:
        raise InvalidSession("missing session token")
    return await services(request).auth.authenticate(app_id, token)


@dataclass(frozen=True, slots=True)
class Admin:
    app: App
    ctx: RequestContext  # an app backend's X-Forwarded-For is believed; an admin user's is not


async def app_admin(request: Request, app_id: str) -> Admin:
    """The app, if the caller holds its secret key or is signed in as one of its admins."""
    credential = bearer(request)
    if credential is None:
        raise Unauthenticated("an app secret key or an admin's session token is required")
    apps = services(request).apps
    if looks_like_secret_key(credential):
        app = await apps.authenticate_key(credential)
        if app.id != app_id:
            raise Unauthenticated("invalid app secret key")
        return Admin(app, request_context(request, app_backend=True))
    found = await services(request).auth.authenticate(app_id, credential)
    if not found.user.is_admin:
        raise Forbidden("admin rights are required")
    return Admin(await apps.get(app_id), request_context(request))
