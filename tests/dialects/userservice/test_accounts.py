"""JWT User Service options, health, register, login and activate over HTTP: the seed's examples and rules."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

from tests.dialects.mailbox import lifetime, mails, only_mail
from tests.dialects.userservice.support import (
    EMAIL,
    PASSWORD,
    PREFIX,
    UserService,
    assert_answer,
    assert_error,
    assert_user,
)
from usher.container import Container
from usher.core.models import Purpose

REQUIRE_VERIFIED = {"require_verified_email": "true"}

# OPTIONS and health


@pytest.mark.parametrize("path", ["register", "login", "attributes", "anything/at/all", ""])
async def test_options_any_path_answers_text_options_allowed(us: UserService, path: str) -> None:
    response = await us.api.options(f"{PREFIX}/{path}")
    assert response.status_code == 200
    assert response.text == "options allowed"
    assert response.headers["content-type"].startswith("text/plain")


@pytest.mark.parametrize("version", ["v1", "v2", "1.0"])
async def test_health_any_version_answers_text_all_good(us: UserService, version: str) -> None:
    response = await us.api.get(f"/userservice/{version}/users/health")
    assert response.status_code == 200
    assert response.text == "all good"
    assert response.headers["content-type"].startswith("text/plain")


# register


async def test_register_seed_example_answers_unconfirmed_user(us: UserService) -> None:
    data = await us.ok("POST", "register", {"email": EMAIL, "password": PASSWORD})
    user = assert_answer(data)
    assert user["confirmed"] is False
    assert user["email"] == EMAIL
    assert user["language"] == "en"
    assert user["permissionLevel"] == 0
    assert user["id"] >= 1


async def test_register_without_names_gives_empty_strings_not_null(us: UserService) -> None:
    """One rule for the seed's `null` vs `""`: names are always strings, "" when not given."""
    user = await us.register()
    assert user["firstname"] == ""
    assert user["lastname"] == ""
    login = (await us.login())["user"]
    assert (login["firstname"], login["lastname"]) == ("", "")


async def test_register_with_null_names_gives_empty_strings(us: UserService) -> None:
    user = await us.register(firstname=None, lastname=None)
    assert (user["firstname"], user["lastname"]) == ("", "")


async def test_register_with_names_keeps_them(us: UserService) -> None:
    user = await us.register(firstname="Barney", lastname="Fife")
    assert (user["firstname"], user["lastname"]) == ("Barney", "Fife")


async def test_register_ids_are_distinct_integers(us: UserService) -> None:
    first = await us.register("one@example.com")
    second = await us.register("two@example.com")
    assert second["id"] != first["id"]


@pytest.mark.parametrize(("header", "expected"), [("de", "de"), ("pt-BR", "pt-BR"), ("  fr ", "fr"), ("", "en")])
async def test_register_language_header_sets_language(us: UserService, header: str, expected: str) -> None:
    data = await us.ok("POST", "register", {"email": EMAIL, "password": PASSWORD}, headers={"Language": header})
    assert data["user"]["language"] == expected
    assert (await us.login())["user"]["language"] == expected


@pytest.mark.parametrize("header", ["en us", "x" * 36, "en;q=1", "en,de", "../etc"])
async def test_register_bad_language_header_is_400(us: UserService, header: str) -> None:
    response = await us("POST", "register", {"email": EMAIL, "password": PASSWORD}, headers={"Language": header})
    assert_error(response, 400)


async def test_register_duplicate_email_is_400(us: UserService) -> None:
    await us.register()
    response = await us("POST", "register", {"email": EMAIL.upper(), "password": PASSWORD})
    assert_error(response, 400, "email already exists")


async def test_register_seed_password_tester_is_refused_with_the_policy_message(us: UserService) -> None:
    response = await us("POST", "register", {"email": EMAIL, "password": "tester"})
    assert_error(response, 400)
    assert "tester" not in response.json()["error"]
    assert "8" in response.json()["error"]


@pytest.mark.parametrize(
    "body",
    [
        {"password": PASSWORD},
        {"email": EMAIL},
        {"email": "not an address", "password": PASSWORD},
        {"email": 5, "password": PASSWORD},
        {"email": EMAIL, "password": PASSWORD, "firstname": 3},
        {"email": EMAIL, "password": PASSWORD, "firstname": "x" * 201},
    ],
)
async def test_register_bad_body_is_400(us: UserService, body: dict[str, object]) -> None:
    assert_error(await us("POST", "register", body), 400)


async def test_register_when_signup_closed_is_refused(us: UserService, container: Container) -> None:
    await container.services.apps.configure("default", {"signup_open": "false"})
    response = await us("POST", "register", {"email": EMAIL, "password": PASSWORD})
    assert_error(response, 403)


