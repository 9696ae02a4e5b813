"""AsyncClient: the native API over httpx.AsyncClient, one coroutine per endpoint, mirroring client.py.

Self-service methods take the user's session token (or JWT access token); admin methods use the client's
`secret_key`. Errors come out as UsherError subclasses (see usher_client.errors). Requests are built in calls.py
and answers read in _http.py, so this module only sends; tests/sdk/test_clients.py holds both clients to the
same methods, signatures and docstrings.
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


class AsyncClient(ClientBase):
    def __init__(
        self,
        base_url: str,
        app_id: str,
        *,
        secret_key: str | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        timeout: float = 10.0,
    ) -> None:
        super().__init__(app_id, secret_key)
        headers = {"User-Agent": USER_AGENT}
        self._http = httpx.AsyncClient(base_url=base_url, transport=transport, timeout=timeout, headers=headers)

    async def _run(self, call: Call[T]) -> T:
        return result_of(call, await self._http.request(**request_args(call)))

    async def aclose(self) -> None:
        await self._http.aclose()

    async def __aenter__(self) -> AsyncClient:
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        await self.aclose()

    # self-service
    async def sign_up(
        self, password: str, *, email: str | None = None, username: str | None = None, **profile: Any
    ) -> m.SignedIn:
        """Create an account (extra fields: first_name, last_name, language, profile) and usually sign it in."""
        return await self._run(self._calls.sign_up(password, email, username, **profile))

    async def sign_in(self, login: str, password: str) -> m.SignedIn:
        """A new session token for a username or email and a password."""
        return await self._run(self._calls.sign_in(login, password))

    async def token(self, login: str, password: str) -> m.TokenPair:
        """Sign in for a JWT access token and a refresh token."""
        return await self._run(self._calls.token(login, password))

    async def refresh(self, refresh_token: str) -> m.TokenPair:
        """A new token pair; the given refresh token is spent."""
        return await self._run(self._calls.refresh(refresh_token))

    async def me(self, token: str) -> m.Me:
        return await self._run(self._calls.me(token))

    async def update_me(self, token: str, **changes: Any) -> m.User:
        """Change username, first_name, last_name, language or profile (None leaves a field alone)."""
        return await self._run(self._calls.update_me(token, changes))

    async def change_password(self, token: str, current_password: str, new_password: str) -> None:
        return await self._run(self._calls.change_password(token, current_password, new_password))

    async def confirm_password(self, token: str, password: str) -> None:
        """Returns when the password is right; raises InvalidCredentials when not."""
        return await self._run(self._calls.confirm_password(token, password))

    async def sessions(self, token: str) -> list[m.Session]:
        return await self._run(self._calls.sessions(token))

    async def revoke_session(self, token: str, session_id: str) -> None:
        return await self._run(self._calls.revoke_session(token, session_id))

    async def sign_out(self, token: str) -> None:
        return await self._run(self._calls.sign_out(token))

    async def sign_out_everywhere(self, token: str) -> None:
        return await self._run(self._calls.sign_out_everywhere(token))

    # email verification, password reset, magic link
    async def send_verification(
        self,
        email: str | None = None,
        *,
        token: str | None = None,
        method: Method = "link",
        redirect_url: str | None = None,
        failure_redirect_url: str | None = None,
    ) -> None:
        """Mail a link or code to `email`, or (with a session `token`) to the signed-in user's address."""
        return await self._run(self._calls.send_verification(email, token, method, redirect_url, failure_redirect_url))

    async def verify_email(
        self, token: str | None = None, *, email: str | None = None, code: str | None = None
    ) -> m.User:
        """Verify with a mailed link's `token`, or with `email` and `code`."""
        return await self._run(self._calls.verify_email(token, email, code))

    async def forgot_password(self, email: str, *, method: Method = "link", redirect_url: str | None = None) -> None:
        return await self._run(self._calls.forgot_password(email, method, redirect_url))

    async def reset_password(
        self, new_password: str, *, token: str | None = None, email: str | None = None, code: str | None = None
    ) -> None:
        return await self._run(self._calls.reset_password(new_password, token, email, code))

    async def request_magic_link(self, email: str, *, method: Method = "link", redirect_url: str | None = None) -> None:
        return await self._run(self._calls.request_magic_link(email, method, redirect_url))

    async def redeem_magic_link(
        self, token: str | None = None, *, email: str | None = None, code: str | None = None
    ) -> m.SignedIn:
        return await self._run(self._calls.redeem_magic_link(token, email, code))

    # admin: the client's secret_key
    async def list_users(self, *, limit: int = 25, offset: int = 0) -> m.Page:
        return await self._run(self._calls.list_users(self._key(), limit, offset))

    async def create_user(self, *, password: str | None = None, **fields: Any) -> m.User:
        """Fields: id, email, username, first_name, last_name, language, profile, permission_level, is_admin,
        email_verified."""
        return await self._run(self._calls.create_user(self._key(), {"password": password, **fields}))

    async def get_user(self, user_id: str) -> m.User:
        return await self._run(self._calls.get_user(self._key(), user_id))

    async def update_user(self, user_id: str, **changes: Any) -> m.User:
        return await self._run(self._calls.update_user(self._key(), user_id, changes))

    async def delete_user(self, user_id: str) -> None:
        return await self._run(self._calls.delete_user(self._key(), user_id))

    async def disable_user(self, user_id: str) -> m.User:
        return await self._run(self._calls.disable_user(self._key(), user_id))

    async def enable_user(self, user_id: str) -> m.User:
        return await self._run(self._calls.enable_user(self._key(), user_id))

    async def sign_out_user(self, user_id: str) -> None:
        return await self._run(self._calls.sign_out_user(self._key(), user_id))

    async def audit(
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
        return await self._run(self._calls.audit(self._key(), filters))
