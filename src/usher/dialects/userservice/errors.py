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

# Where the original differs from the usual statuses (usher.http.errors.STATUSES).
_STATUS_OVERRIDES: dict[type[core.UsherError], int] = {core.Conflict: 400, core.NotFound: 400}
_INTERNAL = "internal error"


def status_of(error: core.UsherError) -> int:
    return edge.status_for(error, _STATUS_OVERRIDES)


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
