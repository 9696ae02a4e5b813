"""Who calls AuthC1: the app named by the APPID path segment, and for verify/confirm a user's access token."""

from __future__ import annotations

from typing import TypeVar

from pydantic import BaseModel
from starlette.requests import Request

from usher.core.accounts import SignUp
from usher.core.apps import APP_ID
from usher.core.errors import NotFound, Unauthenticated
from usher.core.models import App, Session, User, VerifiedAccess
from usher.dialects.authc1.errors import EmailAlreadyVerified
from usher.http.body import read_model
from usher.http.deps import bearer, services

M = TypeVar("M", bound=BaseModel)


async def app_of(request: Request, app_id: str) -> App:
    """The app named in the path; an unknown one is refused as unauthorised (401), as by the original.
    A segment that cannot be an app id never reaches the database (NUL, odd Unicode, 2 KiB of text)."""
    if not APP_ID.fullmatch(app_id):
        raise NotFound("app")
    return await services(request).apps.get(app_id)


async def open_call(request: Request, app_id: str, model: type[M]) -> tuple[App, M]:
    """The app (checked before the body is read) and the parsed body."""
    app = await app_of(request, app_id)
    return app, await read_model(request, model)


async def signed_in(request: Request, app: App) -> VerifiedAccess:
    """The live session behind `Authorization: Bearer <access token>`; another app's token is refused."""
    token = bearer(request)
    if token is None:
        raise Unauthenticated("missing access token")
    return await services(request).tokens.verify_access(app.id, token)


def unverified(user: User) -> User:
    """AuthC1 refuses to mail a verification code to an address that is verified already."""
    if user.email_verified:
        raise EmailAlreadyVerified()
    return user


def first_session(signed_up: SignUp) -> Session:
    """AuthC1 signs up with `allow_unverified`, so the core always opens a first session."""
    if signed_up.issued is None:
        raise RuntimeError("sign-up opened no session although allow_unverified was set")
    return signed_up.issued.session
