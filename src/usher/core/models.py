"""Frozen dataclasses the core hands around: apps, users, sessions and what requests carry in."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass(frozen=True, slots=True)
class AppSettings:
    """Per-app settings; None means "not set", so each dialect's documented default applies."""

    session_ttl: int | None = None
    access_token_ttl: int | None = None
    refresh_token_ttl: int | None = None
    password_min_length: int | None = None
    password_regex: str | None = None
    require_verified_email: bool = False
    signup_open: bool = True
    mail_sender_name: str | None = None
    redirect_urls: tuple[str, ...] = ()
    cors_origins: tuple[str, ...] = ()
    mail_templates: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class App:
    id: str
    name: str
    settings: AppSettings
    created_at: datetime
    updated_at: datetime
    has_secret: bool = False


@dataclass(frozen=True, slots=True)
class AppSecret:
    """Digest of an app secret key; the previous one keeps working until `previous_expires_at`."""

    app_id: str
    digest: str | None
    previous_digest: str | None
    previous_expires_at: datetime | None


@dataclass(frozen=True, slots=True)
class User:
    app_id: str
    id: str
    number: int  # integer surrogate for dialects that show numeric ids
    username: str | None
    email: str | None
    first_name: str
    last_name: str
    language: str
    profile: dict[str, str]
    permission_level: int
    is_admin: bool
    disabled: bool
    email_verified: bool
    email_verified_at: datetime | None
    created_at: datetime
    updated_at: datetime
    last_signin_at: datetime | None
    password_changed_at: datetime | None
    has_password: bool


@dataclass(frozen=True, slots=True)
class NewUser:
    """What storage needs to insert a user; canonical identifiers are computed by the core."""

    app_id: str
    id: str
    username: str | None
    email: str | None
    password_hash: str | None
    first_name: str = ""
    last_name: str = ""
    language: str = ""
    profile: dict[str, str] = field(default_factory=dict)
    permission_level: int = 0
    is_admin: bool = False
    email_verified: bool = False
    first_user_admin: bool = False  # WeKan: admin if this is the app's first user, decided inside the insert


@dataclass(frozen=True, slots=True)
class UserChanges:
    """A partial update: a field left at None stays as it is."""

    username: str | None = None
    email: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    language: str | None = None
    profile: dict[str, str] | None = None
    permission_level: int | None = None
    is_admin: bool | None = None
    email_verified: bool | None = None  # the core clears it when the address changes

    def is_empty(self) -> bool:
        return all(getattr(self, name) is None for name in self.__slots__)


@dataclass(frozen=True, slots=True)
class Credentials:
    """A user's stored password hash, read only by the sign-in and password paths."""

    user: User
    password_hash: str | None


@dataclass(frozen=True, slots=True)
class Session:
    id: str  # public id: listings, revoke-by-id, JWT `sid`
    app_id: str
    user_id: str
    created_at: datetime
    expires_at: datetime
    last_seen_at: datetime
    client_address: str | None
    user_agent: str | None


@dataclass(frozen=True, slots=True)
class NewSession:
    id: str
    app_id: str
    user_id: str
    token_digest: str
    created_at: datetime
    expires_at: datetime
    client_address: str | None
    user_agent: str | None


@dataclass(frozen=True, slots=True)
class IssuedSession:
    """A session just created, with its secret token: the only time the token exists in clear."""

    session: Session
    token: str


@dataclass(frozen=True, slots=True)
class AuthenticatedSession:
    session: Session
    user: User


@dataclass(frozen=True, slots=True)
class SignIn:
    user: User
    issued: IssuedSession
    tokens: TokenPair | None = None  # when the dialect asked for tokens with the session


@dataclass(frozen=True, slots=True)
class Page:
    users: list[User]
    total: int
    limit: int
    offset: int


@dataclass(frozen=True, slots=True)
class RequestContext:
    """Who is calling, as far as the edge could tell; never a framework request."""

    client_address: str | None = None
    user_agent: str | None = None
    request_id: str | None = None
    # An app's backend (secret key) that named no end-user address: client_address is the backend's own,
    # shared by all its users, so limits use the app's larger budget instead.
    app_backend: bool = False


@dataclass(frozen=True, slots=True)
class AuditEvent:
    app_id: str
    type: str
    outcome: str
    at: datetime
    user_id: str | None = None
    client_address: str | None = None
    user_agent: str | None = None
    detail: dict[str, Any] = field(default_factory=dict)


