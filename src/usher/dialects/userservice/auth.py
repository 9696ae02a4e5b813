"""Who calls the JWT User Service: its one app (`USHER_USERSERVICE_APP`) and, on marked routes, the user whose
access token comes in `Authorization: Bearer <accessToken>`."""

from __future__ import annotations

from typing import TypeVar

from pydantic import BaseModel
from starlette.requests import Request

from usher.core.errors import Unauthenticated
from usher.core.models import App, VerifiedAccess
from usher.http.body import read_payload, validate
from usher.http.deps import bearer, services

M = TypeVar("M", bound=BaseModel)
DIALECT = "userservice"
DEFAULT_APP = "default"


def app_id(request: Request) -> str:
    """The app named by `USHER_USERSERVICE_APP` (default `default`): this API's requests carry no app."""
    configured: dict[str, str] = getattr(request.app.state, "dialect_apps", None) or {}
    return configured.get(DIALECT) or DEFAULT_APP


async def current_app(request: Request) -> App:
    return await services(request).apps.get(app_id(request))


async def signed_in(request: Request) -> tuple[App, VerifiedAccess]:
    """The app and the verified access token (its session still live); 401 for a missing or bad token."""
    token = bearer(request)
    if token is None:
        raise Unauthenticated("missing access token")
    app = await current_app(request)
    return app, await services(request).tokens.verify_access(app.id, token)


async def read_with_query(request: Request, model: type[M]) -> M:
    """The JSON body, with query parameters filling what it leaves out (GET activate, DELETE attributes)."""
    payload = await read_payload(request)
    return validate(model, {**request.query_params, **payload})
