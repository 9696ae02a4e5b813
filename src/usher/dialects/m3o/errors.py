"""M3O's micro error format `{"id", "code", "detail", "status"}` and the one map from core errors to it."""

from __future__ import annotations

from http import HTTPStatus

from starlette.requests import Request
from starlette.responses import Response

from usher.core import errors as core
from usher.http import errors as edge
from usher.http.responses import Json

# Every endpoint of the original, mounted or not: an error id names the endpoint only when it is one of these,
# so nothing a client typed into the path is echoed back.
ENDPOINTS = frozenset(
    name.lower()
    for name in (
        "Create",
        "Delete",
        "List",
        "Login",
        "Logout",
        "LogoutAll",
        "Read",
        "ReadSession",
        "ResetPassword",
        "SendMagicLink",
        "SendPasswordResetEmail",
        "SendVerificationEmail",
        "Update",
        "UpdatePassword",
        "VerifyEmail",
        "VerifyToken",
    )
)
_PATH = "/v1/user/"

# Where the original differs from the usual statuses (usher.http.errors.STATUSES).
_STATUS_OVERRIDES: dict[type[core.UsherError], int] = {
    core.Conflict: 400,  # M3O answers "email already exists" as a bad request
    core.InvalidSession: 404,  # ReadSession's contract: an expired or revoked session is "not found"
}
_CONFLICT = {"email": "email already exists", "username": "username already exists"}
_INTERNAL = "internal error"
_CODE_ENDPOINTS = frozenset({"user.resetpassword"})  # these take a short code; the others take a token


def status_of(error: core.UsherError) -> int:
    return edge.status_for(error, _STATUS_OVERRIDES)


def error_id(path: str) -> str:
    """`user.<endpoint>` for a path naming a known endpoint, else `user`."""
    _, found, endpoint = path.rstrip("/").rpartition(_PATH)
    name = endpoint.lower()
    return f"user.{name}" if found and name in ENDPOINTS else "user"


def detail_of(error: core.UsherError, status: int, endpoint: str = "user") -> str:
    if isinstance(error, core.InvalidCode):
        noun = "code" if endpoint in _CODE_ENDPOINTS else "token"
        return f"{noun} expired" if error.reason == "expired" else f"invalid {noun}"
    if isinstance(error, core.Conflict):
        return _CONFLICT.get(error.field, "account already exists")
    if status == 500:
        return _INTERNAL
    return error.message


def render(error: core.UsherError, request: Request) -> Response:
    status = status_of(error)
    endpoint = error_id(request.url.path)
    body = {
        "id": endpoint,
        "code": status,
        "detail": detail_of(error, status, endpoint),
        "status": HTTPStatus(status).phrase,
    }
    headers = {}
    if isinstance(error, core.RateLimited | core.Unavailable):
        headers["Retry-After"] = str(error.retry_after)
    if status == 401:
        headers["WWW-Authenticate"] = "Bearer"
    return Json(body, status_code=status, headers=headers)
