"""usher's own API under /v1; the Python SDK speaks this one."""

from __future__ import annotations

from fastapi import APIRouter

from usher.dialects.native import admin, audit_routes, email_routes, recovery_routes, routes, token_routes
from usher.dialects.native.errors import render

PREFIX = "/v1"


def routers() -> list[APIRouter]:
    """The routers, in matching order; create_app includes each one directly (FastAPI matches nested
    routers level by level, so one level less is a faster route to every endpoint)."""
    return [
        routes.router,
        token_routes.router,
        email_routes.router,
        recovery_routes.router,
        admin.router,
        audit_routes.router,
    ]


__all__ = ["PREFIX", "render", "routers"]
