"""Native admin API: manage an app's users with its secret key or an admin user's session token."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from starlette.responses import Response

from usher.core.accounts import Registration
from usher.core.models import UserChanges
from usher.dialects.native import schemas as s
from usher.dialects.native.guards import app_admin
from usher.dialects.native.translate import page_out, user_out
from usher.http.deps import services
from usher.http.fields import PathId
from usher.http.responses import empty

router = APIRouter(prefix="/apps/{app_id}/users", tags=["admin"])


@router.get("", response_model=s.UserPageOut, responses=s.ERRORS)
async def list_users(
    app_id: PathId,
    request: Request,
    limit: Annotated[int, Query(ge=0, le=1000)] = 25,
    offset: Annotated[int, Query(ge=0, le=2**53)] = 0,
) -> s.UserPageOut:
    """The app's users, oldest first, `limit` (at most 1000) from `offset`."""
    await app_admin(request, app_id)
    return page_out(await services(request).accounts.list(app_id, limit, offset))


@router.post("", status_code=201, response_model=s.UserOut, responses=s.ERRORS)
async def create_user(app_id: PathId, body: s.AdminCreateUserRequest, request: Request) -> s.UserOut:
    """Create a user (no sign-in); the password may be left out for passwordless accounts."""
    admin = await app_admin(request, app_id)
    registration = Registration(**body.model_dump(exclude={"id"}), user_id=body.id)
    user = await services(request).accounts.register(admin.app, registration, admin.ctx, self_service=False)
    return user_out(user)


@router.get("/{user_id}", response_model=s.UserOut, responses=s.ERRORS)
async def read_user(app_id: PathId, user_id: PathId, request: Request) -> s.UserOut:
    await app_admin(request, app_id)
    return user_out(await services(request).accounts.get(app_id, user_id))


@router.patch("/{user_id}", response_model=s.UserOut, responses=s.ERRORS)
async def update_user(app_id: PathId, user_id: PathId, body: s.AdminUpdateUserRequest, request: Request) -> s.UserOut:
    admin = await app_admin(request, app_id)
    changes = UserChanges(**body.model_dump(exclude_unset=True))
    user = await services(request).accounts.update(admin.app, user_id, changes, admin.ctx)
    return user_out(user)


@router.delete("/{user_id}", status_code=204, responses=s.ERRORS)
async def delete_user(app_id: PathId, user_id: PathId, request: Request) -> Response:
    """Delete a user and every session of theirs."""
    admin = await app_admin(request, app_id)
    await services(request).accounts.delete(app_id, user_id, admin.ctx)
    return empty()


@router.post("/{user_id}/disable", response_model=s.UserOut, responses=s.ERRORS)
async def disable_user(app_id: PathId, user_id: PathId, request: Request) -> s.UserOut:
    """Block sign-in and revoke every session of the user."""
    admin = await app_admin(request, app_id)
    return user_out(await services(request).accounts.set_disabled(app_id, user_id, True, admin.ctx))


@router.post("/{user_id}/enable", response_model=s.UserOut, responses=s.ERRORS)
async def enable_user(app_id: PathId, user_id: PathId, request: Request) -> s.UserOut:
    admin = await app_admin(request, app_id)
    return user_out(await services(request).accounts.set_disabled(app_id, user_id, False, admin.ctx))


@router.post("/{user_id}/signout-everywhere", status_code=204, responses=s.ERRORS)
async def sign_out_user(app_id: PathId, user_id: PathId, request: Request) -> Response:
    """Revoke every session of the user."""
    admin = await app_admin(request, app_id)
    await services(request).auth.sign_out_everywhere(app_id, user_id, admin.ctx)
    return empty()
