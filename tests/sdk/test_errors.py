"""Every native error code becomes its own exception class, with code, message, request_id, status, retry_after:
from made-up answers, and from the real app provoking each code through either client."""

from __future__ import annotations

import contextlib
from collections.abc import Awaitable, Callable

import httpx
import pytest

import usher.app
from tests.sdk.conftest import PASSWORD, World
from usher.core.errors import UsherError as ServerError
from usher_client import (
    AccountDisabled,
    AsyncClient,
    Client,
    Conflict,
    EmailNotVerified,
    Forbidden,
    InternalError,
    InvalidCode,
    InvalidCredentials,
    InvalidSession,
    InvalidToken,
    MethodNotAllowed,
    NotFound,
    PayloadTooLarge,
    RateLimited,
    RouteNotFound,
    Unauthenticated,
    Unavailable,
    UsherError,
    ValidationError,
    WeakPassword,
)
from usher_client.errors import ERROR_CLASSES

EXPECTED: dict[str, tuple[type[UsherError], int]] = {
    "validation_error": (ValidationError, 400),
    "weak_password": (WeakPassword, 400),
    "invalid_code": (InvalidCode, 400),
    "invalid_credentials": (InvalidCredentials, 401),
    "unauthenticated": (Unauthenticated, 401),
    "invalid_session": (InvalidSession, 401),
    "invalid_token": (InvalidToken, 401),
    "forbidden": (Forbidden, 403),
    "origin_not_allowed": (Forbidden, 403),
    "account_disabled": (AccountDisabled, 403),
    "email_not_verified": (EmailNotVerified, 403),
    "not_found": (NotFound, 404),
    "route_not_found": (RouteNotFound, 404),
    "method_not_allowed": (MethodNotAllowed, 405),
    "conflict": (Conflict, 409),
    "payload_too_large": (PayloadTooLarge, 413),
    "rate_limited": (RateLimited, 429),
    "unavailable": (Unavailable, 503),
    "internal_error": (InternalError, 500),
}


def answers(status: int, body: object, headers: dict[str, str] | None = None) -> httpx.MockTransport:
    def handler(_request: httpx.Request) -> httpx.Response:
        if isinstance(body, str):
            return httpx.Response(status, text=body, headers=headers)
        return httpx.Response(status, json=body, headers=headers)

    return httpx.MockTransport(handler)


def answering(status: int, body: object, headers: dict[str, str] | None = None) -> Client:
    return Client("http://usher.test", "default", transport=answers(status, body, headers))


def test_every_code_of_the_native_dialect_has_a_class() -> None:
    assert set(ERROR_CLASSES) == set(EXPECTED)


def test_every_code_the_server_defines_is_known_to_the_sdk() -> None:
    """The codes of usher's core and HTTP edge (a dialect's own codes never reach the native API)."""
    assert usher.app  # imported so that every module of the edge that defines an error class is loaded

    def codes(kind: type[ServerError]) -> set[str]:
        own = {kind.code} if kind.__module__.startswith(("usher.core.", "usher.http.")) else set()
        return own.union(*(codes(sub) for sub in kind.__subclasses__()))

    assert codes(ServerError) - {ServerError.code} == set(ERROR_CLASSES)


@pytest.mark.parametrize("code", sorted(EXPECTED))
async def test_error_body_with_code_raises_its_class(code: str) -> None:
    kind, status = EXPECTED[code]
    body = {"error": {"code": code, "message": "nope", "request_id": "req-1"}}
    with answering(status, body, {"Retry-After": "7"}) as client, pytest.raises(kind) as caught:
        client.me("token")
    error = caught.value
    assert type(error) is kind and isinstance(error, UsherError)
    assert (error.code, error.message, error.request_id, error.status) == (code, "nope", "req-1", status)
    if isinstance(error, RateLimited | Unavailable):
        assert error.retry_after == 7
    async with AsyncClient("http://usher.test", "default", transport=answers(status, body)) as sdk:
        with pytest.raises(kind) as caught:
            await sdk.me("token")
    assert type(caught.value) is kind and caught.value.code == code


def test_unknown_code_raises_the_base_class() -> None:
    body = {"error": {"code": "brand_new", "message": "later", "request_id": "r"}}
    with answering(418, body) as client, pytest.raises(UsherError) as caught:
        client.me("token")
    assert type(caught.value) is UsherError and caught.value.code == "brand_new" and caught.value.status == 418


def test_non_json_error_raises_the_base_class_with_http_code() -> None:
    with answering(502, "Bad Gateway") as client, pytest.raises(UsherError) as caught:
        client.me("token")
    assert caught.value.code == "http_502" and caught.value.status == 502


def test_route_and_method_errors_over_the_native_shape() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        code = "route_not_found" if request.method == "GET" else "method_not_allowed"
        return httpx.Response(404 if code == "route_not_found" else 405, json={"error": {"code": code, "message": ""}})

    with Client("http://u", "a", transport=httpx.MockTransport(handler)) as client:
        with pytest.raises(RouteNotFound):
            client.me("t")
        with pytest.raises(MethodNotAllowed):
            client.sign_out("t")


async def test_admin_call_without_secret_key_raises_value_error_before_any_request() -> None:
    def refuse(_request: httpx.Request) -> httpx.Response:
        raise AssertionError("no request expected")

    with Client("http://u", "a", transport=httpx.MockTransport(refuse)) as client, pytest.raises(ValueError):
        client.list_users()
    async with AsyncClient("http://u", "a", transport=httpx.MockTransport(refuse)) as sdk:
        with pytest.raises(ValueError, match="secret_key"):
            await sdk.get_user("x")


