"""Every native endpoint as a Call: method, path, body, credential and how to read the answer.

Shared by the sync and async clients, which only differ in how they send a Call.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Generic, Literal, TypeVar
from urllib.parse import quote

from usher_client import models as m

T = TypeVar("T")
Method = Literal["link", "code"]


def _nothing(_body: Any) -> None:
    return None


@dataclass(frozen=True, slots=True)
class Call(Generic[T]):
    method: str
    path: str
    read: Callable[[Any], T]
    json: dict[str, Any] | None = None
    params: dict[str, Any] | None = None
    credential: str | None = None


def _given(**values: Any) -> dict[str, Any]:
    """The values that are not None (the native API treats a missing field as unchanged)."""
    return {name: value for name, value in values.items() if value is not None}


def _id(value: str) -> str:
    return quote(value, safe="")


class Calls:
    """The native API of one app, `/v1/apps/{app_id}/...`."""

    def __init__(self, app_id: str) -> None:
        self.base = f"/v1/apps/{_id(app_id)}"

    # self-service
    def sign_up(self, password: str, email: str | None, username: str | None, **extra: Any) -> Call[m.SignedIn]:
        body = _given(email=email, username=username, password=password, **extra)
        return Call("POST", f"{self.base}/signup", m.SignedIn.from_json, json=body)

    def sign_in(self, login: str, password: str) -> Call[m.SignedIn]:
        body = {"login": login, "password": password}
        return Call("POST", f"{self.base}/signin", m.SignedIn.from_json, json=body)

    def token(self, login: str, password: str) -> Call[m.TokenPair]:
        body = {"login": login, "password": password}
        return Call("POST", f"{self.base}/token", m.TokenPair.from_json, json=body)

    def refresh(self, refresh_token: str) -> Call[m.TokenPair]:
        body = {"refresh_token": refresh_token}
        return Call("POST", f"{self.base}/token/refresh", m.TokenPair.from_json, json=body)

    def me(self, token: str) -> Call[m.Me]:
        return Call("GET", f"{self.base}/me", m.Me.from_json, credential=token)

    def update_me(self, token: str, changes: dict[str, Any]) -> Call[m.User]:
        return Call("PATCH", f"{self.base}/me", m.User.from_json, json=_given(**changes), credential=token)

    def change_password(self, token: str, current_password: str, new_password: str) -> Call[None]:
        body = {"current_password": current_password, "new_password": new_password}
        return Call("POST", f"{self.base}/me/password", _nothing, json=body, credential=token)

    def confirm_password(self, token: str, password: str) -> Call[None]:
        body = {"password": password}
        return Call("POST", f"{self.base}/me/confirm-password", _nothing, json=body, credential=token)

    def sessions(self, token: str) -> Call[list[m.Session]]:
        return Call("GET", f"{self.base}/me/sessions", m.sessions_of, credential=token)

    def revoke_session(self, token: str, session_id: str) -> Call[None]:
        return Call("DELETE", f"{self.base}/me/sessions/{_id(session_id)}", _nothing, credential=token)

    def sign_out(self, token: str) -> Call[None]:
        return Call("POST", f"{self.base}/signout", _nothing, credential=token)

    def sign_out_everywhere(self, token: str) -> Call[None]:
        return Call("POST", f"{self.base}/signout-everywhere", _nothing, credential=token)

    # email, recovery, magic link
    def send_verification(
        self, email: str | None, token: str | None, method: Method, redirect_url: str | None, failure_url: str | None
    ) -> Call[None]:
        body = _given(method=method, redirect_url=redirect_url, failure_redirect_url=failure_url)
        if token is not None:
            return Call("POST", f"{self.base}/me/email/verification", _nothing, json=body, credential=token)
        if email is None:
            raise ValueError("send_verification needs an email address or a session token")
        return Call("POST", f"{self.base}/email/verification", _nothing, json={"email": email, **body})

    def verify_email(self, token: str | None, email: str | None, code: str | None) -> Call[m.User]:
        body = _given(token=token, email=email, code=code)
        return Call("POST", f"{self.base}/email/verify", m.user_in, json=body)

    def forgot_password(self, email: str, method: Method, redirect_url: str | None) -> Call[None]:
        body = _given(email=email, method=method, redirect_url=redirect_url)
        return Call("POST", f"{self.base}/password/forgot", _nothing, json=body)

    def reset_password(self, new_password: str, token: str | None, email: str | None, code: str | None) -> Call[None]:
        body = _given(token=token, email=email, code=code, new_password=new_password)
        return Call("POST", f"{self.base}/password/reset", _nothing, json=body)

    def request_magic_link(self, email: str, method: Method, redirect_url: str | None) -> Call[None]:
        body = _given(email=email, method=method, redirect_url=redirect_url)
        return Call("POST", f"{self.base}/magic-link", _nothing, json=body)

    def redeem_magic_link(self, token: str | None, email: str | None, code: str | None) -> Call[m.SignedIn]:
        body = _given(token=token, email=email, code=code)
        return Call("POST", f"{self.base}/magic-link/redeem", m.SignedIn.from_json, json=body)

    # admin (app secret key)
    def list_users(self, key: str, limit: int, offset: int) -> Call[m.Page]:
        params = {"limit": limit, "offset": offset}
        return Call("GET", f"{self.base}/users", m.Page.from_json, params=params, credential=key)

    def create_user(self, key: str, fields: dict[str, Any]) -> Call[m.User]:
        return Call("POST", f"{self.base}/users", m.User.from_json, json=_given(**fields), credential=key)

    def get_user(self, key: str, user_id: str) -> Call[m.User]:
        return Call("GET", f"{self.base}/users/{_id(user_id)}", m.User.from_json, credential=key)

    def update_user(self, key: str, user_id: str, changes: dict[str, Any]) -> Call[m.User]:
        path = f"{self.base}/users/{_id(user_id)}"
        return Call("PATCH", path, m.User.from_json, json=_given(**changes), credential=key)

    def delete_user(self, key: str, user_id: str) -> Call[None]:
        return Call("DELETE", f"{self.base}/users/{_id(user_id)}", _nothing, credential=key)

    def disable_user(self, key: str, user_id: str) -> Call[m.User]:
        return Call("POST", f"{self.base}/users/{_id(user_id)}/disable", m.User.from_json, credential=key)

    def enable_user(self, key: str, user_id: str) -> Call[m.User]:
        return Call("POST", f"{self.base}/users/{_id(user_id)}/enable", m.User.from_json, credential=key)

    def sign_out_user(self, key: str, user_id: str) -> Call[None]:
        path = f"{self.base}/users/{_id(user_id)}/signout-everywhere"
        return Call("POST", path, _nothing, credential=key)

    def audit(self, key: str, filters: dict[str, Any]) -> Call[list[m.AuditEvent]]:
        params = {k: v.isoformat() if isinstance(v, datetime) else v for k, v in _given(**filters).items()}
        return Call("GET", f"{self.base}/audit", m.events_of, params=params, credential=key)
