"""M3O Login, Logout, LogoutAll, ReadSession and UpdatePassword over HTTP: the seed's examples and error paths."""

from __future__ import annotations

import pytest

from tests.dialects.m3o.support import (
    M3O,
    NEW_PASSWORD,
    PASSWORD,
    assert_account,
    assert_error,
    assert_session,
)
from tests.fakes import FakeClock
from usher.container import Container
from usher.core.models import RequestContext

WEEK = 7 * 24 * 3600

# Login


@pytest.mark.parametrize("field", ["username", "email"])
async def test_login_with_username_or_email_returns_seed_session(m3o: M3O, field: str) -> None:
    account = await m3o.create(email="joe@example.com", username="joe")
    value = "joe" if field == "username" else "Joe@Example.com"
    data = await m3o.ok("Login", {field: value, "password": PASSWORD})
    assert set(data) == {"session"}
    session = data["session"]
    assert_session(session)
    assert session["userId"] == account["id"]


async def test_login_session_lasts_seven_days(m3o: M3O) -> None:
    await m3o.create()
    session = await m3o.login()
    assert int(session["expires"]) - int(session["created"]) == WEEK


async def test_login_with_app_session_ttl_uses_it(m3o: M3O, container: Container) -> None:
    await container.services.apps.configure("default", {"session_ttl": "3600"})
    await m3o.create()
    session = await m3o.login()
    assert int(session["expires"]) - int(session["created"]) == 3600


async def test_login_with_wrong_password_is_401(m3o: M3O) -> None:
    await m3o.create()
    response = await m3o("Login", {"username": "joe", "password": "wrong password here"})
    assert_error(response, 401, "Login")
    assert response.json()["status"] == "Unauthorized"
    assert "wrong password here" not in response.text


async def test_login_unknown_user_is_401_like_wrong_password(m3o: M3O) -> None:
    await m3o.create()
    wrong = await m3o("Login", {"username": "joe", "password": "wrong password here"})
    unknown = await m3o("Login", {"email": "nobody@example.com", "password": PASSWORD})
    assert_error(unknown, 401, "Login", wrong.json()["detail"])


async def test_login_disabled_user_is_401(m3o: M3O, container: Container) -> None:
    account = await m3o.create()
    await container.services.accounts.set_disabled("default", account["id"], True, RequestContext())
    assert_error(await m3o("Login", {"username": "joe", "password": PASSWORD}), 401, "Login")


async def test_login_without_password_is_400(m3o: M3O) -> None:
    assert_error(await m3o("Login", {"username": "joe"}), 400, "Login", "password is required")


async def test_login_without_username_or_email_is_400(m3o: M3O) -> None:
    assert_error(await m3o("Login", {"password": PASSWORD}), 400, "Login")


async def test_login_with_password_as_number_is_400(m3o: M3O) -> None:
    assert_error(await m3o("Login", {"username": "joe", "password": 12345678}), 400, "Login")


async def test_login_with_unverified_email_when_required_is_403(m3o: M3O, container: Container) -> None:
    await container.services.apps.configure("default", {"require_verified_email": "true"})
    await m3o.create()
    assert_error(await m3o("Login", {"username": "joe", "password": PASSWORD}), 403, "Login")


# ReadSession


@pytest.mark.parametrize("field", ["session_id", "sessionId"])
async def test_read_session_live_returns_seed_session_and_account(m3o: M3O, field: str) -> None:
    account = await m3o.create()
    session = await m3o.login()
    data = await m3o.ok("ReadSession", {field: session["id"]})
    assert set(data) == {"session", "account"}
    assert_session(data["session"])
    assert_account(data["account"])
    assert data["session"] == session
    assert data["account"]["id"] == account["id"]


@pytest.mark.parametrize("token", ["nope", "x" * 43, ""])
async def test_read_session_unknown_is_404(m3o: M3O, token: str) -> None:
    assert_error(await m3o("ReadSession", {"session_id": token}), 404, "ReadSession")


async def test_read_session_without_session_id_is_400(m3o: M3O) -> None:
    assert_error(await m3o("ReadSession", {}), 400, "ReadSession", "session_id is required")


async def test_read_session_expired_is_404(clocked: tuple[M3O, FakeClock]) -> None:
    m3o, clock = clocked
    await m3o.create()
    session = await m3o.login()
    clock.advance(WEEK - 1)
    assert await m3o.session_status(session["id"]) == 200
    clock.advance(2)
    assert_error(await m3o("ReadSession", {"session_id": session["id"]}), 404, "ReadSession")


async def test_read_session_of_another_app_is_404(m3o: M3O, container: Container) -> None:
    _, other_key = await container.services.apps.create("other", "other")
    other = M3O(m3o.api, other_key)
    await other.create()
    session = await other.login()
    assert await other.session_status(session["id"]) == 200
    assert_error(await m3o("ReadSession", {"session_id": session["id"]}), 404, "ReadSession")


# Logout


