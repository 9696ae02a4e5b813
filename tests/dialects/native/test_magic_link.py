"""Native magic-link sign-in over HTTP: a mailed link or code that opens a session and proves the address."""

from __future__ import annotations

import httpx
import pytest

from tests.dialects.mailbox import lifetime, mails, only_mail
from tests.dialects.native.conftest import Clocked
from tests.dialects.native.helpers import BASE, PASSWORD, assert_error, auth, sign_up
from usher.container import Container
from usher.core.models import Purpose

EMAIL = "ada@example.com"


async def allow(container: Container) -> None:
    await container.services.apps.configure("default", {"redirect_urls": "https://app.example.com/magic"})


async def ask(api: httpx.AsyncClient, email: str = EMAIL, **extra: object) -> httpx.Response:
    return await api.post(f"{BASE}/magic-link", json={"email": email, **extra})


async def redeem(api: httpx.AsyncClient, **body: object) -> httpx.Response:
    return await api.post(f"{BASE}/magic-link/redeem", json=body)


async def mailed(api: httpx.AsyncClient, container: Container, method: str = "link") -> str:
    assert (await ask(api, method=method)).status_code == 202
    return (await only_mail(container, EMAIL, Purpose.MAGIC_LINK)).secrets["code"]


def other_code(code: str) -> str:
    return "000000" if code != "000000" else "111111"


async def test_link_is_mailed_to_the_app_page_with_token(api: httpx.AsyncClient, container: Container) -> None:
    await allow(container)
    await sign_up(api)
    response = await ask(api)
    assert response.status_code == 202
    assert response.json() == {}
    mail = await only_mail(container, EMAIL)
    assert mail.purpose == Purpose.MAGIC_LINK
    assert mail.secrets["link"] == f"https://app.example.com/magic?token={mail.secrets['code']}"
    assert lifetime(mail) == 15 * 60


async def test_code_is_six_digits_for_ten_minutes(api: httpx.AsyncClient, container: Container) -> None:
    await sign_up(api)
    code = await mailed(api, container, method="code")
    assert code.isdigit()
    assert len(code) == 6
    assert lifetime(await only_mail(container, EMAIL)) == 10 * 60


async def test_redeem_token_signs_in_and_verifies_the_address(api: httpx.AsyncClient, container: Container) -> None:
    await allow(container)
    await sign_up(api)
    token = await mailed(api, container)
    response = await redeem(api, token=token)
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"user", "session"}
    assert body["user"]["email"] == EMAIL
    assert body["user"]["email_verified"] is True
    me = await api.get(f"{BASE}/me", headers=auth(body["session"]["token"]))
    assert me.status_code == 200
    assert me.json()["user"]["email_verified"] is True


async def test_redeem_code_signs_in(api: httpx.AsyncClient, container: Container) -> None:
    await sign_up(api)
    code = await mailed(api, container, method="code")
    response = await redeem(api, email="ADA@example.com", code=code)
    assert response.status_code == 200
    assert len(response.json()["session"]["token"]) == 43


async def test_redeem_twice_is_400(api: httpx.AsyncClient, container: Container) -> None:
    await allow(container)
    await sign_up(api)
    token = await mailed(api, container)
    assert (await redeem(api, token=token)).status_code == 200
    assert_error(await redeem(api, token=token), 400, "invalid_code")


async def test_redeem_code_twice_is_400(api: httpx.AsyncClient, container: Container) -> None:
    await sign_up(api)
    code = await mailed(api, container, method="code")
    assert (await redeem(api, email=EMAIL, code=code)).status_code == 200
    assert_error(await redeem(api, email=EMAIL, code=code), 400, "invalid_code")


async def test_redeem_wrong_token_or_code_is_400(api: httpx.AsyncClient, container: Container) -> None:
    await sign_up(api)
    code = await mailed(api, container, method="code")
    for body in (
        {"email": EMAIL, "code": other_code(code)},
        {"email": "ghost@example.com", "code": code},
        {"token": "y" * 43},
    ):
        assert_error(await redeem(api, **body), 400, "invalid_code")


