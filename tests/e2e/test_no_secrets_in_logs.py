"""No secret the suite creates ever reaches a log record (every logger at DEBUG), nor a response that should not
carry it, in any dialect.

Secrets: every password sent (good, wrong, too long, refused), the app key, every session, access and refresh token
issued, every code and link the outbox holds, the stored password hashes and the digests storage keeps of tokens
and keys. A token may appear only in the response that issued it and in answers to requests that carried it
(M3O's ReadSession echoes its session); a code only where the dialect's contract returns it (UserStore's
forgot-password); passwords, keys, hashes and digests in no response at all. Log records of the test's own
client (`httpx`) are left out: they show the URLs the test asked for.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest

from tests.dialects.mailbox import mails, newest
from usher.container import Container
from usher.core.identity import digest
from usher.core.models import Purpose

EMAIL = "ada@example.com"
P1, P2, P3 = "Correct#Horse9Battery", "Second$Long9Passphrase", "Third%Long9Passphrase"
WRONG = "Wrong#Horse9Battery"
TOO_LONG = "Long#Pass9" + "z" * 1100
TOKEN_KEYS = {"token", "access_token", "refresh_token", "accessToken", "refreshToken"}
CLIENT_LOGGERS = ("httpx",)


@dataclass
class Exchange:
    label: str
    request: str
    response: str


@dataclass
class Trail:
    """Every exchange the scenario made, and every secret it met (with the exchanges allowed to show it)."""

    api: httpx.AsyncClient
    exchanges: list[Exchange] = field(default_factory=list)
    never: set[str] = field(default_factory=set)  # in no response
    tokens: dict[str, set[int]] = field(default_factory=dict)  # -> exchanges that issued it
    codes: dict[str, set[int]] = field(default_factory=dict)

    async def __call__(self, method: str, url: str, *, key: str | None = None, **options: Any) -> httpx.Response:
        headers = dict(options.pop("headers", {}))
        if key is not None:
            headers["Authorization"] = f"Bearer {key}"
        response = await self.api.request(method, url, headers=headers, **options)
        request = response.request
        sent = f"{request.url} {dict(request.headers)} {request.content.decode(errors='replace')}"
        shown = f"{dict(response.headers)} {response.text}"
        self.exchanges.append(Exchange(f"{method} {url} -> {response.status_code}", sent, shown))
        if response.headers.get("content-type", "").startswith("application/json") and response.content:
            for name, value in _strings(response.json()):
                if name in TOKEN_KEYS:
                    self.token(value)
                elif name == "code":
                    self.codes.setdefault(value, set()).add(len(self.exchanges) - 1)
        return response

    def token(self, value: str, *, issued_here: bool = True) -> None:
        where = {len(self.exchanges) - 1} if issued_here else set()
        self.tokens.setdefault(value, set()).update(where)
        self.never.add(digest(value))

    def secret(self, *values: str) -> None:
        self.never.update(values)
        self.never.update(digest(value) for value in values if value.startswith("usk_"))

    async def mailed(self, container: Container, to: str, purpose: str) -> str:
        code = (await newest(container, to, purpose)).secrets["code"]
        self.codes.setdefault(code, set())
        return code


def _strings(data: Any, name: str = "") -> Iterator[tuple[str, str]]:
    if isinstance(data, dict):
        for key, value in data.items():
            yield from _strings(value, str(key))
    elif isinstance(data, list):
        for item in data:
            yield from _strings(item, name)
    elif isinstance(data, str):
        yield name, data


def _found(secret: str, text: str) -> bool:
    """Short codes (6 digits) are matched as whole words, so a timestamp that contains the digits is no hit."""
    if len(secret) >= 16:
        return secret in text
    return re.search(rf"(?<![0-9A-Za-z]){re.escape(secret)}(?![0-9A-Za-z])", text) is not None


@pytest.fixture
def debug_logs(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    """The operator's `DEBUG` (the root logger and all that inherit from it). Loggers usher sets itself keep
    their level: storage holds the database drivers at WARNING (they log parameters and result rows)."""
    caplog.set_level(logging.DEBUG)
    return caplog


@pytest.fixture
def every_logger_forced_to_debug(caplog: pytest.LogCaptureFixture) -> Iterator[pytest.LogCaptureFixture]:
    """Root and every logger that exists (SQLAlchemy, aiosqlite, asyncpg, usher.*) at DEBUG, restored after."""
    loggers = [logging.getLogger(name) for name in list(logging.root.manager.loggerDict)]
    before = [(logger, logger.level, logger.disabled) for logger in loggers]
    caplog.set_level(logging.DEBUG)
    for logger in loggers:
        logger.setLevel(logging.DEBUG)
        logger.disabled = False
    try:
        yield caplog
    finally:
        for logger, level, disabled in before:
            logger.setLevel(level)
            logger.disabled = disabled


# The scenarios: each drives one dialect through sign-up, failures, tokens, codes and password changes.


async def native(trail: Trail, container: Container, key: str) -> None:
    base = "/v1/apps/default"
    await container.services.apps.configure("default", {"redirect_urls": "https://app.example.com/"})
    assert (await trail("POST", f"{base}/signup", json={"email": EMAIL, "password": P1})).status_code == 201
    await trail("POST", f"{base}/signin", json={"login": EMAIL, "password": WRONG})
    await trail("POST", f"{base}/signin", json={"login": EMAIL, "password": TOO_LONG})
    await trail("POST", f"{base}/signup", json={"email": "bad\u0000@x.y", "password": P2})
    signin = await trail("POST", f"{base}/signin", json={"login": EMAIL, "password": P1})
    session = signin.json()["session"]["token"]
    await trail("GET", f"{base}/me?access_token={session}", key=session)
    pair = (await trail("POST", f"{base}/token", json={"login": EMAIL, "password": P1})).json()
    await trail("GET", f"{base}/me", key=pair["access_token"])
    await trail("POST", f"{base}/token/refresh", json={"refresh_token": pair["refresh_token"]})
    await trail("POST", f"{base}/token/refresh", json={"refresh_token": pair["refresh_token"]})  # reuse
    await trail("POST", f"{base}/password/forgot", json={"email": EMAIL, "method": "code"})
    code = await trail.mailed(container, EMAIL, Purpose.RESET_PASSWORD)
    await trail("POST", f"{base}/password/reset", json={"email": EMAIL, "code": code, "new_password": P2})
    await trail("POST", f"{base}/email/verification", json={"email": EMAIL})
    verify = await trail.mailed(container, EMAIL, Purpose.VERIFY_EMAIL)
    await trail("GET", f"{base}/email/verify?token={verify}")
    await trail("POST", f"{base}/magic-link", json={"email": EMAIL})
    link_token = await trail.mailed(container, EMAIL, Purpose.MAGIC_LINK)
    redeemed = await trail("POST", f"{base}/magic-link/redeem", json={"token": link_token})
    session = redeemed.json()["session"]["token"]
    await trail("POST", f"{base}/me/confirm-password", json={"password": WRONG}, key=session)
    await trail("POST", f"{base}/me/password", json={"current_password": P2, "new_password": P3}, key=session)
    await trail("POST", f"{base}/users", json={"email": "bob@example.com", "password": P1}, key=key)
    await trail("GET", f"{base}/users", key=key)
    await trail("GET", f"{base}/audit", key=key)
    await trail("POST", f"{base}/signout", key=session)


async def m3o(trail: Trail, container: Container, key: str) -> None:
    def call(endpoint: str, body: dict[str, Any]) -> Awaitable[httpx.Response]:
        return trail("POST", f"/m3o/v1/user/{endpoint}", json=body, key=key)

    created = await call("Create", {"email": EMAIL, "username": "ada", "password": P1})
    assert created.status_code == 200, created.text
    user_id = created.json()["account"]["id"]
    await call("Login", {"username": "ada", "password": WRONG})
    login = await call("Login", {"email": EMAIL, "password": P1})
    session = login.json()["session"]["id"]
    trail.token(session)
    await call("ReadSession", {"sessionId": session})
    await call("SendPasswordResetEmail", {"email": EMAIL, "subject": "Reset", "textContent": "code $code"})
    code = await trail.mailed(container, EMAIL, Purpose.RESET_PASSWORD)
    await call("ResetPassword", {"email": EMAIL, "code": code, "newPassword": P2, "confirmPassword": P2})
    await call("SendVerificationEmail", {"email": EMAIL, "subject": "Verify", "redirectUrl": "https://a.example/"})
    verify = await trail.mailed(container, EMAIL, Purpose.VERIFY_EMAIL)
    await trail("GET", f"/m3o/user/verify?token={verify}")
    await call("VerifyEmail", {"token": verify})
    await call("SendMagicLink", {"email": EMAIL, "subject": "Hi", "address": "app.example.com", "endpoint": "m"})
    link_token = await trail.mailed(container, EMAIL, Purpose.MAGIC_LINK)
    verified = await call("VerifyToken", {"token": link_token})
    trail.token(verified.json()["session"]["id"])
    await call("UpdatePassword", {"userId": user_id, "oldPassword": P2, "newPassword": P3, "confirmPassword": P3})
    await call("Read", {"id": user_id})
    await call("List", {})
    await call("Logout", {"sessionId": session})


async def authc1(trail: Trail, container: Container, key: str) -> None:
    base = "/authc1/v1/default"
    registered = await trail("POST", f"{base}/email/register", json={"name": "Ada", "email": EMAIL, "password": P1})
    assert registered.status_code == 200, registered.text
    await trail("POST", f"{base}/email/login", json={"email": EMAIL, "password": WRONG})
    login = (await trail("POST", f"{base}/email/login", json={"email": EMAIL, "password": P1})).json()
    await trail("POST", f"{base}/email/verify", key=login["access_token"])
    code = await trail.mailed(container, EMAIL, Purpose.VERIFY_EMAIL)
    await trail("POST", f"{base}/email/confirm", json={"code": code}, key=login["access_token"])
    await trail("POST", f"{base}/accounts/access-token", json={"refresh_token": login["refresh_token"]})
    await trail("POST", f"{base}/email/forgot-password", json={"email": EMAIL})
    reset = await trail.mailed(container, EMAIL, Purpose.RESET_PASSWORD)
    body = {"email": EMAIL, "code": reset, "password": P2}
    await trail("POST", f"{base}/email/confirm-password", json=body)


async def userservice(trail: Trail, container: Container, key: str) -> None:
    base = "/userservice/v1/users"
    registered = await trail("POST", f"{base}/register", json={"email": EMAIL, "password": P1})
    assert registered.status_code == 200, registered.text
    await trail("POST", f"{base}/login", json={"email": EMAIL, "password": WRONG})
    login = (await trail("POST", f"{base}/login", json={"email": EMAIL, "password": P1})).json()
    access = login["accessToken"]
    await trail("POST", f"{base}/accessToken", json={"refreshToken": login["refreshToken"]})
    await trail("GET", f"{base}/profile", key=access)
    await trail("POST", f"{base}/attributes", json={"attributeKey": "k", "attributeText": "v"}, key=access)
    await trail("GET", f"{base}/status", key=access)
    await trail("POST", f"{base}/newPassword", json={"email": EMAIL})
    code = await trail.mailed(container, EMAIL, Purpose.RESET_PASSWORD)
    reset = {"email": EMAIL, "code": code, "new_password": P2}
    await trail("POST", "/v1/apps/default/password/reset", json=reset)


async def userstore(trail: Trail, container: Container, key: str) -> None:
    base = "/userstore/1"
    auth = {"x-api-key": key}
    created = await trail("POST", f"{base}/users", json={"email": EMAIL, "password": P1}, headers=auth)
    assert created.status_code == 200, created.text
    user_id = created.json()["id"]
    await trail("POST", f"{base}/auth/signin", json={"signin_id": EMAIL, "password": WRONG}, headers=auth)
    await trail("POST", f"{base}/auth/signin", data={"signin_id": EMAIL, "password": P1}, headers=auth)
    await trail("POST", f"{base}/auth/confirm", json={"id": user_id, "password": P1}, headers=auth)
    forgot = await trail("POST", f"{base}/auth/forgot-password", json={"email": EMAIL}, headers=auth)
    code = forgot.json()["code"]
    await trail("POST", f"{base}/auth/reset-password", json={"code": code, "password": P2}, headers=auth)
    await trail("GET", f"{base}/users/{user_id}", headers=auth)
    await trail("GET", f"{base}/users", headers=auth)
    await trail("POST", f"{base}/auth/signout", json={"id": user_id}, headers=auth)


async def wekan(trail: Trail, container: Container, key: str) -> None:
    registered = await trail("POST", "/wekan/users/register", data={"username": "ada", "email": EMAIL, "password": P1})
    assert registered.status_code == 200, registered.text
    await trail("POST", "/wekan/users/login", data={"username": "ada", "password": WRONG})
    login = (await trail("POST", "/wekan/users/login", json={"email": EMAIL, "password": P1})).json()
    token = login["token"]
    await trail("GET", "/wekan/api/user", key=token)
    await trail("GET", f"/wekan/api/user?access_token={token}")
    await trail("GET", "/wekan/api/users", key=token)
    bob = {"username": "bob", "email": "bob@x.example", "password": P2}
    await trail("POST", "/wekan/api/users", json=bob, key=token)


Scenario = Callable[[Trail, Container, str], Awaitable[None]]
SCENARIOS: list[Scenario] = [native, m3o, authc1, userservice, userstore, wekan]


@pytest.mark.parametrize("scenario", SCENARIOS, ids=[s.__name__ for s in SCENARIOS])
async def test_no_secret_in_any_log_record_or_foreign_response(
    api: httpx.AsyncClient,
    app_key: str,
    container: Container,
    debug_logs: pytest.LogCaptureFixture,
    scenario: Scenario,
) -> None:
    trail = Trail(api)
    trail.secret(P1, P2, P3, WRONG, TOO_LONG, app_key)
    await scenario(trail, container, app_key)
    await assert_no_leaks(trail, container, debug_logs.records)


async def test_no_secret_in_logs_even_with_every_logger_forced_to_debug(
    api: httpx.AsyncClient,
    app_key: str,
    container: Container,
    every_logger_forced_to_debug: pytest.LogCaptureFixture,
) -> None:
    trail = Trail(api)
    trail.secret(P1, P2, P3, WRONG, TOO_LONG, app_key)
    await native(trail, container, app_key)
    await assert_no_leaks(trail, container, every_logger_forced_to_debug.records)


async def assert_no_leaks(trail: Trail, container: Container, all_records: list[logging.LogRecord]) -> None:
    async with container.uow() as uow:
        for user in (await uow.users.list("default", 100, 0)).users:
            credentials = await uow.users.credentials("default", user.id)
            if credentials is not None and credentials.password_hash:
                trail.secret(credentials.password_hash)
    for mail in await mails(container, EMAIL):
        for value in mail.secrets.values():
            if value:
                trail.codes.setdefault(value, set())
    assert trail.tokens or trail.codes, "the scenario met no token or code: it checks nothing"
    assert len(trail.never) > 6

    records = [r for r in all_records if not r.name.startswith(CLIENT_LOGGERS)]
    assert any(r.name == "usher.access" for r in records)
    logged = "\n".join(_record_text(r) for r in records)
    problems = []
    everything = {**{secret: set[int]() for secret in trail.never}, **trail.tokens, **trail.codes}
    for secret, issued_by in everything.items():
        if _found(secret, logged):
            names = sorted({r.name for r in records if _found(secret, _record_text(r))})
            problems.append(f"{secret[:12]}... logged by {names}")
        echo_allowed = secret in trail.tokens
        for index, exchange in enumerate(trail.exchanges):
            if index in issued_by or (echo_allowed and secret in exchange.request):
                continue
            if _found(secret, exchange.response):
                problems.append(f"{secret[:12]}... in the answer to {exchange.label}")
    assert not problems, "\n".join(problems)


def _record_text(record: logging.LogRecord) -> str:
    return f"{record.getMessage()} {record.exc_text or ''} {record.stack_info or ''}"
