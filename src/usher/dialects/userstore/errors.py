"""UserStore's error format `{"error": "<snake_code>", "message": "..."}` and the one map from core errors to it.

Validation errors add the original's `validation_error` list, one `{"field", "message"}` entry per bad field.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from usher.core import errors as core
from usher.http import errors as edge
from usher.http.responses import Json

# Where the original differs from the usual statuses (usher.http.errors.STATUSES).
_STATUS_OVERRIDES: dict[type[core.UsherError], int] = {core.Conflict: 400}
_TAKEN = {"email": "email_taken", "username": "username_taken", "id": "id_taken"}
_CODES: dict[type[core.UsherError], str] = {core.Unauthenticated: "unauthorized", edge.RouteNotFound: "not_found"}
_MESSAGES = {
    core.Unauthenticated: "The API secret key is missing or invalid",
    core.InvalidCredentials: "Incorrect sign in id or password",
    core.InvalidCode: "The code is invalid or has expired",
    edge.RouteNotFound: "The resource could not be found",
}


def status_of(error: core.UsherError) -> int:
    return edge.status_for(error, _STATUS_OVERRIDES)


def code_of(error: core.UsherError, status: int) -> str:
    if status == 500:
        return "internal_error"
    if isinstance(error, edge.MalformedBody):
        return "invalid_request"
    if isinstance(error, core.InvalidInput):
        return "validation_error"  # weak passwords too: the original reports every bad field alike
    if isinstance(error, core.Conflict):
        return _TAKEN.get(error.field, "account_exists")
    return _CODES.get(type(error), error.code)


def message_of(error: core.UsherError, status: int) -> str:
    if status == 500:
        return "The server encountered an error while processing your request"
    return _MESSAGES.get(type(error), error.message)


def body_of(error: core.UsherError) -> dict[str, Any]:
    status = status_of(error)
    code = code_of(error, status)
    body: dict[str, Any] = {"error": code, "message": message_of(error, status)}
    if code == "validation_error" and isinstance(error, core.InvalidInput):
        fields = [{"field": error.field, "message": error.message}] if error.field else []
        body["validation_error"] = fields
    return body


def render(error: core.UsherError, request: Request) -> Response:
    status = status_of(error)
    headers = {}
    if isinstance(error, core.RateLimited | core.Unavailable):
        headers["Retry-After"] = str(error.retry_after)
    if isinstance(error, core.Unauthenticated):
        headers["WWW-Authenticate"] = 'Basic realm="UserStore"'
    return Json(body_of(error), status_code=status, headers=headers)
