"""WeKan `POST /users/register` and `POST /users/login`: the seed's curls (form and JSON), tokens, first admin."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from tests.dialects.wekan.support import (
    LOGIN_FAILED,
    PASSWORD,
    WeKan,
    assert_accounts_error,
    assert_document,
    assert_login,
    bearer,
)
from usher.container import Container
from usher.core.accounts import Registration
from usher.core.models import RequestContext

STRONG = "my$up3erP@ssw0rd"


def parse(at: str) -> datetime:
    return datetime.fromisoformat(at.replace("Z", "+00:00"))


async def session_expiry(container: Container, token: str) -> datetime:
    return (await container.services.auth.authenticate("default", token)).session.expires_at


async def test_register_seed_form_curl_returns_id_token_and_expiry(
    api: httpx.AsyncClient, container: Container
) -> None:
    # curl http://localhost:3000/users/register -d "username=myusername&password=...&email=my@email.com"
    response = await api.post(
        "/wekan/users/register",
        content=f"username=myusername&password={STRONG.replace('$', '%24')}&email=my@email.com",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/json"
    assert response.headers["cache-control"] == "no-store"
    body = response.json()
    assert_login(body)
    expires = parse(body["tokenExpires"])
    assert expires == await session_expiry(container, body["token"])
    assert abs(expires - (datetime.now(UTC) + timedelta(days=90))) < timedelta(minutes=1)


async def test_register_seed_json_curl_returns_id_token_and_expiry(api: httpx.AsyncClient) -> None:
    response = await api.post(
        "/wekan/users/register",
        content=f'{{ "username": "myusername", "password": "{STRONG}", "email": "my@email.com" }}',
        headers={"Content-type": "application/json"},
    )
    assert response.status_code == 200, response.text
    assert_login(response.json())


@pytest.mark.parametrize("encoding", ["form", "json"])
async def test_register_with_the_seeds_weak_password_is_400(api: httpx.AsyncClient, encoding: str) -> None:
    body = {"username": "myusername", "password": "mypassword", "email": "my@email.com"}
    if encoding == "form":
        response = await api.post("/wekan/users/register", data=body)
    else:
        response = await api.post("/wekan/users/register", json=body)
    found = assert_accounts_error(response, 400)
    assert found["error"] == 400
    assert "mypassword" not in response.text


async def test_registered_token_reads_the_own_user(wekan: WeKan) -> None:
    body = await wekan.registered()
    doc = await wekan.ok("GET", "/api/user", body["token"])
    assert_document(doc)
    assert doc["_id"] == body["id"]
    assert doc["username"] == "myusername"
    assert doc["emails"] == [{"address": "my@email.com", "verified": False}]


async def test_first_registered_user_is_admin_and_later_ones_are_not(wekan: WeKan) -> None:
    first = await wekan.registered("first", "first@example.com")
    second = await wekan.registered("second", "second@example.com")
    assert (await wekan.ok("GET", "/api/user", first["token"]))["isAdmin"] is True
    assert (await wekan.ok("GET", "/api/user", second["token"]))["isAdmin"] is False


async def test_register_after_a_user_made_elsewhere_is_not_admin(wekan: WeKan, container: Container) -> None:
    app = await container.services.apps.get("default")
    reg = Registration(password=PASSWORD, email="native@example.com")
    await container.services.accounts.register(app, reg, RequestContext(), self_service=False)
    body = await wekan.registered()
    assert (await wekan.ok("GET", "/api/user", body["token"]))["isAdmin"] is False


async def test_two_concurrent_first_registrations_make_exactly_one_admin(wekan: WeKan) -> None:
    responses = await asyncio.gather(*(wekan.register(f"user{n}", f"user{n}@example.com") for n in range(4)))
    tokens = [r.json()["token"] for r in responses if r.status_code == 200]
    assert len(tokens) == 4
    admins = [(await wekan.ok("GET", "/api/user", token))["isAdmin"] for token in tokens]
    assert admins.count(True) == 1


@pytest.mark.parametrize("username", ["myusername", "MyUserName", " MYUSERNAME "])
async def test_register_with_taken_username_in_any_case_is_400(wekan: WeKan, username: str) -> None:
    await wekan.registered()
    response = await wekan.register(username, "other@email.com")
    assert_accounts_error(response, 400, {"error": 403, "reason": "Username already exists."})


@pytest.mark.parametrize("email", ["my@email.com", "MY@Email.COM", " my@email.com"])
async def test_register_with_taken_email_in_any_case_is_400(wekan: WeKan, email: str) -> None:
    await wekan.registered()
    response = await wekan.register("someone", email)
    assert_accounts_error(response, 400, {"error": 403, "reason": "Email already exists."})


async def test_register_with_username_equal_to_another_email_is_400(wekan: WeKan) -> None:
    await wekan.registered()
    response = await wekan.register("my@email.com", "new@email.com")
    assert response.status_code == 400
    assert response.json()["error"] == 403


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"username": "a", "email": "a@example.com"},
        {"username": "a", "password": PASSWORD},
        {"email": "a@example.com", "password": PASSWORD},
        {"username": "", "email": "a@example.com", "password": PASSWORD},
        {"username": "a", "email": "not-an-address", "password": PASSWORD},
    ],
)
async def test_register_with_missing_or_bad_fields_is_400(api: httpx.AsyncClient, body: dict[str, str]) -> None:
    response = await api.post("/wekan/users/register", json=body)
    assert assert_accounts_error(response, 400)["error"] == 400


async def test_register_when_sign_up_is_closed_is_403(wekan: WeKan, container: Container) -> None:
    await container.services.apps.configure("default", {"signup_open": "false"})
    assert_accounts_error(await wekan.register(), 403)


# login


async def test_login_seed_form_curl_returns_id_token_and_expiry(
    wekan: WeKan, api: httpx.AsyncClient, container: Container
) -> None:
    registered = await wekan.registered()
    # curl http://example.com/users/login -d "username=YOUR-USERNAME-HERE&password=YOUR-PASSWORD-HERE"
    response = await api.post(
        "/wekan/users/login",
        content=f"username=myusername&password={STRONG.replace('$', '%24')}",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert_login(body)
    assert body["id"] == registered["id"]
    assert body["token"] != registered["token"]
    assert parse(body["tokenExpires"]) == await session_expiry(container, body["token"])


@pytest.mark.parametrize(
    "body",
    [
        {"username": "myusername", "password": PASSWORD},
        {"email": "my@email.com", "password": PASSWORD},
        {"username": "MY@EMAIL.COM", "password": PASSWORD},
        {"email": "my@email.com", "username": "whatever", "password": PASSWORD},
    ],
)
async def test_login_with_json_by_username_or_email_succeeds(
    wekan: WeKan, api: httpx.AsyncClient, body: dict[str, str]
) -> None:
    registered = await wekan.registered()
    response = await api.post("/wekan/users/login", json=body)
    assert response.status_code == 200, response.text
    assert response.json()["id"] == registered["id"]


async def test_login_token_expiry_follows_the_apps_session_lifetime(wekan: WeKan, container: Container) -> None:
    await container.services.apps.configure("default", {"session_ttl": "3600"})
    await wekan.registered()
    body = (await wekan.login()).json()
    expires = parse(body["tokenExpires"])
    assert expires == await session_expiry(container, body["token"])
    assert abs(expires - (datetime.now(UTC) + timedelta(hours=1))) < timedelta(minutes=1)


@pytest.mark.parametrize(
    ("username", "password"),
    [("myusername", "wrong password!"), ("nobody", PASSWORD), ("myusername", ""), ("my@email.com", "x")],
)
async def test_login_failure_is_401_login_failed(wekan: WeKan, username: str, password: str) -> None:
    await wekan.registered()
    assert_accounts_error(await wekan.login(username, password), 401, LOGIN_FAILED)


async def test_login_of_disabled_user_is_401_login_failed(wekan: WeKan, container: Container) -> None:
    body = await wekan.registered()
    await container.services.accounts.set_disabled("default", body["id"], True, RequestContext())
    assert_accounts_error(await wekan.login(), 401, LOGIN_FAILED)


@pytest.mark.parametrize(
    "body", [{}, {"username": "myusername"}, {"password": PASSWORD}, {"username": 5, "password": "x"}]
)
async def test_login_with_missing_fields_is_400(api: httpx.AsyncClient, body: dict[str, object]) -> None:
    response = await api.post("/wekan/users/login", json=body)
    assert assert_accounts_error(response, 400)["error"] == 400


async def test_login_tokens_are_independent_sessions(wekan: WeKan) -> None:
    await wekan.registered()
    one = (await wekan.login()).json()["token"]
    two = (await wekan.login()).json()["token"]
    assert one != two
    for token in (one, two):
        assert (await wekan.call("GET", "/api/user", token)).status_code == 200
    assert (await wekan.api.get("/wekan/api/user", headers=bearer(one))).status_code == 200


async def test_register_and_login_when_the_app_wants_a_verified_email(wekan: WeKan, container: Container) -> None:
    await container.services.apps.configure("default", {"require_verified_email": "true"})
    body = (await wekan.register()).json()
    assert set(body) == {"id", "token", "tokenExpires"}
    assert body["token"] is None
    assert body["tokenExpires"] is None
    assert_accounts_error(await wekan.login(), 403)
    assert_accounts_error(await wekan.login("myusername", "wrong password!"), 401, LOGIN_FAILED)
