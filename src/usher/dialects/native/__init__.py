"""usher's own API under /v1; the Python SDK speaks this one."""

from __future__ import annotations

from fastapi import APIRouter

from usher.dialects.native import admin, audit_routes, email_routes, recovery_routes, routes, token_routes
from usher.dialects.native.errors import render

PREFIX = "/v1"


def router() -> APIRouter:
    combined = APIRouter(prefix=PREFIX)
    combined.include_router(routes.router)
    combined.include_router(token_routes.router)
    combined.include_router(email_routes.router)
    combined.include_router(recovery_routes.router)
    combined.include_router(admin.router)
    combined.include_router(audit_routes.router)
    return combined


__all__ = ["PREFIX", "render", "router"]
