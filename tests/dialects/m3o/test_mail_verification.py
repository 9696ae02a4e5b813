"""M3O SendVerificationEmail, VerifyEmail and the GET verification link over HTTP: the seed's examples and errors."""

from __future__ import annotations

from urllib.parse import parse_qs, quote, urlsplit

import httpx
import pytest

from tests.dialects.m3o.support import M3O, assert_error
from tests.dialects.mailbox import lifetime, mails, only_mail
from tests.fakes import FakeClock
from usher.container import Container
from usher.core.models import MailOverrides, Purpose

EMAIL = "joe@example.com"
SUCCESS = "https://app.example.com/verified?from=mail"
FAILURE = "https://app.example.com/failed"
SEND = {
    "email": EMAIL,
    "subject": "Email verification",
    "text_content": "Hi there,\n\nPlease verify your email by clicking this link: $micro_verification_link",
    "redirect_url": SUCCESS,
    "failure_redirect_url": FAILURE,
    "from_name": "Awesome Dot Com",
}
VERIFY_PAGE = "/m3o/user/verify"


async def send(m3o: M3O, **changes: object) -> dict[str, object]:
    return await m3o.ok("SendVerificationEmail", {**SEND, **changes})


async def mailed_token(m3o: M3O, container: Container, **changes: object) -> str:
    await send(m3o, **changes)
    return (await only_mail(container, EMAIL, Purpose.VERIFY_EMAIL)).secrets["code"]


async def is_verified(m3o: M3O, email: str = EMAIL) -> bool:
    return bool((await m3o.ok("Read", {"email": email}))["account"]["verified"])


def assert_error_page(response: httpx.Response) -> None:
    assert response.status_code == 400
    assert response.headers["content-type"].startswith("text/html")
    assert response.headers["content-security-policy"].startswith("default-src 'none'")
    assert "location" not in response.headers


# SendVerificationEmail


async def test_send_verification_email_seed_example_queues_overrides_and_link(m3o: M3O, container: Container) -> None:
    await m3o.create()
    assert await send(m3o) == {}
    mail = await only_mail(container, EMAIL)
    assert mail.purpose == Purpose.VERIFY_EMAIL
    assert mail.overrides == MailOverrides(
        subject=SEND["subject"], text=str(SEND["text_content"]), from_name="Awesome Dot Com"
    )
    token = mail.secrets["code"]
    assert len(token) == 43
    link = mail.secrets["micro_verification_link"]
    assert link == mail.secrets["link"]
    parts = urlsplit(link)
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == f"http://testserver{VERIFY_PAGE}"
    assert parts.query.startswith(f"token={token}&redirectUrl=https%3A%2F%2Fapp.example.com%2Fverified%3Ffrom%3Dmail")
    query = parse_qs(parts.query)
    assert query["redirectUrl"] == [SUCCESS]
    assert query["failureRedirectUrl"] == [FAILURE]
    assert lifetime(mail) == 24 * 3600


async def test_send_verification_email_accepts_camel_case(m3o: M3O, container: Container) -> None:
    await m3o.create()
    body = {
        "email": EMAIL,
        "subject": "s",
        "textContent": "t $micro_verification_link",
        "redirectUrl": SUCCESS,
        "failureRedirectUrl": FAILURE,
        "fromName": "Sender",
    }
    assert await m3o.ok("SendVerificationEmail", body) == {}
    mail = await only_mail(container, EMAIL)
    assert mail.overrides == MailOverrides(subject="s", text="t $micro_verification_link", from_name="Sender")
    assert parse_qs(urlsplit(mail.secrets["link"]).query)["redirectUrl"] == [SUCCESS]


async def test_send_verification_email_with_only_email_uses_app_templates(m3o: M3O, container: Container) -> None:
    await m3o.create()
    assert await m3o.ok("SendVerificationEmail", {"email": EMAIL}) == {}
    assert (await only_mail(container, EMAIL)).overrides == MailOverrides()


