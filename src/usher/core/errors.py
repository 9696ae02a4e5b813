"""The domain's error tree; every dialect maps these to its own wire format once, in its errors.py.

    UsherError                      code
    ├── InvalidInput                validation_error   (field, reason)
    │   └── WeakPassword            weak_password
    ├── InvalidCredentials          invalid_credentials
    ├── Unauthenticated             unauthenticated    (no or bad app key / token)
    ├── InvalidSession              invalid_session    (unknown, expired or revoked session token)
    ├── Forbidden                   forbidden
    ├── AccountDisabled             account_disabled
    ├── EmailNotVerified            email_not_verified
    ├── NotFound                    not_found          (what: "user", "app", "session")
    ├── Conflict                    conflict           (field: "email", "username", "id", "account")
    ├── InvalidToken                invalid_token      (expired: bool)
    ├── InvalidCode                 invalid_code       (reason: unknown, expired, used; stored failure redirect)
    ├── RateLimited                 rate_limited       (retry_after seconds)
    └── Unavailable                 unavailable        (retry_after seconds: database locked or down, hash pool full)

Errors carry no HTTP status: statuses belong to the dialects.
"""

from __future__ import annotations


class UsherError(Exception):
    """Base of every error the core raises on purpose."""

    code = "error"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class InvalidInput(UsherError):
    code = "validation_error"

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class WeakPassword(InvalidInput):
    code = "weak_password"

    def __init__(self, message: str) -> None:
        super().__init__(message, field="password")


class InvalidCredentials(UsherError):
    code = "invalid_credentials"

    def __init__(self, message: str = "invalid username, email or password") -> None:
        super().__init__(message)


class Unauthenticated(UsherError):
    code = "unauthenticated"

    def __init__(self, message: str = "missing or invalid credentials") -> None:
        super().__init__(message)


class InvalidSession(UsherError):
    code = "invalid_session"

    def __init__(self, message: str = "session not found or expired") -> None:
        super().__init__(message)


class Forbidden(UsherError):
    code = "forbidden"


class AccountDisabled(UsherError):
    code = "account_disabled"

    def __init__(self, message: str = "account is disabled") -> None:
        super().__init__(message)


class EmailNotVerified(UsherError):
    code = "email_not_verified"

    def __init__(self, message: str = "email address is not verified") -> None:
        super().__init__(message)


class NotFound(UsherError):
    code = "not_found"

    def __init__(self, what: str, message: str | None = None) -> None:
        super().__init__(message or f"{what} not found")
        self.what = what


class Conflict(UsherError):
    code = "conflict"

    def __init__(self, field: str, message: str | None = None) -> None:
        super().__init__(message or f"{field} already exists")
        self.field = field


class RateLimited(UsherError):
    code = "rate_limited"

    def __init__(self, retry_after: int, message: str = "too many requests") -> None:
        super().__init__(message)
        self.retry_after = retry_after


class Unavailable(UsherError):
    code = "unavailable"

    def __init__(self, message: str = "service temporarily unavailable", retry_after: int = 1) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class InvalidCode(UsherError):
    """A one-time code or mailed token that cannot be used; `reason` is unknown, expired or used.

    `redirect` is the failure URL stored with a known token (SPEC §6.10); never one taken from the request.
    """

    code = "invalid_code"

    def __init__(self, reason: str, *, redirect: str | None = None) -> None:
        super().__init__("code is invalid or has expired")
        self.reason = reason
        self.redirect = redirect


class InvalidToken(UsherError):
    """An access or refresh token that is malformed, forged, expired, revoked or reused."""

    code = "invalid_token"

    def __init__(self, message: str = "token is invalid or has expired", *, expired: bool = False) -> None:
        super().__init__(message)
        self.expired = expired