# The real app: one way to provoke each code through the SDK (in-process, both clients, both databases).

EMAIL = "ada@example.com"
PROVOKE: dict[str, Callable[[World], Awaitable[object]]] = {}
NOT_PROVOKED = {
    "origin_not_allowed": "a refused CORS preflight: browsers send those, the SDK never does",
    "account_disabled": "defined, but the native API never sends it: a disabled account's sign-in answers "
    "invalid_credentials like a wrong password (README, Security), and disabling ends its sessions",
}


def provokes(code: str) -> Callable[[Callable[[World], Awaitable[object]]], Callable[[World], Awaitable[object]]]:
    def register(provoke: Callable[[World], Awaitable[object]]) -> Callable[[World], Awaitable[object]]:
        PROVOKE[code] = provoke
        return provoke

    return register


async def session_of(world: World, email: str = EMAIL) -> str:
    signed = await world.sdk.sign_up(PASSWORD, email=email)
    assert signed.session is not None
    return str(signed.session.token)


@provokes("validation_error")
async def verify_with_neither_code_nor_token(world: World) -> object:
    return await world.sdk.verify_email(email=EMAIL)


@provokes("weak_password")
async def sign_up_with_a_short_password(world: World) -> object:
    return await world.sdk.sign_up("short", email=EMAIL)


@provokes("invalid_code")
async def verify_with_a_wrong_code(world: World) -> object:
    await session_of(world)
    return await world.sdk.verify_email(email=EMAIL, code="000000")


@provokes("invalid_credentials")
async def sign_in_with_a_wrong_password(world: World) -> object:
    await session_of(world)
    return await world.sdk.sign_in(EMAIL, "wrong horse battery")


@provokes("unauthenticated")
async def admin_call_with_a_wrong_key(world: World) -> object:
    return await world.on(world.new_client(secret_key="usk_" + "A" * 43)).list_users()


@provokes("invalid_session")
async def me_with_an_unknown_session(world: World) -> object:
    return await world.sdk.me("not-a-session")


@provokes("invalid_token")
async def me_with_an_access_token_whose_session_ended(world: World) -> object:
    token = await session_of(world)
    pair = await world.sdk.token(EMAIL, PASSWORD)
    await world.sdk.sign_out_everywhere(token)
    return await world.sdk.me(pair.access_token)


@provokes("forbidden")
async def admin_call_with_a_non_admin_users_session(world: World) -> object:
    return await world.on(world.new_client(secret_key=await session_of(world))).list_users()


@provokes("email_not_verified")
async def sign_in_unverified_where_the_app_wants_verified(world: World) -> object:
    assert world.usher is not None
    await world.usher.container.services.apps.configure("default", {"require_verified_email": "true"})
    await world.sdk.sign_up(PASSWORD, email=EMAIL)
    return await world.sdk.sign_in(EMAIL, PASSWORD)


@provokes("not_found")
async def get_an_unknown_user(world: World) -> object:
    return await world.sdk.get_user("nobody")


@provokes("route_not_found")
async def call_below_a_wrong_prefix(world: World) -> object:
    return await world.on(world.new_client(prefix="/nowhere")).me("token")


@provokes("method_not_allowed")
async def get_a_post_only_path(world: World) -> object:
    return await world.sdk.get_user("nobody/disable")  # %2F is decoded before routing: GET /users/nobody/disable


@provokes("conflict")
async def sign_up_twice(world: World) -> object:
    await session_of(world)
    return await world.sdk.sign_up(PASSWORD, email=EMAIL)


@provokes("payload_too_large")
async def sign_up_with_a_huge_profile(world: World) -> object:
    return await world.sdk.sign_up(PASSWORD, email=EMAIL, profile={"bio": "x" * 70_000})


@provokes("rate_limited")
async def many_wrong_passwords(world: World) -> object:
    await session_of(world)
    for _ in range(40):  # 30 per address and window
        with contextlib.suppress(InvalidCredentials):
            await world.sdk.sign_in(EMAIL, "wrong horse battery")
    return None


@provokes("unavailable")
async def token_of_an_app_without_a_signing_key(world: World) -> object:
    assert world.usher is not None
    _, key = await world.usher.container.services.apps.create("No key", "nokey")
    nokey = world.on(world.new_client("nokey", secret_key=key))
    await nokey.sign_up(PASSWORD, email=EMAIL)
    return await nokey.token(EMAIL, PASSWORD)


@provokes("internal_error")
async def audit_when_the_service_breaks(world: World) -> object:
    assert world.usher is not None

    async def broken(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("a bug")

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(world.usher.container.services.audit, "query", broken)
        return await world.sdk.audit()


def test_every_code_is_provoked_from_the_real_app() -> None:
    assert set(PROVOKE) | set(NOT_PROVOKED) == set(ERROR_CLASSES)


@pytest.mark.parametrize("where", ["asgi"])
@pytest.mark.parametrize("code", sorted(PROVOKE))
async def test_real_answer_raises_its_class(code: str, world: World) -> None:
    kind, status = EXPECTED[code]
    with pytest.raises(UsherError) as caught:
        await PROVOKE[code](world)
    error = caught.value
    assert (type(error), error.code, error.status) == (kind, code, status), error
    assert error.message and error.request_id
    if isinstance(error, RateLimited | Unavailable):
        assert error.retry_after and error.retry_after > 0