async def test_send_verification_email_to_unknown_or_verified_address_is_empty_and_mails_nothing(
    m3o: M3O, container: Container
) -> None:
    await m3o.create()
    await m3o.create(email="done@example.com", username="done")
    done = await mailed_token_for(m3o, container, "done@example.com")
    assert await m3o.ok("VerifyEmail", {"token": done}) == {}
    known = await m3o("SendVerificationEmail", SEND)
    for email in ("ghost@example.com", "done@example.com"):
        other = await m3o("SendVerificationEmail", {**SEND, "email": email})
        assert (other.status_code, other.json()) == (known.status_code, known.json()) == (200, {})
    assert await mails(container, "ghost@example.com") == []
    assert len(await mails(container, "done@example.com")) == 1


async def mailed_token_for(m3o: M3O, container: Container, email: str) -> str:
    await send(m3o, email=email)
    return (await only_mail(container, email)).secrets["code"]


async def test_send_verification_email_twice_within_cooldown_mails_once(m3o: M3O, container: Container) -> None:
    await m3o.create()
    assert await send(m3o) == await send(m3o) == {}
    assert len(await mails(container, EMAIL)) == 1


async def test_send_verification_email_trusts_the_backend_redirects(m3o: M3O, container: Container) -> None:
    """No allow-list for secret-key calls: any http(s) target the backend names is stored."""
    await m3o.create()
    assert await send(m3o, redirect_url="https://anywhere.example.org/ok") == {}
    assert parse_qs(urlsplit((await only_mail(container, EMAIL)).secrets["link"]).query)["redirectUrl"] == [
        "https://anywhere.example.org/ok"
    ]


@pytest.mark.parametrize(
    "changes",
    [{"email": ""}, {"subject": "x" * 300}, {"subject": "two\nlines"}, {"from_name": "a\r\nBcc: x@example.com"}],
)
async def test_send_verification_email_with_bad_fields_is_400(m3o: M3O, changes: dict[str, object]) -> None:
    await m3o.create()
    assert_error(await m3o("SendVerificationEmail", {**SEND, **changes}), 400, "SendVerificationEmail")


async def test_send_verification_email_without_email_is_400(m3o: M3O) -> None:
    response = await m3o("SendVerificationEmail", {"subject": "s"})
    assert_error(response, 400, "SendVerificationEmail", "email is required")


# VerifyEmail


async def test_verify_email_seed_example_verifies_the_account(m3o: M3O, container: Container) -> None:
    await m3o.create()
    token = await mailed_token(m3o, container)
    assert not await is_verified(m3o)
    assert await m3o.ok("VerifyEmail", {"token": token}) == {}
    account = (await m3o.ok("Read", {"email": EMAIL}))["account"]
    assert account["verified"] is True
    assert account["verification_date"] != "0"
    assert account["verification_date"] == account["verificationDate"]


async def test_verify_email_twice_succeeds(m3o: M3O, container: Container) -> None:
    await m3o.create()
    token = await mailed_token(m3o, container)
    assert await m3o.ok("VerifyEmail", {"token": token}) == {}
    assert await m3o.ok("VerifyEmail", {"token": token}) == {}


@pytest.mark.parametrize("token", ["x" * 43, "short", ""])
async def test_verify_email_with_unknown_token_is_400(m3o: M3O, token: str) -> None:
    assert_error(await m3o("VerifyEmail", {"token": token}), 400, "VerifyEmail", "invalid token")


async def test_verify_email_without_token_is_400(m3o: M3O) -> None:
    assert_error(await m3o("VerifyEmail", {}), 400, "VerifyEmail", "token is required")


async def test_verify_email_with_expired_token_is_400(mailing: tuple[M3O, Container, FakeClock]) -> None:
    m3o, container, clock = mailing
    await m3o.create()
    token = await mailed_token(m3o, container)
    clock.advance(24 * 3600 + 1)
    assert_error(await m3o("VerifyEmail", {"token": token}), 400, "VerifyEmail", "token expired")
    assert not await is_verified(m3o)