class Purpose:
    """What a one-time code or mailed link is for; a code of one purpose never works for another."""

    VERIFY_EMAIL = "verify_email"
    RESET_PASSWORD = "reset_password"  # noqa: S105 (a purpose name)
    MAGIC_LINK = "magic_link"
    EMAIL_CHANGE = "email_change"
    ALL = (VERIFY_EMAIL, RESET_PASSWORD, MAGIC_LINK, EMAIL_CHANGE)


@dataclass(frozen=True, slots=True)
class CodeFormat:
    """How a code looks. `token`s are long and found by digest; short codes are found by user and salted."""

    kind: str  # "token" | "digits" | "alnum"
    length: int = 43

    @property
    def short(self) -> bool:
        return self.kind != "token"


TOKEN = CodeFormat("token")
SIX_DIGITS = CodeFormat("digits", 6)
EIGHT_ALNUM = CodeFormat("alnum", 8)


@dataclass(frozen=True, slots=True)
class OneTimeCode:
    id: str
    app_id: str
    user_id: str
    purpose: str
    short: bool
    digest: str  # SHA-256 of the token, or of salt + short code
    salt: str | None
    email: str | None  # the address it was mailed to: verifying it proves that address, not a later one
    created_at: datetime
    expires_at: datetime
    used_at: datetime | None = None
    attempts: int = 0
    redirect_url: str | None = None
    failure_redirect_url: str | None = None


@dataclass(frozen=True, slots=True)
class MailOverrides:
    """Caller-supplied parts of a message (M3O passes subject, text and sender name per request)."""

    subject: str | None = None
    text: str | None = None
    html: str | None = None
    from_name: str | None = None


@dataclass(frozen=True, slots=True)
class OutgoingMail:
    """A message in the outbox: data until the dispatcher renders and sends it.

    `secrets` (code, link) are encrypted at rest by storage and blanked once delivered or expired.
    """

    id: str
    app_id: str
    to: str
    purpose: str
    variables: dict[str, str]
    secrets: dict[str, str]
    overrides: MailOverrides
    created_at: datetime
    expires_at: datetime
    state: str = "pending"  # pending | sent | failed | expired
    attempts: int = 0
    next_attempt_at: datetime | None = None
    sent_at: datetime | None = None
    last_error: str | None = None


@dataclass(frozen=True, slots=True)
class KeyMaterial:
    """A freshly generated signing key pair: the private part in clear exists only in memory."""

    kid: str  # RFC 7638 thumbprint of the public key
    alg: str  # RS256 | ES256 | EdDSA
    private_pem: str
    public_jwk: dict[str, Any]


@dataclass(frozen=True, slots=True)
class SigningKey:
    kid: str
    app_id: str
    alg: str
    private_pem: str  # sealed at rest by storage
    public_jwk: dict[str, Any]
    created_at: datetime
    retired_at: datetime | None = None  # no longer signs
    drop_at: datetime | None = None  # leaves JWKS (its last tokens have expired)


@dataclass(frozen=True, slots=True)
class RefreshToken:
    id: str
    app_id: str
    session_id: str  # the family: one per session; revoking the session revokes the family
    user_id: str
    digest: str
    created_at: datetime
    expires_at: datetime
    parent_id: str | None = None
    spent_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class TokenSpec:
    """What a dialect wants minted: lifetimes are its documented defaults; the app's settings win."""

    access_ttl: int
    refresh_ttl: int | None  # None: no refresh token
    rotate: bool = True  # False: the refresh token is reusable until it expires (JWT User Service)
    extra_claims: dict[str, Any] = field(default_factory=dict)
    # The user-facing claims; default: email, email_verified, username. A dialect with its own payload
    # (the JWT User Service) builds it here, from the user as it is when the token is minted.
    user_claims: Callable[[User], dict[str, Any]] | None = None


@dataclass(frozen=True, slots=True)
class TokenPair:
    access_token: str
    access_expires_at: datetime
    issued_at: datetime
    refresh_token: str | None
    refresh_expires_at: datetime | None
    session: Session
    user: User


@dataclass(frozen=True, slots=True)
class VerifiedAccess:
    """An access token that verified and whose session still lives."""

    claims: dict[str, Any]
    session: Session
    user: User
