"""The WeKan users API under /wekan: the original's paths, user documents and error bodies."""

from __future__ import annotations

from fastapi import APIRouter

from usher.dialects.wekan import api_routes, routes
from usher.dialects.wekan.errors import PREFIX, render


def router() -> APIRouter:
    combined = APIRouter(include_in_schema=False)
    combined.include_router(routes.router)
    combined.include_router(api_routes.router)
    return combined


__all__ = ["PREFIX", "render", "router"]
