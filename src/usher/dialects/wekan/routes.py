"""WeKan's accounts routes: `POST /users/register` and `POST /users/login`, JSON or form-encoded."""

from __future__ import annotations

from fastapi import APIRouter, Request

from usher.dialects.wekan import schemas as s
from usher.dialects.wekan import translate as t
from usher.dialects.wekan.auth import wekan_app
from usher.http.body import read_model
from usher.http.context import request_context
from usher.http.deps import services
from usher.http.responses import Json

SESSION_TTL = 90 * 24 * 3600  # Meteor's default login expiration; an app's own setting wins
router = APIRouter(prefix="/users", include_in_schema=False, default_response_class=Json)


@router.post("/register")
async def register(request: Request) -> Json:
    """A new account and its login token; the app's first account becomes its admin (SPEC §6.12)."""
    app = await wekan_app(request)
    body = await read_model(request, s.NewUserRequest, allow_form=True)
    reg = t.registration(body, first_user_admin=True)
    result = await services(request).accounts.sign_up(app, reg, request_context(request), session_ttl=SESSION_TTL)
    return Json(t.login(result.user.id, result.issued))


@router.post("/login")
async def login(request: Request) -> Json:
    """A disabled account, a wrong password and an unknown user all fail alike (401 `login-failed`)."""
    app = await wekan_app(request)
    body = await read_model(request, s.LoginRequest, allow_form=True)
    ctx = request_context(request)
    result = await services(request).auth.sign_in(app, body.identifier, body.password, ctx, session_ttl=SESSION_TTL)
    return Json(t.login(result.user.id, result.issued))
