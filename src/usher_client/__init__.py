"""usher_client: the Python SDK of usher's native API, and offline verification of its access tokens.

Depends on httpx and PyJWT (with cryptography) only; `usher_client.fastapi` additionally needs FastAPI.
"""

from __future__ import annotations

from usher_client.aio import AsyncClient
from usher_client.asgi import BearerAuthMiddleware
from usher_client.claims import Claims
from usher_client.client import Client
from usher_client.errors import (
    AccountDisabled,
    Conflict,
    EmailNotVerified,
    Forbidden,
    InternalError,
    InvalidCode,
    InvalidCredentials,
    InvalidSession,
    InvalidToken,
    MethodNotAllowed,
    NotFound,
    PayloadTooLarge,
    RateLimited,
    RouteNotFound,
    Unauthenticated,
    Unavailable,
    UsherError,
    ValidationError,
    WeakPassword,
)
from usher_client.models import AuditEvent, IssuedSession, Me, Page, Session, SignedIn, TokenPair, User
from usher_client.verifier import TokenVerifier

__all__ = [
    "AccountDisabled",
    "AsyncClient",
    "AuditEvent",
    "BearerAuthMiddleware",
    "Claims",
    "Client",
    "Conflict",
    "EmailNotVerified",
    "Forbidden",
    "InternalError",
    "InvalidCode",
    "InvalidCredentials",
    "InvalidSession",
    "InvalidToken",
    "IssuedSession",
    "Me",
    "MethodNotAllowed",
    "NotFound",
    "Page",
    "PayloadTooLarge",
    "RateLimited",
    "RouteNotFound",
    "Session",
    "SignedIn",
    "TokenPair",
    "TokenVerifier",
    "Unauthenticated",
    "Unavailable",
    "User",
    "UsherError",
    "ValidationError",
    "WeakPassword",
]
