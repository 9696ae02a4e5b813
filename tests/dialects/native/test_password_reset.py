"""Native password reset over HTTP: forgot (link or code, uniform answers), reset (single use, revokes sessions)."""

from __future__ import annotations

import httpx
import pytest

from tests.dialects.mailbox import lifetime, mails, only_mail
from tests.dialects.native.conftest import Clocked
from tests.dialects.native.helpers import BASE, PASSWORD, assert_error, auth, sign_up
from usher.container import Container
from usher.core.models import Purpose

EMAIL = "ada@example.com"
NEW_PASSWORD = "another long passphrase"


async def allow(container: Container, urls: str = "https://app.example.com/reset,https://app.example.com/") -> None:
    await container.services.apps.configure("default", {"redirect_urls": urls})


async def forgot(api: httpx.AsyncClient, email: str = EMAIL, **extra: object) -> httpx.Response:
    return await api.post(f"{BASE}/password/forgot", json={"email": email, **extra})


async def reset(api: httpx.AsyncClient, **body: object) -> httpx.Response:
    return await api.post(f"{BASE}/password/reset", json={"new_password": NEW_PASSWORD, **body})


async def mailed_code(api: httpx.AsyncClient, container: Container, method: str = "code") -> str:
    assert (await forgot(api, method=method)).status_code == 202
    return (await only_mail(container, EMAIL, Purpose.RESET_PASSWORD)).secrets["code"]


async def signs_in(api: httpx.AsyncClient, password: str) -> bool:
    return (await api.post(f"{BASE}/signin", json={"login": EMAIL, "password": password})).status_code == 200


def other_code(code: str) -> str:
    return "000000" if code != "000000" else "111111"


# Forgot


async def test_forgot_link_goes_to_default_redirect_with_token(api: httpx.AsyncClient, container: Container) -> None:
    await allow(container)
    await sign_up(api)
    response = await forgot(api)
    assert response.status_code == 202
    assert response.json() == {}
    mail = await only_mail(container, EMAIL)
    assert mail.purpose == Purpose.RESET_PASSWORD
    token = mail.secrets["code"]
    assert len(token) == 43
    assert mail.secrets["link"] == f"https://app.example.com/reset?token={token}"
    assert lifetime(mail) == 3600


async def test_forgot_link_appends_token_to_a_given_redirect_with_query(
    api: httpx.AsyncClient, container: Container
) -> None:
    await allow(container)
    await sign_up(api)
    assert (await forgot(api, redirect_url="https://app.example.com/account/reset?lang=fr")).status_code == 202
    mail = await only_mail(container, EMAIL)
    assert mail.secrets["link"] == f"https://app.example.com/account/reset?lang=fr&token={mail.secrets['code']}"


async def test_forgot_code_is_six_digits_for_fifteen_minutes(api: httpx.AsyncClient, container: Container) -> None:
    await sign_up(api)  # no redirect URLs needed for codes
    code = await mailed_code(api, container)
    assert code.isdigit()
    assert len(code) == 6
    assert lifetime(await only_mail(container, EMAIL)) == 15 * 60


async def test_forgot_link_without_any_allowed_redirect_is_400(api: httpx.AsyncClient, container: Container) -> None:
    await sign_up(api)
    assert_error(await forgot(api), 400, "validation_error")
    assert_error(await forgot(api, email="ghost@example.com"), 400, "validation_error")
    assert await mails(container, EMAIL) == []


async def test_forgot_with_redirect_not_allowed_is_400(api: httpx.AsyncClient, container: Container) -> None:
    await allow(container)
    await sign_up(api)
    assert_error(await forgot(api, redirect_url="https://evil.example.net/reset"), 400, "validation_error")
    assert await mails(container, EMAIL) == []


@pytest.mark.parametrize("method", ["link", "code"])
async def test_forgot_answers_alike_for_unknown_and_disabled_addresses(
    api: httpx.AsyncClient, container: Container, app_key: str, method: str
) -> None:
    await allow(container)
    await sign_up(api)
    off = (await sign_up(api, email="off@example.com"))["user"]
    assert (await api.post(f"{BASE}/users/{off['id']}/disable", headers=auth(app_key))).status_code == 200
    known = await forgot(api, method=method)
    for email in ("ghost@example.com", "off@example.com"):
        other = await forgot(api, email=email, method=method)
        assert (other.status_code, other.json()) == (known.status_code, known.json()) == (202, {})
        assert await mails(container, email) == []


async def test_second_forgot_within_cooldown_mails_nothing(api: httpx.AsyncClient, container: Container) -> None:
    await sign_up(api)
    first, second = await forgot(api, method="code"), await forgot(api, method="code")
    assert (first.status_code, first.json()) == (second.status_code, second.json())
    assert len(await mails(container, EMAIL)) == 1


# Reset


async def test_reset_with_token_sets_password_and_revokes_every_session(
    api: httpx.AsyncClient, container: Container
) -> None:
    await allow(container)
    first = (await sign_up(api))["session"]["token"]
    second = (await api.post(f"{BASE}/signin", json={"login": EMAIL, "password": PASSWORD})).json()
    token = await mailed_code(api, container, method="link")
    response = await reset(api, token=token)
    assert response.status_code == 204
    assert response.content == b""
    for session in (first, second["session"]["token"]):
        assert_error(await api.get(f"{BASE}/me", headers=auth(session)), 401, "invalid_session")
    assert not await signs_in(api, PASSWORD)
    assert await signs_in(api, NEW_PASSWORD)


