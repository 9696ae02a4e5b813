"""The UserStore auth API under /userstore: the original's paths, field names and error format."""

from __future__ import annotations

from fastapi import APIRouter

from usher.dialects.userstore import auth_routes, user_routes
from usher.dialects.userstore.errors import render

PREFIX = "/userstore"


def routers() -> list[APIRouter]:
    """The routers, in matching order; create_app includes each one directly (FastAPI matches nested
    routers level by level, so one level less is a faster route to every endpoint)."""
    return [auth_routes.router, user_routes.router]


__all__ = ["PREFIX", "render", "routers"]
