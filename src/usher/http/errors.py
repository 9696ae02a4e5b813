"""One place that turns errors into responses, choosing the wire format by path prefix.

Routing 404/405, unreadable bodies and oversized bodies happen before any route code and must still come out in
the format of the API the client was talking to; so every dialect registers an ErrorFormat for its prefix.
"""

from __future__ import annotations

import logging
import traceback
from collections.abc import Callable, Mapping

from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from usher.core.errors import (
    AccountDisabled,
    Conflict,
    EmailNotVerified,
    Forbidden,
    InvalidCode,
    InvalidCredentials,
    InvalidInput,
    InvalidSession,
    InvalidToken,
    NotFound,
    RateLimited,
    Unauthenticated,
    Unavailable,
    UsherError,
)
from usher.http.context import request_id

log = logging.getLogger("usher.http")

ErrorFormat = Callable[[UsherError, Request], Response]


class RouteNotFound(UsherError):
    code = "route_not_found"

    def __init__(self) -> None:
        super().__init__("no such endpoint")


class MethodNotAllowed(UsherError):
    code = "method_not_allowed"

    def __init__(self) -> None:
        super().__init__("method not allowed on this endpoint")


class PayloadTooLarge(UsherError):
    code = "payload_too_large"

    def __init__(self, limit: int) -> None:
        super().__init__(f"request body is larger than {limit} bytes")


class MalformedBody(InvalidInput):
    def __init__(self, message: str = "request body is not valid JSON") -> None:
        super().__init__(message, field=None)


class InternalError(UsherError):
    code = "internal_error"

    def __init__(self) -> None:
        super().__init__("internal error")


def describe_validation(errors: list[dict[str, object]]) -> InvalidInput:
    """A message naming the fields and what is wrong, never echoing the input (it may be a password)."""
    first = errors[0] if errors else {}
    location = [str(part) for part in first.get("loc", ()) if part not in ("body", "query", "path")]  # type: ignore[attr-defined]
    field = ".".join(location) or None
    kind = str(first.get("type", ""))
    if kind == "json_invalid":
        return MalformedBody()
    if kind == "missing":
        message = f"{field} is required" if field else "request body is required"
    else:
        reason = str(first.get("msg", "is invalid")).removeprefix("Value error, ")
        message = f"{field}: {reason}" if field else reason
    return InvalidInput(message, field=field)


def stack_of(exc: BaseException) -> str:
    """The traceback of `exc` and of the exceptions it came from, naming their types but not their messages:
    a message may quote input (a password, a token, a bound SQL parameter) and logs keep no secrets."""
    parts: list[str] = []
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        parts.append("".join(traceback.format_tb(current.__traceback__)) + type(current).__qualname__)
        current = current.__cause__ or current.__context__
    return "\nwhich caused:\n".join(reversed(parts))


# The usual HTTP status of each error; a dialect passes only where its original differs (`overrides`).
STATUSES: dict[type[UsherError], int] = {
    InvalidInput: 400,
    InvalidCode: 400,
    InvalidCredentials: 401,
    Unauthenticated: 401,
    InvalidSession: 401,
    InvalidToken: 401,
    Forbidden: 403,
    AccountDisabled: 403,
    EmailNotVerified: 403,
    NotFound: 404,
    RouteNotFound: 404,
    MethodNotAllowed: 405,
    Conflict: 409,
    PayloadTooLarge: 413,
    RateLimited: 429,
    Unavailable: 503,
}


def status_for(error: UsherError, overrides: Mapping[type[UsherError], int] | None = None) -> int:
    """The status of the most specific class of `error` that the dialect's overrides or STATUSES name; 500
    for anything else."""
    for kind in type(error).__mro__:
        if overrides and kind in overrides:
            return overrides[kind]
        if kind in STATUSES:
            return STATUSES[kind]
    return 500


class ErrorFormats:
    """Longest registered prefix wins; the root-mounted dialect registers the empty prefix."""

    def __init__(self, fallback: ErrorFormat) -> None:
        self._formats: list[tuple[str, ErrorFormat]] = []
        self._fallback = fallback

    def register(self, prefix: str, fmt: ErrorFormat) -> None:
        self._formats.append((prefix, fmt))
        self._formats.sort(key=lambda item: len(item[0]), reverse=True)

    def for_path(self, path: str) -> ErrorFormat:
        for prefix, fmt in self._formats:
            if path == prefix or path.startswith(prefix + "/") or prefix == "":
                return fmt
        return self._fallback

    def respond(self, request: Request, error: UsherError) -> Response:
        return self.for_path(request.url.path)(error, request)

    async def handle(self, request: Request, exc: Exception) -> Response:
        """The exception handler for everything the app raises."""
        error: UsherError
        if isinstance(exc, UsherError):
            error = exc
        elif isinstance(exc, RequestValidationError):
            error = describe_validation(list(exc.errors()))
        elif isinstance(exc, HTTPException) and exc.status_code == 404:
            error = RouteNotFound()
        elif isinstance(exc, HTTPException) and exc.status_code == 405:
            error = MethodNotAllowed()
        elif isinstance(exc, HTTPException) and exc.status_code == 400:
            error = MalformedBody()
        else:
            log.error("unhandled error (request %s): %s\n%s", request_id(request), type(exc).__name__, stack_of(exc))
            error = InternalError()
        response = self.respond(request, error)
        if isinstance(exc, HTTPException) and exc.status_code == 405 and exc.headers and "Allow" in exc.headers:
            response.headers["Allow"] = exc.headers["Allow"]  # RFC 9110 §15.5.6: a 405 lists the methods
        return response