@pytest.mark.parametrize("field", ["session_id", "sessionId"])
async def test_logout_live_session_returns_empty_and_revokes_it(m3o: M3O, field: str) -> None:
    await m3o.create()
    session = await m3o.login()
    other = await m3o.login()
    assert await m3o.ok("Logout", {field: session["id"]}) == {}
    assert await m3o.session_status(session["id"]) == 404
    assert await m3o.session_status(other["id"]) == 200


@pytest.mark.parametrize("token", ["nope", "x" * 43])
async def test_logout_unknown_session_returns_empty(m3o: M3O, token: str) -> None:
    assert await m3o.ok("Logout", {"session_id": token}) == {}


async def test_logout_without_session_id_is_400(m3o: M3O) -> None:
    assert_error(await m3o("Logout", {}), 400, "Logout", "session_id is required")


# LogoutAll


@pytest.mark.parametrize("field", ["user_id", "userId"])
async def test_logout_all_returns_empty_and_revokes_every_session(m3o: M3O, field: str) -> None:
    joe = await m3o.create(email="joe@example.com", username="joe")
    await m3o.create(email="jane@example.com", username="jane")
    sessions = [await m3o.login("joe"), await m3o.login("joe")]
    janes = await m3o.login("jane")
    assert await m3o.ok("LogoutAll", {field: joe["id"]}) == {}
    for session in sessions:
        assert await m3o.session_status(session["id"]) == 404
    assert await m3o.session_status(janes["id"]) == 200


async def test_logout_all_unknown_user_is_404(m3o: M3O) -> None:
    assert_error(await m3o("LogoutAll", {"user_id": "nobody"}), 404, "LogoutAll")


async def test_logout_all_without_user_id_is_400(m3o: M3O) -> None:
    assert_error(await m3o("LogoutAll", {}), 400, "LogoutAll", "user_id is required")


# UpdatePassword


async def test_update_password_with_seed_fields_returns_empty_and_revokes_sessions(m3o: M3O) -> None:
    account = await m3o.create()
    session = await m3o.login()
    body = {
        "userId": account["id"],
        "old_password": PASSWORD,
        "new_password": NEW_PASSWORD,
        "confirm_password": NEW_PASSWORD,
    }
    assert await m3o.ok("UpdatePassword", body) == {}
    assert await m3o.session_status(session["id"]) == 404
    assert_error(await m3o("Login", {"username": "joe", "password": PASSWORD}), 401, "Login")
    assert_session(await m3o.login(password=NEW_PASSWORD))


async def test_update_password_with_camel_case_aliases_is_accepted(m3o: M3O) -> None:
    account = await m3o.create()
    body = {
        "user_id": account["id"],
        "oldPassword": PASSWORD,
        "newPassword": NEW_PASSWORD,
        "confirmPassword": NEW_PASSWORD,
    }
    assert await m3o.ok("UpdatePassword", body) == {}
    assert_session(await m3o.login(password=NEW_PASSWORD))


@pytest.mark.parametrize("confirm", ["something different", None])
async def test_update_password_confirm_mismatch_is_400(m3o: M3O, confirm: str | None) -> None:
    account = await m3o.create()
    body = {"userId": account["id"], "old_password": PASSWORD, "new_password": NEW_PASSWORD}
    if confirm is not None:
        body["confirm_password"] = confirm
    response = await m3o("UpdatePassword", body)
    assert_error(response, 400, "UpdatePassword")
    assert NEW_PASSWORD not in response.text
    assert_session(await m3o.login())


async def test_update_password_wrong_old_password_is_401(m3o: M3O) -> None:
    account = await m3o.create()
    session = await m3o.login()
    body = {"userId": account["id"], "oldPassword": "not the password", "newPassword": NEW_PASSWORD}
    body["confirmPassword"] = NEW_PASSWORD
    assert_error(await m3o("UpdatePassword", body), 401, "UpdatePassword")
    assert await m3o.session_status(session["id"]) == 200


@pytest.mark.parametrize("weak", ["mypassword", "tester"])
async def test_update_password_weak_new_password_is_400(m3o: M3O, weak: str) -> None:
    account = await m3o.create()
    body = {"userId": account["id"], "oldPassword": PASSWORD, "newPassword": weak, "confirmPassword": weak}
    response = await m3o("UpdatePassword", body)
    assert_error(response, 400, "UpdatePassword")
    assert response.json()["detail"].startswith("password")


async def test_update_password_unknown_user_is_404(m3o: M3O) -> None:
    body = {"userId": "nobody", "oldPassword": PASSWORD, "newPassword": NEW_PASSWORD, "confirmPassword": NEW_PASSWORD}
    assert_error(await m3o("UpdatePassword", body), 404, "UpdatePassword")


@pytest.mark.parametrize("missing", ["userId", "oldPassword", "newPassword"])
async def test_update_password_without_required_field_is_400(m3o: M3O, missing: str) -> None:
    body = {"userId": "x", "oldPassword": PASSWORD, "newPassword": NEW_PASSWORD, "confirmPassword": NEW_PASSWORD}
    del body[missing]
    assert_error(await m3o("UpdatePassword", body), 400, "UpdatePassword")
