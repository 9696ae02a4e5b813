"""The native error format: {"error": {"code", "message", "request_id"}} with SPEC §6.5 statuses."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from usher.core import errors as core
from usher.http import errors as edge
from usher.http.context import request_id
from usher.http.responses import Json


def status_of(error: core.UsherError) -> int:
    return edge.status_for(error)


def render(error: core.UsherError, request: Request) -> Response:
    status = status_of(error)
    body = {"error": {"code": error.code, "message": error.message, "request_id": request_id(request)}}
    headers = {}
    if isinstance(error, core.RateLimited | core.Unavailable):
        headers["Retry-After"] = str(error.retry_after)
    if status == 401:
        headers["WWW-Authenticate"] = "Bearer"
    return Json(body, status_code=status, headers=headers)
