"""Per-app CORS: allowed and refused origins, preflights, the app named by the path or by the settings, and no
CORS at all on the secret-key APIs (M3O, UserStore, native admin)."""

from __future__ import annotations

import httpx
import pytest

from tests.dialects.native.helpers import BASE, PASSWORD
from tests.http.conftest import ALLOWED, OTHER, ClientFor
from usher.container import Container
from usher.http.cors import MAX_AGE

pytestmark = pytest.mark.usefixtures("cors_apps")

PREFLIGHT = {"Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "authorization,content-type"}
# Browser-facing paths whose app is `default` (by path, or by settings for WeKan and the JWT User Service)
BROWSER_PATHS = [
    f"{BASE}/signin",
    f"{BASE}/me",
    f"{BASE}/token/refresh",
    "/authc1/v1/default/email/login",
    "/wekan/users/login",
    "/wekan/api/user",
    "/userservice/v1/users/login",
]
# Secret-key APIs: never CORS, whatever the origin
SERVER_PATHS = [
    "/m3o/v1/user/Login",
    "/userstore/1/auth/signin",
    "/userstore/1/users",
    f"{BASE}/users",
    f"{BASE}/users/some-id/disable",
    f"{BASE}/audit",
]


def assert_no_cors(response: httpx.Response) -> None:
    assert not [name for name in response.headers if name.startswith("access-control-")], response.headers


@pytest.mark.parametrize("path", BROWSER_PATHS)
async def test_preflight_from_an_allowed_origin_is_204_with_the_exact_origin(api: httpx.AsyncClient, path: str) -> None:
    response = await api.options(path, headers={"Origin": ALLOWED, **PREFLIGHT})
    assert response.status_code == 204, response.text
    assert response.content == b""
    assert response.headers["access-control-allow-origin"] == ALLOWED
    assert "origin" in response.headers["vary"].lower()
    assert "POST" in response.headers["access-control-allow-methods"]
    allowed_headers = response.headers["access-control-allow-headers"].lower()
    assert "authorization" in allowed_headers and "content-type" in allowed_headers
    assert response.headers["access-control-max-age"] == str(MAX_AGE)
    assert "access-control-allow-credentials" not in response.headers
    assert response.headers["x-content-type-options"] == "nosniff"


@pytest.mark.parametrize("path", BROWSER_PATHS)
async def test_actual_request_from_an_allowed_origin_can_read_the_answer(api: httpx.AsyncClient, path: str) -> None:
    response = await api.post(path, json={}, headers={"Origin": ALLOWED})
    assert response.status_code < 500
    assert response.headers["access-control-allow-origin"] == ALLOWED
    assert "x-request-id" in response.headers["access-control-expose-headers"].lower()
    assert response.headers["vary"] == "Origin"


@pytest.mark.parametrize("path", BROWSER_PATHS)
async def test_refused_origin_gets_no_cors_and_its_preflight_is_403(api: httpx.AsyncClient, path: str) -> None:
    preflight = await api.options(path, headers={"Origin": "https://evil.example", **PREFLIGHT})
    assert preflight.status_code == 403
    assert_no_cors(preflight)
    actual = await api.post(path, json={}, headers={"Origin": "https://evil.example"})
    assert_no_cors(actual)
    assert actual.headers["vary"] == "Origin"


async def test_refused_preflight_answers_in_the_dialect_format(api: httpx.AsyncClient) -> None:
    native = await api.options(f"{BASE}/signin", headers={"Origin": OTHER, **PREFLIGHT})
    assert native.json()["error"]["code"] == "origin_not_allowed"
    assert native.json()["error"]["request_id"] == native.headers["x-request-id"]
    authc1 = await api.options("/authc1/v1/default/email/login", headers={"Origin": OTHER, **PREFLIGHT})
    assert authc1.json()["error"]["code"] == "FORBIDDEN"


@pytest.mark.parametrize("path", SERVER_PATHS)
async def test_secret_key_apis_never_answer_cors(api: httpx.AsyncClient, path: str) -> None:
    preflight = await api.options(path, headers={"Origin": ALLOWED, **PREFLIGHT})
    assert preflight.status_code == 405
    assert_no_cors(preflight)
    actual = await api.post(path, json={}, headers={"Origin": ALLOWED})
    assert_no_cors(actual)
    assert "vary" not in actual.headers


@pytest.mark.parametrize("path", ["/healthz", "/metrics", "/openapi.json", "/docs"])
async def test_fixed_paths_get_no_cors(api: httpx.AsyncClient, path: str) -> None:
    assert_no_cors(await api.get(path, headers={"Origin": ALLOWED}))


async def test_jwks_stays_public_for_every_origin(api: httpx.AsyncClient) -> None:
    response = await api.get("/.well-known/jwks.json", headers={"Origin": "https://anyone.example"})
    assert response.headers["access-control-allow-origin"] == "*"


async def test_the_app_in_the_path_decides(api: httpx.AsyncClient) -> None:
    own = await api.options("/v1/apps/other/signin", headers={"Origin": OTHER, **PREFLIGHT})
    assert own.status_code == 204 and own.headers["access-control-allow-origin"] == OTHER
    foreign = await api.options("/v1/apps/other/signin", headers={"Origin": ALLOWED, **PREFLIGHT})
    assert foreign.status_code == 403
    authc1 = await api.options("/authc1/v1/other/email/login", headers={"Origin": OTHER, **PREFLIGHT})
    assert authc1.headers["access-control-allow-origin"] == OTHER


@pytest.mark.parametrize("app_id", ["missing", "Bad%00Id", "x" * 200])
async def test_unknown_or_malformed_app_gets_no_cors(api: httpx.AsyncClient, app_id: str) -> None:
    preflight = await api.options(f"/authc1/v1/{app_id}/email/login", headers={"Origin": ALLOWED, **PREFLIGHT})
    assert preflight.status_code == 403
    assert_no_cors(preflight)
    actual = await api.post(f"/v1/apps/{app_id}/signin", json={}, headers={"Origin": ALLOWED})
    assert actual.status_code in (400, 404)
    assert_no_cors(actual)


@pytest.mark.parametrize("origin", ["null", "https://app.example.com.evil.example", "http://app.example.com", ""])
async def test_near_misses_are_refused(api: httpx.AsyncClient, origin: str) -> None:
    response = await api.options(f"{BASE}/signin", headers={"Origin": origin, **PREFLIGHT})
    assert response.status_code == 403
    assert_no_cors(response)


async def test_origin_compares_without_case_or_trailing_slash(api: httpx.AsyncClient) -> None:
    response = await api.options(f"{BASE}/signin", headers={"Origin": "HTTP://LOCALHOST:3000", **PREFLIGHT})
    assert response.headers["access-control-allow-origin"] == "HTTP://LOCALHOST:3000"


async def test_requests_without_origin_are_untouched(api: httpx.AsyncClient) -> None:
    options = await api.options("/userservice/v1/users/login")
    assert options.status_code == 200 and options.text == "options allowed"
    assert_no_cors(options)
    # Not a preflight (no Access-Control-Request-Method): the JWT User Service answers it, CORS headers added.
    plain = await api.options("/userservice/v1/users/login", headers={"Origin": ALLOWED})
    assert plain.text == "options allowed"
    assert plain.headers["access-control-allow-origin"] == ALLOWED


async def test_userservice_preflight_allows_its_language_header(api: httpx.AsyncClient) -> None:
    response = await api.options("/userservice/v1/users/register", headers={"Origin": ALLOWED, **PREFLIGHT})
    assert "language" in response.headers["access-control-allow-headers"].lower()


async def test_cors_applies_to_a_real_sign_up_and_its_errors(api: httpx.AsyncClient) -> None:
    body = {"email": "ada@example.com", "password": PASSWORD}
    created = await api.post(f"{BASE}/signup", json=body, headers={"Origin": ALLOWED})
    assert created.status_code == 201
    assert created.headers["access-control-allow-origin"] == ALLOWED
    conflict = await api.post(f"{BASE}/signup", json=body, headers={"Origin": ALLOWED})
    assert conflict.status_code == 409
    assert conflict.headers["access-control-allow-origin"] == ALLOWED


async def test_a_change_of_origins_takes_effect(api: httpx.AsyncClient, container: Container) -> None:
    await container.services.apps.configure("default", {"cors_origins": ""})
    response = await api.options(f"{BASE}/signin", headers={"Origin": ALLOWED, **PREFLIGHT})
    assert response.status_code == 403


@pytest.mark.parametrize("path", ["/wekan/users/login", "/userservice/v1/users/login"])
async def test_wekan_and_userservice_take_their_app_from_settings(client_for: ClientFor, path: str) -> None:
    async with client_for(wekan_app="other", userservice_app="other") as client:
        own = await client.options(path, headers={"Origin": OTHER, **PREFLIGHT})
        assert own.status_code == 204 and own.headers["access-control-allow-origin"] == OTHER
        default_origin = await client.options(path, headers={"Origin": ALLOWED, **PREFLIGHT})
        assert default_origin.status_code == 403


async def test_root_mounted_dialect_gets_cors_but_fixed_paths_do_not(client_for: ClientFor) -> None:
    async with client_for(root_dialect="wekan") as client:
        root = await client.options("/users/login", headers={"Origin": ALLOWED, **PREFLIGHT})
        assert root.status_code == 204 and root.headers["access-control-allow-origin"] == ALLOWED
        assert_no_cors(await client.get("/metrics", headers={"Origin": ALLOWED}))
        assert_no_cors(await client.post(f"{BASE}/users", json={}, headers={"Origin": ALLOWED}))
    async with client_for(root_dialect="authc1") as client:
        root = await client.options("/v1/default/email/login", headers={"Origin": ALLOWED, **PREFLIGHT})
        assert root.headers["access-control-allow-origin"] == ALLOWED
        admin = await client.options(f"{BASE}/users", headers={"Origin": ALLOWED, **PREFLIGHT})
        assert_no_cors(admin)
    async with client_for(root_dialect="m3o") as client:
        assert_no_cors(await client.post("/v1/user/Login", json={}, headers={"Origin": ALLOWED}))
