"""Every native error code becomes its own exception class, with code, message, request_id, status, retry_after."""

from __future__ import annotations

import httpx
import pytest

from tests.sdk.conftest import PASSWORD, Usher
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


def answering(status: int, body: object, headers: dict[str, str] | None = None) -> Client:
    def handler(_request: httpx.Request) -> httpx.Response:
        if isinstance(body, str):
            return httpx.Response(status, text=body, headers=headers)
        return httpx.Response(status, json=body, headers=headers)

    return Client("http://usher.test", "default", transport=httpx.MockTransport(handler))


def test_every_code_of_the_native_dialect_has_a_class() -> None:
    assert set(ERROR_CLASSES) == set(EXPECTED)


@pytest.mark.parametrize("code", sorted(EXPECTED))
def test_error_body_with_code_raises_its_class(code: str) -> None:
    kind, status = EXPECTED[code]
    body = {"error": {"code": code, "message": "nope", "request_id": "req-1"}}
    with answering(status, body, {"Retry-After": "7"}) as client, pytest.raises(kind) as caught:
        client.me("token")
    error = caught.value
    assert type(error) is kind and isinstance(error, UsherError)
    assert (error.code, error.message, error.request_id, error.status) == (code, "nope", "req-1", status)
    if isinstance(error, RateLimited | Unavailable):
        assert error.retry_after == 7


def test_unknown_code_raises_the_base_class() -> None:
    body = {"error": {"code": "brand_new", "message": "later", "request_id": "r"}}
    with answering(418, body) as client, pytest.raises(UsherError) as caught:
        client.me("token")
    assert type(caught.value) is UsherError and caught.value.code == "brand_new" and caught.value.status == 418


def test_non_json_error_raises_the_base_class_with_http_code() -> None:
    with answering(502, "Bad Gateway") as client, pytest.raises(UsherError) as caught:
        client.me("token")
    assert caught.value.code == "http_502" and caught.value.status == 502


async def test_real_answers_map_to_their_classes(sdk: AsyncClient, usher: Usher) -> None:
    signed = await sdk.sign_up(PASSWORD, email="ada@example.com")
    assert signed.session is not None
    with pytest.raises(Conflict):
        await sdk.sign_up(PASSWORD, email="ada@example.com")
    with pytest.raises(WeakPassword):
        await sdk.sign_up("short", email="bob@example.com")
    with pytest.raises(ValidationError):
        await sdk.verify_email(email="ada@example.com")
    with pytest.raises(InvalidCode):
        await sdk.verify_email(email="ada@example.com", code="000000")
    with pytest.raises(InvalidSession):
        await sdk.me("not-a-session")
    pair = await sdk.token("ada@example.com", PASSWORD)
    await sdk.sign_out_everywhere(signed.session.token)  # the access token's session has ended
    with pytest.raises(InvalidToken):
        await sdk.me(pair.access_token)
    with pytest.raises(NotFound):
        await sdk.get_user("nobody")
    async with usher.client(secret_key=usher.key[:-4] + "AAAA") as wrong, usher.client("nope") as unknown_app:
        with pytest.raises(Unauthenticated):
            await wrong.list_users()
        with pytest.raises(NotFound):
            await unknown_app.sign_in("ada", PASSWORD)


async def test_many_wrong_passwords_raise_rate_limited(sdk: AsyncClient) -> None:
    user = (await sdk.sign_up(PASSWORD, email="ada@example.com")).user
    assert user.id
    with pytest.raises(RateLimited) as caught:
        for _ in range(40):  # 30 per address and window
            with pytest.raises(InvalidCredentials):
                await sdk.sign_in("ada@example.com", "wrong horse battery")
    assert caught.value.status == 429 and caught.value.retry_after


def test_route_and_method_errors_over_the_native_shape() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        code = "route_not_found" if request.method == "GET" else "method_not_allowed"
        return httpx.Response(404 if code == "route_not_found" else 405, json={"error": {"code": code, "message": ""}})

    with Client("http://u", "a", transport=httpx.MockTransport(handler)) as client:
        with pytest.raises(RouteNotFound):
            client.me("t")
        with pytest.raises(MethodNotAllowed):
            client.sign_out("t")
