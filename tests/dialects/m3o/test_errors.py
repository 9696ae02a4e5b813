"""The M3O error format for core errors that HTTP tests cannot provoke on demand (limits, outages, bugs)."""

from __future__ import annotations

import orjson
import pytest
from starlette.requests import Request

from usher.core import errors as core
from usher.dialects.m3o.errors import error_id, render
from usher.http.errors import InternalError


def _request(path: str) -> Request:
    return Request({"type": "http", "method": "POST", "path": path, "headers": [], "query_string": b""})


@pytest.mark.parametrize(
    ("error", "status", "phrase", "retry_after"),
    [
        (core.RateLimited(30), 429, "Too Many Requests", "30"),
        (core.Unavailable(retry_after=2), 503, "Service Unavailable", "2"),
    ],
)
async def test_render_limit_or_outage_sets_retry_after(
    error: core.UsherError, status: int, phrase: str, retry_after: str
) -> None:
    response = render(error, _request("/m3o/v1/user/Login"))
    body = orjson.loads(response.body)
    assert response.status_code == status
    assert body == {"id": "user.login", "code": status, "detail": error.message, "status": phrase}
    assert response.headers["retry-after"] == retry_after


@pytest.mark.parametrize("error", [InternalError(), core.UsherError("secret detail from a bug")])
async def test_render_unexpected_error_is_500_internal_error(error: core.UsherError) -> None:
    response = render(error, _request("/m3o/v1/user/Create"))
    assert response.status_code == 500
    assert orjson.loads(response.body) == {
        "id": "user.create",
        "code": 500,
        "detail": "internal error",
        "status": "Internal Server Error",
    }


@pytest.mark.parametrize(
    ("error", "status"),
    [
        (core.Forbidden("no"), 403),
        (core.AccountDisabled(), 403),
        (core.EmailNotVerified(), 403),
        (core.InvalidSession(), 404),
        (core.Conflict("id"), 400),
    ],
)
async def test_render_core_error_maps_to_m3o_status(error: core.UsherError, status: int) -> None:
    assert render(error, _request("/m3o/v1/user/Read")).status_code == status


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/m3o/v1/user/ReadSession", "user.readsession"),
        ("/v1/user/LogoutAll", "user.logoutall"),
        ("/m3o/v1/user/VerifyToken/", "user.verifytoken"),
        ("/m3o/v1/user/<script>", "user"),
        ("/m3o/v1/user/Login/extra", "user"),
        ("/m3o/v1/user", "user"),
        ("/m3o", "user"),
    ],
)
async def test_error_id_from_path_names_only_known_endpoints(path: str, expected: str) -> None:
    assert error_id(path) == expected
