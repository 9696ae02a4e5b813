"""The AuthC1 email API under /authc1: the original's paths, field names, token answers and error format."""

from __future__ import annotations

from fastapi import APIRouter

from usher.dialects.authc1 import routes
from usher.dialects.authc1.errors import render

PREFIX = "/authc1"


def router() -> APIRouter:
    combined = APIRouter(include_in_schema=False)
    combined.include_router(routes.router)
    return combined


__all__ = ["PREFIX", "render", "router"]
