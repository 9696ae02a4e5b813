"""The JWT User Service's error format `{"error": "<reason>"}` and the one map from core errors to it.

400 is the default; 401 for bad credentials and a missing, invalid or expired access or refresh token.
A missing attribute (`NotFound`) is a 400 too: the original knows only 400 and 401 for client errors.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from usher.core import errors as core
from usher.http import errors as edge
from usher.http.responses import Json

_STATUS: list[tuple[type[core.UsherError], int]] = [
    (core.InvalidInput, 400),
    (core.InvalidCode, 400),
    (core.Conflict, 400),
    (core.NotFound, 400),
    (core.InvalidCredentials, 401),
    (core.Unauthenticated, 401),
    (core.InvalidSession, 401),
    (core.InvalidToken, 401),
    (core.Forbidden, 403),
    (core.AccountDisabled, 403),
    (core.EmailNotVerified, 403),  # SPEC §6.11: after the password check, so it reveals nothing
    (edge.RouteNotFound, 404),
    (edge.MethodNotAllowed, 405),
    (edge.PayloadTooLarge, 413),
    (core.RateLimited, 429),
    (core.Unavailable, 503),
]
_INTERNAL = "internal error"


def status_of(error: core.UsherError) -> int:
    for kind, status in _STATUS:
        if isinstance(error, kind):
            return status
    return 500


def reason_of(error: core.UsherError, status: int) -> str:
    if status == 500:
        return _INTERNAL
    if isinstance(error, core.InvalidCode):
        return "code expired" if error.reason == "expired" else "invalid code"
    return error.message


def render(error: core.UsherError, request: Request) -> Response:
    status = status_of(error)
    headers = {}
    if isinstance(error, core.RateLimited | core.Unavailable):
        headers["Retry-After"] = str(error.retry_after)
    if status == 401:
        headers["WWW-Authenticate"] = "Bearer"
    return Json({"error": reason_of(error, status)}, status_code=status, headers=headers)
