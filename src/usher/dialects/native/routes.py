"""Native self-service API: sign-up, sign-in, who-am-I, sessions, password, profile."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response

from usher.core.accounts import Registration
from usher.core.models import UserChanges
from usher.core.policy import NATIVE_SESSION_TTL
from usher.dialects.native import schemas as s
from usher.dialects.native.guards import is_access_token, signed_in
from usher.dialects.native.translate import issued_out, session_out, user_out
from usher.http.context import request_context
from usher.http.deps import bearer, services
from usher.http.fields import PathId
from usher.http.responses import empty

router = APIRouter(prefix="/apps/{app_id}", tags=["self-service"])
ERRORS = s.ERRORS


@router.post("/signup", status_code=201, response_model=s.SignUpOut, responses=ERRORS)
async def sign_up(app_id: PathId, body: s.SignUpRequest, request: Request) -> s.SignUpOut:
    """Create an account and, unless the app requires a verified email first, sign it in."""
    svc, ctx = services(request), request_context(request)
    app = await svc.apps.get(app_id)
    registration = Registration(
        password=body.password,
        email=body.email,
        username=body.username,
        first_name=body.first_name,
        last_name=body.last_name,
        language=body.language,
        profile=body.profile,
    )
    result = await svc.accounts.sign_up(app, registration, ctx, session_ttl=NATIVE_SESSION_TTL)
    return s.SignUpOut(user=user_out(result.user), session=issued_out(result.issued) if result.issued else None)


@router.post("/signin", response_model=s.SignInOut, responses=ERRORS)
async def sign_in(app_id: PathId, body: s.SignInRequest, request: Request) -> s.SignInOut:
    """Sign in with a username or email and a password; answers a new session token."""
    svc = services(request)
    app = await svc.apps.get(app_id)
    result = await svc.auth.sign_in(
        app, body.login, body.password, request_context(request), session_ttl=NATIVE_SESSION_TTL
    )
    return s.SignInOut(user=user_out(result.user), session=issued_out(result.issued))


@router.get("/me", response_model=s.WhoAmIOut, responses=ERRORS)
async def who_am_i(app_id: PathId, request: Request) -> s.WhoAmIOut:
    """The user and session behind the Bearer session token."""
    found = await signed_in(request, app_id)
    return s.WhoAmIOut(user=user_out(found.user), session=session_out(found.session))


@router.patch("/me", response_model=s.UserOut, responses=ERRORS)
async def update_me(app_id: PathId, body: s.ProfileUpdateRequest, request: Request) -> s.UserOut:
    """Update your own username, names, language or profile map."""
    found = await signed_in(request, app_id)
    svc = services(request)
    changes = UserChanges(**body.model_dump(exclude_unset=True))
    app = await svc.apps.get(app_id)
    user = await svc.accounts.update(app, found.user.id, changes, request_context(request))
    return user_out(user)


@router.post("/me/password", status_code=204, responses=ERRORS)
async def change_password(app_id: PathId, body: s.PasswordChangeRequest, request: Request) -> Response:
    """Change your password; every other session is signed out."""
    found = await signed_in(request, app_id)
    svc = services(request)
    app = await svc.apps.get(app_id)
    await svc.accounts.change_password(
        app,
        found.user.id,
        body.new_password,
        request_context(request),
        old_password=body.current_password,
        keep_session=found.session.id,
    )
    return empty()


@router.post("/me/confirm-password", status_code=204, responses=ERRORS)
async def confirm_password(app_id: PathId, body: s.PasswordConfirmRequest, request: Request) -> Response:
    """Re-confirm your password before a sensitive action: 204 when right, 401 when wrong."""
    found = await signed_in(request, app_id)
    svc = services(request)
    app = await svc.apps.get(app_id)
    await svc.auth.confirm_password(app, found.user.id, body.password, request_context(request))
    return empty()


@router.get("/me/sessions", response_model=s.SessionListOut, responses=ERRORS)
async def list_sessions(app_id: PathId, request: Request) -> s.SessionListOut:
    """Your live sessions, newest first."""
    found = await signed_in(request, app_id)
    sessions = await services(request).auth.list_sessions(app_id, found.user.id)
    return s.SessionListOut(sessions=[session_out(x) for x in sessions])


@router.delete("/me/sessions/{session_id}", status_code=204, responses=ERRORS)
async def revoke_session(app_id: PathId, session_id: PathId, request: Request) -> Response:
    """Sign out one of your sessions by its id."""
    found = await signed_in(request, app_id)
    await services(request).auth.revoke_session(app_id, found.user.id, session_id, request_context(request))
    return empty()


@router.post("/signout", status_code=204, responses=ERRORS)
async def sign_out(app_id: PathId, request: Request) -> Response:
    """Sign out the session behind the Bearer session or access token (its refresh token dies with it)."""
    found = await signed_in(request, app_id)
    token, ctx = bearer(request) or "", request_context(request)
    if is_access_token(token):
        await services(request).auth.revoke_session(app_id, found.user.id, found.session.id, ctx)
    else:
        await services(request).auth.sign_out(app_id, token, ctx)
    return empty()


@router.post("/signout-everywhere", status_code=204, responses=ERRORS)
async def sign_out_everywhere(app_id: PathId, request: Request) -> Response:
    """Sign out every session of the signed-in user, this one included."""
    found = await signed_in(request, app_id)
    await services(request).auth.sign_out_everywhere(app_id, found.user.id, request_context(request))
    return empty()
