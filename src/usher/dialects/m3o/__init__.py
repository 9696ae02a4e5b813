"""The M3O user API (micro's `user` service) under /m3o: the original's paths, field names and error format."""

from __future__ import annotations

from fastapi import APIRouter

from usher.dialects.m3o import mail_routes, routes
from usher.dialects.m3o.errors import render

PREFIX = "/m3o"


def routers() -> list[APIRouter]:
    """The routers, in matching order; create_app includes each one directly (FastAPI matches nested
    routers level by level, so one level less is a faster route to every endpoint)."""
    return [routes.router, mail_routes.router, mail_routes.pages]


__all__ = ["PREFIX", "render", "routers"]
