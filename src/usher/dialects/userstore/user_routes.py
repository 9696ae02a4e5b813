"""UserStore's users resource: `POST/GET /1/users`, `GET/PUT/DELETE /1/users/{id}`."""

from __future__ import annotations

from fastapi import APIRouter, Request

from usher.core.mailing import Delivery
from usher.core.models import TOKEN
from usher.dialects.userstore import schemas as s
from usher.dialects.userstore import translate as t
from usher.dialects.userstore.auth import backend_context as _ctx
from usher.dialects.userstore.auth import calling_app, path_id, query
from usher.dialects.userstore.auth import open_call as _open
from usher.http.deps import services
from usher.http.responses import Json

VERIFY_TTL = 24 * 3600
router = APIRouter(prefix="/1/users", include_in_schema=False, default_response_class=Json)


@router.post("")
async def create_user(request: Request) -> Json:
    """The app's backend creates the account (`signup_open` does not apply); with `verify_user` and
    `send_email`, a verification link `verify_url?code=...` is mailed to it."""
    app, body = await _open(request, s.CreateUserRequest)
    options = query(request, s.CreateUserOptions)
    svc, ctx = services(request), _ctx(request)
    user = await svc.accounts.register(app, t.registration(body), ctx, self_service=False)
    if options.verify_url:
        delivery = Delivery(link_template=t.code_link(options.verify_url))
        await svc.verification.send_verification_to(app, user, ctx, fmt=TOKEN, ttl=VERIFY_TTL, delivery=delivery)
    return Json(t.user(user))


@router.get("")
async def list_users(request: Request) -> Json:
    """Oldest first, `limit` (1 to 1000, default 25) from `offset`."""
    app = await calling_app(request)
    options = query(request, s.ListOptions)
    return Json(t.page(await services(request).accounts.list(app.id, options.limit, options.offset)))


@router.get("/{user_id}")
async def read_user(request: Request, user_id: str) -> Json:
    app = await calling_app(request)
    return Json(t.user(await services(request).accounts.get(app.id, path_id(user_id))))


@router.put("/{user_id}")
async def update_user(request: Request, user_id: str) -> Json:
    """Changes what is given; a new email address is unverified until proven."""
    app, body = await _open(request, s.UpdateUserRequest)
    user = await services(request).accounts.update(app, path_id(user_id), t.changes(body), _ctx(request))
    return Json(t.user(user))


@router.delete("/{user_id}")
async def delete_user(request: Request, user_id: str) -> Json:
    """Deletes the account and every session of it."""
    app = await calling_app(request)
    await services(request).accounts.delete(app.id, path_id(user_id), _ctx(request))
    return Json({"id": user_id, "deleted": True})
