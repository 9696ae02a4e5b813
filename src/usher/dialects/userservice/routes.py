"""JWT User Service public endpoints under `/{v}/users/...` (any version segment): health, options, register,
login, accessToken, activate and newPassword. The access-token endpoints live in user_routes.py."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.routing import APIRoute
from starlette.responses import PlainTextResponse
from starlette.routing import Match
from starlette.types import Scope

from usher.core.mailing import Delivery
from usher.core.models import TOKEN
from usher.dialects.userservice import flows
from usher.dialects.userservice import schemas as s
from usher.dialects.userservice import translate as t
from usher.dialects.userservice.auth import current_app, read_with_query
from usher.http.body import read_model
from usher.http.context import request_context
from usher.http.deps import public_url, services
from usher.http.responses import Json

RESET_TTL = 3600
router = APIRouter(include_in_schema=False, default_response_class=Json)


class OptionsOnly(APIRoute):
    """A catch-all that exists for OPTIONS only: other methods on unknown paths stay 404, not 405."""

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        if scope.get("method") != "OPTIONS":
            return Match.NONE, {}
        return super().matches(scope)


async def options() -> PlainTextResponse:
    return PlainTextResponse("options allowed")


for _path in ("/{version}", "/{version}/{rest:path}"):
    router.add_api_route(_path, options, methods=["OPTIONS"], route_class_override=OptionsOnly)


@router.get("/{version}/users/health")
async def health() -> PlainTextResponse:
    return PlainTextResponse("all good")


@router.post("/{version}/users/register")
async def register(request: Request) -> Json:
    """The `Language` header sets the user's language ("en" when absent)."""
    body = await read_model(request, s.RegisterRequest)
    app = await current_app(request)
    user = await flows.register(request, app, body, request_context(request))
    return Json(t.answer(user))


@router.post("/{version}/users/login")
async def login(request: Request) -> Json:
    body = await read_model(request, s.LoginRequest)
    app = await current_app(request)
    pair = await flows.login(request, app, body.email, body.password, request_context(request))
    return Json({"refreshToken": pair.refresh_token, **t.answer(pair.user), "accessToken": pair.access_token})


@router.post("/{version}/users/accessToken")
async def access_token(request: Request) -> Json:
    body = await read_model(request, s.RefreshRequest)
    app = await current_app(request)
    token = await flows.refresh(request, app, body.refreshToken, request_context(request))
    return Json({"status": "success", "accessToken": token})


@router.get("/{version}/users/activate")
@router.post("/{version}/users/activate")
async def activate(request: Request) -> Json:
    """`code` in the JSON body, or in the query (the mailed link is a GET). Using a code twice counts as success."""
    body = await read_with_query(request, s.CodeRequest)
    app = await current_app(request)
    verified = await services(request).verification.verify_token(app, body.code, request_context(request))
    return Json(t.answer(verified.user))


@router.post("/{version}/users/newPassword")
async def new_password(request: Request) -> Json:
    """Mails a one-time reset code and link, never a password; the old password works until the reset is done
    with the native API (`POST /v1/apps/{app}/password/reset`). The answer is the same for every address."""
    body = await read_model(request, s.EmailRequest)
    lang = t.language(request.headers.get("language"))
    app = await current_app(request)
    delivery = Delivery(link_template=t.reset_link(public_url(request), app.id))
    await services(request).recovery.request_reset(
        app, body.email, request_context(request), fmt=TOKEN, ttl=RESET_TTL, delivery=delivery
    )
    return Json(t.decoy(body.email, lang))
