"""Security headers on every kind of response: success, errors of every dialect, 404/405/413, unhandled 500,
HTML pages, /docs, metrics; HSTS only behind an https public URL; never a Server header or version banner."""

from __future__ import annotations

import base64
import hashlib
import logging
import re
from typing import Any

import httpx
import pytest

from tests.conftest import test_settings as settings_for
from tests.dialects.native.helpers import BASE, PASSWORD
from tests.http.conftest import ClientFor, serve
from usher import __version__
from usher.app import create_app
from usher.container import Container
from usher.http.docs import CDN
from usher.http.middleware import HSTS, STRICT_CSP

BIG = {"email": "ada@example.com", "password": "x" * (70 * 1024)}

# (method, path, request options, status): one of every kind of answer the edge gives
RESPONSES: list[tuple[str, str, dict[str, Any], int]] = [
    ("GET", "/healthz", {}, 200),
    ("POST", f"{BASE}/signup", {"json": {"email": "ada@example.com", "password": PASSWORD}}, 201),
    ("POST", f"{BASE}/signout", {}, 401),
    ("POST", f"{BASE}/signin", {"content": b"{not json"}, 400),
    ("POST", f"{BASE}/signup", {"json": BIG}, 413),
    ("POST", "/m3o/v1/user/Login", {"json": BIG}, 413),
    ("GET", "/no/such/path", {}, 404),
    ("GET", "/m3o/v1/user/Nope", {}, 404),
    ("GET", "/authc1/v1/default/nope", {}, 404),
    ("GET", "/userstore/1/nope", {}, 404),
    ("GET", "/wekan/api/nope", {}, 404),
    ("GET", "/userservice/v1/users/health", {}, 200),
    ("DELETE", "/healthz", {}, 405),
    ("POST", "/m3o/v1/user/Read", {"json": {}}, 401),
    ("GET", f"{BASE}/email/verify?token=unknown", {}, 400),
    ("GET", "/openapi.json", {}, 200),
    ("GET", "/metrics", {}, 200),
    ("OPTIONS", "/userservice/v1/users/login", {}, 200),
]


def assert_secured(response: httpx.Response, *, cacheable: bool = False) -> None:
    headers = response.headers
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["referrer-policy"] == "no-referrer"
    assert headers["x-frame-options"] == "DENY"
    assert "frame-ancestors 'none'" in headers["content-security-policy"]
    assert re.fullmatch(r"[0-9a-f]{16}", headers["x-request-id"])
    assert "server" not in headers
    assert "strict-transport-security" not in headers  # the test's public URL is http
    if not cacheable:
        assert headers["cache-control"] == "no-store"


@pytest.mark.parametrize(("method", "path", "options", "status"), RESPONSES, ids=[f"{r[0]} {r[1]}" for r in RESPONSES])
async def test_every_response_kind_has_security_headers(
    api: httpx.AsyncClient, method: str, path: str, options: dict[str, Any], status: int
) -> None:
    response = await api.request(method, path, **options)
    assert response.status_code == status, response.text
    assert_secured(response)
    if "json" in response.headers.get("content-type", ""):
        assert response.headers["content-security-policy"] == STRICT_CSP


async def test_html_page_gets_the_strict_policy(api: httpx.AsyncClient) -> None:
    response = await api.get(f"{BASE}/email/verify", params={"token": "unknown"})
    assert response.headers["content-type"].startswith("text/html")
    assert response.headers["content-security-policy"] == STRICT_CSP
    assert "<script" not in response.text


async def test_jwks_is_cacheable_and_still_secured(api: httpx.AsyncClient) -> None:
    response = await api.get("/.well-known/jwks.json")
    assert response.status_code == 200
    assert_secured(response, cacheable=True)
    assert response.headers["cache-control"].startswith("public, max-age=")