async def test_verify_email_with_magic_link_token_is_400(m3o: M3O, container: Container) -> None:
    await m3o.create()
    await m3o.ok("SendMagicLink", {"email": EMAIL, "address": "www.example.com", "endpoint": "magic"})
    token = (await only_mail(container, EMAIL, Purpose.MAGIC_LINK)).secrets["code"]
    assert_error(await m3o("VerifyEmail", {"token": token}), 400, "VerifyEmail", "invalid token")
    assert not await is_verified(m3o)


async def test_verify_email_with_another_apps_token_is_400(m3o: M3O, container: Container) -> None:
    other, other_key = await container.services.apps.create("other")
    other_m3o = M3O(m3o.api, other_key)
    await other_m3o.create()
    await other_m3o.ok("SendVerificationEmail", SEND)
    token = (await only_mail(container, EMAIL)).secrets["code"]
    assert_error(await m3o("VerifyEmail", {"token": token}), 400, "VerifyEmail", "invalid token")
    assert other.id != "default"


# The GET link


async def test_link_redirects_to_the_stored_url_even_when_the_query_says_otherwise(
    m3o: M3O, container: Container
) -> None:
    await m3o.create()
    await send(m3o)
    link = (await only_mail(container, EMAIL)).secrets["link"]
    tampered = link.replace("app.example.com", "evil.example.net")
    assert tampered != link
    for _ in range(2):  # following it twice is success too
        response = await m3o.api.get(tampered.removeprefix("http://testserver"))
        assert response.status_code == 302
        assert response.headers["location"] == SUCCESS
    assert await is_verified(m3o)


async def test_link_without_stored_redirect_shows_success_page(m3o: M3O, container: Container) -> None:
    await m3o.create()
    await m3o.ok("SendVerificationEmail", {"email": EMAIL})
    link = (await only_mail(container, EMAIL)).secrets["link"]
    response = await m3o.api.get(link.removeprefix("http://testserver"))
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert response.headers["content-security-policy"].startswith("default-src 'none'")
    assert await is_verified(m3o)


async def test_expired_link_redirects_to_the_stored_failure_url(mailing: tuple[M3O, Container, FakeClock]) -> None:
    m3o, container, clock = mailing
    await m3o.create()
    await send(m3o)
    link = (await only_mail(container, EMAIL)).secrets["link"]
    clock.advance(24 * 3600 + 1)
    tampered = link.replace(quote(FAILURE, safe=""), quote("https://evil.example.net/", safe=""))
    assert tampered != link
    response = await m3o.api.get(tampered)
    assert response.status_code == 302
    assert response.headers["location"] == FAILURE
    assert not await is_verified(m3o)


async def test_spent_link_after_email_change_redirects_to_the_failure_url(m3o: M3O, container: Container) -> None:
    account = await m3o.create()
    await send(m3o)
    link = (await only_mail(container, EMAIL)).secrets["link"]
    assert await m3o.ok("Update", {"id": account["id"], "email": "new@example.com"}) == {}
    response = await m3o.api.get(link)
    assert response.status_code == 302
    assert response.headers["location"] == FAILURE


@pytest.mark.parametrize(
    "query",
    [
        "token=" + "x" * 43 + "&app=default&redirectUrl=https%3A%2F%2Fevil.example.net"
        "&failureRedirectUrl=https%3A%2F%2Fevil.example.net",
        "redirectUrl=https%3A%2F%2Fevil.example.net",
        "token=&app=default",
        "",
    ],
)
async def test_unknown_link_shows_error_page_without_redirect(api: httpx.AsyncClient, query: str) -> None:
    response = await api.get(f"{VERIFY_PAGE}?{query}")
    assert_error_page(response)
    assert "evil" not in response.text


async def test_link_has_exactly_the_original_query_and_ignores_extra_values(m3o: M3O, container: Container) -> None:
    await m3o.create()
    await send(m3o)
    link = (await only_mail(container, EMAIL)).secrets["link"]
    assert link.startswith("http://testserver/m3o/user/verify?token=")
    assert "app=" not in link and "redirectUrl=" in link and "failureRedirectUrl=" in link
    response = await m3o.api.get(link + "&app=nope")
    assert response.status_code == 302
    assert await is_verified(m3o)
