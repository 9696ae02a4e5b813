"""Who calls the UserStore API: the app's own backend, by its secret key as HTTP Basic user name (empty password)
or in the `x-api-key` header."""

from __future__ import annotations

import base64
import binascii
import unicodedata
from typing import TypeVar

from pydantic import BaseModel
from starlette.requests import Request

from usher.core.errors import NotFound, Unauthenticated
from usher.core.models import App, RequestContext
from usher.http.body import read_model, validate
from usher.http.context import request_context
from usher.http.deps import services

M = TypeVar("M", bound=BaseModel)
MAX_PATH_ID = 128


def _basic_user(header: str) -> str | None:
    """The user name of `Authorization: Basic base64(user:)`; None when the header is not that."""
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "basic" or not value.strip():
        return None
    try:
        decoded = base64.b64decode(value.strip(), validate=True).decode()
    except (binascii.Error, UnicodeDecodeError):
        return None
    user, colon, password = decoded.partition(":")
    return user if colon and not password else None


def secret_key(request: Request) -> str | None:
    """The key from `x-api-key`, else from HTTP Basic."""
    header = request.headers.get("x-api-key")
    if header is not None:
        return header.strip() or None
    authorization = request.headers.get("authorization")
    return _basic_user(authorization) if authorization else None


async def calling_app(request: Request) -> App:
    """The app whose secret key the caller holds; 401 for a missing or wrong key."""
    key = secret_key(request)
    if key is None:
        raise Unauthenticated("missing app secret key")
    return await services(request).apps.authenticate_key(key)


async def open_call(request: Request, model: type[M]) -> tuple[App, M]:
    """The calling app (its key is checked before the body is read) and the body, JSON or form-encoded."""
    app = await calling_app(request)
    return app, await read_model(request, model, allow_form=True)


def query(request: Request, model: type[M]) -> M:
    """Options passed in the query string, validated like a body."""
    return validate(model, dict(request.query_params))


def path_id(value: str) -> str:
    """A user id from the path; one that no account could have is simply not found."""
    if not value or len(value) > MAX_PATH_ID or any(unicodedata.category(ch)[0] == "C" for ch in value):
        raise NotFound("user")
    return value


def backend_context(request: Request) -> RequestContext:
    """The caller is the app's backend, so the end user's address comes in X-Forwarded-For (SPEC §2)."""
    return request_context(request, app_backend=True)
