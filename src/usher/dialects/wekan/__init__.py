"""The WeKan users API under /wekan: the original's paths, user documents and error bodies."""

from __future__ import annotations

from fastapi import APIRouter

from usher.dialects.wekan import api_routes, routes
from usher.dialects.wekan.errors import PREFIX, render


def routers() -> list[APIRouter]:
    """The routers, in matching order; create_app includes each one directly (FastAPI matches nested
    routers level by level, so one level less is a faster route to every endpoint)."""
    return [routes.router, api_routes.router]


__all__ = ["PREFIX", "render", "routers"]
