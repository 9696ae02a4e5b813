"""`USHER_ROOT_DIALECT`: a dialect also mounted at `/`; fixed paths (health, metrics, well-known, OpenAPI, `/v1`)
always win, and errors at root paths come out in that dialect's format (SPEC §6.4)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager

import httpx
import pytest

from tests import conftest
from tests.dialects.wekan.support import PASSWORD, assert_accounts_error, assert_api_error, assert_login, bearer
from usher.app import create_app
from usher.container import Container

Client = Callable[[str | None], AbstractAsyncContextManager[httpx.AsyncClient]]
FIXED_PATHS = ["/healthz", "/readyz", "/metrics", "/.well-known/jwks.json", "/openapi.json", "/docs"]
ACCOUNT = {"username": "myusername", "email": "my@email.com", "password": PASSWORD}


@pytest.fixture
def client(database_url: str, container: Container) -> Client:
    """An HTTP client on an app over the test's database, with the given root dialect (None: none)."""

    @asynccontextmanager
    async def open_client(root_dialect: str | None) -> AsyncIterator[httpx.AsyncClient]:
        app = create_app(conftest.test_settings(database_url, root_dialect=root_dialect), container)
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app, client=("203.0.113.7", 50000))
            async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as api:
                yield api

    return open_client


async def test_wekan_at_root_registers_and_logs_in(client: Client) -> None:
    async with client("wekan") as api:
        registered = await api.post("/users/register", data=ACCOUNT)
        assert registered.status_code == 200, registered.text
        assert_login(registered.json())
        login = await api.post("/users/login", data={"username": "myusername", "password": PASSWORD})
        assert login.status_code == 200, login.text
        assert_login(login.json())
        assert login.json()["id"] == registered.json()["id"]
        me = await api.get("/api/user", headers=bearer(login.json()["token"]))
        assert me.status_code == 200
        assert me.json()["isAdmin"] is True
        assert me.headers["cache-control"] == "no-store"


async def test_wekan_at_root_still_answers_below_its_prefix(client: Client) -> None:
    async with client("wekan") as api:
        await api.post("/users/register", data=ACCOUNT)
        login = await api.post("/wekan/users/login", json={"email": "my@email.com", "password": PASSWORD})
        assert login.status_code == 200, login.text
        assert (await api.get("/api/user", params={"access_token": login.json()["token"]})).status_code == 200


async def test_root_errors_come_in_the_root_dialects_format(client: Client) -> None:
    async with client("wekan") as api:
        assert_api_error(await api.get("/nope"), 404, "not-found")
        assert_api_error(await api.get("/api/user"), 401, "Unauthorized")
        assert_api_error(await api.get("/"), 404, "not-found")
        failed = await api.post("/users/login", data={"username": "nobody", "password": PASSWORD})
        assert_accounts_error(
            failed, 401, {"error": "login-failed", "reason": "Incorrect username, email address or password."}
        )
        assert_accounts_error(await api.get("/users/login"), 405)
        too_big = await api.post("/users/register", data={"padding": "x" * (1024 * 1024)})
        assert_accounts_error(too_big, 413)


async def test_native_api_stays_native_under_a_root_dialect(client: Client) -> None:
    async with client("wekan") as api:
        signup = await api.post("/v1/apps/default/signup", json={"email": "ada@example.com", "password": PASSWORD})
        assert signup.status_code == 201, signup.text
        for response in (await api.get("/v1/nope"), await api.get("/v1/apps/default/me")):
            assert response.status_code in (401, 404)
            assert set(response.json()) == {"error"}
            assert set(response.json()["error"]) == {"code", "message", "request_id"}
        wrong = await api.post("/v1/apps/default/signin", json={"login": "ada@example.com", "password": "nope nope"})
        assert wrong.status_code == 401
        assert wrong.json()["error"]["code"] == "invalid_credentials"


async def test_other_dialects_keep_their_prefix_and_format(client: Client, app_key: str) -> None:
    async with client("wekan") as api:
        response = await api.post("/m3o/v1/user/Nope", json={}, headers=bearer(app_key))
        assert response.status_code == 404
        assert set(response.json()) == {"id", "code", "detail", "status"}
        store = await api.get("/userstore/1/users", auth=(app_key, ""))
        assert store.status_code == 200
        assert set(store.json()) == {"data", "pagination"}


@pytest.mark.parametrize("path", FIXED_PATHS)
async def test_fixed_paths_answer_the_same_with_and_without_a_root_dialect(client: Client, path: str) -> None:
    async with client(None) as plain:
        expected = await plain.get(path)
    async with client("wekan") as api:
        found = await api.get(path)
    assert found.status_code == expected.status_code
    assert found.headers["content-type"] == expected.headers["content-type"]
    if path not in ("/metrics", "/readyz"):  # counters and timings move between the two calls
        assert found.content == expected.content


async def test_fixed_paths_are_served(client: Client) -> None:
    async with client("wekan") as api:
        assert (await api.get("/healthz")).json() == {"status": "ok"}
        assert (await api.get("/readyz")).status_code == 200
        assert (await api.get("/metrics")).status_code == 200
        assert (await api.get("/docs")).status_code == 200
        paths = (await api.get("/openapi.json")).json()["paths"]
        assert all(path.startswith("/v1/") for path in paths), sorted(paths)
        assert not any("users/login" in path or "/api/user" in path for path in paths)


async def test_userstore_at_root(client: Client, app_key: str) -> None:
    async with client("userstore") as api:
        created = await api.post(
            "/1/users", data={"email": "ada@example.com", "password": PASSWORD}, auth=(app_key, "")
        )
        assert created.status_code == 200, created.text
        signin = await api.post(
            "/1/auth/signin", data={"signin_id": "ada@example.com", "password": PASSWORD}, auth=(app_key, "")
        )
        assert signin.json()["id"] == created.json()["id"]
        missing = await api.get("/1/users")
        assert missing.status_code == 401
        assert missing.json()["error"] == "unauthorized"
        unknown = await api.get("/nope")
        assert unknown.status_code == 404
        assert set(unknown.json()) == {"error", "message"}
        assert (await api.get("/healthz")).json() == {"status": "ok"}


async def test_without_a_root_dialect_root_paths_are_native_404s(client: Client) -> None:
    async with client(None) as api:
        response = await api.post("/users/login", data={"username": "x", "password": PASSWORD})
        assert response.status_code == 404
        assert response.json()["error"]["code"] == "route_not_found"
