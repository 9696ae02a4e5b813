"""Client: the native API over a blocking httpx.Client, one method per endpoint (AsyncClient in aio.py mirrors it).

Self-service methods take the user's session token (or JWT access token); admin methods use the client's
`secret_key`. Errors come out as UsherError subclasses (see usher_client.errors). Requests are built in calls.py
and answers read in _http.py, so this module only sends.
"""

from __future__ import annotations

from datetime import datetime
from types import TracebackType
from typing import Any, TypeVar

import httpx

from usher_client import models as m
from usher_client._http import USER_AGENT, ClientBase, request_args, result_of
from usher_client.calls import Call, Method

T = TypeVar("T")


class Client(ClientBase):
    def __init__(
        self,
        base_url: str,
        app_id: str,
        *,
        secret_key: str | None = None,
        transport: httpx.BaseTransport | None = None,
        timeout: float = 10.0,
    ) -> None:
        super().__init__(app_id, secret_key)
        headers = {"User-Agent": USER_AGENT}
        self._http = httpx.Client(base_url=base_url, transport=transport, timeout=timeout, headers=headers)

    def _run(self, call: Call[T]) -> T:
        return result_of(call, self._http.request(**request_args(call)))

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> Client:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self.close()

    # self-service
    def sign_up(
        self, password: str, *, email: str | None = None, username: str | None = None, **profile: Any
    ) -> m.SignedIn:
        """Create an account (extra fields: first_name, last_name, language, profile) and usually sign it in."""
        return self._run(self._calls.sign_up(password, email, username, **profile))

    def sign_in(self, login: str, password: str) -> m.SignedIn:
        """A new session token for a username or email and a password."""
        return self._run(self._calls.sign_in(login, password))

    def token(self, login: str, password: str) -> m.TokenPair:
        """Sign in for a JWT access token and a refresh token."""
        return self._run(self._calls.token(login, password))

    def refresh(self, refresh_token: str) -> m.TokenPair:
        """A new token pair; the given refresh token is spent."""
        return self._run(self._calls.refresh(refresh_token))

    def me(self, token: str) -> m.Me:
        return self._run(self._calls.me(token))

    def update_me(self, token: str, **changes: Any) -> m.User:
        """Change username, first_name, last_name, language or profile (None leaves a field alone)."""
        return self._run(self._calls.update_me(token, changes))

    def change_password(self, token: str, current_password: str, new_password: str) -> None:
        return self._run(self._calls.change_password(token, current_password, new_password))

    def confirm_password(self, token: str, password: str) -> None:
        """Returns when the password is right; raises InvalidCredentials when not."""
        return self._run(self._calls.confirm_password(token, password))

    def sessions(self, token: str) -> list[m.Session]:
        return self._run(self._calls.sessions(token))

    def revoke_session(self, token: str, session_id: str) -> None:
        return self._run(self._calls.revoke_session(token, session_id))

    def sign_out(self, token: str) -> None:
        return self._run(self._calls.sign_out(token))

    def sign_out_everywhere(self, token: str) -> None:
        return self._run(self._calls.sign_out_everywhere(token))

    # email verification, password reset, magic link
    def send_verification(
        self,
        email: str | None = None,
        *,
        token: str | None = None,
        method: Method = "link",
        redirect_url: str | None = None,
        failure_redirect_url: str | None = None,
    ) -> None:
        """Mail a link or code to `email`, or (with a session `token`) to the signed-in user's address."""
        return self._run(self._calls.send_verification(email, token, method, redirect_url, failure_redirect_url))

    def verify_email(self, token: str | None = None, *, email: str | None = None, code: str | None = None) -> m.User:
        """Verify with a mailed link's `token`, or with `email` and `code`."""
        return self._run(self._calls.verify_email(token, email, code))

    def forgot_password(self, email: str, *, method: Method = "link", redirect_url: str | None = None) -> None:
        return self._run(self._calls.forgot_password(email, method, redirect_url))

    def reset_password(
        self, new_password: str, *, token: str | None = None, email: str | None = None, code: str | None = None
    ) -> None:
        return self._run(self._calls.reset_password(new_password, token, email, code))

    def request_magic_link(self, email: str, *, method: Method = "link", redirect_url: str | None = None) -> None:
        return self._run(self._calls.request_magic_link(email, method, redirect_url))

    def redeem_magic_link(
        self, token: str | None = None, *, email: str | None = None, code: str | None = None
    ) -> m.SignedIn:
        return self._run(self._calls.redeem_magic_link(token, email, code))

    # admin: the client's secret_key
    def list_users(self, *, limit: int = 25, offset: int = 0) -> m.Page:
        return self._run(self._calls.list_users(self._key(), limit, offset))

    def create_user(self, *, password: str | None = None, **fields: Any) -> m.User:
        """Fields: id, email, username, first_name, last_name, language, profile, permission_level, is_admin,
        email_verified."""
        return self._run(self._calls.create_user(self._key(), {"password": password, **fields}))

    def get_user(self, user_id: str) -> m.User:
        return self._run(self._calls.get_user(self._key(), user_id))

    def update_user(self, user_id: str, **changes: Any) -> m.User:
        return self._run(self._calls.update_user(self._key(), user_id, changes))

    def delete_user(self, user_id: str) -> None:
        return self._run(self._calls.delete_user(self._key(), user_id))

    def disable_user(self, user_id: str) -> m.User:
        return self._run(self._calls.disable_user(self._key(), user_id))

    def enable_user(self, user_id: str) -> m.User:
        return self._run(self._calls.enable_user(self._key(), user_id))

    def sign_out_user(self, user_id: str) -> None:
        return self._run(self._calls.sign_out_user(self._key(), user_id))

    def audit(
        self,
        *,
        user_id: str | None = None,
        type: str | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        limit: int = 100,
        offset: int = 0,
    ) -> list[m.AuditEvent]:
        """The app's audit events, newest first."""
        filters = {"user_id": user_id, "type": type, "since": since, "until": until, "limit": limit, "offset": offset}
        return self._run(self._calls.audit(self._key(), filters))
