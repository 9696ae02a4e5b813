"""AuthC1's error format `{"error": {"code", "message", "details"}}` and the one map from core errors to it."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from usher.core import errors as core
from usher.http import errors as edge
from usher.http.context import request_id
from usher.http.responses import Json


class EmailAlreadyVerified(core.Forbidden):
    """AuthC1's verify call on an address that is verified already (the original refuses it)."""

    code = "email_already_verified"

    def __init__(self) -> None:
        super().__init__("This email is already verified.")


UNAUTHORIZED = (401, "UNAUTHORIZED", "Missing or invalid token.")
UNKNOWN_APP = (401, "UNAUTHORIZED", "Unknown application.")
TOKEN_EXPIRED = (401, "TOKEN_EXPIRED", "Expired token provided. Please log in again to get a new token.")
USER_NOT_FOUND = (404, "USER_NOT_FOUND", "The provided email address or token could not be found in our system.")
SERVER_ERROR = (500, "SERVER_ERROR", "An internal server error occurred. Please try again later.")

# First match wins: subclasses before their bases. A None message means "the error's own message".
_TABLE: list[tuple[type[core.UsherError], tuple[int, str, str | None]]] = [
    (EmailAlreadyVerified, (403, "EMAIL_ALREADY_VERIFIED", None)),
    (core.WeakPassword, (400, "INVALID_PASSWORD", None)),  # the policy's message says which rule
    (core.InvalidInput, (400, "VALIDATION_ERROR", None)),  # names the field, never echoes the value
    (core.InvalidCredentials, (401, "INVALID_CREDENTIALS", "The email or password you entered is incorrect.")),
    (core.Unauthenticated, UNAUTHORIZED),
    (core.InvalidSession, UNAUTHORIZED),
    (core.InvalidToken, UNAUTHORIZED),
    (core.Conflict, (409, "EMAIL_IN_USE", "The email you entered is already in use, please try another one.")),
    (core.InvalidCode, (404, "EXPIRED_OR_INVALID_CODE", "Expired or invalid code.")),
    (core.EmailNotVerified, (403, "EMAIL_NOT_VERIFIED", "The email provided has not been verified.")),
    (core.AccountDisabled, (403, "ACCOUNT_DISABLED", None)),
    (core.Forbidden, (403, "FORBIDDEN", None)),
    (core.NotFound, (404, "NOT_FOUND", None)),
    (edge.RouteNotFound, (404, "NOT_FOUND", None)),
    (edge.MethodNotAllowed, (405, "METHOD_NOT_ALLOWED", None)),
    (edge.PayloadTooLarge, (413, "PAYLOAD_TOO_LARGE", None)),
    (core.RateLimited, (429, "RATE_LIMITED", None)),
    (core.Unavailable, (503, "SERVICE_UNAVAILABLE", None)),
]


def describe(error: core.UsherError) -> tuple[int, str, str]:
    """Status, AuthC1 code and message for a core or edge error."""
    if isinstance(error, core.InvalidToken) and error.expired:
        return TOKEN_EXPIRED
    if isinstance(error, core.NotFound) and error.what == "app":
        return UNKNOWN_APP  # the original answers an unknown APPID as unauthorised
    if isinstance(error, core.NotFound) and error.what == "user":
        return USER_NOT_FOUND
    for kind, (status, code, message) in _TABLE:
        if isinstance(error, kind):
            return status, code, message if message is not None else error.message
    return SERVER_ERROR


def details_of(error: core.UsherError, status: int, request: Request) -> dict[str, Any]:
    if isinstance(error, core.InvalidInput) and error.field:
        return {"field": error.field}
    if isinstance(error, core.RateLimited | core.Unavailable):
        return {"retry_after": error.retry_after}
    if status == 500:
        return {"request_id": request_id(request)}
    return {}


def render(error: core.UsherError, request: Request) -> Response:
    status, code, message = describe(error)
    body = {"error": {"code": code, "message": message, "details": details_of(error, status, request)}}
    headers = {}
    if isinstance(error, core.RateLimited | core.Unavailable):
        headers["Retry-After"] = str(error.retry_after)
    if status == 401:
        headers["WWW-Authenticate"] = "Bearer"
    return Json(body, status_code=status, headers=headers)
