"""The UserStore auth API under /userstore: the original's paths, field names and error format."""

from __future__ import annotations

from fastapi import APIRouter

from usher.dialects.userstore import auth_routes, user_routes
from usher.dialects.userstore.errors import render

PREFIX = "/userstore"


def router() -> APIRouter:
    combined = APIRouter(include_in_schema=False)
    combined.include_router(auth_routes.router)
    combined.include_router(user_routes.router)
    return combined


__all__ = ["PREFIX", "render", "router"]
