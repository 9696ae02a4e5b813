"""M3O request bodies: snake_case names that also accept the lowerCamelCase alias; unknown fields are ignored.

As in proto3's JSON mapping, `null` reads as the field's default, and integers may come as numeric strings.
"""

from __future__ import annotations

import re
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    AliasChoices,
    BaseModel,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
    model_validator,
)

from usher.http.fields import Int, LongText, Password, StrMap, Text

DEFAULT_LIMIT = 25
EmailField = Annotated[Text, Field(min_length=1)]
DEFAULT_RESET_EXPIRATION = 1800  # seconds, the original's default
MIN_RESET_EXPIRATION = 60
MAX_RESET_EXPIRATION = 7 * 24 * 3600
# A host name or IP literal with an optional port: no scheme, path, user info or whitespace.
_ADDRESS = re.compile(r"(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,62})(?:\.[A-Za-z0-9-]{1,63})*|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?")
_ENDPOINT = re.compile(r"[A-Za-z0-9._~!$&'()*+,;=:@%/-]*")


def wire(name: str, default: Any = ...) -> Any:
    """A field that reads `snake_case` and its `lowerCamelCase` alias; required unless given a default."""
    head, *rest = name.split("_")
    camel = head + "".join(part.capitalize() for part in rest)
    return Field(default, validation_alias=AliasChoices(name, camel))


def _default_limit(value: int) -> int:
    return value or DEFAULT_LIMIT  # proto3: 0 means "not given"


class M3ORequest(BaseModel):
    model_config = ConfigDict(extra="ignore", hide_input_in_errors=True)

    @field_validator("*", mode="before")
    @classmethod
    def _null_is_default(cls, value: Any, info: ValidationInfo) -> Any:
        if value is None and info.field_name is not None:
            field = cls.model_fields[info.field_name]
            if not field.is_required():
                return field.get_default(call_default_factory=True)
        return value


class CreateRequest(M3ORequest):
    id: Text = ""
    username: Text = ""
    email: Text
    password: Password
    profile: StrMap = Field(default_factory=dict)


class IdRequest(M3ORequest):
    id: Text


class ReadRequest(M3ORequest):
    id: Text = ""
    username: Text = ""
    email: Text = ""


class UpdateRequest(M3ORequest):
    id: Text
    username: Text = ""
    email: Text = ""
    profile: StrMap = Field(default_factory=dict)


class ListRequest(M3ORequest):
    limit: Annotated[Int, AfterValidator(_default_limit)] = DEFAULT_LIMIT
    offset: Int = 0


class LoginRequest(M3ORequest):
    username: Text = ""
    email: Text = ""
    password: Password

    @property
    def identifier(self) -> str:
        return self.username or self.email


class SessionRequest(M3ORequest):
    session_id: Text = wire("session_id")


class UserRequest(M3ORequest):
    user_id: Text = wire("user_id")


class UpdatePasswordRequest(M3ORequest):
    user_id: Text = wire("user_id")
    old_password: Password = wire("old_password")
    new_password: Password = wire("new_password")
    confirm_password: Password = wire("confirm_password", "")

    @model_validator(mode="after")
    def _confirmed(self) -> UpdatePasswordRequest:
        if self.confirm_password != self.new_password:
            raise ValueError("new_password and confirm_password do not match")
        return self


def _reset_expiration(value: int) -> int:
    if value == 0:
        return DEFAULT_RESET_EXPIRATION  # proto3: 0 means "not given"
    if not MIN_RESET_EXPIRATION <= value <= MAX_RESET_EXPIRATION:
        raise ValueError(f"must be between {MIN_RESET_EXPIRATION} and {MAX_RESET_EXPIRATION} seconds")
    return value


def _address(value: str) -> str:
    value = value.rstrip("/")
    if not _ADDRESS.fullmatch(value):
        raise ValueError("must be a host name such as www.example.com, without scheme or path")
    return value


def _endpoint(value: str) -> str:
    if not _ENDPOINT.fullmatch(value):
        raise ValueError("must be a URL path without spaces, query or fragment")
    return value.strip("/")


class MailText(M3ORequest):
    """What the caller says in the mail: subject, text (with placeholders) and the sender's display name."""

    email: EmailField
    subject: Text = ""
    text_content: LongText = wire("text_content", "")
    from_name: Text = wire("from_name", "")


class SendVerificationEmailRequest(MailText):
    redirect_url: Text = wire("redirect_url", "")
    failure_redirect_url: Text = wire("failure_redirect_url", "")


class SendPasswordResetEmailRequest(MailText):
    expiration: Annotated[Int, AfterValidator(_reset_expiration)] = DEFAULT_RESET_EXPIRATION


class SendMagicLinkRequest(MailText):
    address: Annotated[Text, AfterValidator(_address)]
    endpoint: Annotated[Text, AfterValidator(_endpoint)] = ""


class TokenRequest(M3ORequest):
    token: Text


class ResetPasswordRequest(M3ORequest):
    email: EmailField
    code: Text
    new_password: Password = wire("new_password")
    confirm_password: Password = wire("confirm_password", "")

    @model_validator(mode="after")
    def _confirmed(self) -> ResetPasswordRequest:
        if self.confirm_password != self.new_password:
            raise ValueError("new_password and confirm_password do not match")
        return self
