"""M3O SendPasswordResetEmail and ResetPassword over HTTP: the seed's examples, code rules and errors."""

from __future__ import annotations

import pytest

from tests.dialects.m3o.support import M3O, NEW_PASSWORD, PASSWORD, assert_error
from tests.dialects.mailbox import lifetime, mails, only_mail
from tests.fakes import FakeClock
from usher.container import Container
from usher.core.models import MailOverrides, Purpose

EMAIL = "joe@example.com"
SEND = {
    "email": EMAIL,
    "subject": "Password reset",
    "text_content": "Hi there,\n click here to reset your password: myapp.com/reset/code?=$code",
    "from_name": "Awesome Dot Com",
    "expiration": 1800,
}
ALNUM = set("ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789")


async def mailed_code(m3o: M3O, container: Container, **changes: object) -> str:
    assert await m3o.ok("SendPasswordResetEmail", {**SEND, **changes}) == {}
    return (await only_mail(container, EMAIL, Purpose.RESET_PASSWORD)).secrets["code"]


def reset_body(code: str, password: str = NEW_PASSWORD, **changes: object) -> dict[str, object]:
    return {"email": EMAIL, "code": code, "new_password": password, "confirm_password": password, **changes}


async def logs_in(m3o: M3O, password: str) -> bool:
    return (await m3o("Login", {"email": EMAIL, "password": password})).status_code == 200


def other_code(code: str) -> str:
    return "AAAAAAAA" if code != "AAAAAAAA" else "BBBBBBBB"


# SendPasswordResetEmail


async def test_send_password_reset_email_seed_example_queues_an_eight_character_code(
    m3o: M3O, container: Container
) -> None:
    await m3o.create()
    code = await mailed_code(m3o, container)
    assert len(code) == 8
    assert set(code) <= ALNUM
    mail = await only_mail(container, EMAIL)
    assert mail.overrides == MailOverrides(
        subject="Password reset", text=str(SEND["text_content"]), from_name="Awesome Dot Com"
    )
    assert mail.secrets["link"] == ""
    assert lifetime(mail) == 1800


@pytest.mark.parametrize(("expiration", "seconds"), [(None, 1800), (0, 1800), ("600", 600), (60, 60), (604800, 604800)])
async def test_send_password_reset_email_expiration(
    m3o: M3O, container: Container, expiration: object, seconds: int
) -> None:
    await m3o.create()
    await mailed_code(m3o, container, expiration=expiration)
    assert lifetime(await only_mail(container, EMAIL)) == seconds


@pytest.mark.parametrize("expiration", [59, -5, 604801, 2**70, "soon", "1e3"])
async def test_send_password_reset_email_with_out_of_range_expiration_is_400(m3o: M3O, expiration: object) -> None:
    await m3o.create()
    response = await m3o("SendPasswordResetEmail", {**SEND, "expiration": expiration})
    assert_error(response, 400, "SendPasswordResetEmail")
    assert response.json()["detail"].startswith("expiration")


async def test_send_password_reset_email_accepts_camel_case(m3o: M3O, container: Container) -> None:
    await m3o.create()
    body = {"email": EMAIL, "textContent": "code: $code", "fromName": "Sender"}
    assert await m3o.ok("SendPasswordResetEmail", body) == {}
    assert (await only_mail(container, EMAIL)).overrides == MailOverrides(text="code: $code", from_name="Sender")


async def test_send_password_reset_email_to_unknown_address_is_empty_and_mails_nothing(
    m3o: M3O, container: Container
) -> None:
    await m3o.create()
    known = await m3o("SendPasswordResetEmail", SEND)
    unknown = await m3o("SendPasswordResetEmail", {**SEND, "email": "ghost@example.com"})
    assert (unknown.status_code, unknown.json()) == (known.status_code, known.json()) == (200, {})
    assert await mails(container, "ghost@example.com") == []


async def test_send_password_reset_email_twice_within_cooldown_mails_once(m3o: M3O, container: Container) -> None:
    await m3o.create()
    assert await m3o.ok("SendPasswordResetEmail", SEND) == await m3o.ok("SendPasswordResetEmail", SEND) == {}
    assert len(await mails(container, EMAIL)) == 1


# ResetPassword


