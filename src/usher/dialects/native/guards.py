"""Who is calling the native API: a signed-in user (session or access token) or an app admin (secret key or admin
user)."""

from __future__ import annotations

from dataclasses import dataclass

from starlette.requests import Request

from usher.core.apps import looks_like_secret_key
from usher.core.errors import Forbidden, InvalidSession, Unauthenticated
from usher.core.models import App, AuthenticatedSession, RequestContext
from usher.http.context import request_context
from usher.http.deps import bearer, services


def is_access_token(credential: str) -> bool:
    """A JWT (header.payload.signature); session tokens and secret keys never hold a dot."""
    return credential.count(".") == 2


async def signed_in(request: Request, app_id: str) -> AuthenticatedSession:
    """The live session behind the Bearer session or access token, which must belong to the app in the path."""
    token = bearer(request)
    if token is None:
        raise InvalidSession("missing session token")
    return await _user_session(request, app_id, token)


async def _user_session(request: Request, app_id: str, credential: str) -> AuthenticatedSession:
    """An access token counts only while its session lives (SPEC §6.9), so sign-out ends it here too."""
    if is_access_token(credential):
        verified = await services(request).tokens.verify_access(app_id, credential)
        return AuthenticatedSession(session=verified.session, user=verified.user)
    return await services(request).auth.authenticate(app_id, credential)


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
    found = await _user_session(request, app_id, credential)
    if not found.user.is_admin:
        raise Forbidden("admin rights are required")
    return Admin(await apps.get(app_id), request_context(request))
