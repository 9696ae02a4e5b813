"""Plumbing every dialect uses to reach the core services and read credentials off a request."""

from __future__ import annotations

from starlette.requests import Request

from usher.core.services import Services


def services(request: Request) -> Services:
    found: Services = request.app.state.services
    return found


def bearer(request: Request) -> str | None:
    """The credential of an `Authorization: Bearer ...` header, or None."""
    header = request.headers.get("authorization")
    if not header:
        return None
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "bearer" or not value.strip():
        return None
    return value.strip()


def public_url(request: Request) -> str:
    """The base of links put in mail: `USHER_PUBLIC_URL` as the app stored it, else the request's own base."""
    stored = getattr(request.app.state, "public_url", None)
    return str(stored).rstrip("/") if stored else str(request.base_url).rstrip("/")
