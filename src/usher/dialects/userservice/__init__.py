"""The JWT User Service (users, JWT access tokens, custom attributes) under /userservice: the original's paths,
field names and error format."""

from __future__ import annotations

from fastapi import APIRouter

from usher.dialects.userservice import routes, user_routes
from usher.dialects.userservice.errors import render

PREFIX = "/userservice"


def router() -> APIRouter:
    combined = APIRouter(include_in_schema=False)
    combined.include_router(user_routes.router)
    combined.include_router(routes.router)
    return combined


__all__ = ["PREFIX", "render", "router"]
