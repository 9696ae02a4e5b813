"""Who calls the M3O API: the app's own backend, named by `Authorization: Bearer <app secret key>`."""

from __future__ import annotations

from typing import TypeVar

from pydantic import BaseModel
from starlette.requests import Request

from usher.core.errors import Unauthenticated
from usher.core.models import App, AuthenticatedSession, RequestContext
from usher.http.body import read_model
from usher.http.context import request_context
from usher.http.deps import bearer, services

M = TypeVar("M", bound=BaseModel)


async def calling_app(request: Request) -> App:
    """The app whose secret key the caller holds; 401 for a missing or wrong key."""
    key = bearer(request)
    if key is None:
        raise Unauthenticated("missing app secret key")
    return await services(request).apps.authenticate_key(key)


async def live_session(request: Request, app: App, token: str) -> AuthenticatedSession:
    """The live session behind a token, which must belong to the calling app (another app's is unknown)."""
    return await services(request).auth.authenticate(app.id, token)


async def open_call(request: Request, model: type[M]) -> tuple[App, M]:
    """The calling app (its key is checked before the body is read) and the parsed body."""
    app = await calling_app(request)
    return app, await read_model(request, model)


def backend_context(request: Request) -> RequestContext:
    """The caller is the app's backend, so the end user's address comes in X-Forwarded-For (SPEC §2)."""
    return request_context(request, app_backend=True)