async def test_register_without_required_verification_mails_nothing(us: UserService, container: Container) -> None:
    await us.register()
    assert await mails(container, EMAIL) == []


# login


async def test_login_seed_example_answers_tokens_and_user(us: UserService) -> None:
    registered = await us.register()
    data = await us.login()
    assert set(data) == {"refreshToken", "status", "user", "accessToken"}
    assert data["status"] == "success"
    assert_user(data["user"])
    assert data["user"] == registered
    assert isinstance(data["accessToken"], str)
    assert data["accessToken"].count(".") == 2
    assert isinstance(data["refreshToken"], str)
    assert len(data["refreshToken"]) == 43


async def test_login_unconfirmed_without_required_verification_works(us: UserService) -> None:
    await us.register()
    assert (await us.login())["user"]["confirmed"] is False


async def test_login_email_is_case_insensitive(us: UserService) -> None:
    await us.register()
    assert (await us.login(EMAIL.upper()))["user"]["email"] == EMAIL


async def test_login_wrong_password_and_unknown_user_are_the_same_401(us: UserService) -> None:
    await us.register()
    wrong = await us("POST", "login", {"email": EMAIL, "password": "wrong password here"})
    unknown = await us("POST", "login", {"email": "nobody@example.com", "password": PASSWORD})
    assert_error(wrong, 401)
    assert_error(unknown, 401, wrong.json()["error"])
    assert "wrong password here" not in wrong.text


@pytest.mark.parametrize("body", [{"email": EMAIL}, {"password": PASSWORD}, {"email": EMAIL, "password": 12345678}])
async def test_login_bad_body_is_400(us: UserService, body: dict[str, object]) -> None:
    assert_error(await us("POST", "login", body), 400)


# activation (an app that requires a verified email)


async def activation_code(container: Container) -> str:
    mail = await only_mail(container, EMAIL, Purpose.VERIFY_EMAIL)
    link = mail.secrets["link"]
    assert link.startswith("http://testserver/userservice/v1/users/activate?code=")
    code = parse_qs(urlsplit(link).query)["code"][0]
    assert mail.secrets["code"] == code
    assert lifetime(mail) == 24 * 3600
    return code


async def test_register_with_required_verification_mails_an_activation_link(
    us: UserService, container: Container
) -> None:
    await container.services.apps.configure("default", REQUIRE_VERIFIED)
    user = await us.register()
    assert user["confirmed"] is False
    assert len(await activation_code(container)) == 43


async def test_login_before_activation_is_403_after_the_password_check(us: UserService, container: Container) -> None:
    await container.services.apps.configure("default", REQUIRE_VERIFIED)
    await us.register()
    assert_error(await us("POST", "login", {"email": EMAIL, "password": PASSWORD}), 403)
    assert_error(await us("POST", "login", {"email": EMAIL, "password": "wrong password here"}), 401)


@pytest.mark.parametrize("method", ["POST", "GET"])
async def test_activate_seed_example_confirms_and_login_then_works(
    us: UserService, container: Container, method: str
) -> None:
    await container.services.apps.configure("default", REQUIRE_VERIFIED)
    registered = await us.register()
    code = await activation_code(container)
    if method == "POST":
        data = await us.ok("POST", "activate", {"code": code})
    else:
        data = await us.ok("GET", "activate", params={"code": code})
    user = assert_answer(data)
    assert user == {**registered, "confirmed": True}
    login = await us.login()
    assert login["user"]["confirmed"] is True


async def test_activate_by_the_mailed_link_works(us: UserService, container: Container) -> None:
    await container.services.apps.configure("default", REQUIRE_VERIFIED)
    await us.register()
    await activation_code(container)
    link = (await only_mail(container, EMAIL)).secrets["link"]
    response = await us.api.get(link)
    assert response.status_code == 200
    assert response.json()["user"]["confirmed"] is True


async def test_activate_twice_counts_as_success(us: UserService, container: Container) -> None:
    await container.services.apps.configure("default", REQUIRE_VERIFIED)
    await us.register()
    code = await activation_code(container)
    await us.ok("POST", "activate", {"code": code})
    assert (await us.ok("POST", "activate", {"code": code}))["user"]["confirmed"] is True


@pytest.mark.parametrize("code", ["x" * 43, "nope", "A" * 1024])
async def test_activate_unknown_code_is_400(us: UserService, code: str) -> None:
    assert_error(await us("POST", "activate", {"code": code}), 400, "invalid code")


@pytest.mark.parametrize("body", [{}, {"code": ""}, {"code": 5}, {"code": "a\u0000b"}])
async def test_activate_bad_body_is_400(us: UserService, body: dict[str, object]) -> None:
    assert_error(await us("POST", "activate", body), 400)


async def test_activate_get_without_code_is_400(us: UserService) -> None:
    assert_error(await us("GET", "activate"), 400, "code is required")
