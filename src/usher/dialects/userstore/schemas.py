"""UserStore request bodies and query options: the original's snake_case names, JSON or form-encoded.

Unknown fields are ignored; `null` and, for optional fields, an empty string mean "not given".
"""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from usher.http.fields import Int, Password, Text

DEFAULT_LIMIT = 25
MAX_LIMIT = 1000
Required = Annotated[Text, Field(min_length=1)]
Url = Annotated[Text, Field(max_length=2048)]


class UserStoreRequest(BaseModel):
    model_config = ConfigDict(extra="ignore", hide_input_in_errors=True)


class SigninRequest(UserStoreRequest):
    signin_id: Required
    password: Password


class IdRequest(UserStoreRequest):
    id: Required


class ConfirmRequest(UserStoreRequest):
    id: Required
    password: Password


class CodeRequest(UserStoreRequest):
    code: Required


class EmailRequest(UserStoreRequest):
    email: Required


class ResetPasswordRequest(UserStoreRequest):
    code: Required
    password: Password


class CreateUserRequest(UserStoreRequest):
    email: Required
    password: Password
    username: Text | None = None
    first_name: Text = ""
    last_name: Text = ""

    @field_validator("username", mode="before")
    @classmethod
    def _blank_is_none(cls, value: Any) -> Any:
        return None if value == "" else value

    @field_validator("first_name", "last_name", mode="before")
    @classmethod
    def _null_is_blank(cls, value: Any) -> Any:
        return "" if value is None else value


class UpdateUserRequest(UserStoreRequest):
    """Only what is given changes."""

    email: Text | None = None
    username: Text | None = None
    first_name: Text | None = None
    last_name: Text | None = None


def absolute_url(value: str) -> str:
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc or any(ch.isspace() for ch in value):
        raise ValueError("must be an absolute http or https URL")
    return value


def _needed_when_sending(value: str | None, info: ValidationInfo, flag: str = "send_email") -> str | None:
    if value:
        return absolute_url(value)
    if info.data.get(flag):
        raise ValueError(f"is required when {flag} is true")
    return None


class ForgotPasswordOptions(UserStoreRequest):
    send_email: bool = False
    reset_password_url: Url | None = Field(default=None, validate_default=True)

    @field_validator("reset_password_url")
    @classmethod
    def _url(cls, value: str | None, info: ValidationInfo) -> str | None:
        return _needed_when_sending(value, info)


class CreateUserOptions(UserStoreRequest):
    """`verify_user` with `send_email` mails a verification link (`verify_url?code=...`) to the new user."""

    send_email: bool = False
    verify_user: bool = Field(default=False, validate_default=True)
    verify_url: Url | None = Field(default=None, validate_default=True)

    @field_validator("verify_user")
    @classmethod
    def _mailed(cls, value: bool, info: ValidationInfo) -> bool:
        if value != bool(info.data.get("send_email")):
            # usher hands a verification code out by mail only, and mails no other registration message
            raise ValueError("verify_user and send_email must be given together")
        return value

    @field_validator("verify_url")
    @classmethod
    def _url(cls, value: str | None, info: ValidationInfo) -> str | None:
        return _needed_when_sending(value, info, "verify_user")


class ListOptions(UserStoreRequest):
    limit: Annotated[Int, Field(ge=1, le=MAX_LIMIT)] = DEFAULT_LIMIT
    offset: Annotated[Int, Field(ge=0)] = 0
