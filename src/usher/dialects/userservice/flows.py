"""JWT User Service calls that combine core steps; routes stay parse, call, translate.

Register and its activation mail are two steps: if the second fails the account exists without the mail
(the native API's resend covers it).
"""

from __future__ import annotations

from starlette.requests import Request

from usher.core.mailing import Delivery
from usher.core.models import TOKEN, App, RequestContext, TokenPair, User
from usher.dialects.userservice import translate as t
from usher.dialects.userservice.schemas import RegisterRequest
from usher.http.deps import public_url, services

ACTIVATION_TTL = 24 * 3600


async def register(request: Request, app: App, body: RegisterRequest, ctx: RequestContext) -> User:
    """A self-service account; when the app requires a verified email, an activation code is mailed with a link
    to `GET /userservice/v1/users/activate?code=...`. Without that setting nothing is mailed."""
    svc = services(request)
    lang = t.language(request.headers.get("language"))
    user = await svc.accounts.register(app, t.registration(body, lang), ctx)
    if app.settings.require_verified_email:
        delivery = Delivery(link_template=t.activation_link(public_url(request)))
        await svc.verification.send_verification_to(app, user, ctx, fmt=TOKEN, ttl=ACTIVATION_TTL, delivery=delivery)
    return user


async def login(request: Request, app: App, email: str, password: str, ctx: RequestContext) -> TokenPair:
    """A session as long-lived as its refresh token (30 days unless the app says otherwise), with its tokens,
    in one unit of work."""
    session_ttl = app.settings.refresh_token_ttl or t.REFRESH_TTL
    result = await services(request).auth.sign_in(
        app, email, password, ctx, session_ttl=session_ttl, tokens=t.token_spec()
    )
    assert result.tokens is not None  # asked for above
    return result.tokens


async def refresh(request: Request, app: App, refresh_token: str, ctx: RequestContext) -> str:
    """A new access token for a live, unexpired refresh token, which is not rotated (SPEC §3.3)."""
    return (await services(request).tokens.refresh(app, refresh_token, t.token_spec(), ctx)).access_token
