"""The JWT User Service (users, JWT access tokens, custom attributes) under /userservice: the original's paths,
field names and error format."""

from __future__ import annotations

from fastapi import APIRouter

from usher.dialects.userservice import routes, user_routes
from usher.dialects.userservice.errors import render

PREFIX = "/userservice"


def routers() -> list[APIRouter]:
    """The routers, in matching order; create_app includes each one directly (FastAPI matches nested
    routers level by level, so one level less is a faster route to every endpoint)."""
    return [user_routes.router, routes.router]


__all__ = ["PREFIX", "render", "routers"]
