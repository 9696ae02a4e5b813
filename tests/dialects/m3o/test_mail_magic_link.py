"""M3O SendMagicLink and VerifyToken over HTTP: the seed's examples (VerifyToken's shape exactly) and errors."""

from __future__ import annotations

from typing import Any

import pytest

from tests.dialects.m3o.support import M3O, PASSWORD, assert_error, assert_session
from tests.dialects.mailbox import lifetime, mails, only_mail
from tests.fakes import FakeClock
from usher.container import Container
from usher.core.models import MailOverrides, Purpose, RequestContext

EMAIL = "joe@example.com"
WEEK = 7 * 24 * 3600
SEND = {
    "email": EMAIL,
    "subject": "MagicLink to access your account",
    "text_content": "Hi there,\n\nClick here to access your account $micro_verification_link",
    "from_name": "Awesome Dot Com",
    "address": "www.example.com",
    "endpoint": "verifytoken",
}
NOT_FOUND = {"is_valid": False, "message": "token not found", "session": None}
EXPIRED = {"is_valid": False, "message": "token expired", "session": None}


async def mailed_token(m3o: M3O, container: Container, **changes: object) -> str:
    assert await m3o.ok("SendMagicLink", {**SEND, **changes}) == {}
    return (await only_mail(container, EMAIL, Purpose.MAGIC_LINK)).secrets["code"]


async def verify(m3o: M3O, token: str) -> dict[str, Any]:
    return await m3o.ok("VerifyToken", {"token": token})


# SendMagicLink


async def test_send_magic_link_seed_example_queues_link_valid_sixty_seconds(m3o: M3O, container: Container) -> None:
    await m3o.create()
    token = await mailed_token(m3o, container)
    mail = await only_mail(container, EMAIL)
    assert mail.secrets["link"] == f"https://www.example.com/verifytoken/{token}"
    assert mail.secrets["micro_verification_link"] == mail.secrets["link"]
    assert mail.overrides == MailOverrides(
        subject=SEND["subject"], text=SEND["text_content"], from_name=SEND["from_name"]
    )
    assert lifetime(mail) == 60


@pytest.mark.parametrize(
    ("address", "endpoint", "prefix"),
    [
        ("www.example.com/", "/verifytoken/", "https://www.example.com/verifytoken/"),
        ("user.example.com:8443", "auth/magic", "https://user.example.com:8443/auth/magic/"),
        ("localhost", "", "https://localhost/"),
        ("[::1]:8080", "m", "https://[::1]:8080/m/"),
    ],
)
async def test_send_magic_link_joins_address_endpoint_and_token(
    m3o: M3O, container: Container, address: str, endpoint: str, prefix: str
) -> None:
    await m3o.create()
    token = await mailed_token(m3o, container, address=address, endpoint=endpoint)
    assert (await only_mail(container, EMAIL)).secrets["link"] == prefix + token


@pytest.mark.parametrize(
    "address",
    ["", "https://www.example.com", "www.example.com/path", "www example.com", "user@www.example.com", "a?b", "a#b"],
)
async def test_send_magic_link_with_bad_address_is_400(m3o: M3O, container: Container, address: str) -> None:
    await m3o.create()
    assert_error(await m3o("SendMagicLink", {**SEND, "address": address}), 400, "SendMagicLink")
    assert await mails(container, EMAIL) == []


@pytest.mark.parametrize("endpoint", ["a b", "verify?x=1", "v#frag"])
async def test_send_magic_link_with_bad_endpoint_is_400(m3o: M3O, endpoint: str) -> None:
    await m3o.create()
    assert_error(await m3o("SendMagicLink", {**SEND, "endpoint": endpoint}), 400, "SendMagicLink")


async def test_send_magic_link_accepts_camel_case(m3o: M3O, container: Container) -> None:
    await m3o.create()
    body = {"email": EMAIL, "address": "www.example.com", "textContent": "go $micro_verification_link", "fromName": "X"}
    assert await m3o.ok("SendMagicLink", body) == {}
    assert (await only_mail(container, EMAIL)).overrides == MailOverrides(
        text="go $micro_verification_link", from_name="X"
    )