async def test_reset_password_seed_example_sets_password_and_revokes_sessions(m3o: M3O, container: Container) -> None:
    await m3o.create()
    session = await m3o.login()
    code = await mailed_code(m3o, container)
    assert await m3o.ok("ResetPassword", reset_body(code)) == {}
    assert await m3o.session_status(session["id"]) == 404
    assert not await logs_in(m3o, PASSWORD)
    assert await logs_in(m3o, NEW_PASSWORD)


async def test_reset_password_accepts_camel_case(m3o: M3O, container: Container) -> None:
    await m3o.create()
    code = await mailed_code(m3o, container)
    body = {"email": EMAIL, "code": code, "newPassword": NEW_PASSWORD, "confirmPassword": NEW_PASSWORD}
    assert await m3o.ok("ResetPassword", body) == {}
    assert await logs_in(m3o, NEW_PASSWORD)


async def test_reset_password_with_mismatched_confirmation_is_400(m3o: M3O, container: Container) -> None:
    await m3o.create()
    code = await mailed_code(m3o, container)
    response = await m3o("ResetPassword", reset_body(code, confirm_password="something else entirely"))
    assert_error(response, 400, "ResetPassword")
    assert NEW_PASSWORD not in response.text
    assert await m3o.ok("ResetPassword", reset_body(code)) == {}


async def test_reset_password_with_wrong_code_or_address_is_400(m3o: M3O, container: Container) -> None:
    await m3o.create()
    code = await mailed_code(m3o, container)
    for body in (reset_body(other_code(code)), reset_body(code, email="ghost@example.com")):
        assert_error(await m3o("ResetPassword", body), 400, "ResetPassword", "invalid code")
    assert await logs_in(m3o, PASSWORD)


async def test_reset_password_code_is_single_use(m3o: M3O, container: Container) -> None:
    await m3o.create()
    code = await mailed_code(m3o, container)
    assert await m3o.ok("ResetPassword", reset_body(code)) == {}
    again = await m3o("ResetPassword", reset_body(code, "a third long passphrase"))
    assert_error(again, 400, "ResetPassword", "invalid code")


async def test_five_wrong_codes_kill_the_reset_code(m3o: M3O, container: Container) -> None:
    await m3o.create()
    code = await mailed_code(m3o, container)
    for _ in range(5):
        assert_error(await m3o("ResetPassword", reset_body(other_code(code))), 400, "ResetPassword")
    assert_error(await m3o("ResetPassword", reset_body(code)), 400, "ResetPassword", "invalid code")


async def test_reset_password_with_weak_password_is_400_and_keeps_the_code(m3o: M3O, container: Container) -> None:
    await m3o.create()
    code = await mailed_code(m3o, container)
    for weak in ("tester", "mypassword"):
        response = await m3o("ResetPassword", reset_body(code, weak))
        assert_error(response, 400, "ResetPassword")
        assert weak not in response.text
    assert await m3o.ok("ResetPassword", reset_body(code)) == {}


async def test_reset_password_after_expiration_is_400(mailing: tuple[M3O, Container, FakeClock]) -> None:
    m3o, container, clock = mailing
    await m3o.create()
    code = await mailed_code(m3o, container, expiration=120)
    clock.advance(121)
    assert_error(await m3o("ResetPassword", reset_body(code)), 400, "ResetPassword", "invalid code")


async def test_reset_password_code_after_a_password_change_is_400(m3o: M3O, container: Container) -> None:
    account = await m3o.create()
    code = await mailed_code(m3o, container)
    update = {
        "userId": account["id"],
        "old_password": PASSWORD,
        "new_password": "a changed long passphrase",
        "confirm_password": "a changed long passphrase",
    }
    assert await m3o.ok("UpdatePassword", update) == {}
    assert_error(await m3o("ResetPassword", reset_body(code)), 400, "ResetPassword", "invalid code")


async def test_reset_password_with_verification_token_is_400(m3o: M3O, container: Container) -> None:
    await m3o.create()
    await m3o.ok("SendVerificationEmail", {"email": EMAIL})
    token = (await only_mail(container, EMAIL, Purpose.VERIFY_EMAIL)).secrets["code"]
    assert_error(await m3o("ResetPassword", reset_body(token)), 400, "ResetPassword", "invalid code")


@pytest.mark.parametrize("missing", ["email", "code", "new_password"])
async def test_reset_password_with_missing_field_is_400(m3o: M3O, missing: str) -> None:
    body = reset_body("ABCDEFGH")
    del body[missing]
    assert_error(await m3o("ResetPassword", body), 400, "ResetPassword")
