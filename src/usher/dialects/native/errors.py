"""The native error format: {"error": {"code", "message", "request_id"}} with SPEC §6.5 statuses."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from usher.core import errors as core
from usher.http import errors as edge
from usher.http.context import request_id
from usher.http.responses import Json

_STATUS: list[tuple[type[core.UsherError], int]] = [
    (core.InvalidInput, 400),
    (core.InvalidCode, 400),
    (core.InvalidCredentials, 401),
    (core.Unauthenticated, 401),
    (core.InvalidSession, 401),
    (core.InvalidToken, 401),
    (core.Forbidden, 403),
    (core.AccountDisabled, 403),
    (core.EmailNotVerified, 403),
    (core.NotFound, 404),
    (edge.RouteNotFound, 404),
    (edge.MethodNotAllowed, 405),
    (core.Conflict, 409),
    (edge.PayloadTooLarge, 413),
    (core.RateLimited, 429),
    (core.Unavailable, 503),
]


def status_of(error: core.UsherError) -> int:
    for kind, status in _STATUS:
        if isinstance(error, kind):
            return status
    return 500


def render(error: core.UsherError, request: Request) -> Response:
    status = status_of(error)
    body = {"error": {"code": error.code, "message": error.message, "request_id": request_id(request)}}
    headers = {}
    if isinstance(error, core.RateLimited | core.Unavailable):
        headers["Retry-After"] = str(error.retry_after)
    if status == 401:
        headers["WWW-Authenticate"] = "Bearer"
    return Json(body, status_code=status, headers=headers)
