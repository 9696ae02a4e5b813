"""JWT User Service request bodies, with the original's (camelCase) field names; unknown fields are ignored.

`null` reads as "not given" for optional fields. Nothing a client sent is echoed in a validation error.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from usher.http.fields import Int, LongText, Password, Text

Required = Annotated[Text, Field(min_length=1)]


class UserServiceRequest(BaseModel):
    model_config = ConfigDict(extra="ignore", hide_input_in_errors=True)


class RegisterRequest(UserServiceRequest):
    email: Text
    password: Password
    firstname: Text | None = None
    lastname: Text | None = None


class LoginRequest(UserServiceRequest):
    email: Text
    password: Password


class RefreshRequest(UserServiceRequest):
    refreshToken: Text


class CodeRequest(UserServiceRequest):
    code: Required


class EmailRequest(UserServiceRequest):
    email: Required


class AttributeRequest(UserServiceRequest):
    attributeKey: Required
    attributeText: LongText


class AttributeRef(UserServiceRequest):
    """Which attribute to delete: its key (`attributeKey`, or `attributeText` as the seed has it) or its id."""

    attributeKey: Text | None = None
    attributeText: Text | None = None
    attributeId: Int | None = None

    @property
    def key(self) -> str | None:
        return self.attributeKey or self.attributeText or None


class ProfileRequest(UserServiceRequest):
    """A name not passed (or null) is cleared: the original sets it to nil."""

    firstname: Text | None = None
    lastname: Text | None = None
