"""Pure functions from core dataclasses to native wire bodies."""

from __future__ import annotations

from usher.core.models import IssuedSession, Page, Session, User
from usher.dialects.native.schemas import IssuedSessionOut, SessionOut, UserOut, UserPageOut


def user_out(user: User) -> UserOut:
    return UserOut(
        id=user.id,
        username=user.username,
        email=user.email,
        first_name=user.first_name,
        last_name=user.last_name,
        language=user.language,
        profile=user.profile,
        permission_level=user.permission_level,
        is_admin=user.is_admin,
        disabled=user.disabled,
        email_verified=user.email_verified,
        email_verified_at=user.email_verified_at,
        created_at=user.created_at,
        updated_at=user.updated_at,
        last_signin_at=user.last_signin_at,
    )


def session_out(session: Session) -> SessionOut:
    return SessionOut(
        id=session.id,
        created_at=session.created_at,
        expires_at=session.expires_at,
        last_seen_at=session.last_seen_at,
        client_address=session.client_address,
        user_agent=session.user_agent,
    )


def issued_out(issued: IssuedSession) -> IssuedSessionOut:
    return IssuedSessionOut(**session_out(issued.session).model_dump(), token=issued.token)


def page_out(page: Page) -> UserPageOut:
    return UserPageOut(users=[user_out(u) for u in page.users], total=page.total, limit=page.limit, offset=page.offset)