async def test_send_magic_link_to_unknown_or_disabled_address_is_empty_and_mails_nothing(
    m3o: M3O, container: Container
) -> None:
    await m3o.create()
    off = await m3o.create(email="off@example.com", username="off")
    await container.services.accounts.set_disabled("default", off["id"], True, RequestContext())
    known = await m3o("SendMagicLink", SEND)
    for email in ("ghost@example.com", "off@example.com"):
        other = await m3o("SendMagicLink", {**SEND, "email": email})
        assert (other.status_code, other.json()) == (known.status_code, known.json()) == (200, {})
        assert await mails(container, email) == []


async def test_send_magic_link_twice_within_cooldown_mails_once(m3o: M3O, container: Container) -> None:
    await m3o.create()
    assert await m3o.ok("SendMagicLink", SEND) == await m3o.ok("SendMagicLink", SEND) == {}
    assert len(await mails(container, EMAIL)) == 1


# VerifyToken


async def test_verify_token_seed_example_answers_a_new_seven_day_session(m3o: M3O, container: Container) -> None:
    account = await m3o.create()
    token = await mailed_token(m3o, container)
    data = await verify(m3o, token)
    assert set(data) == {"is_valid", "message", "session"}
    assert data["is_valid"] is True
    assert data["message"] == ""
    session = data["session"]
    assert_session(session)
    assert session["userId"] == account["id"]
    assert int(session["expires"]) - int(session["created"]) == WEEK
    read = await m3o.ok("ReadSession", {"session_id": session["id"]})
    assert read["account"]["id"] == account["id"]


async def test_verify_token_verifies_the_email(m3o: M3O, container: Container) -> None:
    await m3o.create()
    token = await mailed_token(m3o, container)
    assert (await m3o.ok("Read", {"email": EMAIL}))["account"]["verified"] is False
    assert (await verify(m3o, token))["is_valid"] is True
    assert (await m3o.ok("Read", {"email": EMAIL}))["account"]["verified"] is True


async def test_verify_token_twice_is_not_found(m3o: M3O, container: Container) -> None:
    await m3o.create()
    token = await mailed_token(m3o, container)
    assert (await verify(m3o, token))["is_valid"] is True
    assert await verify(m3o, token) == NOT_FOUND


@pytest.mark.parametrize("token", ["x" * 43, "nope", ""])
async def test_verify_token_unknown_is_not_found(m3o: M3O, token: str) -> None:
    assert await verify(m3o, token) == NOT_FOUND


async def test_verify_token_after_sixty_seconds_is_expired(mailing: tuple[M3O, Container, FakeClock]) -> None:
    m3o, container, clock = mailing
    await m3o.create()
    token = await mailed_token(m3o, container)
    clock.advance(61)
    assert await verify(m3o, token) == EXPIRED


async def test_verify_token_within_sixty_seconds_is_valid(mailing: tuple[M3O, Container, FakeClock]) -> None:
    m3o, container, clock = mailing
    await m3o.create()
    token = await mailed_token(m3o, container)
    clock.advance(59)
    assert (await verify(m3o, token))["is_valid"] is True


async def test_verify_token_with_verification_token_is_not_found(m3o: M3O, container: Container) -> None:
    await m3o.create()
    await m3o.ok("SendVerificationEmail", {"email": EMAIL})
    token = (await only_mail(container, EMAIL, Purpose.VERIFY_EMAIL)).secrets["code"]
    assert await verify(m3o, token) == NOT_FOUND


async def test_verify_token_after_password_change_is_not_found(m3o: M3O, container: Container) -> None:
    account = await m3o.create()
    token = await mailed_token(m3o, container)
    update = {
        "userId": account["id"],
        "old_password": PASSWORD,
        "new_password": "a changed long passphrase",
        "confirm_password": "a changed long passphrase",
    }
    assert await m3o.ok("UpdatePassword", update) == {}
    assert await verify(m3o, token) == NOT_FOUND


async def test_verify_token_without_token_is_400(m3o: M3O) -> None:
    assert_error(await m3o("VerifyToken", {}), 400, "VerifyToken", "token is required")


async def test_verify_token_passes_the_verified_email_gate(m3o: M3O, container: Container) -> None:
    await container.services.apps.configure("default", {"require_verified_email": "true"})
    await m3o.create()
    assert_error(await m3o("Login", {"email": EMAIL, "password": PASSWORD}), 403, "Login")
    token = await mailed_token(m3o, container)
    assert (await verify(m3o, token))["is_valid"] is True
    assert (await m3o.ok("Login", {"email": EMAIL, "password": PASSWORD}))["session"]["id"]