async def test_unhandled_error_is_a_500_in_the_dialect_format_with_security_headers(
    settings: Any, container: Container, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    app = create_app(settings, container)

    async def boom() -> None:
        password = "s3cr3t"
        raise RuntimeError(f"kaboom, the password is {password}")

    app.add_api_route(f"{BASE}/boom", boom, include_in_schema=False)
    app.add_api_route("/wekan/api/boom", boom, include_in_schema=False)
    app.router.routes.insert(0, app.router.routes.pop())  # ahead of the /wekan mount, which would answer 404
    async with serve(app) as client:  # httpx would raise if the exception escaped the app
        native = await client.get(f"{BASE}/boom")
        wekan = await client.get("/wekan/api/boom")
    assert native.status_code == 500 and wekan.status_code == 500
    assert native.json()["error"] == {
        "code": "internal_error",
        "message": "internal error",
        "request_id": native.headers["x-request-id"],
    }
    assert "error" in wekan.json() and "kaboom" not in wekan.text
    for response in (native, wekan):
        assert_secured(response)
        assert "s3cr3t" not in response.text
    errors = [r for r in caplog.records if r.name == "usher.http" and r.levelno == logging.ERROR]
    assert len(errors) == 2 and "RuntimeError" in errors[0].getMessage() and "in boom" in errors[0].getMessage()
    assert all("s3cr3t" not in f"{r.getMessage()} {r.exc_text or ''}" for r in caplog.records)
    assert any(r.name == "usher.access" and " 500 " in r.getMessage() for r in caplog.records)


async def test_hsts_only_when_the_public_url_is_https(client_for: ClientFor) -> None:
    async with client_for(public_url="https://auth.example.com") as secure:
        for response in (await secure.get("/healthz"), await secure.get("/nope"), await secure.get("/docs")):
            assert response.headers["strict-transport-security"] == HSTS
    async with client_for(public_url="http://127.0.0.1:8000") as plain:
        assert "strict-transport-security" not in (await plain.get("/healthz")).headers


async def test_docs_page_policy_allows_only_its_cdn_and_its_own_inline_script(api: httpx.AsyncClient) -> None:
    response = await api.get("/docs")
    assert response.status_code == 200
    assert_secured(response)
    policy = dict(part.strip().split(" ", 1) for part in response.headers["content-security-policy"].split(";"))
    inline = re.findall(r"<script>(.*?)</script>", response.text, re.DOTALL)
    assert len(inline) == 1 and "/openapi.json" in inline[0]
    digest = base64.b64encode(hashlib.sha256(inline[0].encode()).digest()).decode()
    assert policy["script-src"] == f"{CDN} 'sha256-{digest}'"
    assert policy["default-src"] == "'none'" and policy["frame-ancestors"] == "'none'"
    assert policy["connect-src"] == "'self'"
    loaded = re.findall(r'(?:src|href)="([^"]+)"', response.text)
    assert loaded and all(url.startswith((CDN, "data:")) for url in loaded)
    assert "validatorUrl" in inline[0]


async def test_no_version_banner_in_headers_or_metrics(api: httpx.AsyncClient) -> None:
    for path in ("/healthz", "/metrics", "/docs", "/nope"):
        response = await api.get(path)
        assert "server" not in response.headers and "x-powered-by" not in response.headers
        assert __version__ not in str(response.headers)
    metrics = await api.get("/metrics")
    assert "python_info" not in metrics.text


@pytest.mark.parametrize(
    ("method", "path", "allowed"),
    [("TRACE", f"{BASE}/signup", "POST"), ("DELETE", "/healthz", "GET"), ("GET", "/m3o/v1/user/Login", "POST")],
)
async def test_method_not_allowed_names_the_allowed_methods(
    api: httpx.AsyncClient, method: str, path: str, allowed: str
) -> None:
    response = await api.request(method, path)
    assert response.status_code == 405
    assert response.headers["allow"] == allowed
    assert_secured(response)


async def test_access_log_can_be_turned_off(database_url: str, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)
    for enabled in (True, False):
        caplog.clear()
        app = create_app(settings_for(database_url, access_log=enabled))
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
                assert (await client.get("/healthz")).status_code == 200
        lines = [r.getMessage() for r in caplog.records if r.name == "usher.access"]
        assert (lines != []) is enabled
