"""M3O user endpoints: `POST /v1/user/{Endpoint}`, each parse, one service call, translate.

The mail endpoints live in mail_routes.py.
"""

from __future__ import annotations

from fastapi import APIRouter, Request

from usher.dialects.m3o import schemas as s
from usher.dialects.m3o import translate as t
from usher.dialects.m3o.auth import backend_context as _ctx
from usher.dialects.m3o.auth import live_session
from usher.dialects.m3o.auth import open_call as _open
from usher.http.deps import services
from usher.http.responses import Json

SESSION_TTL = 7 * 24 * 3600  # M3O's documented session lifetime; an app's own setting wins
router = APIRouter(prefix="/v1/user", include_in_schema=False, default_response_class=Json)


@router.post("/Create")
async def create(request: Request) -> Json:
    app, body = await _open(request, s.CreateRequest)
    ctx = _ctx(request)
    # The app's own backend creates the account (secret key), so `signup_open` does not apply, as for an admin.
    user = await services(request).accounts.register(app, t.registration(body), ctx, self_service=False)
    return Json({"account": t.account(user)})


@router.post("/Read")
async def read(request: Request) -> Json:
    app, body = await _open(request, s.ReadRequest)
    user = await services(request).accounts.find(app.id, user_id=body.id, username=body.username, email=body.email)
    return Json({"account": t.account(user)})


@router.post("/Update")
async def update(request: Request) -> Json:
    app, body = await _open(request, s.UpdateRequest)
    ctx = _ctx(request)
    await services(request).accounts.update(app, body.id, t.changes(body), ctx)
    return Json({})


@router.post("/Delete")
async def delete(request: Request) -> Json:
    app, body = await _open(request, s.IdRequest)
    await services(request).accounts.delete(app.id, body.id, _ctx(request))
    return Json({})


@router.post("/List")
async def list_users(request: Request) -> Json:
    app, body = await _open(request, s.ListRequest)
    page = await services(request).accounts.list(app.id, body.limit, body.offset)
    return Json({"users": [t.account(user) for user in page.users]})


@router.post("/Login")
async def login(request: Request) -> Json:
    app, body = await _open(request, s.LoginRequest)
    ctx = _ctx(request)
    result = await services(request).auth.sign_in(app, body.identifier, body.password, ctx, session_ttl=SESSION_TTL)
    return Json({"session": t.session(result.issued.session, result.issued.token)})


@router.post("/Logout")
async def logout(request: Request) -> Json:
    app, body = await _open(request, s.SessionRequest)
    await services(request).auth.sign_out(app.id, body.session_id, _ctx(request))
    return Json({})


@router.post("/LogoutAll")
async def logout_all(request: Request) -> Json:
    app, body = await _open(request, s.UserRequest)
    await services(request).auth.sign_out_everywhere(app.id, body.user_id, _ctx(request))
    return Json({})


@router.post("/ReadSession")
async def read_session(request: Request) -> Json:
    app, body = await _open(request, s.SessionRequest)
    found = await live_session(request, app, body.session_id)
    return Json({"session": t.session(found.session, body.session_id), "account": t.account(found.user)})


@router.post("/UpdatePassword")
async def update_password(request: Request) -> Json:
    """UpdatePassword carries no session, so every session of the user is revoked."""
    app, body = await _open(request, s.UpdatePasswordRequest)
    ctx = _ctx(request)
    await services(request).accounts.change_password(
        app, body.user_id, body.new_password, ctx, old_password=body.old_password
    )
    return Json({})
