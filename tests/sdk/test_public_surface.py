"""The public surface of usher_client is pinned, and it imports nothing of usher."""

from __future__ import annotations

import subprocess
import sys

import usher_client

PUBLIC = [
    "AccountDisabled", "AsyncClient", "AuditEvent", "BearerAuthMiddleware", "Claims", "Client", "Conflict",
    "EmailNotVerified", "Forbidden", "InternalError", "InvalidCode", "InvalidCredentials", "InvalidSession",
    "InvalidToken", "IssuedSession", "Me", "MethodNotAllowed", "NotFound", "Page", "PayloadTooLarge", "RateLimited",
    "RouteNotFound", "Session", "SignedIn", "TokenPair", "TokenVerifier", "Unauthenticated", "Unavailable", "User",
    "UsherError", "ValidationError", "WeakPassword",
]  # fmt: skip


def test_all_is_pinned() -> None:
    assert usher_client.__all__ == PUBLIC
    assert all(hasattr(usher_client, name) for name in PUBLIC)


def test_sdk_imports_nothing_of_usher() -> None:
    code = (
        "import sys, usher_client, usher_client.fastapi; "
        "print([m for m in sys.modules if m == 'usher' or m.startswith('usher.')])"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
