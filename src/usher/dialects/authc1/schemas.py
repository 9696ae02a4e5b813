"""AuthC1 request bodies, with the original's snake_case field names; unknown fields are ignored."""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from usher.core.identity import EMAIL_SHAPE, MAX_EMAIL
from usher.http.fields import Password, Text

MAX_NAME = 200
MAX_CODE = 64


def _email(value: str) -> str:
    if not EMAIL_SHAPE.fullmatch(value.strip()):
        raise ValueError("must be an email address")
    return value


def _stripped(value: str) -> str:
    value = value.strip()
    if not value:
        raise ValueError("must not be blank")
    return value


Email = Annotated[Text, Field(max_length=MAX_EMAIL), AfterValidator(_email)]
Name = Annotated[Text, Field(max_length=MAX_NAME), AfterValidator(_stripped)]
Code = Annotated[Text, Field(max_length=MAX_CODE), AfterValidator(_stripped)]
RefreshToken = Annotated[Text, AfterValidator(_stripped)]


class AuthC1Request(BaseModel):
    model_config = ConfigDict(extra="ignore", hide_input_in_errors=True, frozen=True)


class LoginRequest(AuthC1Request):
    email: Email
    password: Password


class RegisterRequest(AuthC1Request):
    name: Name
    email: Email
    password: Password


class ConfirmRequest(AuthC1Request):
    code: Code


class ForgotPasswordRequest(AuthC1Request):
    email: Email


class ConfirmPasswordRequest(AuthC1Request):
    email: Email
    code: Code
    password: Password


class RefreshRequest(AuthC1Request):
    refresh_token: RefreshToken
