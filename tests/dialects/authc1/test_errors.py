"""The AuthC1 error format for core errors that HTTP tests cannot provoke on demand (limits, outages, bugs)."""

from __future__ import annotations

import orjson
import pytest
from starlette.requests import Request

from usher.core import errors as core
from usher.dialects.authc1.errors import EmailAlreadyVerified, render
from usher.http import errors as edge


def _request() -> Request:
    scope = {"type": "http", "method": "POST", "path": "/authc1/v1/default/email/login", "headers": []}
    return Request({**scope, "query_string": b"", "usher.request_id": "rid123"})


def _body(error: core.UsherError) -> tuple[int, dict[str, object]]:
    response = render(error, _request())
    body = orjson.loads(response.body)
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message", "details"}
    return response.status_code, body["error"]


@pytest.mark.parametrize(
    ("error", "status", "retry_after"),
    [(core.RateLimited(30), 429, "30"), (core.Unavailable(retry_after=2), 503, "2")],
)
async def test_render_limit_or_outage_sets_retry_after(error: core.UsherError, status: int, retry_after: str) -> None:
    response = render(error, _request())
    inner = orjson.loads(response.body)["error"]
    assert response.status_code == status
    assert inner["code"] == ("RATE_LIMITED" if status == 429 else "SERVICE_UNAVAILABLE")
    assert inner["details"] == {"retry_after": int(retry_after)}
    assert response.headers["retry-after"] == retry_after


@pytest.mark.parametrize("error", [edge.InternalError(), core.UsherError("secret detail from a bug")])
async def test_render_unexpected_error_is_500_without_internals(error: core.UsherError) -> None:
    status, inner = _body(error)
    assert status == 500
    assert inner["code"] == "SERVER_ERROR"
    assert inner["details"] == {"request_id": "rid123"}
    assert "secret" not in str(inner)


@pytest.mark.parametrize(
    ("error", "status", "code"),
    [
        (core.NotFound("user"), 404, "USER_NOT_FOUND"),
        (core.NotFound("app"), 401, "UNAUTHORIZED"),
        (core.NotFound("session"), 404, "NOT_FOUND"),
        (core.InvalidToken(), 401, "UNAUTHORIZED"),
        (core.InvalidToken("token has expired", expired=True), 401, "TOKEN_EXPIRED"),
        (core.InvalidSession(), 401, "UNAUTHORIZED"),
        (core.Unauthenticated(), 401, "UNAUTHORIZED"),
        (core.InvalidCredentials(), 401, "INVALID_CREDENTIALS"),
        (core.Conflict("email"), 409, "EMAIL_IN_USE"),
        (core.Conflict("account"), 409, "EMAIL_IN_USE"),
        (core.WeakPassword("password is too common"), 400, "INVALID_PASSWORD"),
        (core.InvalidInput("email is required", field="email"), 400, "VALIDATION_ERROR"),
        (core.InvalidCode("expired"), 404, "EXPIRED_OR_INVALID_CODE"),
        (EmailAlreadyVerified(), 403, "EMAIL_ALREADY_VERIFIED"),
        (core.EmailNotVerified(), 403, "EMAIL_NOT_VERIFIED"),
        (core.AccountDisabled(), 403, "ACCOUNT_DISABLED"),
        (core.Forbidden("sign-up is closed"), 403, "FORBIDDEN"),
        (edge.RouteNotFound(), 404, "NOT_FOUND"),
        (edge.MethodNotAllowed(), 405, "METHOD_NOT_ALLOWED"),
        (edge.PayloadTooLarge(65536), 413, "PAYLOAD_TOO_LARGE"),
    ],
)
async def test_render_core_error_maps_to_authc1_status_and_code(error: core.UsherError, status: int, code: str) -> None:
    rendered_status, inner = _body(error)
    assert (rendered_status, inner["code"]) == (status, code)


async def test_render_weak_password_carries_policy_message_and_field() -> None:
    _, inner = _body(core.WeakPassword("password is too common"))
    assert inner["message"] == "password is too common"
    assert inner["details"] == {"field": "password"}


async def test_render_401_asks_for_bearer() -> None:
    assert render(core.InvalidToken(), _request()).headers["www-authenticate"] == "Bearer"
