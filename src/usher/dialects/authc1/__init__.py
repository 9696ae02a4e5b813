"""The authc1 dialect (being built: routes and errors land in this package)."""

from __future__ import annotations

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import Response

from usher.core.errors import UsherError
from usher.http.responses import Json


def router() -> APIRouter:
    return APIRouter()


def render(error: UsherError, request: Request) -> Response:
    return Json({"error": error.code}, status_code=404)


__all__ = ["render", "router"]