async def test_reset_with_code(api: httpx.AsyncClient, container: Container) -> None:
    await sign_up(api)
    code = await mailed_code(api, container)
    assert (await reset(api, email="Ada@Example.com", code=code)).status_code == 204
    assert await signs_in(api, NEW_PASSWORD)


async def test_reset_with_token_twice_is_400(api: httpx.AsyncClient, container: Container) -> None:
    await allow(container)
    await sign_up(api)
    token = await mailed_code(api, container, method="link")
    assert (await reset(api, token=token)).status_code == 204
    assert_error(await reset(api, token=token, new_password="a third long passphrase"), 400, "invalid_code")
    assert await signs_in(api, NEW_PASSWORD)


async def test_reset_with_code_twice_is_400(api: httpx.AsyncClient, container: Container) -> None:
    await sign_up(api)
    code = await mailed_code(api, container)
    assert (await reset(api, email=EMAIL, code=code)).status_code == 204
    assert_error(await reset(api, email=EMAIL, code=code), 400, "invalid_code")


async def test_reset_with_wrong_token_code_or_address_is_400(api: httpx.AsyncClient, container: Container) -> None:
    await sign_up(api)
    code = await mailed_code(api, container)
    for body in (
        {"email": EMAIL, "code": other_code(code)},
        {"email": "ghost@example.com", "code": code},
        {"token": "x" * 43},
        {"token": code},
    ):
        assert_error(await reset(api, **body), 400, "invalid_code")
    assert await signs_in(api, PASSWORD)


async def test_five_wrong_codes_kill_the_reset_code(api: httpx.AsyncClient, container: Container) -> None:
    await sign_up(api)
    code = await mailed_code(api, container)
    for _ in range(5):
        assert_error(await reset(api, email=EMAIL, code=other_code(code)), 400, "invalid_code")
    assert_error(await reset(api, email=EMAIL, code=code), 400, "invalid_code")
    assert await signs_in(api, PASSWORD)


async def test_reset_with_weak_password_is_400_and_keeps_the_code(api: httpx.AsyncClient, container: Container) -> None:
    await allow(container)
    await sign_up(api)
    await sign_up(api, email="bob@example.com")
    token = await mailed_code(api, container, method="link")
    await forgot(api, email="bob@example.com", method="code")
    code = (await only_mail(container, "bob@example.com")).secrets["code"]
    for weak in ("short", "password123"):
        assert_error(await reset(api, token=token, new_password=weak), 400, "weak_password")
        assert_error(await reset(api, email="bob@example.com", code=code, new_password=weak), 400, "weak_password")
    assert (await reset(api, token=token)).status_code == 204
    assert (await reset(api, email="bob@example.com", code=code)).status_code == 204


async def test_reset_with_expired_token_or_code_is_400(clocked: Clocked) -> None:
    api, container = clocked.api, clocked.container
    await allow(container)
    await sign_up(api)
    await sign_up(api, email="bob@example.com")
    token = await mailed_code(api, container, method="link")
    await forgot(api, email="bob@example.com", method="code")
    code = (await only_mail(container, "bob@example.com")).secrets["code"]
    clocked.clock.advance(15 * 60 + 1)
    assert_error(await reset(api, email="bob@example.com", code=code), 400, "invalid_code")
    clocked.clock.advance(3600)
    assert_error(await reset(api, token=token), 400, "invalid_code")


async def test_reset_code_after_a_password_change_is_400(api: httpx.AsyncClient, container: Container) -> None:
    session = (await sign_up(api))["session"]["token"]
    code = await mailed_code(api, container)
    change = {"current_password": PASSWORD, "new_password": "a changed long passphrase"}
    assert (await api.post(f"{BASE}/me/password", json=change, headers=auth(session))).status_code == 204
    assert_error(await reset(api, email=EMAIL, code=code), 400, "invalid_code")


async def test_reset_with_verification_or_magic_token_is_400(api: httpx.AsyncClient, container: Container) -> None:
    await allow(container)
    await sign_up(api)
    await api.post(f"{BASE}/email/verification", json={"email": EMAIL})
    await api.post(f"{BASE}/magic-link", json={"email": EMAIL})
    for purpose in (Purpose.VERIFY_EMAIL, Purpose.MAGIC_LINK):
        token = (await only_mail(container, EMAIL, purpose)).secrets["code"]
        assert_error(await reset(api, token=token), 400, "invalid_code")
    assert await signs_in(api, PASSWORD)


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"token": "t" * 43},
        {"email": EMAIL, "code": "123456"},
        {"email": EMAIL, "new_password": NEW_PASSWORD},
        {"token": "t" * 43, "email": EMAIL, "code": "1", "new_password": NEW_PASSWORD},
    ],
)
async def test_reset_with_bad_body_is_400(api: httpx.AsyncClient, body: dict[str, object]) -> None:
    response = await api.post(f"{BASE}/password/reset", json=body)
    assert_error(response, 400, "validation_error")
    assert NEW_PASSWORD not in response.text
