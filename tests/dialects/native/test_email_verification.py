"""Native email verification over HTTP: asking for a link or code, verifying by either, and the link's page."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from tests.dialects.mailbox import lifetime, mails, only_mail
from tests.dialects.native.conftest import Clocked
from tests.dialects.native.helpers import BASE, PASSWORD, assert_error, auth, sign_up
from usher.container import Container
from usher.core.models import Purpose

EMAIL = "ada@example.com"
ALLOWED = "https://app.example.com/"
CSP = "default-src 'none'"


async def allow_redirects(container: Container) -> None:
    await container.services.apps.configure("default", {"redirect_urls": ALLOWED})


async def ask(api: httpx.AsyncClient, email: str = EMAIL, **extra: object) -> httpx.Response:
    return await api.post(f"{BASE}/email/verification", json={"email": email, **extra})


async def mailed_token(api: httpx.AsyncClient, container: Container, email: str = EMAIL, **extra: object) -> str:
    assert (await ask(api, email, **extra)).status_code == 202
    return (await only_mail(container, email, Purpose.VERIFY_EMAIL)).secrets["code"]


async def verified(api: httpx.AsyncClient, email: str = EMAIL) -> bool:
    token = (await api.post(f"{BASE}/signin", json={"login": email, "password": PASSWORD})).json()["session"]["token"]
    return bool((await api.get(f"{BASE}/me", headers=auth(token))).json()["user"]["email_verified"])


def assert_error_page(response: httpx.Response) -> None:
    assert response.status_code == 400
    assert response.headers["content-type"].startswith("text/html")
    assert response.headers["content-security-policy"].startswith(CSP)
    assert "location" not in response.headers


# Asking for a link or a code


async def test_request_link_queues_a_link_to_the_verify_page(api: httpx.AsyncClient, container: Container) -> None:
    await sign_up(api)
    response = await ask(api)
    assert response.status_code == 202
    assert response.json() == {}
    mail = await only_mail(container, EMAIL)
    assert mail.purpose == Purpose.VERIFY_EMAIL
    token = mail.secrets["code"]
    assert len(token) == 43
    assert mail.secrets["link"] == f"http://testserver/v1/apps/default/email/verify?token={token}"
    assert lifetime(mail) == 24 * 3600


async def test_request_code_queues_six_digits_for_fifteen_minutes(api: httpx.AsyncClient, container: Container) -> None:
    await sign_up(api)
    assert (await ask(api, method="code")).status_code == 202
    mail = await only_mail(container, EMAIL)
    assert mail.secrets["code"].isdigit()
    assert len(mail.secrets["code"]) == 6
    assert mail.secrets["link"] == ""
    assert lifetime(mail) == 15 * 60


async def test_request_for_unknown_or_verified_address_answers_alike_and_mails_nothing(
    api: httpx.AsyncClient, container: Container
) -> None:
    await sign_up(api)
    await sign_up(api, email="done@example.com")
    done_token = await mailed_token(api, container, "done@example.com")
    assert (await api.post(f"{BASE}/email/verify", json={"token": done_token})).status_code == 200
    known = await ask(api)
    for email in ("ghost@example.com", "done@example.com"):
        other = await ask(api, email)
        assert (other.status_code, other.json()) == (known.status_code, known.json()) == (202, {})
    assert await mails(container, "ghost@example.com") == []
    assert len(await mails(container, "done@example.com")) == 1


async def test_second_request_within_cooldown_answers_alike_and_mails_nothing(
    api: httpx.AsyncClient, container: Container
) -> None:
    await sign_up(api)
    first, second = await ask(api), await ask(api, method="code")
    assert (first.status_code, first.json()) == (second.status_code, second.json())
    assert len(await mails(container, EMAIL)) == 1


async def test_request_after_cooldown_mails_again(clocked: Clocked) -> None:
    await sign_up(clocked.api)
    await ask(clocked.api)
    clocked.clock.advance(61)
    await ask(clocked.api)
    assert len(await mails(clocked.container, EMAIL)) == 2


@pytest.mark.parametrize("field", ["redirect_url", "failure_redirect_url"])
async def test_request_with_redirect_not_allowed_is_400(
    api: httpx.AsyncClient, container: Container, field: str
) -> None:
    await allow_redirects(container)
    await sign_up(api)
    for url in ("https://evil.example.net/", "javascript:alert(1)", "https://app.example.com.evil.net/"):
        assert_error(await ask(api, **{field: url}), 400, "validation_error")
    assert await mails(container, EMAIL) == []


async def test_request_with_redirect_when_app_allows_none_is_400(api: httpx.AsyncClient) -> None:
    await sign_up(api)
    assert_error(await ask(api, redirect_url="https://app.example.com/done"), 400, "validation_error")


@pytest.mark.parametrize("body", [{}, {"email": EMAIL, "method": "sms"}, {"email": EMAIL, "extra": 1}, {"email": 5}])
async def test_request_with_bad_body_is_400(api: httpx.AsyncClient, body: dict[str, object]) -> None:
    assert_error(await api.post(f"{BASE}/email/verification", json=body), 400, "validation_error")


# The signed-in user's own request


async def test_my_request_mails_me_without_a_body(api: httpx.AsyncClient, container: Container) -> None:
    token = (await sign_up(api))["session"]["token"]
    response = await api.post(f"{BASE}/me/email/verification", headers=auth(token))
    assert response.status_code == 202
    assert response.json() == {}
    assert (await only_mail(container, EMAIL)).secrets["link"].startswith("http://testserver/v1/apps/default/")


async def test_my_request_for_a_code(api: httpx.AsyncClient, container: Container) -> None:
    token = (await sign_up(api))["session"]["token"]
    response = await api.post(f"{BASE}/me/email/verification", json={"method": "code"}, headers=auth(token))
    assert response.status_code == 202
    assert len((await only_mail(container, EMAIL)).secrets["code"]) == 6


async def test_my_request_when_already_verified_is_409(api: httpx.AsyncClient, container: Container) -> None:
    session = (await sign_up(api))["session"]["token"]
    token = await mailed_token(api, container)
    assert (await api.post(f"{BASE}/email/verify", json={"token": token})).status_code == 200
    assert_error(await api.post(f"{BASE}/me/email/verification", headers=auth(session)), 409, "conflict")


async def test_my_request_without_session_is_401(api: httpx.AsyncClient) -> None:
    assert_error(await api.post(f"{BASE}/me/email/verification"), 401, "invalid_session")


async def test_my_request_with_redirect_not_allowed_is_400(api: httpx.AsyncClient) -> None:
    session = (await sign_up(api))["session"]["token"]
    body = {"redirect_url": "https://evil.example.net/"}
    response = await api.post(f"{BASE}/me/email/verification", json=body, headers=auth(session))
    assert_error(response, 400, "validation_error")


# Verifying by token or code (POST)


async def test_verify_with_token_answers_the_verified_user(api: httpx.AsyncClient, container: Container) -> None:
    await sign_up(api)
    token = await mailed_token(api, container)
    response = await api.post(f"{BASE}/email/verify", json={"token": token})
    assert response.status_code == 200
    user = response.json()["user"]
    assert user["email"] == EMAIL
    assert user["email_verified"] is True
    assert user["email_verified_at"] is not None
    assert await verified(api)


async def test_verify_with_same_token_twice_succeeds(api: httpx.AsyncClient, container: Container) -> None:
    await sign_up(api)
    token = await mailed_token(api, container)
    for _ in range(2):
        response = await api.post(f"{BASE}/email/verify", json={"token": token})
        assert response.status_code == 200
        assert response.json()["user"]["email_verified"] is True


async def test_verify_with_code(api: httpx.AsyncClient, container: Container) -> None:
    await sign_up(api)
    await ask(api, method="code")
    code = (await only_mail(container, EMAIL)).secrets["code"]
    response = await api.post(f"{BASE}/email/verify", json={"email": "ADA@example.com", "code": code})
    assert response.status_code == 200
    assert response.json()["user"]["email_verified"] is True


async def test_verify_with_code_twice_is_400(api: httpx.AsyncClient, container: Container) -> None:
    await sign_up(api)
    await ask(api, method="code")
    code = (await only_mail(container, EMAIL)).secrets["code"]
    assert (await api.post(f"{BASE}/email/verify", json={"email": EMAIL, "code": code})).status_code == 200
    again = await api.post(f"{BASE}/email/verify", json={"email": EMAIL, "code": code})
    assert_error(again, 400, "invalid_code")


async def test_verify_with_wrong_code_or_token_is_400(api: httpx.AsyncClient, container: Container) -> None:
    await sign_up(api)
    await ask(api, method="code")
    code = (await only_mail(container, EMAIL)).secrets["code"]
    wrong = "000000" if code != "000000" else "111111"
    for body in (
        {"email": EMAIL, "code": wrong},
        {"email": "ghost@example.com", "code": code},
        {"token": "x" * 43},
        {"token": "short"},
    ):
        assert_error(await api.post(f"{BASE}/email/verify", json=body), 400, "invalid_code")
    assert not await verified(api)


async def test_five_wrong_codes_kill_the_code(api: httpx.AsyncClient, container: Container) -> None:
    await sign_up(api)
    await ask(api, method="code")
    code = (await only_mail(container, EMAIL)).secrets["code"]
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(5):
        response = await api.post(f"{BASE}/email/verify", json={"email": EMAIL, "code": wrong})
        assert_error(response, 400, "invalid_code")
    right = await api.post(f"{BASE}/email/verify", json={"email": EMAIL, "code": code})
    assert_error(right, 400, "invalid_code")


async def test_verify_with_expired_token_or_code_is_400(clocked: Clocked) -> None:
    api, container = clocked.api, clocked.container
    await sign_up(api)
    await sign_up(api, email="bob@example.com")
    token = await mailed_token(api, container)
    await ask(api, "bob@example.com", method="code")
    code = (await only_mail(container, "bob@example.com")).secrets["code"]
    clocked.clock.advance(15 * 60 + 1)
    response = await api.post(f"{BASE}/email/verify", json={"email": "bob@example.com", "code": code})
    assert_error(response, 400, "invalid_code")
    clocked.clock.advance(24 * 3600)
    assert_error(await api.post(f"{BASE}/email/verify", json={"token": token}), 400, "invalid_code")


async def test_verify_with_reset_token_is_400(api: httpx.AsyncClient, container: Container) -> None:
    await allow_redirects(container)
    await sign_up(api)
    await api.post(f"{BASE}/password/forgot", json={"email": EMAIL})
    reset = (await only_mail(container, EMAIL, Purpose.RESET_PASSWORD)).secrets["code"]
    assert_error(await api.post(f"{BASE}/email/verify", json={"token": reset}), 400, "invalid_code")
    assert not await verified(api)


@pytest.mark.parametrize(
    "body",
    [{}, {"email": EMAIL}, {"code": "123456"}, {"token": "t" * 43, "code": "123456"}, {"token": 5}],
)
async def test_verify_with_bad_body_is_400(api: httpx.AsyncClient, body: dict[str, object]) -> None:
    assert_error(await api.post(f"{BASE}/email/verify", json=body), 400, "validation_error")


async def test_verify_in_another_app_is_400(api: httpx.AsyncClient, container: Container) -> None:
    await container.services.apps.create("other", "other")
    await sign_up(api)
    token = await mailed_token(api, container)
    assert_error(await api.post("/v1/apps/other/email/verify", json={"token": token}), 400, "invalid_code")


# The mailed link (GET)


async def test_link_without_stored_redirect_shows_success_page(api: httpx.AsyncClient, container: Container) -> None:
    await sign_up(api)
    token = await mailed_token(api, container)
    response = await api.get(f"{BASE}/email/verify", params={"token": token})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert response.headers["content-security-policy"].startswith(CSP)
    assert "verified" in response.text
    assert await verified(api)


async def test_link_redirects_to_stored_url_not_the_query(api: httpx.AsyncClient, container: Container) -> None:
    await allow_redirects(container)
    await sign_up(api)
    token = await mailed_token(api, container, redirect_url="https://app.example.com/welcome?x=1")
    params = {"token": token, "redirect_url": "https://evil.example.net/", "redirectUrl": "https://evil.example.net/"}
    for _ in range(2):  # following it twice is success too
        response = await api.get(f"{BASE}/email/verify", params=params)
        assert response.status_code == 302
        assert response.headers["location"] == "https://app.example.com/welcome?x=1"
    assert await verified(api)


async def test_expired_link_redirects_to_stored_failure_url(clocked: Clocked) -> None:
    await allow_redirects(clocked.container)
    await sign_up(clocked.api)
    extra = {"redirect_url": "https://app.example.com/ok", "failure_redirect_url": "https://app.example.com/failed"}
    token = await mailed_token(clocked.api, clocked.container, **extra)
    clocked.clock.advance(24 * 3600 + 1)
    response = await clocked.api.get(f"{BASE}/email/verify", params={"token": token})
    assert response.status_code == 302
    assert response.headers["location"] == "https://app.example.com/failed"


async def test_expired_link_without_failure_url_shows_error_page(clocked: Clocked) -> None:
    await sign_up(clocked.api)
    token = await mailed_token(clocked.api, clocked.container)
    clocked.clock.advance(24 * 3600 + 1)
    assert_error_page(await clocked.api.get(f"{BASE}/email/verify", params={"token": token}))


@pytest.mark.parametrize("token", ["x" * 43, "", "%00%ff", None])
async def test_unknown_link_shows_error_page_and_never_redirects(api: httpx.AsyncClient, token: str | None) -> None:
    query = "redirect_url=https%3A%2F%2Fevil.example.net%2F" + (f"&token={token}" if token is not None else "")
    response = await api.get(f"{BASE}/email/verify?{query}")
    assert_error_page(response)
    assert "evil" not in response.text


async def test_link_of_unknown_app_shows_error_page(api: httpx.AsyncClient, container: Container) -> None:
    await sign_up(api)
    token = await mailed_token(api, container)
    assert_error_page(await api.get("/v1/apps/nope/email/verify", params={"token": token}))


async def test_link_token_after_email_change_fails(api: httpx.AsyncClient, container: Container, app_key: str) -> None:
    await allow_redirects(container)
    user = (await sign_up(api))["user"]
    extra = {"failure_redirect_url": "https://app.example.com/failed"}
    token = await mailed_token(api, container, **extra)
    changed = await api.patch(f"{BASE}/users/{user['id']}", json={"email": "new@example.com"}, headers=auth(app_key))
    assert changed.status_code == 200
    response = await api.get(f"{BASE}/email/verify", params={"token": token})
    assert response.status_code == 302
    assert response.headers["location"] == "https://app.example.com/failed"


# The verified-email gate


async def test_required_verification_blocks_sign_in_until_verified(
    api: httpx.AsyncClient, container: Container
) -> None:
    await container.services.apps.configure("default", {"require_verified_email": "true"})
    assert (await sign_up(api))["session"] is None
    signin = {"login": EMAIL, "password": PASSWORD}
    assert_error(await api.post(f"{BASE}/signin", json=signin), 403, "email_not_verified")
    await ask(api, method="code")
    code = (await only_mail(container, EMAIL)).secrets["code"]
    assert (await api.post(f"{BASE}/email/verify", json={"email": EMAIL, "code": code})).status_code == 200
    assert (await api.post(f"{BASE}/signin", json=signin)).status_code == 200


async def test_link_query_is_parsed_from_the_mail(api: httpx.AsyncClient, container: Container) -> None:
    await sign_up(api)
    await ask(api)
    link = (await only_mail(container, EMAIL)).secrets["link"]
    parts = urlsplit(link)
    assert parts.path == "/v1/apps/default/email/verify"
    response = await api.get(f"{parts.path}?{parts.query}")
    assert response.status_code == 200
    assert parse_qs(parts.query)["token"][0] == (await only_mail(container, EMAIL)).secrets["code"]


async def test_openapi_documents_the_mail_endpoints(api: httpx.AsyncClient) -> None:
    paths = (await api.get("/openapi.json")).json()["paths"]
    for path in (
        "/v1/apps/{app_id}/email/verification",
        "/v1/apps/{app_id}/me/email/verification",
        "/v1/apps/{app_id}/email/verify",
        "/v1/apps/{app_id}/password/forgot",
        "/v1/apps/{app_id}/password/reset",
        "/v1/apps/{app_id}/magic-link",
        "/v1/apps/{app_id}/magic-link/redeem",
    ):
        assert path in paths, path
    assert "get" in paths["/v1/apps/{app_id}/email/verify"]
