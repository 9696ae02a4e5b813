"""UserStore `/1/auth/*` over HTTP: every seed example, form-encoded (as the curls) and JSON."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from tests.dialects.mailbox import mails, only_mail
from tests.dialects.userstore.support import (
    EMAIL,
    NEW_PASSWORD,
    PASSWORD,
    UserStore,
    assert_error,
    assert_time,
    assert_user,
)
from usher.container import Container
from usher.core.models import Purpose, RequestContext

ENCODINGS = ["form", "json"]
TOKEN_SHAPE = re.compile(r"[A-Za-z0-9_-]{43}")
SEED_RESET_QUERY = "send_email=true&reset_password_url=https%3A%2F%2Fexample.com%2Freset-password"


async def send(us: UserStore, endpoint: str, body: dict[str, Any], encoding: str, query: str = "") -> httpx.Response:
    path = f"/auth/{endpoint}" + (f"?{query}" if query else "")
    if encoding == "form":
        return await us("POST", path, data=body)
    return await us("POST", path, json=body)


def parse(at: str) -> datetime:
    return datetime.fromisoformat(at.replace("Z", "+00:00"))


# signin


@pytest.mark.parametrize("encoding", ENCODINGS)
async def test_signin_seed_example_returns_the_user_with_last_signin(userstore: UserStore, encoding: str) -> None:
    created = await userstore.create(first_name="John", last_name="Smith")
    assert created["last_signin"] is None
    response = await send(userstore, "signin", {"signin_id": EMAIL, "password": PASSWORD}, encoding)
    assert response.status_code == 200, response.text
    user = response.json()
    assert_user(user)
    assert user["id"] == created["id"]
    assert (user["email"], user["username"], user["first_name"], user["last_name"]) == (
        EMAIL,
        "johnsmith",
        "John",
        "Smith",
    )
    assert user["is_active"] is True
    assert user["is_email_verified"] is False
    assert_time(user["last_signin"])
    assert parse(user["last_signin"]) >= parse(user["created_at"])
    assert abs((parse(user["last_signin"]) - datetime.now(UTC)).total_seconds()) < 60
    read = await userstore.ok("GET", f"/users/{created['id']}")
    assert read["last_signin"] == user["last_signin"]


@pytest.mark.parametrize("signin_id", ["johnsmith", "JohnSmith", " JOHN@example.com "])
async def test_signin_with_username_or_email_in_any_case_succeeds(userstore: UserStore, signin_id: str) -> None:
    await userstore.create()
    assert (await userstore.signin(signin_id)).status_code == 200


@pytest.mark.parametrize(
    ("signin_id", "password"), [(EMAIL, "wrong password!"), ("nobody@example.com", PASSWORD), ("johnsmith", "")]
)
async def test_signin_with_bad_credentials_is_401(userstore: UserStore, signin_id: str, password: str) -> None:
    await userstore.create()
    body = assert_error(await userstore.signin(signin_id, password), 401, "invalid_credentials")
    assert PASSWORD not in str(body)


async def test_signin_of_disabled_user_is_the_same_401_as_a_wrong_password(
    userstore: UserStore, container: Container
) -> None:
    created = await userstore.create()
    wrong = (await userstore.signin(EMAIL, "wrong password!")).json()
    await container.services.accounts.set_disabled("default", created["id"], True, RequestContext())
    response = await userstore.signin()
    assert_error(response, 401, "invalid_credentials")
    assert response.json() == wrong
    assert (await userstore.ok("GET", f"/users/{created['id']}"))["is_active"] is False


@pytest.mark.parametrize("body", [{}, {"signin_id": EMAIL}, {"password": PASSWORD}, {"signin_id": "", "password": "x"}])
async def test_signin_with_missing_fields_is_400(userstore: UserStore, body: dict[str, str]) -> None:
    response = await userstore("POST", "/auth/signin", data=body) if body else await userstore("POST", "/auth/signin")
    error = assert_error(response, 400, "validation_error")
    assert error["validation_error"][0]["field"] in {"signin_id", "password"}


# signout


@pytest.mark.parametrize("encoding", ENCODINGS)
async def test_signout_seed_example_returns_the_user_and_records_activity(
    userstore: UserStore, container: Container, encoding: str
) -> None:
    created = await userstore.create()
    response = await send(userstore, "signout", {"id": created["id"]}, encoding)
    assert response.status_code == 200, response.text
    assert_user(response.json())
    assert response.json()["id"] == created["id"]
    events = await container.services.audit.query("default", user_id=created["id"], type="signout")
    assert len(events) == 1
    assert events[0].outcome == "success"


async def test_signout_of_unknown_user_is_404(userstore: UserStore) -> None:
    assert_error(await userstore("POST", "/auth/signout", data={"id": "lFVofRqhZ"}), 404, "not_found")


# confirm


@pytest.mark.parametrize("encoding", ENCODINGS)
async def test_confirm_seed_example_confirms(userstore: UserStore, encoding: str) -> None:
    created = await userstore.create()
    response = await send(userstore, "confirm", {"id": created["id"], "password": PASSWORD}, encoding)
    assert response.status_code == 200, response.text
    assert response.json() == {"confirmed": True}


async def test_confirm_with_wrong_password_is_401(userstore: UserStore) -> None:
    created = await userstore.create()
    response = await userstore("POST", "/auth/confirm", data={"id": created["id"], "password": "nope nope nope"})
    assert_error(response, 401, "invalid_credentials")


async def test_confirm_of_unknown_user_is_404(userstore: UserStore) -> None:
    response = await userstore("POST", "/auth/confirm", data={"id": "lFVofRqhZ", "password": PASSWORD})
    assert_error(response, 404, "not_found")


# verify


async def verification_code(userstore: UserStore, container: Container, url: str = "http://example.com/verify") -> str:
    params = {"verify_user": "true", "send_email": "true", "verify_url": url}
    body = {"email": EMAIL, "password": PASSWORD}
    created = await userstore.ok("POST", "/users", data=body, params=params)
    assert created["is_email_verified"] is False
    mail = await only_mail(container, EMAIL, Purpose.VERIFY_EMAIL)
    code = mail.secrets["code"]
    assert mail.secrets["link"] == f"{url}?code={code}"
    return code


@pytest.mark.parametrize("encoding", ENCODINGS)
async def test_verify_seed_example_verifies_the_email(
    userstore: UserStore, container: Container, encoding: str
) -> None:
    code = await verification_code(userstore, container)
    response = await send(userstore, "verify", {"code": code}, encoding)
    assert response.status_code == 200, response.text
    body = response.json()
    assert set(body) == {"id"}
    user = await userstore.ok("GET", f"/users/{body['id']}")
    assert user["is_email_verified"] is True
    assert user["email"] == EMAIL


async def test_verify_twice_counts_as_success(userstore: UserStore, container: Container) -> None:
    code = await verification_code(userstore, container)
    first = await userstore.ok("POST", "/auth/verify", data={"code": code})
    assert await userstore.ok("POST", "/auth/verify", data={"code": code}) == first


@pytest.mark.parametrize("code", ["lFVolFVofRqhZfRlFVofRqhZqhZ", "A" * 43, "x"])
async def test_verify_with_unknown_code_is_400(userstore: UserStore, code: str) -> None:
    assert_error(await userstore("POST", "/auth/verify", data={"code": code}), 400, "invalid_code")


async def test_verify_with_a_reset_code_is_400(userstore: UserStore) -> None:
    await userstore.create()
    code = (await userstore.ok("POST", "/auth/forgot-password", data={"email": EMAIL}))["code"]
    assert_error(await userstore("POST", "/auth/verify", data={"code": code}), 400, "invalid_code")


# forgot-password


@pytest.mark.parametrize("encoding", ENCODINGS)
async def test_forgot_password_seed_example_returns_the_code_and_mails_the_link(
    userstore: UserStore, container: Container, encoding: str
) -> None:
    await userstore.create()
    response = await send(userstore, "forgot-password", {"email": EMAIL}, encoding, SEED_RESET_QUERY)
    assert response.status_code == 200, response.text
    body = response.json()
    assert set(body) == {"code"}
    assert TOKEN_SHAPE.fullmatch(body["code"])
    mail = await only_mail(container, EMAIL, Purpose.RESET_PASSWORD)
    assert mail.secrets["code"] == body["code"]
    assert mail.secrets["link"] == f"https://example.com/reset-password?code={body['code']}"


async def test_forgot_password_without_send_email_mails_nothing(userstore: UserStore, container: Container) -> None:
    await userstore.create()
    body = await userstore.ok("POST", "/auth/forgot-password", data={"email": EMAIL})
    assert TOKEN_SHAPE.fullmatch(body["code"])
    assert await mails(container, EMAIL) == []


async def test_forgot_password_appends_the_code_to_a_url_with_a_query(
    userstore: UserStore, container: Container
) -> None:
    await userstore.create()
    params = {"send_email": "1", "reset_password_url": "https://example.com/reset?lang=en#top"}
    body = await userstore.ok("POST", "/auth/forgot-password", data={"email": EMAIL}, params=params)
    link = (await only_mail(container, EMAIL)).secrets["link"]
    assert link == f"https://example.com/reset?lang=en&code={body['code']}#top"


@pytest.mark.parametrize("send_email", ["true", "false"])
async def test_forgot_password_for_unknown_address_answers_a_decoy_of_the_same_shape(
    userstore: UserStore, container: Container, send_email: str
) -> None:
    params = {"send_email": send_email, "reset_password_url": "https://example.com/reset-password"}
    body = await userstore.ok("POST", "/auth/forgot-password", data={"email": "nobody@example.com"}, params=params)
    assert set(body) == {"code"}
    assert TOKEN_SHAPE.fullmatch(body["code"])
    assert await mails(container, "nobody@example.com") == []
    response = await userstore("POST", "/auth/reset-password", data={"code": body["code"], "password": NEW_PASSWORD})
    assert_error(response, 400, "invalid_code")


@pytest.mark.parametrize(
    "params",
    [
        {"send_email": "true"},
        {"send_email": "true", "reset_password_url": ""},
        {"send_email": "true", "reset_password_url": "example.com/reset"},
        {"send_email": "true", "reset_password_url": "javascript:alert(1)"},
        {"send_email": "maybe"},
    ],
)
async def test_forgot_password_with_bad_options_is_400(userstore: UserStore, params: dict[str, str]) -> None:
    await userstore.create()
    response = await userstore("POST", "/auth/forgot-password", data={"email": EMAIL}, params=params)
    error = assert_error(response, 400, "validation_error")
    assert error["validation_error"][0]["field"] in {"send_email", "reset_password_url"}


async def test_forgot_password_without_email_is_400(userstore: UserStore) -> None:
    assert_error(await userstore("POST", "/auth/forgot-password", data={}), 400, "validation_error")


# reset-password


@pytest.mark.parametrize("encoding", ENCODINGS)
async def test_reset_password_seed_example_sets_the_password(userstore: UserStore, encoding: str) -> None:
    await userstore.create()
    code = (await userstore.ok("POST", "/auth/forgot-password", data={"email": EMAIL}))["code"]
    response = await send(userstore, "reset-password", {"code": code, "password": NEW_PASSWORD}, encoding)
    assert response.status_code == 200, response.text
    body = response.json()
    assert set(body) == {"updated_at"}
    assert_time(body["updated_at"])
    user = (await userstore.signin(EMAIL, NEW_PASSWORD)).json()
    assert user["updated_at"] == body["updated_at"]
    assert_error(await userstore.signin(EMAIL, PASSWORD), 401, "invalid_credentials")


async def test_reset_password_code_works_once(userstore: UserStore) -> None:
    await userstore.create()
    code = (await userstore.ok("POST", "/auth/forgot-password", data={"email": EMAIL}))["code"]
    await userstore.ok("POST", "/auth/reset-password", data={"code": code, "password": NEW_PASSWORD})
    again = await userstore("POST", "/auth/reset-password", data={"code": code, "password": "yet another passphrase"})
    assert_error(again, 400, "invalid_code")


async def test_reset_password_with_the_seed_password_from_the_mailed_link(
    userstore: UserStore, container: Container
) -> None:
    await userstore.create(password="a first passphrase")
    await userstore.ok("POST", f"/auth/forgot-password?{SEED_RESET_QUERY}", data={"email": EMAIL})
    link = (await only_mail(container, EMAIL)).secrets["link"]
    code = link.split("code=", 1)[1]
    await userstore.ok("POST", "/auth/reset-password", data={"code": code, "password": PASSWORD})
    assert (await userstore.signin()).status_code == 200


async def test_reset_password_with_weak_password_is_400_and_keeps_the_code(userstore: UserStore) -> None:
    await userstore.create()
    code = (await userstore.ok("POST", "/auth/forgot-password", data={"email": EMAIL}))["code"]
    weak = await userstore("POST", "/auth/reset-password", data={"code": code, "password": "password"})
    error = assert_error(weak, 400, "validation_error")
    assert error["validation_error"] == [{"field": "password", "message": error["message"]}]
    await userstore.ok("POST", "/auth/reset-password", data={"code": code, "password": NEW_PASSWORD})


async def test_signin_when_the_app_wants_a_verified_email_is_403_after_the_password(
    userstore: UserStore, container: Container
) -> None:
    await container.services.apps.configure("default", {"require_verified_email": "true"})
    await userstore.create()
    assert_error(await userstore.signin(), 403, "email_not_verified")
    assert_error(await userstore.signin(EMAIL, "wrong password!"), 401, "invalid_credentials")
