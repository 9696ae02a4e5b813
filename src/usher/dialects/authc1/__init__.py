"""The AuthC1 email API under /authc1: the original's paths, field names, token answers and error format."""

from __future__ import annotations

from fastapi import APIRouter

from usher.dialects.authc1 import routes
from usher.dialects.authc1.errors import render

PREFIX = "/authc1"


def routers() -> list[APIRouter]:
    """The routers, in matching order; create_app includes each one directly (FastAPI matches nested
    routers level by level, so one level less is a faster route to every endpoint)."""
    return [routes.router]


__all__ = ["PREFIX", "render", "routers"]
