"""The M3O user API (micro's `user` service) under /m3o: the original's paths, field names and error format."""

from __future__ import annotations

from fastapi import APIRouter

from usher.dialects.m3o import mail_routes, routes
from usher.dialects.m3o.errors import render

PREFIX = "/m3o"


def router() -> APIRouter:
    combined = APIRouter(include_in_schema=False)
    combined.include_router(routes.router)
    combined.include_router(mail_routes.router)
    combined.include_router(mail_routes.pages)
    return combined


__all__ = ["PREFIX", "render", "router"]