async def test_five_wrong_codes_kill_the_magic_code(api: httpx.AsyncClient, container: Container) -> None:
    await sign_up(api)
    code = await mailed(api, container, method="code")
    for _ in range(5):
        assert_error(await redeem(api, email=EMAIL, code=other_code(code)), 400, "invalid_code")
    assert_error(await redeem(api, email=EMAIL, code=code), 400, "invalid_code")


async def test_redeem_expired_token_or_code_is_400(clocked: Clocked) -> None:
    api, container = clocked.api, clocked.container
    await allow(container)
    await sign_up(api)
    await sign_up(api, email="bob@example.com")
    token = await mailed(api, container)
    await ask(api, "bob@example.com", method="code")
    code = (await only_mail(container, "bob@example.com")).secrets["code"]
    clocked.clock.advance(10 * 60 + 1)
    assert_error(await redeem(api, email="bob@example.com", code=code), 400, "invalid_code")
    clocked.clock.advance(5 * 60)
    assert_error(await redeem(api, token=token), 400, "invalid_code")


async def test_redeem_reset_token_is_400(api: httpx.AsyncClient, container: Container) -> None:
    await allow(container)
    await sign_up(api)
    await api.post(f"{BASE}/password/forgot", json={"email": EMAIL})
    reset = (await only_mail(container, EMAIL, Purpose.RESET_PASSWORD)).secrets["code"]
    assert_error(await redeem(api, token=reset), 400, "invalid_code")


async def test_magic_code_after_a_password_change_is_400(api: httpx.AsyncClient, container: Container) -> None:
    session = (await sign_up(api))["session"]["token"]
    code = await mailed(api, container, method="code")
    change = {"current_password": PASSWORD, "new_password": "a changed long passphrase"}
    assert (await api.post(f"{BASE}/me/password", json=change, headers=auth(session))).status_code == 204
    assert_error(await redeem(api, email=EMAIL, code=code), 400, "invalid_code")


@pytest.mark.parametrize("method", ["link", "code"])
async def test_request_answers_alike_for_unknown_and_disabled_addresses(
    api: httpx.AsyncClient, container: Container, app_key: str, method: str
) -> None:
    await allow(container)
    await sign_up(api)
    off = (await sign_up(api, email="off@example.com"))["user"]
    assert (await api.post(f"{BASE}/users/{off['id']}/disable", headers=auth(app_key))).status_code == 200
    known = await ask(api, method=method)
    for email in ("ghost@example.com", "off@example.com"):
        other = await ask(api, email, method=method)
        assert (other.status_code, other.json()) == (known.status_code, known.json()) == (202, {})
        assert await mails(container, email) == []


async def test_second_request_within_cooldown_mails_nothing(api: httpx.AsyncClient, container: Container) -> None:
    await sign_up(api)
    first, second = await ask(api, method="code"), await ask(api, method="code")
    assert (first.status_code, first.json()) == (second.status_code, second.json())
    assert len(await mails(container, EMAIL)) == 1


async def test_link_without_allowed_redirect_is_400(api: httpx.AsyncClient, container: Container) -> None:
    await sign_up(api)
    assert_error(await ask(api), 400, "validation_error")
    await allow(container)
    assert_error(await ask(api, redirect_url="https://evil.example.net/magic"), 400, "validation_error")
    assert await mails(container, EMAIL) == []


async def test_magic_link_passes_the_verified_email_gate(api: httpx.AsyncClient, container: Container) -> None:
    await allow(container)
    await container.services.apps.configure("default", {"require_verified_email": "true"})
    await sign_up(api)
    signin = {"login": EMAIL, "password": PASSWORD}
    assert_error(await api.post(f"{BASE}/signin", json=signin), 403, "email_not_verified")
    token = await mailed(api, container)
    assert (await redeem(api, token=token)).status_code == 200
    assert (await api.post(f"{BASE}/signin", json=signin)).status_code == 200


@pytest.mark.parametrize("body", [{}, {"email": EMAIL}, {"token": "t" * 43, "email": EMAIL, "code": "1"}])
async def test_redeem_with_bad_body_is_400(api: httpx.AsyncClient, body: dict[str, object]) -> None:
    assert_error(await redeem(api, **body), 400, "validation_error")
