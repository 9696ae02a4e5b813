"""JWT User Service newPassword over HTTP: a mailed one-time reset code and link (never a password), the old
password working until the reset is done, and one answer for every address."""

from __future__ import annotations

from tests.dialects.mailbox import lifetime, mails, only_mail
from tests.dialects.userservice.support import (
    EMAIL,
    NEW_PASSWORD,
    PASSWORD,
    UserService,
    assert_answer,
    assert_error,
)
from usher.container import Container
from usher.core.models import Purpose

UNKNOWN = "nobody@example.com"


async def test_new_password_seed_example_answers_success_with_a_user(us: UserService) -> None:
    await us.register()
    user = assert_answer(await us.ok("POST", "newPassword", {"email": EMAIL}))
    assert user["email"] == EMAIL


async def test_new_password_mails_a_reset_code_and_link_not_a_password(us: UserService, container: Container) -> None:
    await us.register()
    await us.ok("POST", "newPassword", {"email": EMAIL})
    mail = await only_mail(container, EMAIL, Purpose.RESET_PASSWORD)
    code = mail.secrets["code"]
    assert len(code) == 43
    assert mail.secrets["link"] == f"http://testserver/v1/apps/default/password/reset?token={code}"
    assert lifetime(mail) == 3600
    assert PASSWORD not in str(mail)


async def test_new_password_keeps_the_old_password_working(us: UserService) -> None:
    await us.register()
    await us.ok("POST", "newPassword", {"email": EMAIL})
    assert (await us.login())["status"] == "success"


async def test_new_password_code_resets_through_the_native_api(us: UserService, container: Container) -> None:
    await us.register()
    refresh = (await us.login())["refreshToken"]
    await us.ok("POST", "newPassword", {"email": EMAIL})
    code = (await only_mail(container, EMAIL, Purpose.RESET_PASSWORD)).secrets["code"]
    response = await us.api.post("/v1/apps/default/password/reset", json={"token": code, "new_password": NEW_PASSWORD})
    assert response.status_code == 204, response.text
    assert_error(await us("POST", "login", {"email": EMAIL, "password": PASSWORD}), 401)
    assert (await us.login(password=NEW_PASSWORD))["status"] == "success"
    assert await us.refresh_status(refresh) == 401


async def test_new_password_answers_every_address_the_same(us: UserService, container: Container) -> None:
    """Nothing in the answer tells whether the address has an account, nor that account's names or id."""
    await us.register(firstname="Barney", lastname="Fife")
    known = await us.ok("POST", "newPassword", {"email": EMAIL})
    unknown = await us.ok("POST", "newPassword", {"email": UNKNOWN})
    assert_answer(unknown)
    assert unknown == {**known, "user": {**known["user"], "email": UNKNOWN}}
    assert known["user"]["firstname"] == ""
    assert await mails(container, UNKNOWN) == []


async def test_new_password_unknown_address_decoy_has_an_integer_id(us: UserService) -> None:
    user = assert_answer(await us.ok("POST", "newPassword", {"email": UNKNOWN}))
    assert user == {
        "confirmed": False,
        "firstname": "",
        "lastname": "",
        "email": UNKNOWN,
        "id": 0,
        "language": "en",
        "permissionLevel": 0,
    }


async def test_new_password_twice_inside_the_cooldown_mails_once(us: UserService, container: Container) -> None:
    await us.register()
    first = await us.ok("POST", "newPassword", {"email": EMAIL})
    assert await us.ok("POST", "newPassword", {"email": EMAIL}) == first
    assert len(await mails(container, EMAIL)) == 1


async def test_new_password_without_email_is_400(us: UserService) -> None:
    assert_error(await us("POST", "newPassword", {}), 400, "email is required")


async def test_new_password_with_odd_email_answers_without_5xx(us: UserService) -> None:
    for email in ["not an address", "a\u0000b@example.com", "x" * 1025, 7]:
        response = await us("POST", "newPassword", {"email": email})
        assert response.status_code in (200, 400), response.text
