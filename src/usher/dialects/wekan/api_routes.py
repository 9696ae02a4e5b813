"""WeKan's user API under `/api`: the caller's own document, and admin-only user management."""

from __future__ import annotations

from fastapi import APIRouter, Request

from usher.core.errors import NotFound
from usher.core.models import App, User
from usher.dialects.wekan import schemas as s
from usher.dialects.wekan import translate as t
from usher.dialects.wekan.auth import admin, path_id, signed_in
from usher.http.body import read_model
from usher.http.context import request_context
from usher.http.deps import services
from usher.http.responses import Json

PAGE = 1000
router = APIRouter(prefix="/api", include_in_schema=False, default_response_class=Json)


@router.get("/user")
async def own_user(request: Request) -> Json:
    _, found = await signed_in(request)
    return Json(t.document(found.user))


@router.get("/users")
async def list_users(request: Request) -> Json:
    """Every user of the app, oldest first."""
    app, _ = await admin(request)
    return Json([t.summary(user) for user in await _all_users(request, app)])


@router.get("/users/{user}")
async def read_user(request: Request, user: str) -> Json:
    """By id, else by username."""
    app, _ = await admin(request)
    return Json(t.document(await _id_or_username(request, app, path_id(user))))


@router.post("/users")
async def create_user(request: Request) -> Json:
    """An admin creates an account (no sign-in, whether or not self-registration is open)."""
    app, _ = await admin(request)
    body = await read_model(request, s.NewUserRequest, allow_form=True)
    reg = t.registration(body)
    user = await services(request).accounts.register(app, reg, request_context(request), self_service=False)
    return Json({"_id": user.id})


@router.delete("/users/{user_id}")
async def delete_user(request: Request, user_id: str) -> Json:
    app, _ = await admin(request)
    await services(request).accounts.delete(app.id, path_id(user_id), request_context(request))
    return Json({"_id": user_id})


@router.put("/users/{user_id}")
@router.put("/user/{user_id}")
async def set_login(request: Request, user_id: str) -> Json:
    """`disableLogin` (which ends every session of the user; an admin cannot disable itself) or `enableLogin`."""
    app, found = await admin(request)
    body = await read_model(request, s.ActionRequest, allow_form=True)
    disabled = body.action == "disableLogin"
    user = await services(request).accounts.set_disabled(
        app.id, path_id(user_id), disabled, request_context(request), actor_id=found.user.id
    )
    return Json(t.document(user))


async def _all_users(request: Request, app: App) -> list[User]:
    accounts, found, offset = services(request).accounts, [], 0
    while True:
        page = await accounts.list(app.id, PAGE, offset)
        found.extend(page.users)
        offset += len(page.users)
        if len(page.users) < PAGE or offset >= page.total:
            return found


async def _id_or_username(request: Request, app: App, key: str) -> User:
    accounts = services(request).accounts
    try:
        return await accounts.get(app.id, key)
    except NotFound:
        return await accounts.find(app.id, username=key)
