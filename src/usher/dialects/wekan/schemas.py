"""WeKan request bodies: JSON or form-encoded, unknown fields (`fromAdmin`) ignored."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from usher.http.fields import Password, Text

Required = Annotated[Text, Field(min_length=1)]


class WeKanRequest(BaseModel):
    model_config = ConfigDict(extra="ignore", hide_input_in_errors=True)


class NewUserRequest(WeKanRequest):
    username: Required
    email: Required
    password: Password


class LoginRequest(WeKanRequest):
    username: Text = ""
    email: Text = ""
    password: Password

    @model_validator(mode="after")
    def _one_identifier(self) -> LoginRequest:
        if not (self.username or self.email):
            raise ValueError("username or email is required")
        return self

    @property
    def identifier(self) -> str:
        return self.email or self.username  # as Meteor's REST login: an email, when given, wins


class ActionRequest(WeKanRequest):
    action: Literal["disableLogin", "enableLogin"]
