"""The native API's request and response bodies (they are its OpenAPI document)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from usher.http.fields import Password, StrMap, Text


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", hide_input_in_errors=True)


class SignUpRequest(Strict):
    email: Text | None = Field(default=None, examples=["ada@example.com"])
    username: Text | None = Field(default=None, examples=["ada"])
    password: Password
    first_name: Text = ""
    last_name: Text = ""
    language: Text = ""
    profile: StrMap = Field(default_factory=dict)


class SignInRequest(Strict):
    login: Text = Field(description="username or email address", examples=["ada@example.com"])
    password: Password


class PasswordChangeRequest(Strict):
    current_password: Password
    new_password: Password


class PasswordConfirmRequest(Strict):
    password: Password


class ProfileUpdateRequest(Strict):
    username: Text | None = None
    first_name: Text | None = None
    last_name: Text | None = None
    language: Text | None = None
    profile: StrMap | None = Field(default=None, description="replaces the whole profile map")


class AdminCreateUserRequest(SignUpRequest):
    password: Password | None = None  # type: ignore[assignment]
    id: Text | None = Field(default=None, description="caller-chosen id: [A-Za-z0-9._~-]{1,64}")
    permission_level: int = Field(default=0, ge=0, le=1_000_000)
    is_admin: bool = False
    email_verified: bool = False


class AdminUpdateUserRequest(ProfileUpdateRequest):
    email: Text | None = None
    permission_level: int | None = Field(default=None, ge=0, le=1_000_000)
    is_admin: bool | None = None


Method = Literal["link", "code"]
_METHOD = "`link`: a mailed link; `code`: a six-digit code to type in"
_REDIRECT = "where the link leads; must lie under one of the app's allowed redirect URLs"


class EmailVerificationRequest(Strict):
    email: Text = Field(examples=["ada@example.com"])
    method: Method = Field(default="link", description=_METHOD)
    redirect_url: Text | None = Field(default=None, description="where a followed link sends the browser")
    failure_redirect_url: Text | None = Field(default=None, description="where a spent or expired link sends it")


class MyEmailVerificationRequest(Strict):
    method: Method = Field(default="link", description=_METHOD)
    redirect_url: Text | None = Field(default=None, description="where a followed link sends the browser")
    failure_redirect_url: Text | None = Field(default=None, description="where a spent or expired link sends it")


class MailRequest(Strict):
    email: Text = Field(examples=["ada@example.com"])
    method: Method = Field(default="link", description=_METHOD)
    redirect_url: Text | None = Field(default=None, description=_REDIRECT + "; default: the first of them")


class TokenOrCode(Strict):
    """Either the `token` of a mailed link, or the `email` address and the `code` mailed to it."""

    token: Text | None = None
    email: Text | None = None
    code: Text | None = Field(default=None, max_length=64)

    @model_validator(mode="after")
    def _one_form(self) -> TokenOrCode:
        if self.token is not None and (self.email is not None or self.code is not None):
            raise ValueError("give either token, or email and code, not both")
        if self.token is None and (self.email is None or self.code is None):
            raise ValueError("token, or email and code, are required")
        return self

    def pair(self) -> tuple[str, str]:
        """The email address and the code (when no token was given)."""
        return self.email or "", self.code or ""


class PasswordResetRequest(TokenOrCode):
    new_password: Password


class UserOut(BaseModel):
    id: str
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


class SessionOut(BaseModel):
    id: str
    created_at: datetime
    expires_at: datetime
    last_seen_at: datetime
    client_address: str | None
    user_agent: str | None


class IssuedSessionOut(SessionOut):
    token: str = Field(description="the secret session token: send it as `Authorization: Bearer <token>`")


class SignInOut(BaseModel):
    user: UserOut
    session: IssuedSessionOut


class SignUpOut(BaseModel):
    user: UserOut
    session: IssuedSessionOut | None = Field(description="null when the app requires a verified email first")


class WhoAmIOut(BaseModel):
    user: UserOut
    session: SessionOut


class SessionListOut(BaseModel):
    sessions: list[SessionOut]


class UserPageOut(BaseModel):
    users: list[UserOut]
    total: int
    limit: int
    offset: int


class AcceptedOut(BaseModel):
    """Always empty: the answer is the same whether or not the address belongs to an account."""


class VerifiedOut(BaseModel):
    user: UserOut


class ErrorBody(BaseModel):
    code: str = Field(description="stable machine code, e.g. invalid_credentials")
    message: str
    request_id: str


class ErrorOut(BaseModel):
    error: ErrorBody


ERRORS: dict[int | str, dict[str, object]] = {"4XX": {"model": ErrorOut}, "5XX": {"model": ErrorOut}}
