"""The SDK's error tree: one class per native error code, built from an error response in one place.

UsherError                  (any code; unknown codes land here)
├── ValidationError         validation_error    400
│   └── WeakPassword        weak_password       400
├── InvalidCode             invalid_code        400
├── InvalidCredentials      invalid_credentials 401
├── Unauthenticated         unauthenticated     401
├── InvalidSession          invalid_session     401
├── InvalidToken            invalid_token       401
├── Forbidden               forbidden           403 (also origin_not_allowed: a refused CORS preflight)
│   ├── AccountDisabled     account_disabled    403
│   └── EmailNotVerified    email_not_verified  403
├── NotFound                not_found           404
│   └── RouteNotFound       route_not_found     404
├── MethodNotAllowed        method_not_allowed  405
├── Conflict                conflict            409
├── PayloadTooLarge         payload_too_large   413
├── RateLimited             rate_limited        429 (retry_after)
├── Unavailable             unavailable         503 (retry_after)
└── InternalError           internal_error      500
"""

from __future__ import annotations

from typing import ClassVar

import httpx


class UsherError(Exception):
    """An error answer from usher: its stable `code`, `message`, `request_id` and HTTP `status`."""

    code: ClassVar[str] = "error"

    def __init__(self, message: str, *, code: str | None = None, request_id: str = "", status: int = 0) -> None:
        super().__init__(message)
        self.message = message
        self.code = code or type(self).code  # type: ignore[misc]
        self.request_id = request_id
        self.status = status

    def __repr__(self) -> str:
        return f"{type(self).__name__}(code={self.code!r}, status={self.status}, message={self.message!r})"


class ValidationError(UsherError):
    code = "validation_error"


class WeakPassword(ValidationError):
    code = "weak_password"


class InvalidCode(UsherError):
    code = "invalid_code"


class InvalidCredentials(UsherError):
    code = "invalid_credentials"


class Unauthenticated(UsherError):
    code = "unauthenticated"


class InvalidSession(UsherError):
    code = "invalid_session"


class InvalidToken(UsherError):
    code = "invalid_token"


class Forbidden(UsherError):
    code = "forbidden"


class AccountDisabled(Forbidden):
    code = "account_disabled"


class EmailNotVerified(Forbidden):
    code = "email_not_verified"


class NotFound(UsherError):
    code = "not_found"


class RouteNotFound(NotFound):
    code = "route_not_found"


class MethodNotAllowed(UsherError):
    code = "method_not_allowed"


class Conflict(UsherError):
    code = "conflict"


class PayloadTooLarge(UsherError):
    code = "payload_too_large"


class _Retryable(UsherError):
    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        request_id: str = "",
        status: int = 0,
        retry_after: int | None = None,
    ) -> None:
        super().__init__(message, code=code, request_id=request_id, status=status)
        self.retry_after = retry_after


class RateLimited(_Retryable):
    """Too many attempts; `retry_after` is the seconds to wait (from the Retry-After header)."""

    code = "rate_limited"


class Unavailable(_Retryable):
    """usher is busy or its database is down; `retry_after` is the seconds to wait."""

    code = "unavailable"


class InternalError(UsherError):
    code = "internal_error"


_CLASSES: tuple[type[UsherError], ...] = (
    ValidationError,
    WeakPassword,
    InvalidCode,
    InvalidCredentials,
    Unauthenticated,
    InvalidSession,
    InvalidToken,
    Forbidden,
    AccountDisabled,
    EmailNotVerified,
    NotFound,
    RouteNotFound,
    MethodNotAllowed,
    Conflict,
    PayloadTooLarge,
    RateLimited,
    Unavailable,
    InternalError,
)
# Every code to its class; a code without a class of its own raises the nearest one (its `code` stays exact).
ERROR_CLASSES: dict[str, type[UsherError]] = {kind.code: kind for kind in _CLASSES} | {"origin_not_allowed": Forbidden}


def _retry_after(response: httpx.Response) -> int | None:
    value = response.headers.get("retry-after", "")
    return int(value) if value.isdigit() else None


def error_from(response: httpx.Response) -> UsherError:
    """The exception for an error answer; one that is not usher's JSON shape becomes the base class."""
    try:
        body = response.json()["error"]
        code, message, request_id = str(body["code"]), str(body["message"]), str(body.get("request_id", ""))
    except (ValueError, KeyError, TypeError):
        code, message = f"http_{response.status_code}", response.text[:200] or response.reason_phrase
        request_id = response.headers.get("x-request-id", "")
    kind = ERROR_CLASSES.get(code, UsherError)
    status = response.status_code
    if issubclass(kind, _Retryable):
        return kind(message, code=code, request_id=request_id, status=status, retry_after=_retry_after(response))
    return kind(message, code=code, request_id=request_id, status=status)
