"""JWT User Service endpoints that need `Authorization: Bearer <accessToken>`: attributes, profile and status."""

from __future__ import annotations

from fastapi import APIRouter, Request

from usher.dialects.userservice import schemas as s
from usher.dialects.userservice import translate as t
from usher.dialects.userservice.auth import read_with_query, signed_in
from usher.http.body import read_model
from usher.http.context import request_context
from usher.http.deps import services
from usher.http.responses import Json

router = APIRouter(prefix="/{version}/users", include_in_schema=False, default_response_class=Json)


@router.post("/attributes")
async def set_attribute(request: Request) -> Json:
    """Creates the attribute, or replaces the value of the one with that key."""
    app, access = await signed_in(request)
    body = await read_model(request, s.AttributeRequest)
    accounts = services(request).accounts
    await accounts.set_attribute(app.id, access.user.id, body.attributeKey, body.attributeText)
    return Json(t.answer(access.user, await accounts.attributes(app.id, access.user.id)))


@router.get("/attributes")
async def list_attributes(request: Request) -> Json:
    """The bare `{key: value}` map."""
    app, access = await signed_in(request)
    return Json(t.attribute_map(await services(request).accounts.attributes(app.id, access.user.id)))


@router.delete("/attributes")
async def delete_attribute(request: Request) -> Json:
    """By `attributeId` (the database id), else `attributeKey`, else `attributeText` (both the key); one is
    required (400). An unknown attribute is a 400 `{"error": "attribute not found"}`."""
    app, access = await signed_in(request)
    body = await read_with_query(request, s.AttributeRef)
    accounts = services(request).accounts
    await accounts.delete_attribute(app.id, access.user.id, key=body.key, attribute_id=body.attributeId)
    return Json(t.answer(access.user, await accounts.attributes(app.id, access.user.id)))


@router.get("/profile")
async def profile(request: Request) -> Json:
    app, access = await signed_in(request)
    return Json(t.answer(access.user, await services(request).accounts.attributes(app.id, access.user.id)))


@router.post("/profile")
async def update_profile(request: Request) -> Json:
    """Sets both names; a name not passed is cleared to "" (the original's nil)."""
    app, access = await signed_in(request)
    body = await read_model(request, s.ProfileRequest)
    accounts = services(request).accounts
    user = await accounts.update(app, access.user.id, t.profile_changes(body), request_context(request))
    return Json(t.answer(user, await accounts.attributes(app.id, user.id)))


@router.get("/status")
async def status(request: Request) -> Json:
    """The current user, without attributes."""
    _, access = await signed_in(request)
    return Json(t.answer(access.user))
