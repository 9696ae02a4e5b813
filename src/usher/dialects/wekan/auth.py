"""Who calls WeKan: nobody names an app (the one set by `USHER_WEKAN_APP` serves), and users carry their login
token as `Authorization: Bearer <token>` or `?access_token=<token>`."""

from __future__ import annotations

import unicodedata

from starlette.requests import Request

from usher.core.errors import Forbidden, InvalidSession, NotFound
from usher.core.models import App, AuthenticatedSession
from usher.http.deps import bearer, services

DEFAULT_APP = "default"
MAX_PATH_ID = 128


async def wekan_app(request: Request) -> App:
    """The app this dialect serves (SPEC §1 `USHER_WEKAN_APP`)."""
    apps: dict[str, str] = getattr(request.app.state, "dialect_apps", {})
    return await services(request).apps.get(apps.get("wekan", DEFAULT_APP))


def login_token(request: Request) -> str | None:
    return bearer(request) or request.query_params.get("access_token") or None


async def signed_in(request: Request) -> tuple[App, AuthenticatedSession]:
    """The app and the live session behind the caller's login token; 401 without one."""
    token = login_token(request)
    if token is None:
        raise InvalidSession("missing login token")
    app = await wekan_app(request)
    return app, await services(request).auth.authenticate(app.id, token)


async def admin(request: Request) -> tuple[App, AuthenticatedSession]:
    """As signed_in, for an admin of the app only (403 for anyone else)."""
    app, found = await signed_in(request)
    if not found.user.is_admin:
        raise Forbidden("Forbidden")
    return app, found


def path_id(value: str) -> str:
    """A user id or username from the path; one that no account could have is simply not found."""
    if not value or len(value) > MAX_PATH_ID or any(unicodedata.category(ch)[0] == "C" for ch in value):
        raise NotFound("user", "User not found")
    return value
