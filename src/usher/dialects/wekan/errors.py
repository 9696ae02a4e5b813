"""WeKan's error bodies and the one map from core errors to them.

`/users/login` and `/users/register` answer like Meteor's REST accounts package: `{"error", "reason"}`
(login failures `login-failed`, duplicates a numeric 403 under status 400). Everything else (`/api/*`,
unknown paths) answers with a serialised Meteor.Error carrying the real status:
`{"isClientSafe", "error", "reason", "message", "errorType", "statusCode"}`.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from usher.core import errors as core
from usher.http import errors as edge
from usher.http.responses import Json

PREFIX = "/wekan"
LOGIN_FAILED = "Incorrect username, email address or password."
# Where the original differs from the usual statuses (usher.http.errors.STATUSES).
_STATUS_OVERRIDES: dict[type[core.UsherError], int] = {core.Conflict: 400}
# The `error` of a Meteor.Error for each status, as WeKan's API throws them.
_NAMES = {
    400: "bad-request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "not-found",
    405: "method-not-allowed",
    413: "payload-too-large",
    429: "too-many-requests",
    503: "service-unavailable",
    500: "internal-server-error",
}
_CONFLICT = {"email": "Email already exists.", "username": "Username already exists."}


def status_of(error: core.UsherError) -> int:
    return edge.status_for(error, _STATUS_OVERRIDES)


def reason_of(error: core.UsherError, status: int) -> str:
    if isinstance(error, core.InvalidCredentials):
        return LOGIN_FAILED
    if isinstance(error, core.Conflict):
        return _CONFLICT.get(error.field, "User already exists.")
    if isinstance(error, core.InvalidSession | core.Unauthenticated):
        return "Unauthorized"
    if status == 500:
        return "Internal server error"
    return error.message


def is_accounts_path(path: str) -> bool:
    """`/users/...` below the prefix or at the root mount: Meteor's accounts routes, not WeKan's API."""
    return path.removeprefix(PREFIX).startswith("/users/")


def accounts_body(error: core.UsherError, status: int) -> dict[str, Any]:
    if isinstance(error, core.InvalidCredentials):
        return {"error": "login-failed", "reason": LOGIN_FAILED}
    if isinstance(error, core.Conflict):
        return {"error": 403, "reason": reason_of(error, status)}  # Meteor's createUser error, status 400
    return {"error": status, "reason": reason_of(error, status)}


def api_body(error: core.UsherError, status: int) -> dict[str, Any]:
    name = _NAMES.get(status, "error")
    reason = reason_of(error, status)
    return {
        "isClientSafe": True,
        "error": name,
        "reason": reason,
        "message": f"{reason} [{name}]",
        "errorType": "Meteor.Error",
        "statusCode": status,
    }


def render(error: core.UsherError, request: Request) -> Response:
    status = status_of(error)
    accounts = is_accounts_path(request.url.path)
    body = accounts_body(error, status) if accounts else api_body(error, status)
    headers = {}
    if isinstance(error, core.RateLimited | core.Unavailable):
        headers["Retry-After"] = str(error.retry_after)
    return Json(body, status_code=status, headers=headers)
